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

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from . import facts, figures
from .datafile import check_fields, checked_number, read_toml
from .errors import CourseDataError
from .figures import FigureDisplay
from .htmlkit import table
from .interactive import Explorer
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


def balance_explorer() -> Explorer:
    """Chapter 01's explorer: three sliders (HLA class I, stress ligands, antibody) that tip the
    teaching model's balance, starting from a healthy cell. Why a function: the slider settings are
    plumbing, and the notebook should show one call a student can read."""
    slider = {"min": 0.0, "max": 1.0, "step": 0.05, "continuous_update": False,
              "style": {"description_width": "initial"}}
    return Explorer(
        show_decision,
        {
            "mhc_class_i": widgets.FloatSlider(value=1.0, description="HLA class I on target", **slider),
            "stress_ligands": widgets.FloatSlider(value=0.0, description="Stress ligands (NKG2D, NCR)", **slider),
            "antibody": widgets.FloatSlider(value=0.0, description="Antibody coating (CD16)", **slider),
        },
        title="Missing self and induced self: the NK cell's balance",
    )


#: The two branches of the lymphocyte family tree: (x, where its arrow leaves the top box, text,
#: face colour, palette edge colour).
_BRANCHES = (
    (2.4, 4.4, "Adaptive lymphocytes\nT cells, B cells\n\nrearranged receptors (TCR, BCR)\n"
          "one clone, one antigen\nneed priming: days", "#e6f1f8", "blue"),
    (7.6, 5.6, "Innate lymphoid cells\nNK cells (cytotoxic)\nhelper-like ILC1, ILC2, ILC3, LTi cells\n\n"
          "germline-encoded receptors\nno clonal antigen receptor\nact within hours", "#fdf1dc", "orange"),
)


def lymphocyte_families_figure() -> Figure:
    """Where NK cells sit: lymphocytes split into adaptive cells (clonal receptors, days) and innate
    lymphoid cells (germline receptors, hours), NK cells being the innate family's killers."""
    fig, ax = figures.diagram((0, 10), (0, 6))
    box = {"boxstyle": "round,pad=0.4", "linewidth": 1.2}
    ax.text(5, 5.3, "Lymphocytes", ha="center", fontsize=12, weight="bold",
            bbox={**box, "facecolor": "white", "edgecolor": figures.PALETTE["black"]})
    for x, _tail, text, face, edge in _BRANCHES:
        ax.text(x, 2.6, text, ha="center", va="center",
                bbox={**box, "facecolor": face, "edgecolor": figures.PALETTE[edge]})
    for x, tail, *_rest in _BRANCHES:
        figures.arrow(ax, (tail, 5.0), (x, 4.0))
    return fig


def show_lymphocyte_families() -> FigureDisplay:
    """:func:`lymphocyte_families_figure` with its alt text, as chapter 01 shows it."""
    return figures.show(lymphocyte_families_figure(), alt=(
        "Diagram: lymphocytes split into two branches. Left, adaptive lymphocytes (T and B cells) with rearranged "
        "receptors, one antigen per clone, needing days of priming. Right, innate lymphoid cells: NK cells, which "
        "are cytotoxic, and helper-like ILC1, ILC2, ILC3 and lymphoid-tissue inducer cells, with germline-encoded "
        "receptors, acting within hours."))


#: Where chapter 01's subset shares come from (facts registry ids): blood, then lymphoid tissue.
SUBSET_FACTS = {
    "Blood": "lunemann2009.cd56bright_share",
    "Lymph node / tonsil": "lunemann2009.cd56bright_share_lymphoid",
}


def subset_shares() -> dict[str, tuple[float, float]]:
    """Per place, the (CD56dim, CD56bright) shares of NK cells in percent, from the facts registry."""
    shares = {}
    for place, fact_id in SUBSET_FACTS.items():
        bright = facts.number(fact_id)
        shares[place] = (100 - bright, bright)
    return shares


def subsets_figure() -> Figure:
    """Stacked bars of the two NK-cell subsets in blood and in lymphoid tissue: the balance flips."""
    shares = subset_shares()
    places = list(shares)
    dim = [shares[p][0] for p in places]
    bright = [shares[p][1] for p in places]
    fig, ax = figures.new_figure("wide")
    ax.barh(places, dim, color=figures.PALETTE["orange"], label="CD56dim CD16+ (cytotoxic)")
    ax.barh(places, bright, left=dim, color=figures.PALETTE["blue"], label="CD56bright CD16- (cytokine-producing)")
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of NK cells (percent, round figures from a review)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2)
    return fig


def show_subsets() -> FigureDisplay:
    """:func:`subsets_figure` with alt text that states the shares it draws."""
    (blood_dim, blood_bright), (node_dim, node_bright) = subset_shares().values()
    return figures.show(subsets_figure(), alt=(
        f"Stacked bars of NK-cell subsets. Blood: about {blood_dim} percent CD56dim and at most "
        f"{blood_bright} percent CD56bright. Lymph node and tonsil: about {node_dim} percent CD56dim and "
        f"{node_bright} percent CD56bright."))


#: The four steps of granule-mediated killing, with their palette colours, left to right.
KILLING_STEPS = (
    ("1. Contact:\nreceptors weigh\nstop vs go", "sky"),
    ("2. Granules move\nto the contact\nzone", "yellow"),
    ("3. Perforin\nopens pores", "orange"),
    ("4. Granzymes\nenter: target\ndies by apoptosis", "vermillion"),
)


def killing_steps_figure() -> Figure:
    """The killing sequence as four boxes joined by arrows, one colour per step."""
    fig, ax = figures.diagram((0, 12.7), (0.7, 2.3))
    for i, (label, name) in enumerate(KILLING_STEPS):
        colour = figures.PALETTE[name]
        ax.text(1.4 + 3.3 * i, 1.5, label, ha="center", va="center", fontsize=12,
                bbox={"boxstyle": "round,pad=0.5", "facecolor": colour, "alpha": 0.35, "edgecolor": colour})
        if i < len(KILLING_STEPS) - 1:
            figures.arrow(ax, (2.8 + 3.3 * i, 1.5), (3.4 + 3.3 * i, 1.5))
    return fig


def show_killing_steps() -> FigureDisplay:
    """:func:`killing_steps_figure` with its alt text."""
    return figures.show(killing_steps_figure(), alt=(
        "Four steps left to right: contact, where receptors weigh stop against go signals; cytotoxic granules "
        "move to the contact zone; perforin opens pores in the target membrane; granzymes enter and the target "
        "dies by apoptosis."))


#: How many granules the large granular lymphocyte sketch shows, and the seed that places them.
GRANULES = 18
GRANULE_SEED = 1


def lgl_sketch_figure() -> Figure:
    """A schematic (not a micrograph) of a small resting lymphocyte next to a large granular lymphocyte:
    a larger cell, wide pale cytoplasm and granules, which is what 'LGL' on a smear report means."""
    rng = np.random.default_rng(GRANULE_SEED)
    fig, ax = figures.diagram((-2, 8), (-2.2, 2.2))
    ax.set_aspect("equal")
    cells = (((0, 0), 1.0, (0.05, 0), 0.85), ((5, 0), 1.8, (4.5, 0.1), 1.0))
    for centre, radius, nucleus, nucleus_radius in cells:
        ax.add_patch(Circle(centre, radius, facecolor=figures.PALETTE["sky"], alpha=0.35))
        ax.add_patch(Circle(nucleus, nucleus_radius, facecolor=figures.PALETTE["blue"], alpha=0.85))
    angles = rng.uniform(-1.1, 1.1, GRANULES)
    radii = rng.uniform(1.15, 1.65, GRANULES)
    ax.scatter(4.6 + radii * np.cos(angles), radii * np.sin(angles), s=14, color=figures.PALETTE["purple"])
    ax.text(0, -1.6, "small resting lymphocyte", ha="center")
    ax.text(5, -2.15, "large granular lymphocyte", ha="center")
    return fig


def show_lgl_sketch() -> FigureDisplay:
    """:func:`lgl_sketch_figure` with its alt text."""
    return figures.show(lgl_sketch_figure(), alt=(
        "Schematic drawing, not a micrograph. Left: a small resting lymphocyte, a round nucleus filling almost the "
        "whole cell with a thin rim of pale cytoplasm. Right: a larger cell, the large granular lymphocyte, with a "
        "nucleus to one side and wide pale cytoplasm holding about eighteen small red-purple granules."))
