"""``ankl-course lab``: give the student a writable copy of the course and open it.

Installed notebooks may sit in a read-only site-packages, and a student's
edits must survive a reinstall, so the course is copied into a workspace
folder first. A notebook the student has changed is never overwritten unless
they ask with ``--reset``; notebooks new in this version of the course are
added. The copy records a checksum of each notebook as shipped, which is how
an edited notebook is told apart from an old unedited one (the latter is
updated). The copies are the students' version (``studentcopy``): no speaker
notes, which would give quiz answers away.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CourseDataError
from .resources import chapter_notebooks, glossary_notebook
from .studentcopy import student_text

MANIFEST = ".ankl-course-manifest.json"
DEFAULT_DIR = "ankl-course-work"


@dataclass
class CopyReport:
    """What a workspace refresh did, for the message the student sees."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(workspace: Path) -> dict[str, str]:
    path = workspace / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def prepare_workspace(workspace: Path, reset: bool = False, sources: list[Path] | None = None) -> CopyReport:
    """Copy the chapter notebooks into ``workspace`` without losing a student's work."""
    if sources is None:  # the course: its chapters and the glossary notebook their links open
        sources = chapter_notebooks()
        if sources and glossary_notebook().exists():
            sources = [*sources, glossary_notebook()]
    if not sources:
        raise CourseDataError("notebooks/", "", "no course notebooks found; is the package installed whole?")
    if workspace.exists() and not workspace.is_dir():
        raise CourseDataError(workspace, "", "exists and is not a folder")
    workspace.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(workspace)
    report = CopyReport()
    for source in sources:
        target = workspace / source.name
        text = student_text(source)
        shipped = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if not target.exists():
            report.added.append(source.name)
        elif _digest(target) == shipped:
            manifest[source.name] = shipped
            continue
        elif reset:
            report.reset.append(source.name)
        elif manifest.get(source.name) == _digest(target):
            report.updated.append(source.name)  # unedited copy of an older course version
        else:
            report.kept.append(source.name)  # the student's edits win
            continue
        target.write_text(text, encoding="utf-8")
        os.chmod(target, 0o644)
        manifest[source.name] = shipped
    (workspace / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return report


def describe(report: CopyReport, workspace: Path) -> str:
    lines = [f"Course workspace: {workspace}"]
    for label, names in (("added", report.added), ("updated", report.updated),
                         ("reset to the course version", report.reset)):
        if names:
            lines.append(f"  {label}: {', '.join(names)}")
    if report.kept:
        lines.append(f"  kept your edited copy of: {', '.join(report.kept)} (use --reset to start over)")
    return "\n".join(lines)


def lab_command(workspace: Path, no_browser: bool, port: int | None, extra: list[str]) -> list[str]:
    """The JupyterLab command line that opens the welcome notebook in ``workspace``."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}"]
    welcome = next(iter(sorted(workspace.glob("00_*.ipynb"))), None)
    if welcome is not None:
        command.append(f"--LabApp.default_url=/lab/tree/{welcome.name}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # JupyterLab refuses to start as root (containers, Binder-like images, CI) without this flag.
        command.append("--allow-root")
    if no_browser:
        command.append("--no-browser")
    if port is not None:
        command.append(f"--port={port}")
    return command + extra


def main(argv: list[str], prog: str = "ankl-course lab") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", default=DEFAULT_DIR, help=f"workspace folder (default ./{DEFAULT_DIR})")
    parser.add_argument("--reset", action="store_true", help="replace edited notebooks with fresh copies")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--port", type=int, help="port for JupyterLab")
    parser.add_argument("--copy-only", action="store_true", help="prepare the workspace and stop")
    args, extra = parser.parse_known_args(argv)
    workspace = Path(args.dir).resolve()
    report = prepare_workspace(workspace, reset=args.reset)
    print(describe(report, workspace), flush=True)
    if args.copy_only:
        return 0
    command = lab_command(workspace, args.no_browser, args.port, extra)
    os.chdir(workspace)
    os.execv(command[0], command)  # hand the terminal to JupyterLab (Ctrl-C stops it)
    return 0  # pragma: no cover
