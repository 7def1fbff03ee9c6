"""The primer's practice checks: right, not done yet (the shipped ``...``), wrong with a hint, and errors."""

from __future__ import annotations

import json

import pandas as pd

from ankl_course.grading import practice
from ankl_course.resources import notebooks_dir


def test_each_practice_task_says_right_not_done_or_wrong():
    done = {"ratio": 45 / 150, "rounded": 0.3, "with_fever": 3, "lowest": pd.Series([45, 22]).min(),
            "bmi": lambda w, h: w / h**2}
    for task in practice.TASKS:
        assert practice.result(task, done)[0] is True, task
        assert practice.result(task, {"ratio": ..., "rounded": ..., "with_fever": ..., "lowest": ...,
                                      "bmi": lambda w, h: ...})[0] is None, task
    right, message = practice.result("ratio", {"ratio": 150 / 45})
    assert right is False and "Hint: divide with /" in message
    right, message = practice.result("bmi", {"bmi": lambda w, h: w / h * 2})
    assert right is False and "bmi(70, 1.75) is 80" in message
    right, message = practice.result("bmi", {"bmi": lambda w, h: w / undefined_name})  # noqa: F821
    assert right is False and "raised NameError" in message
    assert practice.result("with_fever", {"with_fever": "3"})[0] is False


def test_the_primer_checks_every_practice_task_and_ships_them_undone():
    nb = json.loads((notebooks_dir() / "00_working_in_a_notebook.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    for task in practice.TASKS:
        assert f'practice.check("{task}", globals())' in code
    assert code.count("= ...") + code.count("return ...") == len(practice.TASKS)
