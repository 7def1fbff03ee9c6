"""Per-student variants of fcs_gating, immunophenotype and ankl_quiz, graded for real.

One batch per module (sandboxed grader, course secret): for each exercise, two students hand in
their own variant solved, a third hands in the first student's notebook with its value answers
typed in (as copied from a classmate), and a fourth hands in the blank release. The typed values
are the answers a student works out by hand: a count, four labels, letters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from grading_helpers import solutions, write

from ankl_course import facts
from ankl_course.errors import CourseDataError
from ankl_course.grading import markup, sandbox, variants
from ankl_course.grading.checks import FileArg, judge, make_plan
from ankl_course.grading.exercises import Exercise, find_exercises
from ankl_course.grading.grader import Grader, Options, Submission, collect
from ankl_course.grading.release import release_exercise
from ankl_course.grading.variants import carried, variant_id

SECRET = b"a-course-secret-for-the-tests-only"
SANDBOX = sandbox.probe().available
EXERCISES = find_exercises()

#: exercise -> answer cell -> the value names a student types in that cell (the answers that differ per student)
TYPED: dict[str, dict[str, tuple[str, ...]]] = {
    "fcs_gating": {"events": ("events_in_sample",)},
    "immunophenotype": {"cases": ("patient_a", "patient_b", "patient_c", "patient_d")},
    "ankl_quiz": {"answer_q1": ("answer_1",), "answer_q2": ("answer_2",), "answer_q3": ("answer_3",),
                  "answer_q4": ("answer_4",)},
}
#: exercise -> (full marks, what the copied notebook earns against the copier's own variant)
COPIED_SCORES: dict[str, dict[str, int]] = {
    "fcs_gating": {"test_events": 0, "test_lymphoid_share": 1, "test_bright_nk_share": 2},  # the code still works
    "immunophenotype": {"test_cases": 0, "test_is_nk_phenotype": 1, "test_classify": 2},
    "ankl_quiz": {"test_q1": 0, "test_q2": 0, "test_q3": 1, "test_q4": 0},  # true/false is the same for all
}


def _variant(name: str, student: str) -> str:
    return variant_id(SECRET, name, student)


def _ref(name: str, student: str) -> Any:
    return EXERCISES[name].reference(_variant(name, student))


def _typed(name: str, nb: Any, student: str) -> Any:
    """``nb`` with the value answers typed in as ``student``'s own variant has them."""
    ref = _ref(name, student)
    for cell in nb.cells:
        names = TYPED[name].get(markup.grade_id(cell) or "")
        if names:
            cell.source = "\n".join(f"{n} = {getattr(ref, n)!r}" for n in names)
    return nb


def _solved(name: str, path: Path, student: str) -> Any:
    """The released notebook at ``path`` with every answer filled in, value answers from ``student``'s variant."""
    nb = nbformat.read(path, as_version=4)
    answers = solutions(EXERCISES[name])
    for cell in nb.cells:
        if markup.is_manual(cell):
            cell.source = "A written answer."
        elif markup.is_solution(cell):
            cell.source = answers[markup.grade_id(cell) or ""]
    return _typed(name, nb, student)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Any]:
    tmp = tmp_path_factory.mktemp("variants")
    for name, exercise in ((n, EXERCISES[n]) for n in TYPED):
        paths = {s: release_exercise(exercise, tmp / "release" / s, _variant(name, s)) for s in ("ada", "bob", "dan")}
        write(tmp / "submitted", "ada", name, _solved(name, paths["ada"], "ada"))
        write(tmp / "submitted", "bob", name, _solved(name, paths["bob"], "bob"))
        write(tmp / "submitted", "cal", name, _solved(name, paths["ada"], "ada"))  # cal hands in ada's notebook
        write(tmp / "submitted", "dan", name, nbformat.read(paths["dan"], as_version=4))  # blank
    chosen = {n: EXERCISES[n] for n in TYPED}
    submissions, _ = collect([tmp / "submitted"], chosen)
    options = Options(gradebook=tmp / "gb.db", feedback_dir=tmp / "feedback", workers=2, use_sandbox=SANDBOX,
                      isolate=SANDBOX, progress=False, secret=SECRET, seed=11)
    return {(o.submission.exercise, o.submission.student): o for o in Grader(chosen, options).grade(submissions)}


@pytest.mark.parametrize("name", sorted(TYPED))
def test_two_students_get_different_variants_of_the_same_shape(name, tmp_path):
    exercise = EXERCISES[name]
    ada, bob = (_variant(name, s) for s in ("ada", "bob"))
    assert exercise.has_variants and exercise.variant_params(ada) != exercise.variant_params(bob)
    assert exercise.variant_params(ada) == exercise.variant_params(_variant(name, "ada"))  # stable per student
    released = {s: nbformat.read(release_exercise(exercise, tmp_path / s, _variant(name, s)), as_version=4)
                for s in ("ada", "bob")}
    assert carried(released["ada"]) == ada
    shared = release_exercise(exercise, tmp_path / "shared")
    shape = [(c.cell_type, markup.grade_id(c), c.metadata.get("editable")) for c in nbformat.read(shared, 4).cells]
    for nb in released.values():  # the same cells, locked the same way, as the shared release
        assert [(c.cell_type, markup.grade_id(c), c.metadata.get("editable")) for c in nb.cells] == shape
    # and the value answers differ between the two students
    ada_answers, bob_answers = ([getattr(_ref(name, s), n) for names in TYPED[name].values() for n in names]
                                for s in ("ada", "bob"))
    assert ada_answers != bob_answers


def test_fcs_gating_variant_is_a_sample_file_of_the_students_own():
    exercise = EXERCISES["fcs_gating"]
    shared = exercise.data_files()
    ada, bob = (exercise.data_files(_variant("fcs_gating", s)) for s in ("ada", "bob"))
    assert set(ada) == set(bob) == set(shared) == {"blood_sample.fcs"}
    assert len({ada["blood_sample.fcs"], bob["blood_sample.fcs"], shared["blood_sample.fcs"]}) == 3
    # the notebook itself is the shared one: only the file differs
    assert exercise.variant_source(_variant("fcs_gating", "ada")).cells == exercise.source.cells
    params = exercise.variant_params(_variant("fcs_gating", "ada"))
    assert _ref("fcs_gating", "ada").events_in_sample == params["sample_events"] != 3000
    assert exercise.reference().events_in_sample == 3000  # the shared release is unchanged


def test_immunophenotype_variants_stay_classifiable_by_the_chapters_rule():
    """Each drawn patient gets, from the notebook's own rule, the answer it was drawn for; all four per student."""
    exercise = EXERCISES["immunophenotype"]
    rule = exercise.reference().classify
    seen = set()
    for number in range(150):
        params = exercise.variant_params(_variant("immunophenotype", f"student{number}"))
        answers = [params[f"patient_{letter}"] for letter in "abcd"]
        assert sorted(answers) == sorted(exercise.module.STORIES)
        for letter in "abcd":
            findings = params[f"findings_{letter}"]
            assert rule(findings) == params[f"patient_{letter}"], findings
            seen.add((params[f"patient_{letter}"], findings["cd56"], findings["surface_cd3"]))
    assert ("ANKL", "bright", False) in seen and ("T-LGL", "negative", True) in seen
    assert ("NK-LGLL", "dim", False) in seen


def test_immunophenotype_shows_the_students_own_patients(tmp_path):
    exercise = EXERCISES["immunophenotype"]
    nb = nbformat.read(release_exercise(exercise, tmp_path, _variant("immunophenotype", "ada")), as_version=4)
    cell = next(c for c in nb.cells if markup.grade_id(c) == "patients")
    params = exercise.variant_params(_variant("immunophenotype", "ada"))
    assert f"findings_a = {params['findings_a']!r}" in markup.source(cell)
    assert "patient_a" not in markup.source(cell)  # the answers stay in the (stubbed) solution
    assert repr(params["patient_a"]) not in nbformat.writes(nb).replace("\\", "")


def test_ankl_quiz_variant_shows_the_same_options_in_another_order(tmp_path):
    exercise = EXERCISES["ankl_quiz"]
    shared = {markup.grade_id(c): markup.source(c) for c in exercise.source.cells}
    nb = exercise.variant_source(_variant("ankl_quiz", "ada"))
    params = exercise.variant_params(_variant("ankl_quiz", "ada"))
    for number in (1, 2, 4):
        cell = next(markup.source(c) for c in nb.cells if markup.grade_id(c) == f"q{number}")
        options = [line[3:] for line in cell.split("\n") if variants.OPTION.match(line)]
        source = [line[3:] for line in shared[f"q{number}"].split("\n") if variants.OPTION.match(line)]
        assert options == [source[i] for i in params[f"order_q{number}"]]
    assert [_ref("ankl_quiz", s).answer_1 for s in ("ada", "bob")] == ["c", "a"]  # b) of the source, moved


def test_shuffle_options_rejects_an_order_that_does_not_fit():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Q?\n\n- a) one\n- b) two")])
    nb.cells[0].metadata["nbgrader"] = {"grade_id": "q1"}
    with pytest.raises(ValueError, match="2 options"):
        variants.shuffle_options(nb, "q1", [0, 1, 2])
    with pytest.raises(ValueError, match="no Markdown cell 'q9'"):
        variants.shuffle_options(nb, "q9", [1, 0])
    variants.shuffle_options(nb, "q1", [1, 0])
    assert nb.cells[0].source == "Q?\n\n- a) two\n- b) one"


def test_a_shape_hook_error_names_checks_py(tmp_path):
    folder = tmp_path / "quiz"
    folder.mkdir()
    nbformat.write(EXERCISES["ankl_quiz"].source, folder / "quiz.ipynb")
    text = EXERCISES["ankl_quiz"].checks_path.read_text().replace('f"q{number}"', 'f"question{number}"')
    (folder / "checks.py").write_text(text)
    with pytest.raises(CourseDataError, match="no Markdown cell 'question1'") as error:
        Exercise("quiz", folder).variant_source(_variant("ankl_quiz", "ada"))
    assert error.value.path == str(folder / "checks.py") and error.value.location == "shape"


def test_ankl_quiz_has_no_arithmetic_item_and_its_numbers_come_from_the_facts_registry():
    cells = {markup.grade_id(c): markup.source(c) for c in EXERCISES["ankl_quiz"].source.cells}
    assert "21 of the 59" not in cells["q4"] and "numeric" not in cells["intro"]
    for fact_id in ("fujimoto2021.n_patients", "fujimoto2021.os_5y_crpr", "fujimoto2021.os_5y_crpr_vs_nr_p"):
        assert f"{facts.value(fact_id)}" in cells["q4"], fact_id
    assert "(#ref-fujimoto2021)" in cells["q4"] and 'id="ref-fujimoto2021"' in cells["refs"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TYPED))
def test_each_variant_grades_fully_only_against_its_own(graded, name):
    points = EXERCISES[name].test_points()
    for student in ("ada", "bob"):
        outcome = graded[name, student]
        assert (outcome.score, outcome.max_score, outcome.flags) == (sum(points.values()),) * 2 + ([],), \
            outcome.message
        assert outcome.variant == _variant(name, student)
    assert graded[name, "dan"].score == 0  # the blank version of a variant earns nothing


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TYPED))
def test_a_copied_variant_is_flagged_and_its_answers_do_not_score(graded, name):
    # cal's own answers differ from ada's in every per-student question (by chance two variants can
    # share one, e.g. one quiz question in four: then the copy would earn that point, rightly)
    ada, cal = _ref(name, "ada"), _ref(name, "cal")
    varied = [n for names in TYPED[name].values() for n in names if n != "answer_3"]
    assert all(getattr(ada, n) != getattr(cal, n) for n in varied if n.startswith(("answer", "events")))
    assert [getattr(ada, n) for n in varied] != [getattr(cal, n) for n in varied]
    outcome = graded[name, "cal"]
    assert outcome.variant == _variant(name, "cal")
    assert len(outcome.flags) == 1 and f"carries variant {_variant(name, 'ada')}" in outcome.flags[0]
    assert {t.grade_id: t.score for t in outcome.tasks} == COPIED_SCORES[name]


@pytest.mark.parametrize("name", sorted(TYPED))
def test_a_correct_answer_for_another_students_variant_does_not_score(name):
    """ada's value answers, judged as bob's variant: every per-student value task fails."""
    exercise = EXERCISES[name]
    ada, bob = _ref(name, "ada"), _ref(name, "bob")
    plan = make_plan(exercise.checks, bob, np.random.default_rng(3))
    typed = {n for names in TYPED[name].values() for n in names}
    answers: list[dict[str, Any]] = []
    for items in plan.expectations.values():
        for item in items:
            if item.probe.kind == "value":
                answers.append({"ok": getattr(ada, item.probe.name)})
            else:  # code answers: the (correct) function, called on bob's inputs
                assert item.probe.name not in typed
                answers.append({"ok": item.expected})
    scores = {t.grade_id: t.score for t in judge(plan, answers, exercise.test_points())}
    assert scores == COPIED_SCORES[name]


def test_fcs_gating_hidden_samples_made_once_per_run_give_each_students_reference_answers(tmp_path):
    """The hidden samples are cached per run (the same for every variant); their expected shares are still right."""
    exercise = EXERCISES["fcs_gating"]
    plans = {s: make_plan(exercise.checks, _ref("fcs_gating", s), np.random.default_rng(5)) for s in ("ada", "bob")}
    assert plans["ada"].files == plans["bob"].files and len(plans["ada"].files) == 5
    ref = _ref("fcs_gating", "bob")
    checked = 0
    for grade_id, function in (("test_lymphoid_share", ref.lymphoid_share),
                               ("test_bright_nk_share", ref.bright_nk_share)):
        for item in plans["bob"].expectations[grade_id]:
            (argument,) = item.probe.args
            name, data = (argument.name, argument.data) if isinstance(argument, FileArg) else (argument,
                                                                                               ref._files[argument])
            (tmp_path / name).write_bytes(data)
            assert item.expected == function(tmp_path / name), (grade_id, name)
            checked += 1
    assert checked == 7  # bob's own sample twice, five hidden samples


def test_generating_with_specs_read_once_gives_the_same_sample():
    from ankl_course.cytometry import synthetic

    once = synthetic.load_specs()
    a, b = synthetic.generate("ankl_pb", 500, seed=3), synthetic.generate("ankl_pb", 500, seed=3, course_specs=once)
    assert a.truth is not None and b.truth is not None
    assert np.array_equal(a.events, b.events) and np.array_equal(a.truth, b.truth)


@pytest.mark.slow
def test_release_verifies_each_new_variant_both_ways(tmp_path):
    """Each student's model answers (set by the variant) earn every point; each blank variant earns none."""
    from ankl_course.grading.cli import Confinement, verify

    chosen = {n: EXERCISES[n] for n in TYPED}
    per_student = {(s, n): release_exercise(chosen[n], tmp_path / s, _variant(n, s)) for n in TYPED
                   for s in ("ada", "bob")}
    assert verify(chosen, {}, Confinement(use_sandbox=SANDBOX, isolate=SANDBOX), 2, per_student, SECRET) == []
    # and the check can fail: the shared source's model answers, graded as ada's variant, miss her patients
    # and her option order (the locked cells are restored as hers, the answers stay the shared ones)
    subs = [Submission(chosen[n].notebook_path, "ada", n) for n in ("immunophenotype", "ankl_quiz")]
    options = Options(gradebook=tmp_path / "gb.db", feedback_dir=tmp_path / "feedback", workers=2,
                      use_sandbox=SANDBOX, isolate=SANDBOX, progress=False, secret=SECRET, seed=1)
    outcomes = Grader(chosen, options).grade(subs)
    scores = {o.submission.exercise: {t.grade_id: t.score for t in o.tasks} for o in outcomes}
    assert scores["immunophenotype"]["test_cases"] == 0
    assert [scores["ankl_quiz"][f"test_q{n}"] for n in (1, 2, 4)] == [0, 0, 1]  # ada's q4 is b) as in the source
