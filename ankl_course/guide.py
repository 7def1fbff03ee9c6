"""The instructor guide: per section of a chapter, what to say, how long, what students get
wrong, the answers to its "Try" prompts, questions for discussion and how to run its
explorer live.

Why one data file per chapter (``data/guide/NN_name.toml``) instead of notes typed into the
notebooks: the same words feed two places, the speaker notes of the deck (one notes cell per
section, added at build time, so the presenter's speaker view has them) and the chapter's
instructor guide page in the teacher build. A teacher edits them without touching a notebook.

File format::

    [[section]]
    heading = "Two kinds of NK cell"       # the start of the section's "## " heading
    minutes = 6
    say = "What to say, in two or three sentences."
    misconceptions = ["A belief students often bring, and the correction."]
    try_answers = "The answer to the section's Try prompt, if it has one."
    discussion = ["An open question for the room."]
    live = "How to run the section's explorer live in class."
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .datafile import read_toml
from .errors import CourseDataError
from .nbfile import cell_source
from .resources import data_path

FIELDS = {"heading", "minutes", "say", "misconceptions", "try_answers", "discussion", "live"}


@dataclass(frozen=True)
class Section:
    """The guide to one section of a chapter.

    Alike in shape to :class:`syllabus.Chapter` (a frozen record of text fields), but not the same
    thing: a Chapter is read from a notebook's own headings for the course map, a Section is what a
    teacher wrote for the deck's speaker notes and the guide page, and the two change separately.
    """

    heading: str
    minutes: int
    say: str
    misconceptions: tuple[str, ...] = ()
    try_answers: str = ""
    discussion: tuple[str, ...] = ()
    live: str = ""


@dataclass
class Guide:
    """A chapter's guide: its sections in chapter order."""

    path: Path
    sections: list[Section] = field(default_factory=list)

    def for_heading(self, heading: str) -> Section | None:
        """The guide section whose heading starts the chapter heading ``heading``."""
        return next((s for s in self.sections if heading.strip().startswith(s.heading)), None)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.sections)


def guide_path(chapter: str) -> Path:
    return data_path("guide", f"{chapter}.toml")


def _texts(entry: dict[str, Any], key: str, path: Path, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CourseDataError(path, where, f"{key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def load_guide(chapter: str) -> Guide | None:
    """The guide of ``chapter`` (a notebook stem), or None when it has none yet."""
    path = guide_path(chapter)
    if not path.is_file():
        return None
    data = read_toml(path)
    guide = Guide(path)
    for number, entry in enumerate(data.get("section", []), start=1):
        where = f"section {number}"
        unknown = set(entry) - FIELDS
        if unknown:
            raise CourseDataError(path, where, f"unknown field(s) {', '.join(sorted(unknown))}")
        heading, say, minutes = entry.get("heading"), entry.get("say"), entry.get("minutes")
        if not isinstance(heading, str) or not heading.strip():
            raise CourseDataError(path, where, "heading is missing (the start of the section's '## ' heading)")
        if not isinstance(say, str) or not say.strip():
            raise CourseDataError(path, where, "say is missing (what the presenter says)")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 60:
            raise CourseDataError(path, where, "minutes must be a whole number from 1 to 60")
        for key in ("try_answers", "live"):
            if not isinstance(entry.get(key, ""), str):
                raise CourseDataError(path, where, f"{key} must be text")
        guide.sections.append(Section(
            heading.strip(), minutes, say.strip(), _texts(entry, "misconceptions", path, where),
            str(entry.get("try_answers", "")).strip(), _texts(entry, "discussion", path, where),
            str(entry.get("live", "")).strip()))
    return guide


#: A "## " heading written inside a ``facts.say("## ...")`` string of a code cell.
SAID_HEADING = re.compile(r"""["']## ([^"'\\]+)""")
#: Sections that need no guide entry.
NO_GUIDE = ("References",)


def section_headings(cells: list[Any]) -> list[tuple[int, str]]:
    """(cell index, heading) of every ``## `` section heading of a chapter: Markdown cells, and
    headings a code cell states through ``facts.say`` (a section whose text cites facts)."""
    found = []
    for index, cell in enumerate(cells):
        text = cell_source(cell)
        if cell.get("cell_type") == "markdown":
            found += [(index, line[3:].strip()) for line in text.splitlines() if line.startswith("## ")]
        elif cell.get("cell_type") == "code":
            found += [(index, heading.strip()) for heading in SAID_HEADING.findall(text)]
    return found


def coverage_problems(guide: Guide, cells: list[Any]) -> list[tuple[str, str]]:
    """(location, message) for chapter sections without a guide entry and entries without a section."""
    headings = [h for _, h in section_headings(cells) if h not in NO_GUIDE]
    found = [("", f"section {h!r} has no entry in {guide.path.name} (speaker notes for every section)")
             for h in headings if guide.for_heading(h) is None]
    found += [(f"section {n}", f"heading {s.heading!r} starts no section of the chapter")
              for n, s in enumerate(guide.sections, start=1) if not any(h.startswith(s.heading) for h in headings)]
    return found


def notes_markdown(section: Section) -> str:
    """The section's speaker note (Markdown), as the presenter's speaker view shows it."""
    parts = [f"**{section.minutes} min.** {section.say}"]
    if section.misconceptions:
        parts.append("**Watch for:** " + " ".join(section.misconceptions))
    if section.try_answers:
        parts.append(f"**Try, answers:** {section.try_answers}")
    if section.live:
        parts.append(f"**Live:** {section.live}")
    return "\n\n".join(parts)


def _items(title: str, items: tuple[str, ...] | list[str]) -> str:
    if not items:
        return ""
    return f"<h3>{html.escape(title)}</h3><ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def guide_html(title: str, guide: Guide, headings: list[str]) -> str:
    """The instructor guide page body of one chapter: timing table, then each section."""
    esc = html.escape
    rows = "".join(
        f"<tr><th scope=\"row\">{esc(s.heading)}</th><td>{s.minutes} min</td></tr>" for s in guide.sections)
    missing = [h for h in headings if guide.for_heading(h) is None]
    body = [f"<h1>Instructor guide: {esc(title)}</h1>",
            "<p>For the presenter: timing, what to say, what students get wrong, answers and discussion. "
            "The same notes are in the deck's speaker view (press <kbd>S</kbd>).</p>",
            "<h2>Timing</h2>",
            f'<table><caption>Minutes per section, {guide.minutes} in all</caption><thead><tr>'
            f'<th scope="col">Section</th><th scope="col">Time</th></tr></thead><tbody>{rows}</tbody></table>']
    if missing:
        body.append("<p>Sections without guide notes yet: " + esc("; ".join(missing)) + ".</p>")
    for section in guide.sections:
        body.append(f"<h2>{esc(section.heading)} ({section.minutes} min)</h2><p>{esc(section.say)}</p>")
        body.append(_items("Common misconceptions", section.misconceptions))
        if section.try_answers:
            body.append(f"<h3>Answers to the Try prompt</h3><p>{esc(section.try_answers)}</p>")
        body.append(_items("Discussion questions", section.discussion))
        if section.live:
            body.append(f"<h3>Running the explorer live</h3><p>{esc(section.live)}</p>")
    return "".join(body)
