"""Honest time: a chapter's study time estimated from what it asks of a student.

Why: stated times were guesses, and several chapters ran well over them for a careful
second-year student. The estimate is deliberately simple so that an author can predict it:

* reading: the words a student reads (Markdown cells and the text of ``facts.say`` templates;
  speaker notes excluded) at READING_WPM words a minute, a pace for careful study of technical
  text with unfamiliar terms rather than for skimming;
* PER_QUESTION minutes for each quiz question asked (reading it, answering, reading the feedback);
* PER_PROMPT minutes for each predict-then-reveal prompt (writing an answer, comparing it);
* PER_EXPLORER minutes for each interactive explorer (trying it as its text asks);
* PER_FIGURE minute for each figure (reading axes, legend and caption);
* PER_EXERCISE minutes for each hands-on exercise (drawing gates, a ``my_answer`` cell);
* PER_PRACTICE minutes for each practice check (``practice.check``: a small task checked at once);
* PER_CODE_CELL minute for each code cell the student reads and runs or changes (tag ``student-code``).

``ankl-course check`` fails when a chapter's stated time is more than TOLERANCE away from the
estimate; MAX_MINUTES is the longest a chapter should be (one sitting).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .glossary import without_links
from .nbfile import cell_source

READING_WPM = 120
PER_QUESTION = 1.0
PER_PROMPT = 3.0
PER_EXPLORER = 3.0
PER_FIGURE = 1.0
PER_EXERCISE = 8.0
PER_PRACTICE = 3.0
PER_CODE_CELL = 1.0
TOLERANCE = 0.25
MAX_MINUTES = 60

WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
MARKUP = re.compile(r"\(#ref-[^)]*\)|\(https?://[^)]*\)|<[^>]+>|[*_`#|>]")
QUIZ_IDS = re.compile(r"quiz\.ask\(([^)]*)\)")
SECTION = re.compile(r"""quiz\.ask_section\(\s*["']([^"']+)["']""")
STRING = re.compile(r"""["']([^"']+)["']""")
#: ``Explorer(`` itself or a library function that builds one (``survival.sample_size_explorer(model)``,
#: as slides.VISUAL counts them), not the view class passed to it (``survival.SampleSizeExplorer(model)``),
#: which counted every such explorer twice.
EXPLORER = re.compile(r"(?<![\w.])Explorer\(|_explorer\(")


@dataclass(frozen=True)
class Estimate:
    """What a chapter asks of a student and the minutes it adds up to."""

    words: int
    questions: int
    prompts: int
    explorers: int
    figures: int
    exercises: int
    practice: int = 0
    code_cells: int = 0

    @property
    def minutes(self) -> float:
        return (self.words / READING_WPM + self.questions * PER_QUESTION + self.prompts * PER_PROMPT
                + self.explorers * PER_EXPLORER + self.figures * PER_FIGURE + self.exercises * PER_EXERCISE
                + self.practice * PER_PRACTICE + self.code_cells * PER_CODE_CELL)


def _words(text: str) -> int:
    return len(WORD.findall(MARKUP.sub(" ", without_links(text))))  # glossary tooltips are not read through


def _said_words(code: str, expand: Callable[[str], str]) -> int:
    """Words of the string literals of a facts.say cell (the text the student reads), with appraised
    claims (``{claim:ID}``) expanded to the words they stand for."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return 0
    return sum(_words(expand(node.value)) for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str))


def estimate(cells: list[dict[str, Any]], bank: Any = None, expand: Callable[[str], str] = str) -> Estimate:
    """The estimate for a chapter's cells; ``bank`` (its quiz bank) sizes ``ask_section`` and warm-ups,
    ``expand`` turns claim placeholders into their text (``claims.expand``)."""
    words = questions = prompts = explorers = figures = exercises = practice = code_cells = 0
    for cell in cells:
        if cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes":
            continue
        text = cell_source(cell)
        if cell.get("cell_type") == "markdown":
            words += _words(text)
            continue
        if cell.get("cell_type") != "code":
            continue
        if "facts.say(" in text:
            words += _said_words(text, expand)
        for call in QUIZ_IDS.findall(text):
            questions += len(STRING.findall(call))
        for name in SECTION.findall(text):
            questions += len(bank.section(name)) if bank is not None else 1
        if "quiz.warm_up()" in text:
            questions += len(bank.warmup) if bank is not None else 2
        if "quiz.pre_test()" in text or "quiz.post_test()" in text:
            questions += 5
        prompts += text.count("predict.ask(")
        explorers += len(EXPLORER.findall(text))
        figures += len(re.findall(r"figures\.show\(|_figure\(", text))
        exercises += int("my_answer" in text) + int("draw_gates(" in text)
        practice += text.count("practice.check(")
        code_cells += int("student-code" in cell.get("metadata", {}).get("tags", []))
    return Estimate(words, questions, prompts, explorers, figures, exercises, practice, code_cells)


def stated_off(stated: int, estimated: float) -> bool:
    """True when the stated time is more than TOLERANCE away from the estimate."""
    return abs(stated - estimated) > TOLERANCE * estimated
