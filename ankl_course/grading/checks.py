"""Hidden checks: what to ask the student's code, and how the grader judges the answers.

An exercise's ``checks.py`` (in its folder, read only by the grader) maps each test
cell's nbgrader ``grade_id`` to a function ``check(ref, rng)`` that yields
:class:`Expect` items. Each pairs a *probe* (read a student variable, or call a
student function with these arguments) with the value the reference solution
gives. Only the probes travel to the student's process; it answers with plain
data (JSON), and :func:`judge` compares here. So neither the expected values nor
the checking code ever run where a student's code could see or patch them, and
because ``rng`` is seeded afresh at each grading run, a hard-coded answer to the
visible examples does not pass the hidden ones.

A test cell is worth its points only if every expectation holds (nbgrader's own
all-or-nothing rule per test cell, so scores agree with nbgrader's); partial
credit comes from an exercise having several test cells.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: Failures listed per test cell in the feedback before "and N more".
MAX_LISTED = 3


@dataclass(frozen=True)
class FileArg:
    """A file the grader writes into the student's working folder just before probing."""

    name: str
    data: bytes


def file(name: str, data: bytes) -> FileArg:
    """Pass a freshly generated file (e.g. a hidden FCS sample) to a student function by name."""
    if "/" in name or name.startswith("."):
        raise ValueError(f"probe file name must be a plain file name, not {name!r}")
    return FileArg(name, data)


@dataclass(frozen=True)
class Probe:
    """A question for the student's process: a variable's value, or a call's result."""

    kind: str  # "value" | "call"
    name: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def label(self) -> str:
        if self.kind == "value":
            return self.name
        parts = [_short(a.name if isinstance(a, FileArg) else a) for a in self.args]
        parts += [f"{k}={_short(v)}" for k, v in self.kwargs]
        return f"{self.name}({', '.join(parts)})"


def value(name: str) -> Probe:
    """Ask for the value of the student's variable ``name``."""
    return Probe("value", name)


def call(name: str, *args: Any, **kwargs: Any) -> Probe:
    """Ask the student's process to call ``name(*args, **kwargs)`` and return the result."""
    return Probe("call", name, tuple(args), tuple(sorted(kwargs.items())))


@dataclass(frozen=True)
class Expect:
    """One expectation: ``probe`` should give ``expected`` (compared as ``mode`` says).

    ``mode``: ``"exact"`` (==), ``"close"`` (numbers, element-wise, within ``tol`` absolute or
    ``rel`` relative), ``"text"`` (strings, ignoring case and surrounding blanks), ``"choice"``
    (a letter or a set of letters, order and case ignored). ``hidden`` expectations are
    reported without their inputs or expected value unless the teacher asks.
    """

    probe: Probe
    expected: Any
    mode: str = "exact"
    tol: float = 1e-9
    rel: float = 1e-7
    hidden: bool = True
    hint: str = ""
    judge: Callable[[Any], bool] | None = None  # mode "judge": this function decides (e.g. the live quiz's)


def expect(probe: Probe, expected: Any, mode: str = "exact", *, tol: float = 1e-9, rel: float = 1e-7,
           hidden: bool = True, hint: str = "", judge: Callable[[Any], bool] | None = None) -> Expect:
    """One expectation; with ``mode="judge"``, ``judge(answer)`` decides and ``expected`` is only shown."""
    if mode not in ("exact", "close", "text", "choice", "judge"):
        raise ValueError(f"unknown comparison mode {mode!r}")
    if (mode == "judge") != (judge is not None):
        raise ValueError("mode 'judge' and a judge function go together")
    return Expect(probe, expected, mode, tol, rel, hidden, hint, judge)


CheckFunction = Callable[[Any, Any], Iterable[Expect]]


@dataclass
class Plan:
    """All expectations of one submission, with the plain-data probes the student side runs."""

    expectations: dict[str, list[Expect]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def probes(self) -> list[dict[str, Any]]:
        """The probes as JSON-ready dicts, in a fixed order (test cell by test cell)."""
        out = []
        for items in self.expectations.values():
            for item in items:
                probe = item.probe
                out.append({
                    "kind": probe.kind,
                    "name": probe.name,
                    "args": [self._plain(a) for a in probe.args],
                    "kwargs": {k: self._plain(v) for k, v in probe.kwargs},
                })
        return out

    def _plain(self, arg: Any) -> Any:
        if isinstance(arg, FileArg):
            if self.files.get(arg.name, arg.data) != arg.data:
                raise ValueError(f"two different probe files are both named {arg.name!r}")
            self.files[arg.name] = arg.data
            return arg.name
        return arg


@dataclass(frozen=True)
class TaskResult:
    """The score of one test cell, with what the student sees and what only the teacher sees."""

    grade_id: str
    score: float
    max_score: float
    messages: tuple[str, ...]
    details: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


def make_plan(checks: dict[str, CheckFunction], reference: Any, rng: Any) -> Plan:
    """Run every check function here, in the grader, to build the probes and expected values."""
    plan = Plan()
    for grade_id, function in checks.items():
        plan.expectations[grade_id] = list(function(reference, rng))
    plan.probes()  # registers the probe files
    return plan


def judge(plan: Plan, answers: list[dict[str, Any]] | None, points: dict[str, float],
          unanswered: str = "") -> list[TaskResult]:
    """Score each test cell from the student's plain-data answers (``{"ok": value}`` or
    ``{"error": text}`` per probe, in plan order). ``answers`` is None when the student's
    process never got to answer; ``unanswered`` then says why."""
    results = []
    position = 0
    for grade_id, items in plan.expectations.items():
        failures: list[tuple[Expect, str, str]] = []
        for item in items:
            answer = answers[position] if answers is not None and position < len(answers) else None
            position += 1
            problem = _problem(item, answer, unanswered)
            if problem:
                failures.append((item, *problem))
        max_score = points.get(grade_id, 0.0)
        results.append(_task_result(grade_id, max_score, len(items), failures))
    return results


def _task_result(grade_id: str, max_score: float, total: int, failures: list[tuple[Expect, str, str]]) -> TaskResult:
    if not failures:
        return TaskResult(grade_id, max_score, max_score, (f"all {total} checks passed",), ())
    messages: list[str] = []
    hidden_failed = 0
    for item, public, _detail in failures:
        if item.hidden:
            hidden_failed += 1
        elif len(messages) < MAX_LISTED:
            messages.append(public)
    if hidden_failed:
        first_hidden = next(public for item, public, _ in failures if item.hidden)
        messages.append(f"{hidden_failed} of the hidden checks failed; the first: {first_hidden}")
    shown = sum(1 for item, _, _ in failures if not item.hidden)
    if shown > MAX_LISTED:
        messages.append(f"... and {shown - MAX_LISTED} more visible checks failed")
    details = tuple(detail for _, _, detail in failures)
    return TaskResult(grade_id, 0.0, max_score, tuple(messages), details)


def _problem(item: Expect, answer: dict[str, Any] | None, unanswered: str) -> tuple[str, str] | None:
    """None if the answer meets the expectation, else (public message, full detail)."""
    label = item.probe.label()
    public_label = _public_label(item)
    if answer is None:
        reason = unanswered or "your code did not get as far as this check"
        return f"{public_label}: not checked, {reason}", f"{label}: not checked, {reason}"
    if "error" in answer:
        error = str(answer["error"])
        if error.startswith("NotImplementedError"):
            text = f"{public_label}: not answered yet (the answer cell still raises NotImplementedError)"
            return text, f"{label}: not answered (NotImplementedError)"
        if error.startswith("NameError") and item.probe.kind == "value":
            text = (f"{public_label}: not answered yet ({item.probe.name} is not set: replace the YOUR CODE HERE "
                    "lines of its answer cell and run the cell)")
            return text, f"{label}: not answered ({error})"
        text = f"{public_label} raised {error}"
        return _with_hint(text, item), f"{label} raised {error}"
    got = answer.get("ok")
    if _matches(got, item.expected, item):
        return None
    if item.hidden:
        public = f"{public_label} gave a wrong answer"
    else:
        public = f"{label}: expected {_show(item.expected)}, got {_show(got)}"
    return _with_hint(public, item), f"{label}: expected {_show(item.expected)}, got {_show(got)}"


def _public_label(item: Expect) -> str:
    if not item.hidden:
        return item.probe.label()
    return item.probe.name if item.probe.kind == "value" else f"{item.probe.name}(...) on hidden inputs"


def _with_hint(text: str, item: Expect) -> str:
    return f"{text} ({item.hint})" if item.hint else text


def _matches(got: Any, expected: Any, item: Expect) -> bool:
    if item.mode == "judge" and item.judge is not None:
        return item.judge(got)
    if item.mode == "text":
        return isinstance(got, str) and got.strip().lower() == str(expected).strip().lower()
    if item.mode == "choice":
        return _choices(got) == _choices(expected) and _choices(got) is not None
    if item.mode == "close":
        return _close(got, expected, item.tol, item.rel)
    return _equal(got, expected)


def choices(answer: Any) -> frozenset[str] | None:
    """The letters of a choice answer (``"b"``, ``"a, c"``, ``"AC"``, ``["a", "c"]``), case ignored; None if none."""
    return _choices(answer)


def _choices(answer: Any) -> frozenset[str] | None:
    if isinstance(answer, str):
        letters = [part.strip().lower() for part in answer.replace(",", " ").split()]
        letters = letters if len(letters) > 1 else list(answer.strip().lower())
    elif isinstance(answer, list | tuple | set | frozenset):
        letters = [str(part).strip().lower() for part in answer]
    else:
        return None
    return frozenset(letters) if letters and all(len(x) == 1 for x in letters) else None


def _equal(got: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, list | tuple):
        return isinstance(got, list | tuple) and len(got) == len(expected) and all(
            _equal(g, e) for g, e in zip(got, expected, strict=True))
    if isinstance(expected, dict):
        return isinstance(got, dict) and set(got) == {str(k) for k in expected} and all(
            _equal(got[str(k)], v) for k, v in expected.items())
    return got == expected


def _close(got: Any, expected: Any, tol: float, rel: float) -> bool:
    if isinstance(expected, dict):
        return isinstance(got, dict) and set(got) == {str(k) for k in expected} and all(
            _close(got[str(k)], v, tol, rel) for k, v in expected.items())
    if isinstance(expected, list | tuple):
        return isinstance(got, list | tuple) and len(got) == len(expected) and all(
            _close(g, e, tol, rel) for g, e in zip(got, expected, strict=True))
    if isinstance(got, bool) or not isinstance(got, int | float):
        return False
    expected = float(expected)
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    return math.isclose(got, expected, rel_tol=rel, abs_tol=tol)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value):
        shown = ", ".join(f"{v:.4g}" for v in value[:6])
        return f"[{shown}{', ...' if len(value) > 6 else ''}] ({len(value)} values)"
    return _short(value, 120)
