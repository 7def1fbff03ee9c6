"""How a probe is answered from a student's namespace: one definition for both graders.

``ankl-course grade`` answers probes in the sandboxed student process (:mod:`.worker`); a teacher
grading the same sources with nbgrader answers them in the notebook's kernel (:mod:`.bridge`).
Both call :func:`answer_probe`, so a student's function is read, called and turned into plain data
the same way whichever tool grades it. Standard library only: the worker loads this file by path
inside the sandbox, where the course package is not visible.
"""

from __future__ import annotations

from typing import Any


def to_plain(value: Any, depth: int = 0) -> Any:
    """A student's value as JSON-ready plain data (numbers, strings, lists, dicts)."""
    if depth > 6:
        raise ValueError("value nested too deeply")
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            return float(value)
        return value
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame
        return {str(c): to_plain(list(value[c]), depth + 1) for c in value.columns}
    if hasattr(value, "tolist"):  # numpy arrays and scalars, pandas Series
        return to_plain(value.tolist(), depth + 1)
    if isinstance(value, dict):
        return {str(k): to_plain(v, depth + 1) for k, v in list(value.items())[:100000]}
    if isinstance(value, list | tuple):
        return [to_plain(v, depth + 1) for v in value[:1000000]]
    if isinstance(value, set | frozenset):
        items = [to_plain(v, depth + 1) for v in value]
        return sorted(items, key=repr)
    raise TypeError(f"returned a {type(value).__name__}, which is not a number, text, list or dict")


def answer_probe(probe: dict[str, Any], namespace: dict[str, Any]) -> dict[str, Any]:
    """``{"ok": plain value}`` or ``{"error": "Type: message"}`` for one probe of ``namespace``.

    Only ``Exception`` is an answer; anything else (the cell timer's exception, KeyboardInterrupt,
    SystemExit) propagates so that the caller decides what it means.
    """
    try:
        if probe["name"] not in namespace:
            raise NameError(f"name '{probe['name']}' is not defined (did the cell that defines it run?)")
        target = namespace[probe["name"]]
        if probe["kind"] == "call":
            if not callable(target):
                raise TypeError(f"'{probe['name']}' is a {type(target).__name__}, not a function")
            target = target(*probe["args"], **probe["kwargs"])
        return {"ok": to_plain(target)}
    except Exception as exc:  # noqa: BLE001 - every failure of the student's code is an answer
        return {"error": error_text(exc)}


def error_text(exc: BaseException) -> str:
    """``Type: message`` (cut to 300 characters), or just ``Type``."""
    message = str(exc)[:300]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
