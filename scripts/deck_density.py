"""Slides per chapter deck, as the notebooks mark them and as the deck shows them after its split
(export/deck_split.py), with the slides still over the word limit: the figures of issue 16.

Usage: ``python scripts/deck_density.py`` (reads ``notebooks/``; executes nothing).
"""

from __future__ import annotations

import json

from ankl_course.claims import expand, load_claims
from ankl_course.quiz import bank_path, load_bank
from ankl_course.resources import chapter_notebooks
from ankl_course.slides import MAX_WORDS, slide_type, slides_of


def main() -> None:
    claims = load_claims()
    print(f"{'chapter':32} {'marked':>6} {'deck':>6} {'>' + str(MAX_WORDS) + ' words':>10}")
    totals = [0, 0, 0]
    for path in chapter_notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        count = load_bank(bank_path(path.stem)).shown_by
        marked = sum(1 for i, c in enumerate(cells) if slide_type(c) in ("slide", "subslide")
                     or (i == 0 and slide_type(c) not in ("notes", "skip")))
        deck = slides_of(cells, count, expand=lambda said: expand(said, claims))
        over = sum(1 for slide in deck if slide.words > MAX_WORDS)
        print(f"{path.stem:32} {marked:6d} {len(deck):6d} {over:10d}")
        totals = [totals[0] + marked, totals[1] + len(deck), totals[2] + over]
    print(f"{'all':32} {totals[0]:6d} {totals[1]:6d} {totals[2]:10d}")


if __name__ == "__main__":
    main()
