"""Grader-side checks for the competing-risks exercise (read by the grader only, never released).

Every student has their own eight patients (``variant``); the two values they read off are checked
against lifelines on those patients, and the one line of ``cumulative_incidence`` they write against
lifelines' Aalen-Johansen estimate on patients drawn at grading time.

Expected values come from lifelines: ``AalenJohansenFitter`` (without its variance,
which is slow and not needed) for the CIF, ``KaplanMeierFitter`` with the competing
events as censored for 1 - KM. Times are drawn at grading time without ties, so
lifelines does not jitter them.
"""

import warnings

import numpy as np
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from ankl_course.grading.checks import call, expect, value

PRELOAD = ("pandas",)
PATIENTS = 8
VISIBLE = ([1.5, 2.0, 3.1, 4.7, 5.2, 6.8, 7.3, 9.9, 11.4, 12.6], [1, 2, 0, 1, 2, 1, 0, 2, 1, 0])

RUBRICS = {
    "explain_bias": (
        "2 points: 1 - KM treats those who died without relapse as if they could still relapse (counts "
        "impossible relapses), uses the student's own two numbers, plain words. 1 point: the idea without "
        "the numbers, or the numbers without the reason. 0: says the two estimate different things without "
        "saying which is right for the chance of relapse."),
}


def cohort(rng):
    n = int(rng.integers(10, 60))
    durations = [float(x) for x in rng.exponential(12.0, n) + 0.01]
    while len(set(durations)) < n:  # ties would make lifelines jitter the times
        durations = [float(x) for x in rng.exponential(12.0, n) + 0.01]
    causes = [int(x) for x in rng.choice([0, 1, 2], size=n, p=[0.25, 0.4, 0.35])]
    if 1 not in causes:
        causes[0] = 1
    return durations, causes


def step_at(frame, times):
    """Values of a lifelines step function (indexed by time) at ``times``."""
    index = frame.index.to_numpy()
    values = frame.iloc[:, 0].to_numpy()
    return [float(values[np.searchsorted(index, t, side="right") - 1]) for t in times]


def variant(rng):
    """Eight patients with distinct times, at least two relapses and one death without relapse."""
    while True:
        months = sorted({round(float(m), 1) for m in rng.exponential(8.0, PATIENTS) + 0.5})
        causes = [int(c) for c in rng.choice([0, 1, 2], size=len(months), p=[0.25, 0.4, 0.35])]
        if len(months) == PATIENTS and causes.count(1) >= 2 and 2 in causes:
            return {"months": months, "causes": causes}


def check_one_minus_km(ref, rng):
    last = max(m for m, c in zip(ref.months, ref.causes, strict=True) if c == 1)
    km = KaplanMeierFitter().fit(ref.months, [int(c == 1) for c in ref.causes])
    expected = 1.0 - step_at(km.survival_function_, [last])[0]
    yield expect(value("naive_relapse"), expected, "close", tol=0.0051,
                 hint="1 minus the last survival value of the table where only relapses count")


def check_cumulative_incidence(ref, rng):
    for index in range(7):
        durations, causes = VISIBLE if index == 0 else cohort(rng)
        cause = 1 if index < 4 else 2
        times = sorted({d for d, c in zip(durations, causes, strict=True) if c > 0})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            aj = AalenJohansenFitter(calculate_variance=False).fit(durations, causes, event_of_interest=cause)
        yield expect(call("cumulative_incidence", durations, causes, cause), step_at(aj.cumulative_density_, times),
                     "close", tol=1e-7, hidden=index > 0,
                     hint="add the survival just before the time, times d_k over the number at risk")


def check_overestimate(ref, rng):
    times = sorted({m for m, c in zip(ref.months, ref.causes, strict=True) if c > 0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aj = AalenJohansenFitter(calculate_variance=False).fit(ref.months, ref.causes, event_of_interest=1)
    cif = step_at(aj.cumulative_density_, times)[-1]
    yield expect(value("cif_relapse"), cif, "close", tol=0.0051, hint="the last value of cumulative_incidence")
    yield expect(value("overestimate"), ref.naive_relapse - cif, "close", tol=0.0051,
                 hint="naive_relapse - cif_relapse")


CHECKS = {
    "test_one_minus_km": check_one_minus_km,
    "test_cumulative_incidence": check_cumulative_incidence,
    "test_overestimate": check_overestimate,
}
