"""The quiz engine: banks validate with precise messages; checking, widgets and static HTML agree."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from ankl_course.errors import CourseDataError
from ankl_course.quiz import Bank, QuizSession, load_bank, static_html

BANK = '''
chapter = "99_test"

[[question]]
id = "single-q"
section = "one"
type = "single"
prompt = "Which is right?"
explanation = "Because [@fujimoto2021]."
source = "fujimoto2021"
  [[question.options]]
  text = "Right"
  correct = true
  feedback = "Yes, it is."
  [[question.options]]
  text = "Wrong"
  correct = false
  feedback = "No, it is not."

[[question]]
id = "multi-q"
section = "one"
type = "multiple"
prompt = "Tick the true ones."
explanation = "Two are true."
source = "fujimoto2021"
  [[question.options]]
  text = "A"
  correct = true
  feedback = "A is true."
  [[question.options]]
  text = "B"
  correct = true
  feedback = "B is true."
  [[question.options]]
  text = "C"
  correct = false
  feedback = "C is false."

[[question]]
id = "tf-q"
type = "truefalse"
prompt = "The sky is green."
answer = false
feedback_true = "Look up."
feedback_false = "Indeed it is not."
explanation = "It is blue."
source = "fujimoto2021"

[[question]]
id = "num-q"
type = "numeric"
prompt = "One-year OS?"
fact = "fujimoto2021.os_1y"
tolerance = 1
explanation = "See the abstract."
source = "fujimoto2021"
feedback_low = "Higher."
feedback_high = "Lower."

[[question]]
id = "range-q"
type = "numeric"
prompt = "A number between 1 and 3, answer 2"
answer = 2
range = [1, 3]
unit = ""
explanation = "Anything from 1 to 3."
source = "fujimoto2021"
'''


@pytest.fixture
def bank(tmp_path: Path) -> Bank:
    path = tmp_path / "99_test.toml"
    path.write_text(BANK, encoding="utf-8")
    return load_bank(path)


def test_bank_loads_all_types(bank: Bank) -> None:
    assert list(bank.questions) == ["single-q", "multi-q", "tf-q", "num-q", "range-q"]
    assert [q.id for q in bank.section("one")] == ["single-q", "multi-q"]
    assert bank["num-q"].answer == 33.9 and bank["num-q"].unit == "%"
    assert bank.source_keys() == ["fujimoto2021"]


def test_single_choice(bank: Bank) -> None:
    q = bank["single-q"]
    assert q.check(0).correct and "Yes, it is." in q.check(0).feedback
    assert not q.check(1).correct and "No, it is not." in q.check(1).feedback
    assert q.check(None).feedback == "Choose one answer first." and not q.check(None).answered


def test_multiple_choice_needs_exactly_the_right_set(bank: Bank) -> None:
    q = bank["multi-q"]
    assert q.check({0, 1}).correct
    partial = q.check({0})
    assert not partial.correct and "1 correct answer not ticked" in partial.feedback
    wrong = q.check({0, 1, 2})
    assert not wrong.correct and "1 of your choices is wrong" in wrong.feedback and "C is false." in wrong.feedback


def test_true_false(bank: Bank) -> None:
    q = bank["tf-q"]
    assert [o.text for o in q.options] == ["True", "False"]
    assert q.check(1).correct and "Indeed" in q.check(1).feedback
    assert not q.check(0).correct


def test_numeric_tolerance_and_range(bank: Bank) -> None:
    q = bank["num-q"]
    assert q.check(33.9).correct and q.check(34.9).correct and q.check("32.9").correct
    assert q.check(30).feedback == "Too low. Higher."
    assert q.check(40).feedback == "Too high. Lower."
    assert q.check("abc").feedback == "Enter a number first."
    assert q.check(float("nan")).feedback == "Enter a number first."
    r = bank["range-q"]
    assert r.check(1).correct and r.check(3).correct and not r.check(3.01).correct


BROKEN = [
    ('prompt = "Which is right?"', 'prompt = ""', "question single-q: missing prompt"),
    ('explanation = "Two are true."', "", "question multi-q: missing explanation"),
    ('correct = false\n  feedback = "No, it is not."', 'correct = true\n  feedback = "No, it is not."',
     "question single-q: a single-choice question needs exactly one correct option, has 2"),
    ('unit = ""', "", "question range-q: state the unit"),
    ('source = "fujimoto2021"\nfeedback_low', 'source = "nobody1999"\nfeedback_low',
     "question num-q: source 'nobody1999' is not in references.toml"),
    ('id = "multi-q"', 'id = "single-q"', "question single-q: duplicate question id"),
    ('type = "truefalse"', 'type = "essay"', "question tf-q: type must be one of"),
    ('fact = "fujimoto2021.os_1y"', 'fact = "fujimoto2021.nothing"', "question num-q: fact 'fujimoto2021.nothing'"),
    ('range = [1, 3]', 'range = [3, 5]', "question range-q: answer 2 lies outside range [3, 5]"),
    ('feedback = "C is false."', 'feedback = ""', "question multi-q: option 3: missing feedback"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN)
def test_bad_bank_is_rejected_with_file_question_and_problem(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in BANK
    path = tmp_path / "bad.toml"
    path.write_text(BANK.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CourseDataError) as info:
        load_bank(path)
    assert str(info.value).startswith(f"{path}: ")
    assert expected in str(info.value)


def test_invalid_toml_bank(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[[question]\n", encoding="utf-8")
    with pytest.raises(CourseDataError, match="not valid TOML"):
        load_bank(path)


def test_static_html_is_deterministic_accessible_and_hides_answers(bank: Bank) -> None:
    q = bank["single-q"]
    first = static_html(q, "ankl-quiz-99_test-single-q-0")
    assert first == static_html(q, "ankl-quiz-99_test-single-q-0")
    assert 'aria-live="polite"' in first
    assert 'class="ankl-explanation" hidden' in first
    assert '<label for="ankl-quiz-99_test-single-q-0-opt0"><input type="radio"' in first
    assert "Yes, it is." not in first  # per-option feedback travels encoded, not as page text
    payload = re.search(r'data-ankl-quiz="([^"]+)"', first).group(1)
    assert json.loads(base64.b64decode(payload)) == {
        "type": "single", "options": [[True, "Yes, it is."], [False, "No, it is not."]],
    }


def test_teacher_rendering_shows_answer_and_explanation(bank: Bank) -> None:
    shown = static_html(bank["num-q"], "x", reveal=True)
    assert "<strong>Answer:</strong> 33.9 % (accepted 32.9 to 34.9)" in shown
    assert 'class="ankl-explanation" id=' in shown


def test_session_ids_are_stable_and_unique(bank: Bank) -> None:
    def ids() -> list[str]:
        session = QuizSession("99_test", bank=bank, reveal=False)
        html = session.ask("single-q").html() + session.ask("single-q", "tf-q").html()
        return re.findall(r'<form class="ankl-quiz" id="([^"]+)"', html)

    expected = ["ankl-quiz-99_test-single-q-0", "ankl-quiz-99_test-single-q-1", "ankl-quiz-99_test-tf-q-2"]
    assert ids() == ids() == expected


def test_display_carries_widget_and_static_html(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, reveal=False)
    bundle = session.ask_section("one")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].count('<form class="ankl-quiz"') == 2


def test_widget_answers_and_keeps_score(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, reveal=False)
    widget = session.question_widget(bank["single-q"])
    _prompt, radio, buttons, feedback, explanation = widget.children
    check, retry = buttons.children
    assert explanation.layout.display == "none"
    radio.value = 1
    check.click()
    assert "Not quite." in feedback.value and explanation.layout.display == "flex"
    assert session.results == {"single-q": False}
    retry.click()
    radio.value = 0
    check.click()
    assert "Correct." in feedback.value
    assert session.summary() == "Quiz progress: 1 of 5 questions answered, 1 answered correctly."


def test_widget_numeric_and_multiple(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, reveal=False)
    numeric = session.question_widget(bank["num-q"])
    entry = numeric.children[1].children[0]
    numeric.children[2].children[0].click()
    assert "Enter a number first." in numeric.children[3].value and session.results == {}
    entry.value = "33.5"
    numeric.children[2].children[0].click()
    assert "Correct." in numeric.children[3].value
    multi = session.question_widget(bank["multi-q"])
    boxes = multi.children[1].children
    boxes[0].value = True
    multi.children[2].children[0].click()
    assert "not ticked" in multi.children[3].value
    assert session.results == {"num-q": True, "multi-q": False}


def test_unknown_question_id(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank)
    with pytest.raises(CourseDataError, match="nope: no such question"):
        session.ask("nope")
