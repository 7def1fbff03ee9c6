"""What happens after a student answers: the rules both quiz front ends follow.

Judging lives in :meth:`ankl_course.quiz_bank.Question.check`; this module holds the
rest of the rules: how a typed number is read, what a quiz remembers about one
question (a :class:`Record`), how a Check or a "Show answer" changes that
record, when the explanation shows, and the score line's words.

Why in one small module: the live widget (Python) and the exported pages
(``quiz_static.js``, no kernel) must behave identically, and issue 15's grader
judges with the same rules. The JavaScript file mirrors these functions name
for name; ``tests/test_quiz_agreement.py`` drives every question of every bank
through both (in Node and in Chromium) and requires identical results.

The rules:

* The first answer counts. A record's ``first`` is set by the first Check that
  had something to judge, and never changes afterwards.
* "Show answer" before any answer records the question as not known
  (``first = False``) and marks it ``shown``.
* The explanation and the right answer appear once the student has answered
  right or chosen "Show answer" (or in the presenter build); a wrong answer
  shows only its feedback, so trying again stays a real retrieval attempt.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

#: A typed number: optional sign, digits with an optional decimal point or comma, optional exponent.
NUMBER = re.compile(r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$")
NOT_A_NUMBER = "Enter a number first (for example 12.5)."
SHOWN_FEEDBACK = "Answer shown: this question counts as not known. Read the explanation, then try it again."


def parse_number(text: Any, unit: str = "") -> float | None:
    """The number a student typed, or None when there is none.

    Accepts a decimal comma and the question's unit after the number
    (``"34,5 %"`` with unit ``%``); anything else is not a number, so both
    front ends read the same text the same way (the browser's own number
    parsing would accept ``"34abc"``; Python's would accept ``"nan"``).
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        return float(text) if text == text and abs(text) != float("inf") else None
    if not isinstance(text, str):
        return None
    cleaned = text.strip()
    if unit and cleaned.lower().endswith(unit.lower()):
        cleaned = cleaned[: len(cleaned) - len(unit)].strip()
    if not NUMBER.match(cleaned):
        return None
    return float(cleaned.replace(",", "."))


@dataclass(frozen=True)
class Record:
    """What is remembered about one question on one page.

    ``first``: None before the first judged answer, then whether it was right
    (False also when the answer was shown first). ``solved``: answered right at
    some point. ``shown``: the student chose "Show answer". ``response``: the
    last judged answer, to restore the form after a reload. ``time``: when the
    record last changed (ISO 8601, UTC), for the progress table.
    """

    first: bool | None = None
    solved: bool = False
    shown: bool = False
    response: Any = None
    time: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Record:
        """A record read back from a progress file or localStorage; raises ValueError if malformed."""
        if not isinstance(data, dict):
            raise ValueError("a record must be an object")
        first = data.get("first")
        if first not in (None, True, False):
            raise ValueError("first must be true, false or null")
        flags = [data.get("solved", False), data.get("shown", False)]
        if not all(isinstance(flag, bool) for flag in flags) or not isinstance(data.get("time", ""), str):
            raise ValueError("solved and shown must be true or false, time a text")
        return cls(first, flags[0], flags[1], data.get("response"), data.get("time", ""))


def after_check(record: Record, correct: bool, response: Any, time: str = "") -> Record:
    """The record after a Check that had something to judge."""
    first = correct if record.first is None else record.first
    return replace(record, first=first, solved=record.solved or correct, response=response, time=time)


def after_show(record: Record, time: str = "") -> Record:
    """The record after "Show answer": not known, unless it was already answered."""
    first = False if record.first is None else record.first
    return replace(record, first=first, shown=True, time=time)


def revealed(record: Record, teacher: bool = False) -> bool:
    """Whether the explanation and the right answer are visible."""
    return teacher or record.solved or record.shown


@dataclass(frozen=True)
class Score:
    """The score of a set of questions: how many there are, answered, right first time, shown."""

    total: int
    answered: int
    right: int
    shown: int

    @classmethod
    def of(cls, records: list[Record], total: int) -> Score:
        return cls(
            total=total,
            answered=sum(r.first is not None for r in records),
            right=sum(r.first is True for r in records),
            shown=sum(r.shown for r in records),
        )

    def text(self, label: str = "Quiz progress") -> str:
        """The score line's words (quiz_static.js writes the same)."""
        shown = f"{self.shown} answer{'' if self.shown == 1 else 's'} shown"
        return (f"{label}: {self.answered} of {self.total} questions answered, "
                f"{self.right} right first time, {shown}.")
