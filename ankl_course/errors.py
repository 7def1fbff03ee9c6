"""One error type for bad course data, so that every caller can report it the same way.

Teachers edit the data files (facts, references, question banks, cytometry
panels) by hand. When one is wrong, they need the file, the place in it and
the problem on one line, not a traceback; the command line prints
``str(error)`` and exits non-zero.
"""

from __future__ import annotations

from pathlib import Path


class CourseDataError(ValueError):
    """A course data file (or user-supplied file) is missing, unreadable or invalid."""

    def __init__(self, path: str | Path, location: str, message: str) -> None:
        self.path = str(path)
        self.location = location
        self.message = message
        super().__init__(self.format())

    def format(self) -> str:
        """``file: location: message``, the form `ankl-course check` prints."""
        where = f"{self.path}: {self.location}" if self.location else self.path
        return f"{where}: {self.message}"
