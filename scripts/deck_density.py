"""Slides per chapter deck, as the notebooks mark them ("marked") and as the deck shows them after
its split ("deck", export/deck_split.py), and the slides over the word limit: as the check counts
("over", claims as written) and as shown with appraised claims written out ("shown").

Usage: ``python scripts/deck_density.py`` (reads ``notebooks/``; executes nothing).
"""

from __future__ import annotations

import json

from ankl_course.claims import expand, load_claims
from ankl_course.quiz_bank import bank_path, load_bank
from ankl_course.resources import chapter_notebooks
from ankl_course.slides import MAX_WORDS, slide_type, slides_of


def main() -> None:
    claims = load_claims()
    print(f"{'chapter':32} {'marked':>6} {'deck':>6} {'over':>6} {'shown':>6}")
    totals = [0, 0, 0, 0]
    for path in chapter_notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        count = load_bank(bank_path(path.stem)).shown_by
        marked = sum(1 for i, c in enumerate(cells) if slide_type(c) in ("slide", "subslide")
                     or (i == 0 and slide_type(c) not in ("notes", "skip")))
        deck = slides_of(cells, count, expand=lambda said: expand(said, claims))
        over = sum(1 for slide in deck if slide.words > MAX_WORDS)
        shown = sum(1 for slide in deck if slide.shown > MAX_WORDS)
        row = [marked, len(deck), over, shown]
        print(f"{path.stem:32} " + " ".join(f"{n:6d}" for n in row))
        totals = [a + b for a, b in zip(totals, row, strict=True)]
    print(f"{'all':32} " + " ".join(f"{n:6d}" for n in totals))


if __name__ == "__main__":
    main()
