"""Estimation on a cohort with lifelines: Kaplan-Meier, Aalen-Johansen, log-rank, and the published figures.

Why a thin layer and no estimator of our own: students meet the library they would use on real
data. This module only chooses options (the Aalen-Johansen variance is skipped for large n, where
it costs tens of seconds and the band is invisibly narrow) and reads curves through lifelines'
own API (``predict``, ``confidence_interval_``). The one exception, a vectorised log-rank for
simulations, says why below.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from lifelines.statistics import StatisticalResult, logrank_test
from numpy.typing import ArrayLike
from scipy.stats import chi2

from ..citations import load_facts
from .cohort import CohortModel
from .design import CORD_BLOOD, NRM, OTHER_SOURCES, RELAPSE, SYNTHETIC, TARGET_NAMES

#: Largest n for which the Aalen-Johansen variance (confidence band) is computed by default.
#: lifelines' variance costs about 3.3 s at 1e5 and 31.6 s at 1e6; at a few thousand it is quick.
VARIANCE_LIMIT = 5_000
#: The two fitters this course uses; both estimate one step curve (survival, cumulative incidence).
Fitter: TypeAlias = KaplanMeierFitter | AalenJohansenFitter


def kaplan_meier(durations: ArrayLike, observed: ArrayLike, label: str = "Kaplan-Meier") -> KaplanMeierFitter:
    """lifelines' Kaplan-Meier fit (with its 95% confidence interval)."""
    return KaplanMeierFitter(label=label).fit(np.asarray(durations), np.asarray(observed, dtype=bool))


def aalen_johansen(durations: ArrayLike, events: ArrayLike, cause: int, label: str = "Aalen-Johansen",
                   variance: bool | None = None) -> AalenJohansenFitter:
    """lifelines' Aalen-Johansen cumulative incidence of ``cause`` with competing events.

    ``variance=None`` computes the confidence band only up to :data:`VARIANCE_LIMIT` patients:
    that is where a student sees it; at 1e6 it would take about half a minute and be invisibly thin.
    """
    times = np.asarray(durations, dtype=float)
    variance = times.size <= VARIANCE_LIMIT if variance is None else variance
    fitter = AalenJohansenFitter(calculate_variance=variance, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # tied times are jittered with the fixed seed above
        fitter.fit(times, np.asarray(events), event_of_interest=cause, label=label)
    return fitter


def curve_on_grid(fitter: Fitter, grid: ArrayLike) -> np.ndarray:
    """The fitted step curve (survival for Kaplan-Meier, cumulative incidence for Aalen-Johansen)
    at every time of ``grid``: lifelines' ``predict``, as a flat array."""
    return np.atleast_1d(np.asarray(fitter.predict(np.asarray(grid, dtype=np.float64)), dtype=float))


def value_at(fitter: Fitter, t: float) -> float:
    """The fitted curve at time ``t`` (see :func:`curve_on_grid`)."""
    return float(fitter.predict(float(t)))


def band_on_grid(fitter: Fitter, grid: ArrayLike) -> np.ndarray:
    """The 95% confidence band (lifelines' ``confidence_interval_``) at every time of ``grid``,
    one row per time, the two bounds as columns, in the order lifelines gives them."""
    return np.asarray(fitter.confidence_interval_.asof(np.asarray(grid, dtype=np.float64)), dtype=float)


def landmark_subset(frame: pd.DataFrame, landmark: float = 1.0) -> pd.DataFrame:
    """Patients known to be alive and event-free at ``landmark`` years (the conditional cohort)."""
    return frame[frame["efs_time"] >= landmark]


def logrank(frame: pd.DataFrame, column: str, first: Any, second: Any, time: str = "os_time",
            event: str = "os_event") -> StatisticalResult:
    """lifelines' log-rank test of ``time``/``event`` between two values of ``column``."""
    a, b = frame[frame[column] == first], frame[frame[column] == second]
    return logrank_test(a[time], b[time], a[event], b[event])


def estimates(frame: pd.DataFrame, landmark: float = 1.0) -> dict[str, float]:
    """Every published figure estimated from a cohort, as fractions (keys as :data:`TARGET_NAMES`)."""
    os_fit = kaplan_meier(frame["os_time"], frame["os_event"], "overall survival")
    relapse = aalen_johansen(frame["efs_time"], frame["efs_event"], RELAPSE, "relapse", variance=False)
    nrm = aalen_johansen(frame["efs_time"], frame["efs_event"], NRM, "NRM", variance=False)

    def os5(part: pd.DataFrame) -> float:
        return value_at(kaplan_meier(part["os_time"], part["os_event"]), 5.0)

    return {
        "os_1y": value_at(os_fit, 1.0),
        "os_5y": value_at(os_fit, 5.0),
        "relapse_1y": value_at(relapse, 1.0),
        "nrm_1y": value_at(nrm, 1.0),
        "os_5y_cord_blood": os5(frame[frame["graft_group"] == CORD_BLOOD]),
        "os_5y_other_sources": os5(frame[frame["graft_group"] == OTHER_SOURCES]),
        "os_5y_crpr": os5(frame[frame["remission"]]),
        "os_5y_efs_12m": os5(landmark_subset(frame, landmark)),
    }


def comparison_table(model: CohortModel, observed: dict[str, float] | None = None) -> pd.DataFrame:
    """Published figure, model value and (optionally) a cohort's estimate, in percent, one row each."""
    facts = load_facts()
    predicted = model.predicted()
    rows = []
    for name in TARGET_NAMES:
        fact_id = model.design.target_facts[name]
        row: dict[str, str | float] = {"figure": facts[fact_id].text, "published %": float(facts[fact_id].value),
               "model %": round(100 * predicted[name], 1)}
        if observed is not None:
            row[f"{SYNTHETIC} estimate %"] = round(100 * observed[name], 1)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("figure")
    table.attrs["synthetic"] = True
    return table


# -- simulations for the notebook ----------------------------------------------------------


def logrank_pvalues_many(times: np.ndarray, events: np.ndarray, in_group: np.ndarray) -> np.ndarray:
    """Log-rank P values for many replicate data sets at once (one per row), for simulations only.

    Why not lifelines here: its ``logrank_test`` takes about 17 ms a call on this machine, and the
    chapter's simulations need hundreds of tests in a notebook that must run in seconds. This is
    the same statistic for data without tied times (simulated times are continuous); the tests
    check it against lifelines on many data sets, and every single analysis uses lifelines.
    """
    times, events, in_group = np.atleast_2d(times), np.atleast_2d(events), np.atleast_2d(in_group)
    order = np.argsort(times, axis=1)
    if np.any(np.diff(np.take_along_axis(times, order, axis=1), axis=1) == 0):
        raise ValueError("tied times: use lifelines.statistics.logrank_test for data with ties")
    died = np.take_along_axis(events, order, axis=1).astype(float)
    group = np.take_along_axis(in_group, order, axis=1).astype(float)
    at_risk = times.shape[1] - np.arange(times.shape[1])
    share = np.cumsum(group[:, ::-1], axis=1)[:, ::-1] / at_risk
    observed = (died * group).sum(axis=1)
    expected = (died * share).sum(axis=1)
    variance = (died * share * (1 - share)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(variance > 0, (observed - expected) ** 2 / variance, 0.0)
    return np.asarray(chi2.sf(statistic, 1))


def logrank_pvalues(model: CohortModel, n: int, replicates: int, seed: int,
                    remission_share_cord_blood: float | None = None) -> np.ndarray:
    """Log-rank P values (cord blood vs other sources) over replicate SYNTHETIC cohorts of size n.

    With ``model.replace(graft_log_hr=0.0)`` the graft has no effect, so the share of P < 0.05 is
    the false-positive rate; with the calibrated model it is the power to detect the effect.
    """
    rng = np.random.default_rng(seed)
    cohorts = [model.sample_arrays(n, rng, remission_share_cord_blood) for _ in range(replicates)]
    stack = {name: np.stack([c[name] for c in cohorts]) for name in ("os_time", "os_event", "cord_blood")}
    return logrank_pvalues_many(stack["os_time"], stack["os_event"], stack["cord_blood"])
