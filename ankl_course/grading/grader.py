"""``ankl-course grade``: sanitise, run, judge, record and report a batch of submissions.

The order of work for one submission:

1. read and sanitise it against the exercise source (:mod:`.sanitize`); a file that is
   not a notebook gets a zero and a message, and the batch goes on;
2. build the exercise's hidden checks here, with inputs drawn from a fresh seed each run (:mod:`.checks`);
3. run its code cells (not the test cells) and the probes in a forked child of a warm
   worker, in the sandbox (:mod:`.executor`, :mod:`.worker`, :mod:`.sandbox`);
4. judge the plain-data answers here; if the child crashed or hung in some cell, run it
   once more without that cell so the other tasks still count;
5. commit the result to the gradebook and write the feedback page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import signal
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import feedback, markup
from .checks import Plan, TaskResult, judge, make_plan
from .executor import Limits, Pool, WorkerOptions
from .exercises import Exercise
from .gradebook import Gradebook, SubmissionRow, TaskRow
from .release import student_version
from .sanitize import InvalidSubmission, sanitize

MAX_RETRIES = 2


@dataclass(frozen=True)
class Submission:
    """One file to grade, and whose and which exercise it is."""

    path: Path
    student: str
    exercise: str


@dataclass
class Options:
    gradebook: Path = Path("gradebook.db")
    feedback_dir: Path = Path("feedback")
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    use_sandbox: bool = True
    regrade: bool = False
    show_hidden: bool = False
    seed: int | None = None
    progress: bool = True


@dataclass
class Outcome:
    """What the grader made of one submission (also what the tests look at)."""

    submission: Submission
    status: str
    score: float
    max_score: float
    message: str
    tasks: list[TaskResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    feedback: Path | None = None


@dataclass
class _Pending:
    """A submission between sanitising and judging."""

    submission: Submission
    sha256: str
    exercise: Exercise
    cells: list[Any]
    plan: Plan
    seed: int
    notes: list[str]
    skipped: list[int] = field(default_factory=list)
    skip_names: list[str] = field(default_factory=list)
    outputs: dict[int, list[dict]] = field(default_factory=dict)

    def cells_run(self) -> list[dict[str, Any]]:
        """The code cells the student's process runs: all but the test cells (and skipped ones)."""
        return [{"number": n, "source": markup.source(c)} for n, c in enumerate(self.cells, start=1)
                if c.cell_type == "code" and not markup.is_test(c) and n not in self.skipped]


def identify(path: Path, exercises: dict[str, Exercise]) -> Submission | None:
    """``.../STUDENT/EXERCISE.ipynb`` or nbgrader's ``.../STUDENT/EXERCISE/EXERCISE.ipynb``."""
    if path.stem not in exercises:
        return None
    parent = path.parent
    if parent.name == path.stem and parent.parent.name:
        parent = parent.parent
    return Submission(path, parent.name or "unknown", path.stem)


def collect(paths: list[Path], exercises: dict[str, Exercise]) -> tuple[list[Submission], list[str]]:
    """Every submission under ``paths`` (files or folders), and a message per file skipped."""
    found: list[Submission] = []
    skipped: list[str] = []
    seen: dict[tuple[str, str], Path] = {}
    for path in paths:
        if not path.exists():
            skipped.append(f"{path}: no such file or folder")
            continue
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        for file in files:
            submission = identify(file, exercises)
            if submission is None:
                skipped.append(f"{file}: not named after an exercise ({', '.join(exercises)}); skipped")
            elif (submission.student, submission.exercise) in seen:
                skipped.append(f"{file}: a second file for student '{submission.student}' and exercise "
                               f"'{submission.exercise}' (first: {seen[submission.student, submission.exercise]}); "
                               "skipped: put each student's files in a folder named after the student")
            else:
                seen[submission.student, submission.exercise] = file
                found.append(submission)
    return found, skipped


class Grader:
    """Grades batches with one pool of workers and one gradebook."""

    def __init__(self, exercises: dict[str, Exercise], options: Options) -> None:
        self.exercises = exercises
        self.options = options
        self.run_seed = options.seed if options.seed is not None else secrets.randbits(32)
        self._released: dict[str, dict[str, str]] = {}
        self._plans: dict[str, tuple[int, Plan]] = {}

    def grade(self, submissions: list[Submission]) -> list[Outcome]:
        """Grade ``submissions``; each result is committed to the gradebook as soon as it is known."""
        outcomes: list[Outcome] = []
        with Gradebook(self.options.gradebook) as book:
            todo = []
            for submission in submissions:
                data, sha = _read(submission.path)
                if self.options.regrade or not book.already_graded(submission.student, submission.exercise, sha):
                    todo.append((submission, data, sha))
            if not todo:
                return outcomes
            progress = _Progress(len(todo), self.options.progress)
            preload = tuple(dict.fromkeys(m for s, _, _ in todo for m in self.exercises[s.exercise].preload))
            options = WorkerOptions(use_sandbox=self.options.use_sandbox, hide=self._hidden_paths(), preload=preload)
            with Pool(self.options.workers, options) as pool:
                pool.warm(len(todo))  # workers start while the hidden checks are being built here
                jobs = self._prepared(book, todo, outcomes, progress)
                for attempt in range(MAX_RETRIES + 1):
                    retry = self._round(book, pool, jobs, attempt, progress, outcomes)
                    if not retry:
                        break
                    jobs = ((item, self._job(item)) for item in retry)
            progress.finish()
        return outcomes

    def _prepared(self, book: Gradebook, todo: list[tuple[Submission, bytes | None, str]],
                  outcomes: list[Outcome], progress: _Progress) -> Iterator[tuple[_Pending, dict[str, Any]]]:
        """Jobs to run, one by one; files that cannot be graded are recorded on the way."""
        for submission, data, sha in todo:
            prepared = self._prepare(submission, data, sha)
            if isinstance(prepared, Outcome):
                self._record(book, prepared, sha, None, [], {})
                outcomes.append(prepared)
                progress.step()
            else:
                yield prepared, self._job(prepared)

    # -- preparing -------------------------------------------------------------------------
    def _prepare(self, submission: Submission, data: bytes | None, sha: str) -> _Pending | Outcome:
        exercise = self.exercises[submission.exercise]
        max_score = sum(exercise.test_points().values())
        if data is None:
            return Outcome(submission, "invalid", 0.0, max_score, "the file could not be read")
        try:
            repaired = sanitize(data, exercise.source)
        except InvalidSubmission as exc:
            return Outcome(submission, "invalid", 0.0, max_score, f"not graded: {exc}")
        except Exception as exc:  # noqa: BLE001 - one strange file must not stop the batch
            return Outcome(submission, "invalid", 0.0, max_score,
                           f"not graded: the notebook could not be repaired ({type(exc).__name__}: {exc})")
        seed, plan = self._plan(exercise)
        return _Pending(submission, sha, exercise, list(repaired.notebook.cells), plan, seed, repaired.notes)

    def _plan(self, exercise: Exercise) -> tuple[int, Plan]:
        """The hidden checks of ``exercise`` for this run: inputs drawn once per run, from a fresh seed.

        Within a run every submission gets the same inputs (no student can see another's process),
        and the reference answers are computed once, however many submissions there are.
        """
        if exercise.name not in self._plans:
            import numpy as np

            seed = (self.run_seed * 1_000_003 + zlib.crc32(exercise.name.encode())) % 2**63
            self._plans[exercise.name] = seed, make_plan(exercise.checks, exercise.reference(),
                                                         np.random.default_rng(seed))
        return self._plans[exercise.name]

    def _job(self, item: _Pending) -> dict[str, Any]:
        item.outputs = {}
        return {
            "id": f"{item.submission.student}/{item.submission.exercise}",
            "cells": item.cells_run(),
            "probes": item.plan.probes(),
            "files": {k: base64.b64encode(v).decode() for k, v in item.exercise.data_files().items()},
            "probe_files": {k: base64.b64encode(v).decode() for k, v in item.plan.files.items()},
            "skip_names": list(item.skip_names),
            "limits": self.options.limits.as_dict(),
        }

    # -- running ---------------------------------------------------------------------------
    def _round(self, book: Gradebook, pool: Pool, jobs: Iterable[tuple[_Pending, dict[str, Any]]], attempt: int,
               progress: _Progress, outcomes: list[Outcome]) -> list[_Pending]:
        """Run ``jobs`` once; return the submissions to run again without a crashing cell."""
        retry: list[_Pending] = []
        for item, reply in pool.map(jobs):
            answers, why, culprit = self._read_reply(item, reply)
            if culprit is not None and attempt < MAX_RETRIES:
                if isinstance(culprit, int):
                    item.skipped.append(culprit)
                    item.notes.append(f"{why}; the cell was skipped and the rest graded again")
                else:
                    item.skip_names.append(culprit)
                    item.notes.append(f"{why}; {culprit} was not called again and the rest graded again")
                retry.append(item)
                continue
            outcome = self._judge(item, answers, why)
            self._record(book, outcome, item.sha256, item.seed, item.cells, item.outputs)
            outcomes.append(outcome)
            progress.step()
        return retry

    def _read_reply(self, item: _Pending, reply: dict[str, Any]) -> tuple[list[dict] | None, str, int | str | None]:
        """(probe answers, why they are incomplete, what to leave out of a retry: a cell number or a
        function name). Answers are None when the cells did not all run, a shorter list when the
        process died while answering."""
        if "worker_error" in reply:
            last = (str(reply["worker_error"]).strip().splitlines() or ["no reason given"])[-1]
            return None, f"the grader's worker failed ({last})", None
        received: dict[int, dict] = {}
        ran: list[int] = []
        complete = unreadable = False
        for line in str(reply.get("lines", "")).splitlines():
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                unreadable = True
                continue
            if not isinstance(message, dict):
                unreadable = True
            elif isinstance(message.get("cell"), int):
                ran.append(message["cell"])
                outputs = message.get("outputs")
                item.outputs[message["cell"]] = [o for o in outputs if isinstance(o, dict)] \
                    if isinstance(outputs, list) else []
            elif isinstance(message.get("answer"), int) and isinstance(message.get("result"), dict):
                received.setdefault(message["answer"], message["result"])
            elif "probes_done" in message:
                complete = True
        answers = []
        while len(answers) in received:
            answers.append(received[len(answers)])
        probes = item.plan.probes()
        if complete and len(answers) == len(probes):
            return answers, "", None
        expected = [c["number"] for c in item.cells_run()]
        stuck = next((n for n in expected if n not in ran), None)
        culprit: int | str | None = stuck
        if stuck is not None:
            where = f" while running cell {stuck}"
        elif len(answers) < len(probes):
            culprit = probes[len(answers)]["name"]
            where = f" while the grader was calling {culprit}"
        else:
            where = " after running the cells"
        killed, code = reply.get("killed"), reply.get("exit_code")
        if killed == "time":
            why = (f"the notebook did not finish within {self.options.limits.submission_seconds:g} s{where} "
                   "(an endless loop?)")
        elif killed == "output":
            why = f"the notebook produced more output than the grader accepts{where}"
        elif isinstance(code, int) and code < 0:
            why = f"the Python process crashed ({_signal_name(-code)}){where}"
        elif isinstance(code, int) and code != 0:
            why = f"the Python process exited with status {code} (os._exit or sys.exit?){where}"
        elif unreadable:
            why = "the notebook's process sent results the grader cannot read"
        else:
            why = f"the notebook stopped{where}"
        return (answers if stuck is None else None), why, culprit

    def _judge(self, item: _Pending, answers: list[dict] | None, why: str) -> Outcome:
        points = item.exercise.test_points()
        tasks = judge(item.plan, answers, points, unanswered=why)
        score = sum(t.score for t in tasks)
        max_score = sum(points.values())
        status = "graded" if not why else ("timeout" if "did not finish" in why else "crashed")
        passed = sum(1 for t in tasks if t.passed)
        message = f"{passed} of {len(tasks)} tasks passed" + (f"; {why}" if why else "")
        return Outcome(item.submission, status, score, max_score, message, tasks, item.notes)

    # -- recording -------------------------------------------------------------------------
    def _record(self, book: Gradebook, outcome: Outcome, sha: str, seed: int | None, cells: list[Any],
                outputs: dict[int, list[dict]]) -> None:
        sub = outcome.submission
        target = self.options.feedback_dir / _safe(sub.student) / f"{_safe(sub.exercise)}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        notes = outcome.notes + ([outcome.message] if outcome.status != "graded" else [])
        page = feedback.render(sub.student, sub.exercise, outcome.score, outcome.max_score, outcome.tasks, notes,
                               cells, outputs, self._released_tests(sub.exercise), self.options.show_hidden)
        target.write_text(page, encoding="utf-8")
        outcome.feedback = target
        rows = tuple(TaskRow(t.grade_id, t.score, t.max_score, "\n".join(t.messages), "\n".join(t.details))
                     for t in outcome.tasks)
        book.record(SubmissionRow(sub.student, sub.exercise, str(sub.path), sha, outcome.status, outcome.score,
                                  outcome.max_score, outcome.message, seed, str(target), rows))

    def _released_tests(self, name: str) -> dict[str, str]:
        if name not in self._released:
            nb = student_version(self.exercises[name].source)
            self._released[name] = {markup.grade_id(c): markup.source(c) for c in nb.cells if markup.is_test(c)}
        return self._released[name]

    def _hidden_paths(self) -> list[Path]:
        paths = [self.options.gradebook.resolve().parent, self.options.feedback_dir.resolve()]
        paths += [e.folder.resolve().parent for e in self.exercises.values()]
        return paths


class _Progress:
    """A one-line progress bar on stderr (a line per tenth when stderr is not a terminal)."""

    def __init__(self, total: int, enabled: bool, done: int = 0) -> None:
        self.total, self.done, self.enabled = total, done, enabled and total > 0
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()
        self.shown = -1

    def step(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / self.total)
        line = f"grading [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
        if self.tty:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif self.done * 10 // self.total != self.shown:
            self.shown = self.done * 10 // self.total
            print(line, file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.enabled and self.tty:
            print(file=sys.stderr)


def _read(path: Path) -> tuple[bytes | None, str]:
    try:
        data = path.read_bytes()
    except OSError:
        return None, ""
    return data, hashlib.sha256(data).hexdigest()


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "_"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def main(argv: list[str], prog: str) -> int:
    """Entry point of the command (see :mod:`.cli`)."""
    from .cli import grade_main

    return grade_main(argv, prog)
