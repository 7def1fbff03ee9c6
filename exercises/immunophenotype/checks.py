"""Grader-side checks for the immunophenotype exercise (read by the grader only, never released).

Each check draws random marker profiles, so a classifier that only handles the
visible examples does not pass; the expected answers come from the source
notebook's own solution (``ref``).
"""

from ankl_course.grading.checks import call, expect, value

CD56_LEVELS = ("bright", "dim", "negative")
FLAGS = ("surface_cd3", "cd16", "cd57", "tcr_clonal", "ebv", "aggressive", "persistent")

VISIBLE = [
    {"surface_cd3": False, "cd56": "dim", "cd16": True, "cd57": False,
     "tcr_clonal": False, "ebv": False, "aggressive": False, "persistent": True},
    {"surface_cd3": True, "cd56": "negative", "cd16": True, "cd57": False,
     "tcr_clonal": True, "ebv": False, "aggressive": False, "persistent": True},
    {"surface_cd3": False, "cd56": "bright", "cd16": False, "cd57": False,
     "tcr_clonal": False, "ebv": True, "aggressive": True, "persistent": False},
]


#: Task 1's patients a to d, and the classification the rule gives each.
CASES = {"patient_a": "ANKL", "patient_b": "T-LGL", "patient_c": "NK-LGLL", "patient_d": "unclassified: needs work-up"}

RUBRICS = {
    "reply_report": (
        "2 points: names it T-LGL by the rule (surface CD3 with a clonal TCR; CD57 not required), says a clonal "
        "expansion is never normal, and names a sensible next step (follow-up counts, clinical review, "
        "haematology). 1 point: two of the three. 0: agrees with 'normal', or calls it ANKL/NK-LGLL."),
}


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


def check_cases(ref, rng):
    for name, label in CASES.items():
        yield expect(value(name), getattr(ref, name), "text", hint="apply the rules in order; the first that fits")
        assert getattr(ref, name) == label == ref.classify(_table_row(name)), name  # the table, the rule, the key


def _table_row(name):
    """Task 1's table, as profiles (so the answer key is checked against the rule itself)."""
    rows = {
        "patient_a": (False, "bright", False, False, False, True, True, False),
        "patient_b": (True, "negative", True, False, True, False, False, True),
        "patient_c": (False, "dim", True, True, False, False, False, True),
        "patient_d": (True, "negative", True, True, False, False, False, True),
    }
    keys = ("surface_cd3", "cd56", "cd16", "cd57", "tcr_clonal", "ebv", "aggressive", "persistent")
    return dict(zip(keys, rows[name], strict=True))


CHECKS = {
    "test_cases": check_cases,
    "test_is_nk_phenotype": check_is_nk_phenotype,
    "test_classify": check_classify,
}

#: Nothing to import ahead: the exercise uses plain Python.
PRELOAD = ()
