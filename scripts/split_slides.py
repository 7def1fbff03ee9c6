"""Restructure chapter decks to the slide-density rules (ankl_course/slides.py), touching only
quiz calls and slide metadata: a quiz cell that asks several questions becomes one
``quiz.ask("id")`` cell per question, and every second question or second figure/explorer on a
slide starts a new sub-slide. Prose is not moved (see slides.ENFORCE_WORDS).

Usage: ``python scripts/split_slides.py notebooks/NN_name.ipynb ...``; rewrites the files in
the notebooks' own JSON layout. Run ``ankl-course check`` afterwards.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from ankl_course.quiz_bank import bank_path, load_bank
from ankl_course.slides import VISUAL

SECTION = re.compile(r'quiz\.ask_section\(\s*"([^"]+)"\s*\)')
ASK = re.compile(r'quiz\.ask\(\s*((?:"[^"]+"\s*,?\s*)+)\)')


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _kind(cell: dict[str, Any]) -> str:
    return str(cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-"))


def one_question_per_cell(cells: list[dict[str, Any]], chapter: str) -> list[dict[str, Any]]:
    bank = load_bank(bank_path(chapter))
    result = []
    for cell in cells:
        text = _source(cell).strip()
        section, asked = SECTION.fullmatch(text), ASK.fullmatch(text)
        ids = ([q.id for q in bank.section(section.group(1))] if section
               else re.findall(r'"([^"]+)"', asked.group(1)) if asked else [])
        if cell.get("cell_type") != "code" or len(ids) < 2:
            result.append(cell)
            continue
        for number, question in enumerate(ids):
            part = copy.deepcopy(cell)
            part["source"] = [f'quiz.ask("{question}")']
            if number:
                part["id"] = f"{cell['id']}-q{number + 1}"
            result.append(part)
    return result


def new_subslides(cells: list[dict[str, Any]]) -> None:
    visuals = questions = 0
    for cell in cells:
        kind = _kind(cell)
        if kind in ("notes", "skip"):
            continue
        if kind in ("slide", "subslide"):
            visuals = questions = 0
        text = _source(cell) if cell.get("cell_type") == "code" else ""
        is_visual = bool(VISUAL.search(text))
        is_question = "quiz.ask(" in text
        if (is_visual and visuals) or (is_question and questions):
            cell.setdefault("metadata", {}).setdefault("slideshow", {})["slide_type"] = "subslide"
            visuals = questions = 0
        visuals += is_visual
        questions += is_question


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        data = json.loads(path.read_text(encoding="utf-8"))
        data["cells"] = one_question_per_cell(data["cells"], path.stem)
        new_subslides(data["cells"])
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
