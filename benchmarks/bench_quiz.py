"""Quiz figures: rendering every quiz of the largest chapter in a kernel, and the quiz script per page.

Targets (issue 12): all quizzes of the largest chapter (the one whose page shows
the most questions) render in a running kernel in under 50 ms; the quiz script
and CSS are included once per exported page. The render time is measured
inside a real kernel (widgets then open their comms as they do for a student),
median of 7 runs after one warm-up; the page figures come from executing that
chapter as ``ankl-course build`` does and reading its outputs.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MARK = "Kernel-free quizzes for exported pages"

KERNEL_CODE = textwrap.dedent("""
    import json, time
    from ankl_course.quiz import QuizSession
    from ankl_course.resources import chapter_notebooks
    path = next(p for p in chapter_notebooks() if p.stem == {chapter!r})
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    calls = [source for source in sources if source.startswith("quiz.")]
    quiz = QuizSession({chapter!r}, store=None)   # the chapter's setup cell: bank, facts and references loaded
    started = time.perf_counter()
    for call in calls:                           # every quiz cell of the chapter, as the kernel displays it
        shown = eval(call)
        bundle = shown._repr_mimebundle_()
    print(json.dumps({{"ms": (time.perf_counter() - started) * 1000, "cells": len(calls)}}))
""")


def largest_chapter() -> tuple[str, int]:
    from ankl_course.quiz_bank import chapter_pages

    chapter, _title, keys = max(chapter_pages(), key=lambda page: len(page[2]))
    return chapter, len(keys)


def kernel_render_ms(chapter: str, repeats: int = 7) -> list[float]:
    """Milliseconds to render every quiz of ``chapter`` and its score line, in a running kernel."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(REPO))
    try:
        times: list[float] = []
        outputs: list[dict] = []
        for run in range(repeats + 1):
            reply = client.execute_interactive(KERNEL_CODE.format(chapter=chapter), timeout=120,
                                               output_hook=outputs.append)
            assert reply["content"]["status"] == "ok", reply["content"]
            text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
            if run:  # the first run warms imports and caches
                times.append(json.loads(text.strip().splitlines()[-1])["ms"])
            outputs.clear()
        return times
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def page_script_figures(chapter: str) -> tuple[int, int, int]:
    """(copies of the quiz script, bytes of quiz script and CSS, quiz forms) in the chapter as exported."""
    from ankl_course.export.build import execute
    from ankl_course.quiz_render import RenderContext
    from ankl_course.resources import chapter_notebooks

    path = next(p for p in chapter_notebooks() if p.stem == chapter)
    with tempfile.TemporaryDirectory() as work:
        os.symlink(path, Path(work) / path.name)
        nb = execute(Path(work) / path.name, Path(work), teacher=False)
    html = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
    return html.count(MARK), len(RenderContext.load().assets().encode()), html.count('<form class="ankl-quiz"')


def main() -> None:
    chapter, questions = largest_chapter()
    times = kernel_render_ms(chapter)
    median = statistics.median(times)
    print(f"Largest chapter page: {chapter} ({questions} questions)")
    print(f"  render all its quizzes and the score line in a kernel: median {median:6.1f} ms "
          f"(min {min(times):.1f}, max {max(times):.1f}, {len(times)} runs)   target < 50 ms   "
          f"{'ok' if median < 50 else 'OVER TARGET'}")
    copies, size, forms = page_script_figures(chapter)
    print(f"  exported page: {forms} quiz forms, quiz script + CSS included {copies} time(s), {size} bytes "
          f"(one copy per question would be {size * forms} bytes)   {'ok' if copies == 1 else 'NOT ONCE'}")


if __name__ == "__main__":
    main()
