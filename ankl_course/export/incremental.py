"""Incremental builds: re-execute a chapter only when something it depends on changed.

Why: executing every chapter costs about 26 s on one core although a teacher usually
edits one notebook or one data file between builds. Each chapter's outputs are stamped
with a content hash of everything that decides them: the chapter notebook itself, the
course library (Python code, templates, quiz script), the data folder in use, the pinned
browser libraries, the build options and the chapter's neighbours (their titles are in
its navigation). A rebuild compares hashes only (no kernel, no nbconvert import), so a
no-op rebuild costs a Python start-up and a few file reads.

The library and data are hashed whole rather than per chapter: which module or data file
a chapter reads is decided at run time by its cells, and a missed dependency would ship a
stale page, which is worse than re-executing a chapter that did not need it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from ..resources import PACKAGE_DIR, data_dir

#: The folder inside a site that holds one stamp per chapter.
STAMPS = ".ankl-build"
#: Folders of the package that are not library code (hashed separately or not at all).
_NOT_LIBRARY = {"__pycache__", "data", "notebooks", "exercises"}


def _files(root: Path, skip: set[str]) -> list[Path]:
    """Every file under ``root`` in a stable order, leaving out folders named in ``skip``."""
    if not root.is_dir():
        return []
    found = [p for p in root.rglob("*") if p.is_file() and not skip.intersection(p.relative_to(root).parts)]
    return sorted(p for p in found if p.suffix not in (".pyc", ".pyo"))


def digest_files(paths: Iterable[Path], root: Path) -> str:
    """sha256 over the names (relative to ``root``) and contents of ``paths``."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def shared_digest(extra: str = "") -> str:
    """The hash of what every chapter depends on: library code and templates, the data folder
    in use (``$ANKL_COURSE_DATA`` honoured) and ``extra`` (e.g. the asset lockfile's hash)."""
    library = digest_files(_files(PACKAGE_DIR, _NOT_LIBRARY), PACKAGE_DIR)
    data = data_dir()
    data_hash = digest_files(_files(data, {"__pycache__"}), data)
    return hashlib.sha256(f"{library}\n{data_hash}\n{extra}".encode()).hexdigest()


def chapter_key(notebook: Path, shared: str, context: dict[str, object]) -> str:
    """The hash that decides whether one chapter's outputs are current; ``context`` holds the
    build options and anything else that ends up in its files (navigation titles)."""
    digest = hashlib.sha256(notebook.read_bytes())
    digest.update(shared.encode())
    digest.update(json.dumps(context, sort_keys=True, default=str).encode())
    return digest.hexdigest()


class Stamps:
    """The per-chapter stamps of one site folder: the key each chapter was built with and the
    files it wrote, so a rebuild can tell "current" from "changed" or "output deleted"."""

    def __init__(self, site: Path) -> None:
        self.folder = site / STAMPS

    def _path(self, stem: str) -> Path:
        return self.folder / f"{stem}.json"

    def is_current(self, stem: str, key: str, site: Path) -> bool:
        """True when ``stem`` was last built with ``key`` and every file it wrote still exists."""
        try:
            stamp = json.loads(self._path(stem).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return False
        outputs = stamp.get("outputs", [])
        return stamp.get("key") == key and bool(outputs) and all((site / name).is_file() for name in outputs)

    def record(self, stem: str, key: str, outputs: list[str], seconds: float) -> None:
        """Remember that ``stem`` was built with ``key`` into ``outputs`` (paths relative to the site)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = {"key": key, "outputs": outputs, "seconds": round(seconds, 2)}
        self._path(stem).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")

    def forget_all_but(self, stems: set[str]) -> None:
        """Drop the stamps of chapters that are no longer part of the site."""
        if self.folder.is_dir():
            for path in self.folder.glob("*.json"):
                if path.stem not in stems:
                    path.unlink()
