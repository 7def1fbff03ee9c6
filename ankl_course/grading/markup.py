"""nbgrader's cell markup, read and written exactly as nbgrader does.

The exercise sources carry nbgrader's own metadata (``metadata.nbgrader`` with
``grade``, ``solution``, ``locked``, ``points``, ``grade_id``, ``schema_version``)
and its source delimiters, so a teacher who already runs nbgrader can use them
unchanged. Everything here follows nbgrader 0.9's rules (``nbgrader/utils.py``),
including its checksum, because the compatibility test compares our student
version with the one nbgrader writes, byte for byte in the cells.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..nbfile import cell_source as source  # the one reader of a cell's text (a list of lines or a string)

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
SCHEMA_VERSION = 3
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")

Cell = dict[str, Any]


def meta(cell: Cell) -> dict[str, Any]:
    """The cell's ``metadata.nbgrader`` table, empty when it has none (or a malformed one)."""
    value = cell.get("metadata", {}).get("nbgrader", {})
    return value if isinstance(value, dict) else {}


def is_grade(cell: Cell) -> bool:
    return bool(meta(cell).get("grade", False))


def is_solution(cell: Cell) -> bool:
    return bool(meta(cell).get("solution", False))


def is_locked(cell: Cell) -> bool:
    """Locked as nbgrader means it: grade cells are, solution cells never are."""
    if not meta(cell) or is_solution(cell):
        return False
    return is_grade(cell) or bool(meta(cell).get("locked", False))


def is_test(cell: Cell) -> bool:
    """An autograder test cell: graded code that the student does not write."""
    return is_grade(cell) and not is_solution(cell) and cell.get("cell_type") == "code"


def is_manual(cell: Cell) -> bool:
    """A manually graded answer (nbgrader: ``grade`` and ``solution``): the teacher scores it."""
    return is_grade(cell) and is_solution(cell)


def is_blank_answer(text: str) -> bool:
    """An answer the student left as released (empty, or nbgrader's stub)."""
    return text.strip() in ("", TEXT_STUB, CODE_STUB)


def grade_id(cell: Cell) -> str | None:
    value = meta(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def points(cell: Cell) -> float:
    try:
        return float(meta(cell).get("points", 0))
    except (TypeError, ValueError):
        return 0.0


def marked(cells: list[Cell]) -> Iterator[tuple[int, Cell]]:
    """(index, cell) for every cell nbgrader tracks (grade, solution or locked)."""
    for index, cell in enumerate(cells):
        if grade_id(cell) and (is_grade(cell) or is_solution(cell) or is_locked(cell)):
            yield index, cell


def checksum(cell: Cell) -> str:
    """nbgrader's checksum of a cell (``nbgrader.utils.compute_checksum``), kept identical."""
    digest = hashlib.md5()  # noqa: S324 - a format compatibility fingerprint, not security
    digest.update(source(cell).encode("utf-8"))
    digest.update(str(cell.get("cell_type")).encode("utf-8"))
    digest.update(str(is_grade(cell)).encode("utf-8"))
    digest.update(str(is_solution(cell)).encode("utf-8"))
    digest.update(str(is_locked(cell)).encode("utf-8"))
    digest.update(str(meta(cell)["grade_id"]).encode("utf-8"))
    if is_grade(cell):
        digest.update(str(points(cell)).encode("utf-8"))
    return digest.hexdigest()


def _rewrite_regions(text: str, begin: str, end: str, replacement: Callable[[str], list[str]]) -> tuple[str, bool]:
    """Replace each ``begin``..``end`` region (delimiter lines included) by ``replacement(indent)``,
    where ``indent`` is the ``begin`` line's indentation. Returns the new text and whether any
    region was found; nested or unclosed regions are errors."""
    out: list[str] = []
    inside = found = False
    for line in text.split("\n"):
        if begin in line:
            if inside:
                raise ValueError(f"nested {begin}")
            inside = found = True
            out.extend(replacement(line[: len(line) - len(line.lstrip())]))
        elif end in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{begin} without {end}")
    return "\n".join(out), found


def replace_solution_regions(text: str, stub: str) -> tuple[str, bool]:
    """Replace each ``BEGIN SOLUTION``..``END SOLUTION`` region by ``stub``, indented like its
    ``BEGIN`` line. Returns the new text and whether any region was found."""
    return _rewrite_regions(text, BEGIN_SOLUTION, END_SOLUTION,
                            lambda indent: [indent + stub_line for stub_line in stub.split("\n")])


def remove_hidden_regions(text: str) -> tuple[str, bool]:
    """Drop each ``BEGIN HIDDEN TESTS``..``END HIDDEN TESTS`` region (delimiter lines included)."""
    return _rewrite_regions(text, BEGIN_HIDDEN, END_HIDDEN, lambda indent: [])

