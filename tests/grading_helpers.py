"""Helpers for the grading tests: build small submissions from an exercise's released version."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import nbformat

from ankl_course.grading import markup
from ankl_course.grading.exercises import Exercise
from ankl_course.grading.release import student_version


def solutions(exercise: Exercise) -> dict[str, str]:
    """grade_id -> the source's answer code (delimiter lines dropped), as a student would write it."""
    out = {}
    for cell in exercise.source.cells:
        if markup.is_solution(cell):
            lines = [line for line in markup.source(cell).split("\n")
                     if markup.BEGIN_SOLUTION not in line and markup.END_SOLUTION not in line]
            out[markup.grade_id(cell)] = "\n".join(lines)
    return out


def released(exercise: Exercise) -> Any:
    return student_version(exercise.source)


def fill(exercise: Exercise, answers: dict[str, str]) -> Any:
    """The student version with the given answer cells replaced by ``answers``."""
    nb = released(exercise)
    for cell in nb.cells:
        gid = markup.grade_id(cell)
        if markup.is_solution(cell) and gid in answers:
            cell.source = answers[gid]
    return nb


def correct(exercise: Exercise) -> Any:
    return fill(exercise, solutions(exercise))


def code_cell(text: str) -> Any:
    """A cell the student added (no nbgrader metadata)."""
    return nbformat.v4.new_code_cell(text)


def markdown_cell(text: str) -> Any:
    return nbformat.v4.new_markdown_cell(text)


def duplicate(cell: Any, text: str) -> Any:
    """A copy of ``cell`` as Jupyter makes it (same nbgrader metadata, new cell id), with ``text``."""
    copied = copy.deepcopy(cell)
    copied.source = text
    copied.id = nbformat.v4.new_code_cell().id
    return copied


def index_of(nb: Any, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if markup.grade_id(c) == grade_id)


def write(folder: Path, student: str, exercise: str, nb_or_bytes: Any) -> Path:
    path = folder / student / f"{exercise}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_bytes, bytes):
        path.write_bytes(nb_or_bytes)
    else:
        nbformat.write(copy.deepcopy(nb_or_bytes), path)
    return path


OLD_NBFORMAT = json.dumps({
    "metadata": {"name": "old"}, "nbformat": 3, "nbformat_minor": 0,
    "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1", "language": "python", "outputs": []}]}],
}).encode()
