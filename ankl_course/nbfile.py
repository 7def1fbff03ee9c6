"""Reading a notebook file as plain JSON: the one reader and the one cell-source joiner of the course.

Why not nbformat: importing it costs over a second here (it pulls in jsonschema's format
checkers), and the course map, the checker, the reference lists, the site index and the
student pack only need the cells' text. Why one place: a notebook saves a cell's source as
a list of lines or as one string, and a half-saved notebook must fail with the same one-line
error (file, problem) wherever it is read. Which code cells a student sees unfolded is read here
too, so that the check and the plumbing test count the same cells.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import CourseDataError

#: A notebook as its JSON: ``cells``, ``metadata``, ``nbformat``...
Notebook = dict[str, Any]
Cell = dict[str, Any]


def read_notebook(path: Path) -> Notebook:
    """The notebook at ``path`` as JSON, or a :class:`CourseDataError` naming the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CourseDataError(path, "", f"not a readable notebook: {exc}") from None
    if not isinstance(data, dict):
        raise CourseDataError(path, "", "not a readable notebook: the file is not a JSON object")
    return data


def cell_source(cell: Cell) -> str:
    """A cell's source as one string (notebooks store it as a list of lines or as a string)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def output_text(output: dict[str, Any], mime: str) -> str | None:
    """What one output holds as ``mime``, as one string (saved as a list of lines or as a
    string, like a cell's source); None if it holds nothing of that type."""
    data = output.get("data", {}).get(mime)
    if data is None:
        return None
    return "".join(data) if isinstance(data, list) else str(data)


def cells(notebook: Notebook, kind: str | None = None) -> list[Cell]:
    """The notebook's cells, or only those of one ``kind`` (``"markdown"``, ``"code"``)."""
    found = notebook.get("cells", [])
    return [c for c in found if kind is None or c.get("cell_type") == kind]


def notebook_text(path: Path) -> str:
    """All cell sources of a notebook, joined by newlines (for searching citations and facts)."""
    return "\n".join(cell_source(cell) for cell in cells(read_notebook(path)))


def write_notebook(path: Path, notebook: Notebook) -> str:
    """Write ``notebook`` as Jupyter does (one-space indent, UTF-8, final newline); return the text."""
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    return text


#: The tag of a code cell the student is meant to read or change; every other code cell is folded.
STUDENT_CODE = "student-code"


def code_is_hidden(cell: dict[str, Any]) -> bool:
    """True for a code cell folded in JupyterLab and behind "Show code" in exported pages."""
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def visible_code_lines(cells: list[dict[str, Any]]) -> int:
    """Non-blank code lines a student sees unfolded (speaker notes are not on student pages)."""
    return sum(
        sum(1 for line in cell_source(cell).splitlines() if line.strip())
        for cell in cells
        if cell.get("cell_type") == "code" and not code_is_hidden(cell)
        and cell.get("metadata", {}).get("slideshow", {}).get("slide_type") != "notes"
    )
