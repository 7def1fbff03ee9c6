"""Grader-side checks for the FCS gating exercise (read by the grader only, never released).

The student's notebook works on ``blood_sample.fcs``, written at release from a
fixed seed. The hidden checks write fresh synthetic samples (a random seed, size
and kind: ANKL, healthy or NK-LGLL blood) into the student's folder just before
asking, so the shares cannot be looked up in advance. Samples come from the
course's cytometry generator (``ankl_course.cytometry``) and are written with flowio.
"""

import tempfile
from pathlib import Path

from ankl_course.grading.checks import call, expect, file, value

PRELOAD = ("numpy", "flowio")
SAMPLE = "blood_sample.fcs"
SAMPLE_SEED = 2024
SAMPLE_EVENTS = 3000
KINDS = ("ankl_pb", "healthy_pb", "clpd_nk_pb")

RUBRICS = {
    "interpret_share": (
        "2 points: says the bright CD56, CD3-negative population suggests an abnormal NK expansion (ANKL "
        "among the possibilities) AND that the diagnosis needs more than the phenotype (clinical course, "
        "EBV, morphology, other NK disorders share it). 1 point: one of the two. 0: reads the share as the "
        "diagnosis, or misreads the gate."),
}


def fcs_bytes(kind, events, seed):
    """A synthetic sample written as FCS, as bytes."""
    from ankl_course.cytometry import synthetic
    from ankl_course.cytometry.fcs import write_fcs

    with tempfile.TemporaryDirectory() as tmp:
        path = write_fcs(synthetic.generate(kind, events, seed=seed), Path(tmp, "sample.fcs"))
        return path.read_bytes()


def write_data(folder):
    """The sample the student's notebook reads (the same bytes at every release)."""
    Path(folder, SAMPLE).write_bytes(fcs_bytes("ankl_pb", SAMPLE_EVENTS, SAMPLE_SEED))


def hidden_cases(rng, count, reference):
    """(probe file, the reference's answer on it, events) for fresh random samples."""
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        events = int(rng.integers(1500, 3000))
        data = fcs_bytes(kind, events, int(rng.integers(0, 2**31)))
        name = f"sample_{int(rng.integers(10**9)):09d}.fcs"
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp, name)
            scratch.write_bytes(data)
            expected = reference(scratch)
        yield file(name, data), expected, events


def check_events(ref, rng):
    yield expect(value("events_in_sample"), SAMPLE_EVENTS, hint="one event per cell: the length of ch['CD45']")


def check_lymphoid_share(ref, rng):
    with tempfile.TemporaryDirectory() as tmp:
        write_data(tmp)
        yield expect(call("lymphoid_share", SAMPLE), ref.lymphoid_share(Path(tmp, SAMPLE)), "close",
                     tol=100 / SAMPLE_EVENTS, hidden=False)
    for arg, expected, events in hidden_cases(rng, 2, ref.lymphoid_share):
        yield expect(call("lymphoid_share", arg), expected, "close", tol=100 / events,
                     hint="a percentage of all events, 0 to 100")


def check_bright_nk_share(ref, rng):
    with tempfile.TemporaryDirectory() as tmp:
        write_data(tmp)
        yield expect(call("bright_nk_share", SAMPLE), ref.bright_nk_share(Path(tmp, SAMPLE)), "close",
                     tol=100 / SAMPLE_EVENTS, hidden=False)
    for arg, expected, events in hidden_cases(rng, 3, ref.bright_nk_share):
        yield expect(call("bright_nk_share", arg), expected, "close", tol=100 / events,
                     hint="apply the three gates in order; a percentage of all events")


CHECKS = {
    "test_events": check_events,
    "test_lymphoid_share": check_lymphoid_share,
    "test_bright_nk_share": check_bright_nk_share,
}
