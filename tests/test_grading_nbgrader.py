"""Compatibility with real nbgrader: same student version, same scores on ordinary submissions.

Runs ``nbgrader generate_assignment`` and ``nbgrader autograde`` on the exercise sources as they
are (the teacher only tells nbgrader to ignore the grader-side ``checks.py``). Slow by nature:
nbgrader starts a kernel per submission.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import correct, fill, released, solutions, write

from ankl_course.grading import markup, sandbox
from ankl_course.grading.exercises import Exercise, find_exercises
from ankl_course.grading.grader import Grader, Options, collect
from ankl_course.grading.release import release_exercise

SANDBOX = sandbox.probe().available

pytest.importorskip("nbgrader")
pytestmark = pytest.mark.slow

CONFIG = """c = get_config()
c.CourseDirectory.course_id = "ankl"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "checks.py"]
c.ExecutePreprocessor.timeout = 120
"""


def _submissions(name: str, exercise) -> dict[str, object]:
    right = solutions(exercise)
    if name == "ankl_quiz":  # partly correct: two right, two wrong answers
        partial = fill(exercise, {**right, "answer_q1": 'answer_1 = "a"', "answer_q3": "answer_3 = True"})
    else:  # partly correct: the first answer left blank
        first = next(markup.grade_id(c) for c in exercise.source.cells if markup.is_solution(c))
        partial = fill(exercise, {k: v for k, v in right.items() if k != first})
    return {"correct": correct(exercise), "partial": partial, "blank": released(exercise)}


def _nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nbgrader_course")
    (root / "nbgrader_config.py").write_text(CONFIG)
    return root


def _released_alike(course: Path, tmp_path: Path, name: str) -> Exercise:
    """The exercise ``name``, after checking that nbgrader's student version is ours to the byte."""
    exercise = find_exercises()[name]
    shutil.copytree(exercise.folder, course / "source" / name, ignore=shutil.ignore_patterns("__pycache__"))
    _nbgrader(course, "generate_assignment", name, "--force")
    ours = release_exercise(exercise, tmp_path / "release")
    theirs = course / "release" / name / f"{name}.ipynb"
    assert theirs.read_text(encoding="utf-8") == ours.read_text(encoding="utf-8")
    return exercise


@pytest.mark.parametrize("name", ["immunophenotype", "ankl_quiz", "ebv_base_rate"])
def test_nbgrader_agrees_with_ankl_course(course: Path, tmp_path: Path, name: str):
    exercise = _released_alike(course, tmp_path, name)

    cases = _submissions(name, exercise)
    for student, nb in cases.items():
        write(course / "submitted" / student, name, name, nb)
    _nbgrader(course, "autograde", name, "--create", "--force")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="ankl") as book:
        nbgrader_scores = {
            student: {g.name: g.score for nb in book.find_submission(name, student).notebooks for g in nb.grades
                      if g.max_score_gradecell is not None and g.cell_type == "code"}
            for student in cases}
        # the written answers are nbgrader's manually graded cells, with the same points, left for a teacher
        written = {g.name: (g.max_score, g.needs_manual_grade) for nb in book.find_submission(name, "correct").notebooks
                   for g in nb.grades if g.cell_type == "markdown"}
    assert written == {gid: (points, True) for gid, points in exercise.manual_points().items()}

    options = Options(gradebook=tmp_path / "gb.db", feedback_dir=tmp_path / "fb", workers=2,
                      use_sandbox=SANDBOX, isolate=SANDBOX, progress=False)
    submissions, _ = collect([course / "submitted"], {name: exercise})
    submissions = [s for s in submissions if s.exercise == name]
    ours_scores = {o.submission.student: {t.grade_id: t.score for t in o.tasks}
                   for o in Grader({name: exercise}, options).grade(submissions)}
    assert ours_scores == nbgrader_scores
    totals = {student: sum(scores.values()) for student, scores in ours_scores.items()}
    assert totals["correct"] == sum(exercise.test_points().values())
    assert totals["blank"] == 0
    assert 0 < totals["partial"] < totals["correct"]


@pytest.mark.parametrize("name", ["fcs_gating", "kaplan_meier", "competing_risks"])
def test_nbgrader_student_version_matches_for_the_other_exercises(course: Path, tmp_path: Path, name: str):
    _released_alike(course, tmp_path, name)
