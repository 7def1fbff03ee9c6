"""The course map: each chapter's title, learning objectives, estimated time and prerequisites.

Why it reads the notebooks instead of a list kept by hand: a hand-kept map drifts
from the chapters as they are edited. Every chapter already states its title
(``# Chapter N: Title``) and, under ``## Learning objectives``, bullets and the
lines ``Estimated time: ...`` and ``Prerequisites: ...`` (docs/authoring.md).
This module reads those straight from the chapter notebooks that exist, so the
map in ``00_welcome`` is always in step; a chapter not yet written is simply
not listed. Notebooks are read as plain JSON (``nbformat`` is slow to import).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import figures
from .errors import CourseDataError
from .glossary import without_links
from .htmlkit import Cell, Markup, table
from .interactive import Explorer
from .nbfile import cell_source, cells, read_notebook
from .resources import APPENDIX_PREFIX, chapter_notebooks

TITLE = re.compile(r"^#\s+(?:Chapter\s+\d+\s*[:.\-–]\s*)?(?P<title>.+?)\s*$", re.IGNORECASE)
OBJECTIVES_HEADING = re.compile(r"^#{2,6}\s+learning objectives\b", re.IGNORECASE)
HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<text>.+?)\s*$")
TIME_LINE = re.compile(r"^\s*\**\s*estimated time\s*\**\s*:\s*\**\s*(?P<text>.+?)\s*\**\s*$", re.IGNORECASE)
PREREQ_LINE = re.compile(r"^\s*\**\s*prerequisites?\s*\**\s*:\s*\**\s*(?P<text>.+?)\s*\**\s*$", re.IGNORECASE)
MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
DURATION = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>h(?:ours?|rs?)?|min(?:ute)?s?)\b", re.IGNORECASE)
NUMBER_PREFIX = re.compile(r"^(?P<number>\d+)_")
MAP_STYLE = (
    ".ankl-course-map{border-collapse:collapse;text-align:left}"
    # Doubled class: JupyterLab's `:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td` right-aligns
    # table cells with a more specific selector than a single class.
    ".ankl-course-map.ankl-course-map th,.ankl-course-map.ankl-course-map td{border:1px solid #c8c8c8;"
    "padding:0.3em 0.5em;"
    "vertical-align:top;text-align:left}"
    ".ankl-course-map ul{margin:0;padding-left:1.1em}"
    ".ankl-course-map td:first-child{white-space:nowrap}"
)


@dataclass(frozen=True)
class Chapter:
    """One chapter notebook as the course map and the site show it (the one title parser of both)."""

    number: int
    stem: str
    title: str
    objectives: tuple[str, ...] = ()
    time: str = ""
    prerequisites: str = ""
    path: Path = field(default=Path(), compare=False)

    @property
    def heading(self) -> str:
        """The title as the chapter's own heading states it (``Chapter 1: NK-cell biology``): what the
        site's index, navigation and page titles show, while the course map has a number column."""
        return f"Chapter {self.number}: {self.title}" if self.number >= 0 else self.title

    @property
    def optional(self) -> bool:
        """True for an appendix (``appendix_*.ipynb``): extra reading that no chapter depends on, shown
        as optional in the map and left out of the course's total time."""
        return self.stem.startswith(APPENDIX_PREFIX)

    @property
    def label(self) -> str:
        """The map's number column: ``06`` for a chapter, ``optional`` for an appendix."""
        return "optional" if self.optional else f"{self.number:02d}"

    @property
    def minutes(self) -> int | None:
        """The estimated time in minutes, if the time line can be read (see :func:`minutes`)."""
        return minutes(self.time)


def minutes(text: str) -> int | None:
    """Minutes in a time estimate: ``"45 minutes"`` -> 45, ``"1 hour 15 min"`` -> 75,
    ``"1.5 hours"`` -> 90; ``None`` when no duration is stated."""
    total = 0.0
    found = False
    for match in DURATION.finditer(text or ""):
        found = True
        value = float(match.group("number"))
        total += value * 60 if match.group("unit").lower().startswith("h") else value
    return round(total) if found else None


def plain(text: str) -> str:
    """Markdown inline text as plain text: links keep their words, emphasis marks go. Glossary links
    go first: their titles (the definitions) may hold parentheses, which the general link pattern
    would take for the link's end and leave the rest of the definition in the map."""
    text = MD_LINK.sub(r"\1", without_links(text))
    return re.sub(r"\*\*|__|\*|`", "", text).strip()


def read_chapter(path: Path) -> Chapter:
    """The course-map entry of one chapter notebook.

    A notebook that is not valid JSON raises :class:`CourseDataError`; parts a
    chapter does not state (yet) are left empty, so a draft chapter still shows.
    """
    data = read_notebook(path)
    stem = Path(path).stem
    number_match = NUMBER_PREFIX.match(stem)
    number = int(number_match.group("number")) if number_match else -1
    markdown = [cell_source(c) for c in cells(data, "markdown")]
    title = ""
    for text in markdown:
        first = text.strip().splitlines()[0] if text.strip() else ""
        match = TITLE.match(first) if first.startswith("# ") else None
        if match:
            title = plain(match.group("title"))
            break
    objectives: list[str] = []
    time = prerequisites = ""
    # A bullet or a prerequisites line may wrap: its continuation lines belong to it, whole.
    continuing = ""  # "objective", "prerequisites" or "" (the last item's lines may continue)
    for line in _objectives_lines(data):
        if (bullet := BULLET.match(line)) is not None:
            objectives.append(plain(bullet.group("text")))
            continuing = "objective"
        elif (found := TIME_LINE.match(line)) is not None:
            time = plain(found.group("text"))
            continuing = ""
        elif (found := PREREQ_LINE.match(line)) is not None:
            prerequisites = plain(found.group("text"))
            continuing = "prerequisites"
        elif not line.strip() or OBJECTIVES_HEADING.match(line):
            continuing = ""
        elif continuing == "objective":
            objectives[-1] = f"{objectives[-1]} {plain(line)}"
        elif continuing == "prerequisites":
            prerequisites = f"{prerequisites} {plain(line)}"
    return Chapter(number, stem, title or stem, tuple(objectives), time, prerequisites, Path(path))


def _objectives_lines(data: dict[str, Any]) -> list[str]:
    """The lines of the learning-objectives section: its cell and the Markdown cells that continue
    it up to the next heading or code cell (a long list is split over cells so that each slide of
    the deck stays readable; speaker notes in between are not part of it)."""
    found: list[str] = []
    for cell in data.get("cells", []):
        text = cell_source(cell)
        lines = text.splitlines()
        if not found:
            if cell.get("cell_type") == "markdown" and any(OBJECTIVES_HEADING.match(line) for line in lines):
                found = lines
            continue
        if cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes":
            continue
        if cell.get("cell_type") != "markdown" or any(HEADING_LINE.match(line) for line in lines):
            break
        found += ["", *lines]
    return found


def chapters(paths: list[Path] | None = None) -> list[Chapter]:
    """Every chapter notebook present, in course order (an unreadable one raises)."""
    return [read_chapter(p) for p in (chapter_notebooks() if paths is None else paths)]


def readable_chapters(paths: list[Path] | None = None) -> tuple[list[Chapter], list[str]]:
    """The chapters that can be read, and the file names of those that cannot.

    The welcome notebook shows the map while other chapters are being written;
    a half-saved notebook must not stop the student's first notebook from running.
    """
    found: list[Chapter] = []
    unreadable: list[str] = []
    for path in chapter_notebooks() if paths is None else paths:
        try:
            found.append(read_chapter(path))
        except CourseDataError:
            unreadable.append(Path(path).name)
    return found, unreadable


def total_minutes(items: list[Chapter]) -> int:
    """The summed time of the chapters whose estimate can be read (optional appendices not counted)."""
    return sum(c.minutes or 0 for c in items if not c.optional)


def course_map_html(items: list[Chapter], unreadable: list[str] | None = None) -> str:
    """The course map as an accessible HTML table (caption, header cells with scope)."""
    esc = html.escape
    rows = [(chapter.label, Cell(chapter.title, header=True), Markup(f"<ul>{_objectives(chapter)}</ul>"),
             chapter.time or "not stated", chapter.prerequisites or "not stated") for chapter in items]
    total = total_minutes(items)
    hours, mins = divmod(total, 60)
    counted = [c for c in items if not c.optional]
    extra = len(items) - len(counted)
    summary = (f"{len(counted)} chapter{'s' if len(counted) != 1 else ''}, about {hours} h {mins:02d} min in all"
               + (f", and {extra} optional appendix{'es' if extra != 1 else ''}" if extra else ""))
    header = ["No.", "Chapter", "Learning objectives", "Estimated time", "Prerequisites"]
    return (
        f"<style>{MAP_STYLE}</style>"
        + table(header, rows, caption=f"Course map: {summary}", css_class="ankl-course-map")
        + (f"<p>Could not be read (being edited?): {esc(', '.join(unreadable))}.</p>" if unreadable else "")
    )


def _objectives(chapter: Chapter) -> str:
    """The chapter's objectives as list items (what the map and the chapter cards show)."""
    return "".join(f"<li>{html.escape(o)}</li>" for o in chapter.objectives) or "<li>(not stated yet)</li>"


def course_map(paths: list[Path] | None = None) -> Any:
    """Display the course map of the chapters present (for the welcome notebook)."""
    # Lazy (measured): IPython.display costs about 0.4 s, and `ankl-course build` reads chapters here.
    from IPython.display import HTML

    return HTML(course_map_html(*readable_chapters(paths)))


def chapter_card_html(chapter: Chapter) -> str:
    """One chapter's entry as a small card: what the chapter-finder widget shows."""
    esc = html.escape
    objectives = _objectives(chapter)
    return (
        f'<div class="ankl-chapter-card"><p><strong>{esc(chapter.heading)}</strong> '
        f"<code>{esc(chapter.path.name)}</code></p>"
        f"<p><em>Estimated time:</em> {esc(chapter.time.rstrip('.') or 'not stated')}. "
        f"<em>Prerequisites:</em> {esc(chapter.prerequisites.rstrip('.') or 'not stated')}.</p>"
        f"<p>You will be able to:</p><ul>{objectives}</ul></div>"
    )


def chapter_explorer(items: list[Chapter]) -> Explorer:
    """The welcome chapter's chapter finder: a menu of the chapters present, showing each one's card."""
    # Lazy (measured): ipywidgets with IPython costs about 0.8 s; `check` and `build` read chapters here.
    import ipywidgets as widgets
    from IPython.display import HTML

    cards = {c.stem: chapter_card_html(c) for c in items}

    def show_card(chapter: str) -> Any:
        return HTML(cards[chapter])

    menu = widgets.Dropdown(options=[(f"{c.label} {c.title}", c.stem) for c in items],
                            value=items[0].stem, description="Chapter")
    return Explorer(show_card, {"chapter": menu}, title="Chapter finder")


def time_figure(items: list[Chapter]) -> tuple[Any, str]:
    """A bar chart of each chapter's estimated minutes, and its alt text (written from the same data)."""
    timed = [c for c in items if c.minutes and not c.optional]
    fig, ax = figures.new_figure("wide")
    labels = [f"{c.number:02d} {c.title}" for c in timed][::-1]
    values = [c.minutes or 0 for c in timed][::-1]
    _ = ax.barh(labels, values, color=figures.PALETTE["blue"])
    ax.set_xlabel("estimated time (minutes)")
    ax.set_title(f"About {total_minutes(timed)} minutes of study in {len(timed)} chapters")
    parts = "; ".join(f"chapter {c.number}, {c.title}: {c.minutes} minutes" for c in timed)
    alt = (f"Horizontal bar chart of the estimated study time per chapter, {total_minutes(timed)} minutes in all. "
           f"{parts}." if timed else "Empty chart: no chapter states an estimated time yet.")
    return fig, alt
