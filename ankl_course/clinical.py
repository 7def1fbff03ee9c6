"""ANKL's clinical picture in figures: how often the organs are enlarged, and the age at diagnosis.

Why a module: chapter 04 drew both charts in its cells (16 and 27 lines of matplotlib). A student who
unfolds a cell, or a teacher reading the chapter, now meets one call; the numbers still come from the
facts registry and the source texts' age bands from the appraised-claims registry, so the chart and
the chapter's text cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from . import claims, facts, figures, glossary
from .figures import FigureDisplay

#: Organ enlargement in the Japanese series of Suzuki et al. (2004): (label, facts registry id).
ORGANS = (
    ("enlarged liver", "suzuki2004.hepatomegaly"),
    ("enlarged spleen", "suzuki2004.splenomegaly"),
    ("enlarged lymph nodes", "suzuki2004.lymphadenopathy"),
)
#: The series' size, for the title.
ORGAN_SERIES = "suzuki2004.n_cases"


def organ_shares() -> list[tuple[str, float | int]]:
    """(label, percent of patients) for each organ, from the facts registry."""
    return [(label, facts.number(fact_id)) for label, fact_id in ORGANS]


def organ_enlargement_figure() -> Figure:
    """Bars of the share of patients with each organ enlarged, the value written at each bar's end."""
    shares = organ_shares()
    values = [value for _, value in shares]
    fig, ax = figures.new_figure("small")
    ax.barh([label for label, _ in shares], values, color=figures.PALETTE["blue"])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of patients (%)")
    ax.set_title(f"Organ enlargement, {facts.fact(ORGAN_SERIES)}")
    for row, value in enumerate(values):
        ax.text(value + 2, row, f"{value}%", va="center")
    return fig


def show_organ_enlargement() -> FigureDisplay:
    """:func:`organ_enlargement_figure` with alt text stating each share, and its source."""
    values = [value for _, value in organ_shares()]
    return figures.show(organ_enlargement_figure(), alt=(
        "Bar chart from the Japanese series of Suzuki et al.: enlarged liver in "
        + ", enlarged spleen in ".join(f"{v} percent" for v in values[:2])
        + f", enlarged lymph nodes in {values[2]} percent of patients."),
        caption="Source: Suzuki et al., 2004.")


#: Series that report a median age (and, where known, a range): (label, facts registry id).
AGE_STUDIES = (
    ("Japan-Korea series", "ishida2012.median_age"),
    ("US registry (NK/T-cell leukaemia)", "kommalapati2018.median_age_nk_leukemia"),
    ("EBV-negative ANKL (US)", "nicolae2017.median_age"),
)


@dataclass(frozen=True)
class AgeBand:
    """A source text's claimed age band: the text's short name and the youngest and oldest age, in years."""

    source: str
    low: float
    high: float


def age_bands(claim_ids: list[str]) -> list[AgeBand]:
    """The age bands of those claims that state one (``age_range`` in claims.toml), labelled by source text."""
    found = []
    for claim_id in claim_ids:
        claim = claims.claim(claim_id)
        if claim.age_range:
            found.append(AgeBand(glossary.source_text(claim.seed).short, *claim.age_range))
    return found


def age_figure(claim_ids: list[str]) -> Figure:
    """The source texts' age bands (orange bars) above what series report (median dot, range line):
    the bands are narrower than the ages seen, from childhood to old age."""
    bands = age_bands(claim_ids)
    fig, ax = figures.new_figure("wide")
    for row, band in enumerate(bands):
        ax.plot([band.low, band.high], [row, row], color=figures.PALETTE["orange"], linewidth=8,
                solid_capstyle="butt")
    for row, (_, fact_id) in enumerate(AGE_STUDIES, start=len(bands)):
        item = facts.fact(fact_id)
        if item.low is not None:
            ax.plot([item.low, item.high], [row, row], color=figures.PALETTE["sky"], linewidth=2)
        ax.plot([item.value], [row], "o", color=figures.PALETTE["blue"], markersize=9)
    ax.set_yticks(range(len(bands) + len(AGE_STUDIES)), [b.source for b in bands] + [s[0] for s in AGE_STUDIES])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("age (years)")
    ax.set_title("Age at ANKL: what the source texts say (orange bars) and what series report (median, range)")
    return fig


def show_ages(claim_ids: list[str]) -> FigureDisplay:
    """:func:`age_figure` for the claims ``claim_ids`` (chapter 04 passes the topic "age"), with alt text
    that reads out every band and median."""
    bands = age_bands(claim_ids)
    return figures.show(age_figure(claim_ids), alt=(
        "Chart of age ranges. Orange bars show the source texts' claims: "
        + "; ".join(f"{b.source}, {b.low:g} to {b.high:g} years" for b in bands) + ". "
        "Blue dots show reported medians: "
        + "; ".join(f"{label}, {facts.fact(i).value} years" for label, i in AGE_STUDIES)
        + ". Thin lines show reported ranges, spanning childhood to old age."))
