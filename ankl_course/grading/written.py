"""Scoring the written answers from the command line: a CSV round trip, or one answer at a time.

``ankl-course gradebook written export answers.csv`` writes one row per written answer with its
rubric; the teacher fills ``points`` and ``comment`` (in a spreadsheet or an editor) and
``ankl-course gradebook written import answers.csv`` reads them back. The import checks every row
before it changes anything: one bad row (unknown answer, points out of range, an answer the
student changed since the export) rejects the whole file with its row and problem, so a
half-imported sheet never leaves the gradebook in between. Each scored submission's feedback
page is brought up to date.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import CourseDataError
from . import feedback
from .gradebook import Gradebook, WrittenAnswer

COLUMNS = ("student", "exercise", "task", "max_points", "answer_id", "rubric", "answer", "points", "comment")
REQUIRED = ("student", "exercise", "task", "points")


@dataclass(frozen=True)
class Score:
    """One score to set: points (None clears a score) and the teacher's comment."""

    student: str
    exercise: str
    task: str
    points: float | None
    comment: str


def export(book: Gradebook, target: Path, exercise: str | None = None, ungraded_only: bool = False) -> int:
    """Write the written answers (with rubric, points and comment so far) as CSV; returns the row count."""
    rows = book.written(exercise=exercise, ungraded_only=ungraded_only)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for student, name, item in rows:
            writer.writerow([student, name, item.grade_id, f"{item.max_score:g}", item.answer_id, item.rubric,
                             item.answer, "" if item.score is None else f"{item.score:g}", item.comment])
    return len(rows)


def read_scores(book: Gradebook, path: Path) -> list[Score]:
    """The scores in a filled-in CSV, every row checked against the gradebook; the first problem raises."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseDataError(path, "", f"cannot read the file: {exc}") from exc
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise CourseDataError(path, "row 1", f"missing column(s) {', '.join(missing)} (export a sheet with "
                              "'ankl-course gradebook written export' to see the columns)")
    known = {(s, e, w.grade_id): w for s, e, w in book.written()}
    scores: list[Score] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(reader, start=2):
        key = (str(row.get("student") or "").strip(), str(row.get("exercise") or "").strip(),
               str(row.get("task") or "").strip())
        problem = _problem(row, key, known.get(key), seen)
        if problem:
            raise CourseDataError(path, f"row {number}", problem + "; nothing was imported")
        seen[key] = number
        text = str(row.get("points") or "").strip()
        if text:
            scores.append(Score(*key, float(text), str(row.get("comment") or "").strip()))
    return scores


def _problem(row: dict[str, str | None], key: tuple[str, str, str], item: WrittenAnswer | None,
             seen: dict[tuple[str, str, str], int]) -> str:
    if None in row:
        return "more fields than columns (a comment with a comma needs quotes)"
    if item is None:
        return f"no written answer '{key[2]}' of student '{key[0]}' in exercise '{key[1]}' in the gradebook"
    if key in seen:
        return f"the same answer is scored twice (first in row {seen[key]})"
    expected_id = str(row.get("answer_id") or "").strip()
    if expected_id and expected_id != item.answer_id:
        return "the student's answer has changed since this sheet was exported (graded again?): export it again"
    text = str(row.get("points") or "").strip()
    if not text:
        return ""
    try:
        points = float(text)
    except ValueError:
        return f"points {text!r} is not a number"
    if not math.isfinite(points) or points < 0 or points > item.max_score:
        return f"points {text} outside 0 to {item.max_score:g}"
    return ""


def apply(book: Gradebook, scores: list[Score]) -> int:
    """Record ``scores`` in one transaction and refresh the feedback pages they touch; returns how many."""
    book.score_written([(s.student, s.exercise, s.task, s.points, s.comment) for s in scores])
    for student, exercise in dict.fromkeys((s.student, s.exercise) for s in scores):
        refresh_feedback(book, student, exercise)
    return len(scores)


def refresh_feedback(book: Gradebook, student: str, exercise: str) -> None:
    row = book.submission(student, exercise)
    if row is not None and row["feedback"]:
        feedback.update_written(Path(row["feedback"]), [w for _, _, w in book.written(student, exercise)])


def score_one(book: Gradebook, student: str, exercise: str, task: str, points: float, comment: str) -> WrittenAnswer:
    """Score one written answer; unknown answers and points out of range raise CourseDataError."""
    item = next((w for s, e, w in book.written(student, exercise) if w.grade_id == task), None)
    where = f"{student}/{exercise}/{task}"
    if item is None:
        raise CourseDataError(book.path, where, "no such written answer in the gradebook")
    if not math.isfinite(points) or points < 0 or points > item.max_score:
        raise CourseDataError(book.path, where, f"points {points:g} outside 0 to {item.max_score:g}")
    apply(book, [Score(student, exercise, task, points, comment)])
    return item
