"""The graded quiz per chapter: built from the chapter's bank, shuffled per student, judged as the live quiz judges."""

from __future__ import annotations

import itertools
import re

import nbformat
import numpy as np
import pytest
from conftest import run_cli

from ankl_course.grading import markup, sandbox
from ankl_course.grading.chapter_quiz import LETTERS, chapter_quizzes, get_quiz
from ankl_course.grading.checks import judge, make_plan
from ankl_course.grading.release import student_version
from ankl_course.grading.variants import carried, variant_id
from ankl_course.quiz_bank import bank_path, load_bank
from ankl_course.resources import data_path

SECRET = b"a-course-secret-for-the-tests-only"
SANDBOX_FLAGS = [] if sandbox.probe().available else ["--no-sandbox"]
CHAPTERS = sorted(p.stem for p in data_path("quizzes").glob("*.toml"))


def _displayed(nb, number: int) -> list[str]:
    """The option texts of question ``number`` in the order the student's notebook shows them."""
    cell = next(c for c in nb.cells if markup.grade_id(c) == f"q{number}")
    return re.findall(r"^- [a-j]\) (.*)$", markup.source(cell), flags=re.MULTILINE)


def _answers(question, shown: list[str]) -> list[object]:
    """Answers to try: every letter, every pair, all letters, junk; numbers around the accepted range."""
    if question.type == "numeric":
        low, high = question.low, question.high
        return [question.answer, low, high, low - 1e-6 * max(1, abs(low)), high + 1e-6 * max(1, abs(high)),
                str(question.answer), "twelve", None, True]
    letters = LETTERS[: len(shown)]
    tries: list[object] = list(letters) + ["".join(p) for p in itertools.combinations(letters, 2)] + [letters]
    return tries + [letters.upper()[:1], "z", "", 3, None, ["a", "b"]]


def _live_verdict(question, shown: list[str], answer: object) -> bool:
    """What the chapter's live quiz says: the answer mapped to the bank's options by their text."""
    if question.type == "numeric":
        try:
            return bool(question.check(answer).correct) if not isinstance(answer, bool) else False
        except (TypeError, ValueError):
            return False
    if isinstance(answer, list):
        answer = "".join(str(a) for a in answer)
    if not isinstance(answer, str) or not answer or not set(answer.lower()) <= set(LETTERS[: len(shown)]):
        return False
    texts = [o.text for o in question.options]
    picked = {texts.index(shown[LETTERS.index(letter)]) for letter in answer.lower()}
    if question.type == "multiple":
        return bool(question.check(picked).correct)
    return len(picked) == 1 and bool(question.check(next(iter(picked))).correct)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_graded_quiz_grades_exactly_as_the_live_judge(chapter):
    quiz = get_quiz(chapter)
    bank = load_bank(bank_path(chapter))
    assert len(quiz.test_points()) == len(bank.questions)
    variant = variant_id(SECRET, quiz.name, "ada")
    nb = student_version(quiz.variant_source(variant))
    ref = quiz.reference(variant)
    plan = make_plan(quiz.checks, ref, np.random.default_rng(0))
    compared = 0
    for item in ref.items:
        shown = [] if item.question.type == "numeric" else _displayed(nb, item.number)
        assert sorted(shown) == sorted(o.text for o in item.question.options) or item.question.type == "numeric"
        (expectation,) = plan.expectations[f"test_q{item.number}"]
        for answer in _answers(item.question, shown):
            graded = judge(type(plan)({f"test_q{item.number}": [expectation]}), [{"ok": answer}],
                           {f"test_q{item.number}": 1.0})[0].passed
            assert graded == _live_verdict(item.question, shown, answer), (item.question.id, answer)
            compared += 1
        assert judge(type(plan)({f"test_q{item.number}": [expectation]}), [{"ok": item.correct_answer()}],
                     {f"test_q{item.number}": 1.0})[0].passed
    assert compared > 5 * len(ref.items)


def test_two_students_get_their_own_order_of_questions_and_options():
    quiz = get_quiz("03_immunophenotyping")
    ada, bob = (quiz.layout(variant_id(SECRET, quiz.name, s)) for s in ("ada", "bob"))
    assert [i.question.id for i in ada] != [i.question.id for i in bob]
    assert sorted(i.question.id for i in ada) == sorted(i.question.id for i in bob)
    assert quiz.layout(variant_id(SECRET, quiz.name, "ada")) == ada  # the same every time
    chapters = {q.chapter for q in chapter_quizzes().values()}
    assert chapters == set(CHAPTERS)


@pytest.mark.slow
def test_release_quiz_with_a_roster_verifies_each_students_version_both_ways(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nada\nbob\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    done = run_cli("release", "--quiz", "02_ebv_link", "--roster", str(roster), "--secret", str(secret), "--out",
                   str(tmp_path / "release"), "--workers", "2", *SANDBOX_FLAGS, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified 1 exercise(s) and 2 student variant(s)" in done.stdout
    key = secret.read_text().strip().encode()
    name = "quiz_02_ebv_link"
    ada = nbformat.read(tmp_path / "release" / "ada" / name / f"{name}.ipynb", as_version=4)
    assert carried(ada) == variant_id(key, name, "ada")
    assert "BEGIN SOLUTION" not in nbformat.writes(ada)

    # ada answers her own notebook right; cal hands in ada's letters
    quiz = get_quiz("02_ebv_link")
    right = {f"answer_q{i.number}": f"answer_{i.number} = {i.correct_answer()!r}"
             for i in quiz.layout(variant_id(key, name, "ada"))}
    for cell in ada.cells:
        if markup.grade_id(cell) in right:
            cell.source = right[markup.grade_id(cell)]
    for student in ("ada", "cal"):
        path = tmp_path / "submitted" / student / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(ada, path)
    graded = run_cli("grade", str(tmp_path / "submitted"), "--secret", str(secret), "--gradebook",
                     str(tmp_path / "gb.db"), "--feedback", str(tmp_path / "fb"), "--quiet", *SANDBOX_FLAGS,
                     timeout=300)
    assert graded.returncode == 0, graded.stderr
    total = len(quiz.layout(None))
    assert f"ada\t{name}\t{total}/{total}\tgraded" in graded.stdout
    cal = next(line for line in graded.stdout.splitlines() if line.startswith("cal\t"))
    assert int(cal.split("\t")[2].split("/")[0]) < total
    assert f"FLAG cal/{name}: the notebook carries variant {variant_id(key, name, 'ada')}" in graded.stderr
