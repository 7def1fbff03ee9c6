"""The HLH-2004 diagnostic criteria as a checker: which criteria a case meets, which it misses,
and which cannot be judged because a result is not available.

Why a library function and not a notebook cell: students apply the criteria to several vignettes
and toggle findings to see the verdict move, the capstone chapter reuses the checker, and a
clinical rule that is taught must be tested against hand-worked cases. The thresholds are data
(``data/hlh2004.toml``, with its citation), so the code holds only the logic of each criterion.

Why three states, not two: in a real work-up the NK-cell activity or soluble CD25 result is often
still pending. "Not measured" is not "normal"; a case with four criteria met and two unknown is
*undetermined*, not negative. The verdict says so.

Education, not a diagnostic device: the criteria identify the HLH syndrome, not its cause, and they
were written for children (see :data:`ADULT_CAVEAT`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML

from .datafile import read_toml
from .errors import CourseDataError
from .htmlkit import Cell, Markup, table
from .interactive import Explorer
from .resources import data_path

MET, NOT_MET, MISSING = "met", "not met", "missing"
STATUSES = (MET, NOT_MET, MISSING)
FULFILLED, NOT_FULFILLED, UNDETERMINED = "fulfilled", "not fulfilled", "undetermined"

#: Findings the checker reads; values are numbers (units in the name), booleans, or None (not known).
NUMERIC_FINDINGS = (
    "temperature_c", "hemoglobin_g_l", "platelets_10e9_l", "neutrophils_10e9_l",
    "triglycerides_mmol_l", "fibrinogen_g_l", "ferritin_ug_l", "scd25_u_ml", "age_weeks",
)
#: Detail shown when the haemophagocytosis criterion is met: says how the malignancy clause is handled.
HAEMOPHAGOCYTOSIS_MET = ("haemophagocytosis seen (counted even when a malignancy such as ANKL is known, although "
                         "the guideline's table adds 'no evidence of malignancy')")
BOOLEAN_FINDINGS = ("splenomegaly", "hemophagocytosis", "nk_activity_low", "molecular_diagnosis")
FINDINGS = NUMERIC_FINDINGS + BOOLEAN_FINDINGS

#: Criterion ids in the order of the guideline, and the thresholds each needs from the data file.
CRITERIA_THRESHOLDS: dict[str, tuple[str, ...]] = {
    "fever": ("at_least_temperature_c",),
    "splenomegaly": (),
    "cytopenias": (
        "lineages_required", "below_hemoglobin_g_l", "below_hemoglobin_g_l_infant",
        "infant_age_below_weeks", "below_platelets_10e9_l", "below_neutrophils_10e9_l",
    ),
    "lipids_fibrinogen": ("at_least_triglycerides_mmol_l", "at_most_fibrinogen_g_l"),
    "hemophagocytosis": (),
    "nk_activity": (),
    "ferritin": ("at_least_ferritin_ug_l",),
    "scd25": ("at_least_scd25_u_ml",),
}

ADULT_CAVEAT = (
    "HLH-2004 was written for children. In adults it is applied by extension, and scores built on "
    "adult cohorts (the HScore) estimate the probability of reactive haemophagocytic syndrome instead."
)


@dataclass(frozen=True)
class Criterion:
    """One criterion of the guideline: wording and thresholds from the data file."""

    id: str
    label: str
    description: str
    thresholds: Mapping[str, float]
    short: str = ""


@dataclass(frozen=True)
class Criteria:
    """The whole rule set: the criteria, how many must be met, and its citation."""

    name: str
    cite: str
    required: int
    designed_for: str
    note: str
    criteria: tuple[Criterion, ...]

    def __getitem__(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


@dataclass(frozen=True)
class CriterionResult:
    """The status of one criterion for one case, with the values that decided it."""

    id: str
    label: str
    status: str
    detail: str


@dataclass(frozen=True)
class Assessment:
    """The checker's answer: per-criterion results, the molecular arm, and the verdict."""

    results: tuple[CriterionResult, ...]
    molecular_diagnosis: bool | None
    required: int
    verdict: str
    reason: str

    @property
    def met(self) -> list[str]:
        """Ids of the criteria met."""
        return [r.id for r in self.results if r.status == MET]

    @property
    def not_met(self) -> list[str]:
        """Ids of the criteria known not to be met."""
        return [r.id for r in self.results if r.status == NOT_MET]

    @property
    def missing(self) -> list[str]:
        """Ids of the criteria that cannot be judged with the data given."""
        return [r.id for r in self.results if r.status == MISSING]

    def summary(self) -> str:
        """One line a student can read: counts and verdict with its reason."""
        return (f"{len(self.met)} of {len(self.results)} criteria met, {len(self.not_met)} not met, "
                f"{len(self.missing)} unknown. HLH-2004 {self.verdict}: {self.reason}")


# -- loading -------------------------------------------------------------------


def load_criteria(path: Path | None = None) -> Criteria:
    """Read and validate ``data/hlh2004.toml``; a missing criterion or threshold is a CourseDataError."""
    path = path or data_path("hlh2004.toml")
    raw = read_toml(path)
    for key in ("name", "cite", "required", "criterion"):
        if key not in raw:
            raise CourseDataError(path, "", f"missing {key}")
    required = raw["required"]
    if isinstance(required, bool) or not isinstance(required, int) or not 1 <= required <= len(CRITERIA_THRESHOLDS):
        raise CourseDataError(path, "required", f"must be a whole number from 1 to {len(CRITERIA_THRESHOLDS)}")
    found: dict[str, Criterion] = {}
    for number, entry in enumerate(raw["criterion"], start=1):
        cid = entry.get("id")
        if cid not in CRITERIA_THRESHOLDS:
            raise CourseDataError(path, f"criterion #{number}", f"unknown criterion id {cid!r}")
        if cid in found:
            raise CourseDataError(path, f"criterion {cid}", "duplicate criterion")
        thresholds: dict[str, float] = {}
        for name in CRITERIA_THRESHOLDS[cid]:
            value = entry.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise CourseDataError(path, f"criterion {cid}", f"threshold {name} must be a positive number")
            thresholds[name] = float(value)
        label = str(entry.get("label", cid))
        found[cid] = Criterion(cid, label, str(entry.get("description", "")), thresholds,
                               str(entry.get("short", label)))
    absent = [cid for cid in CRITERIA_THRESHOLDS if cid not in found]
    if absent:
        raise CourseDataError(path, "", f"missing criterion(s): {', '.join(absent)}")
    return Criteria(
        name=str(raw["name"]), cite=str(raw["cite"]), required=required,
        designed_for=str(raw.get("designed_for", "")), note=str(raw.get("note", "")),
        criteria=tuple(found[cid] for cid in CRITERIA_THRESHOLDS),
    )


# -- validation of a case ------------------------------------------------------


def validate_findings(findings: Mapping[str, Any]) -> dict[str, Any]:
    """Check a case's findings: known names, numbers that are finite and not negative, booleans.

    Returns a full mapping with every finding present (absent ones as None, meaning not known).
    """
    unknown = sorted(set(findings) - set(FINDINGS))
    if unknown:
        raise ValueError(f"unknown finding(s): {', '.join(unknown)}; expected some of: {', '.join(FINDINGS)}")
    clean: dict[str, Any] = dict.fromkeys(FINDINGS)
    for name, value in findings.items():
        if value is None:
            continue
        if name in BOOLEAN_FINDINGS:
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true, false or None (not known), not {value!r}")
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number or None (not known), not {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
        clean[name] = value
    return clean


# -- the criteria ----------------------------------------------------------------


def _flag(value: bool | None, yes: str, no: str) -> tuple[str, str]:
    if value is None:
        return MISSING, "not assessed"
    return (MET, yes) if value else (NOT_MET, no)


def _numeric(value: float | None, threshold: float, at_least: bool, what: str, unit: str) -> tuple[str, str]:
    if value is None:
        return MISSING, f"{what} not measured"
    hit = value >= threshold if at_least else value <= threshold
    sign = (">=" if hit else "<") if at_least else ("<=" if hit else ">")
    return (MET if hit else NOT_MET), f"{what} {value:g} {unit} {sign} {threshold:g}"


def _cytopenias(f: Mapping[str, Any], t: Mapping[str, float]) -> tuple[str, str]:
    infant = f["age_weeks"] is not None and f["age_weeks"] < t["infant_age_below_weeks"]
    hb_limit = t["below_hemoglobin_g_l_infant"] if infant else t["below_hemoglobin_g_l"]
    lineages = (
        ("Hb", f["hemoglobin_g_l"], hb_limit, "g/L"),
        ("platelets", f["platelets_10e9_l"], t["below_platelets_10e9_l"], "x10^9/L"),
        ("neutrophils", f["neutrophils_10e9_l"], t["below_neutrophils_10e9_l"], "x10^9/L"),
    )
    low = unknown = 0
    parts = []
    for name, value, limit, unit in lineages:
        if value is None:
            unknown += 1
            parts.append(f"{name} not measured")
        elif value < limit:
            low += 1
            parts.append(f"{name} {value:g} < {limit:g} {unit}")
        else:
            parts.append(f"{name} {value:g} >= {limit:g} {unit}")
    needed = int(t["lineages_required"])
    detail = f"{low} of 3 lineages low ({'; '.join(parts)})"
    if low >= needed:
        return MET, detail
    if low + unknown < needed:
        return NOT_MET, detail
    return MISSING, detail


def _lipids(f: Mapping[str, Any], t: Mapping[str, float]) -> tuple[str, str]:
    tg = _numeric(f["triglycerides_mmol_l"], t["at_least_triglycerides_mmol_l"], True,
                  "fasting triglycerides", "mmol/L")
    fib = _numeric(f["fibrinogen_g_l"], t["at_most_fibrinogen_g_l"], False, "fibrinogen", "g/L")
    detail = f"{tg[1]}; {fib[1]}"
    if MET in (tg[0], fib[0]):
        return MET, detail
    if tg[0] == NOT_MET and fib[0] == NOT_MET:
        return NOT_MET, detail
    return MISSING, detail


def _evaluate(criterion: Criterion, f: Mapping[str, Any]) -> tuple[str, str]:
    t = criterion.thresholds
    if criterion.id == "fever":
        return _numeric(f["temperature_c"], t["at_least_temperature_c"], True, "temperature", "°C")
    if criterion.id == "splenomegaly":
        return _flag(f["splenomegaly"], "spleen enlarged", "spleen not enlarged")
    if criterion.id == "cytopenias":
        return _cytopenias(f, t)
    if criterion.id == "lipids_fibrinogen":
        return _lipids(f, t)
    if criterion.id == "hemophagocytosis":
        # The guideline's table adds "no evidence of malignancy"; the checker still counts the criterion,
        # because in ANKL the malignancy is the trigger and the criteria name the syndrome, not its cause.
        return _flag(f["hemophagocytosis"], HAEMOPHAGOCYTOSIS_MET, "no haemophagocytosis seen")
    if criterion.id == "nk_activity":
        return _flag(f["nk_activity_low"], "NK activity low or absent", "NK activity normal")
    if criterion.id == "ferritin":
        return _numeric(f["ferritin_ug_l"], t["at_least_ferritin_ug_l"], True, "ferritin", "µg/L")
    return _numeric(f["scd25_u_ml"], t["at_least_scd25_u_ml"], True, "sCD25", "U/mL")


def assess(
    findings: Mapping[str, Any],
    overrides: Mapping[str, str] | None = None,
    criteria: Criteria | None = None,
) -> Assessment:
    """Apply HLH-2004 to one case.

    ``findings`` maps names in :data:`FINDINGS` to values (None or absent: not known).
    ``overrides`` sets a criterion's status directly (``{"scd25": "met"}``), as the notebook's
    toggles do to ask "what if the pending result comes back high?".
    """
    criteria = criteria or load_criteria()
    clean = validate_findings(findings)
    overrides = dict(overrides or {})
    bad = sorted(set(overrides) - set(CRITERIA_THRESHOLDS))
    if bad:
        raise ValueError(f"unknown criterion id(s) in overrides: {', '.join(bad)}")
    for cid, status in overrides.items():
        if status not in STATUSES:
            raise ValueError(f"override for {cid} must be one of {', '.join(STATUSES)}, not {status!r}")
    results = []
    for criterion in criteria.criteria:
        if criterion.id in overrides:
            status, detail = overrides[criterion.id], "set by hand"
        else:
            status, detail = _evaluate(criterion, clean)
        results.append(CriterionResult(criterion.id, criterion.label, status, detail))
    return _verdict(tuple(results), clean["molecular_diagnosis"], criteria.required)


def _verdict(results: tuple[CriterionResult, ...], molecular: bool | None, required: int) -> Assessment:
    met = sum(r.status == MET for r in results)
    missing = sum(r.status == MISSING for r in results)
    if molecular:
        verdict, reason = FULFILLED, "a molecular diagnosis consistent with HLH is enough on its own"
    elif met >= required:
        verdict, reason = FULFILLED, f"{met} criteria met (at least {required} needed)"
    elif met + missing >= required:
        verdict = UNDETERMINED
        reason = (f"{met} met; {missing} unknown could still bring it to {required}: "
                  "missing results are not negative results")
    else:
        verdict = NOT_FULFILLED
        reason = f"only {met} met and {missing} unknown, so {required} cannot be reached"
        if molecular is None:
            reason += " (no molecular result given)"
    return Assessment(results, molecular, required, verdict, reason)


# -- display ----------------------------------------------------------------------

_SYMBOL = {MET: "&#10004; met", NOT_MET: "&#10008; not met", MISSING: "? unknown"}
_COLOUR = {MET: "#00613e", NOT_MET: "#a3001b", MISSING: "#6b6b6b"}
_VERDICT_COLOUR = {FULFILLED: "#00613e", NOT_FULFILLED: "#a3001b", UNDETERMINED: "#8a5a00"}


def assessment_html(assessment: Assessment, title: str = "") -> str:
    """A table of the criteria with their status, and the verdict, as accessible HTML."""
    esc = html.escape
    rows = [(r.label, Cell(Markup(_SYMBOL[r.status]), style=f"color:{_COLOUR[r.status]};font-weight:600"), r.detail)
            for r in assessment.results]
    molecular = {True: "positive", False: "negative", None: "not available"}[assessment.molecular_diagnosis]
    colour = _VERDICT_COLOUR[assessment.verdict]
    return (
        table(["Criterion", "Status", "Why"], rows, caption=title, css_class="ankl-hlh")
        + f"<p>Molecular diagnosis: {molecular}.</p>"
        f'<p role="status" style="color:{colour};font-weight:600">HLH-2004 {esc(assessment.verdict)}: '
        f"{esc(assessment.reason)}.</p>"
    )


def criteria_html(criteria: Criteria | None = None) -> str:
    """The criteria themselves as a table, read from the data file (no number typed in a notebook)."""
    criteria = criteria or load_criteria()
    rows = [(i, c.label, c.description) for i, c in enumerate(criteria.criteria, start=1)]
    caption = f"{criteria.name}: a molecular diagnosis, or at least {criteria.required} of these"
    return table(["#", "Criterion", "Threshold"], rows, caption=caption, css_class="ankl-hlh-criteria")


# -- vignettes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Vignette:
    """A synthetic case: what the student reads, the findings the checker reads, the point it makes."""

    id: str
    title: str
    summary: str
    teaching: str
    findings: Mapping[str, Any]
    sources: tuple[str, ...]


def load_vignettes(path: Path | None = None) -> dict[str, Vignette]:
    """Read ``data/hlh_vignettes.toml``; each vignette must be marked synthetic and have valid findings."""
    path = path or data_path("hlh_vignettes.toml")
    raw = read_toml(path)
    vignettes: dict[str, Vignette] = {}
    for number, entry in enumerate(raw.get("vignette", []), start=1):
        vid = entry.get("id")
        where = f"vignette {vid}" if isinstance(vid, str) else f"vignette #{number}"
        if not isinstance(vid, str) or not vid:
            raise CourseDataError(path, where, "missing id")
        if vid in vignettes:
            raise CourseDataError(path, where, "duplicate id")
        if entry.get("synthetic") is not True:
            raise CourseDataError(path, where, "patient-level data must be marked synthetic = true")
        for name in ("title", "summary", "teaching"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                raise CourseDataError(path, where, f"missing {name}")
        try:
            findings = validate_findings(entry.get("findings", {}))
        except ValueError as exc:
            raise CourseDataError(path, where, str(exc)) from None
        given = {k: v for k, v in findings.items() if v is not None}
        vignettes[vid] = Vignette(vid, entry["title"], entry["summary"], entry["teaching"], given,
                                  tuple(entry.get("sources", ())))
    if not vignettes:
        raise CourseDataError(path, "", "no [[vignette]] entries")
    return vignettes


def vignettes_html(vignettes: Mapping[str, Vignette]) -> str:
    """The vignettes as a student reads them before predicting a verdict: title and story, no verdict."""
    items = "".join(f"<li><strong>{html.escape(v.title)}</strong> (synthetic). {html.escape(v.summary)}</li>"
                    for v in vignettes.values())
    return f"<ul>{items}</ul>"


def verdicts_html(vignettes: Mapping[str, Vignette], criteria: Criteria | None = None) -> str:
    """Each vignette's HLH-2004 verdict with the counts behind it: the worked answer to the prediction."""
    summaries = {v.title: assess(v.findings, criteria=criteria).summary() for v in vignettes.values()}
    items = "".join(f"<li><strong>{html.escape(title)}</strong>: {html.escape(summary)}</li>"
                    for title, summary in summaries.items())
    return f"<ul>{items}</ul>"


# -- the checker chapter 04 shows -------------------------------------------------------------

#: What the checker's menus offer for each criterion: the vignette's own finding, or one set by hand.
AS_IN_VIGNETTE = "auto"
CHOICES = [("as in the vignette", AS_IN_VIGNETTE), ("met", MET), ("not met", NOT_MET), ("unknown", MISSING)]


def vignette_html(vignette: Vignette, overrides: Mapping[str, str], criteria: Criteria | None = None) -> str:
    """A vignette's story, its HLH-2004 assessment with ``overrides`` (criterion id -> met/not met/
    missing) applied, and its teaching point: what the checker shows for one setting of its menus."""
    result = assess(vignette.findings, overrides=overrides, criteria=criteria)
    return (f"<p><strong>{vignette.title}</strong> (synthetic). {vignette.summary}</p>"
            + assessment_html(result)
            + f"<p><em>Teaching point:</em> {vignette.teaching}</p>")


def checker_explorer(criteria: Criteria, vignettes: Mapping[str, Vignette]) -> Explorer:
    """Chapter 04's HLH-2004 checker: a vignette menu, and one menu per criterion that keeps the
    vignette's finding or sets it met, not met or unknown, so a student sees which criterion decides."""
    def show_case(vignette_id: str, **choices: str) -> HTML:
        overrides = {cid: value for cid, value in choices.items() if value != AS_IN_VIGNETTE}
        return HTML(vignette_html(vignettes[vignette_id], overrides, criteria))

    controls = {"vignette_id": widgets.Dropdown(options=[(v.title, v.id) for v in vignettes.values()],
                                                description="Vignette", layout=widgets.Layout(width="32em"))}
    for item in criteria.criteria:
        controls[item.id] = widgets.Dropdown(options=CHOICES, value=AS_IN_VIGNETTE, description=item.short,
                                             style={"description_width": "14em"},
                                             layout=widgets.Layout(width="30em"))
    return Explorer(show_case, controls, title="HLH-2004 checker (synthetic vignettes)")
