"""``ankl-course export-quiz``: the course's question banks for Moodle, as GIFT or Moodle XML.

Why: teachers run their courses in a learning platform and want the same
questions there, with the same per-option feedback and explanations, without
retyping them. Each bank in ``data/quizzes/`` becomes one file per format,
with a category named after the chapter.

How the course's question types map to Moodle:

* ``single`` -> multichoice, one answer (100% / 0%); ``multiple`` -> multichoice
  with several answers: each right option scores 100/n%, each wrong option
  -100/m%, so ticking everything scores nothing (Moodle accepts only its own
  list of grade fractions, which covers n, m up to 10; a bank with more is
  refused with the question named);
* ``truefalse`` -> truefalse, with the feedback for True and for False;
* ``numeric`` -> numerical: the accepted interval as answer +/- tolerance, the
  unit stated in the question text, the "too low"/"too high" feedback as the
  feedback for any other answer (Moodle has no direction-specific feedback).

Texts are Markdown in the banks; they are written as HTML, with ``[@key]``
citations and fact placeholders resolved to plain text ("Fujimoto et al.,
2021") because in-page reference links have nowhere to go inside an LMS. The
explanation and the full reference of the source become the general feedback.
"""

from __future__ import annotations

import argparse
import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .citations import Reference, load_facts, load_references
from .errors import CourseDataError
from .facts import render
from .htmlkit import escape, inline_markdown
from .quiz_bank import Bank, Question, load_bank
from .resources import data_path

FORMATS = ("gift", "moodle-xml")
SUFFIX = {"gift": ".gift.txt", "moodle-xml": ".moodle.xml"}
#: Moodle's grade fractions for 1/n of the mark (question/format.php matches imported grades to this list).
FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667", 7: "14.28571",
             8: "12.5", 9: "11.11111", 10: "10"}
#: In-text reference links that facts.render writes: ``<a href="#ref-key">Label</a>``.
REF_ANCHOR = re.compile(r'<a href="#ref-[^"]*">(.*?)</a>')
#: GIFT's control characters; a backslash before one makes it literal (backslash itself first).
GIFT_SPECIAL = "\\~=#{}:"


@dataclass(frozen=True)
class Answer:
    """One answer as an LMS stores it: text, fraction of the mark (percent, as text), feedback."""

    text: str
    fraction: str
    feedback: str
    tolerance: str = ""


@dataclass(frozen=True)
class Item:
    """A question ready for either format: Moodle type, HTML texts, answers."""

    name: str
    idnumber: str
    qtype: str  # multichoice | truefalse | numerical
    text: str
    general_feedback: str
    answers: tuple[Answer, ...]
    single: bool = True
    correct_is_true: bool = True


def bank_paths() -> list[Path]:
    """Every question bank of the course, in chapter order."""
    return sorted(data_path("quizzes").glob("*.toml"))


def lms_html(text: str) -> str:
    """Bank Markdown to inline HTML, citations as plain text (see the module docstring)."""
    return REF_ANCHOR.sub(r"\1", inline_markdown(render(text)))


def _number(value: float) -> str:
    return f"{value:.10g}"


def _general_feedback(question: Question, references: dict[str, Reference]) -> str:
    source = references[question.source]
    link = source.link()
    cited = f'<a href="{link}">{escape(source.full())}</a>' if link else escape(source.full())
    return f"<p>{lms_html(question.explanation)}</p><p>Source: {cited}</p>"


def _choice_answers(bank: Bank, question: Question) -> tuple[Answer, ...]:
    right = [o for o in question.options if o.correct]
    wrong = [o for o in question.options if not o.correct]
    if question.type == "single":
        return tuple(Answer(lms_html(o.text), "100" if o.correct else "0", lms_html(o.feedback))
                     for o in question.options)
    for count, kind in ((len(right), "right"), (len(wrong), "wrong")):
        if count > len(FRACTIONS):
            raise CourseDataError(bank.path, f"question {question.id}",
                                  f"{count} {kind} options: Moodle's grade list allows at most {len(FRACTIONS)}")
    answers = []
    for option in question.options:
        fraction = FRACTIONS[len(right)] if option.correct else "-" + FRACTIONS[len(wrong)]
        answers.append(Answer(lms_html(option.text), fraction, lms_html(option.feedback)))
    return tuple(answers)


def to_item(bank: Bank, question: Question, references: dict[str, Reference]) -> Item:
    """Map one course question to its Moodle form."""
    item = functools.partial(Item, name=f"{bank.chapter} {question.id}", idnumber=f"{bank.chapter}-{question.id}",
                             general_feedback=_general_feedback(question, references))
    prompt = lms_html(question.prompt)
    if question.type == "numeric":
        assert question.low is not None and question.high is not None
        middle = (question.low + question.high) / 2
        tolerance = (question.high - question.low) / 2
        unit = f" (answer in {escape(question.unit)})" if question.unit else ""
        correct = " ".join(filter(None, ["Correct.", lms_html(question.feedback_correct)]))
        other = " ".join(filter(None, [
            f"Below the accepted range: {lms_html(question.feedback_low)}" if question.feedback_low else "",
            f"Above the accepted range: {lms_html(question.feedback_high)}" if question.feedback_high else "",
        ])) or "Not quite."
        answers = (
            Answer(_number(middle), "100", correct, tolerance=_number(tolerance)),
            Answer("*", "0", other),
        )
        return item(qtype="numerical", text=prompt + unit, answers=answers)
    if question.type == "truefalse":
        true_option, false_option = question.options
        answers = (
            Answer("true", "100" if true_option.correct else "0", lms_html(true_option.feedback)),
            Answer("false", "100" if false_option.correct else "0", lms_html(false_option.feedback)),
        )
        return item(qtype="truefalse", text=prompt, answers=answers, correct_is_true=true_option.correct)
    return item(qtype="multichoice", text=prompt, answers=_choice_answers(bank, question),
                single=question.type == "single")


# -- GIFT ------------------------------------------------------------------------


def gift_escape(text: str) -> str:
    """Make text literal in GIFT: backslash before ~ = # { } : and backslash, newlines as \\n."""
    for char in GIFT_SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def gift_question(item: Item) -> str:
    """One question in GIFT, HTML texts marked ``[html]``."""
    esc = gift_escape
    head = f"::{esc(item.name)}::[html]{esc(item.text)}"
    general = f"\n\t####{esc(item.general_feedback)}"
    if item.qtype == "truefalse":
        true_answer, false_answer = item.answers
        right, wrong = (true_answer, false_answer) if item.correct_is_true else (false_answer, true_answer)
        # Moodle reads {TRUE#feedback when answered wrong#feedback when answered right}.
        key = "TRUE" if item.correct_is_true else "FALSE"
        return f"{head} {{{key}#{esc(wrong.feedback)}#{esc(right.feedback)}{general}\n}}"
    lines = []
    if item.qtype == "numerical":
        correct, other = item.answers
        lines.append(f"\t={correct.text}:{correct.tolerance}#{esc(correct.feedback)}")
        lines.append(f"\t~#{esc(other.feedback)}")
        return f"{head} {{#\n" + "\n".join(lines) + f"{general}\n}}"
    for answer in item.answers:
        single_mark = "=" if answer.fraction == "100" else "~"
        mark = single_mark if item.single else f"~%{answer.fraction}%"
        lines.append(f"\t{mark}{esc(answer.text)}#{esc(answer.feedback)}")
    return f"{head} {{\n" + "\n".join(lines) + f"{general}\n}}"


def to_gift(bank: Bank, items: list[Item]) -> str:
    """A bank as a GIFT file: a comment, the category, then the questions separated by blank lines."""
    parts = [
        f"// ANKL course question bank {bank.chapter} (ankl-course export-quiz; education, not medical advice)",
        f"$CATEGORY: $course$/top/ANKL course/{bank.chapter}",
    ]
    parts += [gift_question(item) for item in items]
    return "\n\n".join(parts) + "\n"


# -- Moodle XML --------------------------------------------------------------------


def _text(parent: ET.Element, tag: str, text: str, html: bool = True) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": "html"} if html else {})
    ET.SubElement(element, "text").text = text
    return element


def xml_question(item: Item) -> ET.Element:
    """One question as a Moodle XML ``<question>`` element."""
    question = ET.Element("question", {"type": item.qtype})
    name = ET.SubElement(question, "name")
    ET.SubElement(name, "text").text = item.name
    _text(question, "questiontext", item.text)
    _text(question, "generalfeedback", item.general_feedback)
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "1" if item.qtype == "truefalse" else "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = item.idnumber
    if item.qtype == "multichoice":
        ET.SubElement(question, "single").text = "true" if item.single else "false"
        ET.SubElement(question, "shuffleanswers").text = "true"
        ET.SubElement(question, "answernumbering").text = "abc"
        _text(question, "correctfeedback", "Your answer is correct.")
        _text(question, "partiallycorrectfeedback", "Your answer is partially correct.")
        _text(question, "incorrectfeedback", "Your answer is incorrect.")
    for answer in item.answers:
        html = item.qtype == "multichoice"
        attributes = {"fraction": answer.fraction}
        attributes["format"] = "html" if html else "moodle_auto_format"
        element = ET.SubElement(question, "answer", attributes)
        ET.SubElement(element, "text").text = answer.text
        if item.qtype == "numerical":
            ET.SubElement(element, "tolerance").text = answer.tolerance or "0"
        _text(element, "feedback", answer.feedback)
    if item.qtype == "numerical":
        ET.SubElement(question, "unitgradingtype").text = "0"
        ET.SubElement(question, "unitpenalty").text = "0"
        ET.SubElement(question, "showunits").text = "3"
        ET.SubElement(question, "unitsleft").text = "0"
    return question


def to_moodle_xml(bank: Bank, items: list[Item]) -> str:
    """A bank as a Moodle XML ``<quiz>``: a category question, then the questions."""
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", {"type": "category"})
    inner = ET.SubElement(category, "category")
    ET.SubElement(inner, "text").text = f"$course$/top/ANKL course/{bank.chapter}"
    for item in items:
        quiz.append(xml_question(item))
    ET.indent(quiz, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


WRITERS: dict[str, Callable[[Bank, list[Item]], str]] = {"gift": to_gift, "moodle-xml": to_moodle_xml}


def export(formats: list[str], out: Path, paths: list[Path] | None = None) -> list[Path]:
    """Write every bank in every requested format into ``out``; return the files written."""
    references = load_references()
    facts = load_facts(references=references)
    paths = bank_paths() if paths is None else paths
    if not paths:
        raise CourseDataError(data_path("quizzes"), "", "no question banks found")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        bank = load_bank(path, facts)
        items = [to_item(bank, question, references) for question in bank.questions.values()]
        for name in formats:
            target = out / f"{bank.chapter}{SUFFIX[name]}"
            target.write_text(WRITERS[name](bank, items), encoding="utf-8")
            written.append(target)
    return written


def main(argv: list[str], prog: str = "ankl-course export-quiz") -> int:
    """Parse the options and write the files, one line per file."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0].split(": ", 1)[-1])
    parser.add_argument("--format", choices=FORMATS + ("all",), default="all",
                        help="gift, moodle-xml, or all (default)")
    parser.add_argument("--out", type=Path, default=Path("quiz-export"), help="output folder (default ./quiz-export)")
    args = parser.parse_args(argv)
    formats = list(FORMATS) if args.format == "all" else [args.format]
    written = export(formats, args.out.resolve())
    for path in written:
        print(path)
    print(f"Wrote {len(written)} file(s). Import them in Moodle: Question bank > Import, format "
          f"{' or '.join('GIFT' if f == 'gift' else 'Moodle XML' for f in formats)}.")
    return 0
