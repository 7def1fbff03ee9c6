"""Benchmark of the immunophenotyping module: 1e6-event FCS pipeline and one gating-view redraw.

Run: ``.venv/bin/python benchmarks/bench_cytometry.py`` (about half a minute).

Prints, measured side by side in one run:

1. Generating 1,000,000 events x 13 channels (the course panel), writing them as
   FCS 3.1 and reading them back: seconds per step and peak resident memory of a
   fresh process doing only that (targets: under 2 s in total, under 500 MB),
   against the resident memory of the same process before it starts; CPU time
   is printed beside wall time because the machine may be shared.
2. Why the writer passes ``array('f')``: flowio writing the same 100,000 events
   from ``array('f')`` and from a numpy array (ratio).
3. One redraw of the live gating view at 200,000 events (target under 100 ms),
   against a full matplotlib redraw of the same plot (ratio).
4. Drawing one gate in the gate-drawing widget (chapter 3) at 200,000 events: the
   student's lymphoid rectangle (and, separately, the cells polygon) set, every
   downstream count and density plot updated and the figure rendered and encoded
   as ipympl sends it to JupyterLab (target under 100 ms), wall and CPU time.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

N_PIPELINE = 1_000_000
N_WRITER = 100_000
N_VIEW = 200_000
REDRAWS = 20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def pipeline(folder: Path) -> dict[str, float]:
    """Generate, write and read back N_PIPELINE events; timings and peak memory of this process."""
    from ankl_course import cytometry

    before = _peak_mb()
    cpu_start = time.process_time()
    start = time.perf_counter()
    sample = cytometry.generate("ankl_pb", N_PIPELINE, seed=1)
    generated = time.perf_counter()
    path = cytometry.write_fcs(sample, folder / "bench.fcs")
    written = time.perf_counter()
    back = cytometry.read_fcs(path)
    read = time.perf_counter()
    assert back.events.shape == sample.events.shape
    return {
        "channels": sample.events.shape[1], "generate_s": generated - start, "write_s": written - generated,
        "read_s": read - written, "total_s": read - start, "cpu_s": time.process_time() - cpu_start,
        "file_mb": path.stat().st_size / 1e6,
        "rss_before_mb": before, "peak_rss_mb": _peak_mb(),
    }


def writer_ratio(folder: Path) -> tuple[float, float]:
    """flowio.create_fcs from array('f') versus from a numpy array, same events."""
    from array import array

    import flowio
    import numpy as np

    from ankl_course import cytometry

    sample = cytometry.generate("healthy_pb", N_WRITER, seed=2)
    flat = array("f")
    flat.frombytes(np.ascontiguousarray(sample.events, dtype="<f4").tobytes())
    timings = []
    for events in (flat, sample.events.ravel()):
        start = time.perf_counter()
        with (folder / "writer.fcs").open("wb") as handle:
            flowio.create_fcs(handle, events, list(sample.detectors), opt_channel_names=list(sample.markers))
        timings.append(time.perf_counter() - start)
    return timings[0], timings[1]


def redraw() -> dict[str, float]:
    """One redraw of the gating view (cached background) and one full matplotlib redraw of the same plot."""
    from ankl_course import cytometry, figures

    sample = cytometry.generate("ankl_pb", N_VIEW, seed=3)
    start = time.perf_counter()
    render = cytometry.gating_view(sample)
    setup = time.perf_counter() - start
    render(1.7, 4.6)  # warm-up
    times = []
    for step in range(REDRAWS):
        start = time.perf_counter()
        render(1.0 + 0.1 * step, 4.6 - 0.05 * step)
        times.append(time.perf_counter() - start)
    data = cytometry.display_values(sample)
    inside = cytometry.strategy().apply(sample, data=data).masks["CD3- CD19-"]
    gate = cytometry.QuadrantGate("q", "CD16", "CD56", 1.7, 4.6)
    full = []
    for _ in range(3):
        start = time.perf_counter()
        fig, ax = figures.new_figure("square")
        cytometry.density_plot(ax, data["CD16"][inside], data["CD56"][inside], "CD16", "CD56", gate)
        figures.show(fig, alt="full redraw")
        full.append(time.perf_counter() - start)
    return {"setup_s": setup, "redraw_ms": 1000 * statistics.median(times), "redraw_max_ms": 1000 * max(times),
            "full_ms": 1000 * statistics.median(full)}


def gate_drawn() -> dict[str, float]:
    """One gate drawn in the widget and everything below it updated, as the browser would receive it."""
    from ankl_course import cytometry

    sample = cytometry.generate("ankl_pb", N_VIEW, seed=3)
    start = time.perf_counter()
    tool = cytometry.draw_gates(sample)
    tool.widget()
    setup = time.perf_counter() - start
    ui = tool._ui
    assert ui is not None
    ui.canvas._handle_message(None, {"type": "initialized"}, [])  # what JupyterLab's view sends first
    ui.canvas.draw()
    ui.canvas.get_diff_image()

    def one(draw_gate: Any) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        changed = draw_gate()
        ui.refresh(changed, drawn=changed[0] - 1 if changed else None)
        ui.canvas.draw()  # restores the cached axes, draws the changed artists, sends the PNG diff
        return time.perf_counter() - wall, time.process_time() - cpu

    rectangles = [one(lambda k=k: tool.draft.set_rectangle(1, 4.3 + 0.02 * k, 7.5, 0, 36000 + 300 * k))
                  for k in range(REDRAWS)]
    cells = tool.draft.reference.gate("cells")
    assert isinstance(cells, cytometry.PolygonGate)
    polygons = [one(lambda k=k: tool.draft.set_polygon(0, [(x + 200 * k, y) for x, y in cells.vertices]))
                for k in range(REDRAWS)]
    return {"setup_s": setup,
            "rect_ms": 1000 * statistics.median(w for w, _ in rectangles),
            "rect_cpu_ms": 1000 * statistics.median(c for _, c in rectangles),
            "rect_max_ms": 1000 * max(w for w, _ in rectangles),
            "poly_ms": 1000 * statistics.median(w for w, _ in polygons),
            "poly_cpu_ms": 1000 * statistics.median(c for _, c in polygons)}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--pipeline-only":
        print(json.dumps(pipeline(Path(sys.argv[2]))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        # A fresh process, so that its peak memory is the pipeline's and nothing else's.
        done = subprocess.run([sys.executable, __file__, "--pipeline-only", tmp], capture_output=True, text=True,
                              check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        fast, slow = writer_ratio(Path(tmp))
    view = redraw()
    drawn = gate_drawn()
    n = f"{N_PIPELINE:,}"
    print(f"FCS pipeline, {n} events x {figures['channels']} channels (fresh process)")
    print(f"  generate  {figures['generate_s']:6.2f} s")
    print(f"  write     {figures['write_s']:6.2f} s   ({figures['file_mb']:.0f} MB file)")
    print(f"  read      {figures['read_s']:6.2f} s")
    print(f"  total     {figures['total_s']:6.2f} s   (CPU {figures['cpu_s']:.2f} s; the machine may be shared)   "
          f"target < 2 s: {'met' if figures['total_s'] < 2 else 'MISSED'}")
    print(f"  peak RSS  {figures['peak_rss_mb']:6.0f} MB  (process before the pipeline: "
          f"{figures['rss_before_mb']:.0f} MB)   target < 500 MB: "
          f"{'met' if figures['peak_rss_mb'] < 500 else 'MISSED'}")
    print(f"flowio writer, {N_WRITER:,} events: array('f') {fast * 1000:.0f} ms vs numpy array "
          f"{slow * 1000:.0f} ms (x{slow / fast:.1f})")
    print(f"Gating view, {N_VIEW:,} events: setup {view['setup_s']:.2f} s once; one redraw "
          f"{view['redraw_ms']:.1f} ms median of {REDRAWS} (max {view['redraw_max_ms']:.1f} ms)   target < 100 ms: "
          f"{'met' if view['redraw_ms'] < 100 else 'MISSED'}")
    print(f"  vs a full matplotlib redraw of the same plot: {view['full_ms']:.0f} ms "
          f"(x{view['full_ms'] / view['redraw_ms']:.0f})")
    load = os.getloadavg()[0]
    print(f"Gate drawing widget, {N_VIEW:,} events: setup {drawn['setup_s']:.2f} s once; one gate drawn and the "
          f"plots below it updated, median of {REDRAWS} (load average {load:.1f} on {os.cpu_count()} CPUs; "
          "wall time grows with it, CPU time does not):")
    print(f"  lymphoid rectangle  {drawn['rect_ms']:.1f} ms (CPU {drawn['rect_cpu_ms']:.1f} ms, max "
          f"{drawn['rect_max_ms']:.1f} ms)   target < 100 ms: {'met' if drawn['rect_ms'] < 100 else 'MISSED'}")
    print(f"  cells polygon       {drawn['poly_ms']:.1f} ms (CPU {drawn['poly_cpu_ms']:.1f} ms; every plot below it)"
          f"   target < 100 ms: {'met' if drawn['poly_ms'] < 100 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
