"""Slide density rules, read from slide metadata: one visual, one question, about 90 words."""

from __future__ import annotations

from typing import Any

from ankl_course.slides import MAX_WORDS, density_problems, prose_words, slides_of


def md(text: str, kind: str = "-") -> dict[str, Any]:
    return {"cell_type": "markdown", "source": text, "metadata": {"slideshow": {"slide_type": kind}}}


def code(text: str, kind: str = "-") -> dict[str, Any]:
    return {"cell_type": "code", "source": text, "metadata": {"slideshow": {"slide_type": kind}}, "outputs": []}


def sizes(name: str) -> int:
    return {"biology": 4}.get(name, 1)


def test_slides_group_cells_until_the_next_slide_or_subslide() -> None:
    cells = [md("## One", "slide"), code("figures.show(fig, alt='a')"), md("words", "fragment"),
             md("speaker words " * 50, "notes"), md("## Two", "subslide"), code('quiz.ask("q1")')]
    one, two = slides_of(cells, sizes)
    assert (one.first_cell, one.title, one.visuals, one.questions) == (1, "One", [2], [])
    assert one.words == 2, "speaker notes are not on the slide"
    assert (two.first_cell, two.questions) == (5, [(6, 1)])
    assert density_problems(cells, sizes) == []


def test_two_visuals_or_two_questions_on_a_slide_are_problems() -> None:
    cells = [md("## Crowded", "slide"), code("survival.pvalue_figure(x)"), code("Explorer(render, {})"),
             code('quiz.ask("q1")'), code('quiz.ask_section("biology")')]
    found = density_problems(cells, sizes)
    assert [(where, enforced) for where, _, enforced in found] == [("cell 1", True), ("cell 1", True)]
    assert "2 figures or explorers (cells 2, 3)" in found[0][1] and "sub-slide at cell 3" in found[0][1]
    assert "asks 5 questions" in found[1][1], "a section counts each of its questions"


def test_long_prose_is_reported_with_its_count() -> None:
    long = " ".join(["word"] * (MAX_WORDS + 5))
    found = density_problems([md("## Long\n\n" + long, "slide")], sizes)
    assert len(found) == 1 and f"{MAX_WORDS + 6} words" in found[0][1]
    said = density_problems([code(f'facts.say("{long}")', "slide")], sizes)
    assert said and "words of prose" in said[0][1], "facts.say text is prose on the slide too"


def test_prose_words_leave_out_marks_code_and_keys() -> None:
    assert prose_words("**Bold** text, `code here`, $h_1$ and {fact:x.y} [link](http://a.b/c)") == 4
