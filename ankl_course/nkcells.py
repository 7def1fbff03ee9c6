"""A teaching model of how an NK cell decides to kill: inhibitory versus activating signals.

Why it exists: the missing-self idea (an NK cell kills a cell that has lost its
MHC class I "self" badge) and the induced-self idea (it kills a stressed cell
that shows stress ligands, even with MHC class I present) are easiest to grasp
by moving two sliders and watching a balance tip. Chapter 01 does exactly that.

This is a **didactic threshold model, not a quantitative biology claim**. Real
NK cells integrate many receptors with synergy, and their responsiveness is
tuned by education on self HLA ("licensing") (Long et al., Annu Rev Immunol 2013). Here
each receptor's signal is simply ``weight x feature`` with features scored 0 to
1, and the cell fires when activating minus inhibitory signal reaches a fixed
margin. The receptor list, what each reads and the citations for the receptor
biology live in ``data/nk_receptors.toml``; the weights there are round
teaching values, stated as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from . import figures
from .datafile import check_fields, checked_number, read_toml
from .errors import CourseDataError
from .figures import FigureDisplay
from .htmlkit import table
from .resources import data_path

#: The target-cell features a receptor can read, each scored from 0 to 1.
FEATURES = ("mhc_class_i", "stress_ligands", "antibody")
ROLES = ("inhibitory", "activating")
RECEPTOR_FIELDS = {"name", "full_name", "role", "reads", "ligand", "weight", "cite"}


@dataclass(frozen=True)
class Receptor:
    """One NK-cell receptor as the model sees it."""

    name: str
    full_name: str
    role: str
    reads: str
    ligand: str
    weight: float
    cite: str


@dataclass(frozen=True)
class Model:
    """The receptor set, the baseline activation and the firing threshold."""

    receptors: tuple[Receptor, ...]
    baseline_activation: float
    threshold: float


@dataclass(frozen=True)
class Target:
    """A target cell: its HLA class I level, stress-ligand level and antibody coating (0 to 1)."""

    mhc_class_i: float = 1.0
    stress_ligands: float = 0.0
    antibody: float = 0.0

    def __post_init__(self) -> None:
        for name in FEATURES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
                raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}")
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie between 0 and 1, not {value}")


@dataclass(frozen=True)
class Decision:
    """The model's verdict on one target, with every signal that led to it."""

    target: Target
    signals: dict[str, float]
    inhibitory: float
    activating: float
    threshold: float
    kill: bool

    @property
    def net(self) -> float:
        """Activating minus inhibitory signal; the cell fires when this reaches the threshold."""
        return self.activating - self.inhibitory

    def reason(self) -> str:
        """One sentence saying which side won and why, in the course's terms."""
        t = self.target
        if not self.kill:
            if t.mhc_class_i >= 0.5 and t.stress_ligands < 0.5:
                return "Spared: enough HLA class I engages KIR and CD94/NKG2A, and little activates the NK cell."
            return "Spared: the activating signals do not outweigh the inhibitory ones by the threshold."
        if t.mhc_class_i < 0.5 and t.stress_ligands < 0.5 and t.antibody < 0.5:
            return "Killed by missing self: with little HLA class I, inhibition fails and baseline activation wins."
        if t.stress_ligands >= 0.5 and t.mhc_class_i >= 0.5:
            return "Killed by induced self: stress ligands drive NKG2D and NCRs hard enough to override HLA class I."
        return "Killed: activating signals outweigh inhibitory ones by more than the threshold."


def load_model(path: Path | None = None) -> Model:
    """Read and validate the receptor table (``data/nk_receptors.toml``)."""
    path = path or data_path("nk_receptors.toml")
    raw = read_toml(path)
    receptors = []
    for number, entry in enumerate(raw.get("receptor", []), start=1):
        where = f"receptor #{number}"
        check_fields(path, where, entry, RECEPTOR_FIELDS, required=RECEPTOR_FIELDS)
        where = f"receptor {entry['name']}"
        if entry["role"] not in ROLES:
            raise CourseDataError(path, where, f"role must be one of {', '.join(ROLES)}")
        if entry["reads"] not in FEATURES:
            raise CourseDataError(path, where, f"reads must be one of {', '.join(FEATURES)}")
        weight = checked_number(path, where, entry["weight"], "weight", low=0)
        receptors.append(Receptor(**{**entry, "weight": weight}))
    if not receptors:
        raise CourseDataError(path, "", "needs at least one [[receptor]]")
    names = [r.name for r in receptors]
    if len(set(names)) != len(names):
        raise CourseDataError(path, "", "receptor names must be unique")
    return Model(
        receptors=tuple(receptors),
        baseline_activation=checked_number(path, "baseline_activation", raw.get("baseline_activation"),
                                           "baseline_activation", low=0),
        threshold=checked_number(path, "threshold", raw.get("threshold"), "threshold", low=0),
    )


def decide(target: Target, model: Model | None = None) -> Decision:
    """Add up each receptor's signal for ``target`` and say whether the NK cell fires."""
    model = model or load_model()
    signals = {"baseline": model.baseline_activation}
    inhibitory = 0.0
    activating = model.baseline_activation
    for receptor in model.receptors:
        signal = receptor.weight * getattr(target, receptor.reads)
        signals[receptor.name] = signal
        if receptor.role == "inhibitory":
            inhibitory += signal
        else:
            activating += signal
    kill = activating - inhibitory >= model.threshold - 1e-12
    return Decision(target, signals, inhibitory, activating, model.threshold, kill)


def describe(decision: Decision) -> str:
    """The decision in words, fit for a figure's alt text."""
    t = decision.target
    verdict = "kills" if decision.kill else "spares"
    return (
        f"Bar chart of NK-cell signals for a target with HLA class I {t.mhc_class_i:.2f}, "
        f"stress ligands {t.stress_ligands:.2f} and antibody {t.antibody:.2f}: inhibitory signal "
        f"{decision.inhibitory:.2f}, activating signal {decision.activating:.2f}, net {decision.net:+.2f} "
        f"against a threshold of {decision.threshold:.2f}. The NK cell {verdict} the target. {decision.reason()}"
    )


def signal_figure(decision: Decision, model: Model | None = None) -> Figure:
    """Horizontal bars: each receptor's signal (inhibitory to the left, activating to the right),
    then the net signal against the threshold, titled with the verdict."""
    model = model or load_model()
    roles = {r.name: r.role for r in model.receptors}
    names = list(decision.signals)
    values = [-v if roles.get(name) == "inhibitory" else v for name, v in decision.signals.items()]
    colours = [figures.PALETTE["blue"] if roles.get(n) == "inhibitory" else figures.PALETTE["orange"] for n in names]
    names.append("NET")
    values.append(decision.net)
    colours.append(figures.PALETTE["vermillion"] if decision.kill else figures.PALETTE["green"])
    fig, ax = figures.new_figure("wide")
    positions = list(range(len(names)))[::-1]
    ax.barh(positions, values, color=colours)
    ax.set_yticks(positions, names)
    ax.axvline(0, color=figures.PALETTE["black"], linewidth=0.8)
    ax.axvline(decision.threshold, color=figures.PALETTE["black"], linestyle="--", linewidth=1)
    ax.text(decision.threshold, positions[0] + 0.5, " kill threshold", va="bottom", fontsize=12)
    limit = max(1.5, max(abs(v) for v in values) + 0.2)
    ax.set_xlim(-limit, limit)
    ax.set_xlabel("inhibitory signal  <-  0  ->  activating signal (teaching units)")
    verdict = "KILL" if decision.kill else "NO KILL"
    ax.set_title(f"{verdict}: net signal {decision.net:+.2f} (threshold {decision.threshold:.2f})")
    return fig


def show_decision(mhc_class_i: float = 1.0, stress_ligands: float = 0.0, antibody: float = 0.0) -> FigureDisplay:
    """Render function for the chapter's explorer: the signal bars with alt text."""
    model = load_model()
    decision = decide(Target(mhc_class_i, stress_ligands, antibody), model)
    return figures.show(signal_figure(decision, model), alt=describe(decision))


def receptor_table_html(model: Model | None = None) -> str:
    """The receptor table as HTML, so the chapter shows the same data the model uses."""
    model = model or load_model()
    rows = [(r.name, r.role, r.ligand, r.reads.replace("_", " ")) for r in model.receptors]
    return table(["Receptor", "Signal", "Ligand on the target", "Model reads"], rows, scoped=False)


def kill_grid(steps: int = 41, antibody: float = 0.0, model: Model | None = None) -> list[list[bool]]:
    """Verdicts over a grid of HLA class I (columns) and stress-ligand levels (rows), 0 to 1 each."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError("steps must be a whole number >= 2")
    model = model or load_model()
    levels = [i / (steps - 1) for i in range(steps)]
    return [[decide(Target(mhc, stress, antibody), model).kill for mhc in levels] for stress in levels]


def decision_map_figure(steps: int = 41, model: Model | None = None) -> Figure:
    """The whole decision space at a glance: where on the HLA class I x stress-ligand plane
    the teaching model kills, with the three textbook cases marked."""
    model = model or load_model()
    grid = np.array(kill_grid(steps, model=model), dtype=float)
    fig, ax = figures.new_figure("square")
    cmap = ListedColormap([figures.PALETTE["sky"], figures.PALETTE["vermillion"]])
    ax.imshow(grid, origin="lower", extent=(0, 1, 0, 1), cmap=cmap, vmin=0, vmax=1, aspect="auto", alpha=0.55)
    cases = {"healthy": (1.0, 0.0), "missing self": (0.0, 0.0), "induced self": (1.0, 1.0)}
    for label, (mhc, stress) in cases.items():
        ax.plot(mhc, stress, "o", color=figures.PALETTE["black"], clip_on=False)
        offset = (-8 if mhc else 8, 8 if not stress else -16)
        ax.annotate(label, (mhc, stress), textcoords="offset points", xytext=offset,
                    ha="right" if mhc else "left", fontsize=12)
    ax.text(0.5, 0.25, "spared", ha="center", fontsize=12)
    ax.text(0.3, 0.85, "killed", ha="center", fontsize=12)
    ax.set_xlabel("HLA class I on the target (0 = lost, 1 = normal)")
    ax.set_ylabel("stress ligands on the target (0 = none, 1 = high)")
    ax.set_title("Teaching model: where the NK cell kills")
    return fig


def decision_map_alt(model: Model | None = None) -> str:
    """Alt text for :func:`decision_map_figure`, with the boundaries read from the model itself."""
    model = model or load_model()
    inhibit = sum(r.weight for r in model.receptors if r.role == "inhibitory" and r.reads == "mhc_class_i")
    activate = sum(r.weight for r in model.receptors if r.role == "activating" and r.reads == "stress_ligands")
    mhc_edge = (model.baseline_activation - model.threshold) / inhibit if inhibit else float("inf")
    stress_edge = (model.threshold - model.baseline_activation + inhibit) / activate if activate else float("inf")
    return (
        "Map with HLA class I level on the horizontal axis and stress-ligand level on the vertical axis, "
        "both from 0 to 1. A diagonal boundary separates a lower-right 'spared' region from an upper-left "
        f"'killed' region. With no stress ligands, the target is killed only when HLA class I falls to about "
        f"{mhc_edge:.2f} or below (missing self); with normal HLA class I, it is killed once stress ligands reach "
        f"about {stress_edge:.2f} (induced self). The healthy cell (normal HLA class I, no stress) lies in the "
        "spared region."
    )
