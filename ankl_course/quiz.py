"""The quiz engine: question banks in data files, shown as live widgets and as kernel-free HTML.

Why it is built this way:

* Teachers edit questions without Python, so each chapter's bank is a TOML
  file in ``data/quizzes/`` and :func:`load_bank` rejects a bad one with the
  file, the question id and the problem.
* One front end: the same forms and the same script (``quiz_static.js``) run
  in JupyterLab, as an anywidget whose records sync to Python, and in exported
  pages and decks, which have no kernel: every quiz output carries the widget
  view and a self-contained ``text/html`` rendering; exports put ``text/html``
  first and the quiz works offline. Python judges too (``Question.check``), for
  the grader; ``tests/test_quiz_agreement.py`` holds the two to one verdict.
* Element ids derive from the chapter, question id and display order, never
  from ``id()`` or randomness, so nbval sees identical outputs on every run.
* Authors write the right option first; :func:`arrange` reorders the options
  of every choice question when the bank loads, deterministically (seeded by
  chapter and question id) and balanced over the bank, so the live widget, the
  exported page, the presenter build and the LMS export all show one order and
  the right answer's position is no cue.
* One set of rules (``quiz_rules.py``, mirrored by ``quiz_static.js``) says
  what a Check or "Show answer" does: the first answer counts, the
  explanation follows a right answer or a shown one, and every answer is kept
  (``progress.py`` in JupyterLab, localStorage in exported pages).

Question types: ``single``, ``multiple``, ``truefalse`` and ``numeric``
(tolerance or range, unit stated). Every question has an explanation and a
``source`` citation key from ``data/references.toml``; numeric answers may
come straight from the facts registry (``fact = "fujimoto2021.os_1y"``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import os
import random
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .datafile import check_top_level, read_toml
from .errors import CourseDataError
from .facts import CITATION, Fact, keys_in_text, load_facts, load_references, render
from .interactive import EXPORT_ENV
from .progress import ProgressStore, ProgressTable
from .quiz_rules import NOT_A_NUMBER, Record, Score, parse_number
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
    chapter: str = ""
    options: tuple[Option, ...] = ()
    answer: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    feedback_correct: str = ""
    feedback_low: str = ""
    feedback_high: str = ""

    @property
    def key(self) -> str:
        """``chapter/id``: names the question across the course (progress records, warm-ups)."""
        return f"{self.chapter}/{self.id}"

    # -- checking (quiz_static.js applies the same rules; tests/test_quiz_agreement.py) --

    def check(self, response: Any) -> Result:
        """Judge a response: an option index as displayed (single, truefalse), a collection of
        indices (multiple) or the text typed (numeric). Malformed input is "nothing to judge"."""
        if self.type in ("single", "truefalse"):
            return self._check_single(response)
        if self.type == "multiple":
            return self._check_multiple(response)
        return self._check_numeric(response)

    def _index(self, value: Any) -> int | None:
        """An option index, or None; 2.0 counts as 2 (JSON and JavaScript do not tell them apart)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if isinstance(value, float) and not value.is_integer():
            return None
        return int(value) if 0 <= value < len(self.options) else None

    def _check_single(self, response: Any) -> Result:
        index = self._index(response)
        if index is None:
            return Result(False, "Choose one answer first.", answered=False)
        option = self.options[index]
        verdict = "Correct." if option.correct else "Not quite."
        return Result(option.correct, f"{verdict} {option.feedback}".strip())

    def _check_multiple(self, response: Any) -> Result:
        items = list(response) if isinstance(response, list | tuple | set | frozenset) else []
        indices = [self._index(item) for item in items]
        chosen = {index for index in indices if index is not None}
        if not chosen or len(chosen) != len(items):
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
        number = parse_number(response, self.unit)
        if number is None:
            return Result(False, NOT_A_NUMBER, answered=False)
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
                low=self.low, high=self.high, unit=self.unit, correct=self.feedback_correct,
                tooLow=self.feedback_low, tooHigh=self.feedback_high,
            )
        else:
            data["options"] = [[o.correct, o.feedback] for o in self.options]
        return data


@dataclass(frozen=True)
class Bank:
    """A chapter's question bank, with the questions its page borrows from earlier chapters.

    ``warmup``: ``chapter/id`` of 2 or 3 earlier questions that open the chapter
    (retrieval practice). ``pretest``: the questions of chapter 00's pre-test.
    ``posttest``: the chapter whose pre-test this chapter repeats at its end.
    """

    chapter: str
    path: Path
    questions: dict[str, Question] = field(default_factory=dict)
    title: str = ""
    warmup: tuple[str, ...] = ()
    pretest: tuple[str, ...] = ()
    posttest: str = ""

    def posttest_keys(self) -> list[str]:
        """The pre-test questions this chapter repeats as its post-test (none without ``posttest``)."""
        return list(load_bank(bank_path(self.posttest)).pretest) if self.posttest else []

    def page_keys(self) -> list[str]:
        """Every question the chapter's page shows, in page order: warm-up, pre-test, own, post-test."""
        own = [q.key for q in self.questions.values()]
        return list(dict.fromkeys([*self.warmup, *self.pretest, *own, *self.posttest_keys()]))

    def __getitem__(self, question_id: str) -> Question:
        try:
            return self.questions[question_id]
        except KeyError:
            raise CourseDataError(self.path, question_id, "no such question in this bank") from None

    def section(self, name: str) -> list[Question]:
        """The questions of one section, in bank order."""
        return [q for q in self.questions.values() if q.section == name]

    def shown_by(self, call: str, name: str = "") -> int:
        """How many questions a quiz call of the chapter shows (``ask_section`` with the section's
        name, ``warm_up``, ``pre_test`` or ``post_test``): the slide check counts them."""
        chosen = {"ask_section": lambda: self.section(name), "warm_up": lambda: self.warmup,
                  "pre_test": lambda: self.pretest, "post_test": self.posttest_keys}[call]()
        return len(chosen)

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
    check_top_level(path, raw, {"chapter", "title", "question", "warmup", "pretest", "posttest"})
    entries = raw.get("question", [])
    if not isinstance(entries, list) or not entries:
        raise CourseDataError(path, "", "a bank needs at least one [[question]]")
    questions: dict[str, Question] = {}
    for number, entry in enumerate(entries, start=1):
        question = replace(_parse_question(path, number, entry, facts, references), chapter=chapter)
        if question.id in questions:
            raise CourseDataError(path, f"question {question.id}", "duplicate question id")
        questions[question.id] = question
    posttest = raw.get("posttest", "")
    if not isinstance(posttest, str):
        raise CourseDataError(path, "posttest", "posttest names a chapter, e.g. posttest = \"00_welcome\"")
    return Bank(chapter=chapter, path=path, questions=arrange(chapter, questions), title=str(raw.get("title", "")),
                warmup=_refs(path, raw, "warmup"), pretest=_refs(path, raw, "pretest"), posttest=posttest)


def _refs(path: Path, raw: dict[str, Any], name: str) -> tuple[str, ...]:
    """A list of ``chapter/question-id`` references (checked against the banks by ``ankl-course check``)."""
    refs = raw.get(name, [])
    if not isinstance(refs, list) or not all(isinstance(r, str) and r.count("/") == 1 for r in refs):
        example = '["01_nk_cell_biology/ilc-family"]'
        raise CourseDataError(path, name, f'a list of "chapter/question-id" texts, e.g. {example}')
    return tuple(refs)


def resolve(ref: str, facts: dict[str, Fact] | None = None) -> Question:
    """The question a ``chapter/question-id`` reference names."""
    chapter, qid = ref.split("/", 1)
    return load_bank(bank_path(chapter), facts=facts)[qid]


# -- option order ------------------------------------------------------------------


def _rng(chapter: str, qid: str) -> random.Random:
    """A random generator seeded by chapter and question id: the same order on every run and machine."""
    return random.Random(int.from_bytes(hashlib.sha256(f"{chapter}/{qid}".encode()).digest()[:8], "big"))


def arrange(chapter: str, questions: dict[str, Question]) -> dict[str, Question]:
    """The questions with their options in display order.

    Single-choice: the right option goes to the position used least so far in
    this bank (ties drawn by the question's seed), the others are shuffled
    into the remaining places, so "always pick the first" scores about one in
    the number of options. Multiple choice: a seeded shuffle. True/false keeps
    True before False.
    """
    used: dict[int, int] = {}
    arranged = {}
    for qid, question in questions.items():
        rng = _rng(chapter, qid)
        options = list(question.options)
        if question.type == "multiple":
            rng.shuffle(options)
        elif question.type == "single":
            right = next(o for o in options if o.correct)
            wrong = [o for o in options if not o.correct]
            rng.shuffle(wrong)
            places = list(range(len(options)))
            rng.shuffle(places)
            spot = min(places, key=lambda place: used.get(place, 0))
            used[spot] = used.get(spot, 0) + 1
            options = wrong[:spot] + [right] + wrong[spot:]
        arranged[qid] = replace(question, options=tuple(options))
    return arranged


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
    answer: Any
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


        rendered = str(mistune.html(render(text, self.references, self.facts))).strip()
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

    def assets(self) -> str:
        """The quiz CSS and script, which a page needs once (the script wires every quiz on it)."""
        return f"<style>{_STYLE}</style><script>{self.script}</script>"

    def reveal_html(self, question: Question) -> str:
        """The right answer and the explanation with its source."""
        return (f'<p class="ankl-answer"><strong>Answer:</strong> {html.escape(question.correct_answer_text())}</p>'
                f"<div>{self.markdown(question.explanation)} {self.source_html(question.source)}</div>")


_SCRIPT_PATH = Path(__file__).with_name("quiz_static.js")
#: Appended to quiz_static.js to make it the live widget's ES module (anywidget).
_ESM_EXPORT = "\nexport default { render({ model, el }) { globalThis.anklQuiz.renderWidget(model, el); } };\n"


@functools.cache
def quiz_widget_class() -> type:
    """The live quiz widget class (built on first use: importing anywidget costs time ``check`` does not need)."""
    import anywidget
    import traitlets

    class QuizWidget(anywidget.AnyWidget):
        """Quiz forms in JupyterLab, driven by quiz_static.js; ``records`` syncs every answer to Python."""

        _esm = _SCRIPT_PATH.read_text(encoding="utf-8") + _ESM_EXPORT
        _css = _STYLE
        html = traitlets.Unicode("").tag(sync=True)
        records = traitlets.Dict().tag(sync=True)

    return QuizWidget
_STYLE = (
    ".ankl-quiz{border:1px solid #c8c8c8;border-radius:6px;padding:0.6em 1em;margin:0.8em 0;"
    "max-width:46em;font-size:1em;text-align:left}"
    ".ankl-quiz legend{font-weight:600;padding:0 0.3em}"
    ".ankl-quiz label{display:block;margin:0.25em 0;cursor:pointer}"
    ".ankl-quiz button{margin:0.4em 0.4em 0.2em 0;padding:0.25em 0.9em;font-size:0.95em;cursor:pointer}"
    ".ankl-quiz .ankl-feedback{margin-top:0.3em;font-weight:600}"
    ".ankl-quiz .ankl-feedback.ankl-right{color:#00613e}.ankl-quiz .ankl-feedback.ankl-wrong{color:#a3001b}"
    ".ankl-quiz .ankl-reveal{margin-top:0.3em;border-left:3px solid #0072B2;padding-left:0.6em}"
    ".ankl-quiz input[type=text]{width:8em}"
    ".ankl-progress{border-collapse:collapse;margin:0.6em 0}"
    ".ankl-progress th,.ankl-progress td{border:1px solid #c8c8c8;padding:0.2em 0.6em;text-align:right}"
    ".ankl-progress th:first-child,.ankl-progress td:first-child{text-align:left}"
)


def _b64(data: Any) -> str:
    return base64.b64encode(json.dumps(data, sort_keys=True).encode()).decode()


def static_html(question: Question, element_id: str, reveal: bool = False,
                context: RenderContext | None = None, chapter: str = "") -> str:
    """A kernel-free quiz: native form controls, Check and "Show answer" buttons,
    feedback in an ``aria-live`` region, the answer and explanation once earned.

    ``chapter`` is the page the quiz is on (its answers are stored under it).
    With ``reveal`` (presenter exports) the right answer and explanation show
    from the start. The page's CSS and script come separately, once per page
    (:meth:`RenderContext.assets`).
    """
    esc = html.escape
    context = context or RenderContext.load()
    prompt = context.markdown(question.prompt)
    controls = []
    if question.type == "numeric":
        unit = f" <span>{esc(question.unit)}</span>" if question.unit else ""
        controls.append(
            f'<label for="{element_id}-value">Your answer:</label> '
            f'<input type="text" inputmode="decimal" autocomplete="off" id="{element_id}-value" '
            f'name="{element_id}-value">{unit}'
        )
    else:
        kind = "checkbox" if question.type == "multiple" else "radio"
        for index, option in enumerate(question.options):
            controls.append(
                f'<label for="{element_id}-opt{index}"><input type="{kind}" name="{element_id}" '
                f'id="{element_id}-opt{index}" value="{index}"> {esc(option.text)}</label>'
            )
    payload = _b64({**question.payload(), "chapter": chapter or question.chapter, "key": question.key})
    hint = " (tick all that apply)" if question.type == "multiple" else ""
    hidden = "" if reveal else " hidden"
    teacher = ' data-ankl-teacher="1"' if reveal else ""
    return (
        f'<form class="ankl-quiz" id="{element_id}" data-ankl-quiz="{payload}"{teacher} '
        f'onsubmit="return false">'
        f'<fieldset><legend>Question{hint}</legend>'
        f'<div class="ankl-prompt" id="{element_id}-prompt">{prompt}</div>'
        f'<div role="group" aria-labelledby="{element_id}-prompt">{"".join(controls)}</div>'
        f'<button type="button" class="ankl-check">Check</button>'
        f'<button type="button" class="ankl-show">Show answer</button>'
        f'<div class="ankl-feedback" role="status" aria-live="polite" id="{element_id}-feedback"></div>'
        f'<div class="ankl-reveal"{hidden} id="{element_id}-explanation">{context.reveal_html(question)}</div>'
        f"</fieldset></form>"
    )


class QuizDisplay:
    """What a notebook cell shows for one or more questions: a live widget in
    JupyterLab, and the same questions as self-contained HTML for exports."""

    def __init__(self, session: QuizSession, questions: list[Question], first_index: int) -> None:
        self._session = session
        self._questions = questions
        self._ids = [f"ankl-quiz-{session.chapter}-{q.id}-{first_index + i}" for i, q in enumerate(questions)]
        self._widget: Any = None
        self._assets = session.take_assets()
        self._forms: dict[bool, str] = {}

    def forms(self, reveal: bool | None = None) -> str:
        """The quiz forms of this display (rendered once per reveal setting)."""
        reveal = self._session.reveal if reveal is None else reveal
        if reveal not in self._forms:
            pairs = zip(self._questions, self._ids, strict=True)
            context, chapter = self._session.context, self._session.chapter
            self._forms[reveal] = "".join(static_html(question, element_id, reveal, context, chapter)
                                          for question, element_id in pairs)
        return self._forms[reveal]

    def html(self, reveal: bool | None = None) -> str:
        """The kernel-free rendering of every question in this display (with the page script if first)."""
        return self._assets + self.forms(reveal)

    def widget(self) -> Any:
        """The live view: one anywidget rendering the same forms with the same script as the exported
        page, its records synced to Python (built once, kept alive by this object)."""
        if self._widget is None:
            session, questions = self._session, self._questions
            records = {q.key: session.records[q.key].to_json() for q in questions if q.key in session.records}
            self._widget = quiz_widget_class()(html=self.forms(), records=records)
            self._widget.observe(lambda change: session.accept(questions, change["new"]), names="records")
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = _widget_bundle(self.widget())
        bundle["text/html"] = self.html()
        bundle["text/plain"] = "Quiz: " + "; ".join(q.prompt for q in self._questions)
        return bundle


def _widget_bundle(widget: Any) -> dict[str, Any]:
    """A widget's display data (anywidget returns it with its metadata, as a pair)."""
    found = widget._repr_mimebundle_()
    if isinstance(found, tuple):
        found = found[0]
    return dict(found or {})


def chapter_pages() -> list[tuple[str, str, list[str]]]:
    """(chapter, title, question keys shown on its page) for every chapter with a question bank."""
    pages = []
    for path in sorted(data_path("quizzes").glob("*.toml")):
        bank = load_bank(bank_path(path.stem))
        pages.append((bank.chapter, bank.title, bank.page_keys()))
    return pages


def _default_store() -> Any:
    """The workspace's progress file; none while ``ankl-course build`` executes a chapter."""
    return None if os.environ.get(EXPORT_ENV) else ProgressStore.default()


_DEFAULT: Any = object()


class QuizSession:
    """The quizzes of one notebook: shows questions, keeps every answer, and the score.

    >>> quiz = QuizSession("01_nk_cell_biology")   # doctest: +SKIP
    >>> quiz.warm_up()                              # doctest: +SKIP
    >>> quiz.ask("missing-self")                    # doctest: +SKIP
    >>> quiz.score()                                # doctest: +SKIP

    Answers are stored in the workspace's progress file (``store``; None keeps
    them in memory only), so a restarted kernel shows them again.
    """

    def __init__(self, chapter: str, bank: Bank | None = None, reveal: bool | None = None,
                 store: Any = _DEFAULT) -> None:
        self.chapter = chapter
        self.bank = bank or load_bank(bank_path(chapter))
        self.reveal = os.environ.get(TEACHER_ENV, "") not in ("", "0") if reveal is None else reveal
        self.store = _default_store() if store is _DEFAULT else store
        self.records: dict[str, Record] = {}
        if self.store is not None:
            self.records = dict(self.store.read().get(chapter, {}))
        self._shown = 0
        self._scores: list[tuple[Any, Any]] = []
        self._assets_due = True
        self.context = RenderContext.load()
        # Questions borrowed from other banks (warm-up, pre- and post-test), loaded with the bank, not when shown.
        borrowed = [*self.bank.warmup, *self.bank.pretest, *self.bank.posttest_keys()]
        self._borrowed = {ref: resolve(ref, self.context.facts) for ref in borrowed}

    def take_assets(self) -> str:
        """The page's quiz CSS and script for the first quiz output of this notebook, then nothing."""
        due, self._assets_due = self._assets_due, False
        return self.context.assets() if due else ""

    def _question(self, ref: str) -> Question:
        if "/" in ref:
            chapter, qid = ref.split("/", 1)
            if chapter != self.bank.chapter:
                return self._borrowed[ref] if ref in self._borrowed else resolve(ref, self.context.facts)
            ref = qid
        return self.bank[ref]

    def ask(self, *question_ids: str) -> QuizDisplay:
        """Show these questions (ids of this chapter's bank, or ``chapter/id`` of another's)."""
        if not question_ids:
            raise ValueError("ask() needs at least one question id")
        questions = [self._question(qid) for qid in question_ids]
        display = QuizDisplay(self, questions, self._shown)
        self._shown += len(questions)
        return display

    def ask_section(self, section: str) -> QuizDisplay:
        """Show every question of a bank section."""
        questions = self.bank.section(section)
        if not questions:
            raise CourseDataError(self.bank.path, section, "no questions in this section")
        return self.ask(*(q.id for q in questions))

    def warm_up(self) -> QuizDisplay:
        """The chapter's warm-up: earlier chapters' questions chosen in the bank (``warmup = [...]``)."""
        if not self.bank.warmup:
            raise CourseDataError(self.bank.path, "warmup", "this bank chooses no warm-up questions")
        return self.ask(*self.bank.warmup)

    def pre_test(self) -> QuizDisplay:
        """Chapter 00's pre-test (``pretest = [...]``)."""
        if not self.bank.pretest:
            raise CourseDataError(self.bank.path, "pretest", "this bank has no pre-test")
        return self.ask(*self.bank.pretest)

    def post_test(self) -> QuizDisplay:
        """The pre-test's questions again, at the end of the course (``posttest = "00_welcome"``)."""
        keys = self.bank.posttest_keys()
        if not keys:
            raise CourseDataError(self.bank.path, "posttest", "this bank repeats no pre-test")
        return self.ask(*keys)

    def record(self, question: Question, record: Record) -> None:
        """Keep a question's new record (in the progress file too) and refresh the score lines."""
        self.records[question.key] = record
        if self.store is not None:
            self.store.update(self.chapter, question.key, record)
        for label, spec in self._scores:
            label.value = self._score_text(spec)

    def _score_text(self, spec: dict[str, Any]) -> str:
        if spec["chapter"] == self.chapter:
            records = self.records
        else:
            records = self.store.read().get(spec["chapter"], {}) if self.store is not None else {}
        found = [records[key] for key in spec["keys"] if key in records]
        return Score.of(found, len(spec["keys"])).text(spec["label"])

    def summary(self) -> str:
        """The score line for every question of this chapter's page."""
        return self._score_text(self._page_spec())

    def _page_spec(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "keys": self.bank.page_keys(), "label": "Quiz progress"}

    def score(self) -> ScoreDisplay:
        """A live line with the student's progress in this chapter's quizzes."""
        return self._score_display(self._page_spec())

    def compare_with_pretest(self) -> Any:
        """Two score lines: the pre-test of chapter 00 then and the same questions now."""
        keys = self.bank.posttest_keys()
        if not keys:
            raise CourseDataError(self.bank.path, "posttest", "this bank repeats no pre-test")
        return _Both(self._score_display({"chapter": self.bank.posttest, "keys": keys, "label": "Pre-test"}),
                     self._score_display({"chapter": self.chapter, "keys": keys, "label": "Post-test"}))

    def progress_table(self) -> Any:
        """The per-chapter progress table (the same as ``ankl-course progress``)."""
        return ProgressTable(self.store, chapter_pages(), self.take_assets())

    def _score_display(self, spec: dict[str, Any]) -> ScoreDisplay:
        import ipywidgets as widgets

        label = widgets.HTML(value=self._score_text(spec))
        self._scores.append((label, spec))
        return ScoreDisplay(label, spec, self.take_assets())

    def accept(self, questions: list[Question], records: dict[str, Any]) -> None:
        """Take the records a live widget reports (its front end judged with the shared rules) and keep
        those that changed; a malformed one is ignored with a warning."""
        for question in questions:
            raw = records.get(question.key)
            if raw is None:
                continue
            try:
                record = Record.from_json(raw)
            except ValueError as exc:
                warnings.warn(f"quiz {question.key}: ignored a malformed answer record ({exc})", stacklevel=2)
                continue
            if record != self.records.get(question.key):
                self.record(question, record)


class ScoreDisplay:
    """A score line: live in JupyterLab; in exports, a line the page script fills from localStorage."""

    def __init__(self, label: Any, spec: dict[str, Any], assets: str = "") -> None:
        self._label = label
        self._spec = spec
        self._assets = assets

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self._label._repr_mimebundle_() or {})
        text = html.escape(self._label.value)
        bundle["text/html"] = (f'{self._assets}<p class="ankl-score" role="status" aria-live="polite" '
                               f'data-ankl-score="{_b64(self._spec)}">{text}</p>')
        bundle["text/plain"] = self._label.value
        return bundle


class _Both:
    """Two displays shown as one output."""

    def __init__(self, first: Any, second: Any) -> None:
        self._parts = (first, second)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        import ipywidgets as widgets

        bundles = [part._repr_mimebundle_() for part in self._parts]
        box = widgets.VBox([part._label for part in self._parts])
        bundle = dict(box._repr_mimebundle_() or {})
        bundle["text/html"] = "".join(b["text/html"] for b in bundles)
        bundle["text/plain"] = "\n".join(b["text/plain"] for b in bundles)
        return bundle
