"""Edit chapters so that no slide of their deck is over the word limit after the deck's own split
(ankl_course/slides.py): what the deck cannot cut, cut in the notebook, mechanically.

* cells that add up over the limit on one slide: the cell where the slide runs over starts a
  ``subslide`` (metadata only);
* a list over the limit: split into two Markdown cells between items, the second a ``subslide``
  (the notebook and the page read the same: two cells in a row look like one list);
* a paragraph over the limit: a paragraph break at the sentence end nearest its middle.

What it cannot do (a table, ``facts.say`` text, a single long sentence) it lists for a human to
shorten. Review the diff: the cuts are placed by word counts, not by meaning.

Usage: ``python scripts/split_long_prose.py notebooks/NN_name.ipynb ...`` (rewrites the files).
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from ankl_course.claims import expand, load_claims
from ankl_course.nbfile import cell_source
from ankl_course.quiz_bank import bank_path, load_bank
from ankl_course.slides import (
    LIST_ITEM,
    MAX_WORDS,
    Slide,
    markdown_blocks,
    prose_units,
    prose_words,
    said_text,
    slide_type,
    slides_of,
)

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(*\"“])")


def _lines(text: str) -> list[str]:
    return [line + "\n" for line in text.split("\n")[:-1]] + [text.split("\n")[-1]] if text else []


def _setcell_source(cell: dict[str, Any], text: str) -> None:
    cell["source"] = [line for line in _lines(text) if line != ""] or [""]


def _half_cut(sizes: list[int]) -> int:
    """The index (1..len-1) before which to cut a run of pieces of these sizes into two halves."""
    total, best, running = sum(sizes), 1, 0
    for index in range(1, len(sizes)):
        running += sizes[index - 1]
        if abs(total / 2 - running) < abs(total / 2 - sum(sizes[:best])):
            best = index
    return best


def split_list(block: str) -> tuple[str, str] | None:
    """A list block cut between items at about half its words (None for one item)."""
    lines = block.split("\n")
    starts = [i for i, line in enumerate(lines) if LIST_ITEM.match(line) and not line.startswith(" ")]
    if len(starts) < 2:
        return None
    items = ["\n".join(lines[a:b]) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    cut = starts[_half_cut([prose_words(item) for item in items])]
    return "\n".join(lines[:cut]).rstrip(), "\n".join(lines[cut:]).strip("\n")


def split_paragraph(block: str) -> str | None:
    """The paragraph (its line breaks kept) with a blank line at the sentence end nearest its
    middle (None: one sentence)."""
    ends = list(SENTENCE_END.finditer(block))
    if not ends:
        return None
    starts = [0] + [end.end() for end in ends]
    sentences = [block[a:b] for a, b in zip(starts, [end.start() for end in ends] + [len(block)], strict=True)]
    cut = ends[_half_cut([prose_words(sentence) for sentence in sentences]) - 1]
    return block[:cut.start()] + "\n\n" + block[cut.end():]


def fix_cell(cells: list[dict[str, Any]], index: int) -> str:
    """Cut the over-long block of Markdown cell ``index``; what was done ("" if nothing)."""
    cell = cells[index]
    text = cell_source(cell)
    for unit in prose_units(text):
        if prose_words(unit) <= MAX_WORDS:
            continue
        blocks = markdown_blocks(unit)
        for block in sorted(blocks, key=prose_words, reverse=True):
            if any(LIST_ITEM.match(line) for line in block.split("\n")) and not block.lstrip().startswith("|"):
                halves = split_list(block)
                if halves is None:
                    continue
                head = text[:text.index(block)] + halves[0]
                tail = halves[1] + text[text.index(block) + len(block):]
                more = copy.deepcopy(cell)
                taken = {other.get("id") for other in cells}
                base = str(cell.get("id", f"cell-{index}"))[:56]
                more["id"] = next(f"{base}-{n}" for n in range(2, 99) if f"{base}-{n}" not in taken)
                more.setdefault("metadata", {})["slideshow"] = {"slide_type": "subslide"}
                _setcell_source(cell, head.rstrip("\n"))
                _setcell_source(more, tail.strip("\n"))
                cells.insert(index + 1, more)
                return "list split into two cells"
            if not block.lstrip().startswith(("#", "|", "<", "$", "```", "~~~")):
                cut = split_paragraph(block)
                if cut:
                    _setcell_source(cell, text.replace(block, cut, 1))
                    return "paragraph break added"
    return ""


def _slide_cells(cells: list[dict[str, Any]], deck: list[Slide], at: int) -> list[int]:
    """0-based indexes of the cells with prose on slide ``at`` of ``deck``."""
    slide = deck[at]
    after = deck[at + 1] if at + 1 < len(deck) else None
    end = len(cells) + 1 if after is None else after.first_cell + (after.part > 1)  # a split cell's start is here
    found = []
    for number in range(slide.first_cell, max(end, slide.first_cell + 1)):
        cell = cells[number - 1]
        prose = cell.get("cell_type") == "markdown" or "say(" in cell_source(cell)
        if prose and slide_type(cell) not in ("notes", "skip"):
            found.append(number - 1)
    return found


def fix_once(cells: list[dict[str, Any]], deck: list[Slide], said_words: Any) -> str:
    for at, slide in enumerate(deck):
        if slide.words <= MAX_WORDS:
            continue
        own = _slide_cells(cells, deck, at)
        words = [prose_words(cell_source(cells[i])) if cells[i]["cell_type"] == "markdown" else said_words(cells[i])
                 for i in own]
        if len(own) > 1:
            running = slide.words - sum(words[1:])  # the first cell's words, or its piece's
            for index, count in zip(own[1:], words[1:], strict=True):
                running += count
                if running > MAX_WORDS:
                    cells[index].setdefault("metadata", {})["slideshow"] = {"slide_type": "subslide"}
                    return f"cell {index + 1} starts a sub-slide"
        for index in own:
            if cells[index]["cell_type"] == "markdown":
                done = fix_cell(cells, index)
                if done:
                    return f"cell {index + 1}: {done}"
    return ""


def main(paths: list[str]) -> int:
    claims = load_claims()

    def said_words(cell: dict[str, Any]) -> int:
        return prose_words(said_text(cell_source(cell)))  # as the check counts: claims as written

    for name in paths:
        path = Path(name)
        data = json.loads(path.read_text(encoding="utf-8"))
        count = load_bank(bank_path(path.stem)).shown_by
        for _ in range(200):
            deck = slides_of(data["cells"], count, expand=lambda said: expand(said, claims))
            done = fix_once(data["cells"], deck, said_words)
            if not done:
                break
            print(f"{path.name}: {done}")
        deck = slides_of(data["cells"], count, expand=lambda said: expand(said, claims))
        for slide in deck:
            if slide.words > MAX_WORDS:
                print(f"{path.name}: cell {slide.first_cell} (part {slide.part}): {slide.words} words left "
                      f"for a human: {slide.opening!r}")
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
