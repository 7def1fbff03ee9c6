"""``ankl-course build`` and ``ankl-course assets``: what the site contains, read from the files.

The browser checks of the same site are in test_browser.py; the site is built
once per session (exports_helpers.built_site).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli
from exports_helpers import BUILD_TIMEOUT, built_site

from ankl_course.export import assets
from ankl_course.nbfile import cell_source, cells, read_notebook
from ankl_course.resources import APPENDIX_PREFIX, chapter_notebooks, notebooks_dir

pytestmark = pytest.mark.slow

CHAPTERS = [path.stem for path in chapter_notebooks()]
#: A script or stylesheet loaded from anywhere but the site itself.
REMOTE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)
LOCAL_REF = re.compile(r"""\b(?:src|href)="(?!https?:|data:|mailto:|#|//)([^"#?]+)""")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory)


@pytest.fixture(scope="session")
def teacher_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory, teacher=True)


def pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html")) + sorted(site.glob("*/*.html"))


def test_site_has_every_part_for_every_chapter(site: Path) -> None:
    assert CHAPTERS
    for chapter in CHAPTERS:
        for part in (f"chapters/{chapter}.html", f"slides/{chapter}.slides.html",
                     f"slides-single/{chapter}.slides.html", f"student-pack/{chapter}.ipynb"):
            assert (site / part).is_file(), part
    for part in ("index.html", "references.html", "ankl-course-student-pack.zip",
                 "assets/reveal.js/dist/reveal.js", "assets/reveal.js/plugin/notes/notes.js"):
        assert (site / part).is_file(), part
    for gone in ("assets/require.js", "assets/mathjax", "assets/html-manager", "assets/jquery.min.js"):
        assert not (site / gone).exists(), f"{gone}: no page loads it, the site must not ship it"


def test_nothing_is_loaded_from_a_cdn(site: Path) -> None:
    for page in pages(site):
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), f"{page.name}: {REMOTE.search(text).group(0)}"
        assert "unpkg.com" not in text and "cdnjs" not in text and "cdn.jsdelivr" not in text, page.name


def test_every_local_link_resolves(site: Path) -> None:
    for page in pages(site):
        if page.parent.name == "slides-single":
            continue
        for target in LOCAL_REF.findall(page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.relative_to(site)} links to missing {target}"


def test_single_file_decks_need_nothing_beside_them(site: Path) -> None:
    for chapter in CHAPTERS:
        text = (site / "slides-single" / f"{chapter}.slides.html").read_text(encoding="utf-8")
        assert not re.search(r"""<script\b[^>]*\bsrc=""", text), chapter
        assert not re.search(r"""<link\b[^>]*rel="stylesheet""", text), chapter
        assert "Reveal.initialize" in text and "RevealNotes" in text
        # no require.js: with it before reveal.js, reveal registers as an AMD module and never starts
        assert "@license RequireJS" not in text, chapter


def test_formulas_are_svg_in_every_export_and_mathjax_is_never_loaded(site: Path) -> None:
    with_math = [c for c in CHAPTERS if "$" in "".join(
        "".join(cell["source"]) for cell in json.loads((notebooks_dir() / f"{c}.ipynb").read_text())["cells"]
        if cell["cell_type"] == "markdown")]
    assert with_math, "no chapter has a formula: this test would check nothing"
    for chapter in CHAPTERS:
        for part in (f"chapters/{chapter}.html", f"slides/{chapter}.slides.html",
                     f"slides-single/{chapter}.slides.html"):
            text = (site / part).read_text(encoding="utf-8")
            assert "MathJax.js" not in text and "ANKLMATH" not in text, part
            if chapter in with_math:
                assert text.count('<mjx-container role="img" aria-label=') >= 2, part
                assert "h_1" in text, f"{part}: the formula's TeX is its accessible name"


def test_quizzes_are_exported_as_kernel_free_html_with_answers_hidden(site: Path) -> None:
    for chapter in CHAPTERS:
        for part in (f"chapters/{chapter}.html", f"slides/{chapter}.slides.html"):
            text = (site / part).read_text(encoding="utf-8")
            if chapter.startswith(APPENDIX_PREFIX):  # an optional appendix asks no questions
                assert 'class="ankl-quiz"' not in text, part
                continue
            assert 'class="ankl-quiz"' in text, part
            assert "application/vnd.jupyter.widget-view+json" not in text, f"{part}: dead widget view"
            forms = text.count('<form class="ankl-quiz"')
            hidden = re.findall(r'<div class="ankl-reveal" hidden(?:="")? id="[^"]+"><p class="ankl-answer">', text)
            assert len(hidden) == forms, f"{part}: an answer is not hidden in the student build"
            assert text.count("Kernel-free quizzes for exported pages") == 1, f"{part}: quiz script not once"


def _first_note(chapter: str) -> str:
    """A run of plain words (no Markdown marks) from a chapter's first speaker note: a notes cell,
    or else the first section of its instructor guide (data/guide/), which the decks also show."""
    from ankl_course.guide import load_guide

    texts = [cell_source(cell) for cell in cells(read_notebook(notebooks_dir() / f"{chapter}.ipynb"))
             if cell["metadata"].get("slideshow", {}).get("slide_type") == "notes"]
    guide = load_guide(chapter)
    texts += [guide.sections[0].say] if guide is not None and guide.sections else []
    for text in texts[:1]:
        runs, run = [], []
        for word in text.split():
            if re.fullmatch(r"[A-Za-z0-9,.;:'-]+", word):
                run.append(word)
            else:
                runs.append(run)
                run = []
        return " ".join(max(runs + [run], key=len)[:6])
    return ""


def _page_text(path: Path) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).split())


def test_speaker_notes_stay_out_of_student_pages_but_not_the_presenter_version(site: Path, teacher_site: Path) -> None:
    for chapter in CHAPTERS:
        note = _first_note(chapter)
        assert len(note.split()) >= 3, (chapter, note)
        assert note not in _page_text(site / "chapters" / f"{chapter}.html"), chapter
    first = CHAPTERS[0]  # the presenter build in the tests holds the first chapter only
    assert _first_note(first) in _page_text(teacher_site / "chapters" / f"{first}.html")


def test_decks_have_speaker_notes_and_slides(site: Path) -> None:
    missing = [c for c in CHAPTERS if '<aside class="notes">' not in
               (site / "slides" / f"{c}.slides.html").read_text(encoding="utf-8")]
    assert missing == [], f"chapters without speaker notes (cells with slide_type 'notes'): {missing}"


def test_student_pack_holds_the_notebooks_without_outputs(site: Path) -> None:
    with zipfile.ZipFile(site / "ankl-course-student-pack.zip") as bundle:
        names = bundle.namelist()
        # the chapters, and the glossary notebook their first uses of glossary terms link to
        assert sorted(names) == sorted([f"ankl-course/{c}.ipynb" for c in CHAPTERS] + ["ankl-course/glossary.ipynb"])
        for name in names:
            notebook = json.loads(bundle.read(name))
            for cell in notebook["cells"]:
                if cell["cell_type"] == "code":
                    assert cell["outputs"] == [] and cell["execution_count"] is None, name
            assert "widgets" not in notebook["metadata"]


def test_index_lists_every_chapter_and_references_page_lists_sources(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        assert f'href="chapters/{chapter}.html"' in index and f'href="slides-single/{chapter}.slides.html"' in index
    references = (site / "references.html").read_text(encoding="utf-8")
    assert references.count('<li id="ref-') >= len(CHAPTERS)
    assert "Presenter version" not in index


def test_teacher_build_shows_answers_and_explanations(teacher_site: Path) -> None:
    chapter = CHAPTERS[0]
    for part in (f"chapters/{chapter}.html", f"slides/{chapter}.slides.html"):
        text = (teacher_site / part).read_text(encoding="utf-8")
        assert 'class="ankl-answer"' in text, part
        assert not re.search(r'class="ankl-reveal" hidden', text), part
    assert "Presenter version" in (teacher_site / "index.html").read_text(encoding="utf-8")


def test_build_without_assets_fails_with_what_to_install(tmp_path: Path) -> None:
    out = tmp_path / "site"
    done = run_cli("build", "--out", str(out), env={assets.VENDOR_ENV: str(tmp_path / "no-vendor")},
                   timeout=BUILD_TIMEOUT)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "reveal.js 5.2.1 is not installed" in done.stderr and "ankl-course assets" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not out.exists(), "a broken site was written"


def test_build_refuses_to_overwrite_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    done = run_cli("build", "--out", str(tmp_path), "--only", CHAPTERS[0], timeout=BUILD_TIMEOUT)
    assert done.returncode == 1 and "was not written by ankl-course build" in done.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_assets_are_pinned_and_integrity_checked() -> None:
    manifest = json.loads(assets.MANIFEST.read_text(encoding="utf-8"))
    lock = json.loads(assets.LOCKFILE.read_text(encoding="utf-8"))
    for name, version in manifest["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version} is not an exact pin"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert manifest["dependencies"]["reveal.js"].split(".")[0] in ("4", "5"), "nbconvert 7's template needs 4 or 5"
    for key, entry in lock["packages"].items():
        if key:
            assert entry.get("integrity", "").startswith("sha512-"), key
    assert assets.problems() == [], "run `ankl-course assets` (make setup-test does)"
    assert run_cli("assets", "--check").returncode == 0


def test_presenter_build_has_an_instructor_guide_per_chapter(site: Path, teacher_site: Path) -> None:
    first = CHAPTERS[0]  # the presenter build in the tests holds the first chapter only
    guide = teacher_site / "guide" / f"{first}.html"
    assert guide.is_file()
    text = _page_text(guide)
    assert "Timing" in text and "min" in text and "What is ANKL" in text
    assert f"../guide/{first}.html" in (teacher_site / "chapters" / f"{first}.html").read_text(encoding="utf-8")
    assert not (site / "guide").exists(), "the students' build has no instructor guide"
    deck = (teacher_site / "slides" / f"{first}.slides.html").read_text(encoding="utf-8")
    assert deck.count('<aside class="notes">') >= 7, "one speaker note per section"
