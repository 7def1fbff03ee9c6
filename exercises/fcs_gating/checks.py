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

import json
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

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
        sample = synthetic.generate(kind, events, seed=seed, course_specs=course_specs())
        return write_fcs(sample, Path(tmp, "sample.fcs")).read_bytes()


@cache
def course_specs():
    """The cytometry specs, read once per process (reading them costs more than drawing a sample)."""
    from ankl_course.cytometry import synthetic

    return synthetic.load_specs()


def variant(rng):
    """A student's own sample: the seed and the number of events of their ``blood_sample.fcs``."""
    return {"sample_seed": int(rng.integers(0, 2**31)),
            "sample_events": int(rng.integers(*VARIANT_EVENTS))}


def write_data(folder, params=None):
    """The sample the student's notebook reads: the shared one, or the student's own (``params``)."""
    seed, events = (SAMPLE_SEED, SAMPLE_EVENTS) if params is None else (params["sample_seed"],
                                                                        params["sample_events"])
    Path(folder, SAMPLE).write_bytes(fcs_bytes("ankl_pb", events, seed))


def own_shares(ref):
    """The reference's lymphoid and bright NK shares on the student's own sample (the file it ran on)."""
    return shares_of(ref._files[SAMPLE], SameCode(ref.lymphoid_share), SameCode(ref.bright_nk_share))


@lru_cache(maxsize=4)
def shares_of(data, lymphoid, bright):
    """Both shares on one file, written once (both checks of a plan ask; file writes are slow here)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, SAMPLE)
        path.write_bytes(data)
        return lymphoid.function(path), bright.function(path)


def hidden_cases(rng, count, reference):
    """(probe file, the reference's answer on it, events) for fresh random samples."""
    state = json.dumps(rng.bit_generator.state)
    cases, after = judged_samples(state, count, SameCode(reference))
    rng.bit_generator.state = json.loads(after)  # as if drawn here
    yield from ((file(name, data), expected, events) for name, data, events, expected in cases)


@dataclass(frozen=True, eq=False)
class SameCode:
    """A reference function, equal to another with the same name and compiled code.

    A variant of this exercise changes only the data file (``variant`` assigns no name), so every
    student's reference solution is the same code and gives the same answer on the same hidden sample.
    """

    function: Any

    def key(self):
        return self.function.__name__, self.function.__code__.co_code, self.function.__code__.co_consts

    def __eq__(self, other):
        return isinstance(other, SameCode) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())


@lru_cache(maxsize=16)
def judged_samples(state, count, reference):
    """The hidden samples of :func:`fresh_samples` with ``reference``'s answer on each; made once per run."""
    samples, after = fresh_samples(state, count)
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, events in samples:
            scratch = Path(tmp, name)
            scratch.write_bytes(data)
            cases.append((name, data, events, reference.function(scratch)))
    return tuple(cases), after


@lru_cache(maxsize=16)
def fresh_samples(state, count):
    """``count`` random samples (name, FCS bytes, events) drawn by a generator in ``state`` (JSON); its state after.

    The grader seeds each run's checks once per exercise, so every student's variant draws the same
    samples; made once per run instead of once per student (making a sample is the costly part).
    """
    rng = np.random.default_rng()
    rng.bit_generator.state = json.loads(state)
    samples = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        events = int(rng.integers(1500, 3000))
        data = fcs_bytes(kind, events, int(rng.integers(0, 2**31)))
        samples.append((f"sample_{int(rng.integers(10**9)):09d}.fcs", data, events))
    return tuple(samples), json.dumps(rng.bit_generator.state)


def check_events(ref, rng):
    yield expect(value("events_in_sample"), len(ref.ch["CD45"]), hint="one event per cell: the length of ch['CD45']")


def check_lymphoid_share(ref, rng):
    events = len(ref.ch["CD45"])
    yield expect(call("lymphoid_share", SAMPLE), own_shares(ref)[0], "close", tol=100 / events, hidden=False)
    for arg, expected, events in hidden_cases(rng, 2, ref.lymphoid_share):
        yield expect(call("lymphoid_share", arg), expected, "close", tol=100 / events,
                     hint="a percentage of all events, 0 to 100")


def check_bright_nk_share(ref, rng):
    events = len(ref.ch["CD45"])
    yield expect(call("bright_nk_share", SAMPLE), own_shares(ref)[1], "close", tol=100 / events, hidden=False)
    for arg, expected, events in hidden_cases(rng, 3, ref.bright_nk_share):
        yield expect(call("bright_nk_share", arg), expected, "close", tol=100 / events,
                     hint="apply the three gates in order; a percentage of all events")


CHECKS = {
    "test_events": check_events,
    "test_lymphoid_share": check_lymphoid_share,
    "test_bright_nk_share": check_bright_nk_share,
}
