"""The chapter's survival figures: Kaplan-Meier with numbers at risk, landmark, P-value histograms,
competing risks; each in the course style with alt text written from the same numbers it draws.

Why alt text from the data: a screen-reader user must get the figure's finding (who is alive at
1 and 5 years, which curve is higher), and text written beside the plot would drift from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines.plotting import add_at_risk_counts
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from .. import figures
from ..figures import CYCLE, FigureDisplay
from .cohort import naive_one_minus_km, true_cumulative_incidence
from .design import RELAPSE, SYNTHETIC
from .estimators import Fitter, aalen_johansen, curve_on_grid, kaplan_meier, landmark_subset, value_at


def percent(value: float) -> str:
    """A fraction as a whole percentage, as figures and alt texts show it (``0.339`` -> ``34%``)."""
    return f"{100 * value:.0f}%"


def plot_survival(ax: Axes, fitters: list[Fitter], ci: bool = True, at_risk: bool = True,
                  xticks: list[float] | None = None) -> None:
    """Kaplan-Meier curves (with confidence bands) and a numbers-at-risk table under the axes."""
    for index, fitter in enumerate(fitters):
        fitter.plot_survival_function(ax=ax, ci_show=ci, color=CYCLE[index % len(CYCLE)], linewidth=1.8)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Years since transplant")
    ax.set_ylabel("Probability alive")
    if xticks is not None:
        ax.set_xticks(xticks)
    if at_risk:
        add_at_risk_counts(*fitters, ax=ax, rows_to_show=["At risk"], xticks=xticks)


def survival_figure(frame: pd.DataFrame, by: str | None = None, title: str = "Overall survival",
                    at_risk: bool = True, ci: bool = True, horizon: float = 8.0) -> FigureDisplay:
    """A Kaplan-Meier figure of a synthetic cohort (optionally one curve per group), with alt text."""
    if by is None:
        groups = [("all patients", frame)]
    else:
        values = frame[by].cat.categories if hasattr(frame[by], "cat") else sorted(frame[by].unique())
        groups = [(str(value), frame[frame[by] == value]) for value in values]
    fitters = [kaplan_meier(part["os_time"], part["os_event"], f"{name} (n={len(part)})") for name, part in groups]
    fig, ax = figures.new_figure("wide")
    ticks = [float(t) for t in range(0, int(horizon) + 1, 2)]
    plot_survival(ax, fitters, ci=ci, at_risk=at_risk, xticks=ticks)
    ax.set_xlim(0, horizon)
    ax.set_title(f"{title} ({SYNTHETIC}, n={len(frame)})")
    described = "; ".join(
        f"{f.label}: {percent(value_at(f, 1.0))} alive at 1 year, {percent(value_at(f, 5.0))} at 5 years"
        for f in fitters)
    alt = (f"Kaplan-Meier curves of overall survival in a {SYNTHETIC.lower()} cohort of {len(frame)} simulated "
           f"transplant recipients, with shaded 95% confidence bands{' and numbers at risk below' if at_risk else ''}. "
           f"{described}.")
    return figures.show(fig, alt=alt)


def landmark_figure(frame: pd.DataFrame, landmark: float = 1.0, horizon: float = 8.0) -> FigureDisplay:
    """Overall survival of everyone beside that of the patients event-free at the landmark."""
    subset = landmark_subset(frame, landmark)
    fitters = [kaplan_meier(frame["os_time"], frame["os_event"], f"all patients (n={len(frame)})"),
               kaplan_meier(subset["os_time"], subset["os_event"],
                            f"event-free at {landmark:g} year (n={len(subset)})")]
    fig, ax = figures.new_figure("wide")
    plot_survival(ax, fitters, at_risk=True, xticks=[float(t) for t in range(0, int(horizon) + 1, 2)])
    ax.axvline(landmark, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlim(0, horizon)
    ax.set_title(f"Landmark at {landmark:g} year ({SYNTHETIC}, n={len(frame)})")
    alt = (f"Kaplan-Meier curves of overall survival in a {SYNTHETIC.lower()} cohort: all {len(frame)} patients "
           f"({percent(value_at(fitters[0], 5.0))} alive at 5 years) and the {len(subset)} who were alive without "
           f"relapse at {landmark:g} year ({percent(value_at(fitters[1], 5.0))} alive at 5 years); the second curve "
           f"stays flat at 100% until the landmark because its patients were selected for being alive then.")
    return figures.show(fig, alt=alt)


def pvalue_figure(null: np.ndarray, effect: np.ndarray, n: int) -> FigureDisplay:
    """Histograms of simulated log-rank P values with and without a real graft effect."""
    fig, axes = figures.new_figure("wide", ncols=2, sharey=True)
    bins = np.linspace(0, 1, 21)
    for ax, values, title, colour in ((axes[0], null, "no graft effect", "grey"),
                                      (axes[1], effect, "calibrated graft effect", figures.PALETTE["blue"])):
        ax.hist(values, bins=bins, color=colour, edgecolor="white")
        ax.axvline(0.05, color=figures.PALETTE["vermillion"], linewidth=1.2)
        ax.set_title(f"{title}: P < 0.05 in {percent(float(np.mean(values < 0.05)))}", fontsize=12)
        ax.set_xlabel("log-rank P value")
    axes[0].set_ylabel("simulated studies")
    fig.suptitle(f"{len(null)} {SYNTHETIC} studies of {n} patients each", fontsize=12)
    alt = (f"Two histograms of log-rank P values from {len(null)} simulated studies of {n} patients each "
           f"({SYNTHETIC.lower()}). Without a graft effect the P values are spread evenly and "
           f"{percent(float(np.mean(null < 0.05)))} fall below 0.05; with the calibrated effect they pile up near zero "
           f"but only {percent(float(np.mean(effect < 0.05)))} fall below 0.05, so many real effects would be missed.")
    return figures.show(fig, alt=alt)


def competing_risks_figure(durations: ArrayLike, events: ArrayLike, rates: tuple[float, float] | None = None,
                           title: str = "Relapse: 1 - Kaplan-Meier vs Aalen-Johansen",
                           horizon: float = 5.0, variance: bool | None = None) -> FigureDisplay:
    """1 - KM (competing deaths censored) beside the Aalen-Johansen cumulative incidence, same data.

    With ``rates`` (relapse, competing) the closed-form truth of both quantities is drawn dashed.
    """
    times, causes = np.asarray(durations, dtype=float), np.asarray(events)
    km = kaplan_meier(times, causes == RELAPSE, "1 - Kaplan-Meier (deaths censored)")
    aj = aalen_johansen(times, causes, RELAPSE, "Aalen-Johansen", variance=variance)
    fig, ax = figures.new_figure("wide")
    # Curves are drawn on a fixed grid of time points: at screen resolution a 5,000-step curve and
    # its 400-point sampling look the same, and the redraw stays fast enough for a slider.
    grid = np.linspace(0.0, horizon, 400)
    ax.step(grid, 1 - curve_on_grid(km, grid), where="post", color=figures.PALETTE["vermillion"], label=km.label)
    ax.step(grid, curve_on_grid(aj, grid), where="post", color=figures.PALETTE["blue"],
            label="Aalen-Johansen cumulative incidence")
    band = getattr(aj, "confidence_interval_", None)
    if band is not None and len(band.columns) == 2:
        ax.fill_between(band.index.to_numpy(), band.iloc[:, 0], band.iloc[:, 1], step="post",
                        color=figures.PALETTE["blue"], alpha=0.2, linewidth=0)
    truth = ""
    if rates is not None:
        t = np.linspace(0, horizon, 200)
        ax.plot(t, true_cumulative_incidence(t, *rates), "--", color=figures.PALETTE["blue"], linewidth=1,
                label="exact values (dashed)")
        ax.plot(t, naive_one_minus_km(t, rates[0]), "--", color=figures.PALETTE["vermillion"], linewidth=1)
        truth = " Dashed lines show the exact values of both quantities for the hazards chosen."
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Years since transplant")
    ax.set_ylabel("Probability of relapse")
    ax.set_title(f"{title} ({SYNTHETIC}, n={times.size})")
    ax.legend(loc="lower right", fontsize=12)
    at = min(1.0, horizon)
    alt = (f"Two step curves from the same {SYNTHETIC.lower()} cohort of {times.size}: one minus Kaplan-Meier "
           f"reaches {percent(1 - value_at(km, at))} at {at:g} year while the Aalen-Johansen cumulative incidence "
           f"reaches {percent(value_at(aj, at))}; the Kaplan-Meier version is always the higher curve.{truth}")
    return figures.show(fig, alt=alt)
