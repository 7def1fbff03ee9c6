"""The synthetic transplant cohort: a small multi-state model, its closed-form figures, sampling, calibration.

Why a model and not stored patients: the registry's patient-level data is not public. Rates
solved so that large cohorts reproduce the published figures let students run the paper's
analysis and see, at n = 59, the sampling noise a real cohort of that size has (design and
assumptions in ``data/survival/cohort_design.toml``). Also here: two competing constant hazards
with their exact cumulative incidence, and the guarantee-time flag of the bias lesson.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

from .design import (
    CENSORED,
    CORD_BLOOD,
    NRM,
    OTHER_SOURCES,
    RELAPSE,
    REMISSION_LABELS,
    SYNTHETIC,
    TARGET_NAMES,
    Design,
    load_design,
)


def _decay_gap(slow: ArrayLike, fast: ArrayLike, t: float) -> np.ndarray:
    """(exp(-slow t) - exp(-fast t)) / (fast - slow), with its limit t exp(-slow t) when the rates meet."""
    low, high = np.asarray(slow, dtype=float), np.asarray(fast, dtype=float)
    gap = high - low
    near = np.abs(gap) < 1e-9
    safe = np.where(near, 1.0, gap)
    return np.where(near, t * np.exp(-low * t), (np.exp(-low * t) - np.exp(-high * t)) / safe)


@dataclass(frozen=True)
class CohortModel:
    """Rates of the synthetic transplant cohort (per year) and the design they were solved for."""

    first_year_hazard: float      # relapse + NRM hazard in year one, cord blood graft, CR/PR at transplant
    relapse_share: float          # share of first-year events that are relapse/progression
    graft_log_hr: float           # log hazard ratio, bone marrow/peripheral blood vs cord blood
    status_log_hr: float          # log hazard ratio, no response vs CR/PR at transplant
    late_hazard: float            # relapse + NRM hazard after one year (everyone)
    death_after_relapse: float    # death rate after relapse
    design: Design

    def replace(self, **changes: float) -> CohortModel:
        """A copy with some rates changed, e.g. ``model.replace(graft_log_hr=0.0)`` for 'no graft effect'."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]  # rates only; dataclasses checks names

    # closed-form population figures ---------------------------------------------

    def _group_os(self, multiplier: np.ndarray, t: float) -> np.ndarray:
        """Overall survival at ``t`` years for groups whose first-year hazard is multiplied by ``multiplier``."""
        h = self.first_year_hazard * multiplier
        d, late, q = self.death_after_relapse, self.late_hazard, self.design.late_relapse_share
        first = min(t, 1.0)
        event_free = np.exp(-h * first)
        alive_relapsed = self.relapse_share * h * _decay_gap(d, h, first)
        if t <= 1.0:
            return event_free + alive_relapsed
        extra = t - 1.0
        return (event_free * math.exp(-late * extra) + alive_relapsed * math.exp(-d * extra)
                + np.exp(-h) * q * late * _decay_gap(d, late, extra))

    def _groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Weights, multipliers and masks of the four groups (cord blood or not) x (CR/PR or not)."""
        cb, rem = self.design.cord_blood_share, self.design.remission_share
        is_cb = np.array([True, True, False, False])
        is_rem = np.array([True, False, True, False])
        weights = np.where(is_cb, cb, 1 - cb) * np.where(is_rem, rem, 1 - rem)
        multiplier = np.exp(self.graft_log_hr * ~is_cb + self.status_log_hr * ~is_rem)
        return weights, multiplier, is_cb, is_rem

    def conditional_os(self, horizon: float = 5.0) -> float:
        """P(alive at ``horizon`` | event-free at the landmark): the model's landmark figure."""
        span = horizon - self.design.landmark
        late, q, d = self.late_hazard, self.design.late_relapse_share, self.death_after_relapse
        return float(math.exp(-late * span) + q * late * _decay_gap(d, late, span))

    def predicted(self) -> dict[str, float]:
        """The model's population values of every published figure (fractions)."""
        weights, multiplier, is_cb, is_rem = self._groups()
        os1, os5 = self._group_os(multiplier, 1.0), self._group_os(multiplier, 5.0)
        event_1y = 1 - np.exp(-self.first_year_hazard * multiplier)

        def mean(values: np.ndarray, mask: np.ndarray | None = None) -> float:
            w = weights if mask is None else weights * mask
            return float(np.sum(w * values) / np.sum(w))

        return {
            "os_1y": mean(os1),
            "os_5y": mean(os5),
            "relapse_1y": mean(self.relapse_share * event_1y),
            "nrm_1y": mean((1 - self.relapse_share) * event_1y),
            "os_5y_cord_blood": mean(os5, is_cb),
            "os_5y_other_sources": mean(os5, ~is_cb),
            "os_5y_crpr": mean(os5, is_rem),
            "os_5y_efs_12m": self.conditional_os(5.0),
        }

    # sampling -------------------------------------------------------------------------

    def sample(self, n: int, seed: int, remission_share_cord_blood: float | None = None) -> pd.DataFrame:
        """A synthetic cohort of ``n`` transplanted patients as a pandas DataFrame (labelled synthetic).

        Group sizes follow the abstract's proportions exactly (largest-remainder rounding), so at
        n = 59 the table of graft sources and disease status is the published one and only the
        outcomes vary. ``remission_share_cord_blood`` makes disease status depend on graft source
        (for the confounding lesson) while keeping the overall remission share.
        """
        arrays = self.sample_arrays(n, np.random.default_rng(seed), remission_share_cord_blood)
        return _frame(arrays, n, seed, self)

    def sample_arrays(self, n: int, rng: np.random.Generator,
                      remission_share_cord_blood: float | None = None) -> dict[str, np.ndarray]:
        """The columns of :meth:`sample` as numpy arrays (no DataFrame: fast for simulations)."""
        if not isinstance(n, int | np.integer) or n < 2:
            raise ValueError(f"a cohort needs at least 2 patients, not {n!r}")
        graft = _allocate(self.design.graft_counts, n, rng)
        is_cb = graft == CORD_BLOOD
        status = self._status(n, is_cb, rng, remission_share_cord_blood)
        in_remission = np.isin(status, REMISSION_LABELS)
        multiplier = np.exp(self.graft_log_hr * ~is_cb + self.status_log_hr * ~in_remission)
        return {"graft": graft, "cord_blood": is_cb, "status": status, "remission": in_remission,
                **self._outcomes(multiplier, rng)}

    def _status(self, n: int, is_cb: np.ndarray, rng: np.random.Generator, share_cb: float | None) -> np.ndarray:
        counts = self.design.status_counts
        if share_cb is None:
            return _allocate(counts, n, rng)
        if not 0.0 <= share_cb <= 1.0:
            raise ValueError(f"remission_share_cord_blood must be between 0 and 1, not {share_cb!r}")
        cb = self.design.cord_blood_share
        share_other = (self.design.remission_share - cb * share_cb) / (1 - cb)
        if not 0.0 <= share_other <= 1.0:
            raise ValueError(f"remission_share_cord_blood={share_cb} cannot keep the overall remission share")
        remission = {label: counts[label] for label in REMISSION_LABELS}
        no_remission = {label: c for label, c in counts.items() if label not in REMISSION_LABELS}
        status = np.empty(n, dtype=object)
        for mask, share in ((is_cb, share_cb), (~is_cb, share_other)):
            size = int(mask.sum())
            in_rem = _allocate({"yes": share, "no": 1 - share}, size, rng) == "yes"
            labels = np.empty(size, dtype=object)
            labels[in_rem] = _allocate(remission, int(in_rem.sum()), rng)
            labels[~in_rem] = _allocate(no_remission, int((~in_rem).sum()), rng)
            status[mask] = labels
        return status

    def _outcomes(self, multiplier: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Event times by inverting the piecewise-constant cumulative hazard (vectorised)."""
        n = multiplier.size
        h = self.first_year_hazard * multiplier
        exposure = rng.standard_exponential(n)
        early = exposure < h
        event_time = np.where(early, exposure / np.where(early, h, 1.0), 1.0 + (exposure - h) / self.late_hazard)
        share = np.where(early, self.relapse_share, self.design.late_relapse_share)
        relapse = rng.random(n) < share
        death = event_time + np.where(relapse, rng.standard_exponential(n) / self.death_after_relapse, 0.0)
        low, high = self.design.follow_up
        censor = rng.uniform(low, high, n)
        seen = event_time <= censor
        return {
            "efs_time": np.minimum(event_time, censor),
            "efs_event": np.where(seen, np.where(relapse, RELAPSE, NRM), CENSORED).astype(np.int8),
            "os_time": np.minimum(death, censor),
            "os_event": (death <= censor),
            "relapse_time": np.where(seen & relapse, event_time, np.nan),
        }


def _allocate(counts: Mapping[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """Labels in proportion to ``counts`` (largest remainder), in random order."""
    labels = list(counts)
    weights = np.array([counts[label] for label in labels], dtype=float)
    exact = n * weights / weights.sum()
    sizes = np.floor(exact).astype(int)
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[: n - sizes.sum()]] += 1
    return rng.permutation(np.repeat(np.array(labels, dtype=object), sizes))


def _frame(arrays: dict[str, np.ndarray], n: int, seed: int, model: CohortModel) -> pd.DataFrame:
    frame = pd.DataFrame({
        "graft": pd.Categorical(arrays["graft"], categories=list(model.design.graft_counts)),
        "graft_group": pd.Categorical(np.where(arrays["cord_blood"], CORD_BLOOD, OTHER_SOURCES),
                                      categories=[CORD_BLOOD, OTHER_SOURCES]),
        "status": pd.Categorical(arrays["status"], categories=list(model.design.status_counts)),
        **{name: arrays[name] for name in ("remission", "efs_time", "efs_event", "os_time", "os_event",
                                            "relapse_time")},
    })
    frame.index.name = "patient"
    frame.attrs.update({
        "synthetic": True,
        "label": SYNTHETIC,
        "description": f"{SYNTHETIC}: {n} simulated transplant recipients (random seed {seed}), calibrated to the "
                       f"published figures of [@{model.design.source}]; not real patients.",
        "seed": seed,
        "source": model.design.source,
        "time_unit": "years since transplant",
    })
    return frame


def _residuals(params: np.ndarray, design: Design) -> np.ndarray:
    model = _model_from(params, design)
    predicted = model.predicted()
    return np.array([predicted[name] - design.targets[name] for name in TARGET_NAMES])


def _model_from(params: np.ndarray, design: Design) -> CohortModel:
    hazard, share_logit, graft, status, late, death = params
    return CohortModel(
        first_year_hazard=float(np.exp(hazard)),
        relapse_share=float(1 / (1 + np.exp(-share_logit))),
        graft_log_hr=float(graft),
        status_log_hr=float(status),
        late_hazard=float(np.exp(late)),
        death_after_relapse=float(np.exp(death)),
        design=design,
    )


def calibrate(design: Design | None = None) -> CohortModel:
    """Solve the six free rates so the model reproduces the published figures (least squares).

    Deterministic (no random numbers) and quick (a few milliseconds), so the notebook, the tests
    and the benchmark all solve it afresh rather than trusting stored numbers.
    """
    design = design or load_design()
    start = np.array([math.log(1.0), 1.5, 0.5, 0.5, math.log(0.04), math.log(4.0)])
    fit = least_squares(_residuals, start, args=(design,), method="lm", xtol=1e-12, ftol=1e-12)
    return _model_from(fit.x, design)


def abstract_consistency(design: Design | None = None) -> dict[str, float]:
    """What the abstract's own figures imply, to show they cannot all hold exactly at once.

    Event-free at 12 months = 1 - relapse - NRM at 1 year; those patients alone, times the
    landmark 5-year OS, already exceed the published 5-year OS of everyone. Estimates from 59
    patients with censoring, by different methods, need not agree exactly.
    """
    design = design or load_design()
    t = design.targets
    event_free = 1 - t["relapse_1y"] - t["nrm_1y"]
    return {
        "event_free_1y": event_free,
        "implied_min_os_5y": event_free * t["os_5y_efs_12m"],
        "published_os_5y": t["os_5y"],
        "alive_after_relapse_1y": t["os_1y"] - event_free,
    }


# -- two competing constant hazards (closed-form truth) ---------------------------


def true_cumulative_incidence(t: ArrayLike, rate: float, competing_rate: float) -> np.ndarray:
    """CIF of the event with hazard ``rate`` when a competing event has ``competing_rate``:
    rate / (rate + competing) * (1 - exp(-(rate + competing) t))."""
    total = rate + competing_rate
    return rate / total * (1 - np.exp(-total * np.asarray(t, dtype=float)))


def naive_one_minus_km(t: ArrayLike, rate: float) -> np.ndarray:
    """What 1 - Kaplan-Meier converges to when competing events are treated as censored: 1 - exp(-rate t)."""
    return 1 - np.exp(-rate * np.asarray(t, dtype=float))


def competing_exponentials(n: int, rate: float, competing_rate: float, seed: int,
                           follow_up: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """SYNTHETIC data from two constant competing hazards with uniform censoring on (0, follow_up).

    Returns (durations, events) with events 0 = censored, 1 = event of interest, 2 = competing event.
    """
    if rate <= 0 or competing_rate <= 0:
        raise ValueError("both hazards must be positive")
    rng = np.random.default_rng(seed)
    total = rate + competing_rate
    time = rng.standard_exponential(n) / total
    cause = np.where(rng.random(n) < rate / total, 1, 2)
    censor = rng.uniform(0.0, follow_up, n)
    return np.minimum(time, censor), np.where(time <= censor, cause, 0).astype(np.int8)


# -- the guarantee-time (immortal-time) bias lesson ---------------------------------


def guarantee_time_groups(frame: pd.DataFrame, seed: int, median_response_years: float = 0.25) -> pd.DataFrame:
    """Add a 'responded after transplant' flag that has NO effect on survival, for the bias lesson.

    Each patient gets a random time to a post-transplant 'response', independent of everything;
    the flag is true only if the patient was still alive (and followed) when it came. Comparing
    survival by this flag from time zero shows guarantee-time (immortal-time) bias.
    """
    rng = np.random.default_rng(seed)
    response_time = rng.standard_exponential(len(frame)) * median_response_years / math.log(2)
    marked = frame.copy()
    marked["response_time"] = response_time
    marked["responded"] = response_time < marked["os_time"].to_numpy()
    marked.attrs = dict(frame.attrs)
    return marked
