"""Slide density rules, read from slide metadata: one visual, one question, about 90 words,
counted on the deck as it is split (long prose at paragraph breaks, quizzes one question each)."""

from __future__ import annotations

from typing import Any

from ankl_course.slides import (
    MAX_WORDS,
    deck_parts,
    density_problems,
    prose_units,
    prose_words,
    slides_of,
    split_prose,
)


def md(text: str, kind: str = "-") -> dict[str, Any]:
    return {"cell_type": "markdown", "source": text, "metadata": {"slideshow": {"slide_type": kind}}}


def code(text: str, kind: str = "-") -> dict[str, Any]:
    return {"cell_type": "code", "source": text, "metadata": {"slideshow": {"slide_type": kind}}, "outputs": []}


def sizes(call: str, name: str) -> int:
    return {("ask_section", "biology"): 4, ("warm_up", ""): 3}.get((call, name), 1)


def words(count: int, word: str = "word") -> str:
    return " ".join([word] * count)


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
    assert "asks 2 questions (cells 4 (1), 5 (1))" in found[1][1], \
        "the section's first question shares the slide; its other three get sub-slides of their own"


def test_library_figures_and_explorers_count_as_visuals_but_a_reference_list_does_not() -> None:
    cells = [md("## Library", "slide"), code("nkcells.show_subsets()"), code("ebv.kinetics_explorer()"),
             code('reading_list.show_references("01_nk_cell_biology")')]
    (slide,) = slides_of(cells, sizes)
    assert slide.visuals == [2, 3]


def test_a_warm_up_is_one_question_per_sub_slide() -> None:
    cells = [md("## Warm-up", "slide"), md("Three questions from earlier chapters."), code("quiz.warm_up()")]
    slides = slides_of(cells, sizes)
    assert [(s.first_cell, s.part, s.questions) for s in slides] == [(1, 1, [(3, 1)]), (3, 2, [(3, 1)]),
                                                                      (3, 3, [(3, 1)])]
    assert density_problems(cells, sizes) == []
    crowded = [md("## Warm-up", "slide"), code('quiz.ask("q0")'), code("quiz.warm_up()")]
    assert ["asks 2 questions" in m for _, m, _ in density_problems(crowded, sizes)] == [True]


def test_long_prose_is_reported_with_its_count() -> None:
    long = " ".join(["word"] * (MAX_WORDS + 5))
    found = density_problems([md("## Long\n\n" + long, "slide")], sizes)
    assert len(found) == 1 and f"{MAX_WORDS + 6} words" in found[0][1]
    assert found[0][0] == "cell 1" and found[0][2], "enforced: the check fails, naming the cell"
    assert "starting 'Long word word" in found[0][1], "the slide's first words, to find it"
    said = density_problems([code(f'facts.say("{long}")', "slide")], sizes)
    assert said and "words of prose" in said[0][1], "facts.say text is prose on the slide too"


def test_prose_words_leave_out_marks_code_and_keys() -> None:
    assert prose_words("**Bold** text, `code here`, $h_1$ and {fact:x.y} [link](http://a.b/c)") == 4


def test_prose_over_the_limit_is_split_at_paragraph_breaks_in_the_deck() -> None:
    text = f"## Section\n\n{words(60, 'one')}\n\n{words(50, 'two')}\n\n{words(30, 'three')}"
    pieces = split_prose(text)
    assert pieces == [f"## Section\n\n{words(60, 'one')}", f"{words(50, 'two')}\n\n{words(30, 'three')}"]
    cells = [md(text, "slide"), code('quiz.ask("q1")')]
    slides = slides_of(cells, sizes)
    assert [(s.first_cell, s.part, s.title, s.words, s.questions) for s in slides] == [
        (1, 1, "Section", 61, []), (1, 2, "", 80, [(2, 1)])]
    assert density_problems(cells, sizes) == []
    assert deck_parts(cells) == {0: pieces}


def test_prose_that_fits_is_not_split_and_words_already_on_the_slide_count() -> None:
    assert split_prose(words(MAX_WORDS)) == [words(MAX_WORDS)]
    two = f"{words(40)}\n\n{words(40)}"
    assert split_prose(two) == [two]
    assert split_prose(two, already=20) == [words(40), words(40)], "20 words above it on the slide"
    cells = [md("## Title\n\n" + words(20), "slide"), md(two)]
    assert deck_parts(cells) == {1: [words(40), words(40)]}


def test_one_block_over_the_limit_stays_whole_and_fails_the_check() -> None:
    text = f"## Short\n\n{words(10)}\n\n{words(MAX_WORDS + 1, 'long')}"
    assert split_prose(text) == [f"## Short\n\n{words(10)}", words(MAX_WORDS + 1, "long")]
    found = density_problems([md("Intro", "slide"), md(text, "subslide")], sizes)
    assert [(where, enforced) for where, _, enforced in found] == [("cell 2 (deck part 2)", True)]
    assert "starting 'long long" in found[0][1] and f"{MAX_WORDS + 1} words" in found[0][1]


def test_lists_tables_formulas_code_and_details_are_never_cut() -> None:
    items = "\n".join(f"- item {i} {words(8)}" for i in range(6))
    loose = "\n\n".join(f"1. point {i} {words(8)}\n\n   more about point {i}" for i in range(3))
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| {words(5)} | {words(5)} |" for _ in range(5))
    formula = f"$$\na = b\n\n{words(3, 'c')} = d\n$$"
    fence = f"```python\nx = 1\n\n\ny = 2  # {words(10)}\n```"
    details = f"<details>\n<summary>Answer</summary>\n\n{words(30)}\n\n{words(30)}\n\n</details>"
    lead = f"The steps are:\n\n{items}"
    for block in (items, loose, table, formula, fence, details, lead):
        units = prose_units(f"{words(70, 'before')}\n\n{block}\n\n{words(70, 'after')}")
        assert units == [words(70, "before"), block, words(70, "after")], block[:20]
        pieces = split_prose(f"{words(70, 'before')}\n\n{block}\n\n{words(70, 'after')}")
        assert len(pieces) >= 2 and [block in piece for piece in pieces].count(True) == 1, \
            "the block is whole on one sub-slide"


def test_a_heading_stays_with_the_paragraph_after_it() -> None:
    text = f"{words(80, 'a')}\n\n### Next\n\n{words(30, 'b')}"
    assert split_prose(text) == [words(80, "a"), f"### Next\n\n{words(30, 'b')}"]


def test_an_appraised_claim_is_a_note_when_it_takes_a_slide_over_and_the_deck_splits_with_it() -> None:
    cells = [code('facts.say("### Seeds\\n\\n{claim:seed-a}")', "slide")]
    assert density_problems(cells, sizes) == [], "as written, the placeholder is no prose"
    long_claim = lambda said: said.replace("{claim:seed-a}", words(MAX_WORDS))  # noqa: E731
    shown = density_problems(cells, sizes, long_claim)
    assert [enforced for _, _, enforced in shown] == [False], "a note: claims are worded in data/claims.toml"
    assert f"shows {MAX_WORDS + 1} words with its appraised claims" in shown[0][1] and "slide 'Seeds'" in shown[0][1]
    two = [code('facts.say("{claim:a}\\n\\n{claim:b}")', "slide")]
    both = lambda said: said.replace("{claim:a}", words(60, "a")).replace("{claim:b}", words(60, "b"))  # noqa: E731
    assert deck_parts(two, both) == {0: [words(60, "a"), words(60, "b")]}, "the deck splits claims as shown"
    assert [(s.part, s.words, s.shown) for s in slides_of(two, sizes, expand=both)] == [(1, 0, 60), (2, 0, 60)]
