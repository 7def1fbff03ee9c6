"""Benchmark of the transplant-outcomes module (chapters 06 and 07): big cohorts, course overhead, widget redraws.

Prints, from one run, side by side:
  * a 1,000,000-patient synthetic cohort calibrated, generated and analysed (Kaplan-Meier of overall
    survival + Aalen-Johansen cumulative incidence of relapse, no variance at that size), against the
    target of 5 s, and the same two fits done with lifelines directly on the same arrays (the ratio is
    the course's overhead);
  * the peak memory of that work (peak RSS of the process, and peak traced Python allocations);
  * what a confidence band costs where students see one (Aalen-Johansen variance at n = 59 and 5,000);
  * each explorer redraw at n = 5,000 against the 150 ms target.
Timings are medians of a few repeats; the machine's load average is printed because helpers share it.

Run: .venv/bin/python benchmarks/bench_survival.py
"""

from __future__ import annotations

import os
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

N_BIG = 1_000_000
N_WIDGET = 5_000
TARGET_BIG_S = 5.0
TARGET_REDRAW_MS = 150.0


def timed(work: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls, and the last result."""
    seconds, _, result = timed_both(work, repeats)
    return seconds, result


def timed_both(work: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Median wall time and median CPU time of ``repeats`` calls, and the last result.

    CPU time is printed beside wall time because the machine is shared: when other jobs
    compete for the cores, wall time grows while the CPU time of this process does not.
    """
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from lifelines import AalenJohansenFitter, KaplanMeierFitter

    from ankl_course import survival

    print(f"bench_survival: load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    rss_start = peak_rss_mib()

    def generate() -> Any:
        return survival.calibrate().sample(N_BIG, seed=1)

    gen_s, gen_cpu, cohort = timed_both(generate, 3)
    os_time, os_event = cohort["os_time"].to_numpy(), cohort["os_event"].to_numpy()
    efs_time, efs_event = cohort["efs_time"].to_numpy(), cohort["efs_event"].to_numpy()

    def course_fits() -> tuple[float, float]:
        km = survival.kaplan_meier(os_time, os_event, "overall survival")
        aj = survival.aalen_johansen(efs_time, efs_event, survival.RELAPSE, "relapse")
        return survival.value_at(km, 5.0), survival.value_at(aj, 1.0)

    def lifelines_fits() -> tuple[Any, Any]:
        km = KaplanMeierFitter().fit(os_time, os_event)
        aj = AalenJohansenFitter(calculate_variance=False, seed=0).fit(efs_time, efs_event, event_of_interest=1)
        return km, aj

    lifelines_fits()  # warm-up of both, then alternate them so neither gains from going second
    course_fits()
    lib_runs, course_runs = [], []
    for _ in range(3):
        lib_runs.append(timed_both(lifelines_fits, 1))
        course_runs.append(timed_both(course_fits, 1))
    lib_s, lib_cpu = (statistics.median(run[i] for run in lib_runs) for i in (0, 1))
    course_s, course_cpu = (statistics.median(run[i] for run in course_runs) for i in (0, 1))
    os5, cir1 = course_runs[-1][2]
    total, total_cpu = gen_s + course_s, gen_cpu + course_cpu
    print("\n1e6 synthetic patients (calibrate + generate + KM + Aalen-Johansen, no AJ variance at this n)")
    print(f"  {'':<34} {'wall':>8} {'CPU':>8}")
    print(f"  {'generate (calibration included)':<34} {gen_s:7.2f}s {gen_cpu:7.2f}s")
    print(f"  {'analyse with the course':<34} {course_s:7.2f}s {course_cpu:7.2f}s"
          f"   (5-year OS {os5:.3f}, 1-year relapse {cir1:.3f})")
    print(f"  {'same fits with lifelines directly':<34} {lib_s:7.2f}s {lib_cpu:7.2f}s")
    print(f"  course/lifelines ratio: wall {course_s / lib_s:.2f}, CPU {course_cpu / lib_cpu:.2f}")
    verdict = (f"wall {'met' if total < TARGET_BIG_S else 'NOT met'}, "
               f"CPU {'met' if total_cpu < TARGET_BIG_S else 'NOT met'}")
    print(f"  {'generated + analysed':<34} {total:7.2f}s {total_cpu:7.2f}s   target < {TARGET_BIG_S:.0f} s: {verdict}")
    print(f"  peak RSS {peak_rss_mib():.0f} MiB (process start {rss_start:.0f} MiB)")
    del cohort

    tracemalloc.start()
    cohort = survival.calibrate().sample(N_BIG, seed=2)
    survival.kaplan_meier(cohort["os_time"], cohort["os_event"])
    survival.aalen_johansen(cohort["efs_time"], cohort["efs_event"], survival.RELAPSE)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak traced allocations (tracemalloc, separate run) {traced_peak / 2**20:.0f} MiB")
    del cohort

    print("\nConfidence bands where students see them (Aalen-Johansen with its variance)")
    for n in (59, N_WIDGET):
        durations, events = survival.competing_exponentials(n, 1.0, 0.5, seed=3)
        with_var, _ = timed(lambda d=durations, e=events: survival.aalen_johansen(d, e, 1, variance=True), 3)
        without, _ = timed(lambda d=durations, e=events: survival.aalen_johansen(d, e, 1, variance=False), 3)
        print(f"  n={n:>6}: with variance {1000 * with_var:7.1f} ms, without {1000 * without:7.1f} ms")

    print(f"\nExplorer redraws at n={N_WIDGET} (median of 7, after one warm-up; target < {TARGET_REDRAW_MS:.0f} ms)")
    model = survival.calibrate()
    hazard = survival.HazardScenarioExplorer(n=N_WIDGET)   # the render functions the notebook's explorers use
    sample_size = survival.SampleSizeExplorer(model)
    views = {
        "hazard scenario (KM + AJ + figure)": lambda: hazard(1.2, 0.4),
        "sample size vs CI width (sample + KM + figure)": lambda: sample_size(N_WIDGET),
    }
    for name, view in views.items():
        view()
        wall, cpu, _ = timed_both(view, 7)
        verdict = f"wall {'met' if 1000 * wall < TARGET_REDRAW_MS else 'NOT met'}, " \
                  f"CPU {'met' if 1000 * cpu < TARGET_REDRAW_MS else 'NOT met'}"
        print(f"  {name:<48} wall {1000 * wall:6.1f} ms  CPU {1000 * cpu:6.1f} ms  {verdict}")
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
