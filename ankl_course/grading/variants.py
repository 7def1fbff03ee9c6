"""Per-student variants: each student's numbers derive from their id and a course secret.

One correct notebook copied by the whole class is the weakness of a shared release
(nbgrader and otter-grader have no answer to it; PrairieLearn gives each student a variant).
Here an exercise's ``checks.py`` may define ``variant(rng)``, returning the values of names that
the exercise's locked code cells assign (``prevalence = 0.002``). A student's variant id is an
HMAC of the exercise and the student id under the course secret, so the teacher can recompute it
at grading from the folder name alone, and a student cannot derive another's. The released
notebook carries its id in ``metadata.ankl_course.variant``; the grader grades each submission
against its owner's variant and flags one that carries someone else's.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import hmac
import re
import secrets
from pathlib import Path
from typing import Any

from ..errors import CourseDataError
from . import markup

#: Student ids become folder names: keep them to characters every file system accepts.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
METADATA_KEY = "ankl_course"
LETTERS = "abcdefghij"
#: An option of a Markdown question: ``- b) text``, continued on lines indented by two spaces.
OPTION = re.compile(r"^- ([a-j])\) ")


def variant_id(secret: bytes, exercise: str, student: str) -> str:
    """The variant of ``exercise`` that ``student`` receives (16 hex digits)."""
    return hmac.new(secret, f"{exercise}\0{student}".encode(), hashlib.sha256).hexdigest()[:16]


def seed_of(variant: str) -> int:
    return int(variant, 16)


def read_secret(path: Path, create: bool = False) -> bytes:
    """The course secret in ``path``; created (random, 32 bytes) when ``create`` and missing."""
    if not path.exists():
        if not create:
            raise CourseDataError(path, "", "no course secret here: it is written by 'ankl-course release "
                                  "--roster'; pass the same --secret file to 'grade'")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
        path.chmod(0o600)
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < 16:
        raise CourseDataError(path, "", "the course secret is too short (at least 16 characters)")
    return text.encode()


def read_roster(path: Path) -> list[str]:
    """Student ids from a CSV with a ``student`` column (or, without a header, the first column)."""
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseDataError(path, "", f"cannot read the roster: {exc}") from exc
    if not rows:
        raise CourseDataError(path, "", "the roster is empty")
    header = [h.strip().lower() for h in rows[0]]
    column, start = (header.index("student"), 2) if "student" in header else (0, 1)
    ids: list[str] = []
    for number, row in enumerate(rows[start - 1:], start=start):
        if not row or not "".join(row).strip():
            continue
        student = row[column].strip() if column < len(row) else ""
        if not STUDENT_ID.match(student):
            raise CourseDataError(path, f"row {number}", f"student id {student!r} is not usable as a folder name "
                                  "(letters, digits, '.', '_', '-'; at most 64)")
        if student in ids:
            raise CourseDataError(path, f"row {number}", f"student id {student!r} appears twice")
        ids.append(student)
    if not ids:
        raise CourseDataError(path, "", "the roster has no student ids")
    return ids


def apply(source: Any, params: dict[str, Any], path: Path | str = "") -> Any:
    """``source`` with each ``NAME = ...`` line of its code cells set to the variant's value.

    Every name must be assigned exactly once, at the start of a line of a locked code cell (the
    student's numbers) or of a solution (the model answer that fits them, which the student's
    version replaces with a stub), so a variant cannot silently leave a number unchanged. Test
    cells are never changed.
    """
    nb = copy.deepcopy(source)
    found = dict.fromkeys(params, 0)
    for cell in nb.cells:
        if cell.cell_type != "code" or markup.is_test(cell):
            continue
        lines = markup.source(cell).split("\n")
        for index, line in enumerate(lines):
            match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)", line)
            if match and match.group(1) in params:
                found[match.group(1)] += 1
                lines[index] = f"{match.group(1)} = {params[match.group(1)]!r}"
        cell.source = "\n".join(lines)
    wrong = [name for name, count in found.items() if count != 1]
    if wrong:
        raise CourseDataError(path, "variant", f"each variant name must be assigned once, on one line, in a locked "
                              f"code cell or a solution; not so for {', '.join(wrong)}")
    return nb


def shuffle_options(notebook: Any, grade_id: str, order: list[int]) -> None:
    """Show the options of the Markdown question ``grade_id`` in ``order``, lettered afresh.

    ``order[i]`` is the option (0 for the source's ``a)``) shown as letter i, so each student can
    get the options of a question in an order of their own; the question stays the same.
    Raises ValueError when the cell is missing or its options do not match ``order``.
    """
    cell = next((c for c in notebook.cells if markup.grade_id(c) == grade_id and c.cell_type == "markdown"), None)
    if cell is None:
        raise ValueError(f"no Markdown cell {grade_id!r} to shuffle the options of")
    lines = markup.source(cell).split("\n")
    starts = [i for i, line in enumerate(lines) if OPTION.match(line)]
    if sorted(order) != list(range(len(starts))) or not starts:
        raise ValueError(f"cell {grade_id!r} has {len(starts)} options ('- a) ...' lines); the order {order} "
                         "does not fit them")
    end = starts[-1] + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    blocks = [lines[a:b] for a, b in zip(starts, [*starts[1:], end], strict=True)]
    if any(not line.startswith("  ") for block in blocks for line in block[1:]):
        raise ValueError(f"cell {grade_id!r}: the options must follow each other (continued by indented lines)")
    shown: list[str] = []
    for letter, index in zip(LETTERS, order, strict=False):
        first, *rest = blocks[index]
        shown += [f"- {letter}) {first[OPTION.match(first).end():]}", *rest]  # type: ignore[union-attr]
    cell.source = "\n".join(lines[:starts[0]] + shown + lines[end:])


def carried(notebook: Any) -> str | None:
    """The variant id a notebook says it is (None for a shared release or a stripped file)."""
    meta = notebook.get("metadata", {}).get(METADATA_KEY, {})
    value = meta.get("variant") if isinstance(meta, dict) else None
    return value if isinstance(value, str) and value else None


def stamp(notebook: Any, exercise: str, variant: str) -> None:
    notebook.metadata[METADATA_KEY] = {"exercise": exercise, "variant": variant}
