"""Grader-side checks for the immunophenotype exercise (read by the grader only, never released).

Each check draws random marker profiles, so a classifier that only handles the
visible examples does not pass; the expected answers come from the source
notebook's own solution (``ref``).

Per-student variants (``variant``): each student's Task 1 has four patients of their own, one of
each answer in an order of their own, so a classmate's four labels do not fit. Every patient is
drawn from a story the chapter teaches: the surface markers come from the course's population
specs (``ankl_course/data/cytometry/populations.toml``: the ANKL, CLPD-NK and T-LGL cells, and
for "needs work-up" reactive CD8 T cells or normal NK cells), a marker that the spec gives to part
of the cells being present with that probability; the clinical findings come with the story.
"""

from functools import cache
from typing import Any

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


#: Task 1's patients a to d in the shared version, and the classification the rule gives each.
CASES = {"patient_a": "ANKL", "patient_b": "T-LGL", "patient_c": "NK-LGLL", "patient_d": "unclassified: needs work-up"}
PATIENTS = ("a", "b", "c", "d")
WORK_UP = "unclassified: needs work-up"

#: answer -> the stories behind it: (population in populations.toml, clinical findings). ``None``
#: marks a finding drawn at random (either value leaves the answer unchanged); EBV in ANKL cells is
#: drawn with the share Suzuki et al. (2004) found (``suzuki2004.ebv_positive`` of ``ebv_tested``).
STORIES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "ANKL": [("ankl", {"tcr_clonal": False, "ebv": "ankl", "aggressive": True, "persistent": False})],
    "T-LGL": [("t_lgl", {"tcr_clonal": True, "ebv": False, "aggressive": False, "persistent": True})],
    "NK-LGLL": [("clpd_nk", {"tcr_clonal": False, "ebv": False, "aggressive": False, "persistent": True})],
    WORK_UP: [  # a polyclonal (reactive) CD8 T-cell expansion; normal-looking NK cells seen once, no symptoms
        ("t_cd8", {"tcr_clonal": False, "ebv": False, "aggressive": False, "persistent": None}),
        ("nk_dim", {"tcr_clonal": False, "ebv": False, "aggressive": False, "persistent": False}),
    ],
}

RUBRICS = {
    "reply_report": (
        "2 points: names it T-LGL by the rule (surface CD3 with a clonal TCR; CD57 not required), says a clonal "
        "expansion is never normal, and names a sensible next step (follow-up counts, clinical review, "
        "haematology). 1 point: two of the three. 0: agrees with 'normal', or calls it ANKL/NK-LGLL."),
}


def variant(rng):
    """A student's four patients (``findings_a`` ...) and the answers that fit them (``patient_a`` ...)."""
    answers = [list(STORIES)[int(i)] for i in rng.permutation(len(STORIES))]
    params: dict[str, Any] = {}
    for letter, answer in zip(PATIENTS, answers, strict=True):
        population, clinical = STORIES[answer][int(rng.integers(len(STORIES[answer])))]
        params[f"findings_{letter}"] = profile_of(population, clinical, rng)
        params[f"patient_{letter}"] = answer
    return params


def profile_of(population, clinical, rng):
    """A patient whose expanded cells are ``population`` (course specs) with the ``clinical`` findings."""
    populations, level_names, ebv_share = course_specs()
    markers = populations[population].markers

    def level(marker):
        expression = markers[marker]
        share_at_level = expression.fraction if expression.other is not None else 1.0
        return level_names[expression.level if rng.random() < share_at_level else expression.other]

    findings: dict[str, Any] = {"surface_cd3": level("CD3") != "neg",
                "cd56": {"neg": "negative", "dim": "dim", "pos": "dim", "bright": "bright"}[level("CD56")],
                "cd16": level("CD16") != "neg", "cd57": level("CD57") != "neg"}
    for name in ("tcr_clonal", "ebv", "aggressive", "persistent"):
        rule = clinical[name]
        if rule == "ankl":
            findings[name] = bool(rng.random() < ebv_share)
        elif rule is None:
            findings[name] = bool(rng.random() < 0.5)
        else:
            findings[name] = rule
    return findings


@cache
def course_specs():
    """The population specs, the level names and the share of EBV-positive ANKL (read once per process)."""
    from ankl_course import facts
    from ankl_course.cytometry import specs

    panel = specs.load_panel()
    level_names = {level: name for name, level in panel.levels.items()}
    ebv_share = float(facts.value("suzuki2004.ebv_positive")) / float(facts.value("suzuki2004.ebv_tested"))
    return specs.load_populations(panel=panel), level_names, ebv_share


def random_profile(rng):
    profile: dict[str, Any] = {flag: bool(rng.random() < 0.5) for flag in FLAGS}
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
    for letter in PATIENTS:
        expected = ref.classify(getattr(ref, f"findings_{letter}"))  # the rule on the student's own patient
        assert getattr(ref, f"patient_{letter}") == expected, letter  # the answer key agrees with the rule
        yield expect(value(f"patient_{letter}"), expected, "text", hint="apply the rules in order; the first that fits")


CHECKS = {
    "test_cases": check_cases,
    "test_is_nk_phenotype": check_is_nk_phenotype,
    "test_classify": check_classify,
}

#: Nothing to import ahead: the exercise uses plain Python.
PRELOAD = ()
