"""The appraised-claims registry: every claim of a seed text the course appraises, in one place.

The course started from five source texts (the "seeds") that contain errors, and
several chapters appraise the same claims: the seed phenotype in chapters 1, 3
and 4, the blog's survival figures in chapters 5 and 7. When each chapter typed
its own verdict, the chapters came to disagree (one called a figure untraceable
that another attributed to a study). So each claim now lives once, in
``data/claims.toml``, with the quote, a verdict and the sources, and every
chapter and question bank renders it from there:

* ``{claim:ID}`` in any text that goes through :func:`ankl_course.facts.render`
  (``facts.say`` templates, question banks) becomes the full appraisal:
  who says what, the verdict, and why, with citations;
* ``{claim:ID.quote}``, ``{claim:ID.verdict}``, ``{claim:ID.summary}`` and
  ``{claim:ID.source}`` give one part only;
* :func:`say` displays one claim, :func:`table` several as an HTML table.

``ankl-course check`` validates the file, every ``{claim:...}`` placeholder and
that each claim is used somewhere; tests render each claim wherever it is used.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .citations import PLACEHOLDER, fill, load_facts, load_references
from .datafile import check_top_level, read_toml
from .errors import CourseDataError
from .resources import data_path

CLAIM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: ``{claim:ID}`` or ``{claim:ID.part}`` inside a template or a bank text.
CLAIM_TOKEN = re.compile(r"\{claim:([a-z0-9][a-z0-9-]*)(?:\.([a-z]+))?\}")
#: Seed files are named ``NNN_<16 hex digits>.txt`` (see /work/shared/seeds/README.md).
SEED_FILE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
CITATION_KEY = re.compile(r"@([a-z][a-z0-9_-]*)")
#: Verdict ids and the label a student reads.
VERDICTS = {
    "supported": "Supported",
    "partly": "Partly right, too absolute",
    "wrong-setting": "Real figure, wrong disease, population or setting",
    "other-disease": "True of a related disease, not of ANKL",
    "not-supported": "Not supported",
    "untraceable": "Untraceable",
    "wrong": "Wrong",
    "unproven": "An analogy, not evidence",
}
PARTS = ("quote", "verdict", "summary", "source")
REQUIRED = ("id", "seed", "source_label", "quote", "topic", "verdict", "summary", "sources")
OPTIONAL = ("population", "age_range")


@dataclass(frozen=True)
class Claim:
    """One claim of a seed text, quoted as the seed has it, with the course's verdict and its sources."""

    id: str
    seed: str
    source_label: str
    quote: str
    topic: str
    verdict: str
    summary: str
    sources: tuple[str, ...]
    population: str = ""
    #: For an age band (topic "age"): the youngest and oldest age the seed's words cover, in years.
    age_range: tuple[float, float] | None = None

    @property
    def verdict_label(self) -> str:
        return VERDICTS[self.verdict]

    def part(self, name: str) -> str:
        """One part of the claim as Markdown (``quote``, ``verdict``, ``summary`` or ``source``)."""
        if name == "quote":
            return f"“{self.quote}”"
        if name == "verdict":
            return self.verdict_label
        if name == "summary":
            return self.summary
        if name == "source":
            return self.source_label
        raise ValueError(f"claim part must be one of {', '.join(PARTS)}, not {name!r}")

    def markdown(self) -> str:
        """The whole appraisal, the one wording every chapter shows (still with ``[@key]`` citations)."""
        return f"{self.source_label} says {self.part('quote')}. **{self.verdict_label}.** {self.summary}"


def _text(path: Path, where: str, entry: dict[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CourseDataError(path, where, f"missing {name} (a non-empty text)")
    return value.strip()


def load_claims(path: Path | None = None, references: set[str] | None = None,
                facts: set[str] | None = None) -> dict[str, Claim]:
    """Read and validate ``claims.toml``; raise :class:`CourseDataError` naming file, claim and problem.

    ``references`` and ``facts``: the known citation keys and fact ids (by default
    the course's own), so that a summary cannot cite what does not exist, and
    every listed source must be cited in the summary the student reads.
    """
    path = path or data_path("claims.toml")
    raw = read_toml(path, cached=True)
    if references is None or facts is None:
        refs = load_references()
        references = set(refs) if references is None else references
        facts = set(load_facts(references=refs)) if facts is None else facts
    check_top_level(path, raw, {"claim"})
    entries = raw.get("claim", [])
    if not isinstance(entries, list) or not entries:
        raise CourseDataError(path, "", "no [[claim]] entries")
    claims: dict[str, Claim] = {}
    for number, entry in enumerate(entries, start=1):
        claim = _parse(path, number, entry, references, facts)
        if claim.id in claims:
            raise CourseDataError(path, f"claim {claim.id}", "duplicate id")
        claims[claim.id] = claim
    return claims


def _parse(path: Path, number: int, entry: Any, references: set[str], facts: set[str]) -> Claim:
    where = f"claim #{number}"
    if not isinstance(entry, dict):
        raise CourseDataError(path, where, "each claim is a table")
    claim_id = entry.get("id")
    if not isinstance(claim_id, str) or not CLAIM_ID.match(claim_id):
        raise CourseDataError(path, where, f"id {claim_id!r} must be lower-case letters, digits and -")
    where = f"claim {claim_id}"
    unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise CourseDataError(path, where, f"unknown field(s): {', '.join(sorted(unknown))}")
    missing = [name for name in REQUIRED if name not in entry]
    if missing:
        raise CourseDataError(path, where, f"missing {', '.join(missing)}")
    seed = _text(path, where, entry, "seed")
    if not SEED_FILE.match(seed):
        raise CourseDataError(path, where, f"seed {seed!r} is not a seed file name (NNN_<16 hex>.txt)")
    verdict = _text(path, where, entry, "verdict")
    if verdict not in VERDICTS:
        raise CourseDataError(path, where, f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    sources = entry["sources"]
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise CourseDataError(path, where, "sources must be a non-empty list of citation keys")
    summary = _text(path, where, entry, "summary")
    cited = set(CITATION_KEY.findall(summary))
    for fact_id in PLACEHOLDER.findall(summary):
        if fact_id not in facts:
            raise CourseDataError(path, where, f"fact {fact_id!r} in the summary is not in facts.toml")
        cited.add(fact_id.split(".", 1)[0])
    for key in [*sources, *CITATION_KEY.findall(summary)]:
        if key not in references:
            raise CourseDataError(path, where, f"citation key {key!r} is not in references.toml")
    unlisted = sorted(cited - set(sources))
    if unlisted:
        raise CourseDataError(path, where, f"the summary cites {', '.join(unlisted)}, which is not in sources")
    uncited = [key for key in sources if key not in cited]
    if uncited:
        raise CourseDataError(path, where, f"source(s) {', '.join(uncited)} not cited in the summary: "
                              "a student must see where the verdict comes from")
    if CLAIM_TOKEN.search(summary):
        raise CourseDataError(path, where, "a claim's summary cannot contain another {claim:...}")
    population = entry.get("population", "")
    if not isinstance(population, str):
        raise CourseDataError(path, where, "population must be a text")
    return Claim(
        id=claim_id, seed=seed, source_label=_text(path, where, entry, "source_label"),
        quote=_text(path, where, entry, "quote"), topic=_text(path, where, entry, "topic"),
        verdict=verdict, summary=summary, sources=tuple(sources), population=population.strip(),
        age_range=_age_range(path, where, entry.get("age_range")),
    )


def _age_range(path: Path, where: str, value: Any) -> tuple[float, float] | None:
    """An age band as [youngest, oldest] in years, so that figures draw the seed's words, not retyped numbers."""
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or not 0 <= value[0] <= value[1] <= 120):
        raise CourseDataError(path, where, "age_range must be [youngest, oldest], in years, between 0 and 120")
    return float(value[0]), float(value[1])


def claim(claim_id: str, claims: dict[str, Claim] | None = None) -> Claim:
    """The claim ``claim_id``; a clear error names the file if there is none."""
    claims = load_claims() if claims is None else claims
    try:
        return claims[claim_id]
    except KeyError:
        raise CourseDataError(data_path("claims.toml"), claim_id, "no such claim") from None


def expand(text: str, claims: dict[str, Claim] | None = None) -> str:
    """Replace every ``{claim:ID}`` / ``{claim:ID.part}`` in ``text`` by the registry's wording."""
    if "{claim:" not in text:
        return text
    claims = load_claims() if claims is None else claims

    def one(match: re.Match[str]) -> str:
        item = claim(match.group(1), claims)
        part = match.group(2)
        if part is None:
            return item.markdown()
        if part not in PARTS:
            raise CourseDataError(data_path("claims.toml"), match.group(0),
                                  f"claim part must be one of {', '.join(PARTS)}")
        return item.part(part)

    return CLAIM_TOKEN.sub(one, text)


#: ``claims.say("id")`` / ``claims.table(["id", ...])`` / ``claims.by_topic("topic")`` in code cells.
SAY_CALL = re.compile(r"""\bclaims\.say\(\s*["']([a-z0-9-]+)["']""")
TABLE_CALL = re.compile(r"""\bclaims\.table\(\s*\[([^\]]*)\]""")
TOPIC_CALL = re.compile(r"""\bby_topic\(\s*["']([a-z0-9-]+)["']""")
QUOTED = re.compile(r"""["']([a-z0-9-]+)["']""")


def uses(text: str, claims: dict[str, Claim]) -> list[tuple[int, str]]:
    """(position, claim id) for every claim a notebook or bank text uses: placeholders and calls.

    Unknown ids are returned too, so that a checker can report them.
    """
    found = [(m.start(), m.group(1)) for m in CLAIM_TOKEN.finditer(text)]
    found += [(m.start(), m.group(1)) for m in SAY_CALL.finditer(text)]
    for match in TABLE_CALL.finditer(text):
        found += [(match.start(), name) for name in QUOTED.findall(match.group(1))]
    for match in TOPIC_CALL.finditer(text):
        found += [(match.start(), claim_id) for claim_id in by_topic(match.group(1), claims)]
    return sorted(found)


def used_ids(text: str, claims: dict[str, Claim] | None = None) -> list[str]:
    """Claim ids a text uses, in order of first use."""
    claims = load_claims() if claims is None else claims
    return list(dict.fromkeys(claim_id for _, claim_id in uses(text, claims)))


def say(claim_id: str) -> Any:
    """Display one appraised claim as a Markdown paragraph, with its citations linked."""
    # Lazy (measured): IPython.display costs about 0.4 s; `ankl-course check` loads claims without it.
    from IPython.display import Markdown

    return Markdown(fill(expand("{claim:" + claim_id + "}")))


def table_html(claim_ids: list[str], claims: dict[str, Claim] | None = None) -> str:
    """Several claims as an HTML table: source, claim, population, verdict and why (deterministic, for nbval)."""
    import mistune

    claims = load_claims() if claims is None else claims
    rows = []
    for claim_id in claim_ids:
        item = claim(claim_id, claims)
        why = str(mistune.html(fill(item.summary))).strip()  # a summary holds no claim
        if why.startswith("<p>") and why.endswith("</p>") and why.count("<p>") == 1:
            why = why[3:-4]
        rows.append(
            f"<tr><td>{html.escape(item.source_label)}</td><td>“{html.escape(item.quote)}”</td>"
            f"<td>{html.escape(item.population or 'not stated')}</td>"
            f"<td><strong>{html.escape(item.verdict_label)}</strong></td><td>{why}</td></tr>"
        )
    head = ("<tr><th>Source text</th><th>Claim</th><th>Population</th><th>Verdict</th>"
            "<th>What the literature shows</th></tr>")
    return f'<table class="ankl-claims">{head}{"".join(rows)}</table>'


def table(claim_ids: list[str]) -> Any:
    """Display :func:`table_html` in a notebook."""
    from IPython.display import HTML

    return HTML(table_html(claim_ids))


def by_topic(topic: str, claims: dict[str, Claim] | None = None) -> list[str]:
    """Ids of the claims on one topic (``survival``, ``regimen-table``, ...), in file order."""
    claims = load_claims() if claims is None else claims
    return [c.id for c in claims.values() if c.topic == topic]
