"""Authoring cues: patterns in a question bank that let a student find the answer without knowing it.

``ankl-course check`` prints these per bank (they do not fail the check: a
cue is a reason to reread a question, not an error). What is looked for:

* **Length**: the right option is the longest more often than chance. Over a
  bank's single-choice questions the expected count is the sum of 1/(number
  of options); a count with a one-sided probability under 5 % of arising by
  chance (exact, Poisson-binomial) is a cue.
* **Position** (after :func:`ankl_course.quiz.arrange`): the right option sits
  in one place more often than chance, by the same test.
* **Hedging**: only the right option is hedged ("usually", "may", ...), the
  wrong ones speak in absolutes.
* **All/none of the above**: an option that only works in one display order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .quiz import Bank, Question

HEDGES = re.compile(r"\b(may|might|often|usually|some|most|mostly|generally|typically|likely|"
                    r"probably|possibly|tends?|sometimes|rarely|about|around|roughly)\b", re.IGNORECASE)
ABOVE = re.compile(r"\b(all|none|both|neither) of (the )?(above|these)\b", re.IGNORECASE)
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Tally:
    """How often something happened over a bank's single-choice questions, against chance."""

    observed: int
    expected: float
    questions: int
    p_value: float

    @property
    def is_cue(self) -> bool:
        return self.observed > self.expected and self.p_value < SIGNIFICANCE


def tail_probability(chances: list[float], observed: int) -> float:
    """P(at least ``observed`` successes) for independent trials with these chances (Poisson-binomial)."""
    distribution = [1.0]
    for chance in chances:
        following = [0.0] * (len(distribution) + 1)
        for count, weight in enumerate(distribution):
            following[count] += weight * (1 - chance)
            following[count + 1] += weight * chance
        distribution = following
    return sum(distribution[observed:])


def _singles(bank: Bank) -> list[Question]:
    return [q for q in bank.questions.values() if q.type == "single"]


def _tally(hits: list[bool], chances: list[float]) -> Tally:
    observed = sum(hits)
    return Tally(observed, sum(chances), len(hits), tail_probability(chances, observed))


def longest_tally(bank: Bank) -> Tally:
    """How often the right option is strictly the longest (in characters)."""
    hits, chances = [], []
    for question in _singles(bank):
        lengths = [len(o.text) for o in question.options]
        right = next(len(o.text) for o in question.options if o.correct)
        hits.append(right == max(lengths) and lengths.count(right) == 1)
        chances.append(1 / len(question.options))
    return _tally(hits, chances)


def position_tally(bank: Bank, position: int = 0) -> Tally:
    """How often the right option is displayed at ``position`` (0 = first)."""
    questions = [q for q in _singles(bank) if len(q.options) > position]
    hits = [q.options[position].correct for q in questions]
    return _tally(hits, [1 / len(q.options) for q in questions])


def cues(bank: Bank) -> list[tuple[str, str]]:
    """(location, message) for every cue in a bank."""
    found = []
    length = longest_tally(bank)
    if length.is_cue:
        found.append(("single-choice options", (
            f"the right option is the longest in {length.observed} of {length.questions} questions "
            f"(chance: {length.expected:.1f}; p = {length.p_value:.3f}): lengthen the wrong options or shorten "
            "the right one")))
    for position in range(max((len(q.options) for q in _singles(bank)), default=0)):
        place = position_tally(bank, position)
        if place.is_cue:
            found.append(("single-choice options", (
                f"the right option is shown in place {position + 1} in {place.observed} of {place.questions} "
                f"questions (chance: {place.expected:.1f})")))
    for question in bank.questions.values():
        where = f"question {question.id}"
        hedged = [bool(HEDGES.search(o.text)) for o in question.options]
        if question.type == "single" and len(question.options) > 2:
            right = [o.correct for o in question.options]
            if sum(hedged) == 1 and hedged[right.index(True)]:
                found.append((where, "only the right option is hedged (may, usually, ...); hedge a wrong one "
                              "too or state the right one plainly"))
        for option in question.options:
            if ABOVE.search(option.text):
                found.append((where, f"option {option.text!r}: 'all/none of the above' depends on the order, "
                              "which is shuffled; name the options instead"))
    return found
