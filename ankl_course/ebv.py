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

import numpy as np

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


def _series(days: Sequence[float], loads: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
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


def fit_decline(days: Sequence[float], loads: Sequence[float]) -> DeclineFit:
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
