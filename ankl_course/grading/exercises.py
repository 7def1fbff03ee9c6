"""The exercise sources: one folder per exercise in ``exercises/``.

A folder ``exercises/NAME/`` holds ``NAME.ipynb`` (the source, with solutions and
tests in nbgrader's markup) and ``checks.py`` (the grader-side check spec, see
:mod:`.checks`). ``checks.py`` may define ``write_data(folder)`` to write the data
files the student works on (e.g. a seeded synthetic FCS file); they are written
at release and into each grading run, never committed as binaries. With
per-student variants it is called as ``write_data(folder, params)``.

The reference solution the checks compare with is the source notebook's own
code: its code cells minus the test cells, run once in the grader, so the
teacher writes each answer in one place.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import tempfile
import types
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CourseDataError
from ..resources import exercises_dir
from . import markup, variants


@dataclass
class Exercise:
    """One exercise folder, its source notebook and its check spec."""

    name: str
    folder: Path
    _reference: Any = field(default=None, repr=False)
    _variant_sources: dict[str, Any] = field(default_factory=dict, repr=False)
    _variant_references: dict[str, Any] = field(default_factory=dict, repr=False)
    _data: dict[str, dict[str, bytes]] = field(default_factory=dict, repr=False)

    @property
    def notebook_path(self) -> Path:
        return self.folder / f"{self.name}.ipynb"

    @property
    def checks_path(self) -> Path:
        return self.folder / "checks.py"

    @cached_property
    def source(self) -> Any:
        """The source notebook (nbformat 4 node)."""
        return read_notebook(self.notebook_path)

    @cached_property
    def cells(self) -> list[dict[str, Any]]:
        """The source's cells as plain dicts, read with the standard library.

        The hidden-test bridge runs inside a student's kernel under nbgrader, where importing
        nbformat would cost about two seconds per submission; this needs only ``json``.
        """
        try:
            data = json.loads(self.notebook_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CourseDataError(self.notebook_path, "", "not found") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CourseDataError(self.notebook_path, "", f"not a readable notebook: {exc}") from exc
        cells = data.get("cells") if isinstance(data, dict) else None
        if not isinstance(cells, list):
            raise CourseDataError(self.notebook_path, "", "not a notebook (no list of cells)")
        return cells

    @cached_property
    def module(self) -> types.ModuleType:
        """The exercise's ``checks.py``, imported under a private name."""
        path = self.checks_path
        if not path.is_file():
            raise CourseDataError(path, "", "missing: every exercise needs a checks.py beside its notebook")
        spec = importlib.util.spec_from_file_location(f"_ankl_exercise_checks_{self.name}", path)
        if spec is None or spec.loader is None:
            raise CourseDataError(path, "", "cannot be loaded as a Python module")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # a teacher's file: report it on one line
            raise CourseDataError(path, "", f"cannot be imported: {type(exc).__name__}: {exc}") from exc
        return module

    @cached_property
    def checks(self) -> dict[str, Any]:
        """grade_id -> check function, validated against the notebook's test cells."""
        checks = getattr(self.module, "CHECKS", None)
        if not isinstance(checks, dict):
            raise CourseDataError(self.checks_path, "CHECKS", "must be a dict of grade_id -> check function")
        return _matched(checks, list(self.test_points()), self.checks_path, "CHECKS",
                        "no check for test cell(s)", "no test cell in the notebook for")

    @property
    def preload(self) -> tuple[str, ...]:
        """Modules the grading workers import once for this exercise (``PRELOAD`` in checks.py)."""
        value = getattr(self.module, "PRELOAD", ("numpy",))
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise CourseDataError(self.checks_path, "PRELOAD", "must be a list of module names")
        return tuple(value)

    def manual_points(self) -> dict[str, float]:
        """grade_id -> points of each written answer the teacher scores, in notebook order."""
        return {markup.grade_id(c) or "": markup.points(c) for c in self.cells if markup.is_manual(c)}

    @cached_property
    def rubrics(self) -> dict[str, str]:
        """grade_id -> the rubric the teacher scores a written answer by (``RUBRICS`` in checks.py).

        The rubric stays grader-side: it is never released to the students.
        """
        rubrics = getattr(self.module, "RUBRICS", {})
        if not isinstance(rubrics, dict) or not all(isinstance(v, str) and v.strip() for v in rubrics.values()):
            raise CourseDataError(self.checks_path, "RUBRICS", "must be a dict of grade_id -> rubric text")
        return _matched(rubrics, list(self.manual_points()), self.checks_path, "RUBRICS",
                        "no rubric for written answer(s)", "no manually graded cell for")

    @property
    def has_variants(self) -> bool:
        """Whether ``checks.py`` defines ``variant(rng)``: per-student numbers."""
        return callable(getattr(self.module, "variant", None))

    def variant_params(self, variant: str) -> dict[str, Any]:
        """The values of variant ``variant`` (the same every time for the same id)."""
        params = self.module.variant(np.random.default_rng(variants.seed_of(variant)))
        if not isinstance(params, dict) or not params:
            raise CourseDataError(self.checks_path, "variant", "must return a dict of name -> value")
        return params

    @property
    def unassigned(self) -> tuple[str, ...]:
        """Variant values no cell assigns (``VARIANT_DATA`` in checks.py): for ``write_data`` and ``shape``.

        A per-student sample file is data, not a line of code: the student's notebook stays the shared
        one, only the file it reads differs.
        """
        names = getattr(self.module, "VARIANT_DATA", ())
        if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
            raise CourseDataError(self.checks_path, "VARIANT_DATA", "must be a list of variant value names")
        return tuple(names)

    def variant_source(self, variant: str | None) -> Any:
        """The source notebook as variant ``variant`` (the shared source for None)."""
        if variant is None or not self.has_variants:
            return self.source
        if variant not in self._variant_sources:
            params = self.variant_params(variant)
            assigned = {k: v for k, v in params.items() if k not in self.unassigned}
            nb = variants.apply(self.source, assigned, self.notebook_path)
            shape = getattr(self.module, "shape", None)
            if callable(shape):  # e.g. options of a Markdown question in this student's order
                try:
                    shape(nb, params)
                except ValueError as exc:
                    raise CourseDataError(self.checks_path, "shape", str(exc)) from exc
            self._variant_sources[variant] = nb
        return self._variant_sources[variant]

    def test_points(self) -> dict[str, float]:
        """grade_id -> points of each test cell, in notebook order."""
        return {markup.grade_id(c) or "": markup.points(c) for c in self.cells if markup.is_test(c)}

    def data_files(self, variant: str | None = None) -> dict[str, bytes]:
        """The data files the student's notebook reads (written once per process and variant by ``write_data``).

        ``write_data(folder, params)`` gets the variant's values (``params``), so each student can work
        on a sample of their own; the shared release calls ``write_data(folder)``.
        """
        if getattr(self.module, "write_data", None) is None:
            return {}
        key = variant if variant is not None and self.has_variants else ""
        if key not in self._data:
            self._data[key] = self._write_data(self.variant_params(key) if key else None)
        return dict(self._data[key])

    def _write_data(self, params: dict[str, Any] | None) -> dict[str, bytes]:
        writer = getattr(self.module, "write_data", None)
        if writer is None:
            return {}
        with tempfile.TemporaryDirectory() as tmp:
            if params is None:
                writer(Path(tmp))
            else:
                writer(Path(tmp), params)
            return {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}

    def reference(self, variant: str | None = None) -> types.SimpleNamespace:
        """The source notebook's solution (as variant ``variant``), run here (the grader) in a scratch folder."""
        if variant is not None and self.has_variants:
            if variant not in self._variant_references:
                cells = [dict(c) for c in self.variant_source(variant).cells]
                self._variant_references[variant] = run_reference(self, cells, variant)
            return self._variant_references[variant]
        if self._reference is None:
            self._reference = run_reference(self)
        return self._reference


def _matched(declared: dict[str, Any], cells: list[str], path: Path, name: str, missing: str,
             extra: str) -> dict[str, Any]:
    """``declared`` (``CHECKS`` or ``RUBRICS`` of checks.py) keyed by the notebook's ``cells``, in their order.

    Why one function: both tables must name exactly the notebook's graded cells, and a teacher who
    gets either wrong should read the same kind of message, naming what is missing or extra.
    """
    absent = sorted(set(cells) - set(declared))
    unknown = sorted(set(declared) - set(cells))
    if absent:
        raise CourseDataError(path, name, f"{missing} {', '.join(absent)}")
    if unknown:
        raise CourseDataError(path, name, f"{extra} {', '.join(unknown)}")
    return {grade_id: declared[grade_id] for grade_id in cells}


def read_notebook(path: Path) -> Any:
    """Read a course notebook (a teacher's file): nbformat 4, or a one-line error naming it."""
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError as exc:
        raise CourseDataError(path, "", "not found") from exc
    except (OSError, json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError) as exc:
        raise CourseDataError(path, "", f"not a readable notebook: {exc}") from exc


def run_reference(exercise: Exercise, cells: list[dict[str, Any]] | None = None,
                  variant: str | None = None) -> types.SimpleNamespace:
    """Execute the source's (or ``cells``') non-test code cells and return their namespace.

    The namespace also holds ``_files``, the data files the solution ran on (name -> bytes), so a
    check can ask a function about the student's own sample file.
    """
    namespace: dict[str, Any] = {"__name__": f"reference_{exercise.name}"}
    previous = Path.cwd()
    files = exercise.data_files(variant)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files.items():
            Path(tmp, name).write_bytes(data)
        os.chdir(tmp)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                for number, cell in enumerate(exercise.cells if cells is None else cells, start=1):
                    if cell.get("cell_type") != "code" or markup.is_test(cell):
                        continue
                    try:
                        exec(compile(markup.source(cell), f"{exercise.notebook_path}#cell{number}", "exec"), namespace)
                    except Exception as exc:
                        raise CourseDataError(exercise.notebook_path, f"cell {number}",
                                              f"the reference solution fails: {type(exc).__name__}: {exc}") from exc
        finally:
            os.chdir(previous)
    ref = types.SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})
    ref._files = files
    return ref


def find_exercises(folder: Path | None = None) -> dict[str, Exercise]:
    """name -> Exercise for every ``NAME/NAME.ipynb`` under ``folder`` (default: the course's)."""
    folder = exercises_dir() if folder is None else folder
    if not folder.is_dir():
        raise CourseDataError(folder, "", "exercise sources not found: they come with the course repository, not "
                              "with the installed package (which leaves out the solutions); use a checkout or "
                              "pass --source DIR")
    found = {}
    for notebook in sorted(folder.glob("*/*.ipynb")):
        if notebook.stem == notebook.parent.name:
            found[notebook.stem] = Exercise(notebook.stem, notebook.parent)
    return found


def get_exercise(name: str, folder: Path | None = None) -> Exercise:
    exercises = find_exercises(folder)
    if name not in exercises:
        known = ", ".join(exercises) or "none"
        raise CourseDataError(exercises_dir() if folder is None else folder, name,
                              f"no such exercise (known: {known})")
    return exercises[name]

