"""Issue 13, item 9, where the student sees it: the capstone's branch points in the exported page (Chromium,
no kernel, no network). The capstone is built twice, as students and as the teacher get it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exports_helpers import chapter_pages, launched_chromium, opened_page
from test_browser import axe_violations

from ankl_course.branching import load_branches
from ankl_course.export.assets import asset_file

pytestmark = pytest.mark.slow
CHAPTER = "08_case_study"
#: Set to a folder to keep the screenshots for a look (the test always takes them).
SHOTS_ENV = "ANKL_COURSE_SHOTS"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return chapter_pages(tmp_path_factory.mktemp("branching"), CHAPTER)


def _shot(block: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get(SHOTS_ENV, tmp_path))
    block.screenshot(path=str(folder / f"branch-{name}.png"))


def _node(block: Any, node_id: str) -> Any:
    return block.locator(f'.ankl-branch-node[data-node="{node_id}"]')


def test_a_branch_point_works_by_mouse_and_keyboard(browser: Any, pages: dict[str, Path], tmp_path: Path) -> None:
    with opened_page(browser, pages["student"].as_uri()) as (page, visit):
        assert page.locator(".ankl-branch").count() == 2
        block = page.locator("#ankl-branch-day14-plateau")
        block.scroll_into_view_if_needed()
        start = _node(block, "plateau")
        assert start.is_visible() and start.locator("img").is_visible(), "the situation and its figure show"
        later = ["wait", "reassess", "transplant-now"]
        assert not any(_node(block, n).is_visible() for n in later), "a path shows before the choice"
        for words in ("A week later", "not responding to this induction", "CIBMTR"):
            assert words not in block.inner_text(), words
        back = block.locator(".ankl-branch-back")
        assert not back.is_visible()
        _shot(block, "before", tmp_path)

        # mouse: a poor choice, its consequence, then back
        options = start.locator("button[data-to]")
        options.nth(2).click()
        assert _node(block, "transplant-now").is_visible()
        assert not _node(block, "wait").is_visible() and not _node(block, "reassess").is_visible()
        assert "You chose: C. Ask for a transplant" in _node(block, "transplant-now").inner_text()
        assert "Back to the main line." in _node(block, "transplant-now").inner_text()
        assert all(options.nth(i).is_disabled() for i in range(3)), "the choice is committed"
        assert back.is_visible() and "try another path (you chose C)" in back.inner_text()
        _shot(block, "chosen-c", tmp_path)
        back.click()
        assert not _node(block, "transplant-now").is_visible()
        assert all(options.nth(i).is_enabled() for i in range(3)) and not back.is_visible()
        assert options.nth(2).locator(".ankl-branch-tried").is_visible(), "the tried path is labelled"
        assert page.evaluate("document.activeElement.dataset.to") == "transplant-now"

        # keyboard: Enter on option A, then Tab to the next decision and Space
        options.nth(0).focus()
        page.keyboard.press("Enter")
        wait = _node(block, "wait")
        assert wait.is_visible() and wait.locator("img").is_visible(), "the next step brings its own figure"
        assert page.evaluate("document.activeElement.tagName") == "H4", "focus moves to what happened"
        for _ in range(12):  # past the citation links in the text, to the next decision's first option
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.tagName") == "BUTTON":
                break
        assert page.evaluate("document.activeElement.dataset.to") == "reassess"
        page.keyboard.press(" ")
        reassess = _node(block, "reassess")
        assert reassess.is_visible() and wait.is_visible(), "the path so far stays in view"
        assert "0% (Hamadani et al., 2017) with active disease" in reassess.inner_text(), "numbers with sources"
        _shot(block, "path-a-a", tmp_path)
        back.focus()
        page.keyboard.press("Enter")
        assert wait.is_visible() and not reassess.is_visible(), "back goes one choice back"
        assert "(you chose A)" in back.inner_text()

        # the second branch point is independent of the first
        other = page.locator("#ankl-branch-relapse-after-transplant")
        assert not _node(other, "rituximab").is_visible()
        other.locator('button[data-to="rituximab"]').click()
        assert _node(other, "rituximab").is_visible() and not _node(other, "which-cells").is_visible()
        assert reassess.is_hidden() and wait.is_visible()
        _shot(other, "relapse-rituximab", tmp_path)

        # what a choice reveals stands below that choice, also on the longest path to a shared node
        for source, target in (("rituximab", "wait-month"), ("wait-month", "salvage")):
            chosen = _node(other, source).locator(f'button[data-to="{target}"]')
            chosen.click()
            assert _node(other, target).is_visible()
            below = _node(other, target).bounding_box()["y"]
            assert below > chosen.bounding_box()["y"], f"{target} appears above the choice that revealed it"
            assert page.evaluate("document.activeElement.getBoundingClientRect().top") > \
                page.evaluate("b => b.getBoundingClientRect().bottom", chosen.element_handle()), "focus went up"
        _shot(other, "relapse-wait-salvage", tmp_path)
        assert axe_violations(page) == [], "with paths open"
        assert visit.problems() == []


def test_branch_points_pass_axe_before_any_choice(browser: Any, pages: dict[str, Path]) -> None:
    with opened_page(browser, pages["student"].as_uri()) as (page, _):
        assert axe_violations(page) == []
        page.add_script_tag(path=str(asset_file("axe-core", "axe.min.js")))
        found = page.evaluate(
            "axe.run(document, {runOnly: ['empty-table-header', 'heading-order'], resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.html).join(' | ')))")
        assert found == []


def test_the_teacher_page_shows_every_path(browser: Any, pages: dict[str, Path], tmp_path: Path) -> None:
    with opened_page(browser, pages["teacher"].as_uri()) as (page, visit):
        nodes = page.locator(".ankl-branch-node")
        assert nodes.count() == sum(len(b.nodes) for b in load_branches().values())
        assert all(node.is_visible() for node in nodes.all())
        assert "Reached by: A. Carry on" in page.locator("#ankl-branch-day14-plateau").inner_text()
        _shot(page.locator("#ankl-branch-day14-plateau"), "teacher", tmp_path)
        assert visit.problems() == []


def _deck_slide_of(page: Any, selector: str) -> None:
    page.wait_for_selector(".reveal.ready")
    page.evaluate("""s => { const slide = document.querySelector(s).closest('section');
        const at = Reveal.getIndices(slide); Reveal.slide(at.h, at.v); }""", selector)


def test_the_decks_keep_branch_points_whole(browser: Any, pages: dict[str, Path], tmp_path: Path) -> None:
    """In the students' deck a branch point works as on the page (one slide, the choice made live); the
    teacher's deck shows every path. Its nodes are not <section>s, which reveal.js would take for slides."""
    student_deck = pages["student"].parents[1] / "slides" / f"{CHAPTER}.slides.html"
    with opened_page(browser, student_deck.as_uri()) as (page, visit):
        _deck_slide_of(page, "#ankl-branch-day14-plateau")
        block = page.locator("#ankl-branch-day14-plateau")
        assert block.locator(".ankl-branch-node section, section.ankl-branch-node").count() == 0
        assert page.evaluate("Reveal.getCurrentSlide().contains(document.querySelector('#ankl-branch-day14-plateau'))")
        assert _node(block, "plateau").is_visible() and not _node(block, "reassess").is_visible()
        _node(block, "plateau").locator('button[data-to="reassess"]').click()
        assert _node(block, "reassess").is_visible()
        _shot(page, "deck-student", tmp_path)
        assert visit.problems() == []
    teacher_deck = pages["teacher"].parents[1] / "slides" / f"{CHAPTER}.slides.html"
    with opened_page(browser, teacher_deck.as_uri()) as (page, visit):
        _deck_slide_of(page, "#ankl-branch-relapse-after-transplant")
        nodes = page.locator("#ankl-branch-relapse-after-transplant .ankl-branch-node")
        assert nodes.count() == 6 and all(node.is_visible() for node in nodes.all())
        assert visit.problems() == []
