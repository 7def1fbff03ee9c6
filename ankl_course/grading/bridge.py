"""The same hidden checks, run inside a notebook: what the sources' hidden test regions call.

``ankl-course grade`` never runs test cells; it asks the student's process for
plain-data answers and judges them in the grader. A teacher who grades the same
sources with nbgrader instead gets, in each test cell's hidden region, a call to
:func:`run_checks`, which runs the very same check spec in the notebook's own
kernel (nbgrader's trust model: there, the student's code could interfere) and
fails the cell with the same messages. So both tools score the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .answers import answer_probe
from .chapter_quiz import PREFIX, get_quiz
from .checks import judge, make_plan
from .exercises import get_exercise


def run_checks(exercise_name: str, grade_id: str, namespace: dict[str, Any], seed: int | None = None) -> None:
    """Raise AssertionError (with the grader's messages) unless test ``grade_id`` passes here."""
    exercise = get_quiz(exercise_name) if exercise_name.startswith(PREFIX) else get_exercise(exercise_name)
    checks = {grade_id: exercise.checks[grade_id]}
    plan = make_plan(checks, exercise.reference(), np.random.default_rng(seed))
    for name, data in plan.files.items():
        with open(name, "wb") as handle:
            handle.write(data)
    answers = [answer_probe(probe, namespace) for probe in plan.probes()]
    (result,) = judge(plan, answers, {grade_id: 1.0})
    if not result.passed:
        raise AssertionError("; ".join(result.messages))
