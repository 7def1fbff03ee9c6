"""Transplant outcomes: a synthetic registry cohort calibrated to a published abstract, analysed with lifelines.

Why this module exists: the best evidence on allogeneic transplantation for ANKL
is a registry study of 59 patients (Fujimoto et al., 2021) whose patient-level
data is not public. To let students *do* the analysis that paper reports, and
see how much 59 patients can and cannot show, the course generates SYNTHETIC
patients from a small multi-state model whose parameters are solved so that, at
large n, the cohort reproduces the abstract's figures (read from the facts
registry, never retyped). At n = 59 the same model shows the sampling noise a
real cohort of that size has.

Design (documented in ``data/survival/cohort_design.toml``): graft source and
disease status drawn with the abstract's proportions; first-year constant
cause-specific hazards of relapse/progression and non-relapse mortality (NRM),
multiplied by a graft effect and a disease-status effect; a small late event
hazard after one year; death at a constant rate after relapse; administrative
censoring from a spread of potential follow-up times. Six free parameters are
solved by least squares against eight published figures. The published figures
cannot all hold exactly in one population (see :func:`abstract_consistency`),
so the fit is a compromise within a stated tolerance.

All estimation is done by lifelines (Kaplan-Meier, Aalen-Johansen, log-rank);
this module only prepares data, chooses sensible options (the Aalen-Johansen
variance is skipped for large n, where it costs tens of seconds and the
interval is invisibly narrow), and draws figures in the course style with alt
text. Every data frame it returns carries ``attrs["synthetic"] = True``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .datafile import read_toml
from .errors import CourseDataError
from .facts import load_facts
from .resources import data_path

#: Shown in every title, caption and table of generated data.
SYNTHETIC = "SYNTHETIC data"
#: Largest n for which the Aalen-Johansen variance (confidence band) is computed by default.
#: lifelines' variance costs about 3.3 s at 1e5 and 31.6 s at 1e6; at a few thousand it is quick.
VARIANCE_LIMIT = 5_000
#: Event codes of the first event after transplant (``efs_event``).
CENSORED, RELAPSE, NRM = 0, 1, 2
EVENT_NAMES = {CENSORED: "censored", RELAPSE: "relapse or progression", NRM: "non-relapse death"}
CORD_BLOOD = "cord blood"
OTHER_SOURCES = "other sources"
REMISSION_LABELS = ("CR", "PR")
TARGET_NAMES = (
    "os_1y", "os_5y", "relapse_1y", "nrm_1y", "os_5y_cord_blood", "os_5y_other_sources", "os_5y_crpr",
    "os_5y_efs_12m",
)


# -- design file -----------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """The fixed assumptions and the published targets of the synthetic cohort (fractions, not %)."""

    targets: dict[str, float]
    target_facts: dict[str, str]
    graft_counts: dict[str, int]
    status_counts: dict[str, int]
    late_relapse_share: float
    follow_up: tuple[float, float]
    landmark: float
    tolerance_points: float
    source: str

    @property
    def n_published(self) -> int:
        """Patients in the published cohort."""
        return sum(self.graft_counts.values())

    @property
    def cord_blood_share(self) -> float:
        return self.graft_counts[CORD_BLOOD] / self.n_published

    @property
    def remission_share(self) -> float:
        return sum(self.status_counts[label] for label in REMISSION_LABELS) / self.n_published


def _number(path: Path, where: str, table: dict[str, Any], key: str, low: float, high: float) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise CourseDataError(path, f"{where}.{key}", f"must be a number between {low} and {high}, not {value!r}")
    return float(value)


def _counts(path: Path, where: str, entries: Any, facts: dict[str, Any]) -> dict[str, int]:
    if not isinstance(entries, list) or not entries:
        raise CourseDataError(path, where, "must be a list of { label = ..., fact = ... }")
    counts: dict[str, int] = {}
    for entry in entries:
        fact_id = entry.get("fact") if isinstance(entry, dict) else None
        if fact_id not in facts:
            raise CourseDataError(path, where, f"fact {fact_id!r} is not in facts.toml")
        counts[str(entry.get("label"))] = int(facts[fact_id].value)
    return counts


def load_design(path: Path | None = None) -> Design:
    """Read and validate the cohort design; published figures come from the facts registry."""
    path = path or data_path("survival", "cohort_design.toml")
    raw = read_toml(path)
    facts = load_facts()
    design = raw.get("design")
    if not isinstance(design, dict):
        raise CourseDataError(path, "[design]", "missing table")
    targets: dict[str, float] = {}
    target_facts: dict[str, str] = {}
    for index, entry in enumerate(raw.get("target", []), start=1):
        name, fact_id = entry.get("name"), entry.get("fact")
        if name not in TARGET_NAMES:
            raise CourseDataError(path, f"target #{index}", f"name must be one of {', '.join(TARGET_NAMES)}")
        if fact_id not in facts or facts[fact_id].unit != "%":
            raise CourseDataError(path, f"target {name}", f"fact {fact_id!r} is not a percentage in facts.toml")
        targets[name] = float(facts[fact_id].value) / 100.0
        target_facts[name] = fact_id
    missing = [name for name in TARGET_NAMES if name not in targets]
    if missing:
        raise CourseDataError(path, "[[target]]", f"missing target(s): {', '.join(missing)}")
    groups = raw.get("groups", {})
    graft = _counts(path, "groups.graft", groups.get("graft"), facts)
    status = _counts(path, "groups.status", groups.get("status"), facts)
    if CORD_BLOOD not in graft or not set(REMISSION_LABELS) <= set(status):
        raise CourseDataError(path, "[groups]", f"needs graft '{CORD_BLOOD}' and status 'CR' and 'PR'")
    if sum(graft.values()) != sum(status.values()):
        raise CourseDataError(path, "[groups]", "graft and status counts must add up to the same cohort size")
    low = _number(path, "design", design, "follow_up_min_years", 0.0, 50.0)
    high = _number(path, "design", design, "follow_up_max_years", low, 50.0)
    return Design(
        targets=targets,
        target_facts=target_facts,
        graft_counts=graft,
        status_counts=status,
        late_relapse_share=_number(path, "design", design, "late_relapse_share", 0.0, 1.0),
        follow_up=(low, high),
        landmark=_number(path, "design", design, "landmark_years", 0.0, 10.0),
        tolerance_points=_number(path, "design", design, "tolerance_points", 0.0, 20.0),
        source=str(raw.get("cite", "")),
    )


def survival_claims(path: Path | None = None) -> Any:
    """The survival claims of the course's source texts with their appraisal, as a table.

    The claims and their verdicts live once, in ``data/claims.toml`` (topic ``survival``),
    so chapters 5 and 6 cannot disagree on them; ``path`` reads another claims file.
    """
    import pandas as pd

    from .claims import by_topic, load_claims

    claims = load_claims(path)
    rows = [{"source text": c.source_label, "claim": c.quote, "population": c.population or "not stated",
             "what the literature shows": f"{c.verdict_label}. {c.summary}"}
            for c in (claims[i] for i in by_topic("survival", claims))]
    if not rows:
        raise CourseDataError(path or data_path("claims.toml"), "", "no claim with topic 'survival'")
    return pd.DataFrame(rows)


# -- the model ---------------------------------------------------------------------


def _decay_gap(slow: np.ndarray | float, fast: np.ndarray | float, t: float) -> Any:
    """(exp(-slow t) - exp(-fast t)) / (fast - slow), with its limit t exp(-slow t) when the rates meet."""
    slow, fast = np.asarray(slow, dtype=float), np.asarray(fast, dtype=float)
    gap = fast - slow
    near = np.abs(gap) < 1e-9
    safe = np.where(near, 1.0, gap)
    return np.where(near, t * np.exp(-slow * t), (np.exp(-slow * t) - np.exp(-fast * t)) / safe)


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
        return dataclasses.replace(self, **changes)

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

    def sample(self, n: int, seed: int, remission_share_cord_blood: float | None = None) -> Any:
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


def _allocate(counts: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """Labels in proportion to ``counts`` (largest remainder), in random order."""
    labels = list(counts)
    weights = np.array([counts[label] for label in labels], dtype=float)
    exact = n * weights / weights.sum()
    sizes = np.floor(exact).astype(int)
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[: n - sizes.sum()]] += 1
    return rng.permutation(np.repeat(np.array(labels, dtype=object), sizes))


def _frame(arrays: dict[str, np.ndarray], n: int, seed: int, model: CohortModel) -> Any:
    import pandas as pd

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
        "description": f"{SYNTHETIC}: {n} simulated transplant recipients (seed {seed}), calibrated to the "
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
    from scipy.optimize import least_squares

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


def true_cumulative_incidence(t: Any, rate: float, competing_rate: float) -> Any:
    """CIF of the event with hazard ``rate`` when a competing event has ``competing_rate``:
    rate / (rate + competing) * (1 - exp(-(rate + competing) t))."""
    total = rate + competing_rate
    return rate / total * (1 - np.exp(-total * np.asarray(t, dtype=float)))


def naive_one_minus_km(t: Any, rate: float) -> Any:
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


# -- estimation with lifelines --------------------------------------------------------


def kaplan_meier(durations: Any, observed: Any, label: str = "Kaplan-Meier") -> Any:
    """lifelines' Kaplan-Meier fit (with its 95% confidence interval)."""
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter(label=label).fit(np.asarray(durations), np.asarray(observed, dtype=bool))


def aalen_johansen(durations: Any, events: Any, cause: int, label: str = "Aalen-Johansen",
                   variance: bool | None = None) -> Any:
    """lifelines' Aalen-Johansen cumulative incidence of ``cause`` with competing events.

    ``variance=None`` computes the confidence band only up to :data:`VARIANCE_LIMIT` patients:
    that is where a student sees it; at 1e6 it would take about half a minute and be invisibly thin.
    """
    import warnings

    from lifelines import AalenJohansenFitter

    durations = np.asarray(durations, dtype=float)
    variance = durations.size <= VARIANCE_LIMIT if variance is None else variance
    fitter = AalenJohansenFitter(calculate_variance=variance, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # tied times are jittered with the fixed seed above
        fitter.fit(durations, np.asarray(events), event_of_interest=cause, label=label)
    return fitter


def value_at(fitter: Any, t: float) -> float:
    """The fitted curve (survival for Kaplan-Meier, cumulative incidence for Aalen-Johansen) at time t."""
    return float(curve_on_grid(fitter, np.array([t]))[0])


def _curve_frame(fitter: Any) -> Any:
    from lifelines import AalenJohansenFitter

    return fitter.cumulative_density_ if isinstance(fitter, AalenJohansenFitter) else fitter.survival_function_


def on_grid(frame: Any, grid: np.ndarray) -> np.ndarray:
    """Columns of a step-function table (indexed by time) evaluated at every time of ``grid``."""
    index = np.searchsorted(frame.index.to_numpy(), grid, side="right") - 1
    return frame.to_numpy()[np.clip(index, 0, None)]


def curve_on_grid(fitter: Any, grid: np.ndarray) -> np.ndarray:
    """The fitted step curve (as :func:`value_at`) evaluated at every time of ``grid``."""
    return on_grid(_curve_frame(fitter), grid)[:, 0]


def landmark_subset(frame: Any, landmark: float = 1.0) -> Any:
    """Patients known to be alive and event-free at ``landmark`` years (the conditional cohort)."""
    return frame[frame["efs_time"] >= landmark]


def logrank(frame: Any, column: str, first: Any, second: Any, time: str = "os_time", event: str = "os_event") -> Any:
    """lifelines' log-rank test of ``time``/``event`` between two values of ``column``."""
    from lifelines.statistics import logrank_test

    a, b = frame[frame[column] == first], frame[frame[column] == second]
    return logrank_test(a[time], b[time], a[event], b[event])


def estimates(frame: Any, landmark: float = 1.0) -> dict[str, float]:
    """Every published figure estimated from a cohort, as fractions (keys as :data:`TARGET_NAMES`)."""
    os_fit = kaplan_meier(frame["os_time"], frame["os_event"], "overall survival")
    relapse = aalen_johansen(frame["efs_time"], frame["efs_event"], RELAPSE, "relapse", variance=False)
    nrm = aalen_johansen(frame["efs_time"], frame["efs_event"], NRM, "NRM", variance=False)

    def os5(part: Any) -> float:
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


def comparison_table(model: CohortModel, observed: dict[str, float] | None = None) -> Any:
    """Published figure, model value and (optionally) a cohort's estimate, in percent, one row each."""
    import pandas as pd

    facts = load_facts()
    predicted = model.predicted()
    rows = []
    for name in TARGET_NAMES:
        fact_id = model.design.target_facts[name]
        row = {"figure": facts[fact_id].text, "published %": float(facts[fact_id].value),
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
    from scipy.stats import chi2

    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(variance > 0, (observed - expected) ** 2 / variance, 0.0)
    return chi2.sf(statistic, 1)


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


def guarantee_time_groups(frame: Any, seed: int, median_response_years: float = 0.25) -> Any:
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


# -- figures ---------------------------------------------------------------------------------


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def plot_survival(ax: Any, fitters: list[Any], ci: bool = True, at_risk: bool = True,
                  xticks: list[float] | None = None) -> None:
    """Kaplan-Meier curves (with confidence bands) and a numbers-at-risk table under the axes."""
    from lifelines.plotting import add_at_risk_counts

    from .figures import CYCLE

    for index, fitter in enumerate(fitters):
        fitter.plot_survival_function(ax=ax, ci_show=ci, color=CYCLE[index % len(CYCLE)], linewidth=1.8)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Years since transplant")
    ax.set_ylabel("Probability alive")
    if xticks is not None:
        ax.set_xticks(xticks)
    if at_risk:
        add_at_risk_counts(*fitters, ax=ax, rows_to_show=["At risk"], xticks=xticks)


def survival_figure(frame: Any, by: str | None = None, title: str = "Overall survival",
                    at_risk: bool = True, ci: bool = True, horizon: float = 8.0) -> Any:
    """A Kaplan-Meier figure of a synthetic cohort (optionally one curve per group), with alt text."""
    from . import figures

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
        f"{f.label}: {_percent(value_at(f, 1.0))} alive at 1 year, {_percent(value_at(f, 5.0))} at 5 years"
        for f in fitters)
    alt = (f"Kaplan-Meier curves of overall survival in a {SYNTHETIC.lower()} cohort of {len(frame)} simulated "
           f"transplant recipients, with shaded 95% confidence bands{' and numbers at risk below' if at_risk else ''}. "
           f"{described}.")
    return figures.show(fig, alt=alt)


def landmark_figure(frame: Any, landmark: float = 1.0, horizon: float = 8.0) -> Any:
    """Overall survival of everyone beside that of the patients event-free at the landmark."""
    from . import figures

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
           f"({_percent(value_at(fitters[0], 5.0))} alive at 5 years) and the {len(subset)} who were alive without "
           f"relapse at {landmark:g} year ({_percent(value_at(fitters[1], 5.0))} alive at 5 years); the second curve "
           f"stays flat at 100% until the landmark because its patients were selected for being alive then.")
    return figures.show(fig, alt=alt)


def pvalue_figure(null: np.ndarray, effect: np.ndarray, n: int) -> Any:
    """Histograms of simulated log-rank P values with and without a real graft effect."""
    from . import figures

    fig, axes = figures.new_figure("wide", ncols=2, sharey=True)
    bins = np.linspace(0, 1, 21)
    for ax, values, title, colour in ((axes[0], null, "no graft effect", "grey"),
                                      (axes[1], effect, "calibrated graft effect", figures.PALETTE["blue"])):
        ax.hist(values, bins=bins, color=colour, edgecolor="white")
        ax.axvline(0.05, color=figures.PALETTE["vermillion"], linewidth=1.2)
        ax.set_title(f"{title}: P < 0.05 in {_percent(np.mean(values < 0.05))}", fontsize=10)
        ax.set_xlabel("log-rank P value")
    axes[0].set_ylabel("simulated studies")
    fig.suptitle(f"{len(null)} {SYNTHETIC} studies of {n} patients each", fontsize=11)
    alt = (f"Two histograms of log-rank P values from {len(null)} simulated studies of {n} patients each "
           f"({SYNTHETIC.lower()}). Without a graft effect the P values are spread evenly and "
           f"{_percent(np.mean(null < 0.05))} fall below 0.05; with the calibrated effect they pile up near zero "
           f"but only {_percent(np.mean(effect < 0.05))} fall below 0.05, so many real effects would be missed.")
    return figures.show(fig, alt=alt)


def competing_risks_figure(durations: Any, events: Any, rates: tuple[float, float] | None = None,
                           title: str = "Relapse: 1 - Kaplan-Meier vs Aalen-Johansen",
                           horizon: float = 5.0, variance: bool | None = None) -> Any:
    """1 - KM (competing deaths censored) beside the Aalen-Johansen cumulative incidence, same data.

    With ``rates`` (relapse, competing) the closed-form truth of both quantities is drawn dashed.
    """
    from . import figures

    durations, events = np.asarray(durations, dtype=float), np.asarray(events)
    km = kaplan_meier(durations, events == RELAPSE, "1 - Kaplan-Meier (deaths censored)")
    aj = aalen_johansen(durations, events, RELAPSE, "Aalen-Johansen", variance=variance)
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
    ax.set_title(f"{title} ({SYNTHETIC}, n={durations.size})")
    ax.legend(loc="lower right", fontsize=8.5)
    at = min(1.0, horizon)
    alt = (f"Two step curves from the same {SYNTHETIC.lower()} cohort of {durations.size}: one minus Kaplan-Meier "
           f"reaches {_percent(1 - value_at(km, at))} at {at:g} year while the Aalen-Johansen cumulative incidence "
           f"reaches {_percent(value_at(aj, at))}; the Kaplan-Meier version is always the higher curve.{truth}")
    return figures.show(fig, alt=alt)


def ci_width_view(model: CohortModel, n: int, seed: int = 24) -> Any:
    """One frame of the sample-size explorer: a synthetic cohort of size n, its KM curve and 95% band."""
    return SampleSizeExplorer(model, seed)(n)


def hazard_scenario_view(relapse_rate: float, nrm_rate: float, n: int = 5_000, seed: int = 6) -> Any:
    """One frame of the competing-hazards explorer: simulated data, lifelines fits, closed-form truth."""
    return HazardScenarioExplorer(n, seed)(relapse_rate, nrm_rate)


class HazardScenarioExplorer:
    """Render function of the competing-hazards explorer that keeps one figure between redraws.

    A slider redraw must stay under 150 ms at n = 5,000. Building a new figure each time costs
    a good part of that, so this object builds its axes, legend and lines once (outside pyplot,
    so notebooks never show it by themselves) and each call only refits the simulated data with
    lifelines, updates the lines and renders the PNG.
    """

    def __init__(self, n: int = 5_000, seed: int = 6, horizon: float = 5.0) -> None:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        from . import figures

        self.n, self.seed, self.horizon = int(n), seed, horizon
        self.grid = np.linspace(0.0, horizon, 400)
        with plt.rc_context(figures.style()):
            self.fig = Figure(figsize=figures.SIZES["wide"], dpi=figures.DPI)
            ax = self.fig.add_subplot()
            zeros = np.zeros_like(self.grid)
            self.naive_line = ax.step(self.grid, zeros, where="post", color=figures.PALETTE["vermillion"],
                                      label="1 - Kaplan-Meier (deaths censored)")[0]
            self.aj_line = ax.step(self.grid, zeros, where="post", color=figures.PALETTE["blue"],
                                   label="Aalen-Johansen cumulative incidence")[0]
            self.true_line = ax.plot(self.grid, zeros, "--", color=figures.PALETTE["blue"], linewidth=1,
                                     label="exact values (dashed)")[0]
            self.limit_line = ax.plot(self.grid, zeros, "--", color=figures.PALETTE["vermillion"], linewidth=1)[0]
            ax.set_xlim(0, horizon)
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("Years since transplant")
            ax.set_ylabel("Probability of relapse")
            ax.legend(loc="lower right", fontsize=8.5)
            self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9)
        self.ax = ax

    def __call__(self, relapse_rate: float, nrm_rate: float) -> Any:
        import io

        import matplotlib.pyplot as plt

        from .figures import FigureDisplay, style

        durations, events = competing_exponentials(self.n, relapse_rate, nrm_rate, self.seed)
        km = kaplan_meier(durations, events == RELAPSE)
        aj = aalen_johansen(durations, events, RELAPSE, variance=False)
        self.naive_line.set_ydata(1 - curve_on_grid(km, self.grid))
        self.aj_line.set_ydata(curve_on_grid(aj, self.grid))
        self.true_line.set_ydata(true_cumulative_incidence(self.grid, relapse_rate, nrm_rate))
        self.limit_line.set_ydata(naive_one_minus_km(self.grid, relapse_rate))
        self.ax.set_title(f"Relapse rate {relapse_rate:g}/yr, NRM rate {nrm_rate:g}/yr ({SYNTHETIC}, n={self.n})")
        buffer = io.BytesIO()
        with plt.rc_context({**style(), "savefig.bbox": "standard"}):
            self.fig.savefig(buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
        at = min(1.0, self.horizon)
        alt = (f"Two step curves from the same {SYNTHETIC.lower()} cohort of {self.n} with relapse at "
               f"{relapse_rate:g} and non-relapse death at {nrm_rate:g} per year: one minus Kaplan-Meier reaches "
               f"{_percent(1 - value_at(km, at))} at {at:g} year while the Aalen-Johansen cumulative incidence "
               f"reaches {_percent(value_at(aj, at))}; the Kaplan-Meier version is always the higher curve. "
               f"Dashed lines show the exact values of both quantities.")
        return FigureDisplay(buffer.getvalue(), alt)


class SampleSizeExplorer:
    """Render function of the sample-size explorer, keeping one figure between redraws (see
    :class:`HazardScenarioExplorer` for why)."""

    def __init__(self, model: CohortModel, seed: int = 24, horizon: float = 8.0) -> None:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        from . import figures

        self.model, self.seed = model, seed
        self.grid = np.linspace(0.0, horizon, 400)
        self.colour = figures.PALETTE["blue"]
        with plt.rc_context(figures.style()):
            self.fig = Figure(figsize=figures.SIZES["wide"], dpi=figures.DPI)
            ax = self.fig.add_subplot()
            self.line = ax.step(self.grid, np.ones_like(self.grid), where="post", color=self.colour)[0]
            ax.axvline(5.0, color="grey", linewidth=0.8, linestyle=":")
            ax.set_xlim(0, horizon)
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("Years since transplant")
            ax.set_ylabel("Probability alive")
            self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9)
        self.ax = ax
        self.band: Any = None

    def __call__(self, n: int) -> Any:
        import io

        import matplotlib.pyplot as plt

        from .figures import FigureDisplay, style

        n = int(n)
        arrays = self.model.sample_arrays(n, np.random.default_rng(self.seed))
        fit = kaplan_meier(arrays["os_time"], arrays["os_event"], f"n={n}")
        band = on_grid(fit.confidence_interval_survival_function_, self.grid)
        low, high = band[np.searchsorted(self.grid, 5.0, side="right") - 1]
        estimate = value_at(fit, 5.0)
        self.line.set_ydata(curve_on_grid(fit, self.grid))
        if self.band is not None:
            self.band.remove()
        self.band = self.ax.fill_between(self.grid, band[:, 0], band[:, 1], step="post", color=self.colour,
                                         alpha=0.25, linewidth=0)
        self.ax.set_title(f"{SYNTHETIC}: n={n}, 5-year OS {_percent(estimate)} "
                          f"(95% CI {_percent(low)} to {_percent(high)})")
        buffer = io.BytesIO()
        with plt.rc_context({**style(), "savefig.bbox": "standard"}):
            self.fig.savefig(buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
        alt = (f"Kaplan-Meier curve of a {SYNTHETIC.lower()} cohort of {n} patients with its shaded 95% "
               f"confidence band; at 5 years the estimate is {_percent(estimate)}, with a confidence "
               f"interval from {_percent(low)} to {_percent(high)}.")
        return FigureDisplay(buffer.getvalue(), alt)
