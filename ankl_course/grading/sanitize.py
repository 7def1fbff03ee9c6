"""Repair a submission against its source before anything of it runs.

Students delete, duplicate, move and edit cells, and sometimes hand in a damaged
file. nbgrader's answer (overwrite cells by id) leaves a deleted cell ungradeable
(nbgrader #1682); here every cell the source marks is accounted for:

* test and locked cells are restored from the source, whatever the student did to them;
* a deleted cell comes back (a deleted answer comes back as the blank stub);
* of duplicated ids the last copy counts, as in nbgrader; earlier copies become plain cells;
* marked cells the student moved are put back in the source's order, each keeping the
  student's own cells that sat just before it;
* cell types, points and the kernelspec are the source's.

A file that is not a notebook (empty, invalid JSON, nbformat older than 4) raises
:class:`InvalidSubmission` with a message for the student; the grader records a zero
and goes on with the batch.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from . import markup, variants
from .release import student_version


class InvalidSubmission(Exception):
    """The submission cannot be graded at all; ``str()`` says why, for the student."""


@dataclass
class Sanitized:
    """The notebook to run, and what was repaired (each a sentence for the feedback)."""

    notebook: Any
    notes: list[str] = field(default_factory=list)
    carried_variant: str | None = None  # the variant id the submitted file says it is


def parse(data: bytes) -> Any:
    """Bytes of a submitted file -> an nbformat 4 notebook, or :class:`InvalidSubmission`."""
    import nbformat

    if not data.strip():
        raise InvalidSubmission("the file is empty (0 bytes of notebook): nothing to grade")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidSubmission(f"the file is not text (byte {exc.start} is not UTF-8): not a notebook") from exc
    except json.JSONDecodeError as exc:
        raise InvalidSubmission(
            f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it was probably damaged or edited outside Jupyter") from exc
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise InvalidSubmission("the file is JSON but not a Jupyter notebook (no 'nbformat' field)")
    version = raw.get("nbformat")
    if not isinstance(version, int) or version < 4:
        raise InvalidSubmission(
            f"the notebook is in nbformat {version}, older than the released exercise (nbformat 4); "
            "it was not saved from the released exercise")
    if version > 4:
        raise InvalidSubmission(f"the notebook is in nbformat {version}, newer than this grader reads (4)")
    if not isinstance(raw.get("cells"), list):
        raise InvalidSubmission("the notebook has no list of cells")
    try:
        nb = nbformat.from_dict(raw)
    except Exception as exc:  # nbformat accepts nearly anything; this is a last guard
        raise InvalidSubmission(f"the notebook structure is damaged: {exc}") from exc
    for number, cell in enumerate(nb.cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidSubmission(f"cell {number} is of no known type; the file was edited outside Jupyter")
        cell.setdefault("metadata", {})
        text = cell.get("source", "")
        if not isinstance(cell["metadata"], dict) or not (
                isinstance(text, str) or (isinstance(text, list) and all(isinstance(t, str) for t in text))):
            raise InvalidSubmission(f"cell {number} is damaged (its source or metadata has the wrong type)")
        cell["source"] = markup.source(cell)
    return nb


def sanitize(data: bytes, source: Any) -> Sanitized:
    """The submission in ``data`` repaired against the exercise ``source`` notebook."""
    nb = parse(data)
    carried = variants.carried(nb)
    notes: list[str] = []
    released = {markup.grade_id(c): c for _, c in markup.marked(student_version(source).cells)}
    wanted = [markup.grade_id(c) or "" for _, c in markup.marked(source.cells)]
    source_cells = {markup.grade_id(c) or "": c for _, c in markup.marked(source.cells)}

    cells = _deduplicate(nb.cells, notes)
    cells = _drop_unknown_ids(cells, set(wanted), notes)
    groups, tail = _group(cells)
    order = [gid for gid in groups if gid in source_cells]
    if order != [gid for gid in wanted if gid in groups]:
        notes.append("cells were moved; the marked cells were put back in the exercise's order")
    out: list[Any] = []
    for gid in wanted:
        before, cell = groups.get(gid, ([], None))
        out.extend(before)
        out.append(_restore(cell, source_cells[gid], released[gid], notes))
    out.extend(tail)
    result = copy.deepcopy(source)
    result.cells = out
    for cell in result.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return Sanitized(result, notes, carried)


def _deduplicate(cells: list[Any], notes: list[str]) -> list[Any]:
    """Keep the last copy of each id (nbgrader's rule); earlier copies become plain cells."""
    seen: set[str] = set()
    out = []
    for cell in reversed(cells):
        gid = markup.grade_id(cell)
        if gid and markup.meta(cell):
            if gid in seen:
                cell = copy.deepcopy(cell)
                cell.metadata.pop("nbgrader", None)
                notes.append(f"cell '{gid}' appeared more than once; the last copy was graded")
            seen.add(gid)
        out.append(cell)
    return out[::-1]


def _drop_unknown_ids(cells: list[Any], known: set[str], notes: list[str]) -> list[Any]:
    out = []
    for cell in cells:
        gid = markup.grade_id(cell)
        if markup.meta(cell) and gid not in known:
            cell = copy.deepcopy(cell)
            cell.metadata.pop("nbgrader", None)
            notes.append(f"a cell claimed the unknown id {gid!r}; it was run as an ordinary cell")
        out.append(cell)
    return out


def _group(cells: list[Any]) -> tuple[dict[str, tuple[list[Any], Any]], list[Any]]:
    """grade_id -> (the student's own cells just before it, the cell); and the cells after the last."""
    groups: dict[str, tuple[list[Any], Any]] = {}
    pending: list[Any] = []
    for cell in cells:
        gid = markup.grade_id(cell) if markup.meta(cell) else None
        if gid:
            groups[gid] = (pending, cell)
            pending = []
        else:
            pending.append(cell)
    return groups, pending


def _restore(cell: Any | None, original: Any, released: Any, notes: list[str]) -> Any:
    """The cell to grade for one marked id: the student's answer, the source's everything else."""
    gid = markup.grade_id(original)
    if cell is None:
        if markup.is_solution(original):
            notes.append(f"answer cell '{gid}' was deleted; it was restored blank")
            return copy.deepcopy(released)
        notes.append(f"cell '{gid}' was deleted; it was restored from the exercise")
        return copy.deepcopy(original)
    if not markup.is_solution(original):
        if markup.source(cell) != markup.source(released) or cell.cell_type != original.cell_type:
            notes.append(f"locked cell '{gid}' was edited; the exercise's version was used")
        return copy.deepcopy(original)
    restored = copy.deepcopy(original)
    restored.source = markup.source(cell)
    if cell.cell_type != original.cell_type:
        notes.append(f"answer cell '{gid}' was changed to {cell.cell_type}; it was graded as {original.cell_type}")
    return restored
