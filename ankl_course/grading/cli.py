"""The teacher's commands: ``ankl-course release``, ``ankl-course grade``, ``ankl-course gradebook``.

``release`` writes the student versions and verifies each exercise both ways (the
source's solutions earn every point, the blank student version earns none).
``grade`` grades a batch of submissions. ``gradebook export`` writes the grades as CSV.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import CourseDataError
from . import sandbox, written
from .chapter_quiz import chapter_quizzes, get_quiz
from .executor import Limits
from .exercises import Exercise, find_exercises
from .gradebook import Gradebook
from .grader import Grader, Options, Submission, collect
from .release import release_exercise
from .variants import read_roster, read_secret, variant_id

SANDBOX_WARNING = ("WARNING: grading WITHOUT a sandbox (--no-sandbox): student code runs with your rights and can "
                   "read your files and use the network.")


def _exercises(names: list[str], folder: Path | None) -> dict[str, Exercise]:
    found = find_exercises(folder)
    if not found:
        raise CourseDataError(folder or "exercises/", "", "no exercises found (expected NAME/NAME.ipynb folders)")
    unknown = [n for n in names if n not in found]
    if unknown:
        raise CourseDataError(folder or "exercises/", ", ".join(unknown),
                              f"no such exercise (known: {', '.join(found)})")
    return {n: found[n] for n in names} if names else found


@dataclass(frozen=True)
class Confinement:
    """Which protections a grading run uses (see :mod:`.sandbox`)."""

    use_sandbox: bool
    isolate: bool


def _confinement(no_sandbox: bool, accepted: list[str]) -> Confinement:
    """Probe every protection; refuse unless each missing one is accepted by name. Says it all before grading."""
    if no_sandbox:
        print(SANDBOX_WARNING, file=sys.stderr)
        return Confinement(False, False)
    status = sandbox.probe()
    refused = [p for p in status.protections if not p.available and p.name not in accepted and "all" not in accepted]
    if refused:
        lines = "; ".join(f"'{p.name}' is missing: {p.detail}" for p in refused)
        names = " ".join(f"--accept-risk {p.name}" for p in refused)
        raise CourseDataError("sandbox", "", f"{lines}. Refusing to grade: student code could reach what that "
                              f"protection guards. To grade anyway, accepting that risk, pass {names}")
    print(f"protections: {status.message}", file=sys.stderr)
    for name in status.missing:
        print(f"WARNING: grading without the '{name}' protection (accepted with --accept-risk)", file=sys.stderr)
    return Confinement(status.has("sandbox"), status.has("namespaces"))


def _add_confinement_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-sandbox", action="store_true", help="run student code unconfined (warns)")
    parser.add_argument("--accept-risk", action="append", default=[], choices=[*sandbox.PROTECTIONS, "all"],
                        metavar="PROTECTION", help="grade even though this protection is missing here "
                        f"({', '.join(sandbox.PROTECTIONS)}, or all); repeatable")


def verify(exercises: dict[str, Exercise], released: dict[str, Path], confinement: Confinement,
           workers: int, variants: dict[tuple[str, str], Path] | None = None, secret: bytes | None = None) -> list[str]:
    """Problems found grading each source (must score full marks) and release (must score zero).

    With ``variants`` ((student, exercise) -> that student's released notebook) and the course
    ``secret``, each variant is checked both ways: its own solutions earn every point, its blank
    version none.
    """
    import nbformat

    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        subs = []
        for name, exercise in exercises.items():
            if name in released:
                subs.append(Submission(exercise.notebook_path, "__source__", name))
                subs.append(Submission(released[name], "__blank__", name))
        for (student, name), path in (variants or {}).items():
            exercise = exercises[name]
            solved = Path(tmp, "solved", student, f"{name}.ipynb")
            solved.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(exercise.variant_source(variant_id(secret or b"", name, student)), solved)
            subs.append(Submission(solved, f"__source__{student}", name, variant_of=student))
            subs.append(Submission(path, f"__blank__{student}", name, variant_of=student))
        options = Options(gradebook=Path(tmp, "verify.db"), feedback_dir=Path(tmp, "feedback"), workers=workers,
                          use_sandbox=confinement.use_sandbox, isolate=confinement.isolate, progress=False,
                          secret=secret)
        for outcome in Grader(exercises, options).grade(subs):
            name, who = outcome.submission.exercise, outcome.submission.student
            if outcome.submission.variant_of:
                name = f"{name} (variant of {outcome.submission.variant_of})"
                who = "__source__" if who.startswith("__source__") else "__blank__"
            if who == "__source__" and outcome.score != outcome.max_score:
                failed = [f"{t.grade_id}: {'; '.join(t.messages)}" for t in outcome.tasks if not t.passed]
                problems.append(f"{name}: the source's solutions score {outcome.score:g}/{outcome.max_score:g} "
                                f"({outcome.message}; {' | '.join(failed)})")
            if who == "__blank__" and (outcome.score != 0 or any(t.passed for t in outcome.tasks)):
                passed = [t.grade_id for t in outcome.tasks if t.passed]
                problems.append(f"{name}: the blank student version passes {', '.join(passed)}")
            if who == "__source__" and any(not w.answer for w in outcome.written):
                problems.append(f"{name}: a written answer of the source has no model answer")
            if who == "__blank__" and any(w.score != 0 for w in outcome.written):
                problems.append(f"{name}: a written answer of the blank student version is not blank")
    return problems


def release_main(argv: list[str], prog: str = "ankl-course release") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Write the student version of each exercise and "
                                     "check it both ways (solutions pass every test, the blank version none).")
    parser.add_argument("names", nargs="*", help="exercises to release (default: all)")
    parser.add_argument("--out", type=Path, default=Path("release"), help="output folder (default ./release)")
    parser.add_argument("--source", type=Path, help="exercise sources folder (default: the course's)")
    parser.add_argument("--no-verify", action="store_true", help="skip grading the solutions and the blank version")
    parser.add_argument("--quiz", action="append", default=[], metavar="CHAPTER",
                        help="also release the graded quiz of this chapter (e.g. 02_ebv_link), made from its "
                        "question bank; repeatable; with --roster each student gets their own order")
    parser.add_argument("--roster", type=Path, help="CSV of student ids (a 'student' column): one notebook per "
                        "student, OUT/STUDENT/EXERCISE/, with that student's own numbers")
    parser.add_argument("--secret", type=Path, default=Path("course-secret.txt"),
                        help="the course secret variants derive from (created if missing; keep it from students; "
                        "default ./course-secret.txt)")
    _add_confinement_options(parser)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    exercises = _exercises(args.names, args.source) if args.names or not args.quiz else {}
    for chapter in args.quiz:
        quiz = get_quiz(chapter)
        exercises[quiz.name] = quiz
    released: dict[str, Path] = {}
    per_student: dict[tuple[str, str], Path] = {}
    secret = None
    if args.roster is not None:
        students = read_roster(args.roster)
        secret = read_secret(args.secret, create=True)
        for name, exercise in exercises.items():
            if not exercise.has_variants:
                released[name] = release_exercise(exercise, args.out / "shared")
                print(f"released {name} (one shared version: it has no variants) -> {released[name]}")
                continue
            for student in students:
                per_student[student, name] = release_exercise(exercise, args.out / student,
                                                              variant_id(secret, name, student))
            print(f"released {name}: {len(students)} variants -> {args.out}/STUDENT/{name}/")
    else:
        for name, exercise in exercises.items():
            released[name] = release_exercise(exercise, args.out)
            print(f"released {name} -> {released[name]}")
    if args.no_verify:
        return 0
    problems = verify(exercises, released, _confinement(args.no_sandbox, args.accept_risk), args.workers,
                      per_student, secret)
    for problem in problems:
        print(f"{prog}: {problem}", file=sys.stderr)
    if problems:
        return 1
    extra = f" and {len(per_student)} student variant(s)" if per_student else ""
    print(f"verified {len(exercises)} exercise(s){extra}: solutions earn every point, blank versions earn none")
    return 0


def grade_main(argv: list[str], prog: str = "ankl-course grade") -> int:
    defaults = Limits()
    parser = argparse.ArgumentParser(prog=prog, description="Grade submissions: files STUDENT/EXERCISE.ipynb "
                                     "(or nbgrader's STUDENT/EXERCISE/EXERCISE.ipynb), or folders holding them.")
    parser.add_argument("submissions", nargs="+", type=Path)
    parser.add_argument("--gradebook", type=Path, default=Path("gradebook.db"))
    parser.add_argument("--feedback", type=Path, default=Path("feedback"), help="feedback folder (default ./feedback)")
    parser.add_argument("--source", type=Path, help="exercise sources folder (default: the course's)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="default: one per core")
    parser.add_argument("--regrade", action="store_true", help="grade again what the gradebook already has")
    parser.add_argument("--show-hidden", action="store_true", help="put hidden-check details in the feedback")
    _add_confinement_options(parser)
    parser.add_argument("--seed", type=int, help="seed for the hidden checks' inputs (default: fresh each run)")
    parser.add_argument("--secret", type=Path, help="the course secret of a release with --roster: grade each "
                        "submission against its student's own variant")
    parser.add_argument("--cell-timeout", type=float, default=defaults.cell_seconds, help="seconds per cell")
    parser.add_argument("--timeout", type=float, default=defaults.submission_seconds, help="seconds per submission")
    parser.add_argument("--memory", type=int, default=defaults.memory_mb, help="MiB of memory per submission")
    parser.add_argument("--processes", type=int, default=defaults.processes,
                        help="processes and threads per submission")
    parser.add_argument("--lock-wait", type=float, default=60.0,
                        help="seconds to wait for a gradebook locked by another program (default 60)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    exercises = {**find_exercises(args.source), **chapter_quizzes()}
    submissions, skipped = collect(args.submissions, exercises)
    for message in skipped:
        print(f"{prog}: {message}", file=sys.stderr)
    if not submissions:
        print(f"{prog}: nothing to grade", file=sys.stderr)
        return 1
    confinement = _confinement(args.no_sandbox, args.accept_risk)
    limits = Limits(cell_seconds=args.cell_timeout, submission_seconds=args.timeout, memory_mb=args.memory,
                    processes=args.processes)
    options = Options(gradebook=args.gradebook, feedback_dir=args.feedback, workers=args.workers, limits=limits,
                      use_sandbox=confinement.use_sandbox, isolate=confinement.isolate, regrade=args.regrade,
                      show_hidden=args.show_hidden, seed=args.seed, progress=not args.quiet,
                      lock_wait=args.lock_wait, secret=read_secret(args.secret) if args.secret else None)
    grader = Grader(exercises, options)
    outcomes = grader.grade(submissions)
    for warning in grader.warnings:
        print(f"{prog}: WARNING: {warning}", file=sys.stderr)
    for outcome in sorted(outcomes, key=lambda o: (o.submission.exercise, o.submission.student)):
        sub = outcome.submission
        written = f"; {outcome.ungraded} written answer(s) to score" if outcome.ungraded else ""
        print(f"{sub.student}\t{sub.exercise}\t{outcome.score:g}/{outcome.max_score:g}\t{outcome.status}\t"
              f"{outcome.message}{written}")
        for flag in outcome.flags:
            print(f"{prog}: FLAG {sub.student}/{sub.exercise}: {flag}", file=sys.stderr)
    already = [s for s in grader.skipped if s.endswith(": already graded")]
    for message in grader.skipped:
        if not message.endswith(": already graded"):
            print(f"{prog}: skipped {message}", file=sys.stderr)
    if already:
        print(f"{len(already)} submission(s) already in the gradebook were skipped (use --regrade to grade them again)")
    print(f"gradebook: {args.gradebook}; feedback: {args.feedback}/")
    unrecorded = [o for o in outcomes if not o.recorded]
    if unrecorded:
        print(f"{prog}: {len(unrecorded)} result(s) could not be recorded (gradebook locked); grade again to "
              "record them", file=sys.stderr)
    return 1 if unrecorded or len(already) < len(grader.skipped) else 0


def gradebook_main(argv: list[str], prog: str = "ankl-course gradebook") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Show or export the gradebook.")
    sub = parser.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export", help="write the grades as CSV")
    export.add_argument("csv", type=Path)
    export.add_argument("--gradebook", type=Path, default=Path("gradebook.db"))
    show = sub.add_parser("show", help="print the grades")
    show.add_argument("--gradebook", type=Path, default=Path("gradebook.db"))
    written = sub.add_parser("written", help="score the written answers: export a CSV with the rubrics, fill "
                             "points and comments, import it; or score one answer")
    written.add_argument("what", choices=["export", "import", "score", "show"])
    written.add_argument("args", nargs="*", help="export/import: the CSV file; score: STUDENT EXERCISE TASK POINTS")
    written.add_argument("--comment", default="", help="score: the comment the student sees")
    written.add_argument("--exercise", help="export/show: only this exercise")
    written.add_argument("--all", action="store_true", help="export/show: scored answers too (default: unscored)")
    written.add_argument("--gradebook", type=Path, default=Path("gradebook.db"))
    args = parser.parse_args(argv)
    if not args.gradebook.exists():
        raise CourseDataError(args.gradebook, "", "no gradebook here (run 'ankl-course grade' first)")
    with Gradebook(args.gradebook) as book:
        if args.action == "export":
            count = book.export_csv(args.csv)
            print(f"wrote {count} row(s) to {args.csv}")
        elif args.action == "written":
            return _written_main(book, args, parser)
        else:
            for row in book.rows():
                score, max_score, ungraded = book.totals(row)
                waiting = f"\t{ungraded} written answer(s) not scored" if ungraded else ""
                flags = f"\tFLAG: {row['flags']}" if row["flags"] else ""
                print(f"{row['student']}\t{row['exercise']}\t{score:g}/{max_score:g}\t{row['status']}{waiting}{flags}")
    return 0


def _written_main(book: Gradebook, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    expected = {"export": 1, "import": 1, "score": 4, "show": 0}[args.what]
    if len(args.args) != expected:
        parser.error(f"written {args.what} takes {expected} argument(s), got {len(args.args)}")
    if args.what == "export":
        count = written.export(book, Path(args.args[0]), args.exercise, ungraded_only=not args.all)
        print(f"wrote {count} written answer(s) to {args.args[0]}; fill 'points' (and 'comment'), then "
              "'ankl-course gradebook written import' it")
    elif args.what == "import":
        count = written.apply(book, written.read_scores(book, Path(args.args[0])))
        print(f"scored {count} written answer(s); feedback pages updated")
    elif args.what == "score":
        student, exercise, task, text = args.args
        try:
            points = float(text)
        except ValueError:
            parser.error(f"points {text!r} is not a number")
        item = written.score_one(book, student, exercise, task, points, args.comment)
        print(f"{student}/{exercise}/{task}: {points:g} / {item.max_score:g}")
    else:
        for student, exercise, item in book.written(exercise=args.exercise, ungraded_only=not args.all):
            score = (f"not scored yet, {item.max_score:g} points" if item.score is None
                     else f"{item.score:g} of {item.max_score:g}")
            print(f"== {student} / {exercise} / {item.grade_id} ({score})\n"
                  f"rubric: {item.rubric}\nanswer: {item.answer or '(blank)'}\n")
    return 0
