"""Grader-side checks for the competing-risks exercise (read by the grader only, never released).

Expected values come from lifelines: ``AalenJohansenFitter`` (without its variance,
which is slow and not needed) for the CIF, ``KaplanMeierFitter`` with the competing
events as censored for 1 - KM. Times are drawn at grading time without ties, so
lifelines does not jitter them.
"""

import warnings

import numpy as np
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from ankl_course.grading.checks import call, expect

PRELOAD = ("numpy",)
VISIBLE = ([1.5, 2.0, 3.1, 4.7, 5.2, 6.8, 7.3, 9.9, 11.4, 12.6], [1, 2, 0, 1, 2, 1, 0, 2, 1, 0])


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


def lifelines_answers(durations, causes, cause):
    times = sorted({d for d, c in zip(durations, causes, strict=True) if c == cause})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aj = AalenJohansenFitter(calculate_variance=False).fit(durations, causes, event_of_interest=cause)
    km = KaplanMeierFitter().fit(durations, [int(c == cause) for c in causes])
    cif = step_at(aj.cumulative_density_, times)
    naive = [1.0 - s for s in step_at(km.survival_function_, times)]
    return times, cif, naive


def check_cumulative_incidence(ref, rng):
    times, cif, _ = lifelines_answers(*VISIBLE, 1)
    yield expect(call("cumulative_incidence", *VISIBLE, 1), {"time": times, "cif": cif}, "close", hidden=False)
    for _ in range(6):
        durations, causes = cohort(rng)
        cause = int(rng.integers(1, 3)) if 2 in causes else 1
        times, cif, _ = lifelines_answers(durations, causes, cause)
        yield expect(call("cumulative_incidence", durations, causes, cause), {"time": times, "cif": cif}, "close",
                     tol=1e-7, hint="weight each event by the all-cause survival just before it")


def check_one_minus_km(ref, rng):
    times, _, naive = lifelines_answers(*VISIBLE, 1)
    yield expect(call("one_minus_km", *VISIBLE, 1), {"time": times, "one_minus_km": naive}, "close", hidden=False)
    for _ in range(6):
        durations, causes = cohort(rng)
        times, _, naive = lifelines_answers(durations, causes, 1)
        yield expect(call("one_minus_km", durations, causes, 1), {"time": times, "one_minus_km": naive}, "close",
                     tol=1e-7, hint="competing events count as censored here")


def check_overestimate(ref, rng):
    for index in range(6):
        durations, causes = VISIBLE if index == 0 else cohort(rng)
        _, cif, naive = lifelines_answers(durations, causes, 1)
        yield expect(call("overestimate", durations, causes, 1), naive[-1] - cif[-1], "close", tol=1e-7,
                     hidden=index > 0)


CHECKS = {
    "test_cumulative_incidence": check_cumulative_incidence,
    "test_one_minus_km": check_one_minus_km,
    "test_overestimate": check_overestimate,
}
