"""Grader-side checks for the EBV base-rate exercise (read by the grader only, never released).

Prevalence, sensitivity and specificity are drawn at grading time, across rare and
common diseases, so only a correct formula passes. Expected values come from the
source notebook's solution (``ref``).
"""

from ankl_course.grading.checks import call, expect

PRELOAD = ()


def scenarios(rng, count):
    for _ in range(count):
        prevalence = float(10 ** rng.uniform(-5, -0.3))
        yield prevalence, float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.5, 0.999))


def check_ppv(ref, rng):
    for args in ((0.5, 0.9, 0.9), (0.001, 0.95, 0.95)):
        yield expect(call("ppv", *args), ref.ppv(*args), "close", hidden=False)
    yield expect(call("ppv", 0.0, 0.9, 1.0), 0.0, "close", hint="nobody tests positive: return 0.0")
    for args in scenarios(rng, 20):
        yield expect(call("ppv", *args), ref.ppv(*args), "close", hint="true positives over all positives")


def check_npv(ref, rng):
    yield expect(call("npv", 0.5, 0.9, 0.9), ref.npv(0.5, 0.9, 0.9), "close", hidden=False)
    for args in scenarios(rng, 20):
        yield expect(call("npv", *args), ref.npv(*args), "close", hint="true negatives over all negatives")


def check_expected_counts(ref, rng):
    yield expect(call("expected_counts", 1000, 0.1, 0.8, 0.9), ref.expected_counts(1000, 0.1, 0.8, 0.9),
                 "close", hidden=False)
    for prevalence, sensitivity, specificity in scenarios(rng, 10):
        n = int(rng.integers(100, 1_000_000))
        yield expect(call("expected_counts", n, prevalence, sensitivity, specificity),
                     ref.expected_counts(n, prevalence, sensitivity, specificity), "close", tol=1e-6)


CHECKS = {"test_ppv": check_ppv, "test_npv": check_npv, "test_expected_counts": check_expected_counts}
