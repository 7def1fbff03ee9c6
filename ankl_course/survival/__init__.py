"""Transplant outcomes: a synthetic registry cohort calibrated to a published abstract, analysed with lifelines.

Why this package exists: the best evidence on allogeneic transplantation for ANKL
is a registry study of 59 patients (Fujimoto et al., 2021) whose patient-level
data is not public. To let students *do* the analysis that paper reports, and
see how much 59 patients can and cannot show, the course generates SYNTHETIC
patients from a small multi-state model whose parameters are solved so that, at
large n, the cohort reproduces the abstract's figures (read from the facts
registry, never retyped). At n = 59 the same model shows the sampling noise a
real cohort of that size has.

Design (documented in ``data/survival/cohort_design.toml``): graft source and
disease status drawn with the abstract's proportions; first-year constant
cause-specific hazards of relapse/progression and non-relapse mortality (NRM),
multiplied by a graft effect and a disease-status effect; a small late event
hazard after one year; death at a constant rate after relapse; administrative
censoring from a spread of potential follow-up times. Six free parameters are
solved by least squares against eight published figures. The published figures
cannot all hold exactly in one population (see :func:`abstract_consistency`),
so the fit is a compromise within a stated tolerance.

All estimation is done by lifelines (Kaplan-Meier, Aalen-Johansen, log-rank).
Every data frame the package returns carries ``attrs["synthetic"] = True``.

One module per job. The names below are what the chapter notebooks, the tests and the benchmark
call (``survival.calibrate()``); everything else is used inside the package and imported from its
module there (for example ``from .design import CENSORED``), so this list is the chapter's
interface, not a second copy of each module's names:

* :mod:`.design`: the design file and the published targets, the claims to appraise;
* :mod:`.cohort`: the multi-state model, sampling, calibration, competing hazards;
* :mod:`.estimators`: lifelines fits, curves read through its API, the published figures;
* :mod:`.plots`: the chapter's figures with alt text;
* :mod:`.lessons`: the chapters' demonstrations, one call per cell;
* :mod:`.tables`: the cohort as a student reads it (named columns, months);
* :mod:`.explorers`: the two fast-redrawing explorers.
"""

from __future__ import annotations

from .cohort import (
    CohortModel,
    abstract_consistency,
    calibrate,
    competing_exponentials,
    guarantee_time_groups,
    naive_one_minus_km,
    true_cumulative_incidence,
)
from .design import (
    CORD_BLOOD,
    OTHER_SOURCES,
    RELAPSE,
    TARGET_NAMES,
    load_design,
    survival_claims,
)
from .estimators import (
    VARIANCE_LIMIT,
    aalen_johansen,
    comparison_table,
    curve_on_grid,
    estimates,
    kaplan_meier,
    landmark_subset,
    logrank,
    logrank_pvalues,
    logrank_pvalues_many,
    value_at,
)
from .explorers import (
    HazardScenarioExplorer,
    SampleSizeExplorer,
    ci_width_view,
    hazard_scenario_view,
)
from .lessons import (
    PowerSimulation,
    competing_hazards_explorer,
    confounding_report,
    consistency_report,
    graft_logrank_report,
    guarantee_time_cohort,
    guarantee_time_report,
    power_simulation,
    relapse_report,
    sample_size_explorer,
)
from .plots import (
    competing_risks_figure,
    landmark_figure,
    pvalue_figure,
    survival_figure,
)
from .tables import comparison_display, patient_table

__all__ = [
    "CORD_BLOOD",
    "CohortModel",
    "HazardScenarioExplorer",
    "OTHER_SOURCES",
    "PowerSimulation",
    "RELAPSE",
    "SampleSizeExplorer",
    "TARGET_NAMES",
    "VARIANCE_LIMIT",
    "aalen_johansen",
    "abstract_consistency",
    "calibrate",
    "ci_width_view",
    "comparison_display",
    "comparison_table",
    "competing_exponentials",
    "competing_hazards_explorer",
    "competing_risks_figure",
    "confounding_report",
    "consistency_report",
    "curve_on_grid",
    "estimates",
    "graft_logrank_report",
    "guarantee_time_cohort",
    "guarantee_time_groups",
    "guarantee_time_report",
    "hazard_scenario_view",
    "kaplan_meier",
    "landmark_figure",
    "landmark_subset",
    "load_design",
    "logrank",
    "logrank_pvalues",
    "logrank_pvalues_many",
    "naive_one_minus_km",
    "patient_table",
    "power_simulation",
    "pvalue_figure",
    "relapse_report",
    "sample_size_explorer",
    "survival_claims",
    "survival_figure",
    "true_cumulative_incidence",
    "value_at",
]
