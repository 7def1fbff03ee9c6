"""Course-wide figures: how fast the CLI answers and how long each chapter takes in a fresh kernel.

Targets (issue 2): ``ankl-course --help`` under 0.3 s; each chapter top to
bottom in a fresh kernel under 10 s. The bare interpreter start and the cost
of importing nbformat are measured in the same run, side by side, so the
figures can be read against this machine's speed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def wall(command: list[str], repeats: int = 11) -> float:
    """Median wall-clock seconds of a command over ``repeats`` runs (after one warm-up run)."""
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cli_figures() -> None:
    bare = wall([sys.executable, "-c", "pass"])
    script = Path(sys.executable).with_name("ankl-course")
    helped = wall([str(script) if script.exists() else "ankl-course", "--help"])
    nbformat = wall([sys.executable, "-c", "import nbformat"], repeats=5)
    print("CLI start-up (median of 11 runs)")
    print(f"  python -c pass              {bare:6.3f} s")
    print(f"  ankl-course --help          {helped:6.3f} s   target < 0.300 s   "
          f"ratio to bare python {helped / bare:4.1f}x")
    print(f"  python -c 'import nbformat' {nbformat:6.3f} s   (what --help avoids by importing lazily)")


def chapter_figures() -> None:
    import nbformat
    from nbclient import NotebookClient

    from ankl_course.resources import chapter_notebooks

    print("\nEach chapter top to bottom in a fresh kernel (kernel start and shutdown included); target < 10 s")
    total = 0.0
    for path in chapter_notebooks():
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        started = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - started
        total += elapsed
        flag = "ok" if elapsed < 10 else "OVER TARGET"
        print(f"  {path.stem:28s} {elapsed:6.2f} s  {flag}")
    print(f"  {'all chapters':28s} {total:6.2f} s")


if __name__ == "__main__":
    cli_figures()
    chapter_figures()
