"""nbfile: the one way the course reads a notebook's cells without nbformat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ankl_course.errors import CourseDataError
from ankl_course.nbfile import (
    cell_source,
    cells,
    code_lines,
    long_folded_cells,
    notebook_text,
    read_notebook,
    write_notebook,
)

NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5, "metadata": {},
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "text"]},
        {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None},
    ],
}


def test_sources_as_lists_or_strings_read_the_same() -> None:
    assert cell_source({"source": ["a\n", "b"]}) == "a\nb"
    assert cell_source({"source": "a\nb"}) == "a\nb"
    assert cell_source({}) == ""


def test_read_cells_and_text(tmp_path: Path) -> None:
    path = tmp_path / "n.ipynb"
    write_notebook(path, NOTEBOOK)
    data = read_notebook(path)
    assert [c["cell_type"] for c in cells(data, "code")] == ["code"]
    assert len(cells(data)) == 2
    assert notebook_text(path) == "# Title\ntext\nx = 1"
    assert path.read_text(encoding="utf-8").endswith("}\n") and json.loads(path.read_text()) == NOTEBOOK


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"[1, 2]"])
def test_an_unreadable_notebook_is_one_error_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    with pytest.raises(CourseDataError) as caught:
        read_notebook(path)
    assert str(caught.value).startswith(f"{path}: not a readable notebook")


def test_a_missing_notebook_is_named(tmp_path: Path) -> None:
    with pytest.raises(CourseDataError, match="gone.ipynb: not a readable notebook"):
        read_notebook(tmp_path / "gone.ipynb")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fig, ax = figures.new_figure()\nax.set_axis_off()\n\nfigures.show(fig, alt='x')\n", 3),
        # prose and alt text read as sentences: only the call line is code
        ('facts.say(\n    "First sentence {a.b} "\n    "second sentence."\n)\n', 1),
        ('figures.show(fig, alt=(\n    f"{n} bars "\n    "on a log scale"))\n', 1),
        ('"""A docstring\nover lines."""\nx = 1  # a comment\n# only a comment\n', 1),
        # imports list the tools; the logic is what follows them
        ("import numpy as np\nfrom ankl_course import facts\nquiz = Q()\n", 1),
        ("def f(a):\n    return a\n\n\nExplorer(\n    f,\n    {},\n)\n", 4),
        ("%matplotlib inline\nx = (\n", 2),  # does not tokenize: every non-blank line
    ],
)
def test_code_lines_count_what_a_reader_follows(source: str, expected: int) -> None:
    assert code_lines(source) == expected


def test_long_folded_cells_names_only_long_folded_code() -> None:
    folded = {"jupyter": {"source_hidden": True}}
    long_code = "a = 1\nb = 2\nc = 3\nd = 4\n"
    found = long_folded_cells([
        {"cell_type": "markdown", "metadata": {}, "source": long_code},
        {"cell_type": "code", "metadata": folded, "source": long_code},
        {"cell_type": "code", "metadata": {}, "source": long_code},  # student code, unfolded
        {"cell_type": "code", "metadata": folded, "source": "a = 1\nb = 2\nc = 3\n"},
    ])
    assert found == [(2, 4)]
