"""The student version of an exercise, as ``nbgrader generate_assignment`` writes it.

Solutions become stubs (``# YOUR CODE HERE`` / ``raise NotImplementedError()``, or
``YOUR ANSWER HERE`` in Markdown), hidden test regions go, outputs go, cells are
locked the way nbgrader locks them (``deletable``/``editable`` metadata) and carry
nbgrader's checksums. Keeping the same output means a teacher can mix the two
tools, and the compatibility test can compare them directly.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..errors import CourseDataError
from . import markup
from .exercises import Exercise
from .variants import stamp


def student_version(source: Any, path: Path | str = "") -> Any:
    """A new notebook: ``source`` with solutions stubbed and hidden tests removed."""
    nb = copy.deepcopy(source)
    for number, cell in enumerate(nb.cells, start=1):
        try:
            _release_cell(cell)
        except ValueError as exc:
            raise CourseDataError(path, f"cell {number}", str(exc)) from exc
    nb.metadata.pop("celltoolbar", None)
    return nb


def _release_cell(cell: Any) -> None:
    _lock(cell)
    stub = markup.CODE_STUB if cell.cell_type == "code" else markup.TEXT_STUB
    text, replaced = markup.replace_solution_regions(markup.source(cell), stub)
    if replaced and not markup.is_solution(cell):
        raise ValueError("a BEGIN SOLUTION region in a cell not marked as a solution cell")
    if markup.is_solution(cell) and not replaced:
        text = stub
    cell.source = text
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    for key in ("collapsed", "scrolled"):
        cell.metadata.pop(key, None)
    text, removed = markup.remove_hidden_regions(cell.source)
    if removed and not markup.is_grade(cell):
        raise ValueError("a BEGIN HIDDEN TESTS region in a cell not marked as a grade cell")
    cell.source = text
    if markup.grade_id(cell) and (markup.is_grade(cell) or markup.is_solution(cell) or markup.is_locked(cell)):
        cell.metadata.nbgrader["checksum"] = markup.checksum(cell)
        cell.metadata.nbgrader["cell_type"] = cell.cell_type


def _lock(cell: Any) -> None:
    """nbgrader's LockCells with its defaults."""
    if markup.is_solution(cell):
        cell.metadata["deletable"] = False
    elif markup.is_grade(cell) or markup.is_locked(cell):
        cell.metadata["deletable"] = False
        cell.metadata["editable"] = False


def release_exercise(exercise: Exercise, out_dir: Path, variant: str | None = None) -> Path:
    """Write ``out_dir/NAME/NAME.ipynb`` and the data files; returns the notebook path.

    With ``variant`` (an exercise that has variants), the notebook holds that variant's numbers
    and says which variant it is in its metadata.
    """
    import nbformat

    target = out_dir / exercise.name
    target.mkdir(parents=True, exist_ok=True)
    nb = student_version(exercise.variant_source(variant), exercise.notebook_path)
    if variant is not None and exercise.has_variants:
        stamp(nb, exercise.name, variant)
    path = target / exercise.notebook_path.name
    nbformat.write(nb, path)
    for name, data in exercise.data_files(variant).items():
        (target / name).write_bytes(data)
    return path
