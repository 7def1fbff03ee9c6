"""The student's own gates: a draft strategy, its comparison with the reference, and its file.

Why a model apart from the widget: a gate drawn with the mouse, typed into
numeric fields or loaded from a file must give the same counts, the same
comparison and the same saved file; and the benchmark and the unit tests must
run without a browser. :class:`GatingDraft` is that model. The widget
(``drawing_widget.py``) only turns mouse and keyboard input into calls of
``set_polygon``, ``set_rectangle``, ``set_quadrant`` and ``set_split``.

Why an undrawn gate is an open rectangle: a step the student has not drawn yet
lets every event of its parent through, which is exactly a rectangle with no
bounds, so a half-drawn strategy is still a valid strategy (and a valid file).

Why the comparison swaps one gate: to tell the student what *this* gate does,
the reference strategy is run twice, once as it is and once with only this
gate replaced by the student's; overlap counts are taken on the reference
parent, so they can be checked by hand (``tests/test_drawing.py`` does).
Whether the gate passes is decided by the readouts of ``drawing.toml``: the
percentages a report states must not move by more than a placement tolerance.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import figures
from ..citations import load_references, reference
from ..datafile import read_toml
from ..errors import CourseDataError
from ..resources import data_path
from .gates import Gate, GatingResult, PolygonGate, QuadrantGate, RectangleGate, Step, StepResult, Strategy
from .gates import load_strategies as _load_strategies
from .plots import BINS, limits
from .specs import load_populations
from .strategy_files import TOOLS, load_drawn, strategy_toml
from .synthetic import Sample, display_values

SIDES = ("extra", "missing")


# -- what drawing.toml says -----------------------------------------------------


@dataclass(frozen=True)
class DrawStep:
    """One step the student draws: one gate, or two rectangles split by one line (``tool == "split"``).

    The records here (steps, paths) look like those of :mod:`ankl_course.case` (a frozen list of
    names and numbers read from TOML) but describe other things, from other files, checked
    by other rules; sharing a class would only tie two chapters' data formats together.
    """

    gates: tuple[str, ...]
    tool: str
    x: str
    y: str
    parent: str

    @property
    def name(self) -> str:
        return " / ".join(self.gates)


@dataclass(frozen=True)
class DrawingPath:
    """A sequence of drawing steps over one strategy."""

    name: str
    strategy: str
    title: str
    steps: tuple[DrawStep, ...]


@dataclass(frozen=True)
class Readout:
    """A percentage a report states: ``gate`` as a share of ``of`` (``""``: all events)."""

    strategy: str
    gate: str
    of: str
    tolerance: float
    says: str

    def value(self, result: GatingResult) -> float:
        count = int(np.count_nonzero(result.masks[self.gate]))
        base = int(np.count_nonzero(result.masks[self.of])) if self.of else result.rows[0].total_events
        return 100.0 * count / base if base else 0.0


@dataclass(frozen=True)
class Mistake:
    """The usual mistake at a gate, recognised by a population taken in (extra) or left out (missing).

    ``min_share``: for extra, of the reference gate's events; for missing, of the population's own
    events inside the reference gate (so that losing most of a rare population still counts)."""

    gate: str
    population: str
    side: str
    min_share: float
    source: str
    explanation: str


@dataclass(frozen=True)
class DrawingSpec:
    paths: dict[str, DrawingPath]
    readouts: tuple[Readout, ...]
    mistakes: tuple[Mistake, ...]
    help: dict[str, str]

    def readout(self, strategy: str, gate: str, of: str = "") -> Readout | None:
        return next((r for r in self.readouts if (r.strategy, r.gate, r.of) == (strategy, gate, of)), None)


def _text(path: Path, where: str, entry: dict[str, Any], key: str, allow_empty: bool = False) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or (not value and not allow_empty):
        raise CourseDataError(path, where, f"{key} must be a{'' if allow_empty else ' non-empty'} string")
    return value


def _step(path: Path, where: str, raw: Any, strategy: Strategy) -> DrawStep:
    if not isinstance(raw, list) or not 1 <= len(raw) <= 2 or not all(isinstance(n, str) for n in raw):
        raise CourseDataError(path, where, "a step is a list of one gate name, or two for a split")
    try:
        steps = [strategy.step(name) for name in raw]
    except KeyError as exc:
        raise CourseDataError(path, where, str(exc.args[0])) from None
    first = steps[0].gate
    if len(steps) == 1:
        x, y = first.x, first.y
        if y is None:
            raise CourseDataError(path, where, f"gate {first.name!r} has only one channel; it cannot be drawn")
        return DrawStep((first.name,), TOOLS[type(first)], x, y, steps[0].parent)
    second = steps[1].gate
    if not (isinstance(first, RectangleGate) and isinstance(second, RectangleGate) and first.y is not None
            and (first.x, first.y, steps[0].parent) == (second.x, second.y, steps[1].parent)):
        raise CourseDataError(path, where, "a split needs two rectangles on the same channels and parent")
    return DrawStep((first.name, second.name), "split", first.x, first.y, steps[0].parent)


def load_drawing(path: Path | None = None, strategies: dict[str, Strategy] | None = None) -> DrawingSpec:
    """Read ``drawing.toml`` (or ``path``), checking every name against the strategies and populations."""

    path = path or data_path("cytometry", "drawing.toml")
    strategies = strategies if strategies is not None else _load_strategies()
    raw = read_toml(path)
    paths: dict[str, DrawingPath] = {}
    for name, entry in _tables(path, raw, "path").items():
        where = f"path.{name}"
        strategy_name = _text(path, where, entry, "strategy")
        if strategy_name not in strategies:
            raise CourseDataError(path, where, f"no strategy {strategy_name!r} in strategies.toml")
        steps = entry.get("steps")
        if not isinstance(steps, list) or not steps:
            raise CourseDataError(path, where, "steps must be a non-empty list")
        paths[name] = DrawingPath(name, strategy_name, str(entry.get("title", name)), tuple(
            _step(path, f"{where} step #{number}", step, strategies[strategy_name])
            for number, step in enumerate(steps, start=1)))
    readouts = []
    for number, entry in enumerate(_array(path, raw, "readout"), start=1):
        where = f"readout #{number}"
        strategy_name = _text(path, where, entry, "strategy")
        if strategy_name not in strategies:
            raise CourseDataError(path, where, f"no strategy {strategy_name!r} in strategies.toml")
        gate, of = _text(path, where, entry, "gate"), _text(path, where, entry, "of", allow_empty=True)
        for name in filter(None, (gate, of)):
            try:
                strategies[strategy_name].step(name)
            except KeyError as exc:
                raise CourseDataError(path, where, str(exc.args[0])) from None
        readouts.append(Readout(strategy_name, gate, of, _positive(path, where, entry, "tolerance"),
                                _text(path, where, entry, "says")))

    populations, references = load_populations(), load_references()
    gate_names = {step.gate.name for s in strategies.values() for step in s.steps}
    mistakes = []
    for number, entry in enumerate(_array(path, raw, "mistake"), start=1):
        where = f"mistake #{number}"
        gate, population = _text(path, where, entry, "gate"), _text(path, where, entry, "population")
        side = _text(path, where, entry, "side")
        if gate not in gate_names:
            raise CourseDataError(path, where, f"no gate {gate!r} in any strategy")
        if population not in populations:
            raise CourseDataError(path, where, f"no population {population!r} in populations.toml")
        if side not in SIDES:
            raise CourseDataError(path, where, f"side must be 'extra' or 'missing', not {side!r}")
        share = _positive(path, where, entry, "min_share")
        if share > 1:
            raise CourseDataError(path, where, "min_share is a fraction, at most 1")
        source = _text(path, where, entry, "source")
        if source not in references:
            raise CourseDataError(path, where, f"source {source!r} is not in references.toml")
        mistakes.append(Mistake(gate, population, side, share, source, _text(path, where, entry, "explanation")))
    help_texts = raw.get("help", {})
    if not isinstance(help_texts, dict) or not all(isinstance(v, str) for v in help_texts.values()):
        raise CourseDataError(path, "help", "[help] maps gate names to sentences")
    for path_entry in paths.values():
        for step in path_entry.steps:
            if step.gates[0] not in help_texts:
                raise CourseDataError(path, "help", f"no help sentence for gate {step.gates[0]!r}")
    return DrawingSpec(paths, tuple(readouts), tuple(mistakes), dict(help_texts))


def _tables(path: Path, raw: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    tables = raw.get(key, {})
    if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
        raise CourseDataError(path, key, f"[{key}.NAME] entries must be tables")
    return tables


def _array(path: Path, raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    entries = raw.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(v, dict) for v in entries):
        raise CourseDataError(path, key, f"{key} entries must be [[{key}]] tables")
    return entries


def _positive(path: Path, where: str, entry: dict[str, Any], key: str) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise CourseDataError(path, where, f"{key} must be a positive number")
    return float(value)


# -- comparison with the reference ------------------------------------------------


@dataclass(frozen=True)
class ReadoutChange:
    """A readout with the reference strategy and with the student's gate in its place."""

    says: str
    reference: float
    mine: float
    tolerance: float

    @property
    def within(self) -> bool:
        return abs(self.mine - self.reference) <= self.tolerance


@dataclass(frozen=True, repr=False)
class GateComparison:
    """How a drawn gate differs from the reference gate, and whether the difference matters.

    ``both``, ``only_mine`` and ``only_reference`` count events of the reference
    parent; ``next_steps`` holds (gate, reference % of parent, % of parent with
    this gate swapped in); ``explanations`` (text, source key) name the usual
    mistakes that the difference shows.
    """

    gate: str
    both: int
    only_mine: int
    only_reference: int
    next_steps: tuple[tuple[str, float, float], ...]
    readouts: tuple[ReadoutChange, ...]
    explanations: tuple[tuple[str, str], ...]
    drawn: bool = True

    @property
    def passed(self) -> bool:
        """Sloppy but sensible passes: no readout moves by more than its tolerance."""
        return self.drawn and all(change.within for change in self.readouts)

    @property
    def verdict(self) -> str:
        if not self.drawn:
            return "Not drawn yet: draw this gate (or type it in the fields) before comparing."
        if self.passed:
            return "Your gate passes: it differs from the reference only in ways that do not change the conclusion."
        moved = [c.says for c in self.readouts if not c.within]
        return "Your gate changes the conclusion: it moves " + "; ".join(moved) + " beyond what placement explains."

    def as_text(self) -> str:

        lines = [f"{self.gate}: {self.verdict}",
                 f"  events in both gates {self.both}, only in yours {self.only_mine}, "
                 f"only in the reference {self.only_reference}"]
        lines += [f"  next step {name}: {mine:.1f}% of parent with your gate, {ref:.1f}% with the reference"
                  for name, ref, mine in self.next_steps]
        lines += [f"  {c.says}: {c.mine:.1f}% with your gate, {c.reference:.1f}% with the reference "
                  f"(tolerance {c.tolerance:g} points)" for c in self.readouts]
        lines += [f"  Why: {text} ({reference(source).short()})" for text, source in self.explanations]
        return "\n".join(lines)

    def _repr_html_(self) -> str:

        colour = figures.PALETTE["green"] if self.passed else figures.PALETTE["vermillion"]
        rows = "".join(f"<li>next step <em>{html.escape(name)}</em>: {mine:.1f}% of parent with your gate, "
                       f"{ref:.1f}% with the reference</li>" for name, ref, mine in self.next_steps)
        rows += "".join(f"<li>{html.escape(c.says)}: {c.mine:.1f}% with your gate, {c.reference:.1f}% with the "
                        f"reference (tolerance {c.tolerance:g} points)</li>" for c in self.readouts)
        why = "".join(f'<p class="ankl-gate-why">{html.escape(text)} '
                      f'<a href="#ref-{source}">[{html.escape(reference(source).short())}]</a></p>'
                      for text, source in self.explanations)
        return (f'<div class="ankl-gate-comparison" data-passed="{str(self.passed).lower()}" '
                f'style="border-left:4px solid {colour};padding-left:8px">'
                f"<p><strong>{html.escape(self.gate)}</strong>: {html.escape(self.verdict)}</p>"
                f"<p>Events in both gates: {self.both}; only in yours: {self.only_mine}; "
                f"only in the reference: {self.only_reference}.</p><ul>{rows}</ul>{why}</div>")

    def __repr__(self) -> str:
        return self.as_text()


def _swapped(strategy: Strategy, gates: dict[str, Gate]) -> Strategy:
    steps = tuple(Step(gates.get(step.gate.name, step.gate), step.parent) for step in strategy.steps)
    return Strategy(strategy.name, strategy.title, steps, strategy.description)


def _depends_on(strategy: Strategy, gate: str, names: tuple[str, ...]) -> bool:
    return any(name and gate in strategy.lineage(name) for name in names)


def compare_gates(sample: Sample, reference: Strategy, mine: dict[str, Gate], spec: DrawingSpec,
                  data: dict[str, np.ndarray] | None = None,
                  reference_result: GatingResult | None = None) -> GateComparison:
    """Compare the student's gate(s) of one step (``mine``: name -> gate) with the reference."""
    data = display_values(sample) if data is None else data
    ref = reference.apply(sample, data=data) if reference_result is None else reference_result
    swapped = _swapped(reference, mine).apply(sample, data=data)
    first = next(iter(mine))
    parent = reference.step(first).parent
    parent_mask = ref.masks[parent] if parent else np.ones(len(sample), dtype=bool)
    drawn_mask = mine[first].mask(data) & parent_mask
    ref_mask = ref.masks[first]
    only_mine, only_ref = drawn_mask & ~ref_mask, ref_mask & ~drawn_mask
    next_steps = tuple((step.gate.name, ref[step.gate.name].percent_of_parent,
                        swapped[step.gate.name].percent_of_parent)
                       for step in reference.steps if step.parent in mine)
    readouts = tuple(ReadoutChange(r.says, r.value(ref), r.value(swapped), r.tolerance)
                     for r in spec.readouts
                     if r.strategy == reference.name and any(_depends_on(reference, g, (r.gate, r.of)) for g in mine))
    return GateComparison(first, int(np.count_nonzero(drawn_mask & ref_mask)), int(np.count_nonzero(only_mine)),
                          int(np.count_nonzero(only_ref)), next_steps, readouts,
                          _explanations(sample, spec, tuple(mine), only_mine, only_ref, ref_mask))


def _explanations(sample: Sample, spec: DrawingSpec, gates: tuple[str, ...], only_mine: np.ndarray,
                  only_ref: np.ndarray, reference_mask: np.ndarray) -> tuple[tuple[str, str], ...]:
    """The usual mistakes the difference shows: a population taken in (as a share of the reference gate's
    events) or left out (as a share of its own events in the reference gate) beyond its threshold."""
    reference_events = int(np.count_nonzero(reference_mask))
    if sample.truth is None:
        return ()
    found = []
    for mistake in spec.mistakes:
        if mistake.gate not in gates or mistake.population not in sample.populations:
            continue
        ours = sample.truth == sample.populations.index(mistake.population)
        if mistake.side == "extra":
            count, base = int(np.count_nonzero(ours & only_mine)), reference_events
        else:
            count, base = int(np.count_nonzero(ours & only_ref)), int(np.count_nonzero(ours & reference_mask))
        if count and count >= mistake.min_share * base:
            found.append((mistake.explanation, mistake.source))
    return tuple(found)


# -- the draft ------------------------------------------------------------------


def open_gate(step: DrawStep, name: str) -> RectangleGate:
    """The gate of a step not drawn yet: every event of the parent passes."""
    return RectangleGate(name, step.x, step.y)


class GatingDraft:
    """The strategy a student is drawing on one sample: counts, plots' data and comparisons, kept current.

    Gates of the path start undrawn (open); gates of the strategy outside the
    path keep their reference form but sit under the student's parents. A change
    recomputes only the changed gates and what lies below them.
    """

    def __init__(self, sample: Sample, path: str = "nk", spec: DrawingSpec | None = None,
                 data: dict[str, np.ndarray] | None = None, strategies: dict[str, Strategy] | None = None) -> None:
        strategies = strategies if strategies is not None else _load_strategies()
        self.spec = spec if spec is not None else load_drawing(strategies=strategies)
        if path not in self.spec.paths:
            raise KeyError(f"no drawing path {path!r}; choose one of {', '.join(self.spec.paths)}")
        self.sample = sample
        self.path = self.spec.paths[path]
        self.reference = strategies[self.path.strategy]
        self.data = display_values(sample) if data is None else data
        self.reference_result = self.reference.apply(sample, data=self.data)
        self.gates: dict[str, Gate] = {step.gate.name: step.gate for step in self.reference.steps}
        for draw_step in self.path.steps:
            for name in draw_step.gates:
                self.gates[name] = open_gate(draw_step, name)
        self.drawn: set[str] = set()
        self._everything = np.ones(len(sample), dtype=bool)
        self._raw: dict[str, np.ndarray] = {}
        self._masks: dict[str, np.ndarray] = {}
        self._bins = [self._bin_index(s.x, s.y) for s in self.path.steps]
        self._update(set(self.gates))

    # -- what the student sees ------------------------------------------------

    @property
    def steps(self) -> tuple[DrawStep, ...]:
        return self.path.steps

    def step(self, key: int | str) -> DrawStep:
        """A drawing step by position or by (one of) its gate name(s)."""
        if isinstance(key, int):
            return self.path.steps[key]
        for step in self.path.steps:
            if key in step.gates or key == step.name:
                return step
        raise KeyError(f"no drawing step {key!r}; steps are {', '.join(s.name for s in self.path.steps)}")

    def row(self, gate: str) -> StepResult:
        """Events, % of parent and % of all events of one of the student's gates."""
        step = self.reference.step(gate)
        parent = self._masks[step.parent] if step.parent else self._everything
        return StepResult(gate, step.parent, int(np.count_nonzero(self._masks[gate])),
                          int(np.count_nonzero(parent)), len(self.sample))

    def result(self) -> GatingResult:
        """The student's whole strategy applied, as the reference's report looks."""
        rows = tuple(self.row(step.gate.name) for step in self.reference.steps)
        return GatingResult(f"drawn ({self.reference.name})", self.sample.name, rows, dict(self._masks))

    def parent_mask(self, step: DrawStep) -> np.ndarray:
        return self._masks[step.parent] if step.parent else self._everything

    def image(self, index: int) -> np.ndarray:
        """The density image (log counts, rows = y) of the events a step is drawn on."""
        flat = self._bins[index][self.parent_mask(self.path.steps[index])]
        counts = np.bincount(flat, minlength=BINS * BINS + 1)[: BINS * BINS]
        return np.log1p(counts.reshape(BINS, BINS).astype(np.float64))

    def is_drawn(self, step: DrawStep) -> bool:
        return all(name in self.drawn for name in step.gates)

    def compare(self, key: int | str) -> GateComparison:
        """The comparison of one step's drawn gate(s) with the reference."""
        step = self.step(key)
        comparison = compare_gates(self.sample, self.reference, {n: self.gates[n] for n in step.gates}, self.spec,
                                   self.data, self.reference_result)
        if self.is_drawn(step):
            return comparison
        return GateComparison(comparison.gate, 0, 0, 0, (), (), (), drawn=False)

    # -- what the student does -----------------------------------------------

    def set_gates(self, gates: dict[str, Gate]) -> list[int]:
        """Replace gates (name -> gate); returns the indexes of the drawing steps whose plot changed."""
        for name, gate in gates.items():
            if name not in self.gates:
                raise KeyError(f"no gate {name!r} in strategy {self.reference.name}")
            self.gates[name] = gate
            self.drawn.add(name)
        return self._update(set(gates))

    def set_polygon(self, key: int | str, vertices: list[tuple[float, float]] | np.ndarray) -> list[int]:
        step = self._tool(key, "polygon")
        corners = tuple((float(x), float(y)) for x, y in vertices)
        return self.set_gates({step.gates[0]: PolygonGate(step.gates[0], step.x, step.y, corners)})

    def set_rectangle(self, key: int | str, x_min: float, x_max: float, y_min: float, y_max: float) -> list[int]:
        step = self._tool(key, "rectangle")
        x0, x1 = sorted((float(x_min), float(x_max)))
        y0, y1 = sorted((float(y_min), float(y_max)))
        return self.set_gates({step.gates[0]: RectangleGate(step.gates[0], step.x, step.y, x0, x1, y0, y1)})

    def set_quadrant(self, key: int | str, x_split: float, y_split: float) -> list[int]:
        step = self._tool(key, "quadrant")
        reference = self.reference.gate(step.gates[0])
        assert isinstance(reference, QuadrantGate)
        return self.set_gates({step.gates[0]: QuadrantGate(step.gates[0], step.x, step.y, float(x_split),
                                                           float(y_split), reference.quadrant)})

    def set_split(self, key: int | str, y_split: float) -> list[int]:
        step = self._tool(key, "split")
        above, below = step.gates
        return self.set_gates({above: RectangleGate(above, step.x, step.y, y_min=float(y_split)),
                               below: RectangleGate(below, step.x, step.y, y_max=float(y_split))})

    def _tool(self, key: int | str, tool: str) -> DrawStep:
        step = self.step(key)
        if step.tool != tool:
            raise ValueError(f"step {step.name!r} is drawn with a {step.tool}, not a {tool}")
        return step

    # -- bookkeeping ------------------------------------------------------------

    def _bin_index(self, x: str, y: str) -> np.ndarray:
        """Each event's flat density-image bin on (x, y), or BINS*BINS when it is off the plot."""
        (x0, x1), (y0, y1) = limits(x), limits(y)
        column = np.floor((self.data[x] - x0) * (BINS / (x1 - x0))).astype(np.int32)
        row = np.floor((self.data[y] - y0) * (BINS / (y1 - y0))).astype(np.int32)
        # numpy's histogram puts a value on the upper limit into the last bin
        column[self.data[x] == x1] = BINS - 1
        row[self.data[y] == y1] = BINS - 1
        off = (column < 0) | (column >= BINS) | (row < 0) | (row >= BINS)
        flat = row * BINS + column
        flat[off] = BINS * BINS
        return flat

    def _update(self, changed: set[str]) -> list[int]:
        dirty: set[str] = set()
        for step in self.reference.steps:
            name = step.gate.name
            if name in changed:
                self._raw[name] = self.gates[name].mask(self.data)
            if name in changed or step.parent in dirty:
                parent = self._masks[step.parent] if step.parent else self._everything
                self._masks[name] = self._raw[name] & parent
                dirty.add(name)
        return [i for i, s in enumerate(self.path.steps) if s.parent in dirty]

    # -- files ------------------------------------------------------------------

    def strategy(self, name: str = "") -> Strategy:
        """The student's gates as a strategy (undrawn gates open)."""
        name = name or f"drawn_{self.reference.name}"
        steps = tuple(Step(self.gates[s.gate.name], s.parent) for s in self.reference.steps)
        return Strategy(name, f"{self.reference.title} (drawn)", steps,
                        f"Gates drawn on the synthetic sample {self.sample.name}; based on {self.reference.name}.")

    def save(self, path: str | Path, name: str = "") -> Path:
        """Write the student's gates as a strategy file in the format of ``strategies.toml``."""
        target = Path(path)
        target.write_text(strategy_toml(self.strategy(name), self.sample.name, self.path.name,
                                        sorted(self.drawn)), encoding="utf-8")
        return target

    def load(self, path: str | Path) -> list[int]:
        """Set the gates from a saved file (checked against this draft's strategy)."""
        loaded, drawn = load_drawn(Path(path), self.reference)
        self.drawn.clear()
        changed = self.set_gates({name: loaded.gate(name) for name in self.gates})
        self.drawn = set(drawn)
        return changed or list(range(len(self.path.steps)))
