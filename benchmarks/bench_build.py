"""How much ``ankl-course build`` costs over plain nbconvert, measured side by side in one run.

Prints, for the whole course: the wall time of ``ankl-course build`` (one worker, so it is a fair
comparison with nbconvert's one notebook at a time; and with ``--jobs 2``), the wall time of plain
``jupyter nbconvert --execute --to html`` and ``--to slides`` on the same notebooks, the ratio, and
the size of each self-contained deck. The build executes each chapter once and writes a page, a
deck, a single-file deck, the index, references and student pack; the baseline executes each
chapter twice (once per format) and writes only the two files.

Run: ``.venv/bin/python benchmarks/bench_build.py`` (needs ``ankl-course assets`` done once).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ankl_course.interactive import EXPORT_ENV  # noqa: E402
from ankl_course.resources import chapter_notebooks  # noqa: E402


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Wall time of one command; a failure stops the benchmark with its output."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{done.stderr[-2000:]}")
    return elapsed


def main() -> int:
    notebooks = chapter_notebooks()
    if not notebooks:
        raise SystemExit("no chapter notebooks")
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-build-") as temp:
        root = Path(temp)
        work = root / "notebooks"
        work.mkdir()
        for notebook in notebooks:
            shutil.copyfile(notebook, work / notebook.name)
        names = [n.name for n in notebooks]
        # the same kernel environment the build uses, so both sides run the same chapter code
        env = {**os.environ, EXPORT_ENV: "1"}
        plain_html = timed([python, "-m", "jupyter", "nbconvert", "--execute", "--to", "html",
                            "--output-dir", str(root / "nb-html"), *names], work, env)
        plain_slides = timed([python, "-m", "jupyter", "nbconvert", "--execute", "--to", "slides",
                              "--output-dir", str(root / "nb-slides"), *names], work, env)
        build_1 = timed([python, "-m", "ankl_course", "build", "--out", str(root / "site1"), "--jobs", "1"], REPO)
        build_2 = timed([python, "-m", "ankl_course", "build", "--out", str(root / "site2"), "--jobs", "2"], REPO)
        baseline = plain_html + plain_slides
        print(f"chapters: {len(notebooks)} (cores: {os.cpu_count()})")
        print(f"plain nbconvert --execute --to html:    {plain_html:6.1f} s")
        print(f"plain nbconvert --execute --to slides:  {plain_slides:6.1f} s")
        print(f"plain nbconvert, both formats:          {baseline:6.1f} s")
        print(f"ankl-course build --jobs 1:             {build_1:6.1f} s  "
              f"(ratio to both formats {build_1 / baseline:.2f}; overhead {100 * (build_1 / baseline - 1):+.0f}%)")
        print(f"ankl-course build --jobs 2:             {build_2:6.1f} s  (ratio {build_2 / baseline:.2f})")
        print(f"ankl-course build --jobs 1 vs --to html alone: ratio {build_1 / plain_html:.2f}")
        print("self-contained decks (slides-single/):")
        for deck in sorted((root / "site1" / "slides-single").glob("*.html")):
            print(f"  {deck.name:40s} {deck.stat().st_size / 1024:8.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
