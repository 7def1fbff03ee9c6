"""Authoring cues: patterns in a question bank that let a student find the answer without knowing it.

``ankl-course check`` fails on a length cue (:func:`length_problems`): "pick
the longest" is the first trick a student learns, and one cued bank makes its
score line meaningless. The other cues are printed, not failed: they are a
reason to reread a question, and a hedge or a position can be legitimate.
What is looked for:

* **Length** (fails the check): the right option is the longest, or the
  shortest, more often than chance. Over a bank's single-choice questions the
  expected count is the sum of 1/(number of options); a count with a one-sided
  probability under 5 % of arising by chance (exact, Poisson-binomial) is a
  cue. Checking the shortest too keeps a rewrite from swapping one cue for
  its mirror image.
* **Position** (after :func:`ankl_course.quiz_bank.arrange`): the right option sits
  in one place more often than chance, by the same test.
* **Hedging**: only the right option is hedged ("usually", "may", ...), the
  wrong ones speak in absolutes.
* **All/none of the above**: an option that only works in one display order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .quiz_bank import Bank, Question

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


def _extreme(question: Question, pick: Callable[[list[int]], int]) -> bool:
    """Whether the right option is strictly the ``pick`` (max or min) of the option lengths."""
    lengths = [len(o.text) for o in question.options]
    right = next(len(o.text) for o in question.options if o.correct)
    return right == pick(lengths) and lengths.count(right) == 1


def longest_tally(bank: Bank) -> Tally:
    """How often the right option is strictly the longest (in characters)."""
    singles = _singles(bank)
    return _tally([_extreme(q, max) for q in singles], [1 / len(q.options) for q in singles])


def shortest_tally(bank: Bank) -> Tally:
    """How often the right option is strictly the shortest (in characters)."""
    singles = _singles(bank)
    return _tally([_extreme(q, min) for q in singles], [1 / len(q.options) for q in singles])


def _lengths(question: Question) -> str:
    """``id (right 52 characters; others 30, 41)``: what an author needs to see to fix a question."""
    right = next(len(o.text) for o in question.options if o.correct)
    others = ", ".join(str(len(o.text)) for o in question.options if not o.correct)
    return f"{question.id} (right {right} characters; others {others})"


def length_problems(bank: Bank) -> list[tuple[str, str]]:
    """(location, message) for each length cue of a bank: these fail ``ankl-course check``.

    The message names the figure (observed, expected by chance, p) and every
    question that makes it up, with its option lengths.
    """
    found = []
    for word, tally, pick, fix in (
        ("longest", longest_tally(bank), max, "lengthen the wrong options or shorten the right one"),
        ("shortest", shortest_tally(bank), min, "shorten the wrong options or lengthen the right one"),
    ):
        if tally.is_cue:
            cued = "; ".join(_lengths(q) for q in _singles(bank) if _extreme(q, pick))
            found.append(("single-choice options", (
                f"answer-length cue: the right option is the {word} in {tally.observed} of {tally.questions} "
                f"questions (chance: {tally.expected:.1f}; p = {tally.p_value:.3f}): {cued}: {fix}")))
    return found


def position_tally(bank: Bank, position: int = 0) -> Tally:
    """How often the right option is displayed at ``position`` (0 = first)."""
    questions = [q for q in _singles(bank) if len(q.options) > position]
    hits = [q.options[position].correct for q in questions]
    return _tally(hits, [1 / len(q.options) for q in questions])


def cues(bank: Bank) -> list[tuple[str, str]]:
    """(location, message) for every advisory cue in a bank (length cues: :func:`length_problems`)."""
    found = []
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
