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
import hashlib
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
CREATE TABLE IF NOT EXISTS written (
    student TEXT NOT NULL,
    exercise TEXT NOT NULL,
    grade_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    rubric TEXT NOT NULL,
    max_score REAL NOT NULL,
    score REAL,
    comment TEXT NOT NULL DEFAULT '',
    scored_at TEXT,
    PRIMARY KEY (student, exercise, grade_id)
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


#: Columns added to ``submission`` after the first release, with their SQL type: a gradebook written
#: by an older version gains them when it is opened (:meth:`Gradebook._migrate`).
ADDED_COLUMNS = {"variant": "TEXT", "flags": "TEXT NOT NULL DEFAULT ''"}
SCHEMA_VERSION = 2
SUBMISSION_COLUMNS = ("student", "exercise", "path", "sha256", "status", "score", "max_score", "message", "seed",
                      "feedback", "graded_at", "variant", "flags")


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
class WrittenAnswer:
    """A written answer the teacher scores (nbgrader's manually graded cell), with its rubric.

    ``score`` is None until the teacher has scored it.
    """

    grade_id: str
    answer: str
    max_score: float
    rubric: str
    score: float | None = None
    comment: str = ""

    @property
    def answer_id(self) -> str:
        """A short fingerprint of the answer: a score given to one text never lands on a changed one."""
        return hashlib.sha256(self.answer.encode("utf-8")).hexdigest()[:12]


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
    variant: str | None = None
    flags: str = ""
    written: tuple[WrittenAnswer, ...] = ()


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
            self._transaction(self._migrate)
        except GradebookBusy as exc:
            raise CourseDataError(path, "", f"locked by another program for more than {lock_wait:g} s; nothing "
                                  "was graded (try again later, or pass a longer --lock-wait)") from exc
        except sqlite3.DatabaseError as exc:
            raise CourseDataError(path, "", f"not a usable gradebook: {exc}") from exc

    def _migrate(self) -> None:
        """Bring a gradebook written by an older version up to date (new columns; new tables come from SCHEMA)."""
        have = {row[1] for row in self.db.execute("PRAGMA table_info(submission)")}
        for column, kind in ADDED_COLUMNS.items():
            if column not in have:
                self.db.execute(f"ALTER TABLE submission ADD COLUMN {column} {kind}")
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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

    def record(self, row: SubmissionRow) -> list[WrittenAnswer]:
        """Replace this student's result for this exercise and drop this run's claim, in one transaction.

        A written answer the teacher already scored keeps its score while its text is unchanged; a
        changed text waits for a new score. Returns the written answers as recorded.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        recorded: list[WrittenAnswer] = []

        def body() -> None:
            recorded.clear()
            recorded.extend(self._record_written(row))
            self.db.execute("DELETE FROM task WHERE student = ? AND exercise = ?", (row.student, row.exercise))
            self.db.execute("DELETE FROM claim WHERE student = ? AND exercise = ? AND run = ?",
                            (row.student, row.exercise, self.run))
            self.db.execute(
                f"INSERT OR REPLACE INTO submission ({', '.join(SUBMISSION_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(SUBMISSION_COLUMNS))})",
                (row.student, row.exercise, row.path, row.sha256, row.status, row.score, row.max_score,
                 row.message, row.seed, row.feedback, now, row.variant, row.flags))
            self.db.executemany(
                "INSERT INTO task VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(row.student, row.exercise, t.grade_id, t.score, t.max_score, t.messages, t.details)
                 for t in row.tasks])

        self._transaction(body)
        return recorded

    def _record_written(self, row: SubmissionRow) -> list[WrittenAnswer]:
        kept = {gid: (answer_id, score, comment) for gid, answer_id, score, comment in self.db.execute(
            "SELECT grade_id, answer_id, score, comment FROM written WHERE student = ? AND exercise = ?",
            (row.student, row.exercise))}
        self.db.execute("DELETE FROM written WHERE student = ? AND exercise = ?", (row.student, row.exercise))
        out = []
        for item in row.written:
            old = kept.get(item.grade_id)
            if item.score is None and old is not None and old[0] == item.answer_id and old[1] is not None:
                item = WrittenAnswer(item.grade_id, item.answer, item.max_score, item.rubric, old[1], old[2])
            self.db.execute("INSERT INTO written VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (row.student, row.exercise, item.grade_id, item.answer, item.answer_id, item.rubric,
                             item.max_score, item.score, item.comment, None))
            out.append(item)
        return out

    def written(self, student: str | None = None, exercise: str | None = None,
                ungraded_only: bool = False) -> list[tuple[str, str, WrittenAnswer]]:
        """(student, exercise, answer) for the written answers, ordered by exercise, task and student."""
        query = "SELECT student, exercise, grade_id, answer, max_score, rubric, score, comment FROM written WHERE 1"
        args: list[str] = []
        for column, wanted in (("student", student), ("exercise", exercise)):
            if wanted is not None:
                query += f" AND {column} = ?"
                args.append(wanted)
        if ungraded_only:
            query += " AND score IS NULL"
        query += " ORDER BY exercise, rowid, student"
        return [(r[0], r[1], WrittenAnswer(r[2], r[3], r[4], r[5], r[6], r[7]))
                for r in self.db.execute(query, args)]

    def score_written(self, scores: list[tuple[str, str, str, float | None, str]]) -> None:
        """Set (student, exercise, grade_id, points or None, comment) for each, all in one transaction."""
        now = datetime.now(UTC).isoformat(timespec="seconds")

        def body() -> None:
            for student, exercise, grade_id, points, comment in scores:
                done = self.db.execute(
                    "UPDATE written SET score = ?, comment = ?, scored_at = ? WHERE student = ? AND exercise = ? "
                    "AND grade_id = ?", (points, comment, now, student, exercise, grade_id))
                if done.rowcount != 1:
                    raise KeyError(f"no written answer {student}/{exercise}/{grade_id}")

        self._transaction(body)

    def submission(self, student: str, exercise: str) -> sqlite3.Row | None:
        self.db.row_factory = sqlite3.Row
        try:
            return self.db.execute("SELECT * FROM submission WHERE student = ? AND exercise = ?",
                                   (student, exercise)).fetchone()
        finally:
            self.db.row_factory = None

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

    def totals(self, row: sqlite3.Row) -> tuple[float, float, int]:
        """A submission's total score and maximum, written answers included, and how many of those are unscored."""
        written = [w for _, _, w in self.written(row["student"], row["exercise"])]
        score = row["score"] + sum(w.score or 0.0 for w in written)
        return score, row["max_score"] + sum(w.max_score for w in written), sum(w.score is None for w in written)

    def export_csv(self, target: Path, exercises: Iterable[str] | None = None) -> int:
        """One row per submission, a score column per task (written answers: the points, or "ungraded")."""
        rows = [r for r in self.rows() if exercises is None or r["exercise"] in set(exercises)]
        task_columns: list[str] = []
        per_row: list[dict[str, str]] = []
        for row in rows:
            tasks = {gid: _number(score) for gid, (score, _) in self.tasks(row["student"], row["exercise"]).items()}
            tasks |= {w.grade_id: "ungraded" if w.score is None else _number(w.score)
                      for _, _, w in self.written(row["student"], row["exercise"])}
            for gid in tasks:
                column = f"{row['exercise']}:{gid}"
                if column not in task_columns:
                    task_columns.append(column)
            per_row.append({f"{row['exercise']}:{gid}": score for gid, score in tasks.items()})
        header = ["student", "exercise", "score", "max_score", "status", "written_ungraded", "message", "graded_at",
                  "variant", "flags", *task_columns]
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row, scores in zip(rows, per_row, strict=True):
                score, max_score, ungraded = self.totals(row)
                writer.writerow([row["student"], row["exercise"], _number(score), _number(max_score),
                                 row["status"], ungraded, row["message"], row["graded_at"], row["variant"] or "",
                                 row["flags"], *(scores.get(c, "") for c in task_columns)])
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
