"""Grader-side checks for the immunophenotype exercise (read by the grader only, never released).

Each check draws random marker profiles, so a classifier that only handles the
visible examples does not pass; the expected answers come from the source
notebook's own solution (``ref``).
"""

from ankl_course.grading.checks import call, expect

CD56_LEVELS = ("bright", "dim", "negative")
FLAGS = ("surface_cd3", "cd16", "cd57", "tcr_clonal", "ebv", "aggressive", "persistent")

VISIBLE = [
    {"surface_cd3": False, "cd56": "dim", "cd16": True, "cd57": False,
     "tcr_clonal": False, "ebv": False, "aggressive": False, "persistent": True},
    {"surface_cd3": True, "cd56": "negative", "cd16": True, "cd57": True,
     "tcr_clonal": True, "ebv": False, "aggressive": False, "persistent": True},
    {"surface_cd3": False, "cd56": "bright", "cd16": False, "cd57": False,
     "tcr_clonal": False, "ebv": True, "aggressive": True, "persistent": False},
]


def random_profile(rng):
    profile = {flag: bool(rng.random() < 0.5) for flag in FLAGS}
    profile["cd56"] = str(CD56_LEVELS[int(rng.integers(0, 3))])
    return profile


def check_is_nk_phenotype(ref, rng):
    for profile in VISIBLE[:2]:
        yield expect(call("is_nk_phenotype", profile), ref.is_nk_phenotype(profile), hidden=False)
    for _ in range(30):
        profile = random_profile(rng)
        yield expect(call("is_nk_phenotype", profile), ref.is_nk_phenotype(profile))


def check_classify(ref, rng):
    for profile in VISIBLE[1:]:
        yield expect(call("classify", profile), ref.classify(profile), hidden=False)
    for _ in range(60):
        profile = random_profile(rng)
        yield expect(call("classify", profile), ref.classify(profile),
                     hint="check the order of the rules and the NK phenotype")


def check_count_diagnoses(ref, rng):
    yield expect(call("count_diagnoses", []), ref.count_diagnoses([]), hidden=False)
    for size in (5, 40):
        profiles = [random_profile(rng) for _ in range(size)]
        yield expect(call("count_diagnoses", profiles), ref.count_diagnoses(profiles),
                     hint="all four diagnoses must be keys, zero counts included")


CHECKS = {
    "test_is_nk_phenotype": check_is_nk_phenotype,
    "test_classify": check_classify,
    "test_count_diagnoses": check_count_diagnoses,
}

#: Nothing to import ahead: the exercise uses plain Python.
PRELOAD = ()
