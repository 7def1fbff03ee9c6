"""Shared by the export tests: one build of the course per test session, and a blocked-network browser.

The site is built once (through the real command line, as a teacher runs it)
into the session's temporary folder and reused by test_build.py and
test_browser.py; a marker file tells the second module it is already there.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
REPO = Path(__file__).resolve().parents[1]
BUILT = ".tests-built"
#: A folder to keep the test site in between runs (rebuilt incrementally), for a quick local loop.
SITE_ENV = "ANKL_COURSE_TEST_SITE"
#: A whole-site build executes every chapter in a kernel: far longer than other commands.
BUILD_TIMEOUT = 600


def built_site(factory: pytest.TempPathFactory, teacher: bool = False) -> Path:
    """The course site, built on first use in this session (the teacher build: first chapter only)."""
    out = factory.getbasetemp() / ("site-teacher" if teacher else "site")
    if os.environ.get(SITE_ENV):  # a kept folder: the build is incremental, only changes re-execute
        out = Path(os.environ[SITE_ENV]) / out.name
    elif (out / BUILT).exists():
        return out
    from ankl_course.resources import chapter_notebooks

    chapters = chapter_notebooks()
    assert chapters, "no chapter notebooks to build"
    args = ["build", "--out", str(out), "--jobs", "2"]
    if teacher:
        args += ["--teacher", "--only", chapters[0].stem]
    started = time.perf_counter()
    done = run_cli(*args, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, f"ankl-course build failed:\n{done.stdout}\n{done.stderr}"
    (out / BUILT).write_text(f"{time.perf_counter() - started:.1f} s\n{done.stdout}", encoding="utf-8")
    return out


def chapter_pages(folder: Path, chapter: str) -> dict[str, Path]:
    """One chapter built alone for students and for the teacher: its two pages, by audience."""
    found = {}
    for audience, extra in (("student", ()), ("teacher", ("--teacher",))):
        out = folder / ("site" if audience == "student" else "teacher")
        done = run_cli("build", "--out", str(out), "--only", chapter, *extra)
        assert done.returncode == 0, done.stdout + done.stderr
        found[audience] = out / "chapters" / f"{chapter}.html"
    return found


@dataclass
class Visit:
    """What one page did while it was open: console errors, failed and blocked requests."""

    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"console: {e}" for e in self.errors] + [f"failed: {f}" for f in self.failed]
                + [f"blocked (network): {b}" for b in self.blocked])


def local(url: str) -> bool:
    """Only the site's files and a server on this machine may be reached."""
    return url.startswith(("file://", "data:", "blob:", "about:", "http://localhost", "http://127.0.0.1"))


def open_context(browser: Any) -> tuple[Any, Visit]:
    """A browser context with every non-local request aborted and counted."""
    context = browser.new_context()
    visit = Visit()

    def route(request_route: Any) -> None:
        url = request_route.request.url
        visit.requests.append(url)
        if local(url):
            request_route.continue_()
        else:
            visit.blocked.append(url)
            request_route.abort()

    context.route("**/*", route)

    def watch(page: Any) -> None:
        page.on("console", lambda message: visit.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: visit.errors.append(str(error)))
        page.on("requestfailed", lambda request: visit.failed.append(f"{request.url} ({request.failure})"))

    context.on("page", watch)
    return context, visit


@contextlib.contextmanager
def opened_page(browser: Any, url: str = "") -> Iterator[tuple[Any, Visit]]:
    """A page in a fresh context from :func:`open_context`, at ``url`` if one is given; the context
    is closed however the test ends."""
    context, visit = open_context(browser)
    try:
        page = context.new_page()
        if url:
            page.goto(url)
        yield page, visit
    finally:
        context.close()


def quiz_payload(form: Any) -> dict[str, Any]:
    """The answer data a kernel-free quiz form carries (base64 JSON, as quiz.static_html writes it)."""
    return json.loads(base64.b64decode(form.get_attribute("data-ankl-quiz")))


def answer(page: Any, form_id: str, right: bool) -> str:
    """Answer the quiz form ``form_id`` right or wrong, press Check, return the feedback text."""
    form = page.locator(f"form#{form_id}")
    data = quiz_payload(form)
    if data["type"] == "numeric":
        value = (data["low"] + data["high"]) / 2 if right else data["high"] + abs(data["high"]) + 1000
        form.locator("input").first.fill(f"{value:g}")
    else:
        correct = [i for i, (is_right, _) in enumerate(data["options"]) if is_right]
        wrong = [i for i, (is_right, _) in enumerate(data["options"]) if not is_right]
        chosen = correct if right else (wrong[:1] or correct[:1])  # all options right: tick too few
        for index in range(len(data["options"])):
            if index in chosen or data["type"] == "multiple":  # a radio is unchecked by checking another
                form.locator(f"#{form_id}-opt{index}").set_checked(index in chosen)
    form.locator(".ankl-check").click()
    feedback = form.locator(".ankl-feedback")
    feedback.wait_for(state="visible")
    return feedback.inner_text().strip()


def launched_chromium() -> Iterator[Any]:
    """Debian's chromium under one sync Playwright, for a module-scoped ``browser`` fixture
    (module, not session: only one sync Playwright may run at a time)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/system-deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
