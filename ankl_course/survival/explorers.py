"""The chapter's two explorers (competing hazards, sample size): render functions that redraw fast.

Why objects that keep their figure: a slider redraw must stay under 150 ms at n = 5,000, and
building a new figure each time costs a good part of that. Each explorer builds its axes, legend
and lines once (outside pyplot, so a notebook never shows the figure by itself); a call refits the
simulated data with lifelines, moves the lines and renders the PNG with the course's fast renderer.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from .. import figures
from ..figures import FigureDisplay
from .cohort import CohortModel, competing_exponentials, naive_one_minus_km, true_cumulative_incidence
from .design import RELAPSE, SYNTHETIC
from .estimators import aalen_johansen, band_on_grid, curve_on_grid, kaplan_meier
from .plots import percent

#: Points at which curves are drawn: at screen resolution a 5,000-step curve and its 400-point
#: sampling look the same, and the redraw stays fast enough for a slider.
GRID_POINTS = 400


def _figure(horizon: float, ylabel: str) -> tuple[Figure, Axes]:
    """The explorer's figure (course style, not tracked by pyplot) with its fixed axes."""
    with figures.styled():
        fig = Figure(figsize=figures.SIZES["wide"], dpi=figures.DPI)
        ax = fig.add_subplot()
        ax.set_xlim(0, horizon)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("Years since transplant")
        ax.set_ylabel(ylabel)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9)
    return fig, ax


def ci_width_view(model: CohortModel, n: int, seed: int = 24) -> FigureDisplay:
    """One frame of the sample-size explorer: a synthetic cohort of size n, its KM curve and 95% band."""
    return SampleSizeExplorer(model, seed)(n)


def hazard_scenario_view(relapse_rate: float, nrm_rate: float, n: int = 5_000, seed: int = 6) -> FigureDisplay:
    """One frame of the competing-hazards explorer: simulated data, lifelines fits, closed-form truth."""
    return HazardScenarioExplorer(n, seed)(relapse_rate, nrm_rate)


class HazardScenarioExplorer:
    """Render function of the competing-hazards explorer: 1 - KM against Aalen-Johansen, and the truth."""

    def __init__(self, n: int = 5_000, seed: int = 6, horizon: float = 5.0) -> None:
        self.n, self.seed, self.horizon = int(n), seed, horizon
        self.grid = np.linspace(0.0, horizon, GRID_POINTS)
        # The grid and, last, the time the alt text reports: one lifelines predict per fit and redraw.
        self.at = min(1.0, horizon)
        self.times = np.append(self.grid, self.at)
        self.fig, self.ax = _figure(horizon, "Probability of relapse")
        zeros = np.zeros_like(self.grid)
        blue, vermillion = figures.PALETTE["blue"], figures.PALETTE["vermillion"]
        with figures.styled():
            self.naive_line = self.ax.step(self.grid, zeros, where="post", color=vermillion,
                                           label="1 - Kaplan-Meier (deaths censored)")[0]
            self.aj_line = self.ax.step(self.grid, zeros, where="post", color=blue,
                                        label="Aalen-Johansen cumulative incidence")[0]
            self.true_line = self.ax.plot(self.grid, zeros, "--", color=blue, linewidth=1,
                                          label="exact values (dashed)")[0]
            self.limit_line = self.ax.plot(self.grid, zeros, "--", color=vermillion, linewidth=1)[0]
            self.ax.legend(loc="lower right", fontsize=12)

    def __call__(self, relapse_rate: float, nrm_rate: float) -> FigureDisplay:
        durations, events = competing_exponentials(self.n, relapse_rate, nrm_rate, self.seed)
        km = kaplan_meier(durations, events == RELAPSE)
        aj = aalen_johansen(durations, events, RELAPSE, variance=False)
        naive, incidence = 1 - curve_on_grid(km, self.times), curve_on_grid(aj, self.times)
        self.naive_line.set_ydata(naive[:-1])
        self.aj_line.set_ydata(incidence[:-1])
        self.true_line.set_ydata(true_cumulative_incidence(self.grid, relapse_rate, nrm_rate))
        self.limit_line.set_ydata(naive_one_minus_km(self.grid, relapse_rate))
        self.ax.set_title(f"Relapse rate {relapse_rate:g}/yr, NRM rate {nrm_rate:g}/yr ({SYNTHETIC}, n={self.n})")
        alt = (f"Two step curves from the same {SYNTHETIC.lower()} cohort of {self.n} with relapse at "
               f"{relapse_rate:g} and non-relapse death at {nrm_rate:g} per year: one minus Kaplan-Meier reaches "
               f"{percent(naive[-1])} at {self.at:g} year while the Aalen-Johansen cumulative incidence "
               f"reaches {percent(incidence[-1])}; the Kaplan-Meier version is always the higher curve. "
               f"Dashed lines show the exact values of both quantities.")
        return FigureDisplay(figures.png_bytes(self.fig, fast=True), alt)


class SampleSizeExplorer:
    """Render function of the sample-size explorer: one cohort of size n, its KM curve and 95% band."""

    def __init__(self, model: CohortModel, seed: int = 24, horizon: float = 8.0) -> None:
        self.model, self.seed = model, seed
        self.grid = np.linspace(0.0, horizon, GRID_POINTS)
        self.times = np.append(self.grid, 5.0)  # the grid, then the 5-year point the title reports
        self.colour = figures.PALETTE["blue"]
        self.fig, self.ax = _figure(horizon, "Probability alive")
        with figures.styled():
            self.line = self.ax.step(self.grid, np.ones_like(self.grid), where="post", color=self.colour)[0]
            self.ax.axvline(5.0, color="grey", linewidth=0.8, linestyle=":")
        self.band: PolyCollection | None = None

    def __call__(self, n: int) -> FigureDisplay:
        n = int(n)
        arrays = self.model.sample_arrays(n, np.random.default_rng(self.seed))
        fit = kaplan_meier(arrays["os_time"], arrays["os_event"], f"n={n}")
        band = band_on_grid(fit, self.grid)
        low, high = band[np.searchsorted(self.grid, 5.0, side="right") - 1]
        curve = curve_on_grid(fit, self.times)
        estimate = float(curve[-1])
        self.line.set_ydata(curve[:-1])
        if self.band is not None:
            self.band.remove()
        self.band = self.ax.fill_between(self.grid, band[:, 0], band[:, 1], step="post", color=self.colour,
                                         alpha=0.25, linewidth=0)
        self.ax.set_title(f"{SYNTHETIC}: n={n}, 5-year OS {percent(estimate)} "
                          f"(95% CI {percent(low)} to {percent(high)})")
        alt = (f"Kaplan-Meier curve of a {SYNTHETIC.lower()} cohort of {n} patients with its shaded 95% "
               f"confidence band; at 5 years the estimate is {percent(estimate)}, with a confidence "
               f"interval from {percent(low)} to {percent(high)}.")
        return FigureDisplay(figures.png_bytes(self.fig, fast=True), alt)
