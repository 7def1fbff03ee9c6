"""Grader-side answers for the quiz exercise (read by the grader only, never released).

The answer key is given in the source's own letters (``KEY``). With per-student variants
(``variant``), each student sees the options of the choice questions in an order of their own
(``shape`` reorders the Markdown; the model answers follow), so a classmate's letters do not fit;
the checks compare with the answers of the student's own version (``ref``, the source's solution
as that variant).
"""

from typing import Any

from ankl_course.grading.checks import expect, value
from ankl_course.grading.variants import LETTERS, shuffle_options

PRELOAD = ()

#: question number -> (its correct letters in the source, its number of options)
KEY = {1: ("b", 4), 2: ("ab", 4), 4: ("b", 4)}
VARIANT_DATA = tuple(f"order_q{number}" for number in KEY)


def variant(rng):
    """Each choice question's option order (``order_qN``) and the letters that are right in it (``answer_N``)."""
    params: dict[str, Any] = {}
    for number, (letters, count) in KEY.items():
        order = [int(i) for i in rng.permutation(count)]  # order[i]: the source option shown as letter i
        params[f"order_q{number}"] = order
        params[f"answer_{number}"] = "".join(sorted(LETTERS[order.index(LETTERS.index(k))] for k in letters))
    return params


def shape(notebook, params):
    """Show each choice question's options in the student's order."""
    for number in KEY:
        shuffle_options(notebook, f"q{number}", params[f"order_q{number}"])


def check_q1(ref, rng):
    yield expect(value("answer_1"), ref.answer_1, "choice")


def check_q2(ref, rng):
    yield expect(value("answer_2"), ref.answer_2, "choice", hint="name every correct letter and no other")


def check_q3(ref, rng):
    yield expect(value("answer_3"), False)


def check_q4(ref, rng):
    yield expect(value("answer_4"), ref.answer_4, "choice")


CHECKS = {"test_q1": check_q1, "test_q2": check_q2, "test_q3": check_q3, "test_q4": check_q4}
