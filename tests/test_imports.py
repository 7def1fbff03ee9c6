"""The package's import graph: no cycles, imports at module level, and a command line that starts fast.

Why static (``ast``) rather than importing: an import inside a function hides a dependency
from a reader and from the import system until the function runs, and a cycle hidden that
way works until someone moves an import. So every import statement counts, wherever it is,
and each import inside a function must be listed below with the reason it is lazy.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ankl_course"
NAME = PACKAGE.name

#: Cycles the lead accepts for now; each is the set of modules of one strongly
#: connected component of the graph. None: the last one (claims, facts and quiz) ended when loading
#: and citation syntax moved to ``citations`` below all three, and a chapter's reference list to
#: ``reading_list`` above quiz.
KNOWN_CYCLES: list[frozenset[str]] = []
#: Imports inside functions, and why each must stay lazy:
#: (module, imported name) -> reason. Anything else belongs at the top of its module.
LAZY: dict[tuple[str, str], str] = {
    # IPython.display takes about 0.4 s to import here, as long as all of `ankl-course check`'s
    # own imports; facts is on the check, export-quiz and build paths, syllabus on build's.
    ("ankl_course.facts", "IPython.display"): "only notebooks display; the commands must not pay for it",
    ("ankl_course.reading_list", "IPython.display"): "only notebooks display; `build` reads chapter_keys only",
    ("ankl_course.syllabus", "IPython.display"): "only notebooks display; the commands must not pay for it",
    ("ankl_course.syllabus", "ipywidgets"): "the welcome chapter's finder only; `check` and `build` read syllabus",
    # nbformat, nbclient and nbconvert take 2 to 3 s to import; `build --help` and the
    # missing-assets check answer before any of it is needed.
    ("ankl_course.export.build", "nbformat"): "executing a chapter only",
    ("ankl_course.export.build", "nbformat.v4"): "adding guide notes to an executed chapter only",
    ("ankl_course.export.build", "nbclient"): "executing a chapter only",
    ("ankl_course.export.build", "nbclient.exceptions"): "executing a chapter only",
    ("ankl_course.export.build", "nbconvert"): "exporting a chapter only",
    ("ankl_course.export.build", "ankl_course.export.deck_split"): "exporting a deck only (an nbconvert preprocessor)",
    # `ankl-course fcs list` loads the cytometry package and draws nothing: pyplot (about 1.5 s),
    # the Agg backend, matplotlib.path/colors (about 1 s), ipywidgets with IPython (about 0.8 s),
    # flowio (0.4 s, reading and writing only) and flowutils (0.3 s, logicle only) wait until used.
    ("ankl_course.figures", "matplotlib.pyplot"): "drawing only; every chapter module loads figures",
    ("ankl_course.interactive", "ipywidgets"): "the live widget only, when an explorer is displayed",
    ("ankl_course.ebv", "ipywidgets"): "the live explorers only; the branch points draw with ebv, and check loads them",
    ("ankl_course.survival.lessons", "ipywidgets"): "the live widget only, when a chapter builds its explorer",
    ("ankl_course.survival.tables", "IPython.display"): "only notebooks display; tests and commands read the HTML",
    ("ankl_course.cytometry.practice", "matplotlib.pyplot"): "drawing only (fcs command)",
    ("ankl_course.cytometry.practice", "matplotlib.backends.backend_agg"): "drawing only (fcs command)",
    ("ankl_course.cytometry.practice", "ipywidgets"): "the live explorer only (fcs command)",
    ("ankl_course.cytometry.gates", "matplotlib.path"): "polygon gates only (fcs command)",
    ("ankl_course.cytometry.plots", "matplotlib.colors"): "drawing only (fcs command)",
    ("ankl_course.cytometry.fcs", "flowio"): "reading and writing FCS only (fcs list)",
    ("ankl_course.cytometry.transforms", "flowutils"): "the logicle transform only",
    # The drawing tool (issue 17) is loaded with the cytometry package by `fcs list`; its plotting
    # and widget libraries wait until a student opens the tool in JupyterLab.
    **{("ankl_course.cytometry.drawing_widget", name): "the drawing tool in JupyterLab only (fcs command)"
       for name in ("ipywidgets", "ipympl.backend_nbagg", "matplotlib.pyplot", "matplotlib.figure",
                    "matplotlib.gridspec", "matplotlib.backend_bases", "matplotlib.ticker", "matplotlib.widgets",
                    "matplotlib.backends.backend_agg")},
    ("ankl_course.claims", "mistune"): "rendering a claims table only",
    ("ankl_course.claims", "IPython.display"): "only notebooks display; the commands must not pay for it",
    ("ankl_course.quiz_render", "mistune"): "rendering a question only; `build` imports this module early",
    ("ankl_course.quiz", "anywidget"): "the live quiz widget only (about 0.5 s with ipywidgets)",
    ("ankl_course.quiz", "traitlets"): "the live quiz widget only",
    ("ankl_course.quiz", "ipywidgets"): "the live score line only",
    ("ankl_course.progress", "fcntl"): "POSIX only: a lock file stands in elsewhere",
    # nbformat takes about 1.4 s to import: `grade --help` and the sandbox probe do not need it.
    ("ankl_course.grading.exercises", "nbformat"): "reading an exercise source only",
    ("ankl_course.grading.chapter_quiz", "nbformat"): "building a chapter's graded quiz only",
    ("ankl_course.grading.cli", "nbformat"): "writing each variant's solved notebook at release only",
    ("ankl_course.grading.release", "nbformat"): "writing a student version only",
    ("ankl_course.grading.sanitize", "nbformat"): "repairing a submission only",
    # The grader imports worker.py for its file list; IPython is for the worker process only.
    **{("ankl_course.grading.worker", name): "the worker process only, never the grader"
       for name in ("IPython.core.display_trap", "IPython.core.displayhook", "IPython.core.displaypub",
                    "IPython.core.interactiveshell", "traitlets.config")},
}
#: Heavy libraries the bare command line must not import (``ankl-course --help``).
HEAVY = ("nbformat", "nbconvert", "nbclient", "matplotlib", "numpy", "pandas", "lifelines", "IPython",
         "ipywidgets", "jupyter_client", "jupyterlab", "scipy", "mistune")


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, where, and whether it sits inside a function."""

    importer: str
    imported: str
    line: int
    in_function: bool


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _resolve(importer: str, node: ast.ImportFrom) -> list[str]:
    """The package modules an ``from ... import ...`` statement loads."""
    if node.level:
        is_package = MODULES[importer].name == "__init__.py"
        parts = importer.split(".")
        base_parts = parts if is_package else parts[:-1]
        base_parts = base_parts[: len(base_parts) - (node.level - 1)]
        base = ".".join(base_parts + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if base != NAME and not base.startswith(NAME + "."):
        return [base]
    found = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES]
    return found if len(found) == len(node.names) else [base, *found]


@functools.cache
def imports() -> tuple[Import, ...]:
    """Every import statement of the package, module level or inside a function (parsed once)."""
    return tuple(_imports())


def _imports() -> Iterator[Import]:
    for module, path in MODULES.items():
        yield from _statements(module, ast.parse(path.read_text(encoding="utf-8")), in_function=False)


def _statements(module: str, node: ast.AST, in_function: bool) -> Iterator[Import]:
    """The imports below ``node``, each walked once, knowing whether a function encloses it."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import):
            targets = [alias.name for alias in child.names]
        elif isinstance(child, ast.ImportFrom):
            targets = _resolve(module, child)
        else:
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            yield from _statements(module, child, inner)
            continue
        for target in targets:
            yield Import(module, target, child.lineno, in_function)


def graph() -> dict[str, set[str]]:
    """Package module -> the package modules it imports (anywhere in it)."""
    edges: dict[str, set[str]] = {module: set() for module in MODULES}
    for item in imports():
        if item.imported in MODULES and item.imported != item.importer:
            edges[item.importer].add(item.imported)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_package() -> None:
    edges = graph()
    assert "ankl_course.figures" in edges["ankl_course.survival.plots"]  # `from .. import figures`
    assert "ankl_course.errors" in edges["ankl_course.datafile"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_but_the_known_ones() -> None:
    found = cycles(graph())
    unexpected = [sorted(cycle) for cycle in found
                  if cycle not in KNOWN_CYCLES]
    assert not unexpected, f"import cycles: {unexpected}"


def test_known_cycles_are_still_real() -> None:
    """A known cycle that is gone must leave the list, so the list never hides a new one."""
    found = cycles(graph())
    assert [cycle for cycle in KNOWN_CYCLES if cycle not in found] == []


def test_imports_inside_functions_are_the_listed_lazy_ones() -> None:
    lazy = [item for item in imports() if item.in_function]
    unlisted = sorted(f"{MODULES[i.importer].relative_to(PACKAGE.parent)}:{i.line} imports {i.imported}"
                      for i in lazy if (i.importer, i.imported) not in LAZY)
    assert not unlisted, "move these to the top of their module, or list them in LAZY with the reason:\n" + \
        "\n".join(unlisted)
    stale = set(LAZY) - {(i.importer, i.imported) for i in lazy}
    assert not stale, f"LAZY lists imports that are no longer lazy: {sorted(stale)}"


@pytest.mark.slow
def test_the_bare_command_line_loads_no_heavy_library() -> None:
    code = ("import sys\nfrom ankl_course import cli\ncli.main(['--help'])\n"
            "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    loaded = set(done.stdout.splitlines()[-1].split())
    assert not loaded & set(HEAVY), f"ankl-course --help imports {sorted(loaded & set(HEAVY))}"


@pytest.mark.slow
@pytest.mark.parametrize("module", sorted(m for m in MODULES
                                          if m != f"{NAME}.__main__"))
def test_every_module_imports_on_its_own(module: str) -> None:
    """A module that imports cleanly first, in a fresh interpreter, has no import-order problem
    (the kind a cycle of module-level imports causes). Slow: one interpreter per module."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
