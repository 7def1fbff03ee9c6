"""Release: the student version, checked both ways, and the teacher's cycle from the command line."""

from __future__ import annotations

import contextlib
import csv
import json
import shutil

import pytest
from conftest import run_cli

from ankl_course.errors import CourseDataError
from ankl_course.grading import markup, sandbox
from ankl_course.grading.cli import Confinement, verify
from ankl_course.grading.exercises import Exercise, find_exercises
from ankl_course.grading.release import release_exercise, student_version

EXERCISES = find_exercises()
SANDBOX = sandbox.probe().available


def test_there_are_the_six_exercises_the_course_promises():
    assert set(EXERCISES) == {"immunophenotype", "ebv_base_rate", "fcs_gating", "kaplan_meier", "competing_risks",
                              "ankl_quiz"}
    for exercise in EXERCISES.values():
        points = exercise.test_points()
        assert len(points) >= 3 and all(p > 0 for p in points.values()), exercise.name
        assert set(exercise.checks) == set(points)


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_student_version_has_no_solutions_or_hidden_tests(name):
    exercise = EXERCISES[name]
    source_text = json.dumps(exercise.source)
    assert "BEGIN SOLUTION" in source_text and "BEGIN HIDDEN TESTS" in source_text
    nb = student_version(exercise.source)
    text = json.dumps(nb)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "run_checks"):
        assert marker not in text
    for cell in nb.cells:
        if markup.is_solution(cell):
            stub = "raise NotImplementedError()" if cell.cell_type == "code" else "YOUR ANSWER HERE"
            assert stub in markup.source(cell)
            assert cell.metadata["deletable"] is False
        elif markup.is_test(cell):
            assert (cell.metadata["deletable"], cell.metadata["editable"]) == (False, False)
        if markup.grade_id(cell):
            assert cell.metadata.nbgrader["checksum"] == markup.checksum(cell)


def test_release_writes_notebook_and_data_files(tmp_path):
    path = release_exercise(EXERCISES["fcs_gating"], tmp_path)
    assert path == tmp_path / "fcs_gating" / "fcs_gating.ipynb"
    assert sorted(p.name for p in path.parent.iterdir()) == ["blood_sample.fcs", "fcs_gating.ipynb"]
    assert not (path.parent / "checks.py").exists()


@pytest.mark.slow
def test_every_exercise_verifies_both_ways(tmp_path):
    """The source's solutions earn every point; the blank student version earns none."""
    released = {name: release_exercise(ex, tmp_path) for name, ex in EXERCISES.items()}
    assert verify(EXERCISES, released, Confinement(use_sandbox=SANDBOX, isolate=SANDBOX), workers=2) == []


@pytest.mark.slow
def test_teacher_cycle_from_the_command_line(tmp_path):
    release = run_cli("release", "ebv_base_rate", "--out", str(tmp_path / "release"), "--no-verify")
    assert release.returncode == 0, release.stderr
    student_nb = tmp_path / "release" / "ebv_base_rate" / "ebv_base_rate.ipynb"
    (tmp_path / "submitted" / "ada").mkdir(parents=True)
    (tmp_path / "submitted" / "ada" / "ebv_base_rate.ipynb").write_bytes(student_nb.read_bytes())
    (tmp_path / "submitted" / "bob").mkdir()
    (tmp_path / "submitted" / "bob" / "ebv_base_rate.ipynb").write_text("{not json")
    flags = [] if SANDBOX else ["--no-sandbox"]
    grade = run_cli("grade", str(tmp_path / "submitted"), "--gradebook", str(tmp_path / "gb.db"),
                    "--feedback", str(tmp_path / "feedback"), "--quiet", *flags)
    assert grade.returncode == 0, grade.stderr
    assert "ada\tebv_base_rate\t0/3" in grade.stdout
    assert "bob\tebv_base_rate\t0/3\tinvalid\tnot graded: the file is not valid JSON" in grade.stdout
    assert ("sandbox: yes (bubblewrap" if SANDBOX else "WARNING: grading WITHOUT a sandbox") in grade.stderr
    export = run_cli("gradebook", "export", str(tmp_path / "grades.csv"), "--gradebook", str(tmp_path / "gb.db"))
    assert export.returncode == 0, export.stderr
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert {r["student"]: r["status"] for r in rows} == {"ada": "graded", "bob": "invalid"}
    assert (tmp_path / "feedback" / "ada" / "ebv_base_rate.html").exists()


@pytest.mark.slow
def test_missing_gradebook_is_one_clear_line(tmp_path):
    result = run_cli("gradebook", "export", str(tmp_path / "x.csv"), "--gradebook", str(tmp_path / "none.db"))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"ankl-course gradebook: {tmp_path / 'none.db'}: "
                                     "no gradebook here (run 'ankl-course grade' first)")


@pytest.mark.slow
def test_a_killed_run_keeps_what_it_graded_and_resumes(tmp_path):
    """Kill the grader (SIGKILL) while it waits on a slow submission; the rerun grades only the rest."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from conftest import REPO

    exercise = EXERCISES["ebv_base_rate"]
    student_nb = release_exercise(exercise, tmp_path / "release")
    for name in ("a", "b", "d"):
        (tmp_path / "sub" / name).mkdir(parents=True)
        (tmp_path / "sub" / name / "ebv_base_rate.ipynb").write_bytes(student_nb.read_bytes())
    slow = json.loads(student_nb.read_text())
    slow["cells"].insert(1, {"cell_type": "code", "execution_count": None, "id": "slow", "metadata": {},
                             "outputs": [], "source": "import time\ntime.sleep(30)"})
    (tmp_path / "sub" / "c").mkdir()
    (tmp_path / "sub" / "c" / "ebv_base_rate.ipynb").write_text(json.dumps(slow))
    gradebook = tmp_path / "gb.db"
    command = [sys.executable, "-m", "ankl_course", "grade", str(tmp_path / "sub"), "--gradebook", str(gradebook),
               "--feedback", str(tmp_path / "fb"), "--workers", "1", "--quiet", "--cell-timeout", "60",
               "--timeout", "90", *([] if SANDBOX else ["--no-sandbox"])]
    process = subprocess.Popen(command, cwd=REPO, start_new_session=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    graded_before = 0
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and graded_before < 2:
            time.sleep(0.2)
            if gradebook.exists():
                with sqlite3.connect(gradebook) as db, contextlib.suppress(sqlite3.OperationalError):
                    graded_before = db.execute("SELECT COUNT(*) FROM submission").fetchone()[0]
        time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    with sqlite3.connect(gradebook) as db:
        kept = sorted(r[0] for r in db.execute("SELECT student FROM submission"))
    assert kept == ["a", "b"]
    rerun = run_cli("grade", str(tmp_path / "sub"), "--gradebook", str(gradebook), "--feedback", str(tmp_path / "fb"),
                    "--quiet", "--cell-timeout", "1", *([] if SANDBOX else ["--no-sandbox"]))
    assert rerun.returncode == 0, rerun.stderr
    assert "2 submission(s) already in the gradebook were skipped" in rerun.stdout
    assert sorted(line.split("\t")[0] for line in rerun.stdout.splitlines() if "\t" in line) == ["c", "d"]
    with sqlite3.connect(gradebook) as db:
        assert db.execute("SELECT COUNT(*) FROM submission").fetchone()[0] == 4


def test_grader_refuses_to_run_unconfined_without_being_told(monkeypatch):
    import shutil

    from ankl_course.errors import CourseDataError
    from ankl_course.grading import cli

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(CourseDataError, match="'sandbox' is missing: bubblewrap \\(bwrap\\) is not installed.*"
                                              "pass --accept-risk sandbox"):
        cli._confinement(no_sandbox=False, accepted=[])
    assert cli._confinement(no_sandbox=True, accepted=[]) == cli.Confinement(False, False)


def test_each_chapter_ends_by_naming_its_exercises_and_their_time():
    """The last cell of every chapter says what follows; an exercise it names states the same time itself."""
    import re

    from ankl_course.resources import chapter_notebooks

    named: dict[str, str] = {}
    for path in chapter_notebooks():
        last = json.loads(path.read_text(encoding="utf-8"))["cells"][-1]
        text = "".join(last["source"])
        assert last["cell_type"] == "markdown" and text.startswith("## What comes next"), path.name
        for name, minutes in re.findall(r"`(\w+)`, about (\d+) minutes", text):
            if name in EXERCISES:
                intro = "".join(EXERCISES[name].cells[0]["source"])
                assert f"Estimated time: {minutes} minutes" in intro, (path.name, name)
                assert name not in named, f"{name} follows both {named[name]} and {path.stem}"
                named[name] = path.stem
        assert "graded exercise" in text.lower(), path.name
    assert set(named) == set(EXERCISES)


@pytest.mark.parametrize(("edit", "message"), [
    ((', "test_ppv": check_ppv}', "}"), "CHECKS: no check for test cell(s) test_ppv"),
    (('CHECKS = {', 'CHECKS = {"test_extra": check_ppv, '), "CHECKS: no test cell in the notebook for test_extra"),
    (('RUBRICS = {', 'RUBRICS = {"explain_npv": "0 to 2", "extra": "x", '),
     "RUBRICS: no manually graded cell for explain_npv, extra"),
    (('RUBRICS = {\n    "explain_ppv"', 'RUBRICS = {\n    "other"'),
     "RUBRICS: no rubric for written answer(s) explain_ppv"),
])
def test_checks_and_rubrics_name_exactly_the_graded_cells(tmp_path, edit, message):
    """A teacher's checks.py that misses or adds a graded cell is named with what is missing or extra."""
    folder = tmp_path / "ebv_base_rate"
    shutil.copytree(EXERCISES["ebv_base_rate"].folder, folder)
    checks = folder / "checks.py"
    text = checks.read_text(encoding="utf-8")
    assert edit[0] in text
    checks.write_text(text.replace(*edit), encoding="utf-8")
    exercise = Exercise("ebv_base_rate", folder)
    with pytest.raises(CourseDataError) as caught:
        _ = exercise.checks if message.startswith("CHECKS") else exercise.rubrics
    assert str(caught.value) == f"{checks}: {message}"
    assert list(EXERCISES["ebv_base_rate"].checks) == ["test_table", "test_ppv_value", "test_ppv"]  # notebook order
