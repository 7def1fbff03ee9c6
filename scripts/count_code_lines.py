"""Code lines per chapter notebook at two git revisions, as a Markdown table (issue 13, item 3).

Why: moving figure and widget code into the library is measured by what a reader meets in the
notebooks, counted two ways: non-blank lines, and the lines ``ankl-course check`` counts
(:func:`ankl_course.nbfile.code_lines`: prose and alt text in strings, comments, brackets and
imports left out), each in all code cells and in the folded helper cells, plus the folded cells
over :data:`ankl_course.nbfile.MAX_FOLDED_CODE_LINES`.

    .venv/bin/python scripts/count_code_lines.py main HEAD 01_nk_cell_biology 02_ebv_link ...

With no chapter names, every notebook in ``notebooks/`` at the later revision is counted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ankl_course.nbfile import cell_source, code_is_hidden, code_lines, long_folded_cells  # noqa: E402

COLUMNS = ("non-blank lines, all code cells", "of which folded", "code lines (nbfile.code_lines), all",
           "of which folded", "folded cells over the limit")


def _cells(revision: str, stem: str) -> list[dict[str, Any]]:
    shown = subprocess.run(["git", "show", f"{revision}:notebooks/{stem}.ipynb"], capture_output=True, text=True)
    if shown.returncode != 0:
        return []  # the notebook does not exist at that revision
    cells: list[dict[str, Any]] = json.loads(shown.stdout)["cells"]
    return cells


def _non_blank(cells: list[dict[str, Any]]) -> int:
    return sum(sum(1 for line in cell_source(cell).splitlines() if line.strip()) for cell in cells)


def counts(revision: str, stem: str) -> tuple[int, ...]:
    """The five columns of :data:`COLUMNS` for one notebook at one revision."""
    cells = _cells(revision, stem)
    code = [cell for cell in cells if cell.get("cell_type") == "code"]
    folded = [cell for cell in code if code_is_hidden(cell)]
    return (_non_blank(code), _non_blank(folded), sum(code_lines(cell_source(c)) for c in code),
            sum(code_lines(cell_source(c)) for c in folded), len(long_folded_cells(cells)))


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    before, after, *stems = argv
    if not stems:
        listed = subprocess.run(["git", "ls-tree", "--name-only", f"{after}:notebooks"], capture_output=True,
                                text=True, check=True).stdout.split()
        stems = [name.removesuffix(".ipynb") for name in listed if name.endswith(".ipynb")]
    print("| notebook | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    totals = [[0] * len(COLUMNS), [0] * len(COLUMNS)]
    for stem in stems:
        pair = counts(before, stem), counts(after, stem)
        for total, found in zip(totals, pair, strict=True):
            total[:] = [a + b for a, b in zip(total, found, strict=True)]
        print(f"| {stem} | " + " | ".join(f"{a} → {b}" for a, b in zip(*pair, strict=True)) + " |")
    print("| **total** | " + " | ".join(f"{a} → {b}" for a, b in zip(*totals, strict=True)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
