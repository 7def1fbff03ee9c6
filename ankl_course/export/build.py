"""``ankl-course build``: the offline course site a teacher presents from and mails out.

What it writes (default ``./site``)::

    index.html                   chapter map with links to every page, deck and notebook
    references.html              every reference the course cites
    chapters/NN_name.html        each chapter, executed in a fresh kernel
    slides/NN_name.slides.html   reveal.js deck (uses ../assets/)
    slides-single/NN_name.slides.html   the same deck as ONE self-contained file, to mail
    student-pack/NN_name.ipynb   the notebooks without outputs, plus ankl-course-student-pack.zip
    assets/                      reveal.js and its notes plugin (for the decks; pages load no library)

Why it is built this way:

* Every chapter executes once (nbclient, fresh kernel, widget state not
  stored) and that one executed notebook becomes the page and both decks, so
  the build costs about one ``nbconvert --execute`` per chapter, not three.
* Quizzes and explorers carry a kernel-free ``text/html`` rendering beside the
  widget view; exporters put ``text/html`` first, so quizzes stay interactive
  in pages and decks with no kernel and no network.
* Every library comes from the vendor folder installed by ``ankl-course
  assets`` (npm lockfile); no page or deck refers to a CDN. Without them the
  build stops before executing anything, saying what to install.
* ``--teacher`` executes with ``ANKL_COURSE_TEACHER=1``: quizzes show their
  answers and explanations (the presenter's copy).
* A rebuild into the same folder re-executes only the chapters whose notebook,
  library code, data or options changed (content hashes, see
  :mod:`.incremental`); ``--force`` rebuilds everything.
"""

from __future__ import annotations

import argparse
import atexit
import copy
import html
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from traitlets.config import Config

from .. import glossary, handout
from ..citations import load_references, references_html
from ..errors import CourseDataError
from ..guide import Guide, guide_html, guide_path, load_guide, notes_markdown, section_headings
from ..htmlkit import Markup, table
from ..interactive import EXPORT_ENV
from ..nbfile import read_notebook, write_notebook
from ..quiz import TEACHER_ENV
from ..reading_list import chapter_keys
from ..resources import PACKAGE_DIR, chapter_notebooks, glossary_notebook
from ..studentcopy import student_notebook
from ..syllabus import Chapter, read_chapter
from . import assets, mathsvg
from .incremental import STAMPS, Stamps, chapter_key, shared_digest

TEMPLATES = PACKAGE_DIR / "templates"
SITE_TEMPLATES = TEMPLATES / "site"
#: A file that marks a folder as a site this command wrote (so a rebuild may replace it).
MARKER = ".ankl-course-site"
MANAGED = ("chapters", "slides", "slides-single", "student-pack", "assets", "guide")
PACK_ZIP = "ankl-course-student-pack.zip"
HANDOUT_PDF = "ankl-course-handout.pdf"
#: Output types in the order exports prefer them: the kernel-free HTML of quizzes
#: and explorers wins over the widget view, which is dead without a kernel.
DISPLAY_PRIORITY = [
    "text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png", "image/jpeg",
    "text/markdown", "text/plain", "application/vnd.jupyter.widget-view+json",
]
MATH = re.compile(r"(?<!\\)\$[^$\n]+\$|\\\(|\\\[|\\begin\{")
#: Chrome treats "</script" inside an inline script as its end; this keeps inlined libraries whole.
SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)
KERNEL_TIMEOUT = 180
EMPTY_TH = re.compile(r"<th(\s[^>]*)?>\s*</th>")


@dataclass
class ChapterResult:
    """What building one chapter produced (sizes in bytes, times in seconds)."""

    stem: str
    single_deck_bytes: int
    execute_seconds: float
    export_seconds: float
    warnings: list[str] = field(default_factory=list)
    #: True when the chapter's files were current and nothing was executed.
    reused: bool = False


@dataclass
class BuildOptions:
    """Everything that decides how the site is built."""

    out: Path
    teacher: bool = False
    deck_code: bool = False
    jobs: int = 1
    timeout: int = KERNEL_TIMEOUT
    #: Rebuild every chapter even when its stamp says its files are current.
    force: bool = False


# -- chapters --------------------------------------------------------------------


def select_chapters(only: list[str] | None) -> list[Chapter]:
    """The chapters to build: all, or those whose file name contains one of ``only``."""
    paths = chapter_notebooks()
    if only:
        paths = [p for p in paths if any(part in p.name for part in only)]
        if not paths:
            raise CourseDataError("notebooks/", "", f"no chapter matches {', '.join(only)}")
    if not paths:
        raise CourseDataError("notebooks/", "", "no chapter notebooks found; is the package installed whole?")
    return [read_chapter(p) for p in paths]


# -- executing and exporting one chapter ------------------------------------------


def execute(path: Path, workdir: Path, teacher: bool, timeout: int = KERNEL_TIMEOUT) -> Any:
    """Run a notebook top to bottom in a fresh kernel; drop the widget state afterwards.

    Without widget state in the notebook the exported quiz and explorer outputs fall back to
    their ``text/html`` rendering. (``store_widget_state=False`` would say the same, but
    nbclient 0.11 then fails with a KeyError as soon as an ``Output`` widget captures a display.)
    """
    # Lazy (measured): nbformat, nbclient and nbconvert take 2 to 3 s to import here, and
    # `ankl-course build --help` and the missing-assets check must answer before that.
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(path, as_version=4)
    # IPC sockets (files in the working folder) instead of TCP ports: kernels started at the
    # same time by parallel builds cannot race for a port, and nothing listens on the network.
    config = Config({"KernelManager": {"transport": "ipc", "ip": str(workdir / f".ipc-{path.stem}")}})
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", store_widget_state=True, config=config,
        resources={"metadata": {"path": str(workdir)}},
    )
    env = dict(os.environ)
    env[TEACHER_ENV] = "1" if teacher else ""
    env[EXPORT_ENV] = "1"
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        where = _failed_cell(nb)
        summary = f"{exc.ename}: {exc.evalue}" if getattr(exc, "ename", "") else str(exc).splitlines()[0]
        raise CourseDataError(path, where, f"execution failed: {summary}") from None
    except CellTimeoutError:
        raise CourseDataError(path, _failed_cell(nb), f"a cell ran longer than {timeout} s") from None
    except Exception as exc:  # kernel died, could not start, ...: still one line naming the notebook
        atexit.unregister(client._cleanup_kernel)  # nbclient's exit hook would only fail again, noisily
        raise CourseDataError(path, "", f"execution failed: {type(exc).__name__}: {exc}") from None
    nb.metadata.pop("widgets", None)
    return nb


def _without_speaker_notes(nb: Any) -> Any:
    """The notebook minus its speaker-notes cells: they are the teacher's words for the deck's
    speaker view, not text for the students' pages (the presenter build keeps them)."""
    trimmed = copy.copy(nb)
    trimmed.cells = [c for c in nb.cells if c.get("metadata", {}).get("slideshow", {}).get("slide_type") != "notes"]
    return trimmed


def _failed_cell(nb: Any) -> str:
    for index, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"cell {index}"
    return ""


def _config(deck_code: bool) -> Any:
    config = Config()
    config.NbConvertBase.display_data_priority = DISPLAY_PRIORITY
    config.TemplateExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.embed_images = True
    # No require.js, jQuery, MathJax or widget-renderer URL: the templates load none of them
    # (nothing on a page uses them), and the deck template writes its own <head>.
    config.SlidesExporter.exclude_input = not deck_code
    # No "In [7]:" / "Out[7]:" on pages or slides: execution counts mean nothing to a student
    # reading a page (SlidesExporter is an HTMLExporter, so this covers both).
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    return config


def _nav(chapters: list[Chapter], index: int, teacher: bool) -> tuple[str, str]:
    """The header and footer navigation of a chapter page."""
    esc = html.escape
    chapter = chapters[index]
    top = [
        '<li><a href="../index.html">Course home</a></li>',
        f'<li><a href="../slides/{esc(chapter.stem)}.slides.html">Slides of this chapter</a></li>',
        '<li><a href="../references.html">All references</a></li>',
        '<li><a href="../glossary.html">Glossary</a></li>',
    ]
    if teacher:
        top.append('<li><span class="ankl-teacher">Presenter version: answers shown</span></li>')
        if guide_path(chapter.stem).is_file():
            top.append(f'<li><a href="../guide/{esc(chapter.stem)}.html">Instructor guide</a></li>')
    steps = []
    if index > 0:
        before = chapters[index - 1]
        steps.append(f'<li><a href="{esc(before.stem)}.html" rel="prev">Previous: {esc(before.heading)}</a></li>')
    if index + 1 < len(chapters):
        after = chapters[index + 1]
        steps.append(f'<li><a href="{esc(after.stem)}.html" rel="next">Next: {esc(after.heading)}</a></li>')
    steps.append('<li><a href="../index.html">Back to the chapter map</a></li>')
    return (f'<nav aria-label="Course">{"<ul>" + "".join(top) + "</ul>"}</nav>',
            f'<nav aria-label="Chapters">{"<ul>" + "".join(steps) + "</ul>"}</nav>')


def _inline_script(path: Path) -> str:
    return "<script>" + SCRIPT_END.sub(r"<\\/\1", path.read_text(encoding="utf-8")) + "</script>"


def _theme_css(site_assets: Path) -> str:
    """reveal.js's white theme without its web-font import: the font files would be one more
    folder to ship for a look the fallback fonts (Helvetica, sans-serif) nearly match, and a
    single-file deck could not carry them anyway."""
    css = (assets.package_dir("reveal.js") / "dist/theme/white.css").read_text(encoding="utf-8")
    return re.sub(r"@import url\([^)]*\);?", "", css)


def _deck_head(site_assets: Path, single: bool) -> str:
    """reveal.js's CSS, theme and JS with its notes plugin: linked, or inlined for one file."""
    reveal = "reveal.js/dist/reveal"
    scripts = [reveal + ".js", "reveal.js/plugin/notes/notes.js"]
    theme = f"<style>{_theme_css(site_assets)}</style>"
    if not single:
        return "\n".join([f'<link rel="stylesheet" href="../assets/{reveal}.css">', theme]
                         + [f'<script src="../assets/{s}"></script>' for s in scripts])
    css = (site_assets / f"{reveal}.css").read_text(encoding="utf-8")
    return "\n".join([f"<style>{css}</style>", theme] + [_inline_script(site_assets / s) for s in scripts])


def _no_empty_headers(page: str) -> str:
    """Empty header cells become data cells: the corner cell of a table whose first column holds
    row labels (a Markdown table with a blank first heading, a pandas index) names nothing, and a
    screen reader would announce an unnamed column header (axe: empty-table-header)."""
    return EMPTY_TH.sub(r"<td\1></td>", page)


def with_guide_notes(nb: Any, guide: Guide | None) -> Any:
    """A copy of ``nb`` with one speaker-notes cell after each section heading that the chapter's
    guide covers (data/guide/NN_name.toml): the deck's speaker view shows them."""
    if guide is None:
        return nb
    from nbformat.v4 import new_markdown_cell  # lazy: see execute()

    notes = {index: guide.for_heading(heading) for index, heading in section_headings(nb.cells)}
    trimmed = copy.copy(nb)
    trimmed.cells = []
    for index, cell in enumerate(nb.cells):
        trimmed.cells.append(cell)
        section = notes.get(index)
        if section is not None:
            trimmed.cells.append(new_markdown_cell(notes_markdown(section),
                                                   metadata={"slideshow": {"slide_type": "notes"}}))
    return trimmed


def guide_page(title: str, guide: Guide, nb: Any, teacher: bool) -> str:
    """The instructor guide page of one chapter (teacher build only), in the site's shell."""
    headings = [heading for _, heading in section_headings(nb.cells)]
    return _shell(f"Instructor guide: {title}", guide_html(title, guide, headings), teacher)


def _has_math(nb: Any) -> bool:
    return any(cell.cell_type == "markdown" and MATH.search(cell.source) for cell in nb.cells)


def build_chapter(chapters: list[Chapter], index: int, options: BuildOptions, workdir: Path) -> ChapterResult:
    """Execute one chapter and write its page, its deck and its single-file deck."""
    from nbconvert import HTMLExporter, SlidesExporter  # lazy: see execute()

    from .deck_split import SplitSlides  # an nbconvert preprocessor: lazy too

    chapter = chapters[index]
    started = time.perf_counter()
    nb = execute(workdir / chapter.path.name, workdir, options.teacher, options.timeout)
    executed = time.perf_counter()
    config = _config(options.deck_code)
    css = (SITE_TEMPLATES / "course.css").read_text(encoding="utf-8")
    site_assets = options.out / "assets"
    nav, nav_footer = _nav(chapters, index, options.teacher)
    name = chapter.stem
    base = {"metadata": {"name": chapter.heading}}

    guide = load_guide(chapter.stem)
    # Decks only: the guide's speaker notes, and long prose and multi-question quizzes over
    # sub-slides (the page keeps the notebook as written). Split before the formulas become
    # tokens, so the deck is cut where `ankl-course check` counted.
    split: dict[str, Any] = {}
    deck_nb, _ = SplitSlides().preprocess(with_guide_notes(nb, guide), split)

    # Formulas become SVG at build time (MathJax 3 in Node.js), so no page or deck loads MathJax.
    nb, formulas = mathsvg.extract(nb) if _has_math(nb) else (nb, [])
    deck_nb, deck_formulas = mathsvg.extract(deck_nb) if _has_math(deck_nb) else (deck_nb, [])
    everything = formulas + deck_formulas  # one Node.js run renders both
    math_css, svgs = mathsvg.render(everything, chapter.path) if everything else ("", [])
    css += math_css

    def finished(body: str, found: list[mathsvg.Formula], rendered: list[str]) -> str:
        return _no_empty_headers(mathsvg.substitute(body, found, rendered) if found else body)

    page = HTMLExporter(config=config, template_name="ankl_page")
    page_resources = {**base, "ankl": {"css": css, "nav": nav, "nav_footer": nav_footer}}
    page_nb = nb if options.teacher else _without_speaker_notes(nb)
    body, _ = page.from_notebook_node(page_nb, resources=page_resources)
    body = glossary.link_html(body, name)  # first use of each term: a link and its definition
    _write(options.out / "chapters" / f"{name}.html", finished(body, formulas, svgs[:len(formulas)]))

    warnings: list[str] = [f"{chapter.path.name}: deck: {problem}" for problem in split.get("deck_split", [])]
    if options.teacher and guide is not None:
        _write(options.out / "guide" / f"{name}.html",
               guide_page(chapter.heading, guide, with_guide_notes(nb, guide), options.teacher))
    deck = SlidesExporter(config=config, template_name="ankl_deck")
    deck_svgs = svgs[len(formulas):]
    linked = {"title": chapter.heading, "css": css, "head": _deck_head(site_assets, single=False)}
    body, _ = deck.from_notebook_node(deck_nb, resources={**base, "ankl": linked})
    _write(options.out / "slides" / f"{name}.slides.html",
           finished(glossary.deck_links(body), deck_formulas, deck_svgs))

    single = {**linked, "head": _deck_head(site_assets, single=True)}
    body, _ = deck.from_notebook_node(deck_nb, resources={**base, "ankl": single})
    single_path = options.out / "slides-single" / f"{name}.slides.html"
    _write(single_path, finished(glossary.deck_links(body), deck_formulas, deck_svgs))
    return ChapterResult(name, single_path.stat().st_size, executed - started,
                         time.perf_counter() - executed, warnings)


def _build_in_worker(
    chapters: list[Chapter], index: int, options: BuildOptions, workdir: Path
) -> ChapterResult | tuple[str, str, str]:
    """:func:`build_chapter` in a worker process; a course error comes back as plain data
    (its class does not survive pickling), so the parent can still print it as one line."""
    try:
        return build_chapter(chapters, index, options, workdir)
    except CourseDataError as exc:
        return (exc.path, exc.location, exc.message)


def _raise_worker_error(result: ChapterResult | tuple[str, str, str]) -> ChapterResult:
    if isinstance(result, tuple):
        raise CourseDataError(*result)
    return result


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- the site around the chapters -------------------------------------------------


def _shell(title: str, body: str, teacher: bool) -> str:
    environment = Environment(loader=FileSystemLoader(SITE_TEMPLATES), autoescape=select_autoescape(["j2"]))

    css = (SITE_TEMPLATES / "course.css").read_text(encoding="utf-8")
    return environment.get_template("index.html.j2").render(
        title=title, body=Markup(body), css=Markup(css), teacher=teacher, pack_zip=PACK_ZIP,
    )


def index_page(chapters: list[Chapter], teacher: bool) -> str:
    """The chapter map: one row per chapter with its page, deck, single-file deck and notebook."""
    esc = html.escape
    rows = []
    for chapter in chapters:
        stem, heading = esc(chapter.stem), esc(chapter.heading)
        rows.append((
            Markup(f'<a href="chapters/{stem}.html">{heading}</a>'),
            chapter.time.rstrip(".") or Markup("&ndash;"),
            Markup(f'<a href="slides/{stem}.slides.html">Slides<span class="ankl-sr"> of {heading}</span></a>'
                   f' &middot; <a href="slides-single/{stem}.slides.html">single file</a>'),
            Markup(f'<a href="student-pack/{stem}.ipynb" download>{stem}.ipynb</a>'),
        ))
    chapter_map = table(["Chapter", "Time", "Slides", "Notebook"], rows, caption_class="ankl-sr",
                        caption="Chapters with their pages, slides and notebooks")
    body = (
        "<h1>Aggressive NK-cell leukemia: the course</h1>"
        "<p>Education, not medical advice. Every page works offline; quizzes answer in the page.</p>"
        "<h2>Chapter map</h2>"
        + chapter_map
        + '<p>Words you meet before they are explained are in the <a href="glossary.html">glossary</a>, '
        'with <a href="flashcards.html">flashcards</a> to revise them. For revision: '
        '<a href="at-a-glance.html">ANKL at a glance</a>, <a href="key-points.html">the key points of every '
        f'chapter</a>, and both as a <a href="{HANDOUT_PDF}">printable PDF handout</a>.</p>'
        + "<h2>Presenting</h2>"
        "<p>Open a deck and press <kbd>S</kbd> for the speaker view with notes, <kbd>F</kbd> for full screen, "
        "<kbd>Esc</kbd> for the overview. A single-file deck needs nothing beside it: mail it or copy it to a "
        f'USB stick. The <a href="{PACK_ZIP}">student pack</a> holds the notebooks to open in JupyterLab.</p>'
    )
    return _shell("ANKL course", body, teacher)


def references_page(chapters: list[Chapter], teacher: bool) -> str:
    """Every reference the built chapters cite (text, facts and question banks), in one list."""
    keys: list[str] = []
    for chapter in chapters:
        keys += chapter_keys(chapter.stem)
    keys = list(dict.fromkeys(keys))
    body = "<h1>References</h1>" + (references_html(keys) if keys else "<p>No references cited yet.</p>")
    return _shell("ANKL course: references", body, teacher)


def glossary_pages(teacher: bool) -> dict[str, str]:
    """The glossary and its flashcards (issue 13), as file name -> page."""
    references = load_references()
    terms, texts = glossary.load(references=set(references))

    def cite(key: str) -> str:
        return f'<a href="references.html#ref-{html.escape(key)}">{html.escape(references[key].short())}</a>'

    return {"glossary.html": _shell("ANKL course: glossary", glossary.page_body(terms, texts, cite), teacher),
            "flashcards.html": _shell("ANKL course: glossary flashcards", glossary.flashcards_body(terms), teacher)}


def summary_pages(chapters: list[Chapter], out: Path, teacher: bool) -> list[str]:
    """"ANKL at a glance", all key points, and both as a printable PDF (issue 13); warnings, if any."""
    glance = handout.at_a_glance_body()
    points = handout.key_points_body([c.path for c in chapters])
    _write(out / "at-a-glance.html", _shell("ANKL at a glance", glance, teacher))
    _write(out / "key-points.html", _shell("ANKL course: key points", points, teacher))
    printable, pdf = out / "handout.html", out / HANDOUT_PDF
    text = handout.handout_html(glance, points, "")
    # Printing starts Chromium (about 1.4 s, most of a no-op rebuild): only when the page changed.
    unchanged = pdf.exists() and pdf.stat().st_size > 0 and printable.exists() and \
        printable.read_text(encoding="utf-8") == text
    _write(printable, text)
    if unchanged:
        return []
    if handout.chromium() is None:
        return ["the PDF handout needs Chromium; handout.html is the printable page"]
    handout.print_pdf(printable, pdf)
    return []


def student_pack(chapters: list[Chapter], out: Path) -> Path:
    """The notebooks as shipped to students (no speaker notes, no outputs), with the glossary
    notebook their links open, and a zip."""
    folder = out / "student-pack"
    folder.mkdir(parents=True, exist_ok=True)
    archive = out / PACK_ZIP
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        extra = [glossary_notebook()] if glossary_notebook().exists() else []
        for path in [chapter.path for chapter in chapters] + extra:
            text = write_notebook(folder / path.name, student_notebook(read_notebook(path)))
            bundle.writestr(f"ankl-course/{path.name}", text)
    return archive


def prepare_out(out: Path, force: bool = True) -> None:
    """Make ``out`` ready: create it, or (``force``) clear a previous build; never touch a folder
    we did not write. Without ``force`` a previous build stays, for the chapters still current."""
    if out.exists() and not out.is_dir():
        raise CourseDataError(out, "", "exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise CourseDataError(out, "", "is not empty and was not written by ankl-course build; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    if force:
        for name in (*MANAGED, STAMPS):
            shutil.rmtree(out / name, ignore_errors=True)
    (out / MARKER).write_text("written by ankl-course build; rebuilt in place\n", encoding="utf-8")


def chapter_outputs(stem: str) -> list[str]:
    """The files (relative to the site) that building one chapter writes."""
    return [f"chapters/{stem}.html", f"slides/{stem}.slides.html", f"slides-single/{stem}.slides.html"]


def teacher_outputs(stem: str) -> list[str]:
    """The extra files a chapter writes in the teacher build (its instructor guide, if any)."""
    return [f"guide/{stem}.html"] if guide_path(stem).is_file() else []


def remove_stale(out: Path, stems: set[str]) -> None:
    """Delete the chapter files and stamps of chapters not in this build (renamed, removed, or
    left out with ``--only``), so the site holds exactly what its index lists."""
    for folder in ("chapters", "slides", "slides-single", "student-pack", "guide"):
        for path in (out / folder).glob("*") if (out / folder).is_dir() else []:
            if path.is_file() and path.name.split(".", 1)[0] not in stems:
                path.unlink()
    Stamps(out).forget_all_but(stems)


def chapter_keys_for(chapters: list[Chapter], options: BuildOptions) -> list[str]:
    """One content hash per chapter (see :mod:`.incremental`): notebook, library, data, browser
    libraries, the options that change its files, and its navigation (neighbours' titles)."""
    shared = shared_digest(assets.lock_digest())
    context: dict[str, object] = {"teacher": options.teacher, "deck_code": options.deck_code}
    return [chapter_key(c.path, shared, {**context, "nav": _nav(chapters, i, options.teacher)})
            for i, c in enumerate(chapters)]


def _reused(stem: str) -> ChapterResult:
    return ChapterResult(stem, 0, 0.0, 0.0, reused=True)


def build_site(options: BuildOptions, chapters: list[Chapter]) -> list[ChapterResult]:
    """Build the whole site into ``options.out``; return what each chapter produced."""
    assets.require()  # before any kernel starts: a missing library must not cost a full run
    prepare_out(options.out, force=options.force)
    assets.copy_to_site(options.out / "assets")
    stamps = Stamps(options.out)
    keys = chapter_keys_for(chapters, options)
    todo = [i for i, chapter in enumerate(chapters)
            if options.force or not stamps.is_current(chapter.stem, keys[i], options.out)]
    built: dict[int, ChapterResult] = {}
    with tempfile.TemporaryDirectory(prefix="ankl-build-") as temp:
        workdir = Path(temp)
        for i in todo:  # execute copies: chapters may write files next to themselves
            shutil.copyfile(chapters[i].path, workdir / chapters[i].path.name)
        if options.jobs > 1 and len(todo) > 1:
            # spawn, not fork: a forked child inherits the parent's locks and Jupyter client state.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=options.jobs, mp_context=context) as pool:
                futures = {i: pool.submit(_build_in_worker, chapters, i, options, workdir) for i in todo}
                built = {i: _raise_worker_error(future.result()) for i, future in futures.items()}
        else:
            built = {i: build_chapter(chapters, i, options, workdir) for i in todo}
    for i, result in built.items():
        extra = teacher_outputs(result.stem) if options.teacher else []
        stamps.record(result.stem, keys[i], chapter_outputs(result.stem) + extra,
                      result.execute_seconds + result.export_seconds)
    results = [built.get(i) or _reused(chapter.stem) for i, chapter in enumerate(chapters)]
    remove_stale(options.out, {chapter.stem for chapter in chapters})
    _write(options.out / "index.html", index_page(chapters, options.teacher))
    _write(options.out / "references.html", references_page(chapters, options.teacher))
    for name, page in glossary_pages(options.teacher).items():
        _write(options.out / name, page)
    for warning in summary_pages(chapters, options.out, options.teacher):
        print(f"warning: {warning}", file=sys.stderr)
    student_pack(chapters, options.out)
    return results


def _folder_bytes(folder: Path) -> int:
    """Total size of the files under ``folder`` (the build's own stamps left out)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and STAMPS not in p.parts)


def _size(count: int) -> str:
    return f"{count / 1024:.0f} KiB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.2f} MiB"


def main(argv: list[str], prog: str = "ankl-course build") -> int:
    """Parse the options, build, and print a line per chapter with the single-file deck's size."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0].split(": ", 1)[-1])
    parser.add_argument("--out", type=Path, help="output folder (default ./site, or ./site-teacher with --teacher)")
    parser.add_argument("--teacher", action="store_true", help="presenter version: quiz answers and explanations shown")
    parser.add_argument("--only", action="append", metavar="TEXT",
                        help="build only chapters whose file name contains TEXT (repeatable)")
    parser.add_argument("--deck-code", action="store_true", help="show code cells on the slides (hidden by default)")
    parser.add_argument("--jobs", type=int, default=1, help="chapters built at the same time (default 1)")
    parser.add_argument("--force", action="store_true",
                        help="rebuild every chapter (default: only those whose notebook, library or data changed)")
    args = parser.parse_args(argv)
    out = (args.out or Path("site-teacher" if args.teacher else "site")).resolve()
    options = BuildOptions(out=out, teacher=args.teacher, deck_code=args.deck_code, jobs=max(1, args.jobs),
                           force=args.force)
    chapters = select_chapters(args.only)
    started = time.perf_counter()
    results = build_site(options, chapters)
    for result in results:
        if result.reused:
            print(f"  {result.stem}: unchanged, kept")
            continue
        print(f"  {result.stem}: executed in {result.execute_seconds:.1f} s, exported in "
              f"{result.export_seconds:.1f} s; single-file deck {_size(result.single_deck_bytes)}")
        for warning in result.warnings:
            print(f"  warning: {warning}", file=sys.stderr)
    site_bytes = _folder_bytes(out)
    print(f"  site size {_size(site_bytes)}, of which assets/ {_size(_folder_bytes(out / 'assets'))}")
    kind = "presenter site" if options.teacher else "site"
    print(f"Built the {kind} of {len(results)} chapter(s) in {time.perf_counter() - started:.1f} s: "
          f"{out / 'index.html'}")
    return 0
