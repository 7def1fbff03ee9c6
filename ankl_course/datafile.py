"""Reading the course's TOML data files, with one kind of error for every way they can be bad.

Every data file (facts, references, question banks, cytometry panels,
regimens, vignettes...) is edited by hand, so each reader must turn a missing,
unreadable, non-UTF-8 or malformed file into a :class:`CourseDataError` that
names the file. This is the one place that does it.
"""

from __future__ import annotations

import functools
import tomllib
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
