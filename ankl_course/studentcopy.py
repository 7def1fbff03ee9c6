"""What a student receives of a chapter notebook: the teaching text and code, never the teacher's notes.

Speaker notes (cells with ``slide_type`` ``notes``) are the teacher's words for
the deck's speaker view; several discuss the answer to the quiz just below
them. Students work on copies (``ankl-course lab``) or on the student pack, so
both are made here, from one rule: notes cells removed, outputs and execution
counts cleared, stored widget state dropped. Decks and the teacher build read
the course notebooks directly and keep the notes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .nbfile import read_notebook

NOTES = "notes"


def is_speaker_notes(cell: dict[str, Any]) -> bool:
    """True for a cell the deck shows only in the speaker view."""
    return bool(cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == NOTES)


def student_notebook(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of notebook JSON ``data`` as a student gets it (the input is not changed)."""
    copy = json.loads(json.dumps(data))
    cells = []
    for cell in copy.get("cells", []):
        if is_speaker_notes(cell):
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    copy["cells"] = cells
    copy.get("metadata", {}).pop("widgets", None)
    return copy


def student_text(path: Path) -> str:
    """The student's copy of the notebook at ``path``, as the text to write to a file (as Jupyter writes it)."""
    return json.dumps(student_notebook(read_notebook(path)), indent=1, ensure_ascii=False) + "\n"
