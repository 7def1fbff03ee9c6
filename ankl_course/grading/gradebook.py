"""The gradebook: a SQLite file (standard library ``sqlite3``), one transaction per submission.

Each graded submission is committed on its own, so a run killed half-way keeps
everything it finished, and the next run skips what is already graded (the same
file, by its SHA-256) unless the teacher asks to regrade. A file the student
changed since is graded again. ``ankl-course gradebook export grades.csv`` writes
one row per submission with a column per task.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import CourseDataError

SCHEMA = """
CREATE TABLE IF NOT EXISTS submission (
    student TEXT NOT NULL,
    exercise TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    message TEXT NOT NULL,
    seed INTEGER,
    feedback TEXT,
    graded_at TEXT NOT NULL,
    PRIMARY KEY (student, exercise)
);
CREATE TABLE IF NOT EXISTS task (
    student TEXT NOT NULL,
    exercise TEXT NOT NULL,
    grade_id TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    messages TEXT NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (student, exercise, grade_id),
    FOREIGN KEY (student, exercise) REFERENCES submission (student, exercise) ON DELETE CASCADE
);
"""


@dataclass(frozen=True)
class TaskRow:
    grade_id: str
    score: float
    max_score: float
    messages: str
    details: str


@dataclass(frozen=True)
class SubmissionRow:
    student: str
    exercise: str
    path: str
    sha256: str
    status: str  # graded | invalid | crashed | timeout
    score: float
    max_score: float
    message: str
    seed: int | None
    feedback: str
    tasks: tuple[TaskRow, ...]


class Gradebook:
    """A gradebook file; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise CourseDataError(path, "", f"not a usable gradebook: {exc}") from exc

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def already_graded(self, student: str, exercise: str, sha256: str) -> bool:
        row = self.db.execute("SELECT sha256 FROM submission WHERE student = ? AND exercise = ?",
                              (student, exercise)).fetchone()
        return row is not None and row[0] == sha256

    def record(self, row: SubmissionRow) -> None:
        """Replace this student's result for this exercise, all in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db:
            self.db.execute("DELETE FROM task WHERE student = ? AND exercise = ?", (row.student, row.exercise))
            self.db.execute(
                "INSERT OR REPLACE INTO submission VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.student, row.exercise, row.path, row.sha256, row.status, row.score, row.max_score,
                 row.message, row.seed, row.feedback, now))
            self.db.executemany(
                "INSERT INTO task VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(row.student, row.exercise, t.grade_id, t.score, t.max_score, t.messages, t.details)
                 for t in row.tasks])

    def rows(self) -> list[sqlite3.Row]:
        self.db.row_factory = sqlite3.Row
        try:
            return self.db.execute("SELECT * FROM submission ORDER BY exercise, student").fetchall()
        finally:
            self.db.row_factory = None

    def tasks(self, student: str, exercise: str) -> dict[str, tuple[float, float]]:
        return {gid: (score, max_score) for gid, score, max_score in self.db.execute(
            "SELECT grade_id, score, max_score FROM task WHERE student = ? AND exercise = ? ORDER BY rowid",
            (student, exercise))}

    def export_csv(self, target: Path, exercises: Iterable[str] | None = None) -> int:
        """One row per submission, a score column per task; returns the number of rows."""
        rows = [r for r in self.rows() if exercises is None or r["exercise"] in set(exercises)]
        task_columns: list[str] = []
        per_row = []
        for row in rows:
            tasks = self.tasks(row["student"], row["exercise"])
            for gid in tasks:
                column = f"{row['exercise']}:{gid}"
                if column not in task_columns:
                    task_columns.append(column)
            per_row.append({f"{row['exercise']}:{gid}": score for gid, (score, _) in tasks.items()})
        header = ["student", "exercise", "score", "max_score", "status", "message", "graded_at", *task_columns]
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row, tasks in zip(rows, per_row, strict=True):
                writer.writerow([row["student"], row["exercise"], _number(row["score"]), _number(row["max_score"]),
                                 row["status"], row["message"], row["graded_at"],
                                 *(_number(tasks[c]) if c in tasks else "" for c in task_columns)])
        return len(rows)


def _number(value: float) -> str:
    return f"{value:g}"


def main(argv: list[str], prog: str) -> int:
    """Entry point of the command (see :mod:`.cli`)."""
    from .cli import gradebook_main

    return gradebook_main(argv, prog)
