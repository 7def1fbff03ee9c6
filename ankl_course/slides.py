"""Slide density: what one slide of a chapter deck may hold, checked from the slide metadata.

Why: a teacher presenting from the decks found slides with a printout, a histogram, text and
two quizzes, explorers sharing a slide with their quiz, four or five questions on one slide
and 200 words of prose; a second-year student reads none of that from the back of a lecture
hall. The rules, checked by ``ankl-course check`` without executing anything:

* at most one figure or explorer per slide;
* at most one question per slide (a quiz section of several questions needs one sub-slide
  per question: ``quiz.ask("id")`` cells, each starting a sub-slide);
* at most :data:`MAX_WORDS` words of prose per slide (Markdown and ``facts.say`` text as
  written). An appraised claim (``{claim:ID}``) counts as none here, as before: the slides
  still over the limit with their claims written out are listed as notes, for the claims'
  wording (``data/claims.toml``) to be shortened. The deck splits with the claims written out.

The deck splits what it can (``export/deck_split.py``), so the rules are checked on the slides
*after* that split, computed here from the notebook alone:

* a Markdown cell (or the Markdown a ``facts.say`` cell shows) that would take its slide over
  :data:`MAX_WORDS` is cut at paragraph breaks into consecutive sub-slides (:func:`split_prose`);
  a heading stays with the paragraph after it, a line ending in a colon with what it introduces,
  and a list, table, code block, formula or ``<details>`` block is never cut. Only a single
  block over the limit, or cells that add up over it on one slide, still break the rule: that
  is a content edit, and ``check`` fails.
* a quiz cell of several questions (``ask("a", "b")``, ``ask_section``, ``warm_up``,
  ``pre_test``, ``post_test``) puts each question after its first on a sub-slide of its own.

The notebook and the students' page are not split: a student reading at their own pace is
not helped by a paragraph cut in two.

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
from .nbfile import cell_source

MAX_WORDS = 90
#: Whether a slide over :data:`MAX_WORDS` (after the deck's split) fails the check (True) or is a note.
ENFORCE_WORDS = True
#: A code cell that shows a figure or an explorer (the course's own helpers, by convention; a library
#: function that shows a figure is named ``show_*``, and ``show_references`` is a reference list).
VISUAL = re.compile(r"\bfigures\.show\(|\bExplorer\(|_explorer\(|_figure\(|\bGateDrawing\(|\.worked_gating\("
                    r"|\.show_(?!references\()\w+\(")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\(|<img\b", re.IGNORECASE)
ASK = re.compile(r"\.ask\(")
ASK_SECTION = re.compile(r"\.ask_section\(\s*[\"']([^\"']+)[\"']")
#: Quiz calls whose questions the bank chooses (the warm-up, pre- and post-test blocks).
ASK_BLOCK = re.compile(r"\.(warm_up|pre_test|post_test)\(\s*\)")
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
    #: Words of prose as written: the check's limit (an appraised ``{claim:...}`` counts as none).
    words: int = 0
    #: Words the slide shows, appraised claims written out: where the deck splits, and a note.
    shown: int = 0
    #: Which piece of its first cell this slide shows, when the deck splits that cell (1 = not split).
    part: int = 1
    #: The first words of prose on the slide, to find it in the notebook.
    opening: str = ""

    def add_prose(self, text: str, shown: str | None = None) -> None:
        """Add prose as written, and as shown if that differs (claims written out)."""
        self.words += prose_words(text)
        self.shown += prose_words(text if shown is None else shown)
        if not self.opening:
            self.opening = " ".join(prose_tokens(text if shown is None else shown)[:8])


def prose_tokens(markdown: str) -> list[str]:
    """The words a student reads in Markdown: code, formulas, tags, citation keys and glossary
    links' titles (a tooltip, not prose) left out."""
    text = LINK_TARGET.sub("]", without_links(markdown))
    return [token for token in MARKS.sub(" ", text).split() if re.search(r"\w", token)]


def prose_words(markdown: str) -> int:
    """How many words a student reads in Markdown (see :func:`prose_tokens`)."""
    return len(prose_tokens(markdown))


def said_text(code: str) -> str:
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


#: How many questions a quiz call shows, from the chapter's bank: (call, argument) ->
#: count, where call is ``ask_section`` (argument: the section), ``warm_up``, ``pre_test`` or
#: ``post_test`` (argument: "").
QuestionCount = Callable[[str, str], int]
#: What ``facts.say`` text reads as once shown (``{claim:ID}`` becomes the appraisal's sentences).
Expand = Callable[[str], str]


def _as_written(text: str) -> str:
    return text

# -- Markdown blocks: where a cell may be cut ------------------------------------------------

FENCE = re.compile(r"^\s*(```|~~~)")
LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s")
HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
INDENTED = re.compile(r"^(\s{2,}|\t)\S")
DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


@dataclass
class _Scan:
    """Where a line-by-line reading of Markdown is: inside a code fence, a display formula or
    a ``<details>`` block, a blank line does not end the block."""

    fence: str = ""
    math: bool = False
    details: int = 0

    def inside(self) -> bool:
        return bool(self.fence) or self.math or self.details > 0

    def read(self, line: str) -> None:
        stripped = line.strip()
        if self.fence:
            if stripped.startswith(self.fence):
                self.fence = ""
            return
        opened = FENCE.match(line)
        if opened:
            self.fence = opened.group(1)
            return
        if (stripped.count("$$") + len(re.findall(r"\\\[|\\\]", stripped))) % 2:
            self.math = not self.math
        self.details = max(0, self.details + len(DETAILS_OPEN.findall(line)) - len(DETAILS_CLOSE.findall(line)))


def _list_goes_on(block: list[str], rest: list[str]) -> bool:
    """A blank line inside a list (between items, or before an item's indented paragraph) does
    not end it: the list is one block."""
    if not any(LIST_ITEM.match(line) for line in block):
        return False
    following = next((line for line in rest if line.strip()), "")
    return bool(LIST_ITEM.match(following) or INDENTED.match(following))


def markdown_blocks(markdown: str) -> list[str]:
    """The Markdown's blocks, separated by blank lines; a list, table, code block, display
    formula or ``<details>`` block is one block even with blank lines inside."""
    blocks: list[list[str]] = []
    current: list[str] = []
    scan = _Scan()
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        if not line.strip() and not scan.inside() and not _list_goes_on(current, lines[index + 1:]):
            if current:
                blocks.append(current)
                current = []
            continue
        current.append(line)
        scan.read(line)
    if current:
        blocks.append(current)
    return ["\n".join(block).strip("\n") for block in blocks]


def _binds_to_next(block: str) -> bool:
    """A heading belongs with what it heads; a line ending in a colon with what it introduces."""
    lines = [line for line in block.splitlines() if line.strip()]
    return all(HEADING.match(line) for line in lines) or lines[-1].rstrip().endswith(":")


def prose_units(markdown: str) -> list[str]:
    """The pieces a slide may be cut between: blocks, each heading or lead-in kept with the next."""
    units: list[str] = []
    pending = ""
    for block in markdown_blocks(markdown):
        block = f"{pending}\n\n{block}" if pending else block
        pending = block if _binds_to_next(block) else ""
        if not pending:
            units.append(block)
    if pending:
        units.append(pending)
    return units


def split_prose(markdown: str, limit: int = MAX_WORDS, already: int = 0) -> list[str]:
    """``markdown`` as the pieces the deck shows on consecutive slides: one piece if it fits
    beside the ``already`` words of its slide, else as many as needed to keep each piece within
    ``limit`` words, cut only between :func:`prose_units`. A single unit over the limit stays
    whole (the check reports it)."""
    if already + prose_words(markdown) <= limit:
        return [markdown]
    pieces: list[list[str]] = [[]]
    budget, used = limit - already, 0
    for unit in prose_units(markdown):
        words = prose_words(unit)
        if pieces[-1] and used + words > budget:
            pieces.append([])
            budget, used = limit, 0
        pieces[-1].append(unit)
        used += words
    return ["\n\n".join(units) for units in pieces] if len(pieces) > 1 else [markdown]


# -- slides --------------------------------------------------------------------------------


def slide_type(cell: dict[str, Any]) -> str:
    """The cell's slide type (``-`` when it has none)."""
    return str(cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-") or "-")


def _asked(code: str, count: QuestionCount) -> list[int]:
    """How many questions each quiz call of a code cell shows, in order."""
    calls = []
    for line in code.splitlines():
        if ASK.search(line):
            calls.append(max(1, len(re.findall(r"[\"'][\w./-]+[\"']", line.split(".ask(", 1)[1]))))
        calls += [max(1, count("ask_section", section)) for section in ASK_SECTION.findall(line)]
        calls += [max(1, count(block, "")) for block in ASK_BLOCK.findall(line)]
    return calls


def _as_written_pieces(written: str, pieces: list[str]) -> list[str]:
    """``written`` cut after the same paragraphs as ``pieces`` (cut from it with claims written
    out: a claim placeholder sits inside its paragraph, so the paragraphs correspond)."""
    units, sizes = prose_units(written), [len(prose_units(piece)) for piece in pieces]
    if len(units) != sum(sizes):
        return pieces
    cuts = [sum(sizes[:n]) for n in range(len(sizes) + 1)]
    return ["\n\n".join(units[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]


def _add_prose(slides: list[Slide], number: int, text: str, parts: dict[int, list[str]] | None,
               written: str | None = None) -> None:
    """Markdown (a cell's, or what its ``facts.say`` shows: ``text``, with ``written`` its
    words as written if they differ) onto the slides, split as the deck splits it."""
    pieces = split_prose(text, MAX_WORDS, slides[-1].shown)
    if parts is not None and len(pieces) > 1:
        parts[number - 1] = pieces
    as_written = pieces if written is None else _as_written_pieces(written, pieces)
    for part, (piece, own) in enumerate(zip(pieces, as_written, strict=True), start=1):
        if part > 1:
            slides.append(Slide(number, part=part))
        slide = slides[-1]
        if not slide.title:
            slide.title = next((ln.lstrip("# ").strip() for ln in piece.splitlines() if HEADING.match(ln)), "")
        slide.add_prose(own, piece)
        slide.visuals += [number] * len(MD_IMAGE.findall(piece))


def _add_code(slides: list[Slide], number: int, text: str, count: QuestionCount, expand: Expand,
              parts: dict[int, list[str]] | None) -> None:
    if VISUAL.search(text):
        slides[-1].visuals.append(number)
    written = said_text(text)
    if written:
        _add_prose(slides, number, expand(written), parts, written)
    slide = slides[-1]
    asked = sum(_asked(text, count))
    if asked:
        slide.questions.append((number, 1))
    for part in range(2, asked + 1):  # the deck gives each further question a sub-slide
        slides.append(Slide(number, title=slide.title, questions=[(number, 1)], part=part))


def slides_of(cells: list[dict[str, Any]], count: QuestionCount,
              parts: dict[int, list[str]] | None = None, expand: Expand = _as_written) -> list[Slide]:
    """The chapter deck's slides in order, after its split, with figures, questions and prose
    counted. ``parts``, if given, receives the pieces of every Markdown cell and ``facts.say``
    text the deck splits (by 0-based cell index); ``expand`` turns ``facts.say`` text into what
    the slide shows."""
    slides: list[Slide] = []
    for number, cell in enumerate(cells, start=1):
        kind = slide_type(cell)
        if kind in ("notes", "skip"):
            continue
        if kind in ("slide", "subslide") or not slides:
            slides.append(Slide(number))
        if cell.get("cell_type") == "markdown":
            _add_prose(slides, number, cell_source(cell), parts)
        elif cell.get("cell_type") == "code":
            _add_code(slides, number, cell_source(cell), count, expand, parts)
    return slides


def deck_parts(cells: list[dict[str, Any]], expand: Expand = _as_written) -> dict[int, list[str]]:
    """The Markdown cells and ``facts.say`` texts the deck splits (0-based index -> pieces): what
    ``export/deck_split.py`` does, decided here so that the check and the deck agree."""
    parts: dict[int, list[str]] = {}
    slides_of(cells, lambda call, name: 1, parts, expand)
    return parts


def _where(slide: Slide) -> str:
    return f"cell {slide.first_cell}" + (f" (deck part {slide.part})" if slide.part > 1 else "")


def density_problems(cells: list[dict[str, Any]], count: QuestionCount,
                     expand: Expand = _as_written) -> list[tuple[str, str, bool]]:
    """(location, message, enforced) for every slide of the split deck that breaks a rule."""
    found = []
    for slide in slides_of(cells, count, expand=expand):
        where = _where(slide)
        name = f"slide {slide.title!r}" if slide.title else "slide"
        if len(slide.visuals) > 1:
            found.append((where, f"{name} has {len(slide.visuals)} figures or explorers (cells "
                          f"{', '.join(map(str, slide.visuals))}); at most 1: start a sub-slide at cell "
                          f"{slide.visuals[1]}", True))
        asked = sum(n for _, n in slide.questions)
        if asked > 1:
            cells_asked = ", ".join(f"{c} ({n})" for c, n in slide.questions)
            found.append((where, f"{name} asks {asked} questions (cells {cells_asked}); at most 1 per slide: "
                          "start a sub-slide at the second quiz cell", True))
        if slide.words > MAX_WORDS:
            found.append((where, f"{name} starting {slide.opening!r}... has {slide.words} words of prose "
                          f"even after the deck splits it at paragraph breaks; at most {MAX_WORDS}: shorten "
                          "or split the paragraph (or start a sub-slide at its cell)", ENFORCE_WORDS))
        elif slide.shown > MAX_WORDS:
            found.append((where, f"{name} starting {slide.opening!r}... shows {slide.shown} words with its "
                          f"appraised claims written out (at most {MAX_WORDS}): shorten the claims "
                          "(data/claims.toml) or give each its own paragraph", False))
    return found
