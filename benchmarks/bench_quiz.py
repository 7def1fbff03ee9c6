"""Quiz figures: rendering every quiz of the largest chapter in a kernel, and the quiz script per page.

Targets (issue 12): all quizzes of the largest chapter (the one whose page shows
the most questions) render in a running kernel in under 50 ms; the quiz script
and CSS are included once per exported page. The render time is measured
inside a real kernel (widgets then open their comms as they do for a student),
median of 7 runs after one warm-up; the page figures come from executing that
chapter as ``ankl-course build`` does and reading its outputs.

The machine is shared, so a time alone says little: ``--baseline DIR`` (a copy
of another version's source tree, e.g. ``git archive main | tar -x -C DIR``)
runs the same cells in a second kernel on that code, alternating run by run
with this tree's kernel, and prints both medians, their ratio and the load
average.
"""

from __future__ import annotations

import argparse
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
    import json, sys, time
    sys.path.insert(0, {tree!r})                  # this kernel's version of the package
    from ankl_course.quiz import QuizSession
    from ankl_course.resources import chapter_notebooks
    path = next(p for p in chapter_notebooks() if p.stem == {chapter!r})
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    calls = [source for source in sources if source.startswith("quiz.")]
    quiz = QuizSession({chapter!r}, store=None)   # the chapter's setup cell: bank, facts and references loaded
    started, cpu = time.perf_counter(), time.process_time()
    for call in calls:                           # every quiz cell of the chapter, as the kernel displays it
        shown = eval(call)
        bundle = shown._repr_mimebundle_()
    print(json.dumps({{"ms": (time.perf_counter() - started) * 1000, "cpu": (time.process_time() - cpu) * 1000}}))
""")


def largest_chapter() -> tuple[str, int]:
    from ankl_course.quiz_bank import chapter_pages

    chapter, _title, keys = max(chapter_pages(), key=lambda page: len(page[2]))
    return chapter, len(keys)


def kernel_render_ms(chapter: str, trees: list[Path], repeats: int = 7) -> list[list[tuple[float, float]]]:
    """(wall, CPU) milliseconds to render every quiz of ``chapter`` and its score line, in a running kernel
    per source tree; the kernels take turns, so each run of one has the other's load beside it. The CPU
    time (the kernel process's, all threads) is what the code costs; the wall time adds waiting for
    the cores, which on a shared machine says more about the neighbours."""
    from jupyter_client.manager import start_new_kernel

    kernels = [start_new_kernel(kernel_name="python3", cwd=str(tree)) for tree in trees]
    try:
        times: list[list[tuple[float, float]]] = [[] for _ in trees]
        for run in range(repeats + 1):
            for index, (tree, (_manager, client)) in enumerate(zip(trees, kernels, strict=True)):
                outputs: list[dict] = []
                reply = client.execute_interactive(KERNEL_CODE.format(chapter=chapter, tree=str(tree)), timeout=120,
                                                   output_hook=outputs.append)
                assert reply["content"]["status"] == "ok", reply["content"]
                text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
                if run:  # the first run warms imports and caches
                    found = json.loads(text.strip().splitlines()[-1])
                    times[index].append((found["ms"], found["cpu"]))
        return times
    finally:
        for manager, client in kernels:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def _load() -> str:
    return "load " + "/".join(f"{value:.1f}" for value in os.getloadavg())


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another version's source tree, measured side by side")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--render-only", action="store_true", help="skip executing the chapter for the page figures")
    args = parser.parse_args(argv)
    chapter, questions = largest_chapter()
    trees = [REPO] + ([args.baseline.resolve()] if args.baseline else [])
    print(f"Largest chapter page: {chapter} ({questions} questions); {_load()} (1/5/15 min) before")
    all_times = kernel_render_ms(chapter, trees, args.repeats)
    after = _load()
    medians = []
    for tree, runs in zip(trees, all_times, strict=True):
        wall, cpu = [w for w, _ in runs], [c for _, c in runs]
        medians.append((statistics.median(wall), statistics.median(cpu)))
        name = "this tree" if tree == REPO else f"baseline {tree}"
        print(f"  {name}: render all its quizzes and the score line in a kernel: median {medians[-1][0]:6.1f} ms "
              f"(min {min(wall):.1f}, max {max(wall):.1f}; CPU median {medians[-1][1]:.1f} ms, {len(runs)} runs)"
              f"   target < 50 ms   {'ok' if medians[-1][0] < 50 else 'OVER TARGET'}")
    if args.baseline:
        print(f"  ratio this tree / baseline: wall {medians[0][0] / medians[1][0]:.2f}, "
              f"CPU {medians[0][1] / medians[1][1]:.2f} (same runs, alternating); {after} after")
    else:
        print(f"  {after} after")
    if args.render_only:
        return
    copies, size, forms = page_script_figures(chapter)
    print(f"  exported page: {forms} quiz forms, quiz script + CSS included {copies} time(s), {size} bytes "
          f"(one copy per question would be {size * forms} bytes)   {'ok' if copies == 1 else 'NOT ONCE'}")


if __name__ == "__main__":
    main()
