"""The cohort design file: what the synthetic cohort assumes and which published figures it must reproduce.

Why a data file: the assumptions (graft and status mix, follow-up, landmark, tolerance) are
choices a teacher can read and change without Python, and the targets are facts-registry ids,
so the cohort is calibrated to the same numbers the chapter cites. Also here: the source texts'
survival claims that chapter 7 appraises (``data/survival/claims.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..citations import Fact, load_facts
from ..claims import by_topic, load_claims
from ..datafile import checked_number, read_toml
from ..errors import CourseDataError
from ..resources import data_path

#: Shown in every title, caption and table of generated data.
SYNTHETIC = "SYNTHETIC data"
#: Event codes of the first event after transplant (``efs_event``).
CENSORED, RELAPSE, NRM = 0, 1, 2
EVENT_NAMES = {CENSORED: "censored", RELAPSE: "relapse or progression", NRM: "non-relapse death"}
CORD_BLOOD = "cord blood"
OTHER_SOURCES = "other sources"
REMISSION_LABELS = ("CR", "PR")
TARGET_NAMES = (
    "os_1y", "os_5y", "relapse_1y", "nrm_1y", "os_5y_cord_blood", "os_5y_other_sources", "os_5y_crpr",
    "os_5y_efs_12m",
)


@dataclass(frozen=True)
class Design:
    """The fixed assumptions and the published targets of the synthetic cohort (fractions, not %)."""

    targets: dict[str, float]
    target_facts: dict[str, str]
    graft_counts: dict[str, int]
    status_counts: dict[str, int]
    late_relapse_share: float
    follow_up: tuple[float, float]
    landmark: float
    tolerance_points: float
    source: str

    @property
    def n_published(self) -> int:
        """Patients in the published cohort."""
        return sum(self.graft_counts.values())

    @property
    def cord_blood_share(self) -> float:
        return self.graft_counts[CORD_BLOOD] / self.n_published

    @property
    def remission_share(self) -> float:
        return sum(self.status_counts[label] for label in REMISSION_LABELS) / self.n_published


def _setting(path: Path, design: dict[str, Any], key: str, low: float, high: float) -> float:
    return checked_number(path, f"design.{key}", design.get(key), low=low, high=high)


def _counts(path: Path, where: str, entries: Any, facts: dict[str, Fact]) -> dict[str, int]:
    if not isinstance(entries, list) or not entries:
        raise CourseDataError(path, where, "must be a list of { label = ..., fact = ... }")
    counts: dict[str, int] = {}
    for entry in entries:
        fact_id = entry.get("fact") if isinstance(entry, dict) else None
        if fact_id not in facts:
            raise CourseDataError(path, where, f"fact {fact_id!r} is not in facts.toml")
        counts[str(entry.get("label"))] = int(facts[fact_id].value)
    return counts


def load_design(path: Path | None = None) -> Design:
    """Read and validate the cohort design; published figures come from the facts registry."""
    path = path or data_path("survival", "cohort_design.toml")
    raw = read_toml(path)
    facts = load_facts()
    design = raw.get("design")
    if not isinstance(design, dict):
        raise CourseDataError(path, "[design]", "missing table")
    targets: dict[str, float] = {}
    target_facts: dict[str, str] = {}
    for index, entry in enumerate(raw.get("target", []), start=1):
        name, fact_id = entry.get("name"), entry.get("fact")
        if name not in TARGET_NAMES:
            raise CourseDataError(path, f"target #{index}", f"name must be one of {', '.join(TARGET_NAMES)}")
        if fact_id not in facts or facts[fact_id].unit != "%":
            raise CourseDataError(path, f"target {name}", f"fact {fact_id!r} is not a percentage in facts.toml")
        targets[name] = float(facts[fact_id].value) / 100.0
        target_facts[name] = fact_id
    missing = [name for name in TARGET_NAMES if name not in targets]
    if missing:
        raise CourseDataError(path, "[[target]]", f"missing target(s): {', '.join(missing)}")
    groups = raw.get("groups", {})
    graft = _counts(path, "groups.graft", groups.get("graft"), facts)
    status = _counts(path, "groups.status", groups.get("status"), facts)
    if CORD_BLOOD not in graft or not set(REMISSION_LABELS) <= set(status):
        raise CourseDataError(path, "[groups]", f"needs graft '{CORD_BLOOD}' and status 'CR' and 'PR'")
    if sum(graft.values()) != sum(status.values()):
        raise CourseDataError(path, "[groups]", "graft and status counts must add up to the same cohort size")
    low = _setting(path, design, "follow_up_min_years", 0.0, 50.0)
    high = _setting(path, design, "follow_up_max_years", low, 50.0)
    return Design(
        targets=targets,
        target_facts=target_facts,
        graft_counts=graft,
        status_counts=status,
        late_relapse_share=_setting(path, design, "late_relapse_share", 0.0, 1.0),
        follow_up=(low, high),
        landmark=_setting(path, design, "landmark_years", 0.0, 10.0),
        tolerance_points=_setting(path, design, "tolerance_points", 0.0, 20.0),
        source=str(raw.get("cite", "")),
    )


def survival_claims(path: Path | None = None) -> pd.DataFrame:
    """The survival claims of the course's source texts with their appraisal, as a table.

    The claims and their verdicts live once, in ``data/claims.toml`` (topic ``survival``),
    so chapters 5 and 7 cannot disagree on them; ``path`` reads another claims file.
    """
    claims = load_claims(path)
    rows = [{"source text": c.source_label, "claim": c.quote, "population": c.population or "not stated",
             "what the literature shows": f"{c.verdict_label}. {c.summary}"}
            for c in (claims[i] for i in by_topic("survival", claims))]
    if not rows:
        raise CourseDataError(path or data_path("claims.toml"), "", "no claim with topic 'survival'")
    return pd.DataFrame(rows)
