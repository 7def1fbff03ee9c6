"""Issue 13 item 4: chapter 06 became chapter 6 (survival curves) and chapter 7 (reading a registry
study), and the capstone became chapter 8. No text a student or teacher reads (notebooks, banks, data
files, exercises, docs, exports' sources, scripts) may point to a chapter by a number that is now wrong.

Two checks: the old file names are gone everywhere, and a sentence that names one chapter by number
and a topic taught in one chapter names the chapter that teaches it (a "chapter 6" next to
"confounding", or a "chapter 7" next to the capstone, is a reference the renumbering missed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ankl_course.syllabus import chapters

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("notebooks", "ankl_course", "exercises", "docs", "scripts", "benchmarks", "tests")
SUFFIXES = {".ipynb", ".py", ".toml", ".md", ".j2", ".html", ".js", ".cfg"}
GONE = ("06_transplant" + "_outcomes", "07_case" + "_study")  # split in two; renumbered to 08
#: Where a topic is taught, by chapter number (a word in a sentence -> the chapters that teach it).
TOPICS = {
    "capstone": {8}, "Mr K": {8}, "confounding": {7}, "log-rank": {7}, "landmark": {7},
    "guarantee-time": {7}, "immortal-time": {7}, "Kaplan-Meier": {6}, "censor": {6},
    "competing risk": {6}, "Aalen-Johansen": {6},
}
CHAPTER_NUMBERS = re.compile(r"\bchapters?\s+((?:0?\d+(?:\s*,\s*|\s+and\s+|\s+to\s+|\s*-\s*)?)+)", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+|\n\s*\n")


def texts() -> Iterator[tuple[str, str]]:
    """(place, text) for every file of the course a reader or a build reads; notebooks per cell."""
    paths = [ROOT / "README.md"] + [p for folder in FOLDERS for p in sorted((ROOT / folder).rglob("*"))
                                    if p.suffix in SUFFIXES and p.is_file()]
    for path in paths:
        if ".ipynb_checkpoints" in path.parts or path.name == Path(__file__).name:
            continue
        place = str(path.relative_to(ROOT))
        if path.suffix == ".ipynb":
            for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"], start=1):
                yield f"{place}: cell {number}", "".join(cell["source"])
        else:
            yield place, path.read_text(encoding="utf-8")


def mentioned(sentence: str) -> set[int]:
    """The chapter numbers a sentence names: "chapter 6", "chapters 5 and 7", "chapters 6 to 8"."""
    found: set[int] = set()
    for match in CHAPTER_NUMBERS.finditer(sentence):
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
        if re.search(r"\sto\s|-", match.group(1)) and len(numbers) == 2:
            numbers = list(range(numbers[0], numbers[1] + 1))
        found.update(numbers)
    return found


def test_the_old_chapter_files_are_named_nowhere() -> None:
    stale = [place for place, text in texts() for gone in GONE if gone in text]
    assert stale == []


def test_every_chapter_number_in_the_texts_exists() -> None:
    numbers = {c.number for c in chapters() if not c.optional}
    wrong = [(place, n) for place, text in texts() if not place.startswith("tests/")  # tests make up chapters
             for sentence in SENTENCE_END.split(text) for n in mentioned(sentence) if n not in numbers]
    assert wrong == []


def test_a_chapter_named_beside_a_topic_is_the_chapter_that_teaches_it() -> None:
    wrong = []
    for place, text in texts():
        for sentence in SENTENCE_END.split(text):
            named = mentioned(sentence) | ({8} if "the capstone" in sentence.lower() else set())
            if len(named) != 1:
                continue  # "chapters 5 and 7": several chapters, several topics
            for word, taught_in in TOPICS.items():
                if word.lower() in sentence.lower() and not named & taught_in:
                    wrong.append((place, word, sorted(named), sentence.strip()[:120]))
    assert wrong == []


@pytest.mark.parametrize(("sentence", "numbers"), [
    ("the selection bias of chapters 5 and 7.", {5, 7}),
    ("Nothing in chapters 6 to 8 depends on it.", {6, 7, 8}),
    ("Chapter 08 repeats it", {8}),
    ("a chapter of the course", set()),
])
def test_chapter_numbers_are_read_from_a_sentence(sentence: str, numbers: set[int]) -> None:
    assert mentioned(sentence) == numbers
