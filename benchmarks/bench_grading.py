"""Grading throughput: ankl-course grade vs nbgrader autograde vs plain nbclient, in one run.

50 submissions of one exercise (most correct, a few partly correct or wrong, one blank, one with an
endless loop), all three tools on the same files, on this machine, side by side:

* ``ankl-course grade``: warm workers that fork a confined child per submission, in the bubblewrap
  sandbox when it is available, one worker per core; and the same without the per-submission
  namespaces, to show what that isolation costs;
* ``nbgrader autograde`` on the same sources and submissions (a kernel per submission, one at a time);
* the floor of plain execution: nbclient with a fresh kernel per notebook, two at a time.

The same per-cell time limit applies to all three, so the endless loop costs each the same wait.
Run: ``.venv/bin/python benchmarks/bench_grading.py`` (``--quick`` for 10 submissions, no nbgrader;
``--exercise kaplan_meier`` for one whose workers preload numpy).

``--class-size 500`` instead grades a class of 500 students twice with ``ankl-course grade``: once
all on the shared version, once each on their own variant (``release --roster``), and prints the time
per submission of both (the variants cost a reference run and a plan per student; the goal is within
20% of the shared figure).
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from ankl_course.grading import markup, sandbox
from ankl_course.grading.executor import Limits
from ankl_course.grading.exercises import find_exercises
from ankl_course.grading.grader import Grader, Options, collect
from ankl_course.grading.release import student_version
from ankl_course.grading.variants import stamp, variant_id

SECRET = b"benchmark-course-secret-0123456789"

CELL_SECONDS = 5.0
NBGRADER_CONFIG = f"""c = get_config()
c.CourseDirectory.course_id = "bench"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "checks.py"]
c.ExecutePreprocessor.timeout = {int(CELL_SECONDS)}
"""


def answers(exercise, variant: str | None = None) -> dict[str, str]:
    """grade_id -> the solution code of the source (as ``variant``: its model answers fit that student's numbers)."""
    out = {}
    for cell in exercise.variant_source(variant).cells:
        if markup.is_solution(cell):
            text = markup.source(cell).split("\n")
            out[markup.grade_id(cell)] = "\n".join(
                line for line in text if markup.BEGIN_SOLUTION not in line and markup.END_SOLUTION not in line)
    return out


def submissions(exercise, count: int) -> dict[str, object]:
    """student -> notebook: most correct; some partial or wrong; one blank; one endless loop."""
    right = answers(exercise)
    cells = exercise.source.cells
    ids = [markup.grade_id(c) for c, following in zip(cells, cells[1:], strict=False)  # graded answers only
           if markup.is_solution(c) and c.cell_type == "code" and markup.is_test(following)]
    kinds = {
        "partial": {k: v for k, v in right.items() if k != ids[-1]},
        "wrong": {**right, ids[0]: "pass  # a wrong answer"},
        "blank": {},
        "loop": {**right, ids[-1]: "while True:\n    pass"},
    }
    plan = ["loop", "blank"] + ["partial"] * 3 + ["wrong"] * 3
    plan += ["correct"] * (count - len(plan))
    out = {}
    for number, kind in enumerate(plan[:count]):
        nb = student_version(exercise.source)
        fill = right if kind == "correct" else kinds[kind]
        for cell in nb.cells:
            if markup.is_solution(cell) and markup.grade_id(cell) in fill:
                cell.source = fill[markup.grade_id(cell)]
        out[f"s{number:03d}_{kind}"] = nb
    return out


def solved(exercise, variant: str | None) -> nbformat.NotebookNode:
    """The student version (of ``variant``) with every answer filled in."""
    nb = student_version(exercise.variant_source(variant))
    if variant is not None:
        stamp(nb, exercise.name, variant)
    right = answers(exercise, variant)
    for cell in nb.cells:
        if markup.is_solution(cell) and markup.grade_id(cell) in right:
            cell.source = right[markup.grade_id(cell)]
    return nb


def bench_class(exercise, size: int, use_sandbox: bool, workers: int) -> None:
    """A class of ``size`` students, graded on the shared version and then each on their own variant."""
    times = {}
    for mode in ("shared", "variants"):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for number in range(size):
                student = f"student{number:04d}"
                variant = variant_id(SECRET, exercise.name, student) if mode == "variants" else None
                path = root / "submitted" / student / f"{exercise.name}.ipynb"
                path.parent.mkdir(parents=True)
                nbformat.write(solved(exercise, variant), path)
            fresh = find_exercises()[exercise.name]  # no reference or variant cached from the other mode
            elapsed, scores = bench_ours(root, fresh, use_sandbox, use_sandbox, workers,
                                         SECRET if mode == "variants" else None)
            full = sum(fresh.test_points().values())
            assert all(score == full for score in scores.values()), f"{mode}: not every solved submission passed"
            times[mode] = elapsed
            print(f"{mode:9s} {size} submissions in {elapsed:7.1f} s: {elapsed / size * 1000:7.1f} ms per submission")
    print(f"variants / shared: {times['variants'] / times['shared']:.2f} (goal: at most 1.20); "
          f"load average at the end {os.getloadavg()[0]:.1f}")


def bench_ours(root: Path, exercise, use_sandbox: bool, isolate: bool, workers: int,
               secret: bytes | None = None) -> tuple[float, dict[str, float]]:
    name = f"ours-{int(use_sandbox)}{int(isolate)}"
    options = Options(gradebook=root / f"{name}.db", feedback_dir=root / f"{name}_feedback", workers=workers,
                      limits=Limits(cell_seconds=CELL_SECONDS), use_sandbox=use_sandbox, isolate=isolate,
                      progress=False, secret=secret)
    subs, _ = collect([root / "submitted"], {exercise.name: exercise})
    started = time.perf_counter()
    outcomes = Grader({exercise.name: exercise}, options).grade(subs)
    return time.perf_counter() - started, {o.submission.student: o.score for o in outcomes}


def bench_nbclient(root: Path, paths: list[Path], parallel: int) -> float:
    from nbclient import NotebookClient

    def run(path: Path) -> None:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=CELL_SECONDS, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()

    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(run, paths))
    return time.perf_counter() - started


def bench_nbgrader(root: Path, exercise) -> tuple[float, dict[str, float]]:
    course = root / "nbgrader"
    (course / "source").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    shutil.copytree(exercise.folder, course / "source" / exercise.name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(root / "submitted", course / "submitted")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    run = [sys.executable, "-m", "nbgrader"]
    subprocess.run([*run, "generate_assignment", exercise.name, "--force"], cwd=course, env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    subprocess.run([*run, "autograde", exercise.name, "--create", "--force"], cwd=course, env=env, check=True,
                   capture_output=True)
    elapsed = time.perf_counter() - started
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="bench") as book:
        scores = {s.student_id: s.score for s in book.assignment_submissions(exercise.name)}
    return elapsed, scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--exercise", default="immunophenotype", help="which exercise (default immunophenotype)")
    parser.add_argument("--quick", action="store_true", help="10 submissions, skip nbgrader")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--class-size", type=int, help="grade a class of this size, shared version vs one variant "
                        "per student (use an exercise with variants, e.g. --exercise ebv_base_rate)")
    args = parser.parse_args()
    count = 10 if args.quick else args.count
    exercise = find_exercises()[args.exercise]
    status = sandbox.probe()
    if args.class_size:
        if not exercise.has_variants:
            parser.error(f"{exercise.name} has no variants; try --exercise ebv_base_rate or kaplan_meier")
        print(f"class benchmark: '{exercise.name}', {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
              f"{'sandboxed' if status.available else 'NO sandbox'}, {args.workers} workers")
        bench_class(exercise, args.class_size, status.available, args.workers)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = []
        for student, nb in submissions(exercise, count).items():
            path = root / "submitted" / student / exercise.name / f"{exercise.name}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(copy.deepcopy(nb), path)
            paths.append(path)
        print(f"grading benchmark: {count} submissions of '{exercise.name}' (one endless loop, per-cell limit "
              f"{CELL_SECONDS:g} s), {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        ours, our_scores = bench_ours(root, exercise, status.available, status.available, args.workers)
        label = "every protection" if status.available else "NO sandbox"
        rows = [(f"ankl-course grade ({args.workers} warm workers, {label})", ours)]
        if status.available:  # what per-submission namespaces cost: the same run without them
            plain, _ = bench_ours(root, exercise, True, False, args.workers)
            rows.append(("  the same without per-submission namespaces", plain))
        floor = bench_nbclient(root, paths, parallel=2)
        rows.append(("plain nbclient, fresh kernel each, 2 at a time", floor))
        nbgrader_scores = None
        if not args.quick:
            nbgrader_time, nbgrader_scores = bench_nbgrader(root, exercise)
            rows.append(("nbgrader autograde", nbgrader_time))
        width = max(len(name) for name, _ in rows)
        print(f"{'tool'.ljust(width)}  total s   s/submission   time relative to ankl-course grade")
        for name, seconds in rows:
            print(f"{name.ljust(width)}  {seconds:7.1f}   {seconds / count:12.3f}   {seconds / ours:6.1f}x")
        if nbgrader_scores is not None:
            same = sum(1 for s, v in our_scores.items() if nbgrader_scores.get(s) == v)
            print(f"scores equal to nbgrader's on {same} of {count} submissions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
