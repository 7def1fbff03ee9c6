"""Issue 13, item 6: a glossary; first uses linked with a definition on hover and focus; flashcards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exports_helpers import built_site, launched_chromium, open_context

from ankl_course import glossary
from ankl_course.errors import CourseDataError
from ankl_course.facts import load_references

#: The terms the issue lists as used before their definition.
REQUIRED = {"hla", "kir", "ncr", "adcc", "lgl", "eber", "caebv", "nk-lgll", "t-lgll", "enktl", "hlh", "dic",
            "cr-pr", "os", "pfs", "nrm", "cif", "censoring", "hazard", "hsct"}


def _terms() -> list[glossary.Term]:
    return glossary.load(references=set(load_references()))[0]


def test_the_glossary_has_every_term_the_issue_lists_and_the_five_source_texts() -> None:
    terms, texts = glossary.load(references=set(load_references()))
    assert {t.id for t in terms} >= REQUIRED
    assert [s.id for s in texts] == ["000", "001", "002", "003", "004"]


def test_a_bad_pattern_is_an_error_naming_the_term(tmp_path: Path) -> None:
    bad = tmp_path / "glossary.toml"
    bad.write_text('[[term]]\nid = "x"\nterm = "X"\nmatch = "(unclosed"\ndefinition = "d"\nsource = "s"\n',
                   encoding="utf-8")
    with pytest.raises(CourseDataError, match=r"glossary\.toml: term 1 \(x\): match is not a regular expression"):
        glossary.load(bad)


def test_only_the_first_use_is_linked_and_never_in_headings_code_or_links() -> None:
    linked: set[str] = set()
    text = "## About HLH\nSee [HLH](#x) and `HLH`.\nHLH is a storm; HLH again.\nMore HLH."
    result = glossary.link_first_uses(text, _terms(), linked, "c")
    lines = result.split("\n")
    assert lines[0] == "## About HLH" and lines[1] == "See [HLH](#x) and `HLH`."
    assert lines[2].count('class="ankl-term"') == 1 and lines[2].startswith('<span class="ankl-gloss">')
    assert lines[3] == "More HLH." and "hlh" in linked


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.mark.slow
def test_definitions_show_offline_on_hover_and_on_keyboard_focus(browser: Any,
                                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    site = built_site(tmp_path_factory)
    context, visit = open_context(browser)
    page = context.new_page()
    try:
        page.goto((site / "chapters" / "04_clinical_picture.html").as_uri())
        terms = page.locator("a.ankl-term")
        assert terms.count() >= 5
        first = terms.first
        tip = page.locator("#" + first.get_attribute("aria-describedby"))
        assert not tip.is_visible()
        first.hover()
        assert tip.is_visible() and ":" in tip.inner_text()
        page.mouse.move(0, 0)
        assert not tip.is_visible()
        first.focus()  # as Tab reaches it
        assert tip.is_visible()
        page.keyboard.press("Tab")
        assert not tip.is_visible()
        target = first.get_attribute("href").split("#")[1]
        first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/glossary.html#{target}")
        assert page.locator(f"#{target}").is_visible()
        assert visit.problems() == []
    finally:
        context.close()


@pytest.mark.slow
def test_flashcards_turn_by_keyboard(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    site = built_site(tmp_path_factory)
    context, visit = open_context(browser)
    page = context.new_page()
    try:
        page.goto((site / "flashcards.html").as_uri())
        cards = page.locator("details.ankl-card")
        assert cards.count() >= len(REQUIRED)
        back = cards.nth(1).locator("p")
        assert not back.is_visible()
        cards.nth(0).locator("summary").focus()
        page.keyboard.press("Tab")  # the next card's front
        page.keyboard.press("Space")
        assert back.is_visible() and len(back.inner_text()) > 20
        page.keyboard.press("Enter")
        assert not back.is_visible()
        assert visit.problems() == []
    finally:
        context.close()
