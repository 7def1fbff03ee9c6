"""Grader-side checks for the life-table exercise (read by the grader only, never released).

Every student has their own eight patients (``variant``): follow-up months with ties and censoring,
chosen so that the median is reached. The at-risk and death counts come from the source's solution
run on the student's variant; the survival column is checked against lifelines' Kaplan-Meier
estimate, so the hand method and the library agree.
"""

from lifelines import KaplanMeierFitter

from ankl_course.grading.checks import expect, value

PRELOAD = ("pandas",)
PATIENTS = 8

RUBRICS = {
    "censoring": (
        "2 points: counting as a death invents an event (survival too low); leaving out loses the time the "
        "patient was known alive (at-risk numbers too small); the table keeps them at risk up to their own "
        "time, then removes them without a death. 1 point: two of the three, or right but unclear. "
        "0: treats censoring as death or as a missing value."),
}


def variant(rng):
    """Eight patients with at least four deaths, one tie and a median that is reached."""
    while True:
        months = sorted(int(m) for m in rng.integers(1, 30, PATIENTS))
        died = [int(d) for d in rng.random(PATIENTS) < 0.7]
        if sum(died) >= 4 and len(set(months)) < PATIENTS and _reaches_median(months, died):
            return {"months": months, "died": died}


def _reaches_median(months, died):
    """Whether the product-limit curve gets to 0.5 (by hand: this runs for every candidate, lifelines is slow)."""
    survival = 1.0
    for t in sorted({m for m, d in zip(months, died, strict=True) if d}):
        at_risk = sum(1 for m in months if m >= t)
        survival *= 1 - sum(1 for m, d in zip(months, died, strict=True) if m == t and d) / at_risk
    return survival <= 0.5


def _survival(months, died):
    fitter = KaplanMeierFitter().fit(months, died)
    times = sorted({m for m, d in zip(months, died, strict=True) if d})
    return [float(s) for s in fitter.survival_function_at_times(times)]


def check_table(ref, rng):
    yield expect(value("death_times"), ref.death_times, "close", hint="the times at which someone died")
    yield expect(value("at_risk"), ref.at_risk, "close", hint="everyone followed to that time or longer, "
                 "censored patients included at their own time")
    yield expect(value("deaths"), ref.deaths, "close")


def check_survival_column(ref, rng):
    yield expect(value("survival"), _survival(ref.months, ref.died), "close", tol=0.0051,
                 hint="the running product of 1 - d/n")


def check_median(ref, rng):
    yield expect(value("median_months"), ref.median_months, "close",
                 hint="the first death time at which survival is 0.5 or lower")


CHECKS = {"test_table": check_table, "test_survival_column": check_survival_column, "test_median": check_median}
