"""Gates (rectangle, polygon, quadrant) and named hierarchical gating strategies.

Why gates are plain data: a gate is what a cytometrist draws on a plot, so
each one names its two channels and its coordinates in display units (scatter
linear, fluorescence arcsinh) and nothing else; ``mask(values)`` says which
events fall inside. A strategy (from ``data/cytometry/strategies.toml``) chains
gates, each inside a parent, and reports what a lab report shows: events, % of
parent and % of all events at every step.

Boundary rule, the same for every gate type: a value on an edge of a rectangle
or on a quadrant split line is inside / counted positive. For polygons,
matplotlib decides edge points, so tests and exercises keep clear of edges.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..datafile import read_toml
from ..errors import CourseDataError
from ..htmlkit import table
from ..resources import data_path
from .synthetic import Sample, display_values

QUADRANTS = ("++", "+-", "-+", "--")


def _values(data: Mapping[str, np.ndarray], channel: str) -> np.ndarray:
    try:
        return data[channel]
    except KeyError:
        raise KeyError(f"no channel {channel!r}; have {', '.join(sorted(data))}") from None


@dataclass(frozen=True)
class RectangleGate:
    """Events with ``x_min <= x <= x_max`` and ``y_min <= y <= y_max`` (omitted bounds are open)."""

    name: str
    x: str
    y: str | None = None
    x_min: float = -math.inf
    x_max: float = math.inf
    y_min: float = -math.inf
    y_max: float = math.inf

    def mask(self, data: Mapping[str, np.ndarray]) -> np.ndarray:
        x = _values(data, self.x)
        inside = (x >= self.x_min) & (x <= self.x_max)
        if self.y is not None:
            y = _values(data, self.y)
            inside &= (y >= self.y_min) & (y <= self.y_max)
        return inside

    def outline(self, x_limits: tuple[float, float], y_limits: tuple[float, float]) -> np.ndarray:
        """Corners to draw, with open bounds clipped to the plot limits."""
        x0, x1 = max(self.x_min, x_limits[0]), min(self.x_max, x_limits[1])
        y0, y1 = max(self.y_min, y_limits[0]), min(self.y_max, y_limits[1])
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])


@dataclass(frozen=True)
class PolygonGate:
    """Events inside a polygon drawn on ``x`` against ``y`` (vertices in order, closed automatically)."""

    name: str
    x: str
    y: str
    vertices: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if len(self.vertices) < 3:
            raise ValueError(f"polygon gate {self.name!r} needs at least 3 vertices")

    def mask(self, data: Mapping[str, np.ndarray]) -> np.ndarray:
        from matplotlib.path import Path as PolygonPath

        x, y = _values(data, self.x), _values(data, self.y)
        corners = np.asarray(self.vertices, dtype=np.float64)
        # Cheap bounding-box test first: only candidates go through the point-in-polygon test.
        inside = (x >= corners[:, 0].min()) & (x <= corners[:, 0].max())
        inside &= (y >= corners[:, 1].min()) & (y <= corners[:, 1].max())
        candidates = np.flatnonzero(inside)
        if candidates.size:
            points = np.column_stack((x[candidates], y[candidates]))
            inside[candidates] = PolygonPath(corners).contains_points(points)
        return inside

    def outline(self, x_limits: tuple[float, float] = (0, 0), y_limits: tuple[float, float] = (0, 0)) -> np.ndarray:
        corners = np.asarray(self.vertices, dtype=np.float64)
        return np.vstack([corners, corners[:1]])


@dataclass(frozen=True)
class QuadrantGate:
    """One quadrant of a split at (``x_split``, ``y_split``); ``quadrant`` is the sign of x then y (``"+-"``)."""

    name: str
    x: str
    y: str
    x_split: float
    y_split: float
    quadrant: str = "++"

    def __post_init__(self) -> None:
        if self.quadrant not in QUADRANTS:
            raise ValueError(f"quadrant must be one of {', '.join(QUADRANTS)}, not {self.quadrant!r}")

    def mask(self, data: Mapping[str, np.ndarray]) -> np.ndarray:
        x_pos = _values(data, self.x) >= self.x_split
        y_pos = _values(data, self.y) >= self.y_split
        x_side = x_pos if self.quadrant[0] == "+" else ~x_pos
        return x_side & (y_pos if self.quadrant[1] == "+" else ~y_pos)

    def counts(self, data: Mapping[str, np.ndarray]) -> dict[str, int]:
        """Events in each of the four quadrants (``{"++": n, "+-": n, "-+": n, "--": n}``)."""
        x_pos = _values(data, self.x) >= self.x_split
        y_pos = _values(data, self.y) >= self.y_split
        both = int(np.count_nonzero(x_pos & y_pos))
        x_only = int(np.count_nonzero(x_pos)) - both
        y_only = int(np.count_nonzero(y_pos)) - both
        return {"++": both, "+-": x_only, "-+": y_only, "--": int(x_pos.size) - both - x_only - y_only}

    def outline(self, x_limits: tuple[float, float], y_limits: tuple[float, float]) -> np.ndarray:
        x_edge = x_limits[1] if self.quadrant[0] == "+" else x_limits[0]
        y_edge = y_limits[1] if self.quadrant[1] == "+" else y_limits[0]
        return np.array([[self.x_split, self.y_split], [x_edge, self.y_split], [x_edge, y_edge],
                         [self.x_split, y_edge], [self.x_split, self.y_split]])


Gate = RectangleGate | PolygonGate | QuadrantGate


@dataclass(frozen=True)
class Step:
    """A gate and the gate it sits in (``""``: all events)."""

    gate: Gate
    parent: str = ""


@dataclass(frozen=True)
class StepResult:
    """One row of a gating report."""

    gate: str
    parent: str
    events: int
    parent_events: int
    total_events: int

    @property
    def percent_of_parent(self) -> float:
        return 100.0 * self.events / self.parent_events if self.parent_events else 0.0

    @property
    def percent_of_total(self) -> float:
        return 100.0 * self.events / self.total_events if self.total_events else 0.0


@dataclass(frozen=True, eq=False)
class GatingResult:
    """Counts and masks of every gate of a strategy applied to one sample."""

    strategy: str
    sample: str
    rows: tuple[StepResult, ...]
    masks: dict[str, np.ndarray] = field(repr=False)

    def __getitem__(self, gate: str) -> StepResult:
        for row in self.rows:
            if row.gate == gate:
                return row
        raise KeyError(f"no gate {gate!r} in strategy {self.strategy}")

    def as_text(self) -> str:
        """A fixed-width table (deterministic, for printed outputs that nbval compares)."""
        width = max([len("gate")] + [len(row.gate) for row in self.rows])
        lines = [f"{'gate'.ljust(width)}  {'events':>8}  {'% parent':>8}  {'% total':>8}"]
        for row in self.rows:
            lines.append(f"{row.gate.ljust(width)}  {row.events:>8d}  {row.percent_of_parent:>8.1f}  "
                         f"{row.percent_of_total:>8.1f}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [(r.gate, r.parent or "all events", r.events, f"{r.percent_of_parent:.1f}",
                 f"{r.percent_of_total:.1f}") for r in self.rows]
        return table(["gate", "parent", "events", "% of parent", "% of total"], rows,
                     caption=f"Gating of {self.sample} ({self.strategy})", css_class="ankl-gating",
                     sections=False, scoped=False)

    def __repr__(self) -> str:
        return self.as_text()


@dataclass(frozen=True)
class Strategy:
    """A named sequence of gates, each inside its parent."""

    name: str
    title: str
    steps: tuple[Step, ...]
    description: str = ""

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for step in self.steps:
            if step.parent and step.parent not in seen:
                raise ValueError(f"gate {step.gate.name!r}: parent {step.parent!r} must come earlier")
            if step.gate.name in seen:
                raise ValueError(f"gate name {step.gate.name!r} is used twice")
            seen.add(step.gate.name)

    def gate(self, name: str) -> Gate:
        return self.step(name).gate

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.gate.name == name:
                return step
        raise KeyError(f"no gate {name!r} in strategy {self.name}")

    def lineage(self, name: str) -> list[str]:
        """The gates from the first one down to ``name``."""
        chain = [name]
        while self.step(chain[-1]).parent:
            chain.append(self.step(chain[-1]).parent)
        return chain[::-1]

    def apply(self, sample: Sample, data: Mapping[str, np.ndarray] | None = None) -> GatingResult:
        """Gate ``sample`` step by step; ``data`` (display values) may be passed to avoid recomputing them."""
        data = display_values(sample) if data is None else data
        total = len(sample)
        everything = np.ones(total, dtype=bool)
        masks: dict[str, np.ndarray] = {}
        rows = []
        for step in self.steps:
            parent = masks[step.parent] if step.parent else everything
            mask = step.gate.mask(data) & parent
            masks[step.gate.name] = mask
            rows.append(StepResult(step.gate.name, step.parent, int(np.count_nonzero(mask)),
                                   int(np.count_nonzero(parent)), total))
        return GatingResult(self.name, sample.name, tuple(rows), masks)


# -- strategies from the data file --------------------------------------------


def _number(value: Any, key: str) -> float:
    """A finite number from a data file (TOML allows nan and inf, which no gate can use)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number, not {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{key} must be a finite number, not {value!r}")
    return float(value)


def _channel(entry: dict[str, Any], key: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a channel name, not {value!r}")
    return value


def _vertices(raw: Any) -> tuple[tuple[float, float], ...]:
    if not isinstance(raw, list) or not all(isinstance(v, list) and len(v) == 2 for v in raw):
        raise ValueError("vertices must be a list of [x, y] pairs")
    return tuple((_number(a, "a vertex x"), _number(b, "a vertex y")) for a, b in raw)


def _gate_from(path: Path, where: str, entry: Any) -> Gate:
    if not isinstance(entry, dict):
        raise CourseDataError(path, where, "each gate is a [[strategy.NAME.gate]] table")
    kind = entry.get("type")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise CourseDataError(path, where, "each gate needs a name")
    try:
        if kind == "rectangle":
            bounds = {key: _number(entry[key], key) for key in ("x_min", "x_max", "y_min", "y_max") if key in entry}
            y = _channel(entry, "y") if "y" in entry else None
            return RectangleGate(name, _channel(entry, "x"), y, **bounds)
        if kind == "polygon":
            vertices = _vertices(entry["vertices"])
            return PolygonGate(name, _channel(entry, "x"), _channel(entry, "y"), vertices)
        if kind == "quadrant":
            return QuadrantGate(name, _channel(entry, "x"), _channel(entry, "y"), _number(entry["x_split"], "x_split"),
                                _number(entry["y_split"], "y_split"), entry.get("quadrant", "++"))
    except KeyError as exc:
        raise CourseDataError(path, where, f"gate {name!r} lacks {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise CourseDataError(path, where, f"gate {name!r}: {exc}") from None
    raise CourseDataError(path, where, f"gate type must be rectangle, polygon or quadrant, not {kind!r}")


def load_strategies(path: Path | None = None) -> dict[str, Strategy]:
    """Read ``strategies.toml`` (or ``path``) into named strategies, with clear errors."""
    path = path or data_path("cytometry", "strategies.toml")
    raw = read_toml(path)
    tables = raw.get("strategy", {})
    if not isinstance(tables, dict):
        raise CourseDataError(path, "strategy", "strategies are [strategy.NAME] tables")
    strategies = {}
    for name, entry in tables.items():
        if not isinstance(entry, dict):
            raise CourseDataError(path, f"strategy.{name}", "a strategy is a table with [[strategy.NAME.gate]] entries")
        gates = entry.get("gate", [])
        if not isinstance(gates, list):
            raise CourseDataError(path, f"strategy.{name}", "gates are [[strategy.NAME.gate]] tables")
        steps = []
        for number, gate_entry in enumerate(gates, start=1):
            where = f"strategy.{name} gate #{number}"
            gate = _gate_from(path, where, gate_entry)
            parent = gate_entry.get("parent", "")
            if not isinstance(parent, str):
                raise CourseDataError(path, where, f"parent must be a gate name, not {parent!r}")
            steps.append(Step(gate, parent))
        try:
            strategies[name] = Strategy(name, str(entry.get("title", name)), tuple(steps),
                                        str(entry.get("description", "")))
        except ValueError as exc:
            raise CourseDataError(path, f"strategy.{name}", str(exc)) from None
    return strategies


def strategy(name: str = "nk_screen") -> Strategy:
    """The named gating strategy from the course data."""
    strategies = load_strategies()
    if name not in strategies:
        raise KeyError(f"no strategy {name!r}; choose one of {', '.join(strategies)}")
    return strategies[name]
