"""Honest time: a chapter's study time estimated from what it asks of a student.

Why: stated times were guesses, and several chapters ran well over them for a careful
second-year student. The estimate is deliberately simple so that an author can predict it:

* reading: the words a student reads (Markdown cells and the text of ``facts.say`` templates;
  speaker notes excluded) at READING_WPM words a minute, a pace for careful study of technical
  text with unfamiliar terms rather than for skimming;
* PER_QUESTION minutes for each quiz question asked (reading it, answering, reading the feedback);
* PER_PROMPT minutes for each predict-then-reveal prompt (writing an answer, comparing it);
* PER_EXPLORER minutes for each interactive explorer (trying it as its text asks): an ``Explorer(...)``
  in the cell, or a library call that builds one, named ``*_explorer(...)``;
* PER_FIGURE minute for each figure (reading axes, legend and caption): ``figures.show(...)``, a library
  call that shows one, named ``show_*(...)`` (``show_references`` is a reference list, not a figure), or
  a ``*_figure(...)`` call shown another way; a figure made and shown in one cell counts once;
* PER_EXERCISE minutes for each hands-on exercise (drawing gates, a ``my_answer`` cell); the share a
  student reads from gates just drawn (``my_answer`` with ``.check_share(``) is the drawing's last step,
  not a second exercise;
* PER_PRACTICE minutes for each practice check (``practice.check``: a small task checked at once);
* PER_CODE_CELL minute for each code cell the student reads and runs or changes (tag ``student-code``);
* PER_BRANCH_POINT minutes for each branch point of a case (``case.branch_point``): its text lives in
  ``data/case_branches.toml``, not in the chapter's words. Measured on the capstone's two: the situation is
  about 160 words with a figure (1.3 + 1 min), one path to its end 165-440 words, about 300 (2.5 min) with
  one or two figures (1 min), and a decision or two; trying a second path, which the component invites,
  is left out.

``ankl-course check`` fails when a chapter's stated time is more than TOLERANCE away from the
estimate, and when the estimate is over MAX_MINUTES, the longest a chapter should be (one sitting).

Optional material is not part of the stated time: a section whose heading starts with "Optional"
(``### Optional exercise: ...``) runs to the next heading of the same or a higher level, and its
cells are estimated separately (:func:`split_optional`), so a chapter can offer extra practice
without claiming time a student who skips it does not spend.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .glossary import without_links
from .nbfile import cell_source
from .spelling import code_texts

READING_WPM = 120
PER_QUESTION = 1.0
PER_PROMPT = 3.0
PER_EXPLORER = 3.0
PER_FIGURE = 1.0
PER_EXERCISE = 8.0
PER_PRACTICE = 3.0
PER_CODE_CELL = 1.0
PER_BRANCH_POINT = 6.0
TOLERANCE = 0.25
MAX_MINUTES = 60

WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
MARKUP = re.compile(r"\(#ref-[^)]*\)|\(https?://[^)]*\)|<[^>]+>|[*_`#|>]")
QUIZ_IDS = re.compile(r"quiz\.ask\(([^)]*)\)")
HEADING = re.compile(r"^\s{0,3}(?P<level>#{1,6})\s+(?P<text>.*)$", re.MULTILINE)
FIGURE_CALL = re.compile(r"(?<!new)_figure\(")
OPTIONAL = re.compile(r"^\W*optional\b", re.IGNORECASE)
SECTION = re.compile(r"""quiz\.ask_section\(\s*["']([^"']+)["']""")
STRING = re.compile(r"""["']([^"']+)["']""")
#: ``Explorer(`` itself or a library function that builds one (``survival.sample_size_explorer(model)``,
#: as slides.VISUAL counts them), not the view class passed to it (``survival.SampleSizeExplorer(model)``),
#: which counted every such explorer twice.
EXPLORER = re.compile(r"(?<![\w.])Explorer\(|_explorer\(")
#: A figure shown: by ``figures.show`` or by a library function (``nkcells.show_subsets()``).
SHOWN = re.compile(r"figures\.show\(|\.show_(?!references\()\w+\(")


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
    branch_points: int = 0

    @property
    def minutes(self) -> float:
        return (self.words / READING_WPM + self.questions * PER_QUESTION + self.prompts * PER_PROMPT
                + self.explorers * PER_EXPLORER + self.figures * PER_FIGURE + self.exercises * PER_EXERCISE
                + self.practice * PER_PRACTICE + self.code_cells * PER_CODE_CELL
                + self.branch_points * PER_BRANCH_POINT)


def _words(text: str) -> int:
    return len(WORD.findall(MARKUP.sub(" ", without_links(text))))  # glossary tooltips are not read through


def _said_words(code: str, expand: Callable[[str], str]) -> int:
    """Words of the string literals of a facts.say cell (the text the student reads), with appraised
    claims (``{claim:ID}``) expanded to the words they stand for."""
    return _words(expand(code_texts(code)))


def _figures(code: str) -> int:
    """Figures a code cell shows: its ``figures.show`` and ``show_*`` calls, or its figure-making calls
    (``survival_figure(...)``, not the ``new_figure`` canvas) where a cell shows them another way.
    The larger of the two, so a figure that is made and shown in one cell is counted once."""
    return max(len(SHOWN.findall(code)), len(FIGURE_CALL.findall(code)))


def split_optional(cells: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The cells that count toward a chapter's stated time, and those of its optional sections."""
    core: list[dict[str, Any]] = []
    optional: list[dict[str, Any]] = []
    optional_level = 0  # the heading level of the optional section the cells are in; 0 outside one
    for cell in cells:
        text = cell_source(cell)
        if cell.get("cell_type") == "markdown" or "facts.say(" in text:  # facts.say may write a heading
            heading = HEADING.search(text if cell.get("cell_type") == "markdown" else code_texts(text))
            if heading is not None:
                level = len(heading.group("level"))
                if OPTIONAL.match(heading.group("text")):
                    optional_level = level if not optional_level else min(optional_level, level)
                elif optional_level and level <= optional_level:
                    optional_level = 0
        (optional if optional_level else core).append(cell)
    return core, optional


def estimate(cells: list[dict[str, Any]], bank: Any = None, expand: Callable[[str], str] = str) -> Estimate:
    """The estimate for a chapter's cells; ``bank`` (its quiz bank) sizes ``ask_section`` and warm-ups,
    ``expand`` turns claim placeholders into their text (``claims.expand``)."""
    words = questions = prompts = explorers = figures = exercises = practice = code_cells = branch_points = 0
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
        figures += _figures(text)
        exercises += int("my_answer" in text and ".check_share(" not in text) + int("draw_gates(" in text)
        practice += text.count("practice.check(")
        branch_points += text.count("branch_point(")
        code_cells += int("student-code" in cell.get("metadata", {}).get("tags", []))
    return Estimate(words, questions, prompts, explorers, figures, exercises, practice, code_cells, branch_points)


def stated_off(stated: int, estimated: float) -> bool:
    """True when the stated time is more than TOLERANCE away from the estimate."""
    return abs(stated - estimated) > TOLERANCE * estimated


def summary(found: Estimate, optional: Estimate | None = None) -> str:
    """The estimate in words, with what it counted (``check`` prints it for every chapter)."""
    text = (f"estimated {round(found.minutes)} min ({found.words} words, {found.questions} questions, "
            f"{found.prompts} prompts, {found.explorers} explorers, {found.figures} figures, "
            f"{found.exercises} exercises, {found.practice} practice checks, {found.code_cells} code cells "
            f"to work in, {found.branch_points} branch points)")
    return text + (f"; optional sections, not counted: {round(optional.minutes)} min" if optional else "")


def problems(stated: int, found: Estimate) -> list[str]:
    """What is wrong with a stated time: too far from the estimate, or a chapter over one sitting."""
    estimated = round(found.minutes)
    found_problems = []
    if stated_off(stated, found.minutes):
        found_problems.append(f"states {stated} minutes; the estimate is {estimated} "
                              f"(more than {TOLERANCE:.0%} off; see ankl_course/timing.py)")
    if found.minutes > MAX_MINUTES:
        found_problems.append(f"the estimate is {estimated} minutes, over {MAX_MINUTES} (one sitting): "
                              "split or trim the chapter, or mark extra practice optional")
    return found_problems
