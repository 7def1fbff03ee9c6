"""Reading a notebook file as plain JSON: the one reader and the one cell-source joiner of the course.

Why not nbformat: importing it costs over a second here (it pulls in jsonschema's format
checkers), and the course map, the checker, the reference lists, the site index and the
student pack only need the cells' text. Why one place: a notebook saves a cell's source as
a list of lines or as one string, and a half-saved notebook must fail with the same one-line
error (file, problem) wherever it is read. Which code cells a student sees unfolded is read here
too, so that the check and the plumbing test count the same cells.
"""

from __future__ import annotations

import io
import json
import tokenize
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


#: A folded helper cell may hold at most this many lines of code (:func:`code_lines`): a student who
#: unfolds it, or a teacher reading the notebook, should meet one readable call, with the figure and
#: widget code behind it in the library (issue 13, item 3). ``ankl-course check`` reports longer ones.
MAX_FOLDED_CODE_LINES = 3

#: Tokens that carry no logic of their own: text, comments, line ends, and the punctuation around text.
_NOT_CODE = {tokenize.STRING, tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
             tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ENCODING}
_PUNCTUATION = {"(", ")", "[", "]", "{", "}", ",", "+"}
#: Python 3.12 splits an f-string into tokens; everything between its start and end is text.
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def code_lines(source: str) -> int:
    """Lines of ``source`` that carry code a reader has to follow.

    Not counted: lines that hold only text (string literals, as in ``facts.say("...")`` prose
    or a figure's alt text, which read as sentences), comments, brackets and commas, and
    ``import`` lines (a list of the tools a chapter uses). Why: the count is meant to find
    drawing and widget code left in a notebook, not to push a chapter's prose out of it.
    Source that does not tokenize (a magic, a half-typed cell) counts every non-blank line.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return sum(1 for line in source.splitlines() if line.strip())
    rows: set[int] = set()
    imports: set[int] = set()
    in_fstring = 0
    for token in tokens:
        if token.type == _FSTRING_START:
            in_fstring += 1
        elif token.type == _FSTRING_END:
            in_fstring -= 1
        elif in_fstring or token.type in _NOT_CODE or (token.type == tokenize.OP and token.string in _PUNCTUATION):
            continue
        elif token.type == tokenize.NAME and token.string in ("import", "from") and token.line.lstrip().startswith(
                token.string + " "):
            imports.add(token.start[0])
        else:
            rows.add(token.start[0])
    return len(rows - imports)


def long_folded_cells(cells: list[dict[str, Any]], limit: int = MAX_FOLDED_CODE_LINES) -> list[tuple[int, int]]:
    """(cell number from 1, code lines) of each folded helper cell with more than ``limit`` lines of code."""
    found = []
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") == "code" and code_is_hidden(cell):
            lines = code_lines(cell_source(cell))
            if lines > limit:
                found.append((number, lines))
    return found


def long_folded_problems(cells: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(where, what) ``ankl-course check`` reports for each of :func:`long_folded_cells`: a folded cell
    of more than a few lines is figure or widget code that belongs in the library (issue 13, item 3)."""
    return [(f"cell {number}", f"folded helper cell has {lines} lines of code (at most {MAX_FOLDED_CODE_LINES}): "
             "move its figure or widget code into the library") for number, lines in long_folded_cells(cells)]
