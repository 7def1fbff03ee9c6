"""Run every benchmark script in this folder (``bench_*.py``) and print their figures.

Usage: ``python benchmarks/run.py [NAME ...]`` where NAME selects scripts by a
part of their name (``course``, ``cytometry``...). Each script runs in its own
interpreter so that one's imports and memory do not colour another's figures.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(part in s.stem for part in argv)]
    if not scripts:
        print("no benchmark matches", " ".join(argv), file=sys.stderr)
        return 2
    failed = []
    summary = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        elapsed = time.perf_counter() - started
        summary.append(f"{script.name:28s} {elapsed:7.1f} s  {'ok' if code == 0 else f'FAILED ({code})'}")
        if code:
            failed.append(script.name)
    print("\n=== summary ===")
    print("\n".join(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
