"""Grader-side checks for the Kaplan-Meier exercise (read by the grader only, never released).

The expected curves come from lifelines (``KaplanMeierFitter``), not from the
source's hand-written solution: the exercise is to reproduce the library. Data
are drawn at grading time, with ties and censoring, so a curve typed in by hand fails.
"""

import numpy as np
from lifelines import KaplanMeierFitter

from ankl_course.grading.checks import call, expect

PRELOAD = ("numpy",)
VISIBLE = ([3, 5, 5, 8, 12, 12, 12, 15, 20, 24], [1, 1, 0, 1, 1, 0, 1, 0, 1, 0])


def cohort(rng):
    n = int(rng.integers(8, 60))
    durations = [int(x) for x in rng.integers(1, 40, n)]
    events = [int(x) for x in rng.random(n) < rng.uniform(0.4, 0.9)]
    if not any(events):
        events[0] = 1
    return durations, events


def lifelines_curve(durations, events):
    fitter = KaplanMeierFitter().fit(durations, events)
    times = sorted({d for d, e in zip(durations, events, strict=True) if e})
    survival = fitter.survival_function_at_times(times).to_numpy()
    return fitter, {"time": [float(t) for t in times], "survival": [float(s) for s in survival]}


def check_kaplan_meier(ref, rng):
    _, curve = lifelines_curve(*VISIBLE)
    yield expect(call("kaplan_meier", *VISIBLE), curve, "close", hidden=False)
    for _ in range(8):
        durations, events = cohort(rng)
        _, curve = lifelines_curve(durations, events)
        yield expect(call("kaplan_meier", durations, events), curve, "close",
                     hint="at risk = follow-up >= t, censored subjects included at their own time")


def check_survival_at(ref, rng):
    yield expect(call("survival_at", *VISIBLE, 0), 1.0, "close", hidden=False)
    for _ in range(8):
        durations, events = cohort(rng)
        fitter, _ = lifelines_curve(durations, events)
        t = float(rng.uniform(0, 45))
        expected = float(fitter.survival_function_at_times([t]).iloc[0])
        yield expect(call("survival_at", durations, events, t), expected, "close")


def check_median_survival(ref, rng):
    yield expect(call("median_survival", [1, 2, 3], [0, 0, 0]), float("inf"), "close", hidden=False)
    for _ in range(8):
        durations, events = cohort(rng)
        fitter, curve = lifelines_curve(durations, events)
        while any(abs(s - 0.5) < 1e-9 for s in curve["survival"]):  # exactly 0.5 is a rounding coin toss
            durations, events = cohort(rng)
            fitter, curve = lifelines_curve(durations, events)
        yield expect(call("median_survival", durations, events), float(fitter.median_survival_time_), "close",
                     hint="the first time the curve is at or below 0.5; inf if never")
    yield expect(call("median_survival", [5, 6, 7, 8], [1, 0, 0, 0]), float(np.inf), "close")


CHECKS = {
    "test_kaplan_meier": check_kaplan_meier,
    "test_survival_at": check_survival_at,
    "test_median_survival": check_median_survival,
}
