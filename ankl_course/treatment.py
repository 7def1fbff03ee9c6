"""Treatment data for chapter 05: drugs, regimens, emerging approaches, and how strong the evidence is.

Why a module and a data file: the regimen explorer, the appraisal of the blog's
regimen table (seed 003) and the tests all read one validated source,
``data/regimens.toml``, so a teacher corrects a drug or a citation in one place.
The file holds no doses or schedules, and :func:`load_formulary` refuses text
that looks like one: this course teaches drugs, mechanisms, toxicities and
evidence, never how to dose a patient.

Evidence is recorded per disease, because most regimen data come from extranodal
NK/T-cell lymphoma (ENKTL), not from aggressive NK-cell leukemia (ANKL); keeping
the two apart is the point of the chapter's appraisal section.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML
from matplotlib.figure import Figure

from . import facts, figures
from .citations import load_references
from .datafile import check_fields, check_top_level, checked_citations, checked_text, read_toml
from .errors import CourseDataError
from .figures import FigureDisplay
from .htmlkit import table
from .interactive import Explorer
from .resources import data_path

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Text that looks like a dose or schedule (mg/m2, IU/m2, mg/kg, "day 1", "every 3 weeks", "twice daily").
DOSE_LIKE = re.compile(
    r"\d\s*(?:mg|g|iu|u|units?)\s*/\s*(?:m2|m²|kg)|\bmg\b|\bdays?\s+\d|\bevery\s+\d+\s+(?:days?|weeks?)"
    r"|\b(?:once|twice|three times)\s+(?:a\s+)?daily\b",
    re.IGNORECASE,
)
DISEASES = ("ankl", "enktl")
ASPARAGINASE_CLASS = "Enzyme (amino-acid depletion)"

DRUG_FIELDS = {"id", "name", "class", "mechanism", "toxicities", "sources"}
REGIMEN_FIELDS = {
    "id", "name", "expansion", "drugs", "studied_in", "enktl_evidence", "ankl_evidence", "note", "sources",
}
APPROACH_FIELDS = {"id", "name", "drugs", "rationale", "enktl_evidence", "ankl_evidence", "note", "sources"}
LEVEL_FIELDS = {"id", "rank", "short", "label", "meaning"}
CLAIM_FIELDS = {"regimen", "listed_name", "listed_drugs", "listed_pfs", "listed_notes", "seed"}


@dataclass(frozen=True)
class EvidenceLevel:
    """One rung of the evidence ladder (``rank`` 0 = nothing found ... 5 = randomised trial)."""

    id: str
    rank: int
    label: str
    meaning: str
    short: str = ""


@dataclass(frozen=True)
class Drug:
    """A drug: its family, how it works and its main harms (never a dose)."""

    id: str
    name: str
    drug_class: str
    mechanism: str
    toxicities: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def depletes_asparagine(self) -> bool:
        """True for asparaginase and its long-acting form, the backbone drugs of NK-cell tumour regimens."""
        return self.drug_class.startswith(ASPARAGINASE_CLASS)


@dataclass(frozen=True, kw_only=True)
class _Labelled:
    """What regimens and newer approaches share: drugs, an evidence level per disease, sources."""

    id: str
    name: str
    drugs: tuple[str, ...]
    enktl_evidence: str
    ankl_evidence: str
    note: str
    sources: tuple[str, ...]

    def evidence(self, disease: str) -> str:
        """The evidence-level id for ``disease`` (``"ankl"`` or ``"enktl"``)."""
        if disease not in DISEASES:
            raise ValueError(f"disease must be one of {', '.join(DISEASES)}, not {disease!r}")
        return self.ankl_evidence if disease == "ankl" else self.enktl_evidence


@dataclass(frozen=True, kw_only=True)
class Regimen(_Labelled):
    """A named combination of drugs, with the evidence for it in ENKTL and in ANKL."""

    expansion: str
    studied_in: str


@dataclass(frozen=True, kw_only=True)
class Approach(_Labelled):
    """A newer treatment idea (e.g. PD-1 blockade), labelled by its evidence in each disease."""

    rationale: str


@dataclass(frozen=True)
class SeedClaim:
    """One row of the blog's regimen table (seed 003), exactly as the blog has it."""

    regimen: str
    listed_name: str
    listed_drugs: tuple[str, ...]
    listed_pfs: str
    seed: str
    listed_notes: str = ""


@dataclass(frozen=True)
class Appraisal:
    """What a seed row gets right and wrong against the sourced regimen."""

    claim: SeedClaim
    regimen: Regimen
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    pfs_shared_with: tuple[str, ...]

    @property
    def composition_correct(self) -> bool:
        return not self.missing and not self.extra


@dataclass(frozen=True)
class Formulary:
    """Everything in ``regimens.toml``, validated and cross-referenced."""

    levels: dict[str, EvidenceLevel]
    drugs: dict[str, Drug]
    regimens: dict[str, Regimen]
    approaches: dict[str, Approach]
    seed_claims: tuple[SeedClaim, ...]

    def drug(self, drug_id: str) -> Drug:
        try:
            return self.drugs[drug_id]
        except KeyError:
            raise KeyError(f"no drug {drug_id!r}; known: {', '.join(sorted(self.drugs))}") from None

    def regimen(self, regimen_id: str) -> Regimen:
        try:
            return self.regimens[regimen_id]
        except KeyError:
            raise KeyError(f"no regimen {regimen_id!r}; known: {', '.join(sorted(self.regimens))}") from None

    def regimens_containing(self, drug_id: str) -> list[Regimen]:
        """Regimens that include ``drug_id``, in file order."""
        self.drug(drug_id)
        return [r for r in self.regimens.values() if drug_id in r.drugs]

    def contains_asparaginase(self, regimen_id: str) -> bool:
        """Whether the regimen has an asparagine-depleting enzyme (the rationale of the chapter)."""
        return any(self.drugs[d].depletes_asparagine for d in self.regimen(regimen_id).drugs)

    def level(self, level_id: str) -> EvidenceLevel:
        return self.levels[level_id]

    def sources(self) -> list[str]:
        """Every citation key the file uses, in order of first use."""
        keys: list[str] = []
        items: list[Any] = [*self.drugs.values(), *self.regimens.values(), *self.approaches.values()]
        for item in items:
            keys += [k for k in item.sources if k not in keys]
        return keys


# -- loading and validation ---------------------------------------------------------


def _text(path: Path, where: str, entry: dict[str, Any], name: str) -> str:
    value = checked_text(path, where, entry.get(name), name)
    dose = DOSE_LIKE.search(value)
    if dose:
        raise CourseDataError(path, where, f"{name} looks like a dose or schedule ({dose.group(0)!r}): "
                              "this course states no doses")
    return value


def _list(path: Path, where: str, entry: dict[str, Any], name: str) -> tuple[str, ...]:
    value = entry.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise CourseDataError(path, where, f"{name} must be a non-empty list of texts")
    for item in value:
        if DOSE_LIKE.search(item):
            raise CourseDataError(path, where, f"{name} entry {item!r} looks like a dose: this course states no doses")
    return tuple(v.strip() for v in value)


def _table(path: Path, raw: dict[str, Any], key: str, fields: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """The entries of ``[[key]]`` with a location label each; unknown fields and bad or repeated ids are errors."""
    entries = raw.get(key, [])
    if not isinstance(entries, list):
        raise CourseDataError(path, key, f"[[{key}]] must be an array of tables")
    seen: set[str] = set()
    out = []
    for number, entry in enumerate(entries, start=1):
        where = f"{key} #{number}"
        if not isinstance(entry, dict):
            raise CourseDataError(path, where, "each entry is a table")
        check_fields(path, where, entry, fields)
        if "id" in fields:
            entry_id = entry.get("id")
            if not isinstance(entry_id, str) or not ID.match(entry_id):
                raise CourseDataError(path, where, f"id {entry_id!r} must be lower-case letters, digits and -")
            if entry_id in seen:
                raise CourseDataError(path, f"{key} {entry_id}", "duplicate id")
            seen.add(entry_id)
            where = f"{key} {entry_id}"
        out.append((where, entry))
    return out


def _evidence(path: Path, where: str, entry: dict[str, Any], levels: dict[str, EvidenceLevel]) -> None:
    for disease in DISEASES:
        name = f"{disease}_evidence"
        if entry.get(name) not in levels:
            raise CourseDataError(path, where, f"{name} {entry.get(name)!r} is not an evidence level "
                                  f"({', '.join(levels)})")


def _drug_ids(path: Path, where: str, ids: tuple[str, ...], drugs: dict[str, Drug]) -> None:
    for drug_id in ids:
        if drug_id not in drugs:
            raise CourseDataError(path, where, f"drug {drug_id!r} is not defined in [[drug]]")
    if len(set(ids)) != len(ids):
        raise CourseDataError(path, where, "a drug is listed twice")


def load_formulary(path: Path | None = None, references: set[str] | None = None) -> Formulary:
    """Read and validate ``regimens.toml``.

    ``references``: citation keys to check ``sources`` against (by default the
    course bibliography); pass an empty call site's own set in tests.
    """
    path = path or data_path("regimens.toml")
    raw = read_toml(path)
    if references is None:
        references = set(load_references())
    check_top_level(path, raw, {"evidence_level", "drug", "regimen", "approach", "seed_claim"})

    levels: dict[str, EvidenceLevel] = {}
    for where, entry in _table(path, raw, "evidence_level", LEVEL_FIELDS):
        rank = entry.get("rank")
        if isinstance(rank, bool) or not isinstance(rank, int):
            raise CourseDataError(path, where, "rank must be a whole number")
        levels[entry["id"]] = EvidenceLevel(entry["id"], rank, _text(path, where, entry, "label"),
                                            _text(path, where, entry, "meaning"), _text(path, where, entry, "short"))
    if len({lv.rank for lv in levels.values()}) != len(levels):
        raise CourseDataError(path, "evidence_level", "two evidence levels share a rank")

    drugs: dict[str, Drug] = {}
    for where, entry in _table(path, raw, "drug", DRUG_FIELDS):
        sources = _list(path, where, entry, "sources")
        checked_citations(path, where, sources, references)
        drugs[entry["id"]] = Drug(
            id=entry["id"], name=_text(path, where, entry, "name"), drug_class=_text(path, where, entry, "class"),
            mechanism=_text(path, where, entry, "mechanism"), toxicities=_list(path, where, entry, "toxicities"),
            sources=sources,
        )

    def labelled(where: str, entry: dict[str, Any]) -> dict[str, Any]:
        """The checked fields regimens and approaches share (drugs, evidence levels, sources)."""
        ids = _list(path, where, entry, "drugs")
        _drug_ids(path, where, ids, drugs)
        _evidence(path, where, entry, levels)
        sources = _list(path, where, entry, "sources")
        checked_citations(path, where, sources, references)
        return {"id": entry["id"], "name": _text(path, where, entry, "name"), "drugs": ids,
                "enktl_evidence": entry["enktl_evidence"], "ankl_evidence": entry["ankl_evidence"],
                "note": _text(path, where, entry, "note"), "sources": sources}

    regimens = {
        entry["id"]: Regimen(**labelled(where, entry), expansion=_text(path, where, entry, "expansion"),
                             studied_in=_text(path, where, entry, "studied_in"))
        for where, entry in _table(path, raw, "regimen", REGIMEN_FIELDS)
    }
    approaches = {
        entry["id"]: Approach(**labelled(where, entry), rationale=_text(path, where, entry, "rationale"))
        for where, entry in _table(path, raw, "approach", APPROACH_FIELDS)
    }

    claims = []
    for where, entry in _table(path, raw, "seed_claim", CLAIM_FIELDS):
        if entry.get("regimen") not in regimens:
            raise CourseDataError(path, where, f"regimen {entry.get('regimen')!r} is not defined in [[regimen]]")
        listed_pfs = entry.get("listed_pfs")
        if not isinstance(listed_pfs, str):
            raise CourseDataError(path, where, "listed_pfs must be the text the seed gives")
        notes = entry.get("listed_notes", "")
        if not isinstance(notes, str):
            raise CourseDataError(path, where, "listed_notes must be the text the seed gives")
        claims.append(SeedClaim(
            entry["regimen"], _text(path, where, entry, "listed_name"), _list(path, where, entry, "listed_drugs"),
            listed_pfs, _text(path, where, entry, "seed"), notes,
        ))
    return Formulary(levels, drugs, regimens, approaches, tuple(claims))


# -- appraisal of the seed table -------------------------------------------------------


def appraise(formulary: Formulary) -> list[Appraisal]:
    """Compare each row of the blog's regimen table with the sourced regimen.

    ``missing``: drugs the sources name that the blog leaves out; ``extra``: drugs
    the blog adds; ``pfs_shared_with``: other rows quoting the very same survival
    figure, a warning sign (two different regimens rarely give identical results,
    and an identical number often means one study was copied into two rows).
    """
    results = []
    for claim in formulary.seed_claims:
        regimen = formulary.regimen(claim.regimen)
        listed = set(claim.listed_drugs)
        true = set(regimen.drugs)
        shared = tuple(
            other.listed_name for other in formulary.seed_claims
            if other is not claim and _is_number(claim.listed_pfs)
            and other.listed_pfs.strip() == claim.listed_pfs.strip()
        )
        results.append(Appraisal(
            claim=claim, regimen=regimen,
            missing=tuple(d for d in regimen.drugs if d not in listed),
            extra=tuple(d for d in claim.listed_drugs if d not in true),
            pfs_shared_with=shared,
        ))
    return results


def _is_number(text: str) -> bool:
    return bool(re.search(r"\d", text))


def appraisal_table(formulary: Formulary) -> str:
    """The appraisal as an HTML table (deterministic, for exports and nbval)."""
    rows = []
    for item in appraise(formulary):
        def names(ids: tuple[str, ...]) -> str:
            return ", ".join(formulary.drugs[i].name if i in formulary.drugs else i for i in ids) or "none"

        verdict = "matches the sources" if item.composition_correct else "does not match the sources"
        shared = (f"same figure as {', '.join(item.pfs_shared_with)}" if item.pfs_shared_with else "")
        rows.append((item.claim.listed_name, verdict, names(item.missing), names(item.extra),
                     item.claim.listed_pfs + ("; " + shared if shared else ""), item.regimen.studied_in))
    header = ["Blog row", "Drug list", "Left out", "Wrongly added", "Survival figure quoted",
              "Who the real studies treated"]
    return table(header, rows, css_class="ankl-appraisal", sections=False, scoped=False)


# -- the explorer -----------------------------------------------------------------------


def _citations(keys: tuple[str, ...]) -> str:
    references = load_references()
    return "; ".join(f'<a href="#ref-{k}">{html.escape(references[k].short())}</a>' for k in keys)


def _evidence_html(formulary: Formulary, item: Regimen | Approach) -> str:
    rows = []
    for disease, label in (("ankl", "In ANKL"), ("enktl", "In ENKTL")):
        level = formulary.level(item.evidence(disease))
        rows.append(f"<li><strong>{label}:</strong> {html.escape(level.label)} "
                    f"<em>({html.escape(level.meaning)})</em></li>")
    return "<ul>" + "".join(rows) + "</ul>"


def regimen_card(formulary: Formulary, regimen_id: str) -> str:
    """HTML describing one regimen: its drugs (class, mechanism, toxicities), evidence and sources."""
    esc = html.escape
    regimen = formulary.regimen(regimen_id)
    items = []
    for drug_id in regimen.drugs:
        drug = formulary.drugs[drug_id]
        items.append(f"<li><strong>{esc(drug.name)}</strong> ({esc(drug.drug_class)}): {esc(drug.mechanism)} "
                     f"<br>Main toxicities: {esc('; '.join(drug.toxicities))}.</li>")
    asparaginase = "yes" if formulary.contains_asparaginase(regimen_id) else "no"
    return (
        f'<div class="ankl-card"><h4>{esc(regimen.name)}: {esc(regimen.expansion)}</h4>'
        f"<p>Contains an asparaginase: <strong>{asparaginase}</strong>.</p><ul>{''.join(items)}</ul>"
        f"<p><strong>Studied in:</strong> {esc(regimen.studied_in)}</p>"
        f"<p><strong>Evidence</strong></p>{_evidence_html(formulary, regimen)}"
        f"<p>{esc(regimen.note)}</p><p>Sources: {_citations(regimen.sources)}</p></div>"
    )


def drug_card(formulary: Formulary, drug_id: str) -> str:
    """HTML describing one drug: class, mechanism, toxicities, the regimens and approaches that use it."""
    esc = html.escape
    drug = formulary.drug(drug_id)
    regimens = [r.name for r in formulary.regimens_containing(drug_id)]
    approaches = [a.name for a in formulary.approaches.values() if drug_id in a.drugs]
    used_in = ", ".join(regimens + approaches) or "none in this course"
    return (
        f'<div class="ankl-card"><h4>{esc(drug.name)}</h4>'
        f"<p><strong>Class:</strong> {esc(drug.drug_class)}</p>"
        f"<p><strong>How it works:</strong> {esc(drug.mechanism)}</p>"
        f"<p><strong>Main toxicities:</strong> {esc('; '.join(drug.toxicities))}</p>"
        f"<p><strong>Used in:</strong> {esc(used_in)}</p><p>Sources: {_citations(drug.sources)}</p></div>"
    )


def approach_card(formulary: Formulary, approach_id: str) -> str:
    """HTML describing an emerging approach with its evidence level in each disease."""
    esc = html.escape
    approach = formulary.approaches[approach_id]
    drugs = ", ".join(formulary.drugs[d].name for d in approach.drugs)
    return (
        # h3: the chapter lists these cards right under a "##" section (h2), and a page's headings
        # may not skip a level (axe heading-order); inside the explorer (h3) it is a sibling heading
        f'<div class="ankl-card"><h3>{esc(approach.name)} ({esc(drugs)})</h3>'
        f"<p><strong>Why it might work:</strong> {esc(approach.rationale)}</p>"
        f"<p><strong>Evidence</strong></p>{_evidence_html(formulary, approach)}"
        f"<p>{esc(approach.note)}</p><p>Sources: {_citations(approach.sources)}</p></div>"
    )


def explorer_choices(formulary: Formulary) -> list[tuple[str, str]]:
    """(label, value) pairs for the explorer's menu: regimens, then approaches, then drugs."""
    choices = [(f"Regimen: {r.name}", f"regimen:{r.id}") for r in formulary.regimens.values()]
    choices += [(f"Emerging: {a.name}", f"approach:{a.id}") for a in formulary.approaches.values()]
    choices += [(f"Drug: {d.name}", f"drug:{d.id}") for d in formulary.drugs.values()]
    return choices


def card(formulary: Formulary, choice: str) -> str:
    """The card for an explorer menu value such as ``"regimen:smile"`` or ``"drug:etoposide"``."""
    kind, _, item = choice.partition(":")
    if kind == "regimen":
        return regimen_card(formulary, item)
    if kind == "drug":
        return drug_card(formulary, item)
    if kind == "approach":
        if item not in formulary.approaches:
            raise KeyError(f"no approach {item!r}")
        return approach_card(formulary, item)
    raise ValueError(f"choice must start with regimen:, drug: or approach:, not {choice!r}")


def regimen_explorer(formulary: Formulary | None = None, start: str = "regimen:smile") -> Explorer:
    """The chapter's explorer: pick a regimen, an emerging approach or a drug and read its card."""
    formulary = formulary or load_formulary()
    menu = widgets.Dropdown(options=explorer_choices(formulary), value=start, description="Show",
                            layout=widgets.Layout(width="28em"))

    def render(choice: str) -> HTML:
        return HTML(card(formulary, choice))

    return Explorer(render, {"choice": menu}, title="Regimen explorer (no doses: drugs, mechanisms, evidence)")


def listed_table(formulary: Formulary) -> str:
    """The blog's regimen table exactly as the blog lists it, before the chapter appraises it."""
    rows = "".join(f"<tr><td>{c.listed_name}</td><td>{', '.join(c.listed_drugs)}</td><td>{c.listed_pfs}</td>"
                   f"<td>{c.listed_notes}</td></tr>" for c in formulary.seed_claims)
    return ("<table><tr><th>Regimen</th><th>Drugs (as listed)</th><th>PFS (as listed)</th><th>Notes (as listed)</th>"
            f"</tr>{rows}</table>")


#: Response rates chapter 05 sets side by side: (label, facts registry id, lymphoma study or ANKL series).
RESPONSE_RATES = (
    ("SMILE, ENKTL\n(phase II)", "yamaguchi2011.orr", "lymphoma"),
    ("SMILE, NK/T lymphoma\n(series)", "kwong2012.orr", "lymphoma"),
    ("SMILE or VIDL,\nANKL", "jung2016.orr", "ANKL"),
    ("Asparaginase regimens,\nANKL", "yoon2025.orr_asparaginase", "ANKL"),
)
_RATE_COLOURS = {"lymphoma": figures.PALETTE["blue"], "ANKL": figures.PALETTE["vermillion"]}


def response_rates_figure() -> Figure:
    """Overall response rates of lymphoma studies (blue) against ANKL series (red): the regimens' good
    numbers come from a different disease."""
    fig, ax = figures.new_figure("wide")
    ax.bar(range(len(RESPONSE_RATES)), [facts.number(fact_id) for _, fact_id, _ in RESPONSE_RATES],
           color=[_RATE_COLOURS[kind] for *_, kind in RESPONSE_RATES])
    ax.set_xticks(range(len(RESPONSE_RATES)), [label for label, *_ in RESPONSE_RATES], fontsize=12)
    ax.set_ylabel("Overall response rate (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Response rates: lymphoma studies (blue) versus ANKL series (red)")
    return fig


def show_response_rates() -> FigureDisplay:
    """:func:`response_rates_figure` with its alt text."""
    return figures.show(response_rates_figure(), alt=(
        "Bar chart of reported overall response rates: two SMILE studies in NK/T-cell lymphoma, both near "
        "eighty percent, against two ANKL series, one about a third and one just under half."))


def evidence_figure(formulary: Formulary) -> Figure:
    """A dot chart: each regimen and approach, its evidence level in ENKTL and in ANKL side by side."""
    items: list[Regimen | Approach] = [*formulary.regimens.values(), *formulary.approaches.values()]
    fig, ax = figures.new_figure("wide")
    ranks = sorted(formulary.levels.values(), key=lambda lv: lv.rank)
    for row, item in enumerate(items):
        enktl = formulary.level(item.enktl_evidence).rank
        ankl = formulary.level(item.ankl_evidence).rank
        _ = ax.plot([enktl, ankl], [row, row], color="#999999", linewidth=1, zorder=1)
        _ = ax.scatter([enktl], [row], color=figures.PALETTE["blue"], marker="o", s=60, zorder=2,
                       label="ENKTL" if row == 0 else None)
        _ = ax.scatter([ankl], [row], color=figures.PALETTE["vermillion"], marker="D", s=50, zorder=3,
                       label="ANKL" if row == 0 else None)
    ax.set_yticks(range(len(items)), [item.name for item in items])
    ax.set_xticks([lv.rank for lv in ranks], [lv.short for lv in ranks], fontsize=12)
    ax.set_xlim(ranks[0].rank - 0.4, ranks[-1].rank + 0.4)
    ax.invert_yaxis()
    ax.set_xlabel("Strongest published evidence found by the course")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


# -- the asparaginase rationale, as a cartoon ---------------------------------------------


def asparagine_balance(synthetase: float, asparaginase: bool, need: float = 1.0) -> dict[str, float | bool]:
    """A deliberately simple teaching model (not measured data) of why asparaginase kills NK-lymphoma cells.

    A cell needs ``need`` units of asparagine. It gets it from the blood (1 unit,
    or almost none while asparaginase destroys it) and from its own asparagine
    synthetase (``synthetase`` units, 0 = none). It survives if the two together
    cover the need. Normal cells make enough themselves; cells with little
    synthetase depend on the blood, which the enzyme empties.
    """
    if synthetase < 0 or need <= 0:
        raise ValueError("synthetase must be >= 0 and need > 0")
    from_blood = 0.05 if asparaginase else 1.0
    supply = from_blood + synthetase
    return {"from_blood": from_blood, "own": synthetase, "supply": supply, "survives": supply >= need}


def asparagine_figure(tumour_synthetase: float, asparaginase: bool) -> Figure:
    """Bars of asparagine supply (blood + own synthesis) for a normal cell and an NK-lymphoma cell."""
    cells = {"Normal cell\n(plenty of synthetase)": 1.2, "NK-lymphoma cell\n(slider)": tumour_synthetase}
    fig, ax = figures.new_figure("small")
    for x, level in enumerate(cells.values()):
        state = asparagine_balance(level, asparaginase)
        _ = ax.bar(x, state["from_blood"], color=figures.PALETTE["sky"], label="from blood" if x == 0 else None)
        _ = ax.bar(x, state["own"], bottom=state["from_blood"], color=figures.PALETTE["green"],
                   label="made by the cell" if x == 0 else None)
        verdict = "survives" if state["survives"] else "starves"
        _ = ax.text(x, state["supply"] + 0.05, verdict, ha="center", fontsize=12)
    _ = ax.axhline(1.0, color=figures.PALETTE["black"], linestyle="--", linewidth=1, label="need")
    ax.set_xticks([0, 1], list(cells))
    ax.set_ylim(0, 2.6)
    ax.set_ylabel("Asparagine (arbitrary units)")
    ax.set_title("With asparaginase" if asparaginase else "Without asparaginase")
    ax.legend(loc="upper right", fontsize=12)
    fig.tight_layout()
    return fig


def show_asparagine(synthetase: float, asparaginase: bool) -> FigureDisplay:
    """The asparagine explorer's view: :func:`asparagine_figure` with alt text naming its settings."""
    state = "with" if asparaginase else "without"
    return figures.show(asparagine_figure(synthetase, asparaginase), alt=(
        f"Illustrative bar chart {state} asparaginase: a normal cell with high synthetase and an "
        f"NK-lymphoma cell with synthetase level {synthetase:.1f}; each bar stacks asparagine from the blood "
        "and asparagine the cell makes, against a dashed line marking what the cell needs."))


def asparagine_explorer() -> Explorer:
    """A synthetase slider and an asparaginase switch, redrawing :func:`show_asparagine`."""
    return Explorer(show_asparagine, {
        "synthetase": widgets.FloatSlider(value=0.2, min=0.0, max=1.5, step=0.1, description="Tumour synthetase"),
        "asparaginase": widgets.Checkbox(value=True, description="Asparaginase given"),
    }, title="Asparagine supply and need (teaching cartoon)")
