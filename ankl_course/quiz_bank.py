"""Question banks: the data model of a chapter's questions, their validation, and their option order.

Why it is built this way:

* Teachers edit questions without Python, so each chapter's bank is a TOML
  file in ``data/quizzes/`` and :func:`load_bank` rejects a bad one with the
  file, the question id and the problem.
* Authors write the right option first; :func:`arrange` reorders the options
  of every choice question when the bank loads, deterministically (seeded by
  chapter and question id) and balanced over the bank, so the live widget, the
  exported page, the presenter build and the LMS export all show one order and
  the right answer's position is no cue.
* Python judges here (:meth:`Question.check`) for the grader; the page script
  (``quiz_static.js``) judges in the browser by the same rules
  (``quiz_rules.py``), and ``tests/test_quiz_agreement.py`` holds the two to
  one verdict.

Question types: ``single``, ``multiple``, ``truefalse`` and ``numeric``
(tolerance or range, unit stated). Every question has an explanation and a
``source`` citation key from ``data/references.toml``; numeric answers may
come straight from the facts registry (``fact = "fujimoto2021.os_1y"``).
Showing questions is ``quiz_render.py`` (HTML) and ``quiz.py`` (the session).
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .citations import CITATION, Fact, load_facts, load_references
from .datafile import check_top_level, read_toml
from .errors import CourseDataError
from .facts import keys_in_text, render
from .quiz_rules import NOT_A_NUMBER, parse_number
from .resources import data_path

TYPES = ("single", "multiple", "truefalse", "numeric")
QUESTION_FIELDS = {
    "id", "type", "prompt", "explanation", "source", "section", "options", "answer", "fact",
    "tolerance", "range", "unit", "feedback_true", "feedback_false", "feedback_correct",
    "feedback_low", "feedback_high",
}
OPTION_FIELDS = {"text", "correct", "feedback"}
#: A Markdown link (citations render as ``[Author, year](#ref-key)``) and emphasis, for plain-text feedback.
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
EMPHASIS = re.compile(r"(\*\*|\*|`)(.+?)\1")
#: An option's own verdict at the start of its feedback ("No: ..."), which the course's verdict replaces.
OWN_VERDICT = {True: re.compile(r"^(?:yes|right|correct)\s*[:.]\s*", re.IGNORECASE),
               False: re.compile(r"^(?:no|not quite)\s*[:.]\s*", re.IGNORECASE)}


def verdict_feedback(correct: bool, feedback: str) -> str:
    """What a student reads after choosing one option: the course's verdict, then the option's feedback.

    Why: authors open option feedback with "Yes:" or "No:" so that it reads on its own (in a teacher
    export, a multiple-choice note, an LMS file), and the verdict before it made "Not quite. No: ...".
    A leading verdict that agrees with the option's correctness is dropped here, in one place for the
    kernel and the pages; one that disagrees ("Yes: true, but ...") is kept, as it says something.
    """
    verdict = "Correct." if correct else "Not quite."
    rest = OWN_VERDICT[correct].sub("", feedback, count=1)
    if rest != feedback and rest[:1].islower():
        rest = rest[0].upper() + rest[1:]
    return f"{verdict} {rest}".strip()


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
    #: Citation keys the feedback texts used before they were filled in (for the reference list).
    feedback_keys: tuple[str, ...] = ()

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
        return Result(option.correct, verdict_feedback(option.correct, option.feedback))

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
            # A single answer's whole feedback (verdict included) is made here; several ticked
            # answers are judged in the script, with each option's own feedback as a note.
            single = self.type != "multiple"
            data["options"] = [[o.correct, verdict_feedback(o.correct, o.feedback) if single else o.feedback]
                               for o in self.options]
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
            keys += question.feedback_keys
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


def chapter_pages() -> list[tuple[str, str, list[str]]]:
    """(chapter, title, question keys shown on its page) for every chapter with a question bank."""
    pages = []
    for path in sorted(data_path("quizzes").glob("*.toml")):
        bank = load_bank(bank_path(path.stem))
        pages.append((bank.chapter, bank.title, bank.page_keys()))
    return pages


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
        question = Question(**common, **_parse_numeric(path, where, entry, facts))
    elif kind == "truefalse":
        if not isinstance(entry.get("answer"), bool):
            raise CourseDataError(path, where, "a truefalse question needs answer = true or false")
        truth = entry["answer"]
        options = (
            Option("True", truth, str(entry.get("feedback_true", ""))),
            Option("False", not truth, str(entry.get("feedback_false", ""))),
        )
        question = Question(**common, options=options)
    else:
        question = Question(**common, options=_parse_options(path, where, kind, entry))
    return _fill_feedback(path, where, question, facts, references)


def _fill_feedback(path: Path, where: str, question: Question, facts: dict[str, Fact],
                   references: dict[str, Any]) -> Question:
    """The question with ``{fact}``, ``{claim:...}`` and ``[@key]`` filled in its feedback texts.

    Feedback appears as plain text (the page script sets it as text, and the
    grader prints it), so a placeholder left in it reached the student as
    ``{fujimoto2021.os_5y}``. It is filled here, once, for every view: the
    number with its citation in words, ``(Fujimoto et al., 2021)``.
    """
    raw = [o.feedback for o in question.options]
    raw += [question.feedback_correct, question.feedback_low, question.feedback_high]
    if not any("{" in text or "[@" in text for text in raw):
        return question

    def plain(text: str) -> str:
        if "{" not in text and "[@" not in text:
            return text
        try:
            rendered = render(text, references, facts)
        except CourseDataError as exc:
            raise CourseDataError(path, f"{where}: feedback", f"{exc.location}: {exc.message}") from None
        return EMPHASIS.sub(r"\2", MARKDOWN_LINK.sub(r"\1", rendered))

    return replace(
        question,
        options=tuple(replace(o, feedback=plain(o.feedback)) for o in question.options),
        feedback_correct=plain(question.feedback_correct), feedback_low=plain(question.feedback_low),
        feedback_high=plain(question.feedback_high),
        feedback_keys=tuple(keys_in_text("\n".join(raw), facts)),
    )


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
