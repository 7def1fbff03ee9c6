"""Where a student meets an appraised claim in a quiz: a kernel-free quiz page in headless Chromium.

The registry test (test_claims.py) proves each claim renders identically
wherever it is used; this one checks the student's view: after answering the
blog-table question right (the explanation opens only then, issue 12), the explanation is the registry's corrected
appraisal (the VIDL figure traced to localised nasal lymphoma), not a raw
``{claim:...}`` placeholder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exports_helpers import answer, launched_chromium

from ankl_course import quiz_bank, quiz_render

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")  # one sync Playwright per module, as in test_browser.py
def browser() -> Iterator[Any]:
    yield from launched_chromium()


def _page(tmp_path: Path, chapter: str, question_id: str) -> Path:
    bank = quiz_bank.load_bank(quiz_bank.bank_path(chapter))
    context = quiz_render.RenderContext.load()
    body = context.assets() + quiz_render.static_html(bank[question_id], f"q-{question_id}", context=context)
    path = tmp_path / f"{question_id}.html"
    path.write_text(f'<!doctype html><html lang="en"><meta charset="utf-8"><body>{body}</body></html>',
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("chapter", "question_id", "expected"), [
    ("05_treatment", "blog-table", ["CISL08-01", "stage IE/IIE", "Untraceable", "Real figure, wrong disease"]),
    ("07_reading_a_registry_study", "blog-claim", ["SMILE or VIDL", "Jung et al., 2016", "Not supported"]),
])
def test_answered_quiz_shows_the_registry_appraisal(browser: Any, tmp_path: Path, chapter: str,
                                                     question_id: str, expected: list[str]) -> None:
    page = browser.new_page()
    try:
        page.goto(_page(tmp_path, chapter, question_id).as_uri(), wait_until="load")
        explanation = page.locator(f"#q-{question_id}-explanation")
        assert not explanation.is_visible()              # hidden until the student answers
        answer(page, f"q-{question_id}", right=False)
        assert not explanation.is_visible()              # a wrong first answer gives nothing away
        answer(page, f"q-{question_id}", right=True)
        explanation.wait_for(state="visible")
        text = explanation.inner_text()
        assert "{claim:" not in text
        for words in expected:
            assert words in text, words
    finally:
        page.close()
