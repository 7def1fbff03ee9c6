"""A chapter's reading list: every reference its text, facts, claims and questions cite.

Why above :mod:`ankl_course.quiz`: the list at the end of a chapter must include what its question
bank cites, and the bank is read by quiz, which itself fills texts from the facts registry. Placed
here, the list reads both and neither reads it (the import graph stays without a cycle).
"""

from __future__ import annotations

from typing import Any

from . import branching
from .citations import load_facts, references_html
from .facts import keys_in_text
from .nbfile import notebook_text
from .quiz_bank import bank_path, load_bank
from .resources import chapter_notebooks


def chapter_keys(chapter: str) -> list[str]:
    """Citation keys used by a chapter: its notebook text and branch points, then its question bank."""
    facts = load_facts()
    keys: list[str] = []
    notebook = next((p for p in chapter_notebooks() if p.stem == chapter), None)
    if notebook is not None:
        source = notebook_text(notebook)
        keys += keys_in_text(source, facts) + branching.cited_keys(source, facts)
    path = bank_path(chapter)
    if path.exists():
        keys += load_bank(path).source_keys(facts)
    return list(dict.fromkeys(keys))


def show_references(chapter: str) -> Any:
    """Display the reference list of a chapter (everything its text, facts and quizzes cite)."""
    # Lazy (measured): IPython.display costs about 0.4 s; `ankl-course build` reads chapter_keys only.
    from IPython.display import HTML

    return HTML(references_html(chapter_keys(chapter)))
