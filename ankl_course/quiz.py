"""The quiz engine: question banks in data files, shown as live widgets and as kernel-free HTML.

Why it is built this way:

* Teachers edit questions without Python, so each chapter's bank is a TOML
  file in ``data/quizzes/`` and :func:`load_bank` rejects a bad one with the
  file, the question id and the problem.
* Students in JupyterLab get an ipywidgets quiz that answers at once. Exported
  HTML pages and slide decks have no kernel, so every quiz output also carries
  a self-contained HTML+JS rendering (``text/html`` beside the widget view);
  exports put ``text/html`` first and the quiz still works offline.
* Element ids derive from the chapter, question id and display order, never
  from ``id()`` or randomness, so nbval sees identical outputs on every run.

Question types: ``single``, ``multiple``, ``truefalse`` and ``numeric``
(tolerance or range, unit stated). Every question has an explanation and a
``source`` citation key from ``data/references.toml``; numeric answers may
come straight from the facts registry (``fact = "fujimoto2021.os_1y"``).
"""

from __future__ import annotations

import base64
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .datafile import read_toml
from .errors import CourseDataError
from .facts import CITATION, Fact, keys_in_text, load_facts, load_references
from .resources import data_path

TYPES = ("single", "multiple", "truefalse", "numeric")
QUESTION_FIELDS = {
    "id", "type", "prompt", "explanation", "source", "section", "options", "answer", "fact",
    "tolerance", "range", "unit", "feedback_true", "feedback_false", "feedback_correct",
    "feedback_low", "feedback_high",
}
OPTION_FIELDS = {"text", "correct", "feedback"}
#: Environment variable that makes every quiz render with answers shown (presenter exports).
TEACHER_ENV = "ANKL_COURSE_TEACHER"


def bank_path(chapter: str) -> Path:
    """Where the question bank of a chapter lives (``data/quizzes/<chapter>.toml``)."""
    return data_path("quizzes", f"{chapter}.toml")


@dataclass(frozen=True)
class Option:
    """One answer option of a choice question."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Result:
    """The verdict on one response: right or not, and what to tell the student.

    ``answered`` is false when there was nothing to judge (no option chosen,
    no number entered); such a click is not counted in the score.
    """

    correct: bool
    feedback: str
    answered: bool = True


@dataclass(frozen=True)
class Question:
    """One validated question from a bank."""

    id: str
    type: str
    prompt: str
    explanation: str
    source: str
    section: str = ""
    options: tuple[Option, ...] = ()
    answer: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    feedback_correct: str = ""
    feedback_low: str = ""
    feedback_high: str = ""

    # -- checking (the static HTML's script applies the same rules) -----------

    def check(self, response: Any) -> Result:
        """Judge a response: an option index (single, truefalse), a set of indices
        (multiple) or a number (numeric)."""
        if self.type in ("single", "truefalse"):
            return self._check_single(response)
        if self.type == "multiple":
            return self._check_multiple(response)
        return self._check_numeric(response)

    def _check_single(self, response: Any) -> Result:
        if response is None or not 0 <= int(response) < len(self.options):
            return Result(False, "Choose one answer first.", answered=False)
        option = self.options[int(response)]
        verdict = "Correct." if option.correct else "Not quite."
        return Result(option.correct, f"{verdict} {option.feedback}".strip())

    def _check_multiple(self, response: Any) -> Result:
        chosen = {int(index) for index in (response or ())}
        if not chosen:
            return Result(False, "Tick at least one answer first.", answered=False)
        right = {i for i, option in enumerate(self.options) if option.correct}
        notes = [self.options[i].feedback for i in sorted(chosen) if self.options[i].feedback]
        if chosen == right:
            return Result(True, " ".join(["Correct."] + notes))
        missed = len(right - chosen)
        wrong = len(chosen - right)
        summary = []
        if wrong:
            summary.append(f"{wrong} of your choices {'is' if wrong == 1 else 'are'} wrong")
        if missed:
            summary.append(f"{missed} correct answer{'' if missed == 1 else 's'} not ticked")
        return Result(False, " ".join(["Not quite: " + " and ".join(summary) + "."] + notes))

    def _check_numeric(self, response: Any) -> Result:
        try:
            number = float(response)
        except (TypeError, ValueError):
            return Result(False, "Enter a number first.", answered=False)
        if number != number:  # NaN
            return Result(False, "Enter a number first.", answered=False)
        assert self.low is not None and self.high is not None
        if self.low <= number <= self.high:
            return Result(True, f"Correct. {self.feedback_correct}".strip())
        if number < self.low:
            return Result(False, f"Too low. {self.feedback_low}".strip())
        return Result(False, f"Too high. {self.feedback_high}".strip())

    def correct_answer_text(self) -> str:
        """The right answer in words (for teacher exports and LMS formats)."""
        if self.type == "numeric":
            unit = f" {self.unit}" if self.unit else ""
            return f"{self.answer:g}{unit} (accepted {self.low:g} to {self.high:g})"
        return "; ".join(option.text for option in self.options if option.correct)

    def payload(self) -> dict[str, Any]:
        """What the kernel-free script needs to judge answers in the browser."""
        data: dict[str, Any] = {"type": self.type}
        if self.type == "numeric":
            data.update(
                low=self.low, high=self.high, correct=self.feedback_correct,
                tooLow=self.feedback_low, tooHigh=self.feedback_high,
            )
        else:
            data["options"] = [[o.correct, o.feedback] for o in self.options]
        return data


@dataclass(frozen=True)
class Bank:
    """A chapter's question bank."""

    chapter: str
    path: Path
    questions: dict[str, Question] = field(default_factory=dict)

    def __getitem__(self, question_id: str) -> Question:
        try:
            return self.questions[question_id]
        except KeyError:
            raise CourseDataError(self.path, question_id, "no such question in this bank") from None

    def section(self, name: str) -> list[Question]:
        """The questions of one section, in bank order."""
        return [q for q in self.questions.values() if q.section == name]

    def source_keys(self, facts: dict[str, Fact] | None = None) -> list[str]:
        """Citation keys the bank uses: each question's source and any ``[@key]`` in its texts."""
        facts = load_facts() if facts is None else facts
        keys: list[str] = []
        for question in self.questions.values():
            keys.append(question.source)
            texts = [question.prompt, question.explanation, question.feedback_correct,
                     question.feedback_low, question.feedback_high]
            texts += [o.text + " " + o.feedback for o in question.options]
            keys += keys_in_text("\n".join(texts), facts)
        return list(dict.fromkeys(keys))


# -- loading and validation ----------------------------------------------------


def load_bank(path: Path | str, facts: dict[str, Fact] | None = None) -> Bank:
    """Read and validate a question bank; raise :class:`CourseDataError` naming the problem."""
    path = Path(path)
    raw = read_toml(path, missing="question bank not found")
    references = load_references()
    facts = load_facts(references=references) if facts is None else facts
    chapter = raw.get("chapter", path.stem)
    unknown_top = set(raw) - {"chapter", "title", "question"}
    if unknown_top:
        raise CourseDataError(path, "", f"unexpected top-level key(s): {', '.join(sorted(unknown_top))}")
    entries = raw.get("question", [])
    if not isinstance(entries, list) or not entries:
        raise CourseDataError(path, "", "a bank needs at least one [[question]]")
    questions: dict[str, Question] = {}
    for number, entry in enumerate(entries, start=1):
        question = _parse_question(path, number, entry, facts, references)
        if question.id in questions:
            raise CourseDataError(path, f"question {question.id}", "duplicate question id")
        questions[question.id] = question
    return Bank(chapter=chapter, path=path, questions=questions)


def _require_text(path: Path, where: str, entry: dict[str, Any], name: str) -> str:
    text = entry.get(name)
    if not isinstance(text, str) or not text.strip():
        raise CourseDataError(path, where, f"missing {name} (a non-empty text)")
    return text.strip()


def _parse_question(
    path: Path, number: int, entry: dict[str, Any], facts: dict[str, Fact], references: dict[str, Any]
) -> Question:
    qid = entry.get("id")
    if not isinstance(qid, str) or not qid.replace("-", "").replace("_", "").isalnum():
        raise CourseDataError(path, f"question #{number}", "id must be letters, digits, - or _")
    where = f"question {qid}"
    unknown = set(entry) - QUESTION_FIELDS
    if unknown:
        raise CourseDataError(path, where, f"unknown field(s): {', '.join(sorted(unknown))}")
    kind = entry.get("type")
    if kind not in TYPES:
        raise CourseDataError(path, where, f"type must be one of {', '.join(TYPES)}, not {kind!r}")
    common = {
        "id": qid,
        "type": kind,
        "prompt": _require_text(path, where, entry, "prompt"),
        "explanation": _require_text(path, where, entry, "explanation"),
        "source": _require_text(path, where, entry, "source"),
        "section": str(entry.get("section", "")),
    }
    if common["source"] not in references:
        raise CourseDataError(path, where, f"source {common['source']!r} is not in references.toml")
    for text in (common["prompt"], common["explanation"]):
        for match in CITATION.finditer(text):
            for key in match.group(1).split(";"):
                key = key.strip().lstrip("@")
                if key not in references:
                    raise CourseDataError(path, where, f"citation [@{key}] is not in references.toml")
    if kind == "numeric":
        return Question(**common, **_parse_numeric(path, where, entry, facts))
    if kind == "truefalse":
        if not isinstance(entry.get("answer"), bool):
            raise CourseDataError(path, where, "a truefalse question needs answer = true or false")
        truth = entry["answer"]
        options = (
            Option("True", truth, str(entry.get("feedback_true", ""))),
            Option("False", not truth, str(entry.get("feedback_false", ""))),
        )
        return Question(**common, options=options)
    return Question(**common, options=_parse_options(path, where, kind, entry))


def _parse_options(path: Path, where: str, kind: str, entry: dict[str, Any]) -> tuple[Option, ...]:
    raw = entry.get("options")
    if not isinstance(raw, list) or len(raw) < 2:
        raise CourseDataError(path, where, "a choice question needs at least two [[question.options]]")
    options = []
    for index, item in enumerate(raw, start=1):
        spot = f"{where}: option {index}"
        if not isinstance(item, dict):
            raise CourseDataError(path, spot, "each option is a table with text, correct, feedback")
        unknown = set(item) - OPTION_FIELDS
        if unknown:
            raise CourseDataError(path, spot, f"unknown field(s): {', '.join(sorted(unknown))}")
        text = _require_text(path, spot, item, "text")
        if not isinstance(item.get("correct", False), bool):
            raise CourseDataError(path, spot, "correct must be true or false")
        feedback = item.get("feedback")
        if not isinstance(feedback, str) or not feedback.strip():
            raise CourseDataError(path, spot, "missing feedback (say why this option is right or wrong)")
        options.append(Option(text, bool(item.get("correct", False)), feedback.strip()))
    right = sum(option.correct for option in options)
    if kind == "single" and right != 1:
        raise CourseDataError(path, where, f"a single-choice question needs exactly one correct option, has {right}")
    if kind == "multiple" and right < 1:
        raise CourseDataError(path, where, "a multiple-choice question needs at least one correct option")
    return tuple(options)


def _parse_numeric(path: Path, where: str, entry: dict[str, Any], facts: dict[str, Fact]) -> dict[str, Any]:
    if "fact" in entry:
        if entry["fact"] not in facts:
            raise CourseDataError(path, where, f"fact {entry['fact']!r} is not in facts.toml")
        answer = facts[entry["fact"]].value
        unit = entry.get("unit", facts[entry["fact"]].unit)
    else:
        answer = entry.get("answer")
        unit = entry.get("unit")
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        raise CourseDataError(path, where, "a numeric question needs a numeric answer (answer = ... or fact = ...)")
    if unit is None:
        raise CourseDataError(path, where, 'state the unit (unit = "%", or unit = "" for a pure number)')
    if ("tolerance" in entry) == ("range" in entry):
        raise CourseDataError(path, where, "give either tolerance = x or range = [low, high]")
    if "tolerance" in entry:
        tolerance = entry["tolerance"]
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            raise CourseDataError(path, where, "tolerance must be a number >= 0")
        low, high = answer - tolerance, answer + tolerance
    else:
        bounds = entry["range"]
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)):
            raise CourseDataError(path, where, "range must be [low, high]")
        low, high = bounds
        if not low <= answer <= high:
            raise CourseDataError(path, where, f"answer {answer} lies outside range [{low}, {high}]")
    return {
        "answer": float(answer), "low": float(low), "high": float(high), "unit": str(unit),
        "feedback_correct": str(entry.get("feedback_correct", "")),
        "feedback_low": str(entry.get("feedback_low", "")),
        "feedback_high": str(entry.get("feedback_high", "")),
    }


# -- rendering -----------------------------------------------------------------


@dataclass(frozen=True)
class RenderContext:
    """What rendering questions needs from disk, loaded once per quiz session.

    Rendering a question fills citations and reads the page script; doing
    that from disk for every question made each ``ask`` cost tenths of a second.
    """

    references: dict[str, Any]
    facts: dict[str, Fact]
    script: str

    @classmethod
    def load(cls) -> RenderContext:
        references = load_references()
        return cls(
            references=references,
            facts=load_facts(references=references),
            script=_SCRIPT_PATH.read_text(encoding="utf-8"),
        )

    def markdown(self, text: str) -> str:
        """Inline Markdown (with ``[@key]`` citations and facts) to HTML, without a wrapping paragraph."""
        import mistune

        from .facts import render

        rendered = mistune.html(render(text, self.references, self.facts)).strip()
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            rendered = rendered[3:-4]
        return rendered

    def source_html(self, key: str) -> str:
        """``Source: <link>`` for a citation key, with the full reference as a tooltip."""
        reference = self.references[key]
        url = reference.link()
        label = html.escape(reference.short())
        title = html.escape(reference.full(), quote=True)
        if url:
            return f'Source: <a href="{html.escape(url)}" title="{title}">{label}</a>'
        return f'Source: <span title="{title}">{label}</span>'


_SCRIPT_PATH = Path(__file__).with_name("quiz_static.js")
_STYLE = (
    ".ankl-quiz{border:1px solid #c8c8c8;border-radius:6px;padding:0.6em 1em;margin:0.8em 0;"
    "max-width:46em;font-size:1em;text-align:left}"
    ".ankl-quiz legend{font-weight:600;padding:0 0.3em}"
    ".ankl-quiz label{display:block;margin:0.25em 0;cursor:pointer}"
    ".ankl-quiz button{margin:0.4em 0.4em 0.2em 0;padding:0.25em 0.9em;font-size:0.95em;cursor:pointer}"
    ".ankl-quiz .ankl-feedback{margin-top:0.3em;font-weight:600}"
    ".ankl-quiz .ankl-feedback.ankl-right{color:#00613e}.ankl-quiz .ankl-feedback.ankl-wrong{color:#a3001b}"
    ".ankl-quiz .ankl-explanation{margin-top:0.3em;border-left:3px solid #0072B2;padding-left:0.6em}"
    ".ankl-quiz input[type=number]{width:8em}"
)


def static_html(question: Question, element_id: str, reveal: bool = False,
                context: RenderContext | None = None) -> str:
    """A kernel-free quiz: native form controls, a Check and a Try again button,
    feedback in an ``aria-live`` region, the explanation once answered.

    With ``reveal`` (presenter exports) the right answer and explanation show
    from the start.
    """
    esc = html.escape
    context = context or RenderContext.load()
    prompt = context.markdown(question.prompt)
    controls = []
    if question.type == "numeric":
        unit = f" <span>{esc(question.unit)}</span>" if question.unit else ""
        controls.append(
            f'<label for="{element_id}-value">Your answer:</label> '
            f'<input type="number" step="any" id="{element_id}-value" name="{element_id}-value">{unit}'
        )
    else:
        kind = "checkbox" if question.type == "multiple" else "radio"
        for index, option in enumerate(question.options):
            controls.append(
                f'<label for="{element_id}-opt{index}"><input type="{kind}" name="{element_id}" '
                f'id="{element_id}-opt{index}" value="{index}"> {context.markdown(option.text)}</label>'
            )
    payload = base64.b64encode(json.dumps(question.payload()).encode()).decode()
    hint = " (tick all that apply)" if question.type == "multiple" else ""
    explanation = f"{context.markdown(question.explanation)} {context.source_html(question.source)}"
    answer_note = ""
    if reveal:
        answer_note = (f'<p class="ankl-answer"><strong>Answer:</strong> '
                       f'{esc(question.correct_answer_text())}</p>')
    hidden = "" if reveal else " hidden"
    script = context.script
    return (
        f"<style>{_STYLE}</style>"
        f'<form class="ankl-quiz" id="{element_id}" data-ankl-quiz="{payload}" '
        f'onsubmit="return false">'
        f'<fieldset><legend>Question{hint}</legend>'
        f'<div class="ankl-prompt" id="{element_id}-prompt">{prompt}</div>'
        f'<div role="group" aria-labelledby="{element_id}-prompt">{"".join(controls)}</div>'
        f'<button type="button" class="ankl-check">Check</button>'
        f'<button type="button" class="ankl-retry" hidden>Try again</button>'
        f'<div class="ankl-feedback" role="status" aria-live="polite" id="{element_id}-feedback"></div>'
        f"{answer_note}"
        f'<div class="ankl-explanation"{hidden} id="{element_id}-explanation">{explanation}</div>'
        f"</fieldset></form>"
        f"<script>{script}</script>"
    )


class QuizDisplay:
    """What a notebook cell shows for one or more questions: a live widget in
    JupyterLab, and the same questions as self-contained HTML for exports."""

    def __init__(self, session: QuizSession, questions: list[Question], first_index: int) -> None:
        self._session = session
        self._questions = questions
        self._ids = [f"ankl-quiz-{session.chapter}-{q.id}-{first_index + i}" for i, q in enumerate(questions)]
        self._widget: Any = None

    def html(self, reveal: bool | None = None) -> str:
        """The kernel-free rendering of every question in this display."""
        reveal = self._session.reveal if reveal is None else reveal
        pairs = zip(self._questions, self._ids, strict=True)
        context = self._session.context
        return "".join(static_html(question, element_id, reveal, context) for question, element_id in pairs)

    def widget(self) -> Any:
        """The ipywidgets view (built once, kept alive by this object)."""
        if self._widget is None:
            import ipywidgets as widgets

            self._widget = widgets.VBox([self._session.question_widget(q) for q in self._questions])
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget()._repr_mimebundle_() or {})
        bundle["text/html"] = self.html()
        bundle["text/plain"] = "Quiz: " + "; ".join(q.prompt for q in self._questions)
        return bundle


class QuizSession:
    """The quizzes of one notebook: shows questions and keeps the student's score.

    >>> quiz = QuizSession("01_nk_cell_biology")   # doctest: +SKIP
    >>> quiz.ask("missing-self")                    # doctest: +SKIP
    >>> quiz.score()                                # doctest: +SKIP
    """

    def __init__(self, chapter: str, bank: Bank | None = None, reveal: bool | None = None) -> None:
        self.chapter = chapter
        self.bank = bank or load_bank(bank_path(chapter))
        self.reveal = os.environ.get(TEACHER_ENV, "") not in ("", "0") if reveal is None else reveal
        self.results: dict[str, bool] = {}
        self._shown = 0
        self._score_labels: list[Any] = []
        self.context = RenderContext.load()

    def ask(self, *question_ids: str) -> QuizDisplay:
        """Show these questions (by id); with no id, nothing is guessed: an error."""
        if not question_ids:
            raise ValueError("ask() needs at least one question id")
        questions = [self.bank[qid] for qid in question_ids]
        display = QuizDisplay(self, questions, self._shown)
        self._shown += len(questions)
        return display

    def ask_section(self, section: str) -> QuizDisplay:
        """Show every question of a bank section."""
        questions = self.bank.section(section)
        if not questions:
            raise CourseDataError(self.bank.path, section, "no questions in this section")
        return self.ask(*(q.id for q in questions))

    def record(self, question_id: str, correct: bool) -> None:
        """Note an answer; a question counts as right once it has been answered right."""
        self.results[question_id] = self.results.get(question_id, False) or correct
        for label in self._score_labels:
            label.value = self.summary()

    def summary(self) -> str:
        """``answered / total, right`` in words."""
        total = len(self.bank.questions)
        answered = len(self.results)
        right = sum(self.results.values())
        return f"Quiz progress: {answered} of {total} questions answered, {right} answered correctly."

    def score(self) -> Any:
        """A live line with the student's progress in this chapter's quizzes."""
        import ipywidgets as widgets

        label = widgets.HTML(value=self.summary())
        self._score_labels.append(label)
        return ScoreDisplay(label, self.summary())

    def question_widget(self, question: Question) -> Any:
        """The live widget for one question: controls, Check, Try again, feedback, explanation."""
        import ipywidgets as widgets

        markdown = self.context.markdown
        prompt = widgets.HTML(value=f"<b>{markdown(question.prompt)}</b>")
        if question.type == "numeric":
            entry = widgets.Text(value="", placeholder="a number", description="Answer:",
                                 layout=widgets.Layout(width="16em"))
            controls: Any = widgets.HBox([entry, widgets.Label(question.unit)])

            def response() -> Any:
                return entry.value
        elif question.type == "multiple":
            boxes = [widgets.Checkbox(value=False, description=o.text, indent=False) for o in question.options]
            controls = widgets.VBox(boxes)

            def response() -> Any:
                return {i for i, box in enumerate(boxes) if box.value}
        else:
            labels = [o.text for o in question.options]
            radio = widgets.RadioButtons(options=list(enumerate(labels)), value=None,
                                         layout=widgets.Layout(width="auto"))
            radio.options = [(text, i) for i, text in enumerate(labels)]
            radio.value = None
            controls = radio

            def response() -> Any:
                return radio.value

        check = widgets.Button(description="Check", button_style="primary")
        retry = widgets.Button(description="Try again", layout=widgets.Layout(display="none"))
        feedback = widgets.HTML(value="")
        explanation = widgets.HTML(
            value=f"<div style='border-left:3px solid #0072B2;padding-left:0.6em'>"
                  f"{markdown(question.explanation)} {self.context.source_html(question.source)}</div>",
            layout=widgets.Layout(display="flex" if self.reveal else "none"),
        )

        def on_check(_: Any) -> None:
            result = question.check(response())
            colour = "#00613e" if result.correct else "#a3001b"
            feedback.value = f"<span style='color:{colour};font-weight:600'>{html.escape(result.feedback)}</span>"
            if not result.answered:
                return
            self.record(question.id, result.correct)
            explanation.layout.display = "flex"
            retry.layout.display = "inline-flex"

        def on_retry(_: Any) -> None:
            feedback.value = ""
            if not self.reveal:
                explanation.layout.display = "none"
            retry.layout.display = "none"

        check.on_click(on_check)
        retry.on_click(on_retry)
        return widgets.VBox([prompt, controls, widgets.HBox([check, retry]), feedback, explanation])


class ScoreDisplay:
    """The score line: live in JupyterLab; in exports, a line the page script keeps up to date."""

    def __init__(self, label: Any, text: str) -> None:
        self._label = label
        self._text = text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self._label._repr_mimebundle_() or {})
        bundle["text/html"] = (
            f'<p class="ankl-score" role="status" aria-live="polite">{html.escape(self._text)}</p>'
        )
        bundle["text/plain"] = self._text
        return bundle
