"""Slides that breathe: the deck shows long prose and multi-question quizzes over sub-slides.

Why: a slide over about 90 words, or with several questions, cannot be read from the back of a
lecture hall, yet the same text reads well in a student's notebook and page. So only the deck
is split, at build time, and the notebook and page stay as written:

* a Markdown cell that would take its slide over :data:`~ankl_course.slides.MAX_WORDS` words
  becomes consecutive cells cut at paragraph breaks (where: :func:`ankl_course.slides.deck_parts`,
  the same decision ``ankl-course check`` counts with); the first keeps the cell's slide type,
  the others are sub-slides. The Markdown a ``facts.say`` cell shows is cut the same way (at
  the same paragraph breaks of its output);
* a quiz output holding several questions (a warm-up, a pre- or post-test, a section) becomes
  one output per question, each after the first on a sub-slide of its own.

Speaker notes that follow a split cell stay on its first slide, where the section starts.
Each later piece opens with a small label naming its section ("The ANKL phenotype (continued)"
or "Warm-up (question 2 of 3)"): a sub-slide has no heading of its own, and a student
at the back of the hall, or a teacher resuming after a question, needs to know where they are.
"""

from __future__ import annotations

import copy
import html
from typing import Any

from nbconvert.preprocessors import Preprocessor

from ..claims import expand, load_claims
from ..nbfile import cell_source, output_text
from ..slides import HEADING, deck_parts, prose_units, slide_type

#: Where each kernel-free quiz form starts in a quiz output (quiz.static_html writes it).
QUIZ_FORM = '<form class="ankl-quiz"'
SUBSLIDE = {"slide_type": "subslide"}
#: The class of a continuation label (styled in course.css; not prose to the slide check).
LABEL_CLASS = "ankl-continued"


def heading_of(cell: Any) -> str:
    """The first Markdown heading a cell shows, as text: in its source, or in the Markdown its
    code writes (a ``facts.say`` cell); "" if it has none."""
    shown = (output_text(output, "text/markdown") for output in cell.get("outputs", []))
    texts = [cell_source(cell)] if cell.cell_type == "markdown" else [text for text in shown if text is not None]
    return next((line.strip().lstrip("#").strip() for text in texts for line in text.splitlines()
                 if HEADING.match(line)), "")


def continuation_label(title: str, part: int, total: int, question: bool = False) -> str:
    """The label that opens piece ``part`` of ``total`` of a split cell, naming its section (prose
    pieces are not numbered: two split cells of one section would count from 2 twice)."""
    where = html.escape(title) if title else "This section"
    said = f"{where} (question {part} of {total})" if question else f"{where} (continued)"
    return f'<p class="{LABEL_CLASS}">{said}</p>'


def quiz_pieces(page_html: str) -> list[str]:
    """A quiz output's HTML cut before each form after the first (the page's quiz CSS and
    script, if this output carries them, stay with the first form)."""
    starts = _find_all(page_html, QUIZ_FORM)[1:]
    cuts = [0, *starts, len(page_html)]
    return [page_html[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def _find_all(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _continued(cell: Any, part: int) -> Any:
    """A copy of ``cell`` for its ``part``-th piece (2, 3, ...): a sub-slide, with an id of its own
    (nbformat wants cell ids unique, and derives them here from the original's)."""
    more = copy.deepcopy(cell)
    more.metadata["slideshow"] = dict(SUBSLIDE)
    if cell.get("id"):
        more.id = f"{cell.id[:56]}-part{part}"
    return more


def _output_only(cell: Any, part: int, mime: str, text: str, label: str) -> Any:
    """A sub-slide showing one more piece of a code cell's output, without its code."""
    more = _continued(cell, part)
    text = f"{label}\n\n{text}" if mime == "text/markdown" else label + text
    more.source = ""
    more.execution_count = None
    more.metadata["transient"] = {"remove_source": True}  # also with --deck-code: no empty input box
    more.outputs = [{"output_type": "display_data", "data": {mime: text}, "metadata": {}}]
    return more


def _markdown_pieces(cell: Any, pieces: list[str], title: str) -> list[Any]:
    first = copy.deepcopy(cell)
    first.source = pieces[0]
    rest = []
    for part, piece in enumerate(pieces[1:], start=2):
        more = _continued(cell, part)
        more.source = f"{continuation_label(title, part, len(pieces))}\n\n{piece}"
        rest.append(more)
    return [first, *rest]


def _quiz_html_output(cell: Any) -> tuple[int, list[str]] | None:
    """(output index, pieces) of the output of a code cell that shows several quiz forms."""
    for index, output in enumerate(cell.get("outputs", [])):
        page_html = output_text(output, "text/html") or ""
        if page_html.count(QUIZ_FORM) > 1:
            return index, quiz_pieces(page_html)
    return None


def _quiz_pieces(cell: Any, index: int, pieces: list[str], title: str) -> list[Any]:
    first = copy.deepcopy(cell)
    output = first.outputs[index]
    output.data = {"text/html": pieces[0]}  # the widget view is dead in a deck, and would show all questions
    more = [_output_only(cell, part, "text/html", piece, continuation_label(title, part, len(pieces), True))
            for part, piece in enumerate(pieces[1:], start=2)]
    return [first, *more]


def _said_pieces(cell: Any, pieces: list[str], title: str) -> list[Any] | None:
    """The cell's ``facts.say`` output cut after the same paragraphs as ``pieces`` (its text as
    written, claims expanded); None if the output's paragraphs do not match them."""
    for index, output in enumerate(cell.get("outputs", [])):
        shown = output_text(output, "text/markdown")
        if shown is None:
            continue
        units = prose_units(shown)
        sizes = [len(prose_units(piece)) for piece in pieces]
        if len(units) != sum(sizes):
            return None
        cuts = [sum(sizes[:n]) for n in range(len(sizes) + 1)]
        texts = ["\n\n".join(units[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
        first = copy.deepcopy(cell)
        first.outputs[index] = {**output, "data": {**output["data"], "text/markdown": texts[0]}}
        more = [_output_only(cell, part, "text/markdown", text, continuation_label(title, part, len(texts)))
                for part, text in enumerate(texts[1:], start=2)]
        return [first, *more]
    return None


def _claims_expander(cells: list[Any]) -> Any:
    """What ``facts.say`` text reads as, as the check counts it (claims expanded)."""
    if not any("{claim:" in cell_source(cell) for cell in cells):
        return lambda text: text
    claims = load_claims()
    return lambda text: expand(text, claims)


class SplitSlides(Preprocessor):
    """Split long Markdown cells and multi-question quiz outputs into sub-slides (decks only).

    ``resources["deck_split"]`` lists what could not be split as planned (a ``facts.say``
    output whose paragraphs differ from its text), for the build to report."""

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        parts = deck_parts(nb.cells, _claims_expander(nb.cells))
        unsplit: list[str] = []
        cells: list[Any] = []
        waiting: list[Any] = []  # a split cell's later pieces, placed after its speaker notes
        title = ""  # the section a piece belongs to: the last heading shown
        for index, cell in enumerate(nb.cells):
            if waiting and slide_type(cell) != "notes":
                cells += waiting
                waiting = []
            if slide_type(cell) != "notes":
                title = heading_of(cell) or title
            quiz = _quiz_html_output(cell) if cell.cell_type == "code" else None
            said = _said_pieces(cell, parts[index], title) if index in parts and cell.cell_type == "code" else None
            if index in parts and cell.cell_type == "code" and said is None:
                unsplit.append(f"cell {cell.get('id', index + 1)}: its facts.say output does not match its "
                               "text; shown whole")
            if said is not None:
                first, *waiting = said
            elif index in parts and cell.cell_type == "markdown":
                first, *waiting = _markdown_pieces(cell, parts[index], title)
            elif quiz is not None:
                first, *waiting = _quiz_pieces(cell, *quiz, title)
            else:
                first = cell
            cells.append(first)
        nb = copy.copy(nb)
        nb.cells = cells + waiting
        if isinstance(resources, dict):
            resources["deck_split"] = unsplit
        return nb, resources
