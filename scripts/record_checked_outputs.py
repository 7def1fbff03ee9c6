"""Store the expected outputs of the cells nbval compares, and nothing else.

Notebooks are committed without outputs, except cells marked with a line
``# NBVAL_CHECK_OUTPUT``: nbval compares those against what is stored, so
their (small, text-only) outputs must be in the file or the check is empty.
Run after changing such a cell:

    .venv/bin/python scripts/record_checked_outputs.py notebooks/03_immunophenotyping.ipynb ...

Each notebook runs twice in fresh kernels; a checked cell whose output differs
between the runs is reported and nothing is written, because nbval would fail
on it sooner or later.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARKER = "# NBVAL_CHECK_OUTPUT"
#: What nbval compares (it skips images and widget views, so those are not stored).
TEXT_TYPES = {"text/plain", "text/html", "text/markdown", "text/latex"}


def is_checked(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and any(line.strip() == MARKER for line in cell.source.splitlines())


def text_outputs(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """A checked cell's outputs reduced to what nbval compares: streams and text mimetypes."""
    kept = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            kept.append(nbformat.v4.new_output("stream", name=output.name, text=output.text))
        elif output.output_type in ("execute_result", "display_data"):
            data = {k: v for k, v in output.data.items() if k in TEXT_TYPES}
            if data:
                kept.append(nbformat.v4.new_output("execute_result" if output.output_type == "execute_result"
                                                   else "display_data", data=data))
                if output.output_type == "execute_result":
                    kept[-1].execution_count = None
    return kept


def run(path: Path) -> list[list[nbformat.NotebookNode]]:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return [text_outputs(cell) if is_checked(cell) else [] for cell in notebook.cells]


def record(path: Path) -> bool:
    first, second = run(path), run(path)
    notebook = nbformat.read(path, as_version=4)
    stable = True
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if first[index] != second[index]:
            print(f"{path}: cell {index + 1}: checked output differs between two runs; not recorded")
            stable = False
        cell.outputs = first[index]
        # nbval treats a cell without an execution count as unrun and refuses stored outputs there.
        cell.execution_count = 1 if first[index] else None
    if stable:
        nbformat.write(notebook, path)
        print(f"{path}: recorded {sum(1 for outputs in first if outputs)} checked output(s)")
    return stable


if __name__ == "__main__":
    paths = [Path(arg) for arg in sys.argv[1:]]
    if not paths:
        print(__doc__)
        raise SystemExit(2)
    raise SystemExit(0 if all([record(path) for path in paths]) else 1)
