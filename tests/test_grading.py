"""Grading: one batch of small submissions, graded once in the sandbox, then each outcome checked.

The batch holds every case the issue names (correct, partial, blank, edited, deleted, moved and
duplicated cells, damaged files, an endless loop, a crash, a fake success message, patched helpers),
so the workers start once for all of them.
"""

from __future__ import annotations

import json
import sqlite3

import nbformat
import pytest
from grading_helpers import (
    OLD_NBFORMAT,
    code_cell,
    correct,
    duplicate,
    fill,
    index_of,
    markdown_cell,
    released,
    solutions,
    write,
)

from ankl_course.grading import markup, sandbox
from ankl_course.grading.executor import Limits
from ankl_course.grading.exercises import find_exercises
from ankl_course.grading.gradebook import Gradebook
from ankl_course.grading.grader import Grader, Options, collect

EX = "immunophenotype"
SANDBOX = sandbox.probe().available


def _cases(exercise) -> dict[str, object]:
    """student name -> submission (notebook or raw bytes)."""
    right = solutions(exercise)
    blank_count = {k: v for k, v in right.items() if k != "cases"}
    cases: dict[str, object] = {
        "correct": correct(exercise),
        "blank": released(exercise),
        "partial": fill(exercise, blank_count),
        "hardcoded": fill(exercise, {**right, "classify": (
            "def classify(profile):\n"
            "    if profile['surface_cd3'] and profile['tcr_clonal']:\n        return 'T-LGL'\n"
            "    return 'ANKL'\n")}),
        "invalid_json": b'{"cells": [ {"cell_type": "code", ',
        "old_nbformat": OLD_NBFORMAT,
        "empty": b"",
    }
    nb = correct(exercise)  # edited: test and locked cells replaced by the student's own code
    for cell in nb.cells:
        if markup.is_test(cell):
            cell.source = "pass  # the student removed the test"
        elif markup.grade_id(cell) == "intro":
            cell.source = "my notes"
    cases["edited"] = nb
    nb = correct(exercise)  # deleted: the count answer and a test cell are gone
    del nb.cells[index_of(nb, "cases")]
    del nb.cells[index_of(nb, "test_classify")]
    cases["deleted"] = nb
    nb = correct(exercise)  # moved: the first answer cell moved to the end, with a scratch cell before it
    cell = nb.cells.pop(index_of(nb, "is_nk_phenotype"))
    nb.cells.append(markdown_cell("scratch"))
    nb.cells.append(cell)
    cases["moved"] = nb
    nb = correct(exercise)  # duplicated: a wrong copy of the classify answer above the right one
    position = index_of(nb, "classify")
    nb.cells.insert(position, duplicate(nb.cells[position], "def classify(profile):\n    return 'normal'"))
    cases["duplicated"] = nb
    cases["endless_loop"] = fill(exercise, {**right, "cases": "while True:\n    pass"})
    cases["stubborn_loop"] = fill(exercise, {**right, "cases": (
        "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass")})
    cases["hung_function"] = fill(exercise, {**right,
                                             "classify": "def classify(profile):\n    while True:\n        pass"})
    damaged = json.loads(nbformat.writes(correct(exercise)))
    damaged["cells"][2]["metadata"] = ["not", "a", "dict"]
    cases["damaged_cell"] = json.dumps(damaged).encode()
    cases["crashing_function"] = fill(exercise, {**right, "classify": "def classify(profile):\n    import os\n"
                                                                       "    os._exit(3)"})
    cases["crash"] = fill(exercise, {**right, "cases": "import os\nos._exit(1)"})
    cases["segfault"] = fill(exercise, {**right, "cases": "import ctypes\nctypes.string_at(0)"})
    cases["memory_hog"] = fill(exercise, {**right, "cases": "hog = bytearray(8 * 1024**3)"})
    fake = released(exercise)
    fake.cells.insert(1, code_cell("print('All tests passed! Score: 4/4')\nprint('\\x1b[32mOK\\x1b[0m')"))
    cases["fake_success"] = fake
    cases["patcher"] = fill(exercise, {
        "is_nk_phenotype": (
            "import builtins, sys, os, json\n"
            "builtins.isinstance = lambda *a: True\n"
            "builtins.AssertionError = type('Never', (Exception,), {})\n"
            "worker = sys.modules['__main__']\n"
            "if hasattr(worker, 'to_plain'):\n"
            "    worker.to_plain = lambda value, depth=0: True\n"
            "json.dumps = lambda *a, **k: '{\"probes\": [' + ','.join(['{\"ok\": \"ANKL\"}'] * 200) + ']}'\n"
            "def is_nk_phenotype(profile):\n    return True\n"),
        "classify": "def classify(profile):\n    return 'ANKL'\n",
        "cases": (
            "import os\n"
            "forged = b'{\"probes\": [' + b','.join([b'{\"ok\": true}'] * 200) + b']}\\n'\n"
            "for fd in range(3, 64):\n"
            "    try:\n        os.write(fd, forged)\n    except OSError:\n        pass\n"
            "def count_diagnoses(profiles):\n    return {'ANKL': len(profiles)}\n"),
    })
    return cases


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("grading")
    exercises = find_exercises()
    exercise = exercises[EX]
    for student, submission in _cases(exercise).items():
        write(root / "submitted", student, EX, submission)
    options = Options(gradebook=root / "gradebook.db", feedback_dir=root / "feedback", workers=2,
                      limits=Limits(cell_seconds=1.0, submission_seconds=6.0, probe_seconds=1.0, memory_mb=512),
                      use_sandbox=SANDBOX, seed=7, progress=False)
    submissions, skipped = collect([root / "submitted"], {EX: exercise})
    assert not skipped
    outcomes = Grader({EX: exercise}, options).grade(submissions)
    return root, options, {o.submission.student: o for o in outcomes}


def _scores(outcome) -> dict[str, float]:
    return {t.grade_id: t.score for t in outcome.tasks}


def _text(outcome) -> str:
    return " | ".join([outcome.message, *outcome.notes, *(m for t in outcome.tasks for m in t.messages)])


@pytest.mark.slow
def test_correct_submission_gets_every_point(graded):
    outcome = graded[2]["correct"]
    assert (outcome.score, outcome.max_score, outcome.status) == (4, 4, "graded")
    assert outcome.notes == []


@pytest.mark.slow
def test_blank_submission_gets_nothing_with_a_reason_per_task(graded):
    outcome = graded[2]["blank"]
    assert outcome.score == 0
    for task in outcome.tasks:
        assert any("not answered yet" in m for m in task.messages), task.messages


@pytest.mark.slow
def test_partly_correct_submission_gets_partial_credit(graded):
    outcome = graded[2]["partial"]
    assert _scores(outcome) == {"test_is_nk_phenotype": 1, "test_classify": 2, "test_cases": 0}
    assert outcome.score == 3


@pytest.mark.slow
def test_answer_hardcoded_for_the_visible_examples_fails_the_hidden_checks(graded):
    outcome = graded[2]["hardcoded"]
    assert _scores(outcome)["test_classify"] == 0
    assert "hidden checks failed" in _text(outcome)


@pytest.mark.slow
def test_edited_locked_and_test_cells_are_restored(graded):
    outcome = graded[2]["edited"]
    assert outcome.score == 4
    assert "locked cell 'test_classify' was edited" in _text(outcome)
    assert "locked cell 'intro' was edited" in _text(outcome)


@pytest.mark.slow
def test_deleted_cells_are_restored(graded):
    outcome = graded[2]["deleted"]
    assert _scores(outcome) == {"test_is_nk_phenotype": 1, "test_classify": 2, "test_cases": 0}
    assert "answer cell 'cases' was deleted; it was restored blank" in _text(outcome)
    assert "cell 'test_classify' was deleted" in _text(outcome)


@pytest.mark.slow
def test_moved_cells_are_put_back_in_order(graded):
    outcome = graded[2]["moved"]
    assert outcome.score == 4
    assert "cells were moved" in _text(outcome)


@pytest.mark.slow
def test_duplicated_cell_ids_keep_the_last_copy(graded):
    outcome = graded[2]["duplicated"]
    assert outcome.score == 4
    assert "cell 'classify' appeared more than once" in _text(outcome)


@pytest.mark.slow
def test_function_that_never_returns_costs_one_wait_and_only_its_own_tasks(graded):
    outcome = graded[2]["hung_function"]
    assert _scores(outcome) == {"test_is_nk_phenotype": 1, "test_classify": 0, "test_cases": 1}
    assert "did not return within 1 s" in _text(outcome)


@pytest.mark.slow
def test_function_that_kills_the_process_when_called_costs_only_its_own_tasks(graded):
    outcome = graded[2]["crashing_function"]
    assert _scores(outcome) == {"test_is_nk_phenotype": 1, "test_classify": 0, "test_cases": 1}
    assert "exited with status 3 (os._exit or sys.exit?) while the grader was calling classify" in _text(outcome)
    assert "an earlier call crashed the Python process" in _text(outcome)


def test_flat_folder_with_two_files_for_one_student_is_refused(tmp_path):
    exercise = find_exercises()[EX]
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        write(tmp_path / name, "x", EX, released(exercise))
    found, skipped = collect([tmp_path / "a" / "x" / f"{EX}.ipynb", tmp_path / "b" / "x" / f"{EX}.ipynb"],
                             {EX: exercise})
    assert len(found) == 1
    assert "a second file for student 'x' and exercise 'immunophenotype'" in skipped[0]


@pytest.mark.slow
@pytest.mark.parametrize(("student", "words"), [
    ("invalid_json", "not valid JSON (line 1"),
    ("damaged_cell", "cell 3 is damaged"),
    ("old_nbformat", "nbformat 3, older than the released exercise"),
    ("empty", "the file is empty"),
])
def test_damaged_files_get_zero_and_a_clear_message(graded, student, words):
    outcome = graded[2][student]
    assert (outcome.score, outcome.status) == (0, "invalid")
    assert outcome.max_score == 4
    assert words in outcome.message


@pytest.mark.slow
def test_endless_loop_is_stopped_and_the_rest_graded(graded):
    outcome = graded[2]["endless_loop"]
    assert _scores(outcome) == {"test_is_nk_phenotype": 1, "test_classify": 2, "test_cases": 0}
    feedback = outcome.feedback.read_text()
    assert "CellTimeout" in feedback and "an endless loop?" in feedback


@pytest.mark.slow
def test_loop_that_ignores_the_cell_alarm_is_killed_by_the_wall_clock(graded):
    outcome = graded[2]["stubborn_loop"]
    assert outcome.score == 3
    assert "did not finish within 6 s while running cell" in _text(outcome)
    assert "the cell was skipped and the rest graded again" in _text(outcome)


@pytest.mark.slow
@pytest.mark.parametrize(("student", "words"), [
    ("crash", "exited with status 1"),
    ("segfault", "crashed (SIGSEGV)"),
])
def test_a_crashing_kernel_does_not_stop_the_batch(graded, student, words):
    outcome = graded[2][student]
    assert outcome.score == 3
    assert words in _text(outcome)


@pytest.mark.slow
def test_memory_limit_turns_into_an_error_in_the_cell(graded):
    outcome = graded[2]["memory_hog"]
    assert outcome.score == 3
    assert "MemoryError" in outcome.feedback.read_text()


@pytest.mark.slow
def test_printed_fake_success_changes_nothing(graded):
    outcome = graded[2]["fake_success"]
    assert outcome.score == 0
    page = outcome.feedback.read_text()
    assert "All tests passed! Score: 4/4" in page  # shown to the teacher, but not believed
    assert "\x1b" not in page


@pytest.mark.slow
def test_patching_builtins_and_helpers_or_forging_results_changes_nothing(graded):
    outcome = graded[2]["patcher"]
    assert outcome.score == 0
    assert all(not t.passed for t in outcome.tasks)


@pytest.mark.slow
def test_every_submission_is_in_the_gradebook_once(graded):
    root, options, outcomes = graded
    with sqlite3.connect(options.gradebook) as db:
        rows = dict(db.execute("SELECT student, score FROM submission").fetchall())
        tasks = db.execute("SELECT COUNT(*) FROM task").fetchone()[0]
    assert rows == {name: o.score for name, o in outcomes.items()}
    assert tasks == 3 * sum(1 for o in outcomes.values() if o.status != "invalid")


@pytest.mark.slow
def test_second_run_skips_graded_files_and_regrades_changed_ones(graded):
    root, options, outcomes = graded
    exercise = find_exercises()[EX]
    write(root / "submitted", "partial", EX, correct(exercise))  # the student handed in again
    submissions, _ = collect([root / "submitted"], {EX: exercise})
    again = Grader({EX: exercise}, options).grade(submissions)
    assert [(o.submission.student, o.score) for o in again] == [("partial", 4)]


@pytest.mark.slow
def test_export_csv_has_a_row_per_submission_and_a_column_per_task(graded, tmp_path):
    root, options, outcomes = graded
    with Gradebook(options.gradebook) as book:
        count = book.export_csv(tmp_path / "grades.csv")
    lines = (tmp_path / "grades.csv").read_text().splitlines()
    assert count == len(outcomes) == len(lines) - 1
    assert lines[0].split(",")[-4:] == [f"{EX}:test_cases", f"{EX}:test_is_nk_phenotype", f"{EX}:test_classify",
                                        f"{EX}:reply_report"]
    blank = next(line for line in lines if line.startswith("blank,"))
    assert blank.split(",")[2:6] == ["0", "6", "graded", "0"]  # the blank written answer scores 0 at once
    correct = next(line for line in lines if line.startswith("correct,"))
    assert correct.split(",")[2:6] == ["4", "6", "graded", "1"]  # 4 of 4 checked, the written answer waits
    assert correct.endswith(",ungraded")


@pytest.mark.slow
def test_feedback_escapes_student_output_and_hides_hidden_details(graded):
    root, options, outcomes = graded
    page = outcomes["hardcoded"].feedback.read_text()
    assert "hidden checks failed" in page
    assert "expected" not in page.split("<h2>Your notebook")[0]  # no expected values in the task table
    assert "run_checks" not in page  # hidden test regions never shown
    fake = outcomes["fake_success"].feedback.read_text()
    assert "<script" not in fake.lower()


@pytest.mark.slow
@pytest.mark.skipif(not SANDBOX, reason="bubblewrap cannot run here")
def test_sandbox_hides_sources_gradebook_network_and_earlier_submissions(graded, tmp_path):
    root, options, _ = graded
    exercise = find_exercises()[EX]
    probe = (
        "import os, socket\n"
        f"print('SOURCE_VISIBLE', os.path.exists({str(exercise.checks_path)!r}))\n"
        f"print('GRADEBOOK_VISIBLE', os.path.exists({str(options.gradebook)!r}))\n"
        f"print('OTHERS_VISIBLE', os.path.exists({str(root / 'submitted')!r}))\n"
        "s = socket.socket()\ns.settimeout(1)\nprint('NETWORK', s.connect_ex(('1.1.1.1', 53)) == 0)\n"
        "print('USER', os.getuid())\n"
        "import glob\nprint('LEFTOVERS', glob.glob('/tmp/**/leak*', recursive=True))\n")
    writer = correct(exercise)  # graded first, in the same worker: leaves files behind
    writer.cells.insert(1, code_cell("for p in ('/tmp/leak.txt', 'leak.txt'):\n    open(p, 'w').write('answers')"))
    nb = correct(exercise)
    nb.cells.insert(1, code_cell(probe))
    paths = [write(tmp_path / "submitted", "a_writer", EX, writer), write(tmp_path / "submitted", "nosy", EX, nb)]
    sub_options = Options(gradebook=tmp_path / "gb.db", feedback_dir=tmp_path / "fb", workers=1,
                          use_sandbox=True, seed=1, progress=False)
    outcomes = Grader({EX: exercise}, sub_options).grade(collect(paths, {EX: exercise})[0])
    outcome = next(o for o in outcomes if o.submission.student == "nosy")
    page = outcome.feedback.read_text()
    for marker in ("SOURCE_VISIBLE False", "GRADEBOOK_VISIBLE False", "OTHERS_VISIBLE False", "NETWORK False",
                   "USER 2000", "LEFTOVERS []"):
        assert marker in page
    assert [o.score for o in outcomes] == [4, 4]


def test_feedback_shows_hidden_details_only_when_the_teacher_asks():
    from ankl_course.grading import feedback
    from ankl_course.grading.checks import TaskResult

    task = TaskResult("test_x", 0.0, 2.0, ("1 of the hidden checks failed",),
                      ("classify({'cd56': 'dim'}): expected 'ANKL', got 'normal'",))
    cell = code_cell("print('<script>alert(1)</script>')")
    outputs = {1: [{"output_type": "stream", "name": "stdout", "text": "<script>alert(1)</script>\n"},
                   {"output_type": "display_data", "data": {"text/html": "<script>x()</script>", "text/plain": "<b>"}}]}
    student_view = feedback.render("<img src=x>", "ex", 0, 2, [task], [], [cell], outputs, {})
    teacher_view = feedback.render("<img src=x>", "ex", 0, 2, [task], [], [cell], outputs, {}, show_hidden=True)
    assert "expected 'ANKL'" not in student_view and "expected &#x27;ANKL&#x27;" in teacher_view
    for page in (student_view, teacher_view):
        assert "<script" not in page and "<img src=x>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sanitize_restores_order_kernelspec_and_keeps_the_students_own_cells():
    from ankl_course.grading.sanitize import sanitize

    exercise = find_exercises()[EX]
    nb = correct(exercise)
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    moved = nb.cells.pop(index_of(nb, "classify"))
    nb.cells.insert(0, code_cell("scratch = 1"))
    nb.cells.append(moved)
    repaired = sanitize(nbformat.writes(nb).encode(), exercise.source)
    assert repaired.notebook.metadata.kernelspec == exercise.source.metadata.kernelspec
    ids = [markup.grade_id(c) for c in repaired.notebook.cells if markup.grade_id(c)]
    assert ids == [markup.grade_id(c) for c in exercise.source.cells]
    assert markup.source(repaired.notebook.cells[0]) == "scratch = 1"
    classify = repaired.notebook.cells[index_of(repaired.notebook, "classify")]
    assert "def classify" in markup.source(classify) and "BEGIN SOLUTION" not in markup.source(classify)
    assert repaired.notes == ["cells were moved; the marked cells were put back in the exercise's order"]
