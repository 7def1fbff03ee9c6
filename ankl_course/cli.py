"""The ``ankl-course`` command line.

Each subcommand lives in the module named for what it does and is imported
only when it runs, so ``ankl-course --help`` answers without loading Jupyter,
matplotlib or nbformat (nbformat alone costs about 1.5 s to import here).
A subcommand is a function ``(argv: list[str], prog: str) -> int``, named as
``module:function`` (``module`` alone means its ``main``). To add one, add a row to :data:`COMMANDS`.
"""

from __future__ import annotations

import sys
from importlib import import_module

from . import __version__
from .errors import CourseDataError

#: name -> (module, one-line help). Order is the order `--help` lists them in.
COMMANDS: dict[str, tuple[str, str]] = {
    "lab": ("ankl_course.workspace", "copy the course into a workspace and start JupyterLab there"),
    "check": ("ankl_course.content", "validate all course content (facts, references, quizzes, notebooks)"),
    "release": ("ankl_course.grading.cli:release_main",
                "write the student version of each graded exercise and verify it"),
    "grade": ("ankl_course.grading.cli:grade_main",
              "grade submitted exercises (sandboxed, in parallel) into a gradebook"),
    "gradebook": ("ankl_course.grading.cli:gradebook_main", "show the gradebook or export it as CSV"),
    "assets": ("ankl_course.export.assets", "install the pinned browser libraries that exports need (npm ci)"),
    "build": ("ankl_course.export.build", "build the offline site: chapter pages, slide decks, student pack"),
    "export-quiz": ("ankl_course.lms", "write the question banks for Moodle (GIFT or Moodle XML)"),
    "progress": ("ankl_course.progress_command", "show your quiz progress per chapter, export it as CSV, or reset it"),
    "fcs": ("ankl_course.cytometry.command", "list synthetic cytometry samples, write one as FCS, or gate an FCS file"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    rows = "\n".join(f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items())
    return (
        "usage: ankl-course [--version] [--help] COMMAND [ARGS...]\n\n"
        "An interactive course on aggressive NK-cell leukemia (education, not medical advice).\n\n"
        f"commands:\n{rows}\n\n"
        "Run 'ankl-course COMMAND --help' for a command's options."
    )


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; course-data errors print as one line, exit status 1."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if args else 2
    if args[0] == "--version":
        print(f"ankl-course {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"ankl-course: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2

    module_name, _, function = COMMANDS[name][0].partition(":")
    command = getattr(import_module(module_name), function or "main")
    try:
        return int(command(rest, prog=f"ankl-course {name}") or 0)
    except CourseDataError as exc:
        print(f"ankl-course {name}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ankl-course {name}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
