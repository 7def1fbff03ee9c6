"""Quiz progress that outlives the kernel: a file in the student's workspace, and ``ankl-course progress``.

Why it is built this way:

* Scores in kernel memory vanished with every restart, so each answer is
  written at once to ``.ankl-course-progress.json`` beside the notebooks (the
  kernel's working folder; ``ANKL_COURSE_PROGRESS`` names another file).
* Two notebooks answered at the same time are two kernels writing one file:
  every write takes an exclusive lock, re-reads the file, changes one record
  and replaces the file atomically (write a temporary file, ``os.replace``),
  so no answer is lost and no reader ever sees half a file.
* A file that is not ours or is damaged is never silently overwritten: it is
  kept as ``<name>.bak-<time>``, a warning names both files, and a fresh
  record starts.
* Exported pages have no kernel and keep the same records in the browser's
  localStorage (``quiz_static.js``), keyed by course, chapter and question;
  the table chapter 00 shows is drawn from whichever store is present.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import html as html_lib
import io
import json
import os
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import CourseDataError
from .quiz_rules import Record

FORMAT = "ankl-course-progress"
VERSION = 1
FILE_NAME = ".ankl-course-progress.json"
#: Environment variable naming the progress file (tests; a shared machine).
PATH_ENV = "ANKL_COURSE_PROGRESS"
LOCK_TIMEOUT_S = 10.0

Records = dict[str, dict[str, Record]]


class ProgressWarning(UserWarning):
    """The progress file could not be used as it was; the student's data is kept in a backup."""


def now() -> str:
    """The current time as the records store it (UTC, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_path(folder: Path | None = None) -> Path:
    """The progress file: ``$ANKL_COURSE_PROGRESS``, else ``FOLDER/.ankl-course-progress.json``
    (FOLDER defaults to the current folder, which is the workspace in a course kernel)."""
    named = os.environ.get(PATH_ENV, "")
    if named:
        return Path(named)
    return (folder or Path.cwd()) / FILE_NAME


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path`` (``fcntl`` where there is one, else a lock file)."""
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield from _exclusive_file(lock_path)
        return
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _exclusive_file(lock_path: Path) -> Iterator[None]:  # pragma: no cover - Windows
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while True:
        try:
            descriptor = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                message = "locked for too long; delete it if no notebook is running"
                raise CourseDataError(lock_path, "", message) from None
            time.sleep(0.01)
    try:
        yield
    finally:
        os.close(descriptor)
        os.unlink(lock_path)


@dataclass(frozen=True)
class ProgressStore:
    """The progress file of one workspace: records per chapter page and question key."""

    path: Path

    @classmethod
    def default(cls) -> ProgressStore:
        return cls(default_path())

    def read(self) -> Records:
        """Every record in the file (empty when there is no file yet: then no lock file is made either)."""
        if not self.path.exists():
            return {}
        with _locked(self.path):
            return self._load()

    def update(self, chapter: str, key: str, record: Record) -> None:
        """Store one question's record, keeping everything else in the file as it is now."""
        with _locked(self.path):
            records = self._load()
            records.setdefault(chapter, {})[key] = record
            self._save(records)

    def reset(self) -> Path | None:
        """Start over: the old file is kept as a backup, whose path is returned."""
        with _locked(self.path):
            if not self.path.exists():
                return None
            return self._backup()

    def _load(self) -> Records:
        if not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return _parse(raw)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
            backup = self._backup()
            warnings.warn(
                f"{self.path}: not a readable ankl-course progress file ({exc}); kept it as {backup.name} "
                "and started a fresh record", ProgressWarning, stacklevel=3,
            )
            return {}

    def _backup(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        backup = self.path.with_name(f"{self.path.name}.bak-{stamp}")
        os.replace(self.path, backup)
        return backup

    def _save(self, records: Records) -> None:
        data = {
            "format": FORMAT, "version": VERSION,
            "chapters": {chapter: {key: r.to_json() for key, r in sorted(items.items())}
                         for chapter, items in sorted(records.items())},
        }
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        handle, temporary = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def _parse(raw: Any) -> Records:
    """The records of a progress file's JSON; ValueError says what is wrong with it."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError(f"it does not say format = {FORMAT!r}")
    if raw.get("version") != VERSION:
        raise ValueError(f"version {raw.get('version')!r}, expected {VERSION}")
    chapters = raw.get("chapters")
    if not isinstance(chapters, dict):
        raise ValueError("chapters must be an object")
    records: Records = {}
    for chapter, items in chapters.items():
        if not isinstance(items, dict):
            raise ValueError(f"chapter {chapter!r} must be an object")
        records[chapter] = {key: Record.from_json(value) for key, value in items.items()}
    return records


# -- the per-chapter table -------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One chapter in the progress table."""

    chapter: str
    title: str
    questions: int
    answered: int
    right: int
    shown: int
    last: str


#: (chapter, title, question keys shown on its page), as ``quiz_bank.chapter_pages()`` reads them from the banks.
Pages = list[tuple[str, str, list[str]]]


def table(records: Records, pages: Pages) -> list[Row]:
    """The progress table: per chapter, its questions, how many answered, right first time, shown, when."""
    rows = []
    for chapter, title, keys in pages:
        mine = [records.get(chapter, {}).get(key) for key in keys]
        done = [r for r in mine if r is not None]
        rows.append(Row(chapter, title, len(keys), sum(r.first is not None for r in done),
                        sum(r.first is True for r in done), sum(r.shown for r in done),
                        max((r.time for r in done), default="")))
    return rows


HEADER = ("chapter", "questions", "answered", "right first time", "answers shown", "last activity")


def _cells(row: Row) -> tuple[str, ...]:
    return (row.chapter, str(row.questions), str(row.answered), str(row.right), str(row.shown),
            row.last.replace("T", " ").replace("Z", " UTC") or "-")


def as_text(rows: list[Row]) -> str:
    """The table as aligned text for the terminal."""
    lines = [HEADER] + [_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths,
                                                                                                 strict=True)))
                     for line in lines)


def as_csv(rows: list[Row]) -> str:
    """The table as CSV, for a student to hand in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["chapter", "questions", "answered", "right_first_time", "answers_shown", "last_activity"])
    for row in rows:
        writer.writerow([row.chapter, row.questions, row.answered, row.right, row.shown, row.last])
    return out.getvalue()


class ProgressTable:
    """The progress table in a notebook (chapter 00): drawn from the progress file in JupyterLab;
    in an exported page (no file, no kernel) the page script draws it from localStorage."""

    def __init__(self, store: ProgressStore | None, pages: Pages, assets: str = "") -> None:
        self._store = store
        self._pages = pages
        self._assets = assets

    def html(self) -> str:
        pages = self._pages
        records = self._store.read() if self._store is not None else {}
        body = "".join("<tr>" + "".join(f"<td>{html_lib.escape(c)}</td>" for c in _cells(row)) + "</tr>"
                       for row in table(records, pages))
        head = "".join(f'<th scope="col">{html_lib.escape(h)}</th>' for h in HEADER)
        data = ""
        if self._store is None:
            spec = [{"chapter": c, "keys": keys} for c, _, keys in pages]
            data = ' data-ankl-progress="' + base64.b64encode(json.dumps(spec).encode()).decode() + '"'
        return (f'{self._assets}<table class="ankl-progress"{data}><caption>Your quiz progress, per chapter'
                f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        rows = table(self._store.read() if self._store is not None else {}, self._pages)
        return {"text/html": self.html(), "text/plain": as_text(rows)}
