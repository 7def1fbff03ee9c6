"""Issue 13, item 2, where the student sees it: predict-then-reveal prompts in exported pages (Chromium).

One chapter (04, whose prompt shows the vignettes and hides the computed verdicts) is built twice,
as students and as the teacher get it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exports_helpers import chapter_pages, launched_chromium, opened_page

pytestmark = pytest.mark.slow
CHAPTER = "04_clinical_picture"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return chapter_pages(tmp_path_factory.mktemp("predict"), CHAPTER)


def test_student_page_keeps_the_answer_closed_until_asked_by_keyboard(browser: Any, pages: dict[str, Path]) -> None:
    with opened_page(browser, pages["student"].as_uri()) as (page, visit):
        block = page.locator(".ankl-predict").first
        details = block.locator("details.ankl-predict-answer")
        assert details.count() == 1 and details.get_attribute("open") is None
        verdicts = details.locator("li").first
        assert not verdicts.is_visible(), "the worked answer shows before the student asks"
        box = block.locator("textarea")
        box.fill("A: fulfilled. B: not yet decided.")
        box.press("Tab")  # the next stop is the summary: the answer opens from the keyboard
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        assert details.get_attribute("open") is not None and verdicts.is_visible()
        assert "HLH-2004" in verdicts.inner_text()
        page.reload()
        assert page.locator(".ankl-predict textarea").first.input_value() == "A: fulfilled. B: not yet decided."
        assert visit.problems() == []


def test_nothing_above_the_prompt_gives_the_verdicts_away(browser: Any, pages: dict[str, Path]) -> None:
    with opened_page(browser, pages["student"].as_uri()) as (page, _):
        answers = page.locator(".ankl-predict details li").all_text_contents()  # closed: not rendered
        assert len(answers) >= 5, answers
        text_above = page.evaluate(
            "() => { const r = document.createRange(); r.setStart(document.body, 0);"
            " r.setEndBefore(document.querySelector('.ankl-predict')); return r.toString(); }")
        for verdict in answers:
            assert verdict.split(": ", 1)[1] not in text_above, verdict


def test_teacher_page_shows_the_worked_answer_open(browser: Any, pages: dict[str, Path]) -> None:
    with opened_page(browser, pages["teacher"].as_uri()) as (page, _):
        details = page.locator(".ankl-predict details.ankl-predict-answer")
        assert details.count() >= 1
        assert all(d.get_attribute("open") is not None for d in details.all())
        assert details.first.locator("li").first.is_visible()
