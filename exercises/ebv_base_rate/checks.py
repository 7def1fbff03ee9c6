"""Grader-side checks for the EBV base-rate exercise (read by the grader only, never released).

Tasks 1 and 2 are value answers worked out from the student's own numbers (``variant``), so a
classmate's answers do not fit; rounding to whole people or one decimal passes. Task 3's function
is called with prevalence, sensitivity and specificity drawn at grading time, so only a correct
formula passes. Expected values come from the source notebook's solution (``ref``), run with the
student's variant.
"""

from ankl_course.grading.checks import call, expect, value

PRELOAD = ()

#: One in N people tested has the disease: rare, as ANKL is, at every variant.
ONE_IN = (200, 250, 400, 500, 800, 1000)

RUBRICS = {
    "explain_ppv": (
        "2 points: uses the student's own PPV correctly (most positives are false positives) AND says what "
        "the result does not mean (not a diagnosis) and what follows (further tests), in plain words. "
        "1 point: one of the two, or right but full of jargon. 0: reads the positive test as a diagnosis, "
        "or confuses PPV with sensitivity. No patient-specific advice expected."),
}


def variant(rng):
    """The student's numbers: a rare disease, a good but imperfect test."""
    return {
        "tested": int(rng.choice([10_000, 20_000, 50_000])),
        "prevalence": 1 / int(rng.choice(ONE_IN)),
        "sensitivity": round(float(rng.uniform(0.85, 0.99)), 2),
        "specificity": round(float(rng.uniform(0.85, 0.98)), 2),
    }


def scenarios(rng, count):
    for _ in range(count):
        prevalence = float(10 ** rng.uniform(-5, -0.3))
        yield prevalence, float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.5, 0.999))


def check_table(ref, rng):
    for name in ("true_positive", "false_positive", "false_negative", "true_negative"):
        yield expect(value(name), getattr(ref, name), "close", tol=0.51, rel=0.005,
                     hint="your numbers are in the first code cell; whole people are fine")


def check_ppv_value(ref, rng):
    yield expect(value("ppv_percent"), ref.ppv_percent, "close", tol=0.051, rel=0.01,
                 hint="true positives over all positives, times 100, from your own table")


def check_ppv(ref, rng):
    for args in ((0.5, 0.9, 0.9), (0.001, 0.95, 0.95)):
        yield expect(call("ppv", *args), ref.ppv(*args), "close", hidden=False)
    for args in scenarios(rng, 20):
        yield expect(call("ppv", *args), ref.ppv(*args), "close", hint="true positives over all positives")


CHECKS = {"test_table": check_table, "test_ppv_value": check_ppv_value, "test_ppv": check_ppv}
