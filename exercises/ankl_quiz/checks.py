"""Grader-side answers for the quiz exercise (read by the grader only, never released).

The numeric answer is computed from the course's facts registry (the same cited
counts the question quotes), so it cannot drift from the source.
"""

from ankl_course.facts import fact
from ankl_course.grading.checks import expect, value

PRELOAD = ()


def check_q1(ref, rng):
    yield expect(value("answer_1"), "b", "choice")


def check_q2(ref, rng):
    yield expect(value("answer_2"), "ab", "choice", hint="name every correct letter and no other")


def check_q3(ref, rng):
    yield expect(value("answer_3"), False)


def check_q4(ref, rng):
    share = 100 * fact("fujimoto2021.n_cr").value / fact("fujimoto2021.n_patients").value
    yield expect(value("answer_4"), share, "close", tol=0.051, hint="a percentage, not a fraction")


CHECKS = {"test_q1": check_q1, "test_q2": check_q2, "test_q3": check_q3, "test_q4": check_q4}
