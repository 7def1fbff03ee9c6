"""The exported site as students and teachers see it: headless Chromium with the network blocked.

Every request other than the site's own files is aborted and counted. For every
chapter (whatever chapters exist when the tests run): the page and both decks
load with no console error and no failed or blocked request; reveal.js starts
and arrow keys move between slides; speaker notes are there, and the speaker
view opens; a quiz answered wrong, then right, shows the matching feedback and
keeps the explanation for the right answer, in the page and in the deck; the
quiz script is on each page once; always picking the first option scores at
most 40 %; answers and the score line survive a reload; axe-core finds no serious or critical violation; every
image has alt text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exports_helpers import answer, built_site, launched_chromium, open_context, quiz_payload

from ankl_course.export.assets import asset_file
from ankl_course.resources import APPENDIX_PREFIX, chapter_notebooks
from ankl_course.slides import MAX_WORDS, deck_parts

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHAPTERS = [path.stem for path in chapter_notebooks()]
#: The chapters with a question bank: an optional appendix asks no questions.
QUIZ_CHAPTERS = [chapter for chapter in CHAPTERS if not chapter.startswith(APPENDIX_PREFIX)]
#: nbconvert's stand-in when an image has no alt text.
NO_ALT = "No description has been provided"


@pytest.fixture(scope="module")  # module, not session: one sync Playwright at a time (test_lab.py has its own)
def browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory)


def load(browser: Any, path: Path, query: str = "") -> tuple[Any, Any, Any]:
    """Open a file of the site; return (context, page, visit record)."""
    assert path.is_file(), f"{path} was not built"
    context, visit = open_context(browser)
    page = context.new_page()
    page.goto(path.as_uri() + query, wait_until="load")
    return context, page, visit


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core findings on the page as it is now."""
    page.add_script_tag(path=str(asset_file("axe-core", "axe.min.js")))
    found = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], preload: false})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " where: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['where']}"
            for v in found if v["impact"] in ("serious", "critical")]


def images_without_alt(page: Any) -> list[str]:
    return page.evaluate(
        f"""Array.from(document.images).filter(img => !(img.getAttribute('alt') || '').trim()
              || img.getAttribute('alt').includes({NO_ALT!r})).map(img => img.src.slice(0, 80))"""
    )


def check_quiz(page: Any, form_id: str) -> None:
    """Wrong answer: 'not right' feedback and nothing given away; right answer: 'Correct.' and the
    explanation with the right answer."""
    explanation = page.locator(f"#{form_id}-explanation")
    assert explanation.is_hidden(), "the explanation shows before the student answers"
    wrong = answer(page, form_id, right=False)
    assert wrong.startswith(("Not quite", "Too low", "Too high")), wrong
    assert explanation.is_hidden(), "a wrong first answer revealed the explanation (and with it the answer)"
    right = answer(page, form_id, right=True)
    assert right.startswith("Correct."), right
    assert explanation.is_visible() and "Answer:" in explanation.inner_text(), "no explanation after a right answer"


# -- chapter pages -----------------------------------------------------------------


def test_there_are_chapters_to_check() -> None:
    assert CHAPTERS, "no chapter notebooks found: the browser tests would check nothing"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_page_works_offline(browser: Any, site: Path, chapter: str) -> None:
    context, page, visit = load(browser, site / "chapters" / f"{chapter}.html")
    try:
        forms = page.locator("form.ankl-quiz")
        if chapter not in QUIZ_CHAPTERS:  # an optional appendix: works offline, asks nothing
            assert forms.count() == 0 and images_without_alt(page) == [] and axe_violations(page) == []
            assert visit.problems() == []
            return
        assert forms.count() >= 1, "no kernel-free quiz on the page"
        assert not page.locator("script[type='application/vnd.jupyter.widget-view+json']").count(), \
            "a dead widget view was exported"
        assert images_without_alt(page) == []
        assert axe_violations(page) == []
        first = forms.first.get_attribute("id")
        check_quiz(page, first)
        score = page.locator(".ankl-score").last  # the chapter's score line, at its end
        if score.count():
            assert ": 1 of" in score.inner_text() and "0 right first time" in score.inner_text(), score.inner_text()
        scripts = page.evaluate("Array.from(document.scripts).filter(s => s.text.includes('Kernel-free quiz')).length")
        assert scripts == 1, f"the quiz script is on the page {scripts} times"
        assert visit.problems() == []
    finally:
        context.close()


@pytest.mark.parametrize("chapter", QUIZ_CHAPTERS)
def test_always_picking_the_first_option_scores_at_most_40_percent(browser: Any, site: Path, chapter: str) -> None:
    context, page, visit = load(browser, site / "chapters" / f"{chapter}.html")
    try:
        singles = [form for form in page.locator("form.ankl-quiz").all() if quiz_payload(form)["type"] == "single"]
        assert singles, "no single-choice question on the page"
        right = 0
        for form in singles:
            form.locator("input[type=radio]").first.check()
            form.locator(".ankl-check").click()
            right += form.locator(".ankl-feedback").inner_text().startswith("Correct.")
        assert right / len(singles) <= 0.4, f"{right} of {len(singles)} right by always picking the first option"
        assert visit.problems() == []
    finally:
        context.close()


def test_answers_and_score_survive_a_reload(browser: Any, site: Path) -> None:
    context, page, visit = load(browser, site / "chapters" / f"{QUIZ_CHAPTERS[-1]}.html")
    try:
        forms = page.locator("form.ankl-quiz")
        first, second = forms.nth(0).get_attribute("id"), forms.nth(1).get_attribute("id")
        assert answer(page, first, right=True).startswith("Correct.")
        forms.nth(1).locator(".ankl-show").click()
        score = page.locator(".ankl-score").last.inner_text()  # the chapter's score line, at its end
        assert score.startswith("Quiz progress: 2 of") and "1 right first time, 1 answer shown" in score, score
        picked = [i.is_checked() for i in forms.nth(0).locator("input").all()]
        page.reload(wait_until="load")
        assert page.locator(".ankl-score").last.inner_text() == score
        assert [i.is_checked() for i in page.locator(f"form#{first} input").all()] == picked
        assert page.locator(f"#{first}-feedback").inner_text().startswith("Correct.")
        for form_id in (first, second):
            assert page.locator(f"#{form_id}-explanation").is_visible(), form_id
        assert visit.problems() == []
    finally:
        context.close()


GATING_CHAPTERS = {"03_immunophenotyping": 2, "08_case_study": 1}  # drawing tools per chapter


def check_worked_gating(page: Any, tools: int) -> None:
    """Each drawing tool shows, without a kernel, the sentence that drawing needs JupyterLab and one
    figure per step with the reference gate, each with alt text."""
    worked = page.locator(".ankl-drawing-worked")
    assert worked.count() == tools, worked.count()
    for number in range(tools):
        tool = worked.nth(number)
        assert "Drawing the gates needs JupyterLab" in tool.inner_text()
        figures = tool.locator("img")
        assert figures.count() in (4, 5), figures.count()  # the T-LGL path has four steps, the NK path five
        for step in range(figures.count()):
            alt = figures.nth(step).get_attribute("alt") or ""
            assert alt.startswith(f"Step {step + 1} with the reference gate"), alt
            assert figures.nth(step).evaluate("img => img.naturalWidth") > 100


@pytest.mark.parametrize("chapter", [c for c in GATING_CHAPTERS if c in CHAPTERS])
@pytest.mark.parametrize("part", ["chapters/{}.html", "slides/{}.slides.html"])
def test_gating_steps_are_a_worked_sequence_in_exports(browser: Any, site: Path, chapter: str, part: str) -> None:
    context, page, visit = load(browser, site / part.format(chapter))
    try:
        check_worked_gating(page, GATING_CHAPTERS[chapter])
        assert visit.problems() == []
    finally:
        context.close()


@pytest.mark.parametrize("name", ["index.html", "references.html"])
def test_index_and_references_work_offline(browser: Any, site: Path, name: str) -> None:
    context, page, visit = load(browser, site / name)
    try:
        assert axe_violations(page) == []
        if name == "index.html":
            for chapter in CHAPTERS:
                assert page.locator(f"a[href='chapters/{chapter}.html']").count() == 1, chapter
            page.locator(f"a[href='chapters/{CHAPTERS[0]}.html']").click()
            page.wait_for_load_state("load")
            assert page.url.endswith(f"chapters/{CHAPTERS[0]}.html")
        else:
            assert page.locator("ol.ankl-references li").count() >= 1
        assert visit.problems() == []
    finally:
        context.close()


#: Words each table cell of a page holds: their line boxes, and whether the cell cuts its content off.
TABLE_WORDS = """() => Array.from(document.querySelectorAll('.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th'))
  .filter(cell => cell.offsetParent !== null).map(cell => {
    const broken = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[A-Za-z]{4,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index); range.setEnd(node, match.index + match[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
        if (tops.size > 1) { broken.push(match[0]); }
      }
    }
    return {text: cell.innerText.slice(0, 40), broken, clipped: cell.scrollWidth > cell.clientWidth + 1};
  })"""


@pytest.mark.parametrize("chapter", ["06_survival_curves", "04_clinical_picture"])
def test_table_cells_wrap_between_words_and_cut_nothing(browser: Any, site: Path, chapter: str) -> None:
    """A narrow column broke "patient" into "patie / nt" and "unknown" into "unknow / n"; a wide table
    must still wrap its cells rather than cut them ("median surviv..." in the old chapter 06)."""
    context, page, _ = load(browser, site / "chapters" / f"{chapter}.html")
    try:
        page.set_viewport_size({"width": 800, "height": 900})  # half a laptop screen: "anywhere" broke words here
        cells = page.evaluate(TABLE_WORDS)
        assert len(cells) > 20, "the page's tables were not found"
        assert [c for c in cells if c["broken"]] == []
        assert [c["text"] for c in cells if c["clipped"]] == []
    finally:
        context.close()


# -- slide decks ---------------------------------------------------------------------


def start_deck(browser: Any, path: Path, query: str = "") -> tuple[Any, Any, Any]:
    context, page, visit = load(browser, path, query)
    try:
        page.wait_for_selector(".reveal.ready", timeout=10_000)
    except Exception:
        context.close()
        raise AssertionError(f"reveal.js did not start in {path.name}: {visit.problems()}") from None
    return context, page, visit


def go_to_slide_of(page: Any, selector: str) -> None:
    page.evaluate(
        """sel => { const el = document.querySelector(sel);
                    const i = Reveal.getIndices(el.closest('section'));
                    const fragment = el.closest('.fragment');
                    const f = fragment ? parseInt(fragment.getAttribute('data-fragment-index'), 10) : undefined;
                    Reveal.slide(i.h, i.v, f); }""",
        selector,
    )
    page.wait_for_timeout(900)  # the slide transition


@pytest.mark.parametrize("folder", ["slides", "slides-single"])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_deck_presents_offline(browser: Any, site: Path, chapter: str, folder: str) -> None:
    path = site / folder / f"{chapter}.slides.html"
    context, page, visit = start_deck(browser, path)
    try:
        total = page.evaluate("Reveal.getTotalSlides()")
        assert total >= 3, f"only {total} slides: is the slide metadata missing?"
        page.locator(".reveal").click(position={"x": 5, "y": 5})
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(400)
        assert page.evaluate("Reveal.getIndices().h") == 1, "ArrowRight did not move to the next slide"
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(400)
        assert page.evaluate("Reveal.getIndices().h") == 0, "ArrowLeft did not move back"

        notes = page.locator("aside.notes")
        assert notes.count() >= 1, "no speaker notes in the deck (cells with slide_type 'notes')"
        assert notes.first.inner_text().strip() or notes.first.text_content().strip()
        assert images_without_alt(page) == []

        if chapter in QUIZ_CHAPTERS:
            form_id = page.locator("form.ankl-quiz").first.get_attribute("id")
            go_to_slide_of(page, f"form#{form_id}")
            check_quiz(page, form_id)
        assert visit.problems() == []
        if folder == "slides-single":
            others = [url for url in visit.requests if not url.startswith(("data:", "about:", path.as_uri()))]
            assert others == [], f"the single-file deck is not self-contained: {others[:5]}"
    finally:
        context.close()


def _split_deck_chapter() -> str:
    """The first chapter whose deck splits a long Markdown cell and shows a warm-up."""
    for path in chapter_notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if deck_parts(cells) and any("warm_up()" in "".join(cell["source"]) for cell in cells):
            return path.stem
    return ""


#: What the current slide shows: its questions, and the words of its prose (rendered Markdown,
#: without speaker notes, code, formulas, citation links or continuation labels, as ``ankl-course check`` counts).
SHOWN = """() => {
  const slide = Reveal.getCurrentSlide();
  const prose = Array.from(slide.querySelectorAll('.jp-RenderedMarkdown')).filter(e => !e.closest('aside.notes'))
    .map(e => { const c = e.cloneNode(true);
                c.querySelectorAll('pre, code, mjx-container, a[href^="#ref-"], .ankl-continued')
                  .forEach(x => x.remove());
                return c.textContent; }).join(' ');
  const i = Reveal.getIndices();
  return {h: i.h, v: i.v, f: i.f === undefined ? -1 : i.f, questions: slide.querySelectorAll('form.ankl-quiz').length,
          words: prose.split(/\\s+/).filter(w => /\\w/.test(w)).length,
          label: (slide.querySelector('.ankl-continued') || {textContent: ''}).textContent,
          ids: Array.from(slide.querySelectorAll('[id^="cell-id="]')).map(e => e.id.slice(8))}; }"""


def _piece_of(cell_id: str, cell: str) -> bool:
    return cell_id == cell or cell_id.startswith(f"{cell}-part")


def _holds(slide: dict[str, Any], cell: str) -> bool:
    return any(_piece_of(cell_id, cell) for cell_id in slide["ids"])


#: "About" 90: rendered facts and citations add a few words the Markdown does not show.
WORDS_SHOWN = MAX_WORDS + 10


def test_long_sections_and_warm_ups_step_through_sub_slides(browser: Any, site: Path, tmp_path: Path) -> None:
    """A split section and the warm-up: arrow keys step through their sub-slides in order, and
    every slide on the way holds at most one question and about 90 words."""
    chapter = _split_deck_chapter()
    assert chapter, "no chapter has both a long section and a warm-up: pick another deck for this test"
    context, page, visit = start_deck(browser, site / "slides" / f"{chapter}.slides.html")
    try:
        pieces = page.evaluate("Array.from(document.querySelectorAll('[id$=\"-part2\"]')).map(e => e.id.slice(8))")
        split = sorted({piece.removesuffix("-part2") for piece in pieces})
        quizzes = [cell for cell in split if page.locator(f'[id="cell-id={cell}"] form.ankl-quiz').count()]
        assert quizzes and len(split) > len(quizzes), f"expected a split warm-up and a split section: {split}"
        page.locator(".reveal").click(position={"x": 5, "y": 5})
        for cell in split:
            go_to_slide_of(page, f'[id="cell-id={cell}"]')
            shown = [page.evaluate(SHOWN)]
            for _ in range(60):  # fragments first, then the next sub-slide: ArrowDown steps through both
                before = page.evaluate(SHOWN)
                page.keyboard.press("ArrowDown")
                page.wait_for_timeout(300)
                now = page.evaluate(SHOWN)
                if [now[k] for k in "hvf"] == [before[k] for k in "hvf"] or not _holds(now, cell):
                    break  # the bottom of the stack, or past the cell's pieces
                if (now["h"], now["v"]) != (shown[-1]["h"], shown[-1]["v"]):
                    shown.append(now)
            parts = [next(i for i in slide["ids"] if _piece_of(i, cell)) for slide in shown]
            assert parts == [cell] + [f"{cell}-part{n}" for n in range(2, len(parts) + 1)], \
                f"ArrowDown does not step through the pieces of {cell} in order: {parts}"
            assert len(parts) >= 2
            assert all(slide["label"] for slide in shown[1:]), \
                f"a continuing sub-slide of {cell} does not say which section it continues: {shown}"
            for slide in shown:
                assert slide["questions"] <= 1, f"{chapter} slide {slide['h']}.{slide['v']} asks {slide['questions']}"
                assert slide["words"] <= WORDS_SHOWN, \
                    f"{chapter} slide {slide['h']}.{slide['v']} shows {slide['words']} words ({cell})"
        go_to_slide_of(page, f'[id="cell-id={split[-1]}-part2"]')
        page.screenshot(path=str(tmp_path / f"{chapter}-split.png"))
        assert visit.problems() == []
    finally:
        context.close()


@pytest.mark.parametrize("folder", ["slides", "slides-single"])
def test_speaker_view_opens_with_notes(browser: Any, site: Path, folder: str) -> None:
    chapter = CHAPTERS[0]
    context, page, visit = start_deck(browser, site / folder / f"{chapter}.slides.html")
    try:
        go_to_slide_of(page, "aside.notes")
        with context.expect_page() as opened:
            page.keyboard.press("s")
        speaker = opened.value
        speaker.wait_for_selector(".speaker-controls-notes", timeout=10_000)
        speaker.wait_for_function(
            "document.querySelector('.speaker-controls-notes .value') &&"
            " document.querySelector('.speaker-controls-notes .value').textContent.trim().length > 0",
            timeout=10_000,
        )
        assert visit.problems() == []
    finally:
        context.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_slide_passes_axe(browser: Any, site: Path, chapter: str) -> None:
    """reveal.js's scroll view lays every slide out at once, so axe sees them all, not just the first."""
    context, page, visit = start_deck(browser, site / "slides" / f"{chapter}.slides.html", "?view=scroll")
    try:
        assert page.evaluate("Reveal.getConfig().view") == "scroll"
        assert axe_violations(page) == []
        assert visit.problems() == []
    finally:
        context.close()


@pytest.mark.parametrize("part", ["chapters/{}.html", "slides/{}.slides.html"])
def test_presenter_build_shows_answers(browser: Any, tmp_path_factory: pytest.TempPathFactory, part: str) -> None:
    teacher = built_site(tmp_path_factory, teacher=True)
    context, page, visit = load(browser, teacher / part.format(CHAPTERS[0]))
    try:
        if "slides" in part:
            page.wait_for_selector(".reveal.ready", timeout=10_000)
            go_to_slide_of(page, "form.ankl-quiz")
        form = page.locator("form.ankl-quiz").first
        assert form.locator(".ankl-answer").is_visible(), "no answer shown in the presenter build"
        assert form.locator(".ankl-reveal").is_visible(), "no explanation shown in the presenter build"
        assert visit.problems() == []
    finally:
        context.close()


# -- a lean site ------------------------------------------------------------------------


def test_the_site_ships_exactly_the_assets_its_pages_load(browser: Any, site: Path) -> None:
    """Every page and deck opened in Chromium (decks started, speaker view opened): the files
    it requests under assets/ must be exactly the files the build copied there."""
    from ankl_course.export.assets import SITE_STAMP

    assets_uri = (site / "assets").as_uri() + "/"
    requested: set[str] = set()
    opened = [site / "index.html", site / "references.html"]
    opened += sorted((site / "chapters").glob("*.html")) + sorted((site / "slides").glob("*.html"))
    for path in opened:
        context, page, visit = load(browser, path)
        try:
            if path.parent.name == "slides":
                page.wait_for_selector(".reveal.ready", timeout=10_000)
                with context.expect_page() as speaker:
                    page.keyboard.press("s")
                speaker.value.wait_for_selector(".speaker-controls-notes", state="attached", timeout=10_000)
            assert visit.problems() == [], path.name
            requested |= {url[len(assets_uri):] for url in visit.requests if url.startswith(assets_uri)}
        finally:
            context.close()
    copied = {p.relative_to(site / "assets").as_posix() for p in (site / "assets").rglob("*")
              if p.is_file() and p.name != SITE_STAMP}
    assert copied - requested == set(), "copied but loaded by no page"
    assert requested - copied == set(), "loaded but not copied"
    size = sum(p.stat().st_size for p in (site / "assets").rglob("*") if p.is_file())
    print(f"assets/: {len(copied)} files, {size / 1024:.0f} KiB")  # shown with pytest -s
    assert size < 1024 * 1024


def test_formulas_show_as_svg_without_mathjax(browser: Any, site: Path) -> None:
    shown = 0
    for part in ("chapters/{}.html", "slides/{}.slides.html", "slides-single/{}.slides.html"):
        for chapter in CHAPTERS:
            context, page, visit = load(browser, site / part.format(chapter))
            try:
                formulas = page.locator("mjx-container[role=img] > svg")
                shown += formulas.count()
                if formulas.count():
                    assert page.evaluate("typeof window.MathJax") == "undefined"
                    box = formulas.first.bounding_box() if "chapters" in part else None
                    assert box is None or box["width"] > 5, "a formula is drawn with no width"
                    assert "$" not in page.locator("mjx-container").first.evaluate("e => e.parentElement.textContent")
                assert visit.problems() == []
            finally:
                context.close()
    assert shown >= 3 * 4, "chapter 6's four formulas must be SVG in the page and both decks"


# -- explorers that move offline -----------------------------------------------------------


def _mentions_explorer(chapter: str) -> bool:
    """An explorer built in the notebook (``Explorer(``) or by the library (``nkcells.balance_explorer()``)."""
    from ankl_course.resources import notebooks_dir
    from ankl_course.timing import EXPLORER  # Explorer( or a library call such as survival.sample_size_explorer(

    return EXPLORER.search((notebooks_dir() / f"{chapter}.ipynb").read_text(encoding="utf-8")) is not None


def _view_state(explorer: Any) -> tuple[str, str, str]:
    """What the student sees in an explorer: the first image's alt and source, or the text."""
    view = explorer.locator(".ankl-explorer-view")
    image = view.locator("img")
    if image.count():
        return image.first.get_attribute("alt") or "", (image.first.get_attribute("src") or "")[-200:], ""
    return "", "", view.inner_text()


def _move_first_control(page: Any, explorer: Any) -> None:
    """Move the explorer's first control with the keyboard, as a student without a mouse would."""
    control = explorer.locator("[data-ankl-axis]").first
    control.focus()
    if control.evaluate("c => c.type") == "range":
        at_end = control.evaluate("c => c.value === c.max")
        page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
    else:
        at_end = control.evaluate("c => c.selectedIndex === c.options.length - 1")
        page.keyboard.press("ArrowUp" if at_end else "ArrowDown")


@pytest.mark.parametrize("folder", ["chapters", "slides", "slides-single"])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_explorers_move_offline(browser: Any, site: Path, chapter: str, folder: str) -> None:
    suffix = ".html" if folder == "chapters" else ".slides.html"
    path = site / folder / f"{chapter}{suffix}"
    context, page, visit = start_deck(browser, path) if folder != "chapters" else load(browser, path)
    try:
        explorers = page.locator(".ankl-explorer-frames")
        if not _mentions_explorer(chapter):
            assert explorers.count() == 0
            return
        assert explorers.count() >= 1, "an explorer was exported without its frames"
        for index in range(explorers.count()):
            explorer = explorers.nth(index)
            if folder != "chapters":
                go_to_slide_of(page, f"#{explorer.get_attribute('id')}")
            assert explorer.locator("[data-ankl-axis]").count() >= 1, "no control moves offline"
            before = _view_state(explorer)
            _move_first_control(page, explorer)
            after = _view_state(explorer)
            assert after != before, f"explorer {index}: moving a control changed nothing"
            if before[0]:
                assert after[0] != before[0], f"explorer {index}: the alt text did not follow the figure"
                assert after[1] != before[1], f"explorer {index}: the image did not change"
        if folder != "chapters":  # leaving the control, arrow keys move slides again
            page.evaluate("document.activeElement.blur()")
            where = page.evaluate("Reveal.getIndices().h")
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(400)
            assert page.evaluate("Reveal.getIndices().h") != where or page.evaluate("Reveal.isLastSlide()")
        assert images_without_alt(page) == []
        assert visit.problems() == []
    finally:
        context.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_empty_table_header_or_skipped_heading_level(browser: Any, site: Path, chapter: str) -> None:
    """The moderate axe findings that remained (empty table headers in 01 and 06, heading order
    in 05), checked on every page so that they do not come back."""
    context, page, visit = load(browser, site / "chapters" / f"{chapter}.html")
    try:
        page.add_script_tag(path=str(asset_file("axe-core", "axe.min.js")))
        found = page.evaluate(
            "axe.run(document, {runOnly: ['empty-table-header', 'heading-order'], resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.html).join(' | ')))"
        )
        assert found == []
        assert visit.problems() == []
    finally:
        context.close()
