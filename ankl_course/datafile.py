"""Reading the course's TOML data files, with one kind of error for every way they can be bad.

Every data file (facts, references, question banks, cytometry panels,
regimens, vignettes...) is edited by hand, so each reader must turn a missing,
unreadable, non-UTF-8 or malformed file into a :class:`CourseDataError` that
names the file. This is the one place that does it.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import CourseDataError


@functools.lru_cache(maxsize=32)
def _parse_cached(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def read_toml(path: Path, missing: str = "file not found", cached: bool = False) -> dict[str, Any]:
    """The parsed TOML file at ``path``, or a :class:`CourseDataError` naming the file.

    ``cached`` reuses the parse of identical file content (an edited file is
    still seen at once); callers that ask for it must not mutate the result.
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise CourseDataError(path, "", missing) from None
    except UnicodeDecodeError as exc:
        raise CourseDataError(path, "", f"not valid TOML: not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise CourseDataError(path, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        return _parse_cached(text) if cached else tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CourseDataError(path, "", f"not valid TOML: {exc}") from None


def checked_number(path: Path, where: str, value: Any, name: str = "", *, positive: bool = False,
           low: float | None = None, high: float | None = None) -> float:
    """``value`` as a float, or a :class:`CourseDataError` at ``where`` in ``path`` saying what it must be.

    A number is an int or a float, finite, and not a boolean (TOML's ``true`` is not 1). ``name``
    starts the message (``"weight must be a number >= 0, not -1"``) when ``where`` alone would not
    say which value is meant. ``positive`` asks for > 0; ``low``/``high`` bound it (inclusive).
    """
    label = f"{name} " if name else ""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CourseDataError(path, where, f"{label}must be a number, not {value!r}")
    if positive and value <= 0:
        raise CourseDataError(path, where, f"{label}must be > 0, not {value!r}")
    if low is not None and high is not None and not low <= value <= high:
        raise CourseDataError(path, where, f"{label}must be a number from {low} to {high}, not {value!r}")
    if low is not None and value < low:
        raise CourseDataError(path, where, f"{label}must be a number >= {low}, not {value!r}")
    if high is not None and value > high:
        raise CourseDataError(path, where, f"{label}must be a number <= {high}, not {value!r}")
    return float(value)


def check_fields(path: Path, where: str, entry: Mapping[str, Any], allowed: Collection[str],
                 required: Collection[str] = ()) -> None:
    """A :class:`CourseDataError` at ``where`` if ``entry`` lacks a required field or has one not allowed.

    A misspelt field in a hand-edited file would otherwise be ignored without a word.
    """
    missing = sorted(set(required) - set(entry))
    if missing:
        raise CourseDataError(path, where, f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise CourseDataError(path, where, f"unknown field(s): {', '.join(unknown)}")


def check_top_level(path: Path, raw: Mapping[str, Any], allowed: Collection[str]) -> None:
    """A :class:`CourseDataError` if a data file has a top-level table or key it does not use."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise CourseDataError(path, "", f"unexpected top-level key(s): {', '.join(unknown)}")


def checked_text(path: Path, where: str, value: Any, name: str = "") -> str:
    """``value`` stripped, or a :class:`CourseDataError` if it is not a text with something in it.

    With ``name`` the message names the field (``"missing explanation (a non-empty text)"``), for
    values read from a table by key; without it, the place alone says which value is meant.
    """
    if not isinstance(value, str) or not value.strip():
        raise CourseDataError(path, where, f"missing {name} (a non-empty text)" if name else "must be a non-empty text")
    return value.strip()


def checked_citations(path: Path, where: str, keys: Iterable[str], known: Collection[str] | None) -> None:
    """A :class:`CourseDataError` for the first key not in the bibliography (``known``; None skips the check)."""
    if known is None:
        return
    for key in keys:
        if key not in known:
            raise CourseDataError(path, where, f"citation key {key!r} is not in references.toml")
