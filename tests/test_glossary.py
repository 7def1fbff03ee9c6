"""Issue 13, item 6: a glossary; first uses linked with a definition on hover and focus; flashcards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exports_helpers import built_site, launched_chromium, opened_page

from ankl_course import glossary
from ankl_course.citations import load_references
from ankl_course.errors import CourseDataError

#: The terms the issue lists as used before their definition.
REQUIRED = {"hla", "kir", "ncr", "adcc", "lgl", "eber", "caebv", "nk-lgll", "t-lgll", "enktl", "hlh", "dic",
            "cr-pr", "os", "pfs", "nrm", "cif", "censoring", "hazard", "hsct"}


ON_TOP = """id => { const tip = document.getElementById(id); const r = tip.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.bottom - 4); return tip.contains(hit); }"""


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


def test_only_the_first_use_in_running_text_is_linked() -> None:
    page = ("<head><title>HLH</title></head><main><h2>About HLH</h2><p>See <a href='#x'>HLH</a> and <code>HLH</code>."
            "</p><form><label>HLH?</label></form><p>HLH is a storm; HLH again.</p><p>More HLH.</p></main>")
    result = glossary.link_html(page, "c", _terms())
    assert result.count('class="ankl-term"') == 1
    assert "<h2>About HLH</h2>" in result and "<code>HLH</code>" in result and "<label>HLH?</label>" in result
    assert '<p><span class="ankl-gloss"><a class="ankl-term" href="../glossary.html#term-hlh"' in result
    assert result.endswith("<p>More HLH.</p></main>") and result.startswith("<head><title>HLH</title></head>")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.mark.slow
def test_definitions_show_offline_on_hover_and_on_keyboard_focus(browser: Any,
                                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    site = built_site(tmp_path_factory)
    with opened_page(browser, (site / "chapters" / "04_clinical_picture.html").as_uri()) as (page, visit):
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
        # not clipped by the cell or painted over by the next one: the definition is what shows there
        assert page.evaluate(ON_TOP, tip.get_attribute("id")), "the definition is hidden behind other content"
        page.keyboard.press("Tab")
        assert not tip.is_visible()
        target = first.get_attribute("href").split("#")[1]
        first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/glossary.html#{target}")
        assert page.locator(f"#{target}").is_visible()
        assert visit.problems() == []


@pytest.mark.slow
def test_flashcards_turn_by_keyboard(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    site = built_site(tmp_path_factory)
    with opened_page(browser, (site / "flashcards.html").as_uri()) as (page, visit):
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


def test_a_seed_file_is_named_by_what_it_is(tmp_path: Path) -> None:
    """Chapters label a source text by its name, not its file number (the figure of chapter 4 uses ``short``)."""
    text = glossary.source_text("002_cd3acaaeefbcdb2d.txt")
    assert (text.name, text.short) == ("the UK leukaemia charity's patient page", "UK charity page")
    with pytest.raises(CourseDataError, match=r"glossary\.toml: source_text: no source text with id '009'"):
        glossary.source_text("009_0000000000000000.txt")
    bad = tmp_path / "glossary.toml"
    bad.write_text('[[source_text]]\nid = "000"\nname = "a summary"\nabout = "x"\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match=r"source_text 1 \(000\): has no short"):
        glossary.load(bad)


# -- Inside JupyterLab: links in the chapters' Markdown (the JupyterLab test is in test_lab.py) --------

def test_first_uses_in_markdown_link_to_the_glossary_notebook() -> None:
    terms = _terms()
    hlh = next(t for t in terms if t.id == "hlh")
    text = ("## About HLH\n\nSee `HLH` and [HLH](#x), $HLH$ and <b>tags</b>. HLH is a storm; HLH again.\n\n"
            "```\nDIC\n```\n")
    linked: set[str] = set()
    out = glossary.link_markdown(text, terms, linked)
    assert linked == {"hlh"}  # DIC is only inside a code block
    link = glossary.markdown_link(hlh, "HLH")
    assert out.count("glossary.ipynb#cell-id=term-hlh") == 1
    assert f"<b>tags</b>. {link} is a storm; HLH again." in out and out.startswith("## About HLH\n")
    assert f'"HLH: {hlh.definition}"' in link
    assert glossary.link_markdown(out, terms, set()) == out  # running it again changes nothing
    stale = out.replace(hlh.definition, "an old definition")
    assert glossary.link_markdown(stale, terms, set()) == out  # an outdated title is rewritten
    assert glossary.without_links(out) == text


def test_check_flags_an_unlinked_first_use_and_a_stale_glossary(tmp_path: Path, data_copy: Path) -> None:
    import json

    from ankl_course.content import Checker

    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Chapter 98\n\nFever and DIC."},
             {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "notes"}}, "source": "Ask about KIR."}]
    notebook = tmp_path / "98_terms.ipynb"
    notebook.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    problems = [p for p in Checker().run([notebook]) if p.path == str(notebook) and "glossary" in p.message]
    assert [(p.location, p.message.split(":")[0]) for p in problems] == [
        ("cell 1", "first use of a glossary term not linked ('DIC')")]  # not the speaker notes' KIR

    source = data_copy / "glossary.toml"
    text = source.read_text(encoding="utf-8")
    old = next(t for t in _terms() if t.id == "dic").definition
    source.write_text(text.replace(old, "Clotting everywhere at once."), encoding="utf-8")
    found = {(Path(p.path).name, p.message) for p in Checker().run()}
    assert ("glossary.ipynb", "not what glossary.toml makes: run scripts/link_glossary.py") in found
    assert any(name == "04_clinical_picture.ipynb" and "a changed definition" in message for name, message in found)


def test_pages_and_decks_turn_the_notebook_links_into_site_links() -> None:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    terms = _terms()
    html = markdown2html_mistune(glossary.link_markdown("Often with NK-LGLL (formerly CLPD-NK) and HLH.", terms, set()))
    assert html.count('href="glossary.ipynb#cell-id=term-') == 2 and "title=" in html
    page = glossary.link_html(f"<main>{html}</main>", "98_x", terms)
    assert "glossary.ipynb" not in page
    assert page.count('class="ankl-gloss"') == 2 and 'href="../glossary.html#term-nk-lgll"' in page
    assert 'href="../glossary.html#term-hlh"' in glossary.deck_links(html)


def test_the_glossary_notebook_has_a_cell_per_term_for_the_links_to_open() -> None:
    import json

    from ankl_course.resources import glossary_notebook

    cells = json.loads(glossary_notebook().read_text(encoding="utf-8"))["cells"]
    ids = {cell["id"] for cell in cells}
    assert {f"term-{t.id}" for t in _terms()} <= ids
    hlh = next(cell for cell in cells if cell["id"] == "term-hlh")
    assert "".join(hlh["source"]).startswith("### HLH\n\nHaemophagocytic lymphohistiocytosis")


@pytest.mark.parametrize(("chapter", "terms"), [
    ("06_survival_curves", {"hsct", "os", "pfs", "nrm", "censoring", "cif", "hazard"}),
    ("07_reading_a_registry_study", {"log-rank", "p-value", "power", "confounding", "landmark", "censoring", "cif"}),
])
def test_the_split_chapters_link_each_survival_term_at_its_first_use(chapter: str, terms: set[str]) -> None:
    """Issue 13 item 4: every term of the two chapters split from chapter 06 is defined where it is
    first used (a glossary link with its definition), including the five added for chapter 7."""
    import json
    import re

    from ankl_course.resources import notebooks_dir

    cells = json.loads((notebooks_dir() / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    linked = re.findall(r"\]\(glossary\.ipynb#cell-id=term-([\w-]+) ", text)
    assert terms <= set(linked), terms - set(linked)
    assert len(linked) == len(set(linked)), "a term is linked at its first use only"
    assert {"log-rank", "p-value", "power", "confounding", "landmark"} <= {t.id for t in _terms()}
