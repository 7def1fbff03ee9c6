"""The capstone patient of chapter 08: one synthetic case, read from ``data/case_study.toml``.

Why a data file and a module: the case joins four other modules (cytometry,
HLH-2004 checker, EBV kinetics, transplant facts). Keeping the patient's values
in one validated file means the notebook, the quiz answers and the tests all see
the same patient, and a teacher can write a new case without touching code.
Everything random (flow events, assay noise) comes from seeds in the file, so
every run shows the same patient. The file must say ``synthetic = true``: the
course never presents invented data as a real person's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from . import branching, figures
from .branching import BranchPoint
from .citations import load_references
from .cytometry import Sample, generate, sample_names
from .datafile import check_fields, checked_citations, checked_number, checked_text, read_toml
from .ebv import DeclineFit, fit_decline, kinetics_figure, simulate_load
from .errors import CourseDataError
from .figures import FigureDisplay
from .hlh import Assessment, assess, validate_findings
from .htmlkit import Cell, Markup, table
from .interactive import Explorer
from .resources import data_path

FLAGS = ("low", "normal", "high")
TOP_FIELDS = {"id", "title", "synthetic", "age_years", "sex", "presentation", "sources", "lab", "flow", "hlh",
              "ebv", "decision"}


@dataclass(frozen=True)
class Lab:
    """One laboratory result with the flag the (synthetic) laboratory printed beside it."""

    name: str
    value: float
    unit: str
    flag: str
    #: The (synthetic) laboratory's reference range, as printed beside the value: (low, high).
    reference: tuple[float, float] | None = None

    def range_text(self) -> str:
        if self.reference is None:
            return "not given"
        low, high = self.reference
        return f"below {high:g}" if low == 0 else f"{low:g} to {high:g}"


@dataclass(frozen=True)
class FlowSpec:
    """Which synthetic cytometry sample to generate for the patient, and with which seed."""

    sample: str
    n_events: int
    seed: int


@dataclass(frozen=True)
class EbvSpec:
    """How the patient's EBV DNA series is generated: days, starting load, true half-life, noise, seed."""

    days: tuple[float, ...]
    baseline: float
    true_half_life_days: float
    noise_log10: float
    seed: int


@dataclass(frozen=True)
class Case:
    """The whole synthetic patient."""

    id: str
    title: str
    age_years: int
    sex: str
    presentation: str
    labs: tuple[Lab, ...]
    flow: FlowSpec
    hlh_findings: dict[str, Any]
    ebv: EbvSpec
    response: str
    donor: str
    sources: tuple[str, ...]
    synthetic: bool = True


def _table(path: Path, raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise CourseDataError(path, f"[{key}]", "missing section")
    return value


def _whole(path: Path, where: str, value: Any, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise CourseDataError(path, where, f"must be a whole number >= {minimum}, not {value!r}")
    return value


def _sources(path: Path, where: str, value: Any, known: set[str] | None) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise CourseDataError(path, where, "sources must be a non-empty list of citation keys")
    checked_citations(path, where, value, known)
    return tuple(value)


def load_case(path: Path | None = None, references: set[str] | None = None) -> Case:
    """Read and validate the case file; problems raise :class:`CourseDataError` naming file and place."""
    path = path or data_path("case_study.toml")
    raw = read_toml(path)
    if references is None:
        references = set(load_references())
    check_fields(path, "", raw, TOP_FIELDS)
    if raw.get("synthetic") is not True:
        raise CourseDataError(path, "synthetic",
                              "the case must be marked synthetic = true (the course shows no real patient)")
    sources = _sources(path, "sources", raw.get("sources"), references)

    labs = []
    for number, entry in enumerate(raw.get("lab", []), start=1):
        where = f"lab #{number}"
        if not isinstance(entry, dict) or not {"name", "value", "unit", "flag"} <= set(entry) \
                or not set(entry) <= {"name", "value", "unit", "flag", "range"}:
            raise CourseDataError(path, where, "each [[lab]] has name, value, unit, flag and optionally range")
        if entry["flag"] not in FLAGS:
            raise CourseDataError(path, where, f"flag must be one of {', '.join(FLAGS)}, not {entry['flag']!r}")
        value = checked_number(path, where, entry["value"])
        reference = _reference(path, where, entry.get("range"), value, entry["flag"])
        labs.append(Lab(checked_text(path, where, entry["name"]), value,
                        checked_text(path, where, entry["unit"]), entry["flag"], reference))
    if not labs:
        raise CourseDataError(path, "lab", "the case needs at least one [[lab]] result")

    flow = _table(path, raw, "flow")
    _sources(path, "[flow]", flow.get("sources"), references)

    if flow.get("sample") not in sample_names():
        raise CourseDataError(path, "[flow] sample",
                              f"{flow.get('sample')!r} is not one of {', '.join(sample_names())}")
    flow_spec = FlowSpec(flow["sample"], _whole(path, "[flow] n_events", flow.get("n_events"), 1000),
                         _whole(path, "[flow] seed", flow.get("seed")))

    hlh_section = _table(path, raw, "hlh")
    _sources(path, "[hlh]", hlh_section.get("sources"), references)

    try:
        findings = validate_findings(hlh_section.get("findings") or {})
    except ValueError as exc:
        raise CourseDataError(path, "[hlh.findings]", str(exc)) from None

    ebv_section = _table(path, raw, "ebv")
    _sources(path, "[ebv]", ebv_section.get("sources"), references)
    days = ebv_section.get("days")
    if not isinstance(days, list) or len(days) < 3:
        raise CourseDataError(path, "[ebv] days", "give at least three measurement days")
    day_values = tuple(checked_number(path, "[ebv] days", d) for d in days)
    if any(b <= a for a, b in zip(day_values, day_values[1:], strict=False)):
        raise CourseDataError(path, "[ebv] days", "days must be strictly increasing")
    ebv_spec = EbvSpec(
        days=day_values,
        baseline=checked_number(path, "[ebv] baseline", ebv_section.get("baseline"), positive=True),
        true_half_life_days=checked_number(path, "[ebv] true_half_life_days",
                                           ebv_section.get("true_half_life_days"), positive=True),
        noise_log10=checked_number(path, "[ebv] noise_log10", ebv_section.get("noise_log10")),
        seed=_whole(path, "[ebv] seed", ebv_section.get("seed")),
    )

    decision = _table(path, raw, "decision")
    _sources(path, "[decision]", decision.get("sources"), references)
    return Case(
        id=checked_text(path, "id", raw.get("id")), title=checked_text(path, "title", raw.get("title")),
        age_years=_whole(path, "age_years", raw.get("age_years"), 1), sex=checked_text(path, "sex", raw.get("sex")),
        presentation=checked_text(path, "presentation", raw.get("presentation")), labs=tuple(labs), flow=flow_spec,
        hlh_findings=findings, ebv=ebv_spec,
        response=checked_text(path, "[decision] response", decision.get("response")),
        donor=checked_text(path, "[decision] donor", decision.get("donor")), sources=sources,
    )


# -- the steps of the case ----------------------------------------------------------------


def _reference(path: Path, where: str, raw: Any, value: float, flag: str) -> tuple[float, float] | None:
    """A lab's ``range = [low, high]``, checked against its value and flag (a flag must follow its range)."""
    if raw is None:
        return None
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(x, int | float) for x in raw)
            and raw[0] < raw[1]):
        raise CourseDataError(path, where, "range is [low, high], two numbers, low first")
    low, high = float(raw[0]), float(raw[1])
    expected = "low" if value < low else "high" if value > high else "normal"
    if expected != flag:
        raise CourseDataError(path, where, f"flag {flag!r} but the value {value:g} is {expected} for the "
                              f"range {low:g} to {high:g}")
    return low, high


def lab_table_html(case: Case) -> str:
    """The first blood results as an accessible HTML table, with the laboratory's reference ranges
    (a student judges each value against them) and flags spelled out (not colour alone)."""
    marks = {"low": Markup("&#8595; low"), "high": Markup("&#8593; high"), "normal": "normal"}
    rows = [(lab.name, Cell(f"{lab.value:g}", style="text-align:right"), lab.unit, lab.range_text(),
             marks[lab.flag]) for lab in case.labs]
    return table(["Test", "Value", "Unit", "Reference range (this laboratory)", "Flag"], rows,
                 caption="First blood tests (synthetic patient, synthetic laboratory ranges)",
                 css_class="ankl-labs", sections=False, scoped=False)


def flagged(case: Case, flag: str) -> list[str]:
    """Names of the results carrying ``flag`` (``"low"``, ``"normal"`` or ``"high"``)."""
    if flag not in FLAGS:
        raise ValueError(f"flag must be one of {', '.join(FLAGS)}, not {flag!r}")
    return [lab.name for lab in case.labs if lab.flag == flag]


def flow_sample(case: Case) -> Sample:
    """The patient's blood as a synthetic cytometry sample (same events on every run)."""
    return generate(case.flow.sample, n_events=case.flow.n_events, seed=case.flow.seed)


def hlh_assessment(case: Case) -> Assessment:
    """HLH-2004 applied to the patient's findings by the course's checker."""
    return assess(case.hlh_findings)


def ebv_series(case: Case) -> tuple[list[float], list[float]]:
    """The patient's EBV DNA loads (copies/mL) on the measurement days, rounded to whole copies."""
    spec = case.ebv
    loads = simulate_load(list(spec.days), spec.baseline, spec.true_half_life_days, spec.noise_log10, spec.seed)
    return list(spec.days), [float(round(x)) for x in loads]


def ebv_fit(case: Case, first: int | None = None) -> DeclineFit:
    """Log-linear fit of the first ``first`` measurements (all by default)."""
    days, loads = ebv_series(case)
    count = len(days) if first is None else first
    if not 3 <= count <= len(days):
        raise ValueError(f"fit between 3 and {len(days)} measurements, not {count}")
    return fit_decline(days[:count], loads[:count])


def ebv_fit_view(case: Case) -> Callable[[int], FigureDisplay]:
    """Render function for the explorer: fit the first ``points`` measurements and show the line."""
    days, loads = ebv_series(case)

    def render(points: int) -> FigureDisplay:
        fit = ebv_fit(case, points)
        fig = kinetics_figure(days[:points], loads[:points], fit)
        fig.axes[0].set_xlim(-1, days[-1] + 1)
        alt = (f"Synthetic EBV DNA loads of the capstone patient on a log scale, falling from about "
               f"{loads[0]:,.0f} copies/mL; the line fitted to the first {points} measurements gives a "
               f"half-life of {fit.half_life_days:.1f} days.")
        return figures.show(fig, alt=alt)

    return render


def ebv_fit_explorer(case: Case) -> Explorer:
    """The capstone's half-life explorer: a slider for how many of the first measurements the line is
    fitted to (3 up to all), redrawn by :func:`ebv_fit_view`. Why a function: the slider's settings are
    plumbing, and the notebook shows one call."""
    count = len(ebv_series(case)[0])
    slider = widgets.IntSlider(value=count, min=3, max=count, step=1, description="Points used",
                               continuous_update=False)
    return Explorer(ebv_fit_view(case), {"points": slider},
                    title="EBV DNA half-life from the first measurements (synthetic)")


def table_html(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A small HTML table (for gating results and summaries)."""
    return table([str(h) for h in headers], [[str(c) for c in row] for row in rows], sections=False, scoped=False)


def branch_point(branch_id: str) -> BranchPoint:
    """Branch point ``branch_id`` of the case (``data/case_branches.toml``, shown by :mod:`.branching`):
    one call per notebook cell, through the module the capstone already imports."""
    return branching.show(branch_id)
