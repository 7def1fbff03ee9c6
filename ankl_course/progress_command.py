"""``ankl-course progress``: a student's quiz progress per chapter, as a table or CSV, or reset.

Above both :mod:`.progress` (the file) and :mod:`.quiz` (the banks that say which questions each
chapter's page shows), so that neither imports the other.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from .errors import CourseDataError
from .progress import PATH_ENV, ProgressStore, ProgressWarning, as_csv, as_text, default_path, table
from .quiz_bank import chapter_pages


def main(argv: list[str], prog: str = "ankl-course progress") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Show, export or reset your quiz progress.")
    parser.add_argument("dir", nargs="?", type=Path,
                        help="the course workspace (default: ./ankl-course-work if it exists, else .)")
    parser.add_argument("--csv", metavar="FILE", help="write the table as CSV to FILE ('-' for the terminal)")
    parser.add_argument("--reset", action="store_true", help="start over (the old file is kept as a backup)")
    args = parser.parse_args(argv)
    folder = args.dir
    if folder is None:
        folder = Path("ankl-course-work") if Path("ankl-course-work").is_dir() else Path(".")
    if not os.environ.get(PATH_ENV) and not folder.is_dir():
        raise CourseDataError(folder, "", "no such workspace folder")
    store = ProgressStore(default_path(folder))
    if args.reset:
        backup = store.reset()
        print(f"Progress reset; the old record is kept as {backup}." if backup else "No progress recorded yet.")
        return 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProgressWarning)
        rows = table(store.read(), chapter_pages())
    for warning in caught:
        print(f"{prog}: {warning.message}", file=sys.stderr)
    if args.csv == "-":
        sys.stdout.write(as_csv(rows))
    elif args.csv:
        Path(args.csv).write_text(as_csv(rows), encoding="utf-8")
        print(f"Wrote {args.csv} ({len(rows)} chapters).")
    else:
        print(f"Quiz progress in {store.path}:")
        print(as_text(rows))
    return 0
