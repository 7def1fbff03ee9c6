"""What ``ankl-course build`` costs beside plain nbconvert: full, no-op and one-chapter rebuilds.

Prints, in one run on the same copies of the chapters:

* plain ``jupyter nbconvert --execute --to html`` and ``--to slides`` over every chapter, and
  ``--to html`` over the one chapter the rebuild below changes (the baselines);
* a full ``ankl-course build`` (fresh folder) with one job and with two;
* a no-op rebuild into the same folder (nothing changed: every chapter is current by its content
  hash and nothing executes; the issue's target is under 2 s);
* a rebuild after one chapter's notebook changed (only that chapter executes; compare with the
  chapter's own build time, recorded in its stamp, and with nbconvert on that chapter);
* a ``--force`` rebuild (everything executes again);
* the size of the site, of its ``assets/`` and of each self-contained deck.

The build executes each chapter once and writes a page, a deck, a single-file deck, the index,
references and student pack; the baseline executes each chapter twice (once per format).

Run: ``.venv/bin/python benchmarks/bench_build.py`` (needs ``ankl-course assets`` done once).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ankl_course.interactive import EXPORT_ENV  # noqa: E402
from ankl_course.resources import NOTEBOOKS_ENV, chapter_notebooks  # noqa: E402


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Wall time of one command; a failure stops the benchmark with its output."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{done.stderr[-2000:]}")
    return elapsed


def folder_bytes(folder: Path) -> int:
    """Total size of the files under ``folder``."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def touch_chapter(notebook: Path) -> None:
    """Change one chapter's content the way an edit would: one more word in its first cell."""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    cell = data["cells"][0]
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    cell["source"] = source + " (edited)"
    notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    notebooks = chapter_notebooks()
    if not notebooks:
        raise SystemExit("no chapter notebooks")
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-build-") as temp:
        root = Path(temp)
        work = root / "notebooks"
        work.mkdir()
        for notebook in notebooks:
            shutil.copyfile(notebook, work / notebook.name)
        names = [n.name for n in notebooks]
        changed = names[len(names) // 2]
        # the same kernel environment the build uses, so both sides run the same chapter code;
        # the build reads the copies, so the one-chapter edit never touches the checkout
        env = {**os.environ, EXPORT_ENV: "1", NOTEBOOKS_ENV: str(work)}
        plain_html = timed([python, "-m", "jupyter", "nbconvert", "--execute", "--to", "html",
                            "--output-dir", str(root / "nb-html"), *names], work, env)
        plain_slides = timed([python, "-m", "jupyter", "nbconvert", "--execute", "--to", "slides",
                              "--output-dir", str(root / "nb-slides"), *names], work, env)
        plain_one = timed([python, "-m", "jupyter", "nbconvert", "--execute", "--to", "html",
                           "--output-dir", str(root / "nb-one"), changed], work, env)
        build = [python, "-m", "ankl_course", "build", "--out", str(root / "site1")]
        build_1 = timed([*build, "--jobs", "1"], REPO, env)
        build_2 = timed([python, "-m", "ankl_course", "build", "--out", str(root / "site2"), "--jobs", "2"], REPO, env)
        noop = timed(build, REPO, env)
        stamp = root / "site1" / ".ankl-build" / f"{Path(changed).stem}.json"
        chapter_alone = json.loads(stamp.read_text(encoding="utf-8"))["seconds"]
        touch_chapter(work / changed)
        one = timed(build, REPO, env)
        forced = timed([*build, "--force"], REPO, env)
        baseline = plain_html + plain_slides
        print(f"chapters: {len(notebooks)} (cores: {os.cpu_count()})")
        print(f"plain nbconvert --execute --to html:    {plain_html:6.1f} s")
        print(f"plain nbconvert --execute --to slides:  {plain_slides:6.1f} s")
        print(f"plain nbconvert, both formats:          {baseline:6.1f} s")
        print(f"ankl-course build --jobs 1 (full):      {build_1:6.1f} s  "
              f"(ratio to both formats {build_1 / baseline:.2f}; to --to html alone {build_1 / plain_html:.2f})")
        print(f"ankl-course build --jobs 2 (full):      {build_2:6.1f} s  (ratio {build_2 / baseline:.2f})")
        print(f"no-op rebuild (nothing changed):        {noop:6.1f} s  (target: under 2 s)")
        print(f"one chapter changed ({changed}): {one:6.1f} s  (that chapter alone in the full build "
              f"{chapter_alone:.1f} s; plain nbconvert --to html of it {plain_one:.1f} s)")
        print(f"--force rebuild:                        {forced:6.1f} s")
        site = root / "site1"
        print(f"site size: {folder_bytes(site) / 2**20:.2f} MiB, of which assets/ "
              f"{folder_bytes(site / 'assets') / 2**20:.2f} MiB")
        print("self-contained decks (slides-single/):")
        for deck in sorted((site / "slides-single").glob("*.html")):
            print(f"  {deck.name:40s} {deck.stat().st_size / 1024:8.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
