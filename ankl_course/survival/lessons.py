"""The demonstrations of chapters 6 and 7, each one call from a notebook cell.

Why here and not in the cells: a second-year student reads the text, the figures and the printed
results, not the plumbing that produces them (issue 13). Each function below was a folded code cell
of 4 to 10 lines; the notebook now calls it in one line, and what it prints is unchanged (the cells'
outputs are compared by nbval). Every number printed comes from SYNTHETIC data, and says so, or from
the facts registry with its citation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..citations import fact
from ..interactive import Explorer
from .cohort import CohortModel, abstract_consistency, guarantee_time_groups
from .design import CORD_BLOOD, OTHER_SOURCES, RELAPSE
from .estimators import aalen_johansen, kaplan_meier, logrank, logrank_pvalues, value_at
from .explorers import HazardScenarioExplorer, SampleSizeExplorer

#: Cohort sizes the sample-size explorer offers, around the registry's 59.
SAMPLE_SIZES = (30, 59, 120, 250, 500, 1000, 2000, 5000)
#: Studies simulated per world in the P-value and confounding demonstrations.
REPLICATES = 400
#: The landmark of the guarantee-time demonstration, in years after transplant.
LANDMARK_YEARS = 0.5


def _p(value: float) -> str:
    """A P value as a reader takes it in: "= 0.046", "= 0.35", or "< 0.001" (not "= 1.6e-63")."""
    return "< 0.001" if value < 0.001 else f"= {value:.2g}"


def sample_size_explorer(model: CohortModel, size: int = 59) -> Explorer:
    """Chapter 6: how the confidence band narrows with more patients (a slider over SAMPLE_SIZES)."""
    import ipywidgets as widgets  # lazy: the explorer's widgets are needed only in a notebook

    if size not in SAMPLE_SIZES:
        raise ValueError(f"sample_size_explorer: size {size} is not one of the slider's sizes {list(SAMPLE_SIZES)}")
    slider = widgets.SelectionSlider(options=list(SAMPLE_SIZES), value=size, description="patients")
    return Explorer(SampleSizeExplorer(model), {"n": slider},
                    title="Sample size and confidence interval width (SYNTHETIC data)")


def competing_hazards_explorer(n: int = 5000) -> Explorer:
    """Chapter 6: 1 − Kaplan-Meier against the Aalen-Johansen cumulative incidence, with two
    constant hazards the student sets (relapse and non-relapse death per year)."""
    import ipywidgets as widgets

    controls = {
        "relapse_rate": widgets.FloatSlider(value=1.2, min=0.1, max=3.0, step=0.1, description="relapse /yr"),
        "nrm_rate": widgets.FloatSlider(value=0.4, min=0.05, max=2.0, step=0.05, description="NRM /yr"),
    }
    return Explorer(HazardScenarioExplorer(n=n), controls,
                    title="Competing hazards: 1 - KM against Aalen-Johansen (SYNTHETIC data)")


def relapse_report(cohort: pd.DataFrame, years: float = 1.0) -> str:
    """Chapter 6: relapse by one year estimated both ways, beside the published figure."""
    naive = kaplan_meier(cohort["efs_time"], cohort["efs_event"] == RELAPSE)
    cif = aalen_johansen(cohort["efs_time"], cohort["efs_event"], RELAPSE)
    return "\n".join([
        f"SYNTHETIC cohort of {len(cohort)}, relapse by one year:",
        f"  1 - Kaplan-Meier (deaths censored)  {100 * (1 - value_at(naive, years)):5.1f}%",
        f"  Aalen-Johansen cumulative incidence {100 * value_at(cif, years):5.1f}%",
        f"  published (real cohort)             {fact('fujimoto2021.relapse_1y')}",
    ])


def graft_logrank_report(cohort: pd.DataFrame) -> str:
    """Chapter 7: the log-rank P value of cord blood against other sources in one cohort."""
    result = logrank(cohort, "graft_group", CORD_BLOOD, OTHER_SOURCES)
    return f"SYNTHETIC cohort of {len(cohort)}: log-rank P = {result.p_value:.3f}"


@dataclass(frozen=True)
class PowerSimulation:
    """Log-rank P values of many synthetic studies in a world without a graft effect and in the
    calibrated world (chapter 7's false-positive rate and power)."""

    null: np.ndarray
    effect: np.ndarray
    n: int

    def report(self) -> str:
        runs = len(self.null)
        return "\n".join([
            f"No graft effect:         P < 0.05 in {100 * (self.null < 0.05).mean():.1f}% of {runs} SYNTHETIC studies",
            f"Calibrated graft effect: P < 0.05 in {100 * (self.effect < 0.05).mean():.1f}% of {runs} SYNTHETIC "
            "studies",
        ])


def power_simulation(model: CohortModel, n: int = 59, replicates: int = REPLICATES) -> PowerSimulation:
    """Chapter 7: ``replicates`` studies of ``n`` patients with no graft effect, and as many with it."""
    return PowerSimulation(logrank_pvalues(model.replace(graft_log_hr=0.0), n, replicates, seed=1),
                           logrank_pvalues(model, n, replicates, seed=2), n)


def confounding_report(model: CohortModel, n: int = 59, replicates: int = REPLICATES,
                       remission_share_cord_blood: float = 0.8) -> str:
    """Chapter 7: a graft with no effect, given more often to patients in remission, looks as if it
    helped; within each disease-status group the difference goes away."""
    no_effect = model.replace(graft_log_hr=0.0)
    share = remission_share_cord_blood
    confounded = logrank_pvalues(no_effect, n, replicates, seed=3, remission_share_cord_blood=share)
    lines = [f"Graft has no effect; remission more common with cord blood: P < 0.05 in "
             f"{100 * (confounded < 0.05).mean():.1f}% of {replicates} SYNTHETIC studies of {n}"]
    big = no_effect.sample(5000, seed=4, remission_share_cord_blood=share)
    for label, part in [("all patients", big), ("in remission (CR/PR)", big[big["remission"]]),
                        ("no response", big[~big["remission"]])]:
        five = {group: value_at(kaplan_meier(rows["os_time"], rows["os_event"]), 5.0)
                for group, rows in part.groupby("graft_group", observed=True)}
        lines.append(f"  {label:<22} 5-year OS cord blood {100 * five[CORD_BLOOD]:5.1f}%   "
                     f"other {100 * five[OTHER_SOURCES]:5.1f}%")
    return "\n".join(lines)


def guarantee_time_cohort(model: CohortModel, n: int = 500) -> pd.DataFrame:
    """Chapter 7: synthetic patients with a post-transplant 'response' that changes nothing, and a
    readable ``group`` column for the figure."""
    marked = guarantee_time_groups(model.sample(n, seed=7), seed=4)
    marked["group"] = marked["responded"].map({True: "responded after transplant", False: "did not respond"})
    return marked


def guarantee_time_report(marked: pd.DataFrame, landmark: float = LANDMARK_YEARS) -> str:
    """Chapter 7: responders against the others from transplant (biased), then with the groups fixed
    at a landmark (fair)."""
    naive = logrank(marked, "responded", True, False)
    alive: Any = marked[marked["os_time"] >= landmark].copy()
    alive["responded_by_landmark"] = alive["response_time"] < landmark
    fair = logrank(alive, "responded_by_landmark", True, False)
    return "\n".join([
        f"SYNTHETIC: responders vs others from transplant: log-rank P {_p(naive.p_value)}",
        f"SYNTHETIC: same, landmark at {12 * landmark:.0f} months (groups fixed then): log-rank P {_p(fair.p_value)}",
    ])


def consistency_report() -> str:
    """Chapter 7: the abstract's own figures checked against each other (see abstract_consistency)."""
    check = abstract_consistency()
    return "\n".join([
        f"alive without relapse at 1 year (100 - relapse - NRM): {100 * check['event_free_1y']:.1f}%",
        f"x landmark 5-year OS = at least {100 * check['implied_min_os_5y']:.1f}% alive at 5 years",
        f"published 5-year OS of all patients:                 {100 * check['published_os_5y']:.1f}%",
        f"alive after a relapse at 1 year (OS - event-free):   {100 * check['alive_after_relapse_1y']:.1f}%",
    ])
