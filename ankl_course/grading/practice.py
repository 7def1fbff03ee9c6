"""The primer's practice: each small task checked at once, in the student's own kernel.

The primer ("Working in a notebook") lets a student who has never programmed try each skill the
graded exercises need (a variable, a function call, a pandas table, filling in a line) and see at
once whether it worked, before any exercise counts. The answers are simple values, so the check is
a plain comparison; the message says what to try next rather than just "wrong". A task left as
``...`` (Python's Ellipsis, what the primer ships with) is "not done yet", never an error, so the
notebook runs top to bottom as shipped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Task:
    """One practice task: how to get the student's answer, the right one, and a hint."""

    name: str
    expected: Any
    hint: str
    read: Callable[[dict[str, Any]], Any]


def _value(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda namespace: namespace.get(name, ...)


def _call(name: str, *args: Any) -> Callable[[dict[str, Any]], Any]:
    def read(namespace: dict[str, Any]) -> Any:
        function = namespace.get(name, ...)
        return function(*args) if callable(function) else ...

    return read


TASKS = {
    "ratio": Task("ratio", 45 / 150, "divide with /: platelets / normal_low", _value("ratio")),
    "rounded": Task("rounded", 0.3, "round(number, 1) keeps one decimal", _value("rounded")),
    "with_fever": Task("with_fever", 3, "len(table[table[\"fever\"]]) counts the rows with fever",
                       _value("with_fever")),
    "lowest": Task("lowest", 22, "table[\"platelets\"].min() is the smallest value of a column", _value("lowest")),
    "bmi": Task("bmi(70, 1.75)", 70 / 1.75**2, "return weight_kg / height_m ** 2", _call("bmi", 70, 1.75)),
}


def result(task: str, namespace: dict[str, Any]) -> tuple[bool | None, str]:
    """(True, False or None for "not done yet", the message) for one practice task."""
    item = TASKS[task]
    try:
        answer = item.read(namespace)
    except NotImplementedError:
        answer = ...
    except Exception as exc:  # noqa: BLE001 - a student's error is feedback, not a crash
        return False, f"Not yet: {item.name} raised {type(exc).__name__}: {exc}. Hint: {item.hint}."
    if answer is ...:
        return None, f"Not done yet: replace the ... for {item.name} and run the cell again."
    if _same(answer, item.expected):
        return True, f"Correct: {item.name} is {_show(answer)}."
    return False, f"Not yet: {item.name} is {_show(answer)}. Hint: {item.hint}."


def check(task: str, namespace: dict[str, Any]) -> None:
    """Print the result of one practice task (what the primer's check cells call)."""
    print(result(task, namespace)[1])


def _same(answer: Any, expected: Any) -> bool:
    if hasattr(answer, "item") and not isinstance(answer, bool):
        answer = answer.item()  # numpy and pandas numbers
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return bool(answer == expected)
    return math.isclose(float(answer), float(expected), rel_tol=1e-3, abs_tol=1e-9)


def _show(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else repr(value)
