"""EBV and ANKL in numbers: the base-rate (Bayes) argument, and EBV DNA load kinetics.

Two ideas of the EBV chapter are arithmetic, and students learn them by moving sliders:

* **Base rates.** Almost every adult carries EBV and ANKL is very rare, so "most ANKL is
  EBV-positive" says almost nothing about the risk of an EBV-positive person. :func:`base_rate`
  turns the three inputs (share of ANKL tumours carrying EBV, seroprevalence, incidence) into the
  probabilities in both directions, under assumptions it states.
* **Log-linear kinetics.** When treatment works, the EBV DNA released by tumour cells falls by a
  roughly constant *fraction* per day, which is a straight line on a log scale. :func:`fit_decline`
  fits that line (least squares on log10 values) and reads the half-life off its slope;
  :func:`simulate_load` makes a seeded, synthetic series to practise on.

Bad input raises ``ValueError`` naming the problem (a load of 0 has no logarithm; times must be
in increasing order), because a silently wrong half-life would teach the wrong lesson.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from . import facts, figures
from .datafile import read_toml
from .errors import CourseDataError
from .figures import FigureDisplay
from .htmlkit import table
from .interactive import Explorer
from .resources import data_path

LOG10_2 = math.log10(2.0)
MIN_POINTS = 3


# -- base rates ------------------------------------------------------------------


@dataclass(frozen=True)
class BaseRate:
    """Both directions of the conditional probability, per person per year.

    ``p_seropositive_given_ankl`` is what "most people with ANKL have had EBV" measures;
    ``p_ankl_given_seropositive`` is what a worried EBV carrier wants to know.
    """

    p_tumour_ebv: float
    seroprevalence: float
    incidence_per_million: float
    p_seropositive_given_ankl: float
    p_ankl_given_seropositive: float
    p_ankl_given_seronegative: float
    relative_risk: float

    @property
    def one_in(self) -> float:
        """The yearly risk of a seropositive person as "1 in N" (infinite when the risk is 0)."""
        return math.inf if self.p_ankl_given_seropositive == 0 else 1.0 / self.p_ankl_given_seropositive

    def per_population(self, people: int = 10_000_000) -> dict[str, float]:
        """Expected yearly counts in a population: the natural-frequency form of the same numbers."""
        if people <= 0:
            raise ValueError(f"population must be a positive number of people, not {people!r}")
        carriers = people * self.seroprevalence
        return {
            "people": float(people),
            "seropositive": carriers,
            "seronegative": people - carriers,
            "ankl_cases": people * self.incidence_per_million / 1e6,
            "ankl_in_seropositive": carriers * self.p_ankl_given_seropositive,
            "ankl_in_seronegative": (people - carriers) * self.p_ankl_given_seronegative,
        }


def _probability(name: str, value: float, open_interval: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, not {value!r}")
    if open_interval and not 0 < value < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1, not {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must lie between 0 and 1, not {value!r}")
    return float(value)


def base_rate(p_tumour_ebv: float, seroprevalence: float, incidence_per_million: float) -> BaseRate:
    """Bayes' rule for EBV and ANKL.

    Inputs: the share of ANKL tumours that carry EBV (EBER-positive), the share of the population
    that is EBV-seropositive, and the yearly ANKL incidence per million people.

    Assumptions (stated because the answer depends on them): every patient with an EBV-positive
    tumour is seropositive; patients with EBV-negative tumours are seropositive as often as anyone
    else. So ``P(seropositive | ANKL) = t + (1 - t) * s`` and, by Bayes,
    ``P(ANKL | seropositive) = P(seropositive | ANKL) * incidence / s``.
    """
    t = _probability("p_tumour_ebv", p_tumour_ebv)
    s = _probability("seroprevalence", seroprevalence, open_interval=True)
    if isinstance(incidence_per_million, bool) or not isinstance(incidence_per_million, int | float):
        raise ValueError(f"incidence_per_million must be a number, not {incidence_per_million!r}")
    if not math.isfinite(incidence_per_million) or not 0 <= incidence_per_million <= 1e6:
        raise ValueError(f"incidence_per_million must lie between 0 and 1,000,000, not {incidence_per_million!r}")
    incidence = incidence_per_million / 1e6
    sero_given_ankl = t + (1 - t) * s
    risk_pos = sero_given_ankl * incidence / s
    risk_neg = (1 - sero_given_ankl) * incidence / (1 - s)
    no_risk_without = math.inf if risk_pos > 0 else math.nan
    relative = risk_pos / risk_neg if risk_neg > 0 else no_risk_without
    return BaseRate(t, s, float(incidence_per_million), sero_given_ankl, risk_pos, risk_neg, relative)


# -- EBV DNA kinetics ------------------------------------------------------------------


@dataclass(frozen=True)
class DeclineFit:
    """A log-linear fit ``log10(load) = intercept + slope * day`` and what it implies."""

    slope_log10_per_day: float
    intercept_log10: float
    r_squared: float
    n_points: int

    @property
    def half_life_days(self) -> float:
        """Days for the load to halve; infinite when the load is not falling."""
        return half_life_from_slope(self.slope_log10_per_day)

    @property
    def fold_drop_per_week(self) -> float:
        """How many times smaller the load gets in 7 days (below 1 means it is rising)."""
        return 10 ** (-7 * self.slope_log10_per_day)

    def predict(self, days: Sequence[float] | np.ndarray) -> np.ndarray:
        """The fitted load (copies/mL) at these days."""
        return 10 ** (self.intercept_log10 + self.slope_log10_per_day * np.asarray(days, dtype=float))


def half_life_from_slope(slope_log10_per_day: float) -> float:
    """Half-life in days from a slope in log10 units per day: ``log10(2) / -slope``.

    A slope of -0.1 log10/day (ten-fold fall in 10 days) gives about 3.01 days.
    """
    if not math.isfinite(slope_log10_per_day):
        raise ValueError(f"slope must be a finite number, not {slope_log10_per_day!r}")
    if slope_log10_per_day >= 0:
        return math.inf
    return LOG10_2 / -slope_log10_per_day


def _series(days: Sequence[float], loads: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(days, dtype=float)
    y = np.asarray(loads, dtype=float)
    if t.ndim != 1 or y.ndim != 1:
        raise ValueError("days and loads must be flat sequences of numbers")
    if t.size != y.size:
        raise ValueError(f"days and loads differ in length ({t.size} days, {y.size} loads)")
    if t.size < MIN_POINTS:
        raise ValueError(f"need at least {MIN_POINTS} measurements to fit a decline, got {t.size}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
        raise ValueError("days and loads must be finite numbers (no NaN or infinity)")
    if np.any(np.diff(t) <= 0):
        where = int(np.argmax(np.diff(t) <= 0)) + 1
        raise ValueError(f"times must be strictly increasing; day {t[where]:g} (position {where}) "
                         f"does not come after day {t[where - 1]:g}")
    bad = np.flatnonzero(y <= 0)
    if bad.size:
        raise ValueError(f"loads must be positive to take a logarithm; load {y[bad[0]]:g} at position "
                         f"{int(bad[0])} is not (leave out results below the detection limit)")
    return t, y


def fit_decline(days: Sequence[float], loads: Sequence[float] | np.ndarray) -> DeclineFit:
    """Least-squares line through ``(day, log10(load))``; the half-life follows from the slope."""
    t, y = _series(days, loads)
    logs = np.log10(y)
    slope, intercept = np.polyfit(t, logs, 1)
    fitted = intercept + slope * t
    total = float(np.sum((logs - logs.mean()) ** 2))
    residual = float(np.sum((logs - fitted) ** 2))
    r_squared = 1.0 - residual / total if total > 0 else 1.0
    return DeclineFit(float(slope), float(intercept), r_squared, int(t.size))


def simulate_load(
    days: Sequence[float],
    baseline: float,
    half_life_days: float,
    noise_log10: float = 0.15,
    seed: int = 2024,
) -> np.ndarray:
    """A synthetic EBV DNA series (copies/mL): exponential decay plus log-normal assay noise.

    The same seed gives the same series, so notebooks are deterministic. Synthetic data only.
    """
    t = np.asarray(days, dtype=float)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)):
        raise ValueError("days must be a non-empty flat sequence of finite numbers")
    if np.any(np.diff(t) <= 0):
        raise ValueError("times must be strictly increasing")
    for name, value in (("baseline", baseline), ("half_life_days", half_life_days)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number, not {value!r}")
    if isinstance(noise_log10, bool) or not isinstance(noise_log10, int | float) or not 0 <= noise_log10 < 5:
        raise ValueError(f"noise_log10 must be a number from 0 to 5, not {noise_log10!r}")
    rng = np.random.default_rng(seed)
    slope = -LOG10_2 / half_life_days
    logs = math.log10(baseline) + slope * (t - t[0]) + rng.normal(0.0, noise_log10, size=t.size)
    return 10 ** logs


# -- latency programmes (data file) ---------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """One EBV latency programme: the viral products it expresses and where it is seen."""

    id: str
    label: str
    expressed: tuple[str, ...]
    seen_in: str


def load_latency(path: Path | None = None) -> tuple[tuple[str, ...], tuple[Latency, ...]]:
    """The genes (row order) and latency programmes from ``data/ebv_latency.toml``."""
    path = path or data_path("ebv_latency.toml")
    raw = read_toml(path)
    genes = tuple(raw.get("genes", ()))
    if not genes:
        raise CourseDataError(path, "genes", "list the viral genes")
    programmes = []
    for entry in raw.get("programme", []):
        where = f"programme {entry.get('id', '?')}"
        unknown = [g for g in entry.get("expressed", []) if g not in genes]
        if unknown:
            raise CourseDataError(path, where, f"gene(s) not in the genes list: {', '.join(unknown)}")
        programmes.append(Latency(str(entry["id"]), str(entry.get("label", entry["id"])),
                                  tuple(entry.get("expressed", [])), str(entry.get("seen_in", ""))))
    if not programmes:
        raise CourseDataError(path, "", "no [[programme]] entries")
    return genes, tuple(programmes)


# -- figures (matplotlib is imported by figures.new_figure, only when a figure is drawn) ----


def latency_figure() -> Figure:
    """A grid of viral products (rows) by latency programme (columns), filled where expressed."""
    genes, programmes = load_latency()
    grid = np.array([[gene in p.expressed for p in programmes] for gene in genes], dtype=float)
    fig, ax = figures.new_figure("small")
    cmap = _two_colour_map(figures.PALETTE["sky"])
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=1, aspect="auto")
    for row, gene in enumerate(genes):
        for col, programme in enumerate(programmes):
            mark = "on" if gene in programme.expressed else "off"
            ax.text(col, row, mark, ha="center", va="center", fontsize=12,
                    color="black" if mark == "on" else "#777777")
    ax.set_xticks(range(len(programmes)), [p.label for p in programmes])
    ax.set_yticks(range(len(genes)), list(genes))
    ax.set_title("Viral products by latency programme")
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    return fig


def _two_colour_map(on: str) -> Any:
    return ListedColormap(["#f2f2f2", on])


def base_rate_figure(result: BaseRate) -> Figure:
    """Horizontal bars on a log scale: the two directions of the conditional probability."""
    labels = ["P(seropositive | ANKL)", "P(ANKL | seropositive),\nper year", "P(ANKL | seronegative),\nper year"]
    values = [result.p_seropositive_given_ankl, result.p_ankl_given_seropositive, result.p_ankl_given_seronegative]
    colours = [figures.PALETTE["blue"], figures.PALETTE["vermillion"], figures.PALETTE["orange"]]
    fig, ax = figures.new_figure("wide")
    shown = [max(v, 1e-12) for v in values]
    ax.barh(range(3), shown, color=colours)
    ax.set_xscale("log")
    ax.set_xlim(1e-12, 30)
    ax.set_yticks(range(3), labels)
    ax.invert_yaxis()
    for row, value in enumerate(values):
        ax.text(max(value, 1e-12) * 1.3, row, readable_probability(value), va="center", fontsize=12)
    ax.set_xlabel("probability (log scale: each step is ten times smaller)")
    ax.set_title("Same two events, opposite directions")
    return fig


def readable_probability(p: float) -> str:
    """A probability in words a student reads at once: ``99.5%``, or ``1 in 10.6 million``."""
    if not 0 <= p <= 1:
        raise ValueError(f"a probability lies between 0 and 1, not {p!r}")
    if p == 0:
        return "0 (none)"
    if p >= 0.001:
        return f"{100 * p:.1f}%"
    n = 1 / p
    if n >= 1e6:
        return f"1 in {n / 1e6:.3g} million"
    return f"1 in {n:,.0f}"


def kinetics_figure(days: Sequence[float], loads: Sequence[float] | np.ndarray, fit: DeclineFit,
                    true_half_life: float | None = None) -> Figure:
    """Measured loads (points) and the fitted log-linear decline (line), log10 y axis."""
    t = np.asarray(days, dtype=float)
    fig, ax = figures.new_figure("wide")
    ax.scatter(t, loads, color=figures.PALETTE["blue"], zorder=3, label="synthetic measurements")
    grid = np.linspace(t[0], t[-1], 50)
    label = f"fitted line: half-life {fit.half_life_days:.1f} days"
    if true_half_life is not None:
        label += f" (true {true_half_life:.1f})"
    ax.plot(grid, fit.predict(grid), color=figures.PALETTE["vermillion"], label=label)
    _load_axes(ax, "days since treatment started", "EBV DNA load on treatment (synthetic)")
    ax.legend(loc="upper right")
    return fig


def _load_axes(ax: Any, xlabel: str, title: str) -> None:
    """The axes every EBV DNA chart of the course shares: loads on a log10 scale, in copies/mL."""
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("EBV DNA (copies/mL, log scale)")
    ax.set_title(title)


def series_figure(days: Sequence[float], loads: Sequence[float], title: str) -> Figure:
    """A measured series joined by a line, no fit: for a course that bends (a plateau, a rise), which
    a fitted straight line would misrepresent. Same axes as :func:`kinetics_figure`."""
    fig, ax = figures.new_figure("wide")
    ax.plot(days, loads, marker="o", color=figures.PALETTE["blue"])
    _load_axes(ax, "day", title)
    return fig


def load_rows(days: Sequence[float], loads: Sequence[float]) -> list[tuple[str, str]]:
    """(day, load) as the course prints them: ``7`` and ``41,000`` (whole copies, thousands separated)."""
    return [(f"{d:g}", f"{x:,.0f}") for d, x in zip(days, loads, strict=True)]


def load_table_html(days: Sequence[float], loads: Sequence[float], day_header: str = "day") -> str:
    """The series as a plain two-column table, the form the capstone's EBV DNA table has."""
    return table([day_header, "EBV DNA (copies/mL, synthetic)"], load_rows(days, loads), sections=False,
                 scoped=False)


# -- what chapter 02 shows: the worked example and the two explorers ----------------------------
# Why here: the slider settings, captions and alt texts are plumbing; the notebook keeps one call
# per cell that a student who unfolds it can read.

#: The facts chapter 02's base-rate example starts from: the EBV-negative share of ANKL tumours (a
#: percentage), the seroprevalence (a percentage) and the incidence (per million people a year).
BASE_RATE_FACTS = ("ishida2018.ebv_negative", "kuri2020.population_infected", "kommalapati2018.nk_leukemia_incidence")


def course_base_rate() -> BaseRate:
    """:func:`base_rate` at the registry's figures, the example chapter 02 works through."""
    ebv_negative, infected, incidence = (facts.number(fact_id) for fact_id in BASE_RATE_FACTS)
    return base_rate(1 - ebv_negative / 100, infected / 100, incidence)


def base_rate_summary(result: BaseRate) -> str:
    """Both directions of the probability and the relative risk, one per line, as printed in chapter 02."""
    return "\n".join([
        f"P(seropositive | ANKL)          = {readable_probability(result.p_seropositive_given_ankl)}",
        f"P(ANKL | seropositive), a year  = {readable_probability(result.p_ankl_given_seropositive)}",
        f"P(ANKL | seronegative), a year  = {readable_probability(result.p_ankl_given_seronegative)}",
        f"relative risk, seropositive vs seronegative = {result.relative_risk:.1f}",
    ])


def show_base_rate(tumour_ebv: float, seroprevalence: float, incidence: float) -> FigureDisplay:
    """The base-rate explorer's view: the bars, with the same numbers as natural frequencies in the
    caption (10 million people for a year), which is the form students find easiest to reason with."""
    result = base_rate(tumour_ebv, seroprevalence, incidence)
    counts = result.per_population(10_000_000)
    caption = (
        f"In 10 million people followed for a year: {counts['seropositive']:,.0f} are seropositive and "
        f"{counts['ankl_cases']:.2f} ANKL cases are expected, {counts['ankl_in_seropositive']:.2f} of them in "
        f"seropositive people. A seropositive person's yearly risk is "
        f"{readable_probability(result.p_ankl_given_seropositive)}; relative risk versus seronegative "
        f"{result.relative_risk:.1f}. Illustrative model, not a personal risk estimate."
    )
    return figures.show(base_rate_figure(result), alt=(
        f"Log-scale bar chart. P(seropositive given ANKL) is "
        f"{readable_probability(result.p_seropositive_given_ankl)}; P(ANKL given seropositive) is "
        f"{readable_probability(result.p_ankl_given_seropositive)} a year; P(ANKL given seronegative) is "
        f"{readable_probability(result.p_ankl_given_seronegative)} a year."), caption=caption)


def base_rate_explorer(start: BaseRate) -> Explorer:
    """Three sliders (EBV-positive tumours, seroprevalence, incidence on a log scale) set at ``start``'s
    inputs, redrawing :func:`show_base_rate`."""
    import ipywidgets as widgets

    return Explorer(
        show_base_rate,
        {
            "tumour_ebv": widgets.FloatSlider(value=start.p_tumour_ebv, min=0.0, max=1.0, step=0.01,
                                              description="EBV+ tumours", readout_format=".2f"),
            "seroprevalence": widgets.FloatSlider(value=start.seroprevalence, min=0.5, max=0.99, step=0.01,
                                                  description="seroprevalence", readout_format=".2f"),
            "incidence": widgets.FloatLogSlider(value=start.incidence_per_million, base=10, min=-2, max=1,
                                                step=0.05, description="per million/yr", readout_format=".3f"),
        },
        title="Base rates: P(EBV | ANKL) versus P(ANKL | EBV)",
    )


@dataclass(frozen=True)
class Decline:
    """A synthetic EBV DNA series with its log-linear fit and the half-life that made it."""

    days: Sequence[float]
    loads: np.ndarray
    fit: DeclineFit
    true_half_life: float


#: Chapter 02's worked example: sampling days, baseline load (copies/mL), half-life, noise and seed.
EXAMPLE_DAYS = (0, 3, 7, 10, 14, 21)
BASELINE_LOAD = 2e5


def synthetic_decline(days: Sequence[float], half_life_days: float, noise_log10: float, seed: int) -> Decline:
    """A seeded synthetic series from :data:`BASELINE_LOAD` and its fit: the example and the explorer
    draw their data the same way."""
    loads = simulate_load(days, baseline=BASELINE_LOAD, half_life_days=half_life_days, noise_log10=noise_log10,
                          seed=seed)
    return Decline(days, loads, fit_decline(days, loads), half_life_days)


def example_decline() -> Decline:
    """The worked example of chapter 02: six samples over three weeks, true half-life 3 days."""
    return synthetic_decline(EXAMPLE_DAYS, half_life_days=3.0, noise_log10=0.15, seed=4)


def decline_summary(decline: Decline) -> str:
    """Each sample's load, then the fitted slope and half-life, one per line, as printed in chapter 02."""
    lines = [f"day {day:>2}: {load:>9,.0f} copies/mL (synthetic)"
             for day, load in zip(decline.days, decline.loads, strict=True)]
    fit = decline.fit
    lines.append(f"slope {fit.slope_log10_per_day:.3f} log10/day -> half-life {fit.half_life_days:.1f} days")
    return "\n".join(lines)


def decline_figure(decline: Decline) -> Figure:
    """:func:`kinetics_figure` of a :class:`Decline`."""
    return kinetics_figure(decline.days, decline.loads, decline.fit, decline.true_half_life)


#: The kinetics explorer's samples span three weeks; its data use this seed.
EXPLORER_DAYS = 21
EXPLORER_SEED = 11


def show_kinetics(half_life: float, noise: float, samples: int) -> FigureDisplay:
    """The kinetics explorer's view: ``samples`` evenly spaced measurements, the fit, and a caption
    comparing the fitted half-life with the true one."""
    days = np.round(np.linspace(0, EXPLORER_DAYS, samples), 1)
    decline = synthetic_decline(days, half_life_days=half_life, noise_log10=noise, seed=EXPLORER_SEED)
    found = decline.fit.half_life_days
    caption = (f"Fitted half-life {found:.1f} days (true {half_life:.1f}); the fit explains "
               f"{100 * decline.fit.r_squared:.0f} percent of the variation in log10 load. Synthetic data "
               f"(random seed {EXPLORER_SEED}).")
    return figures.show(decline_figure(decline), alt=(
        f"{samples} synthetic EBV DNA measurements over {EXPLORER_DAYS} days on a log scale with a fitted "
        f"straight line; fitted half-life {found:.1f} days against a true half-life of {half_life:.1f} days."),
        caption=caption)


def kinetics_explorer() -> Explorer:
    """Sliders for the true half-life, the assay noise and the number of samples, redrawing
    :func:`show_kinetics`: many precise samples recover the half-life, few noisy ones do not."""
    import ipywidgets as widgets

    return Explorer(
        show_kinetics,
        {
            "half_life": widgets.FloatSlider(value=3.0, min=1.0, max=15.0, step=0.5, description="true t½ (d)"),
            "noise": widgets.FloatSlider(value=0.15, min=0.0, max=0.6, step=0.05, description="noise (log10)"),
            "samples": widgets.IntSlider(value=6, min=3, max=12, description="samples"),
        },
        title="Log-linear EBV DNA kinetics (synthetic)",
    )
