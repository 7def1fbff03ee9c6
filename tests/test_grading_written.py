"""Written answers scored by the teacher, and per-student variants.

One batch is graded once (module fixture) with a course secret: two students, each with their own
variant of ebv_base_rate solved, a third who handed in the first student's notebook, and a blank one.
The written answers are then scored from the command line (CSV round trip, one at a time) and the
gradebook, its CSV export and the feedback pages are read back.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest
from conftest import run_cli
from grading_helpers import solutions, write

from ankl_course.grading import markup, sandbox
from ankl_course.grading.exercises import find_exercises
from ankl_course.grading.gradebook import Gradebook
from ankl_course.grading.grader import Grader, Options, collect
from ankl_course.grading.release import release_exercise
from ankl_course.grading.variants import carried, variant_id

EX = "ebv_base_rate"
SECRET = b"a-course-secret-for-the-tests-only"
SANDBOX = sandbox.probe().available
SANDBOX_FLAGS = [] if SANDBOX else ["--no-sandbox"]
PPV_ANSWER = "Only about 1 in 50 positives is ill, so this result alone is no diagnosis; more tests follow."


def _released(tmp: Path, student: str) -> Path:
    exercise = find_exercises()[EX]
    return release_exercise(exercise, tmp / "release" / student, variant_id(SECRET, EX, student))


def _solved(path: Path, written: str = PPV_ANSWER) -> nbformat.NotebookNode:
    """A student's released notebook with every answer cell filled in (the written one with ``written``)."""
    nb = nbformat.read(path, as_version=4)
    answers = solutions(find_exercises()[EX])
    for cell in nb.cells:
        if markup.is_manual(cell):
            cell.source = written
        elif markup.is_solution(cell):
            released_text = markup.source(cell)
            cell.source = answers[markup.grade_id(cell)] if "YOUR CODE HERE" in released_text else released_text
    return nb


def _typed(nb: nbformat.NotebookNode, student: str) -> nbformat.NotebookNode:
    """The value answers typed in as numbers (as a student working on paper does), from ``student``'s variant."""
    ref = find_exercises()[EX].reference(variant_id(SECRET, EX, student))
    names = {"table": ("true_positive", "false_positive", "false_negative", "true_negative"),
             "ppv_value": ("ppv_percent",)}
    for cell in nb.cells:
        if markup.grade_id(cell) in names:
            cell.source = "\n".join(f"{n} = {round(getattr(ref, n), 2)}" for n in names[markup.grade_id(cell)])
    return nb


def _options(tmp: Path, secret: bytes | None = SECRET) -> Options:
    return Options(gradebook=tmp / "gb.db", feedback_dir=tmp / "feedback", workers=2, use_sandbox=SANDBOX,
                   isolate=SANDBOX, progress=False, secret=secret, seed=7)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("written")
    exercise = find_exercises()[EX]
    ada, bob = _released(tmp, "ada"), _released(tmp, "bob")
    write(tmp / "submitted", "ada", EX, _solved(ada))
    write(tmp / "submitted", "bob", EX, _solved(bob, "A positive test here is mostly a false alarm."))
    write(tmp / "submitted", "cat", EX, _typed(_solved(ada), "ada"))  # cat hands in ada's notebook
    write(tmp / "submitted", "dan", EX, nbformat.read(_released(tmp, "dan"), as_version=4))  # blank
    submissions, _ = collect([tmp / "submitted"], {EX: exercise})
    outcomes = {o.submission.student: o for o in Grader({EX: exercise}, _options(tmp)).grade(submissions)}
    return tmp, outcomes


def test_two_students_variants_differ_and_are_stamped(tmp_path):
    exercise = find_exercises()[EX]
    ada, bob = (variant_id(SECRET, EX, s) for s in ("ada", "bob"))
    assert ada != bob and variant_id(SECRET, EX, "ada") == ada  # stable for a student, different between them
    assert exercise.variant_params(ada) != exercise.variant_params(bob)
    assert variant_id(b"another-course-secret-000", EX, "ada") != ada
    nb = nbformat.read(_released(tmp_path, "ada"), as_version=4)
    assert carried(nb) == ada
    setup = next(c for c in nb.cells if markup.grade_id(c) == "setup")
    assert f"prevalence = {exercise.variant_params(ada)['prevalence']!r}" in markup.source(setup)


@pytest.mark.slow
def test_each_variant_grades_correctly_against_its_own_numbers(graded):
    _, outcomes = graded
    for student in ("ada", "bob"):
        outcome = outcomes[student]
        assert (outcome.score, outcome.max_score, outcome.flags) == (3, 3, []), outcome.message
        assert outcome.variant == variant_id(SECRET, EX, student)
    assert outcomes["dan"].score == 0  # the blank version of a variant earns nothing


def test_a_variant_graded_against_another_students_numbers_fails():
    """ada's correct answers, judged as bob's variant: the value tasks fail, the formula task still passes."""
    exercise = find_exercises()[EX]
    import numpy as np

    from ankl_course.grading.checks import judge, make_plan

    ada, bob = (exercise.reference(variant_id(SECRET, EX, s)) for s in ("ada", "bob"))
    plan = make_plan(exercise.checks, bob, np.random.default_rng(1))
    answers = []
    for items in plan.expectations.values():
        for item in items:
            if item.probe.kind == "value":
                answers.append({"ok": getattr(ada, item.probe.name)})
            else:
                answers.append({"ok": ada.ppv(*item.probe.args)})
    scores = {t.grade_id: t.score for t in judge(plan, answers, exercise.test_points())}
    assert scores == {"test_table": 0, "test_ppv_value": 0, "test_ppv": 1}


@pytest.mark.slow
def test_a_copied_variant_is_flagged_and_graded_against_the_copiers_own(graded):
    tmp, outcomes = graded
    outcome = outcomes["cat"]
    ada = variant_id(SECRET, EX, "ada")
    assert outcome.variant == variant_id(SECRET, EX, "cat")
    assert len(outcome.flags) == 1 and f"carries variant {ada}" in outcome.flags[0]
    # the locked cell with the numbers is restored as cat's own, so ada's typed values do not fit
    assert {t.grade_id: t.score for t in outcome.tasks} == {"test_table": 0, "test_ppv_value": 0, "test_ppv": 1}
    with Gradebook(tmp / "gb.db") as book:
        row = book.submission("cat", EX)
        assert row["flags"] == outcome.flags[0] and row["variant"] == outcome.variant


@pytest.mark.slow
def test_submissions_with_unscored_written_answers_are_shown_as_such(graded):
    tmp, outcomes = graded
    assert outcomes["ada"].ungraded == 1
    assert [(w.grade_id, w.score, w.comment) for w in outcomes["dan"].written] == [
        ("explain_ppv", 0.0, "no answer written")]
    page = outcomes["ada"].feedback.read_text()
    assert "Written answers: <strong>0 / 2</strong>" in page and "(1 not scored yet by your teacher)" in page
    shown = run_cli("gradebook", "show", "--gradebook", str(tmp / "gb.db"))
    line = next(x for x in shown.stdout.splitlines() if x.startswith("ada\t"))
    assert line == f"ada\t{EX}\t3/5\tgraded\t1 written answer(s) not scored"


@pytest.mark.slow
def test_imported_points_change_the_gradebook_the_csv_and_the_feedback_page(graded, tmp_path):
    tmp, outcomes = graded
    book_path = tmp_path / "gb.db"
    shutil.copy(tmp / "gb.db", book_path)
    sheet = tmp_path / "written.csv"
    done = run_cli("gradebook", "written", "export", str(sheet), "--gradebook", str(book_path))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    assert {r["student"] for r in rows} == {"ada", "bob", "cat"}  # dan's blank answer is already scored 0
    ada = next(r for r in rows if r["student"] == "ada")
    assert ada["answer"] == PPV_ANSWER and "2 points" in ada["rubric"] and ada["points"] == ""
    for row in rows:
        row["points"], row["comment"] = ("2", "clear, with your own numbers") if row["student"] == "ada" else ("", "")
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    done = run_cli("gradebook", "written", "import", str(sheet), "--gradebook", str(book_path))
    assert done.returncode == 0, done.stderr
    assert "scored 1 written answer(s)" in done.stdout
    with Gradebook(book_path) as book:
        (_, _, item), = book.written("ada", EX)
        assert (item.score, item.comment) == (2.0, "clear, with your own numbers")
        assert book.totals(book.submission("ada", EX)) == (5.0, 5.0, 0)
    export = tmp_path / "grades.csv"
    assert run_cli("gradebook", "export", str(export), "--gradebook", str(book_path)).returncode == 0
    grades = {r["student"]: r for r in csv.DictReader(export.open(encoding="utf-8"))}
    assert (grades["ada"]["score"], grades["ada"]["max_score"], grades["ada"]["written_ungraded"]) == ("5", "5", "0")
    assert grades["ada"][f"{EX}:explain_ppv"] == "2" and grades["bob"][f"{EX}:explain_ppv"] == "ungraded"
    page = outcomes["ada"].feedback.read_text()  # the page the grader wrote, rewritten in place
    assert "Written answers: <strong>2 / 2</strong>" in page and "clear, with your own numbers" in page
    assert "not scored yet" not in page


@pytest.mark.slow
def test_one_answer_scored_from_the_command_line(graded, tmp_path):
    tmp, _ = graded
    book_path = tmp_path / "gb.db"
    shutil.copy(tmp / "gb.db", book_path)
    shown = run_cli("gradebook", "written", "show", "--exercise", EX, "--gradebook", str(book_path)).stdout
    assert f"== bob / {EX} / explain_ppv (not scored yet, 2 points)\nrubric: 2 points:" in shown
    assert "answer: A positive test here is mostly a false alarm." in shown and "/ dan /" not in shown
    done = run_cli("gradebook", "written", "score", "bob", EX, "explain_ppv", "1", "--comment", "say what follows",
                   "--gradebook", str(book_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"bob/{EX}/explain_ppv: 1 / 2"
    too_many = run_cli("gradebook", "written", "score", "bob", EX, "explain_ppv", "3", "--gradebook", str(book_path))
    assert too_many.returncode == 1
    assert too_many.stderr.strip().endswith(f"bob/{EX}/explain_ppv: points 3 outside 0 to 2")
    with Gradebook(book_path) as book:
        (_, _, item), = book.written("bob", EX)
        assert (item.score, item.comment) == (1.0, "say what follows")


@pytest.mark.slow
@pytest.mark.parametrize(("change", "problem"), [
    ({"points": "two"}, "row 3: points 'two' is not a number"),
    ({"points": "2.5"}, "row 3: points 2.5 outside 0 to 2"),
    ({"task": "explain_npv"}, "row 3: no written answer 'explain_npv' of student"),
    ({"answer_id": "000000000000"}, "row 3: the student's answer has changed since this sheet was exported"),
])
def test_a_malformed_sheet_is_rejected_with_file_row_and_problem_and_changes_nothing(graded, tmp_path, change,
                                                                                      problem):
    tmp, _ = graded
    book_path = tmp_path / "gb.db"
    shutil.copy(tmp / "gb.db", book_path)
    sheet = tmp_path / "written.csv"
    assert run_cli("gradebook", "written", "export", str(sheet), "--gradebook", str(book_path)).returncode == 0
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    rows.sort(key=lambda r: r["student"])
    rows[0]["points"] = "2"  # a good first row (ada): it must not be imported either
    rows[1].update({"points": "1", **change})  # the bad second row (bob), row 3 of the file
    with sheet.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = sqlite3.connect(book_path).execute("SELECT * FROM written ORDER BY student").fetchall()
    done = run_cli("gradebook", "written", "import", str(sheet), "--gradebook", str(book_path))
    assert done.returncode == 1
    assert done.stderr.startswith(f"ankl-course gradebook: {sheet}: {problem}"), done.stderr
    assert "nothing was imported" in done.stderr
    assert sqlite3.connect(book_path).execute("SELECT * FROM written ORDER BY student").fetchall() == before


@pytest.mark.slow
def test_a_sheet_without_the_points_column_is_rejected(graded, tmp_path):
    tmp, _ = graded
    sheet = tmp_path / "bad.csv"
    sheet.write_text("student,exercise,task\nada,ebv_base_rate,explain_ppv\n", encoding="utf-8")
    done = run_cli("gradebook", "written", "import", str(sheet), "--gradebook", str(tmp / "gb.db"))
    assert done.returncode == 1
    assert f"{sheet}: row 1: missing column(s) points" in done.stderr


@pytest.mark.slow
def test_a_regraded_unchanged_answer_keeps_its_score_and_a_changed_one_waits_again(tmp_path):
    exercise = find_exercises()[EX]
    path = _released(tmp_path, "eve")
    write(tmp_path / "submitted", "eve", EX, _solved(path))
    options = _options(tmp_path)
    submissions, _ = collect([tmp_path / "submitted"], {EX: exercise})
    Grader({EX: exercise}, options).grade(submissions)
    with Gradebook(options.gradebook) as book:
        book.score_written([("eve", EX, "explain_ppv", 1.5, "good")])
    options.regrade = True
    (again,) = Grader({EX: exercise}, options).grade(submissions)
    assert [(w.score, w.comment) for w in again.written] == [(1.5, "good")]
    assert "Written answers: <strong>1.5 / 2</strong>" in again.feedback.read_text()
    write(tmp_path / "submitted", "eve", EX, _solved(path, "A different answer."))
    (changed,) = Grader({EX: exercise}, options).grade(submissions)
    assert [w.score for w in changed.written] == [None]


OLD_SCHEMA = """
CREATE TABLE submission (student TEXT NOT NULL, exercise TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    status TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, message TEXT NOT NULL, seed INTEGER,
    feedback TEXT, graded_at TEXT NOT NULL, PRIMARY KEY (student, exercise));
CREATE TABLE task (student TEXT NOT NULL, exercise TEXT NOT NULL, grade_id TEXT NOT NULL, score REAL NOT NULL,
    max_score REAL NOT NULL, messages TEXT NOT NULL, details TEXT NOT NULL, PRIMARY KEY (student, exercise, grade_id),
    FOREIGN KEY (student, exercise) REFERENCES submission (student, exercise) ON DELETE CASCADE);
CREATE TABLE claim (student TEXT NOT NULL, exercise TEXT NOT NULL, run TEXT NOT NULL, host TEXT NOT NULL,
    pid INTEGER NOT NULL, claimed_at REAL NOT NULL, PRIMARY KEY (student, exercise));
INSERT INTO submission VALUES ('old', 'immunophenotype', 'x.ipynb', 'abc', 'graded', 3, 4, '3 of 3', 1, '', 'then');
INSERT INTO task VALUES ('old', 'immunophenotype', 'test_classify', 2, 2, '', '');
"""


def test_a_gradebook_from_before_written_answers_and_variants_still_opens(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(OLD_SCHEMA)
    db.close()
    with Gradebook(path) as book:
        (row,) = book.rows()
        assert (row["student"], row["score"], row["variant"], row["flags"]) == ("old", 3, None, "")
        assert book.tasks("old", "immunophenotype") == {"test_classify": (2, 2)}
        assert book.totals(row) == (3, 4, 0)
        book.export_csv(tmp_path / "old.csv")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (2,)
    grades = list(csv.DictReader((tmp_path / "old.csv").open(encoding="utf-8")))
    assert (grades[0]["score"], grades[0]["written_ungraded"], grades[0]["variant"]) == ("3", "0", "")


@pytest.mark.slow
def test_release_with_a_roster_checks_every_variant_both_ways(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name\nada,Ada L.\nbob,Bob K.\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    # every course exercise has variants now: a copy of one without its variant() stands for a teacher's own
    source = tmp_path / "source"
    for name in (EX, "immunophenotype"):
        shutil.copytree(find_exercises()[name].folder, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    checks = source / "immunophenotype" / "checks.py"
    checks.write_text(checks.read_text().replace("def variant(rng):", "def no_variant(rng):"))
    done = run_cli("release", EX, "immunophenotype", "--source", str(source), "--roster", str(roster), "--secret",
                   str(secret), "--out", str(tmp_path / "release"), "--workers", "2", *SANDBOX_FLAGS, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"released {EX}: 2 variants" in done.stdout
    assert "released immunophenotype (one shared version: it has no variants)" in done.stdout
    assert "verified 2 exercise(s) and 2 student variant(s)" in done.stdout
    key = secret.read_text().strip().encode()
    for student in ("ada", "bob"):
        nb = nbformat.read(tmp_path / "release" / student / EX / f"{EX}.ipynb", as_version=4)
        assert carried(nb) == variant_id(key, EX, student)


@pytest.mark.slow
def test_a_roster_with_a_bad_id_names_its_row(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nada\nbob smith\n", encoding="utf-8")
    done = run_cli("release", EX, "--roster", str(roster), "--secret", str(tmp_path / "s.txt"), "--out",
                   str(tmp_path / "r"), "--no-verify")
    assert done.returncode == 1
    assert f"{roster}: row 3: student id 'bob smith' is not usable as a folder name" in done.stderr


@pytest.mark.slow
def test_the_student_sees_the_written_score_and_comment_on_the_feedback_page(graded, tmp_path):
    """In Chromium: before scoring the answer shows as not scored yet; after an import, points and comment."""
    from exports_helpers import launched_chromium, open_context

    tmp, outcomes = graded
    page_file = tmp_path / "bob.html"
    shutil.copy(outcomes["bob"].feedback, page_file)
    from ankl_course.grading import feedback

    feedback.update_written(page_file, outcomes["bob"].written)  # as graded (another test scores bob's copy)
    book_path = tmp_path / "gb.db"
    shutil.copy(tmp / "gb.db", book_path)
    con = sqlite3.connect(book_path)  # this copy's page is the one to rewrite
    con.execute("UPDATE submission SET feedback = ? WHERE student = 'bob'", (str(page_file),))
    con.commit()
    con.close()
    for browser in launched_chromium():
        context, visit = open_context(browser)
        page = context.new_page()
        page.goto(page_file.as_uri())
        row = page.locator("table").first.locator("tr").nth(1)
        assert "not scored yet" in row.inner_text()
        assert "A positive test here is mostly a false alarm." in row.inner_text()
        with Gradebook(book_path) as book:
            from ankl_course.grading import written

            written.apply(book, [written.Score("bob", EX, "explain_ppv", 1.0, "Use your own number <b>too</b>.")])
        page.reload()
        row = page.locator("table").first.locator("tr").nth(1)
        assert row.locator("td").nth(1).inner_text() == "1 / 2"
        assert row.locator("td").nth(3).inner_text() == "Use your own number <b>too</b>."  # escaped, shown as text
        assert page.locator("p", has_text="Written answers:").inner_text() == "Written answers: 1 / 2"
        assert visit.errors == [] and visit.blocked == []
        context.close()


def test_a_variant_name_not_assigned_once_in_a_locked_cell_is_an_error_naming_the_notebook():
    from ankl_course.errors import CourseDataError
    from ankl_course.grading.variants import apply

    exercise = find_exercises()[EX]
    with pytest.raises(CourseDataError) as caught:
        apply(exercise.source, {"prevalence": 0.01, "no_such_number": 3}, exercise.notebook_path)
    assert str(caught.value) == (f"{exercise.notebook_path}: variant: each variant name must be assigned once, on one "
                                 "line, in a locked code cell or a solution; not so for no_such_number")
    changed = apply(exercise.source, {"prevalence": 0.01}, exercise.notebook_path)
    setup = next(c for c in changed.cells if markup.grade_id(c) == "setup")
    assert "prevalence = 0.01" in markup.source(setup)
    assert "prevalence = 0.002" in markup.source(exercise.source.cells[1])  # the source itself is untouched


@pytest.mark.slow
def test_a_variant_graded_without_the_course_secret_is_flagged(tmp_path):
    exercise = find_exercises()[EX]
    write(tmp_path / "submitted", "ada", EX, _solved(_released(tmp_path, "ada")))
    submissions, _ = collect([tmp_path / "submitted"], {EX: exercise})
    (outcome,) = Grader({EX: exercise}, _options(tmp_path, secret=None)).grade(submissions)
    assert outcome.variant is None
    assert outcome.flags == [f"the notebook is a per-student variant ({variant_id(SECRET, EX, 'ada')}) but was "
                             "graded against the shared version: grade with --secret (the course secret of the "
                             "release)"]
