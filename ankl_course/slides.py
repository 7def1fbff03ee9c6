"""Slide density: what one slide of a chapter deck may hold, checked from the slide metadata.

Why: a teacher presenting from the decks found slides with a printout, a histogram, text and
two quizzes, explorers sharing a slide with their quiz, four or five questions on one slide
and 200 words of prose; a second-year student reads none of that from the back of a lecture
hall. The rules, checked by ``ankl-course check`` without executing anything:

* at most one figure or explorer per slide;
* at most one question per slide (a quiz section of several questions needs one sub-slide
  per question: ``quiz.ask("id")`` cells, each starting a sub-slide);
* at most :data:`MAX_WORDS` words of prose per slide (Markdown and ``facts.say`` text);
  listed as a note until :data:`ENFORCE_WORDS` is switched on (see :func:`density_problems`).

A slide starts at a cell whose slide type is ``slide`` or ``subslide``; ``fragment`` and ``-``
cells continue it; ``notes`` and ``skip`` cells are not on it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .glossary import without_links

MAX_WORDS = 90
#: Whether a slide over :data:`MAX_WORDS` fails the check (True) or is listed as a note.
ENFORCE_WORDS = False
#: A code cell that shows a figure or an explorer (the course's own helpers, by convention).
VISUAL = re.compile(r"\bfigures\.show\(|\bExplorer\(|_explorer\(|_figure\(|\bGateDrawing\(|\.worked_gating\(")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\(|<img\b", re.IGNORECASE)
ASK = re.compile(r"\.ask\(")
ASK_SECTION = re.compile(r"\.ask_section\(\s*[\"']([^\"']+)[\"']")
#: Markdown and HTML marks that are not words a student reads.
MARKS = re.compile(r"<[^>]+>|```.*?```|`[^`]*`|\$[^$]*\$|\{(?:fact|claim|cite):[^}]*\}|[#*_>|\[\]()!-]+", re.DOTALL)
LINK_TARGET = re.compile(r"\]\([^)]*\)")


@dataclass
class Slide:
    """The cells shown together on one slide (1-based cell numbers) and what they hold."""

    first_cell: int
    title: str = ""
    visuals: list[int] = field(default_factory=list)
    questions: list[tuple[int, int]] = field(default_factory=list)  # (cell, how many questions)
    words: int = 0


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def prose_words(markdown: str) -> int:
    """Words a student reads in Markdown: code, formulas, tags and citation keys left out."""
    text = LINK_TARGET.sub("]", without_links(markdown))  # a glossary link's title is a tooltip, not prose
    return sum(1 for token in MARKS.sub(" ", text).split() if re.search(r"\w", token))


def _said_text(code: str) -> str:
    """The prose a code cell shows through ``facts.say("...")`` (its string constants)."""
    if "facts.say(" not in code:
        return ""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    parts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "say":
            parts += [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return " ".join(parts)


def _asked(code: str, section_size: Callable[[str], int]) -> int:
    count = 0
    for line in code.splitlines():
        if ASK.search(line):
            count += max(1, len(re.findall(r"[\"'][\w.-]+[\"']", line.split(".ask(", 1)[1])))
    for section in ASK_SECTION.findall(code):
        count += section_size(section)
    return count


def slides_of(cells: list[dict[str, Any]], section_size: Callable[[str], int]) -> list[Slide]:
    """The chapter's slides in order, with their figures, questions and prose counted."""
    slides: list[Slide] = []
    for number, cell in enumerate(cells, start=1):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
        if kind in ("notes", "skip"):
            continue
        if kind in ("slide", "subslide") or not slides:
            slides.append(Slide(number))
        slide, text = slides[-1], _source(cell)
        if cell.get("cell_type") == "markdown":
            if not slide.title:
                heading = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), "")
                slide.title = heading
            slide.words += prose_words(text)
            slide.visuals += [number] * len(MD_IMAGE.findall(text))
        elif cell.get("cell_type") == "code":
            if VISUAL.search(text):
                slide.visuals.append(number)
            asked = _asked(text, section_size)
            if asked:
                slide.questions.append((number, asked))
            slide.words += prose_words(_said_text(text))
    return slides


def density_problems(
    cells: list[dict[str, Any]], section_size: Callable[[str], int]
) -> list[tuple[str, str, bool]]:
    """(location, message, enforced) for every slide that breaks a rule. The word limit is not
    enforced yet (:data:`ENFORCE_WORDS`): most long slides are one long Markdown cell, and
    splitting those cells is a content edit, made with the chapters' text revision."""
    found = []
    for slide in slides_of(cells, section_size):
        where = f"cell {slide.first_cell}"
        name = f"slide {slide.title!r}" if slide.title else "slide"
        if len(slide.visuals) > 1:
            found.append((where, f"{name} has {len(slide.visuals)} figures or explorers (cells "
                          f"{', '.join(map(str, slide.visuals))}); at most 1: start a sub-slide at cell "
                          f"{slide.visuals[1]}", True))
        asked = sum(n for _, n in slide.questions)
        if asked > 1:
            cells_asked = ", ".join(f"{c} ({n})" for c, n in slide.questions)
            found.append((where, f"{name} asks {asked} questions (cells {cells_asked}); at most 1 per slide: "
                          "one quiz.ask cell per sub-slide", True))
        if slide.words > MAX_WORDS:
            found.append((where, f"{name} has {slide.words} words of prose; at most {MAX_WORDS}: "
                          "split it across sub-slides", ENFORCE_WORDS))
    return found
