"""Grader-side checks for the FCS gating exercise (read by the grader only, never released).

The student's notebook works on ``blood_sample.fcs``, written at release: from a
fixed seed in the shared release, and with a roster from the student's own seed and
size (``variant``), so each student counts their own cells and a classmate's number
does not fit. The notebook itself is the same for everyone. The hidden checks also
write fresh synthetic samples (a random seed, size and kind: ANKL, healthy or NK-LGLL
blood) into the student's folder just before asking, so the shares cannot be looked up
in advance. Samples come from the course's cytometry generator (``ankl_course.cytometry``)
and are written with flowio. Expected answers come from the source's solution (``ref``),
run on the same file as the student's.
"""

import tempfile
from pathlib import Path

from ankl_course.grading.checks import call, expect, file, value

PRELOAD = ("numpy", "flowio")
SAMPLE = "blood_sample.fcs"
SAMPLE_SEED = 2024
SAMPLE_EVENTS = 3000
KINDS = ("ankl_pb", "healthy_pb", "clpd_nk_pb")
#: A student's sample: always ANKL blood (Task 3 and the written answer are about that population),
#: with a seed and a size of its own. Sizes differ by whole events, so a copied count does not fit.
VARIANT_EVENTS = (2500, 3500)
VARIANT_DATA = ("sample_seed", "sample_events")

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


def variant(rng):
    """A student's own sample: the seed and the number of events of their ``blood_sample.fcs``."""
    return {"sample_seed": int(rng.integers(0, 2**31)),
            "sample_events": int(rng.integers(*VARIANT_EVENTS))}


def write_data(folder, params=None):
    """The sample the student's notebook reads: the shared one, or the student's own (``params``)."""
    seed, events = (SAMPLE_SEED, SAMPLE_EVENTS) if params is None else (params["sample_seed"],
                                                                        params["sample_events"])
    Path(folder, SAMPLE).write_bytes(fcs_bytes("ankl_pb", events, seed))


def own_sample(ref, folder):
    """The student's sample (the file the reference solution ran on), written into ``folder``."""
    path = Path(folder, SAMPLE)
    path.write_bytes(ref._files[SAMPLE])
    return path


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
    yield expect(value("events_in_sample"), len(ref.ch["CD45"]), hint="one event per cell: the length of ch['CD45']")


def check_lymphoid_share(ref, rng):
    events = len(ref.ch["CD45"])
    with tempfile.TemporaryDirectory() as tmp:
        yield expect(call("lymphoid_share", SAMPLE), ref.lymphoid_share(own_sample(ref, tmp)), "close",
                     tol=100 / events, hidden=False)
    for arg, expected, events in hidden_cases(rng, 2, ref.lymphoid_share):
        yield expect(call("lymphoid_share", arg), expected, "close", tol=100 / events,
                     hint="a percentage of all events, 0 to 100")


def check_bright_nk_share(ref, rng):
    events = len(ref.ch["CD45"])
    with tempfile.TemporaryDirectory() as tmp:
        yield expect(call("bright_nk_share", SAMPLE), ref.bright_nk_share(own_sample(ref, tmp)), "close",
                     tol=100 / events, hidden=False)
    for arg, expected, events in hidden_cases(rng, 3, ref.bright_nk_share):
        yield expect(call("bright_nk_share", arg), expected, "close", tol=100 / events,
                     hint="apply the three gates in order; a percentage of all events")


CHECKS = {
    "test_events": check_events,
    "test_lymphoid_share": check_lymphoid_share,
    "test_bright_nk_share": check_bright_nk_share,
}
