"""The quiz engine: banks validate with precise messages; options are shuffled; the first answer counts;
widgets keep every answer in the progress file."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from ankl_course.errors import CourseDataError
from ankl_course.progress import ProgressStore
from ankl_course.quiz import QuizSession
from ankl_course.quiz_bank import Bank, Question, load_bank, verdict_feedback
from ankl_course.quiz_render import static_html
from ankl_course.quiz_rules import NOT_A_NUMBER, Record, after_check, after_show

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


def right(question: Question) -> int:
    return next(i for i, o in enumerate(question.options) if o.correct)


def wrong(question: Question) -> int:
    return next(i for i, o in enumerate(question.options) if not o.correct)


def test_bank_loads_all_types(bank: Bank) -> None:
    assert list(bank.questions) == ["single-q", "multi-q", "tf-q", "num-q", "range-q"]
    assert [q.id for q in bank.section("one")] == ["single-q", "multi-q"]
    assert bank["num-q"].answer == 33.9 and bank["num-q"].unit == "%"
    assert bank["num-q"].key == "99_test/num-q"
    assert bank.source_keys() == ["fujimoto2021"]
    assert bank.page_keys() == [f"99_test/{qid}" for qid in bank.questions]


def test_feedback_placeholders_are_filled_for_the_student() -> None:
    """Feedback is shown as plain text: a fact or claim in it arrives filled, with its citation in words,
    in Python's verdict and in the page's payload alike; no bank leaves a placeholder behind."""
    from ankl_course.facts import load_facts
    from ankl_course.quiz_bank import bank_path, chapter_pages
    from ankl_course.quiz_render import RenderContext

    question = load_bank(bank_path("07_reading_a_registry_study"))["landmark-definition"]
    wrong_all = next(i for i, o in enumerate(question.options) if "for all patients" in o.feedback)
    expected = f"5-year OS was {load_facts()['fujimoto2021.os_5y'].formatted()} (Fujimoto et al., 2021)."
    assert question.check(wrong_all).feedback.endswith(expected)
    page = static_html(question, "x", context=RenderContext.load())
    payload = json.loads(base64.b64decode(re.search(r'data-ankl-quiz="([^"]+)"', page).group(1)))
    assert any(feedback.endswith(expected) for _right, feedback in payload["options"])
    for chapter, _title, _keys in chapter_pages():
        for q in load_bank(bank_path(chapter)).questions.values():
            texts = [o.feedback for o in q.options] + [q.feedback_correct, q.feedback_low, q.feedback_high]
            assert not [text for text in texts if "{" in text or "[@" in text or "](#ref-" in text], q.key
    assert "ishida2018" in load_bank(bank_path("04_clinical_picture")).source_keys()


def test_an_unknown_fact_in_feedback_names_the_bank_and_question(tmp_path: Path) -> None:
    path = tmp_path / "99_test.toml"
    path.write_text(BANK.replace('feedback = "No, it is not."', 'feedback = "No: it was {fujimoto2021.nope}."', 1),
                    encoding="utf-8")
    with pytest.raises(CourseDataError, match=r"99_test.toml: question single-q: feedback: .*fujimoto2021.nope"):
        load_bank(path)


def test_claims_loaded_once_per_session_render_as_render_would() -> None:
    """RenderContext keeps the claims it loaded; a text quoting a claim renders exactly as when
    facts.render reads claims.toml itself."""
    from ankl_course.quiz_bank import bank_path, chapter_pages
    from ankl_course.quiz_render import RenderContext

    context = RenderContext.load()
    bare = RenderContext(context.references, context.facts, context.script)
    texts = [text for chapter, _title, _keys in chapter_pages()
             for q in load_bank(bank_path(chapter)).questions.values()
             for text in (q.prompt, q.explanation) if "{claim:" in text]
    assert len(texts) > 5 and context.claims and not bare.claims
    assert [context.markdown(text) for text in texts] == [bare.markdown(text) for text in texts]


def test_single_choice(bank: Bank) -> None:
    q = bank["single-q"]
    assert q.check(right(q)).correct and "Yes, it is." in q.check(right(q)).feedback
    assert not q.check(wrong(q)).correct and "No, it is not." in q.check(wrong(q)).feedback
    for nothing in (None, -1, 2, "0", True, 0.5, [0]):
        result = q.check(nothing)
        assert result.feedback == "Choose one answer first." and not result.answered, nothing
    assert q.check(float(right(q))).correct  # JSON and JavaScript do not tell 1.0 from 1


def test_multiple_choice_needs_exactly_the_right_set(bank: Bank) -> None:
    q = bank["multi-q"]
    good = [i for i, o in enumerate(q.options) if o.correct]
    bad = [i for i, o in enumerate(q.options) if not o.correct]
    assert q.check(good).correct and q.check(set(good)).correct
    partial = q.check(good[:1])
    assert not partial.correct and "1 correct answer not ticked" in partial.feedback
    too_many = q.check(good + bad)
    assert not too_many.correct and "1 of your choices is wrong" in too_many.feedback
    assert "C is false." in too_many.feedback
    for malformed in ([], [0, 0], [0, 9], ["0"], None, 0):
        assert not q.check(malformed).answered, malformed


def test_true_false_keeps_true_first(bank: Bank) -> None:
    q = bank["tf-q"]
    assert [o.text for o in q.options] == ["True", "False"]
    assert q.check(1).correct and "Indeed" in q.check(1).feedback
    assert not q.check(0).correct


def test_numeric_tolerance_range_units_and_commas(bank: Bank) -> None:
    q = bank["num-q"]
    assert q.check(33.9).correct and q.check("34.9").correct and q.check("32.9").correct
    assert q.check("33,9").correct and q.check(" 33.9 % ").correct and q.check("3.39e1").correct
    assert q.check("30").feedback == "Too low. Higher."
    assert q.check("40").feedback == "Too high. Lower."
    assert not q.check("34.95").correct
    for nothing in ("abc", "", "34abc", "nan", "inf", float("nan"), None, "34 kg", "1,2,3"):
        result = q.check(nothing)
        assert result.feedback == NOT_A_NUMBER and not result.answered, nothing
    r = bank["range-q"]
    assert r.check(1).correct and r.check("3").correct and not r.check("3.01").correct


def test_options_are_shuffled_deterministically_and_balanced(tmp_path: Path) -> None:
    """Twelve 3-option questions written right-first: each place gets the right answer four times."""
    block = """
[[question]]
id = "q{n}"
type = "single"
prompt = "Question {n}?"
explanation = "Because."
source = "fujimoto2021"
  [[question.options]]
  text = "right {n}"
  correct = true
  feedback = "yes"
  [[question.options]]
  text = "wrong a{n}"
  correct = false
  feedback = "no"
  [[question.options]]
  text = "wrong b{n}"
  correct = false
  feedback = "no"
"""
    path = tmp_path / "98_shuffle.toml"
    path.write_text('chapter = "98_shuffle"\n' + "".join(block.format(n=n) for n in range(12)), encoding="utf-8")
    first, again = load_bank(path), load_bank(path)
    places = [right(q) for q in first.questions.values()]
    assert places == [right(q) for q in again.questions.values()]
    assert sorted(places.count(place) for place in range(3)) == [4, 4, 4]
    orders = {tuple(o.text[:7] for o in q.options) for q in first.questions.values()}
    assert len(orders) > 3, "wrong options are shuffled too"


def test_always_picking_the_first_option_scores_at_most_40_percent_on_every_chapter_page() -> None:
    """Every single-choice question a chapter page shows (its own, warm-up, pre- and post-test)."""
    from ankl_course.quiz_bank import bank_path, resolve
    from ankl_course.resources import data_path

    for path in sorted(data_path("quizzes").glob("*.toml")):
        page = [resolve(key) for key in load_bank(bank_path(path.stem)).page_keys()]
        singles = [q for q in page if q.type == "single"]
        assert singles and sum(q.options[0].correct for q in singles) / len(singles) <= 0.4, path.stem


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
    assert 'class="ankl-reveal" hidden' in first
    assert '<label for="ankl-quiz-99_test-single-q-0-opt0"><input type="radio"' in first
    assert "<script" not in first, "the page script is included once per page, not per question"
    assert "Yes, it is." not in first  # per-option feedback travels encoded, not as page text
    found = re.search(r'data-ankl-quiz="([^"]+)"', first)
    assert found is not None
    assert json.loads(base64.b64decode(found.group(1))) == {
        "type": "single", "options": [[False, "Not quite. No, it is not."], [True, "Correct. Yes, it is."]],
        "chapter": "99_test", "key": "99_test/single-q",
    }


def test_teacher_rendering_shows_answer_and_explanation(bank: Bank) -> None:
    shown = static_html(bank["num-q"], "x", reveal=True)
    assert "<strong>Answer:</strong> 33.9 % (accepted 32.9 to 34.9)" in shown
    assert 'class="ankl-reveal" id=' in shown and 'data-ankl-teacher="1"' in shown


def test_session_ids_are_stable_and_unique(bank: Bank) -> None:
    def ids() -> list[str]:
        session = QuizSession("99_test", bank=bank, reveal=False, store=None)
        html = session.ask("single-q").html() + session.ask("single-q", "tf-q").html()
        return re.findall(r'<form class="ankl-quiz" id="([^"]+)"', html)

    expected = ["ankl-quiz-99_test-single-q-0", "ankl-quiz-99_test-single-q-1", "ankl-quiz-99_test-tf-q-2"]
    assert ids() == ids() == expected


def test_script_and_css_come_once_per_notebook(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, reveal=False, store=None)
    outputs = [session.ask_section("one")._repr_mimebundle_()["text/html"],
               session.ask("tf-q")._repr_mimebundle_()["text/html"],
               session.score()._repr_mimebundle_()["text/html"]]
    assert [html.count("<script>") for html in outputs] == [1, 0, 0]
    assert [html.count("<style>") for html in outputs] == [1, 0, 0]
    assert outputs[0].count('<form class="ankl-quiz"') == 2


def test_display_carries_widget_and_static_html(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, reveal=False, store=None)
    bundle = session.ask_section("one")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].count('<form class="ankl-quiz"') == 2


def test_live_widget_is_the_page_script_with_records_synced(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, reveal=False, store=None)
    display = session.ask_section("one")
    widget = display.widget()
    assert widget.html.count('<form class="ankl-quiz"') == 2 and "<script>" not in widget.html
    assert "Kernel-free quizzes" in widget._esm and "export default" in widget._esm
    assert widget.records == {}


def test_quiz_widgets_sync_what_anywidget_would_and_share_one_layout(bank: Bank) -> None:
    """The fast construction (declared traits, one Layout per session) changes no synced value: the
    front end gets the state a plain anywidget subclass with the same ES module and CSS would send."""
    import anywidget

    from ankl_course.quiz import _ESM_EXPORT, quiz_widget_class
    from ankl_course.quiz_render import SCRIPT_PATH, STYLE

    class Plain(anywidget.AnyWidget):
        _esm = SCRIPT_PATH.read_text(encoding="utf-8") + _ESM_EXPORT
        _css = STYLE

    session = QuizSession("99_test", bank=bank, reveal=False, store=None)
    first, second = session.ask("single-q").widget(), session.ask("tf-q").widget()
    assert type(first) is quiz_widget_class() and type(second) is type(first)  # no class made per widget
    assert first.layout is second.layout is session.score()._label.layout
    state, plain = first.get_state(), Plain().get_state()
    assert set(plain) <= set(state)
    assert {k: state[k] for k in plain if k != "layout"} == {
        **{k: v for k, v in plain.items() if k != "layout"}, "_anywidget_id": "ankl_course.quiz.QuizWidget"}


def test_first_answer_counts_and_is_stored(bank: Bank, tmp_path: Path) -> None:
    """The front end reports records (judged by the shared rules); Python keeps them and the score."""
    store = ProgressStore(tmp_path / "progress.json")
    session = QuizSession("99_test", bank=bank, reveal=False, store=store)
    q = bank["single-q"]
    score = session.score()
    widget = session.ask("single-q").widget()
    wrong_first = after_check(Record(), False, wrong(q), "2026-01-01T10:00:00Z")
    widget.records = {q.key: wrong_first.to_json()}
    widget.records = {q.key: after_check(wrong_first, True, right(q), "2026-01-01T10:01:00Z").to_json()}
    assert session.records[q.key].first is False and session.records[q.key].solved
    assert session.summary() == "Quiz progress: 1 of 5 questions answered, 0 right first time, 0 answers shown."
    assert score._repr_mimebundle_()["text/plain"] == session.summary(), "the live score line follows"
    assert store.read()["99_test"][q.key].response == right(q)


def test_show_answer_counts_as_not_known(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, reveal=False, store=None)
    q = bank["tf-q"]
    session.ask("tf-q").widget().records = {q.key: after_show(Record()).to_json()}
    assert session.records[q.key].first is False and session.records[q.key].shown
    assert session.summary().endswith("1 of 5 questions answered, 0 right first time, 1 answer shown.")


def test_malformed_record_from_the_front_end_is_ignored(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, reveal=False, store=None)
    with pytest.warns(UserWarning, match="malformed answer record"):
        session.ask("tf-q").widget().records = {"99_test/tf-q": {"first": "yes"}}
    assert session.records == {}


def test_answers_survive_a_new_session(bank: Bank, tmp_path: Path) -> None:
    """A kernel restart is a new session reading the same progress file: the widget gets the records back."""
    store = ProgressStore(tmp_path / "progress.json")
    first = QuizSession("99_test", bank=bank, reveal=False, store=store)
    q = bank["multi-q"]
    good = [i for i, o in enumerate(q.options) if o.correct]
    first.ask("multi-q").widget().records = {q.key: after_check(Record(), True, good).to_json()}
    again = QuizSession("99_test", bank=bank, reveal=False, store=store)
    assert again.ask("multi-q").widget().records[q.key]["response"] == good
    assert again.summary().startswith("Quiz progress: 1 of 5 questions answered, 1 right first time")


def test_unknown_question_id(bank: Bank) -> None:
    session = QuizSession("99_test", bank=bank, store=None)
    with pytest.raises(CourseDataError, match="nope: no such question"):
        session.ask("nope")


def _cue_bank(tmp_path: Path, right: str, wrongs: tuple[str, str], count: int = 8) -> Bank:
    block = """
[[question]]
id = "q{n}"
type = "single"
prompt = "Question {n}?"
explanation = "Because."
source = "fujimoto2021"
  [[question.options]]
  text = "{right} {n}"
  correct = true
  feedback = "yes"
  [[question.options]]
  text = "{a} {n}"
  correct = false
  feedback = "no"
  [[question.options]]
  text = "{b} {n}"
  correct = false
  feedback = "no"
"""
    path = tmp_path / "97_cues.toml"
    path.write_text('chapter = "97_cues"\n' + "".join(block.format(n=n, right=right, a=wrongs[0], b=wrongs[1])
                                                     for n in range(count)), encoding="utf-8")
    return load_bank(path)


def test_check_reports_authoring_cues(tmp_path: Path) -> None:
    from ankl_course.quiz_cues import cues, length_problems, longest_tally

    cued = _cue_bank(tmp_path, "It usually depends on the patient's previous treatment", ("Never", "All of the above"))
    assert longest_tally(cued).observed == 8 and round(longest_tally(cued).expected, 2) == 2.67
    messages = [message for _where, message in cues(cued)]
    assert sum("only the right option is hedged" in m for m in messages) == 8
    assert sum("all/none of the above" in m for m in messages) == 8
    [(where, problem)] = length_problems(cued)
    assert where == "single-choice options"
    assert "the right option is the longest in 8 of 8 questions (chance: 2.7; p = 0.000)" in problem
    assert "q0 (right 56 characters; others 7, 18)" in problem and "q7 (right 56 characters" in problem
    fair = _cue_bank(tmp_path, "Red cells", ("White cells that circulate", "Platelets"))
    assert cues(fair) == [] and length_problems(fair) == []


def test_a_right_option_always_shortest_is_a_length_cue_too(tmp_path: Path) -> None:
    """Rewriting every key to be short would swap one cue for its mirror image; both fail."""
    from ankl_course.quiz_cues import length_problems, shortest_tally

    cued = _cue_bank(tmp_path, "Yes", ("White cells that circulate", "Platelets in the blood"))
    assert shortest_tally(cued).observed == 8
    [(_where, problem)] = length_problems(cued)
    assert "the right option is the shortest in 8 of 8 questions" in problem
    assert "q3 (right 5 characters; others 28, 24)" in problem


def test_an_options_own_verdict_is_not_said_twice() -> None:
    """Feedback written "No: ..." reads "Not quite. The ..." after a wrong choice, not "Not quite. No: the"."""
    assert verdict_feedback(False, "No: the CD56 gate.") == "Not quite. The CD56 gate."
    assert verdict_feedback(True, "Yes: NK cells lack CD3.") == "Correct. NK cells lack CD3."
    assert verdict_feedback(True, "Right. it is.") == "Correct. It is."
    assert verdict_feedback(False, "Not quite: too low.") == "Not quite. Too low."
    # A verdict that disagrees with the option says something and stays; other openings stay too.
    assert verdict_feedback(False, "Yes: true, but not in ANKL.") == "Not quite. Yes: true, but not in ANKL."
    assert verdict_feedback(False, "Nothing shows it.") == "Not quite. Nothing shows it."
    assert verdict_feedback(False, "") == "Not quite."


def test_kernel_and_page_give_the_same_single_answer_feedback(bank: Bank) -> None:
    q = bank["single-q"]
    payload = q.payload()
    for index, option in enumerate(q.options):
        assert q.check(index).feedback == payload["options"][index][1]
        assert payload["options"][index][1].startswith("Correct." if option.correct else "Not quite.")
