"""``ankl-course grade``: every submission through one ordered list of named steps.

The pipeline, as nbgrader's converters declare their preprocessors (:data:`STEPS`):

1. **read** the file (and its SHA-256);
2. **claim** the submission in the gradebook, so that two runs on one folder never grade it
   twice, and skip what is already graded (the same file, by its SHA-256);
3. **sanitise** it against the exercise source (:mod:`.sanitize`); a file that is not a notebook
   gets a zero and a message, and the batch goes on;
4. **plan** the exercise's hidden checks, with inputs drawn from a fresh seed each run (:mod:`.checks`);
5. **execute** its code cells (not the test cells) and the probes in a confined child of a warm
   worker (:mod:`.executor`, :mod:`.worker`, :mod:`.confine`, :mod:`.sandbox`); if the child
   crashed or hung in some cell, run it once more without that cell so the other tasks still count;
6. **judge** the plain-data answers here; the status is data (:class:`Status`), never read off a message;
7. **written**: collect the written answers the teacher scores (nbgrader's manually graded cells), each
   with its rubric; a blank one scores zero at once, the others wait for the teacher
   (``ankl-course gradebook written``);
8. **feedback**: write the student's feedback page;
9. **record** the result in the gradebook in one transaction (a lock held by another program is
   waited for, then reported for this submission; the batch goes on).
"""

from __future__ import annotations

import base64
import enum
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

import numpy as np

from . import feedback, markup, protocol
from .checks import Plan, TaskResult, judge, make_plan
from .executor import Execution, Limits, Pool, WorkerOptions
from .exercises import Exercise
from .gradebook import Gradebook, GradebookBusy, SubmissionRow, TaskRow, WrittenAnswer
from .release import student_version
from .sanitize import InvalidSubmission, sanitize
from .variants import variant_id

MAX_RETRIES = 2
#: The steps, in order; each is the method ``_<step>`` of :class:`Grader`.
STEPS = ("read", "claim", "sanitise", "plan", "execute", "judge", "written", "feedback", "record")


class Status(enum.StrEnum):
    """What became of a submission, as stored in the gradebook."""

    GRADED = "graded"  # every cell ran and every probe was answered (skipped cells are noted)
    INVALID = "invalid"  # not a notebook the grader can repair: zero, with the reason
    TIMEOUT = "timeout"  # stopped by the wall clock (the worker's or the grader's)
    CRASHED = "crashed"  # the student's process died, exited or flooded its output
    REJECTED = "rejected"  # the worker's reply was not this job's: nothing from it was believed


@dataclass(frozen=True)
class Submission:
    """One file to grade, and whose and which exercise it is."""

    path: Path
    student: str
    exercise: str
    variant_of: str | None = None  # grade against this student's variant (default: the submitter's own)


@dataclass
class Options:
    gradebook: Path = Path("gradebook.db")
    feedback_dir: Path = Path("feedback")
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    use_sandbox: bool = True
    isolate: bool = True
    regrade: bool = False
    show_hidden: bool = False
    seed: int | None = None
    progress: bool = True
    lock_wait: float = 60.0
    secret: bytes | None = None  # the course secret: per-student variants (None: the shared version)


@dataclass
class Outcome:
    """What the grader made of one submission (also what the tests look at)."""

    submission: Submission
    status: Status
    score: float
    max_score: float
    message: str
    tasks: list[TaskResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    feedback: Path | None = None
    recorded: bool = False
    variant: str | None = None
    flags: list[str] = field(default_factory=list)  # for the teacher: e.g. another student's variant
    written: list[WrittenAnswer] = field(default_factory=list)

    @property
    def ungraded(self) -> int:
        """Written answers still waiting for the teacher's score."""
        return sum(1 for w in self.written if w.score is None)


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
    variant: str | None = None
    flags: list[str] = field(default_factory=list)

    def cells_run(self) -> list[protocol.Cell]:
        """The code cells the student's process runs: all but the test cells (and skipped ones)."""
        return [protocol.Cell(number=n, source=markup.source(c)) for n, c in enumerate(self.cells, start=1)
                if c.cell_type == "code" and not markup.is_test(c) and n not in self.skipped]


@dataclass(frozen=True)
class _Verdict:
    """What one execution says: the answers (None when the cells did not all run), and what went wrong."""

    answers: list[dict] | None
    status: Status
    why: str = ""
    culprit: int | str | None = None  # a cell number or a function name to leave out of a retry


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
        self.skipped: list[str] = []  # "student/exercise: why" for each submission not graded by this run
        self.warnings: list[str] = []

    def grade(self, submissions: list[Submission]) -> list[Outcome]:
        """Grade ``submissions``; each result is committed to the gradebook as soon as it is known."""
        outcomes: list[Outcome] = []
        with Gradebook(self.options.gradebook, self.options.lock_wait) as book:
            try:
                self._grade(book, submissions, outcomes)
            finally:
                try:
                    book.release_claims()
                except GradebookBusy as exc:
                    self.warnings.append(f"{exc}: this run's claims stay until it has ended")
        return outcomes

    def _grade(self, book: Gradebook, submissions: list[Submission], outcomes: list[Outcome]) -> None:
        todo = [(s, data, sha) for s in submissions for data, sha in [self._read(s)] if self._claim(book, s, sha)]
        if todo:
            self._run(book, todo, outcomes)

    def _run(self, book: Gradebook, todo: list[tuple[Submission, bytes | None, str]], outcomes: list[Outcome]) -> None:
        progress = _Progress(len(todo), self.options.progress)
        preload = tuple(dict.fromkeys(m for s, _, _ in todo for m in self.exercises[s.exercise].preload))
        worker_options = WorkerOptions(use_sandbox=self.options.use_sandbox, isolate=self.options.isolate,
                                       hide=self._hidden_paths(), preload=preload)
        with Pool(self.options.workers, worker_options, self.options.limits) as pool:
            pool.warm(len(todo))  # workers start while the hidden checks are being built here
            jobs = self._prepared(book, todo, outcomes, progress)
            for attempt in range(MAX_RETRIES + 1):
                retry = self._execute(book, pool, jobs, attempt, progress, outcomes)
                if not retry:
                    break
                jobs = ((item, self._job(item)) for item in retry)
            self.warnings += [f"the grading workers could not import {failed}; student code that imports it "
                              "fails" for failed in sorted(pool.preload_failed)]
        progress.finish()

    # -- read, claim, sanitise, plan -------------------------------------------------------
    @staticmethod
    def _read(submission: Submission) -> tuple[bytes | None, str]:
        """The file's bytes and SHA-256 (None and "" when it cannot be read)."""
        try:
            data = submission.path.read_bytes()
        except OSError:
            return None, ""
        return data, hashlib.sha256(data).hexdigest()

    def _claim(self, book: Gradebook, submission: Submission, sha: str) -> bool:
        """Take the submission for this run; False (and why, in :attr:`skipped`) when it is not ours to grade."""
        try:
            why = book.claim(submission.student, submission.exercise, sha, self.options.regrade)
        except GradebookBusy as exc:
            why = f"not graded: {exc}"
        if why:
            self.skipped.append(f"{submission.student}/{submission.exercise}: {why}")
        return not why

    def _prepared(self, book: Gradebook, todo: list[tuple[Submission, bytes | None, str]], outcomes: list[Outcome],
                  progress: _Progress) -> Iterator[tuple[_Pending, protocol.Job]]:
        """Jobs to run, one by one; files that cannot be graded are recorded on the way."""
        for submission, data, sha in todo:
            prepared = self._sanitise(submission, data, sha)
            if isinstance(prepared, Outcome):
                self._written(prepared, [])
                self._record(book, prepared, sha, None, self._feedback(prepared, [], {}))
                outcomes.append(prepared)
                progress.step()
            else:
                yield prepared, self._job(prepared)

    def _variant(self, submission: Submission) -> str | None:
        """The variant this submission is graded against: its owner's, when the course has a secret."""
        exercise = self.exercises[submission.exercise]
        if self.options.secret is None or not exercise.has_variants:
            return None
        return variant_id(self.options.secret, exercise.name, submission.variant_of or submission.student)

    def _sanitise(self, submission: Submission, data: bytes | None, sha: str) -> _Pending | Outcome:
        exercise = self.exercises[submission.exercise]
        max_score = sum(exercise.test_points().values())
        variant = self._variant(submission)
        if data is None:
            return Outcome(submission, Status.INVALID, 0.0, max_score, "the file could not be read", variant=variant)
        try:
            repaired = sanitize(data, exercise.variant_source(variant))
        except InvalidSubmission as exc:
            return Outcome(submission, Status.INVALID, 0.0, max_score, f"not graded: {exc}", variant=variant)
        except Exception as exc:  # noqa: BLE001 - one strange file must not stop the batch
            return Outcome(submission, Status.INVALID, 0.0, max_score,
                           f"not graded: the notebook could not be repaired ({type(exc).__name__}: {exc})",
                           variant=variant)
        flags = []
        if variant is None and repaired.carried_variant is not None and exercise.has_variants:
            flags.append(f"the notebook is a per-student variant ({repaired.carried_variant}) but was graded "
                         "against the shared version: grade with --secret (the course secret of the release)")
        if variant is not None and repaired.carried_variant not in (None, variant):
            flags.append(f"the notebook carries variant {repaired.carried_variant}, not this student's own "
                         f"({variant}): copied from another student? Graded against the student's own variant")
        seed, plan = self._plan(exercise, variant)
        return _Pending(submission, sha, exercise, list(repaired.notebook.cells), plan, seed, repaired.notes,
                        variant=variant, flags=flags)

    def _plan(self, exercise: Exercise, variant: str | None = None) -> tuple[int, Plan]:
        """The hidden checks of ``exercise`` (as ``variant``) for this run: inputs drawn from a fresh seed.

        Within a run every submission of a variant gets the same inputs (no student can see another's
        process), and the reference answers are computed once per variant, however many submissions.
        """
        key = f"{exercise.name}/{variant or ''}"
        if key not in self._plans:
            seed = (self.run_seed * 1_000_003 + zlib.crc32(exercise.name.encode())) % 2**63
            self._plans[key] = seed, make_plan(exercise.checks, exercise.reference(variant),
                                               np.random.default_rng(seed))
        return self._plans[key]

    def _job(self, item: _Pending) -> protocol.Job:
        item.outputs = {}
        return protocol.Job(
            kind="job",
            id=f"{item.submission.student}/{item.submission.exercise}",
            cells=item.cells_run(),
            probes=item.plan.probes(),  # type: ignore[typeddict-item]
            files={k: base64.b64encode(v).decode() for k, v in item.exercise.data_files(item.variant).items()},
            probe_files={k: base64.b64encode(v).decode() for k, v in item.plan.files.items()},
            skip_names=list(item.skip_names),
            limits=self.options.limits.as_message(),
        )

    # -- execute, judge --------------------------------------------------------------------
    def _execute(self, book: Gradebook, pool: Pool, jobs: Iterable[tuple[_Pending, protocol.Job]], attempt: int,
                 progress: _Progress, outcomes: list[Outcome]) -> list[_Pending]:
        """Run ``jobs`` once; return the submissions to run again without a crashing cell."""
        retry: list[_Pending] = []
        for item, execution in pool.map(jobs):
            verdict = self._verdict(item, execution)
            if verdict.culprit is not None and attempt < MAX_RETRIES:
                if isinstance(verdict.culprit, int):
                    item.skipped.append(verdict.culprit)
                    item.notes.append(f"{verdict.why}; the cell was skipped and the rest graded again")
                else:
                    item.skip_names.append(verdict.culprit)
                    item.notes.append(f"{verdict.why}; {verdict.culprit} was not called again and the rest graded "
                                      "again")
                retry.append(item)
                continue
            outcome = self._judge(item, verdict)
            self._written(outcome, item.cells)
            self._record(book, outcome, item.sha256, item.seed, self._feedback(outcome, item.cells, item.outputs))
            outcomes.append(outcome)
            progress.step()
        return retry

    def _verdict(self, item: _Pending, execution: Execution) -> _Verdict:  # the first half of judging
        """Read one execution: the answers, the status, and what to leave out of a retry."""
        if execution.reply is None:
            status = {"timeout": Status.TIMEOUT, "rejected": Status.REJECTED}.get(execution.failure, Status.CRASHED)
            why = execution.message
            if status is Status.TIMEOUT:
                why = (f"the notebook did not finish within {self.options.limits.submission_seconds:g} s "
                       f"({execution.message})")
            return _Verdict(None, status, why)
        reply = execution.reply
        ran, received, complete, unreadable = self._read_lines(item, str(reply.get("lines", "")))
        answers: list[dict] = []
        while len(answers) in received:
            answers.append(received[len(answers)])
        probes = item.plan.probes()
        if complete and len(answers) == len(probes):
            return _Verdict(answers, Status.GRADED)
        stuck = next((c["number"] for c in item.cells_run() if c["number"] not in ran), None)
        culprit: int | str | None = stuck
        if stuck is not None:
            where = f" while running cell {stuck}"
        elif len(answers) < len(probes):
            culprit = probes[len(answers)]["name"]
            where = f" while the grader was calling {culprit}"
        else:
            where = " after running the cells"
        end, code = reply.get("end"), reply.get("exit_code")
        if end == "time":
            status = Status.TIMEOUT
            why = (f"the notebook did not finish within {self.options.limits.submission_seconds:g} s{where} "
                   "(an endless loop?)")
        elif end == "output":
            status, why = Status.CRASHED, f"the notebook produced more output than the grader accepts{where}"
        elif isinstance(code, int) and code < 0:
            status, why = Status.CRASHED, f"the Python process crashed ({_signal_name(-code)}){where}"
        elif isinstance(code, int) and code != 0:
            status, why = Status.CRASHED, f"the Python process exited with status {code} (os._exit or sys.exit?){where}"
        elif unreadable:
            status, why = Status.CRASHED, "the notebook's process sent results the grader cannot read"
        else:
            status, why = Status.CRASHED, f"the notebook stopped{where}"
        return _Verdict(answers if stuck is None else None, status, why, culprit)

    @staticmethod
    def _read_lines(item: _Pending, lines: str) -> tuple[list[int], dict[int, dict], bool, bool]:
        """The student process's own lines (untrusted): cells that ran, answers, whether it finished."""
        received: dict[int, dict] = {}
        ran: list[int] = []
        complete = unreadable = False
        for line in lines.splitlines():
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
        return ran, received, complete, unreadable

    def _judge(self, item: _Pending, verdict: _Verdict) -> Outcome:
        points = item.exercise.test_points()
        tasks = judge(item.plan, verdict.answers, points, unanswered=verdict.why)
        score = sum(t.score for t in tasks)
        passed = sum(1 for t in tasks if t.passed)
        message = f"{passed} of {len(tasks)} tasks passed" + (f"; {verdict.why}" if verdict.why else "")
        return Outcome(item.submission, verdict.status, score, sum(points.values()), message, tasks, item.notes,
                       variant=item.variant, flags=item.flags)

    def _written(self, outcome: Outcome, cells: list[Any]) -> None:
        """The written answers the teacher scores: blank ones get zero now, the rest wait (score None)."""
        exercise = self.exercises[outcome.submission.exercise]
        texts = {markup.grade_id(c): markup.source(c) for c in cells if markup.is_manual(c)}
        rubrics = exercise.rubrics
        for grade_id, points in exercise.manual_points().items():
            text = texts.get(grade_id, "")
            blank = markup.is_blank_answer(text)
            outcome.written.append(WrittenAnswer(grade_id, "" if blank else text.strip(), points,
                                                 rubrics[grade_id], 0.0 if blank else None,
                                                 "no answer written" if blank else ""))

    # -- feedback, record ------------------------------------------------------------------
    def _feedback(self, outcome: Outcome, cells: list[Any], outputs: dict[int, list[dict]]) -> Path:
        """Write the student's feedback page; its path."""
        sub = outcome.submission
        target = self.options.feedback_dir / _safe(sub.student) / f"{_safe(sub.exercise)}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        notes = outcome.notes + ([outcome.message] if outcome.status is not Status.GRADED else [])
        page = feedback.render(sub.student, sub.exercise, outcome.score, outcome.max_score, outcome.tasks, notes,
                               cells, outputs, self._released_tests(sub.exercise), self.options.show_hidden,
                               written=outcome.written)
        target.write_text(page, encoding="utf-8")
        outcome.feedback = target
        return target

    def _record(self, book: Gradebook, outcome: Outcome, sha: str, seed: int | None, page: Path) -> None:
        """Commit the outcome to the gradebook, or say in its message why it could not be recorded."""
        sub = outcome.submission
        rows = tuple(TaskRow(t.grade_id, t.score, t.max_score, "\n".join(t.messages), "\n".join(t.details))
                     for t in outcome.tasks)
        try:
            recorded = book.record(SubmissionRow(sub.student, sub.exercise, str(sub.path), sha, outcome.status.value,
                                      outcome.score, outcome.max_score, outcome.message, seed, str(page), rows,
                                      outcome.variant, "\n".join(outcome.flags), tuple(outcome.written)))
            outcome.recorded = True
            if recorded != outcome.written:  # scores the teacher gave an unchanged answer are kept
                outcome.written = recorded
                feedback.update_written(page, recorded)
        except GradebookBusy as exc:
            outcome.message += f"; NOT RECORDED: {exc} (grade again to record it)"

    def _released_tests(self, name: str) -> dict[str, str]:
        if name not in self._released:
            nb = student_version(self.exercises[name].source)
            self._released[name] = {markup.grade_id(c) or "": markup.source(c) for c in nb.cells if markup.is_test(c)}
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


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "_"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
