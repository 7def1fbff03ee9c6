"""The student's experience in JupyterLab, end to end: ``ankl-course lab --no-browser`` on a free
localhost port with a temporary workspace, a chapter opened in headless Chromium (every request
that leaves localhost is aborted), all cells run, a widget quiz answered, its feedback seen; after
every kernel is restarted, chapter 00's progress table still counts that answer."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from exports_helpers import REPO, launched_chromium, opened_page

from ankl_course.resources import chapter_notebooks

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TOKEN = "ankl-course-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running ``ankl-course lab``; yields its base URL, stops it afterwards."""
    home = tmp_path_factory.mktemp("lab")
    port = free_port()
    settings = home / "settings"
    # every cell in the page (JupyterLab 4 otherwise only renders those in view), and no news fetch
    for name, value in (("notebook-extension/tracker", {"windowingMode": "none"}),
                        ("apputils-extension/notification", {"fetchNews": "false", "checkForUpdates": False})):
        target = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value), encoding="utf-8")
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
    }
    command = [sys.executable, "-m", "ankl_course", "lab", str(home / "work"), "--no-browser", "--port", str(port),
               f"--IdentityProvider.token={TOKEN}", "--ServerApp.ip=127.0.0.1"]
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


def chapter_with_choice_quiz() -> str:
    """Chapter 01 when it is there (the course's first real chapter), else the first chapter."""
    names = [path.name for path in chapter_notebooks()]
    assert names, "no chapter notebooks"
    return next((name for name in names if name.startswith("01_")), names[0])


PROMPTS = """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map(p => p.textContent)"""


def run_all_until_every_cell_ran(page: Any, deadline_s: float = 180) -> None:
    """Run all cells and wait until every code cell has an execution count.

    A Run All that reaches a kernel still starting (seen on a loaded machine) can leave every
    cell unrun, so it is issued again when nothing ran or is queued after a while; an error
    output stops the wait at once with its text.
    """
    started = time.monotonic()
    issued = None
    while time.monotonic() - started < deadline_s:
        # After an earlier test restarted every kernel, JupyterLab may ask which kernel to start:
        # the student would take the course's Python kernel, as the dialog proposes.
        chooser = page.locator(".jp-Dialog", has_text="Select Kernel")
        if chooser.count() and chooser.first.is_visible():
            chooser.first.get_by_role("button", name="Select", exact=True).click()
        prompts = page.evaluate(PROMPTS)
        ran = [p for p in prompts if re.search(r"\[\d+\]", p)]
        if prompts and len(ran) == len(prompts):
            return
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        tracebacks = [text for text in errors.all_inner_texts() if "Traceback" in text or "Error" in text]
        assert tracebacks == [], tracebacks[:1]
        busy = any("*" in p for p in prompts)
        if issued is None or (not ran and not busy and time.monotonic() - issued > 30):
            page.locator(".jp-NotebookPanel .jp-Notebook").first.click()
            # Helper code is folded (issue 13) and a folded cell shows no execution count: unfold
            # everything, as a curious student may, so the counts can be read.
            page.get_by_role("menuitem", name="View", exact=True).click()
            page.get_by_role("menuitem", name="Expand All Code", exact=True).click()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            issued = time.monotonic()
        time.sleep(0.5)
    raise AssertionError(f"cells not all run after {deadline_s:.0f} s: {page.evaluate(PROMPTS)}")


def screenshot(target: Any, name: str, **options: Any) -> None:
    """Save a screenshot of a page or element as ``_build/<name>``, to look at (or read after a failure)."""
    (REPO / "_build").mkdir(exist_ok=True)
    target.screenshot(path=str(REPO / "_build" / name), **options)


@contextlib.contextmanager
def lab_page(browser: Any, failure: str) -> Iterator[tuple[Any, Any]]:
    """A page as :func:`opened_page` gives it, with JupyterLab's slower timeout; on a failure its
    screenshot is saved as ``_build/<failure>``."""
    with opened_page(browser) as (page, visit):
        page.set_default_timeout(60_000)
        try:
            yield page, visit
        except Exception:
            screenshot(page, failure)
            raise


def notebook_url(lab: str, notebook: str, reset: bool = True) -> str:
    """A notebook's address in JupyterLab; ``reset`` starts from a fresh workspace (no tabs left by
    earlier tests)."""
    return f"{lab}/lab/tree/{notebook}?{'reset&' if reset else ''}token={TOKEN}"


def open_notebook(page: Any, lab: str, notebook: str, reset: bool = True) -> None:
    """Open a notebook and wait until its cells show and its kernel is idle."""
    page.goto(notebook_url(lab, notebook, reset))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)


def test_student_runs_a_chapter_and_answers_a_widget_quiz(lab: str, browser: Any) -> None:
    with lab_page(browser, "lab-failure.png") as (page, visit):
        notebook = chapter_with_choice_quiz()
        open_notebook(page, lab, notebook, reset=False)
        run_all_until_every_cell_ran(page)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        tracebacks = [text for text in errors.all_inner_texts() if "Traceback" in text or "Error" in text]
        assert tracebacks == [], tracebacks[:1]

        # The live quiz is an anywidget drawing the same form as the exported page.
        quiz = page.locator(".jp-OutputArea-output form.ankl-quiz:has(input[type=radio])").first
        quiz.scroll_into_view_if_needed()
        quiz.locator("input[type=radio]").first.check()
        quiz.locator(".ankl-check").click()
        page.wait_for_function("el => /^(Correct\\.|Not quite\\.)/.test(el.textContent)",
                               arg=quiz.locator(".ankl-feedback").element_handle())
        assert quiz.locator(".ankl-show").is_visible()
        # Python got the answer: the live score line (updated after the progress file is written) counts it.
        page.get_by_text(re.compile(r"^Quiz progress: 1 of \d+ questions answered")).first.wait_for()

        # Restart every kernel, then open chapter 00 in a fresh kernel: its progress table shows the answer.
        for kernel in json.loads(urllib.request.urlopen(f"{lab}/api/kernels?token={TOKEN}", timeout=10).read()):
            restart = urllib.request.Request(f"{lab}/api/kernels/{kernel['id']}/restart?token={TOKEN}", method="POST")
            assert urllib.request.urlopen(restart, timeout=60).status == 200
        welcome = next(path.name for path in chapter_notebooks() if path.name.startswith("00_"))
        open_notebook(page, lab, welcome)
        run_all_until_every_cell_ran(page)
        row = page.locator("table.ankl-progress tr", has_text=notebook.removesuffix(".ipynb"))
        row.scroll_into_view_if_needed()
        assert row.locator("td").nth(2).inner_text() == "1", row.inner_text()
        assert visit.blocked == [], f"JupyterLab reached outside localhost: {visit.blocked[:3]}"


def test_server_lists_every_chapter(lab: str) -> None:
    with urllib.request.urlopen(f"{lab}/api/contents?token={TOKEN}", timeout=10) as answer:
        listing = answer.read().decode()
    for path in chapter_notebooks():
        assert path.name in listing, path.name


# -- chapter 03: the student draws the gates -----------------------------------------------------------

GATING_CHAPTER = "03_immunophenotyping.ipynb"


def _point(box: dict[str, float], n_steps: int, index: int, step: Any, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of data point (x, y) on plot ``index`` of the drawing figure."""
    from ankl_course.cytometry.drawing_widget import panel_point

    fx, fy = panel_point(n_steps, index, step.x, step.y, x, y)
    return box["x"] + fx * box["width"], box["y"] + fy * box["height"]


def _counts(tool: Any, index: int) -> str:
    return tool.locator(".ankl-gate-step").nth(index).locator(".ankl-gate-counts").inner_text()


def _wait_counts(tool: Any, index: int, before: str | None = None) -> str:
    """The step's counts once it is drawn (and, if ``before`` is given, once they differ from it)."""
    deadline = time.monotonic() + 30
    now = ""
    while time.monotonic() < deadline:
        now = _counts(tool, index)
        if "not drawn yet" not in now and now != before:
            return now
        time.sleep(0.2)
    raise AssertionError(f"counts of step {index + 1} did not change: {now!r}")


def _compare(page: Any, tool: Any, index: int) -> Any:
    """Press the step's comparison button and return the comparison element once it is shown."""
    step = tool.locator(".ankl-gate-step").nth(index)
    step.get_by_role("button", name="Compare with the reference").click()
    comparison = step.locator(".ankl-gate-comparison")
    comparison.wait_for(timeout=30_000)
    return comparison


def _set_fields(step: Any, values: dict[str, float]) -> None:
    """Type into the number fields by their labels, as a screen-reader user finds them."""
    for label, value in values.items():
        field = step.get_by_label(label, exact=True)
        field.fill(str(value))
        field.press("Tab")  # the value syncs on leaving the field (continuous_update=False)


def test_student_draws_the_gates_of_chapter_03_with_mouse_and_fields(lab: str, browser: Any) -> None:
    """Mouse: polygon, rectangle, quadrant, polygon and split on the plots, each changing its counts, and the
    drawn lymphoid gate passes the comparison. Fields: a lymphoid gate taking in monocytes and neutrophils
    changes the counts and is flagged with the usual-mistake explanation."""
    from ankl_course import cytometry

    draft = cytometry.GatingDraft(cytometry.generate("ankl_pb", 0, seed=3))  # the steps and their channels
    steps = draft.steps
    with lab_page(browser, "lab-gates-failure.png") as (page, visit):
        open_notebook(page, lab, GATING_CHAPTER)
        run_all_until_every_cell_ran(page, deadline_s=240)
        tool = page.locator(".ankl-gate-drawing").first
        tool.scroll_into_view_if_needed()
        figure = tool.locator(".jupyter-matplotlib-canvas-div canvas").last
        figure.wait_for(timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('.ankl-gate-counts').length >= 5")
        figure.scroll_into_view_if_needed()
        box = figure.bounding_box()
        assert box is not None and box["width"] > 300, box

        def click(index: int, x: float, y: float) -> None:
            figure.scroll_into_view_if_needed()
            page.mouse.click(*_point(figure.bounding_box(), len(steps), index, steps[index], x, y))
            time.sleep(0.3)  # one kernel round trip per click, in order

        def polygon(index: int, corners: list[tuple[float, float]]) -> None:
            for x, y in corners + corners[:1]:  # the first corner again closes the polygon
                click(index, x, y)

        before = [_counts(tool, i) for i in range(len(steps))]
        assert all("not drawn yet" in text for text in before), before
        polygon(0, [(32000, 3000), (250000, 3000), (250000, 250000), (40000, 250000)])
        drawn_cells = _wait_counts(tool, 0)
        assert drawn_cells != before[0]
        start = _point(figure.bounding_box(), len(steps), 1, steps[1], 4.5, 38000)
        end = _point(figure.bounding_box(), len(steps), 1, steps[1], 7.3, 1500)
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(*end, steps=8)
        page.mouse.up()
        drawn_lymphoid = _wait_counts(tool, 1)
        click(2, 1.7, 1.7)
        _wait_counts(tool, 2)
        polygon(3, [(-1.4, 1.7), (1.7, 1.7), (1.7, -1.4), (7.4, -1.4), (7.4, 7.4), (-1.4, 7.4)])
        _wait_counts(tool, 3)
        click(4, 3.0, 4.6)
        _wait_counts(tool, 4)
        screenshot(figure, "lab-gates-drawn.png")
        mouse_comparison = _compare(page, tool, 1)
        assert mouse_comparison.get_attribute("data-passed") == "true", mouse_comparison.inner_text()

        # keyboard: the numeric fields of the lymphoid step set a sloppy gate up into monocytes and neutrophils
        lymphoid = tool.locator(".ankl-gate-step").nth(1)
        _set_fields(lymphoid, {"CD45 from": 3.0, "CD45 to": 7.5, "SSC-A from": 0, "SSC-A to": 150000})
        lymphoid.get_by_role("button", name="Set gate").click()
        typed = _wait_counts(tool, 1, before=drawn_lymphoid)
        assert typed != drawn_lymphoid
        bad = _compare(page, tool, 1)
        text = bad.inner_text()
        assert bad.get_attribute("data-passed") == "false", text
        assert "changes the conclusion" in text and "takes in monocytes" in text, text

        # the drawn strategy saved to a file and loaded back, from the widget
        status = tool.locator(".ankl-gate-file-status")
        tool.get_by_role("button", name="Save my gates").click()
        page.wait_for_function("el => el.textContent.includes('Saved to')", arg=status.element_handle())
        tool.get_by_role("button", name="Load gates").click()
        page.wait_for_function("el => el.textContent.includes('Loaded')", arg=status.element_handle())
        assert _counts(tool, 1) == typed
        screenshot(page, "lab-gates.png", full_page=False)
        assert visit.blocked == [], f"JupyterLab reached outside localhost: {visit.blocked[:3]}"


def test_a_glossary_term_shows_its_definition_and_opens_the_glossary_in_jupyterlab(lab: str, browser: Any) -> None:
    """Issue 13: in JupyterLab too (not only in exported pages), a chapter's first use of a glossary
    term is a link whose title (the tooltip on hover) is the definition, and which opens the glossary
    notebook at the term, offline."""
    from ankl_course import glossary

    hlh = next(term for term in glossary.load()[0] if term.id == "hlh")
    with lab_page(browser, "lab-glossary-failure.png") as (page, visit):
        page.goto(notebook_url(lab, "04_clinical_picture.ipynb"))
        link = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown a[href*='cell-id=term-hlh']").first
        link.wait_for()
        assert link.get_attribute("title") == f"HLH: {hlh.definition}"  # JupyterLab's sanitiser keeps it
        link.scroll_into_view_if_needed()
        link.hover()
        link.click()
        tab = page.locator(".lm-TabBar-tab.lm-mod-current", has_text=glossary.NOTEBOOK)
        tab.wait_for()
        entry = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell",
                             has_text=hlh.definition[:40]).first
        entry.wait_for()
        in_view = ("el => { const r = el.getBoundingClientRect(); "
                   "return r.top >= 0 && r.top < window.innerHeight; }")
        # The first click opens the glossary at its top: JupyterLab 4.6 applies the #cell-id= fragment
        # before a newly opened notebook has laid out its cells. With the glossary open, a link
        # scrolls it to the term.
        page.locator(".lm-TabBar-tab", has_text="04_clinical_picture.ipynb").click()
        link.click()
        tab.wait_for()
        page.wait_for_function(in_view, arg=entry.element_handle(), timeout=20_000)
        assert visit.blocked == [], f"JupyterLab reached outside localhost: {visit.blocked[:3]}"


def test_a_branch_point_works_in_jupyterlab(lab: str, browser: Any) -> None:
    """Issue 13, item 9, with a kernel: the capstone's branch-point cell (its one call, in a small
    notebook put in the workspace, so that the whole capstone need not run) shows the situation only;
    a choice shows its path and Back re-opens the choice. JupyterLab runs the output's script because
    the output was made in this session (trusted)."""
    cell = {"cell_type": "code", "execution_count": None, "id": "branch", "metadata": {}, "outputs": [],
            "source": 'from ankl_course import case\ncase.branch_point("day14-plateau")'}
    notebook = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
                "nbformat": 4, "nbformat_minor": 5}
    put = urllib.request.Request(f"{lab}/api/contents/branch_point_check.ipynb?token={TOKEN}", method="PUT",
                                 data=json.dumps({"type": "notebook", "content": notebook}).encode(),
                                 headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(put, timeout=30).status in (200, 201)
    with lab_page(browser, "lab-branch-failure.png") as (page, visit):
        open_notebook(page, lab, "branch_point_check.ipynb")
        run_all_until_every_cell_ran(page)
        block = page.locator(".jp-OutputArea-output #ankl-branch-day14-plateau")
        block.wait_for()
        node = block.locator('.ankl-branch-node[data-node="reassess"]')
        assert block.locator('.ankl-branch-node[data-node="plateau"]').is_visible() and not node.is_visible()
        block.locator('.ankl-branch-node[data-node="plateau"] button[data-to="reassess"]').click()
        node.wait_for(state="visible")
        assert "You chose: B." in node.inner_text()
        screenshot(block, "lab-branch-point.png")
        block.locator(".ankl-branch-back").click()
        node.wait_for(state="hidden")
        assert visit.blocked == [], f"JupyterLab reached outside localhost: {visit.blocked[:3]}"
