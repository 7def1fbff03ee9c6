"""nbfile: the one way the course reads a notebook's cells without nbformat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ankl_course.errors import CourseDataError
from ankl_course.nbfile import cell_source, cells, notebook_text, read_notebook, write_notebook

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
