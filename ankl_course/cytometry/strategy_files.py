"""Drawn gates as a file: a strategy in the course's own format (``data/cytometry/strategies.toml``).

A student saves the gates they drew so that a teacher can collect them, and loads them again; a
teacher gates an FCS file with them (``ankl-course fcs gate --strategies FILE``). A saved strategy
must have the reference's gates, parents and channels; every problem is a
:class:`~ankl_course.errors.CourseDataError` naming the file, the place and the problem.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import tomli_w

from ..datafile import read_toml
from ..errors import CourseDataError
from .gates import PolygonGate, QuadrantGate, RectangleGate, Step, Strategy
from .gates import load_strategies as _load_strategies

#: The gate types as the file names them.
TOOLS = {PolygonGate: "polygon", RectangleGate: "rectangle", QuadrantGate: "quadrant"}


def _gate_table(step: Step) -> dict[str, Any]:
    gate = step.gate
    table: dict[str, Any] = {"name": gate.name, "parent": step.parent, "type": TOOLS[type(gate)], "x": gate.x}
    if gate.y is not None:
        table["y"] = gate.y
    if isinstance(gate, PolygonGate):
        table["vertices"] = [[x, y] for x, y in gate.vertices]
    elif isinstance(gate, QuadrantGate):
        table.update(x_split=gate.x_split, y_split=gate.y_split, quadrant=gate.quadrant)
    else:
        table.update({key: getattr(gate, key) for key in ("x_min", "x_max", "y_min", "y_max")
                      if math.isfinite(getattr(gate, key))})
    return table


def strategy_toml(strategy: Strategy, sample: str = "", path: str = "", drawn: list[str] | None = None) -> str:
    """A strategy as TOML in the course's strategy format (readable by ``load_strategies``)."""

    entry: dict[str, Any] = {"title": strategy.title, "description": strategy.description}
    if sample:
        entry["sample"] = sample
    if path:
        entry["path"] = path
    if drawn is not None:
        entry["drawn"] = drawn
    entry["gate"] = [_gate_table(step) for step in strategy.steps]
    header = ("# A gating strategy drawn in ankl-course (format of ankl_course/data/cytometry/strategies.toml).\n"
              "# Coordinates are display units: scatter linear, fluorescence arcsinh.\n")
    return header + tomli_w.dumps({"strategy": {strategy.name: entry}})


def load_drawn(path: Path, reference: Strategy) -> tuple[Strategy, list[str]]:
    """A saved drawn strategy, checked to have the reference's gates, parents and channels.

    Returns the strategy and the names of the gates the student drew. Every
    problem is a :class:`CourseDataError` naming the file, the place and the problem.
    """
    strategies = _load_strategies(path)
    if len(strategies) != 1:
        raise CourseDataError(path, "strategy", f"expected one [strategy.NAME] table, found {len(strategies)}")
    (name, loaded), = strategies.items()
    by_name = {step.gate.name: (number, step) for number, step in enumerate(loaded.steps, start=1)}
    for ref_step in reference.steps:
        gate = ref_step.gate
        if gate.name not in by_name:
            raise CourseDataError(path, f"strategy.{name}", f"gate {gate.name!r} of {reference.name} is missing")
        number, step = by_name.pop(gate.name)
        where = f"strategy.{name} gate #{number}"
        if step.parent != ref_step.parent:
            raise CourseDataError(path, where, f"gate {gate.name!r} must sit in {ref_step.parent or 'all events'!r}, "
                                               f"not {step.parent or 'all events'!r}")
        if (step.gate.x, step.gate.y) != (gate.x, gate.y):
            raise CourseDataError(path, where, f"gate {gate.name!r} must be drawn on {gate.x} against {gate.y}")
    if by_name:
        number, step = next(iter(by_name.values()))
        raise CourseDataError(path, f"strategy.{name} gate #{number}",
                              f"gate {step.gate.name!r} is not in {reference.name}")
    raw = read_toml(path)["strategy"][name]
    drawn = raw.get("drawn", [s.gate.name for s in loaded.steps])
    if not isinstance(drawn, list) or not all(isinstance(d, str) and d in reference_names(reference) for d in drawn):
        raise CourseDataError(path, f"strategy.{name}.drawn", "must list gate names of the strategy")
    return loaded, drawn


def reference_names(strategy: Strategy) -> set[str]:
    return {step.gate.name for step in strategy.steps}
