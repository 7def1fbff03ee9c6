"""The deck's split (export/deck_split.py): long Markdown over sub-slides at paragraph breaks,
blocks kept whole, one quiz question per sub-slide, the notebook itself untouched."""

from __future__ import annotations

import copy
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from ankl_course.export.deck_split import QUIZ_FORM, SplitSlides
from ankl_course.slides import MAX_WORDS, prose_words


def words(count: int, word: str) -> str:
    return " ".join([word] * count)


LIST = "\n".join(f"- point {i}: {words(9, 'listed')}" for i in range(5))
TABLE = "| Step | Finding |\n|---|---|\n" + "\n".join(f"| {words(4, 'step')} | {words(6, 'cell')} |" for _ in range(4))
FORMULA = "$$\nS(t) = \\prod_{t_i \\le t} \\left(1 - \\frac{d_i}{n_i}\\right)\n\n$$"
LONG = "\n\n".join([f"## A long section\n\n{words(40, 'opening')}", f"The steps are:\n\n{LIST}",
                    words(50, "middle"), TABLE, FORMULA, words(30, "closing")])


def quiz_cell(questions: int) -> Any:
    forms = "".join(f'{QUIZ_FORM} id="q{i}"><p>Question {i}</p></form>' for i in range(questions))
    cell = new_code_cell("quiz.warm_up()", metadata={"slideshow": {"slide_type": "-"}})
    cell.outputs = [new_output("display_data", data={"text/html": "<style>.q{}</style><script>wire()</script>" + forms,
                                                     "text/plain": "Quiz"})]
    return cell


def chapter() -> Any:
    return new_notebook(cells=[
        new_markdown_cell(LONG, metadata={"slideshow": {"slide_type": "slide"}}, id="long"),
        new_markdown_cell("Say this slowly.", metadata={"slideshow": {"slide_type": "notes"}}, id="notes"),
        new_markdown_cell("## Warm-up", metadata={"slideshow": {"slide_type": "slide"}}, id="warm"),
        quiz_cell(3),
    ])


def kinds(nb: Any) -> list[tuple[str, str]]:
    return [(cell.get("id", ""), cell.metadata["slideshow"]["slide_type"]) for cell in nb.cells]


def test_a_long_cell_becomes_sub_slides_with_lists_tables_and_formulas_whole() -> None:
    nb = chapter()
    before = copy.deepcopy(nb)
    split, _ = SplitSlides().preprocess(nb, {})
    assert nb == before, "the notebook (and so the students' page) is not changed"
    markdown = [cell.source for cell in split.cells if cell.cell_type == "markdown" and cell.id.startswith("long")]
    assert len(markdown) >= 2
    joined = "\n\n".join(markdown)
    assert joined == LONG, "the pieces are the cell's blocks, in order, nothing lost"
    for block in (f"The steps are:\n\n{LIST}", TABLE, FORMULA):
        assert [block in piece for piece in markdown].count(True) == 1, f"{block[:20]!r} is cut"
    assert all(prose_words(piece) <= MAX_WORDS for piece in markdown)
    assert markdown[0].startswith("## A long section\n\n" + words(40, "opening")), "the heading keeps its paragraph"
    nbformat.validate(split)  # unique cell ids


def test_the_first_piece_keeps_its_slide_type_and_notes_stay_on_it() -> None:
    split, _ = SplitSlides().preprocess(chapter(), {})
    found = kinds(split)
    pieces = [kind for cell_id, kind in found if cell_id.startswith("long")]
    assert pieces[0] == "slide" and set(pieces[1:]) == {"subslide"}
    assert found[1] == ("notes", "notes"), "the section's speaker notes stay on its first slide"


def test_each_quiz_question_gets_its_own_sub_slide() -> None:
    split, _ = SplitSlides().preprocess(chapter(), {})
    quiz = [cell for cell in split.cells if cell.cell_type == "code"]
    assert [cell.metadata["slideshow"]["slide_type"] for cell in quiz] == ["-", "subslide", "subslide"]
    shown = [cell.outputs[0]["data"]["text/html"] for cell in quiz]
    assert [page.count(QUIZ_FORM) for page in shown] == [1, 1, 1]
    assert [f'id="q{i}"' in page for i, page in enumerate(shown)] == [True, True, True]
    assert shown[0].startswith("<style>") and "<script>" not in "".join(shown[1:]), \
        "the page's quiz script comes once, with the first question"
    assert list(quiz[0].outputs[0]["data"]) == ["text/html"], "no widget view or text listing every question"
    assert [cell.metadata.get("transient") for cell in quiz[1:]] == [{"remove_source": True}] * 2


def test_short_cells_and_single_questions_are_left_alone() -> None:
    short = new_markdown_cell("## Short\n\nA few words.", metadata={"slideshow": {"slide_type": "slide"}})
    nb = new_notebook(cells=[short, quiz_cell(1)])
    split, _ = SplitSlides().preprocess(nb, {})
    assert split.cells == nb.cells


def said_cell(text: str, shown: str) -> Any:
    cell = new_code_cell(f"facts.say({text!r})", metadata={"slideshow": {"slide_type": "subslide"}}, id="said")
    cell.outputs = [new_output("execute_result", data={"text/markdown": shown, "text/plain": "<Markdown>"},
                               execution_count=1)]
    return cell


def test_what_facts_say_shows_is_split_at_the_same_paragraph_breaks() -> None:
    text = f"### Said\n\n{words(60, 'first')}\n\n{words(50, 'second')}"
    shown = f"### Said\n\n{words(60, 'first')} 33.9% ([Fujimoto, 2021](#ref-f))\n\n{words(50, 'second')}"
    split, resources = SplitSlides().preprocess(new_notebook(cells=[said_cell(text, shown)]), {})
    assert [cell.outputs[0]["data"]["text/markdown"] for cell in split.cells] == [
        f"### Said\n\n{words(60, 'first')} 33.9% ([Fujimoto, 2021](#ref-f))", words(50, "second")]
    assert [cell.metadata["slideshow"]["slide_type"] for cell in split.cells] == ["subslide", "subslide"]
    assert resources["deck_split"] == []


def test_a_facts_say_output_unlike_its_text_is_shown_whole_and_reported() -> None:
    text = f"{words(60, 'first')}\n\n{words(50, 'second')}"
    nb = new_notebook(cells=[said_cell(text, words(110, "merged"))])
    split, resources = SplitSlides().preprocess(nb, {})
    assert split.cells == nb.cells
    assert resources["deck_split"] and "cell said" in resources["deck_split"][0], "named by its cell id"
