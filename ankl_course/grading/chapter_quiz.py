"""A graded quiz per chapter, made from the chapter's question bank and judged by the live quiz's judge.

``ankl-course release --quiz CHAPTER`` releases the exercise ``quiz_CHAPTER``: one question per
bank question, each answered in a code cell (``answer_3 = "b"``, ``answer_5 = "ac"`` or
``answer_7 = 12.5``). Nothing is kept in ``exercises/``: the source notebook is built from the bank
each time, so it follows the bank as teachers edit it. With a roster, each student's questions and
options come in an order of their own (derived from their variant id, as the numbers of the other
exercises are), so answers cannot be passed on as a list of letters.

Judging: a letter is turned back into the option it names in that student's order, and the
question's own :meth:`ankl_course.quiz_bank.Question.check` (what the quiz widget and, through its
mirror, the exported pages use) says whether it is right. So a graded answer counts exactly when the
same answer in the live quiz would.
"""

from __future__ import annotations

import tomllib
import types
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ..citations import load_references
from ..errors import CourseDataError
from ..facts import render
from ..quiz_bank import bank_path, load_bank
from ..resources import data_path, exercises_dir
from . import markup
from .checks import choices, expect, value
from .exercises import Exercise

PREFIX = "quiz_"
LETTERS = "abcdefghij"


def quiz_name(chapter: str) -> str:
    return f"{PREFIX}{chapter}"


@dataclass(frozen=True)
class Item:
    """One question as one student sees it: its place, and the bank index of each displayed option."""

    number: int
    question: Any  # ankl_course.quiz_bank.Question
    shown: tuple[int, ...]  # shown[i] = the bank index of the option displayed as letter i

    def correct_answer(self) -> Any:
        if self.question.type == "numeric":
            return self.question.answer
        return "".join(LETTERS[i] for i, bank in enumerate(self.shown) if self.question.options[bank].correct)

    def judge(self, answer: Any) -> bool:
        """The live quiz's verdict on ``answer`` (letters in this student's order, or a number)."""
        question = self.question
        if question.type == "numeric":
            return bool(question.check(answer).correct) if not isinstance(answer, bool) else False
        letters = choices(answer)
        if not letters or any(letter not in LETTERS[: len(self.shown)] for letter in letters):
            return False
        picked = {self.shown[LETTERS.index(letter)] for letter in letters}
        if question.type == "multiple":
            return bool(question.check(picked).correct)
        return len(picked) == 1 and bool(question.check(picked.pop()).correct)


@dataclass
class ChapterQuiz(Exercise):
    """The graded quiz of one chapter: an exercise whose source is built from the chapter's bank."""

    chapter: str = ""
    _layouts: dict[str, list[Item]] = field(default_factory=dict, repr=False)

    @cached_property
    def bank(self) -> Any:
        return load_bank(bank_path(self.chapter))

    @cached_property
    def title(self) -> str:
        """The bank's title (its ``title`` key), or the chapter's file name."""
        raw = tomllib.loads(self.bank.path.read_text(encoding="utf-8"))
        return str(raw.get("title") or self.chapter)

    @property
    def has_variants(self) -> bool:
        return True

    def variant_params(self, variant: str) -> dict[str, Any]:
        return {"order": variant}

    def layout(self, variant: str | None) -> list[Item]:
        """The questions in this student's order, each with its options in this student's order."""
        key = variant or ""
        if key not in self._layouts:
            seed = int(variant, 16) if variant else zlib.crc32(self.chapter.encode())
            rng = np.random.default_rng(seed)
            questions = list(self.bank.questions.values())
            order = [int(i) for i in rng.permutation(len(questions))]
            items = []
            for number, index in enumerate(order, start=1):
                question = questions[index]
                count = len(question.options)
                keep = question.type in ("truefalse", "numeric")
                shown = tuple(range(count)) if keep else tuple(int(i) for i in rng.permutation(count))
                items.append(Item(number, question, shown))
            self._layouts[key] = items
        return self._layouts[key]

    @cached_property
    def source(self) -> Any:
        return self.variant_source(None)

    def variant_source(self, variant: str | None) -> Any:
        if (variant or "") not in self._variant_sources:
            self._variant_sources[variant or ""] = build_notebook(self, self.layout(variant))
        return self._variant_sources[variant or ""]

    @cached_property
    def cells(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self.source.cells]

    @cached_property
    def module(self) -> types.ModuleType:
        module = types.ModuleType(f"_ankl_chapter_quiz_{self.chapter}")
        module.PRELOAD = ()  # type: ignore[attr-defined]
        return module

    @cached_property
    def checks(self) -> dict[str, Any]:
        return {f"test_q{item.number}": _check(item.number) for item in self.layout(None)}

    @cached_property
    def rubrics(self) -> dict[str, str]:
        return {}

    @property
    def preload(self) -> tuple[str, ...]:
        return ()

    def data_files(self, variant: str | None = None) -> dict[str, bytes]:
        return {}

    def reference(self, variant: str | None = None) -> types.SimpleNamespace:
        return types.SimpleNamespace(items=self.layout(variant))


def _check(number: int) -> Any:
    def check(ref: types.SimpleNamespace, rng: Any) -> Any:
        item = ref.items[number - 1]
        yield expect(value(f"answer_{number}"), item.correct_answer(), "judge", judge=item.judge,
                     hint="letters as text, e.g. \"b\" or \"ac\"; a number for a numeric question")

    return check


def build_notebook(quiz: ChapterQuiz, items: list[Item]) -> Any:
    """The source notebook (nbgrader markup) of one ordering of the chapter's questions."""
    import nbformat

    cells = [_markdown("intro", (
        f"# Graded quiz: {quiz.title}\n\n"
        f"{len(items)} questions from chapter {quiz.chapter[:2]}'s quiz, 1 point each. Answer each by setting "
        "the variable in its answer cell, in place of the two `YOUR CODE HERE` lines: one letter for a single "
        "choice (`answer_1 = \"b\"`), every right letter for a multiple choice (`answer_2 = \"ac\"`), a number "
        "for a numeric question (`answer_3 = 12.5`). Your questions and options are in an order of your own. "
        "A multiple-choice answer counts only when it names exactly the right letters, as in the chapter.\n\n"
        "Before you start: the primer *Working in a notebook*. Estimated time: "
        f"{max(5, round(len(items) * 1.5))} minutes."))]
    for item in items:
        question = item.question
        kind = {"single": "single choice", "multiple": "multiple choice: all that apply",
                "truefalse": "true or false", "numeric": "numeric"}[question.type]
        text = f"### Question {item.number} ({kind})\n\n{render(question.prompt)}\n"
        if question.type == "numeric":
            text += f"\nGive a number{f' in {question.unit}' if question.unit else ''}."
        else:
            text += "\n" + "\n".join(f"- {LETTERS[i]}) {render(question.options[bank].text)}"
                                     for i, bank in enumerate(item.shown))
        cells.append(_markdown(f"q{item.number}", text))
        answer = item.correct_answer()
        cells.append(_code(f"answer_q{item.number}", f"### BEGIN SOLUTION\nanswer_{item.number} = {answer!r}\n"
                           "### END SOLUTION", solution=True))
        visible = (f"assert isinstance(answer_{item.number}, (int, float)), \"a number, e.g. 12.5\""
                   if question.type == "numeric" else
                   f"assert isinstance(answer_{item.number}, str), 'letters as text, e.g. \"b\"'")
        cells.append(_code(f"test_q{item.number}", f"{visible}\n### BEGIN HIDDEN TESTS\nfrom ankl_course.grading."
                           f"bridge import run_checks\nrun_checks('{quiz.name}', 'test_q{item.number}', globals())\n"
                           "### END HIDDEN TESTS", points=1))
    keys = sorted({item.question.source for item in items})
    references = _references(keys)
    cells.append(_markdown("refs", "## References\n\n" + "\n".join(
        f'- <a id="ref-{key}"></a>{references[key]}' for key in keys)))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.id = markup.grade_id(cell) or cell.id
    return nb


def _references(keys: list[str]) -> dict[str, str]:
    references = load_references()
    return {key: references[key].full() for key in keys}


def _meta(grade_id: str, solution: bool = False, points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
                            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _markdown(grade_id: str, text: str) -> Any:
    import nbformat

    return nbformat.v4.new_markdown_cell(text, metadata=_meta(grade_id))


def _code(grade_id: str, text: str, solution: bool = False, points: float | None = None) -> Any:
    import nbformat

    return nbformat.v4.new_code_cell(text, metadata=_meta(grade_id, solution, points))


def chapter_quizzes() -> dict[str, ChapterQuiz]:
    """name -> the graded quiz of every chapter that has a question bank."""
    folder = data_path("quizzes")
    return {quiz_name(path.stem): ChapterQuiz(quiz_name(path.stem), exercises_dir() / quiz_name(path.stem),
                                              chapter=path.stem)
            for path in sorted(Path(folder).glob("*.toml"))}


def get_quiz(chapter: str) -> ChapterQuiz:
    quizzes = chapter_quizzes()
    name = chapter if chapter.startswith(PREFIX) else quiz_name(chapter)
    if name not in quizzes:
        known = ", ".join(q.chapter for q in quizzes.values())
        raise CourseDataError(data_path("quizzes"), chapter, f"no question bank for this chapter (known: {known})")
    return quizzes[name]
