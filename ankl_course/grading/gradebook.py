"""The gradebook: a SQLite file (standard library ``sqlite3``), one transaction per submission.

Each graded submission is committed on its own, so a run killed half-way keeps
everything it finished, and the next run skips what is already graded (the same
file, by its SHA-256) unless the teacher asks to regrade. A file the student
changed since is graded again. ``ankl-course gradebook export grades.csv`` writes
one row per submission with a column per task.

Two programs may share the file. A lock held by another program is waited for with growing
pauses up to ``lock_wait`` seconds; then :class:`GradebookBusy` is raised for that one operation,
and the grader reports it for that submission and goes on. Two grade runs on one folder do not
grade the same submission twice: each run *claims* a submission (a row in ``claim``) before it
grades it, and skips one that another live run has claimed. A claim whose run has died (same
machine, no such process) or is older than :data:`CLAIM_HOURS` is taken over.
"""

from __future__ import annotations

import csv
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import CourseDataError

#: A claim older than this is taken over even when its run may still be alive elsewhere.
CLAIM_HOURS = 6

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
CREATE TABLE IF NOT EXISTS claim (
    student TEXT NOT NULL,
    exercise TEXT NOT NULL,
    run TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    claimed_at REAL NOT NULL,
    PRIMARY KEY (student, exercise)
);
"""


class GradebookBusy(Exception):
    """Another program held the gradebook locked for longer than we wait."""


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
    status: str  # a grader.Status value: graded | invalid | timeout | crashed | rejected
    score: float
    max_score: float
    message: str
    seed: int | None
    feedback: str
    tasks: tuple[TaskRow, ...]


class Gradebook:
    """A gradebook file; use as a context manager."""

    def __init__(self, path: Path, lock_wait: float = 60.0) -> None:
        self.path = path
        self.lock_wait = lock_wait
        self.run = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are begun explicitly (BEGIN IMMEDIATE), so a claim
            # is checked and written under one write lock.
            self.db = sqlite3.connect(path, timeout=0.05, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA foreign_keys = ON")
            self._retry(lambda: self.db.executescript(SCHEMA))
        except GradebookBusy as exc:
            raise CourseDataError(path, "", f"locked by another program for more than {lock_wait:g} s; nothing "
                                  "was graded (try again later, or pass a longer --lock-wait)") from exc
        except sqlite3.DatabaseError as exc:
            raise CourseDataError(path, "", f"not a usable gradebook: {exc}") from exc

    def _retry(self, action: Callable[[], object]) -> object:
        """Run ``action``; while another program holds the lock, wait (0.05 s doubling to 2 s) up to lock_wait."""
        deadline = time.monotonic() + self.lock_wait
        pause = 0.05
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _is_lock(exc) or time.monotonic() + pause > deadline:
                    if _is_lock(exc):
                        raise GradebookBusy(f"the gradebook {self.path} was locked by another program for "
                                            f"{self.lock_wait:g} s") from exc
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 2.0)

    def _transaction(self, body: Callable[[], object]) -> object:
        """``body`` in one write transaction, retried as a whole while the file is locked."""
        def attempt() -> object:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = body()
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return result

        return self._retry(attempt)

    def claim(self, student: str, exercise: str, sha256: str, regrade: bool) -> str:
        """Take this submission for this run: "" when taken, else why it is not to be graded here."""
        def body() -> str:
            row = self.db.execute("SELECT sha256 FROM submission WHERE student = ? AND exercise = ?",
                                  (student, exercise)).fetchone()
            if not regrade and row is not None and row[0] == sha256:
                return "already graded"
            held = self.db.execute("SELECT run, host, pid, claimed_at FROM claim WHERE student = ? AND exercise = ?",
                                   (student, exercise)).fetchone()
            if held is not None and held[0] != self.run and _alive(held[1], held[2], held[3]):
                return f"being graded by another run (process {held[2]} on {held[1]})"
            self.db.execute("INSERT OR REPLACE INTO claim VALUES (?, ?, ?, ?, ?, ?)",
                            (student, exercise, self.run, socket.gethostname(), os.getpid(), time.time()))
            return ""

        return str(self._transaction(body))

    def release_claims(self) -> None:
        """Give up every claim this run still holds (results it could not record): another run may take them."""
        self._transaction(lambda: self.db.execute("DELETE FROM claim WHERE run = ?", (self.run,)))

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def record(self, row: SubmissionRow) -> None:
        """Replace this student's result for this exercise and drop this run's claim, in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")

        def body() -> None:
            self.db.execute("DELETE FROM task WHERE student = ? AND exercise = ?", (row.student, row.exercise))
            self.db.execute("DELETE FROM claim WHERE student = ? AND exercise = ? AND run = ?",
                            (row.student, row.exercise, self.run))
            self.db.execute(
                "INSERT OR REPLACE INTO submission VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.student, row.exercise, row.path, row.sha256, row.status, row.score, row.max_score,
                 row.message, row.seed, row.feedback, now))
            self.db.executemany(
                "INSERT INTO task VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(row.student, row.exercise, t.grade_id, t.score, t.max_score, t.messages, t.details)
                 for t in row.tasks])

        self._transaction(body)

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
        per_row: list[dict[str, float]] = []
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
            for row, scores in zip(rows, per_row, strict=True):
                writer.writerow([row["student"], row["exercise"], _number(row["score"]), _number(row["max_score"]),
                                 row["status"], row["message"], row["graded_at"],
                                 *(_number(scores[c]) if c in scores else "" for c in task_columns)])
        return len(rows)


def _is_lock(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _alive(host: str, pid: int, claimed_at: float) -> bool:
    """Is the run that made a claim still grading? Known for this machine; trusted for CLAIM_HOURS elsewhere."""
    if time.time() - claimed_at > CLAIM_HOURS * 3600:
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _number(value: float) -> str:
    return f"{value:g}"
