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
"""

from __future__ import annotations

import copy
from typing import Any

from nbconvert.preprocessors import Preprocessor

from ..claims import expand, load_claims
from ..nbfile import cell_source
from ..slides import deck_parts, prose_units, slide_type

#: Where each kernel-free quiz form starts in a quiz output (quiz.static_html writes it).
QUIZ_FORM = '<form class="ankl-quiz"'
SUBSLIDE = {"slide_type": "subslide"}


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


def _output_only(cell: Any, part: int, mime: str, text: str) -> Any:
    """A sub-slide showing one more piece of a code cell's output, without its code."""
    more = _continued(cell, part)
    more.source = ""
    more.execution_count = None
    more.metadata["transient"] = {"remove_source": True}  # also with --deck-code: no empty input box
    more.outputs = [{"output_type": "display_data", "data": {mime: text}, "metadata": {}}]
    return more


def _markdown_pieces(cell: Any, pieces: list[str]) -> list[Any]:
    first = copy.deepcopy(cell)
    first.source = pieces[0]
    rest = []
    for part, piece in enumerate(pieces[1:], start=2):
        more = _continued(cell, part)
        more.source = piece
        rest.append(more)
    return [first, *rest]


def _quiz_html_output(cell: Any) -> tuple[int, list[str]] | None:
    """(output index, pieces) of the output of a code cell that shows several quiz forms."""
    for index, output in enumerate(cell.get("outputs", [])):
        page_html = output.get("data", {}).get("text/html", "")
        page_html = "".join(page_html) if isinstance(page_html, list) else page_html
        if page_html.count(QUIZ_FORM) > 1:
            return index, quiz_pieces(page_html)
    return None


def _quiz_pieces(cell: Any, index: int, pieces: list[str]) -> list[Any]:
    first = copy.deepcopy(cell)
    output = first.outputs[index]
    output.data = {"text/html": pieces[0]}  # the widget view is dead in a deck, and would show all questions
    more = [_output_only(cell, part, "text/html", piece) for part, piece in enumerate(pieces[1:], start=2)]
    return [first, *more]


def _said_pieces(cell: Any, pieces: list[str]) -> list[Any] | None:
    """The cell's ``facts.say`` output cut after the same paragraphs as ``pieces`` (its text as
    written, claims expanded); None if the output's paragraphs do not match them."""
    for index, output in enumerate(cell.get("outputs", [])):
        shown = output.get("data", {}).get("text/markdown")
        if shown is None:
            continue
        units = prose_units("".join(shown) if isinstance(shown, list) else shown)
        sizes = [len(prose_units(piece)) for piece in pieces]
        if len(units) != sum(sizes):
            return None
        cuts = [sum(sizes[:n]) for n in range(len(sizes) + 1)]
        texts = ["\n\n".join(units[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
        first = copy.deepcopy(cell)
        first.outputs[index] = {**output, "data": {**output["data"], "text/markdown": texts[0]}}
        more = [_output_only(cell, part, "text/markdown", text) for part, text in enumerate(texts[1:], start=2)]
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
        for index, cell in enumerate(nb.cells):
            if waiting and slide_type(cell) != "notes":
                cells += waiting
                waiting = []
            quiz = _quiz_html_output(cell) if cell.cell_type == "code" else None
            said = _said_pieces(cell, parts[index]) if index in parts and cell.cell_type == "code" else None
            if index in parts and cell.cell_type == "code" and said is None:
                unsplit.append(f"cell {cell.get('id', index + 1)}: its facts.say output does not match its "
                               "text; shown whole")
            if said is not None:
                first, *waiting = said
            elif index in parts and cell.cell_type == "markdown":
                first, *waiting = _markdown_pieces(cell, parts[index])
            elif quiz is not None:
                first, *waiting = _quiz_pieces(cell, *quiz)
            else:
                first = cell
            cells.append(first)
        nb = copy.copy(nb)
        nb.cells = cells + waiting
        if isinstance(resources, dict):
            resources["deck_split"] = unsplit
        return nb, resources
