"""What the course cites: the bibliography, the facts registry, and the syntax that points into them.

Why a module of its own, below facts, claims and quiz: each of them needs the references and
the registered numbers (claims checks that its summaries cite real facts and keys, quiz and facts
fill texts with them), and a chapter's reference list needs all three. With loading, citation
syntax and the filling of ``{fact.id}`` and ``[@key]`` here, each imports this module and none
needs another that needs it back (tests/test_imports.py fails on any import cycle).
:mod:`ankl_course.facts` stays the notebooks' way to say a number (``facts.say``, ``facts.fact``).

Both data files are read afresh on each call, so an edited file is seen at once; only the parse
of a given file content is cached (they grew to tens of kB).

Citation syntax understood everywhere in the course:

* ``[@key]`` in text passed to :func:`ankl_course.facts.say` (and in question banks),
* ``[Author, year](#ref-key)`` links written by hand in Markdown cells,
* ``{source.name}`` fact placeholders in ``say`` templates.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .datafile import check_fields, check_top_level, read_toml
from .errors import CourseDataError
from .resources import data_path

FACT_ID = re.compile(r"^[a-z0-9_-]+\.[a-z0-9_.-]+$")
CITE_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")
#: ``{source.name}`` inside a say() template.
PLACEHOLDER = re.compile(r"\{([a-z0-9_-]+\.[a-z0-9_.-]+)\}")
#: ``[@key]`` or ``[@key1; @key2]`` inside a template or a question bank text.
CITATION = re.compile(r"\[@([a-z][a-z0-9_-]*(?:\s*;\s*@[a-z][a-z0-9_-]*)*)\]")
#: ``](#ref-key)`` links written in Markdown cells.
REF_LINK = re.compile(r"\]\(#ref-([a-z][a-z0-9_-]*)\)")
#: The entry type of a registry (a Fact or a Reference), for the one lookup both share.
Entry = TypeVar("Entry")
SENTENCE_END = re.compile(r"[.!?](\s|$)|\n\s*\n")
#: ``fact("id")`` / ``cite("key")`` calls in code cells.
FACT_CALL = re.compile(r"""\bfact\(\s*["']([a-z0-9_.-]+)["']""")
CITE_CALL = re.compile(r"""\bcite\(\s*["']([a-z][a-z0-9_-]*)["']""")

FACT_FIELDS = {"id", "value", "unit", "text", "cite", "note", "low", "high"}
REFERENCE_REQUIRED = ("authors", "title", "year")
REFERENCE_FIELDS = {
    "authors", "title", "journal", "publisher", "year", "volume", "issue", "pages",
    "doi", "pmid", "url", "note", "incomplete",
}


def _surname(author: str) -> str:
    """"El Hussein S" -> "El Hussein": an author's surname without initials (or a "Jr"), kept whole."""
    name = author.strip()
    return re.sub(r"\s+[A-Z]{1,3}(\s+Jr\.?)?$", "", name) or name


@dataclass(frozen=True)
class Reference:
    """One bibliography entry."""

    key: str
    authors: str
    title: str
    year: int
    journal: str = ""
    publisher: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    note: str = ""
    #: Why a detail a reader needs (volume, pages, DOI or PMID, the full author list) is missing.
    incomplete: str = ""

    @property
    def first_author(self) -> str:
        """Surname of the first author, whole: "El Hussein S, ..." gives "El Hussein", not "El".

        Authors are written "Surname INITIALS, ..."; the surname is the first entry without its
        initials (and a "Jr"), so compound surnames and group names stay whole."""
        return _surname(self.authors.strip().split(",", 1)[0])

    def short(self) -> str:
        """In-text form: ``Fujimoto et al., 2021`` for three authors or more, ``Altman and Bland, 1995``
        for two (as the course's hand-written citations name them), ``Lima, 2013`` for one."""
        names = [name for name in self.authors.split(",") if name.strip()]
        if "et al" in self.authors or " and " in self.authors or len(names) > 2:
            return f"{self.first_author} et al., {self.year}"
        if len(names) == 2:
            return f"{self.first_author} and {_surname(names[1])}, {self.year}"
        return f"{self.first_author}, {self.year}"

    def link(self) -> str:
        """The best URL for the work: its DOI, else its PubMed page, else its URL."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url

    def full(self) -> str:
        """Vancouver-style full reference as plain text."""
        parts = [f"{self.authors}. {self.title.rstrip('.')}."]
        venue = self.journal or self.publisher
        if venue:
            where = f" {venue}. {self.year}"
            if self.volume:
                where += f";{self.volume}"
                if self.issue:
                    where += f"({self.issue})"
            if self.pages:
                where += f":{self.pages}"
            parts.append(where + ".")
        else:
            parts.append(f" {self.year}.")
        if self.doi:
            parts.append(f" doi:{self.doi}")
        elif self.url:
            parts.append(f" {self.url}")
        return "".join(parts)

    def html(self) -> str:
        """The full reference as an HTML list item body, with an anchor for in-text links."""
        text = html.escape(self.full())
        url = self.link()
        if url:
            text += f' <a href="{html.escape(url)}">{html.escape(url)}</a>'
        return text


@dataclass(frozen=True)
class Fact:
    """One stated number (or short statement) with its unit, wording and citation."""

    id: str
    value: float | int | str
    unit: str
    text: str
    cite: str
    note: str = ""
    low: float | None = None
    high: float | None = None

    def formatted(self, unit: bool = True) -> str:
        """The value with its unit, as a sentence would show it (``33.9%``, ``59 patients``);
        ``unit=False`` when the sentence already says the unit after it."""
        value = self.value
        if isinstance(value, float) and value.is_integer() and self.unit != "%":
            value = int(value)
        shown = f"{value}"
        if self.low is not None and self.high is not None:
            shown += f" ({self.low}-{self.high})"
        if not self.unit or not unit:
            return shown
        glue = "" if self.unit in {"%", "x"} or self.unit.startswith("%") else " "
        return f"{shown}{glue}{self.unit}"

    def __str__(self) -> str:
        return self.formatted()


def _read_toml(path: Path) -> dict[str, Any]:
    # The parse is cached by file content: a quiz renders the registry for every question.
    return read_toml(path, cached=True)


def load_references(path: Path | None = None) -> dict[str, Reference]:
    """Read and validate the bibliography; keys are citation keys."""
    path = path or data_path("references.toml")
    raw = _read_toml(path)
    references: dict[str, Reference] = {}
    for key, entry in raw.items():
        if not CITE_KEY.match(key):
            raise CourseDataError(path, f"[{key}]", "citation keys are lower-case letters, digits, _ or -")
        if not isinstance(entry, dict):
            raise CourseDataError(path, f"[{key}]", "each reference is a table")
        check_fields(path, f"[{key}]", entry, REFERENCE_FIELDS)
        missing = [name for name in REFERENCE_REQUIRED if not entry.get(name)]
        if missing:
            raise CourseDataError(path, f"[{key}]", f"missing field(s): {', '.join(missing)}")
        if not (entry.get("doi") or entry.get("pmid") or entry.get("url") or entry.get("incomplete")):
            raise CourseDataError(path, f"[{key}]", "needs a doi, pmid or url so readers can find it "
                                  "(or `incomplete` saying why there is none)")
        if not isinstance(entry["year"], int):
            raise CourseDataError(path, f"[{key}]", "year must be a whole number")
        texts = {name: str(text) for name, text in entry.items() if name != "year"}
        references[key] = Reference(key=key, year=entry["year"], **texts)
    return references


def load_facts(path: Path | None = None, references: dict[str, Reference] | None = None) -> dict[str, Fact]:
    """Read and validate the facts file; every citation key must be in the bibliography."""
    path = path or data_path("facts.toml")
    references = load_references() if references is None else references
    raw = _read_toml(path)
    entries = raw.get("fact", [])
    check_top_level(path, raw, {"fact"})
    facts: dict[str, Fact] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"fact #{number}"
        fact_id = entry.get("id")
        if not isinstance(fact_id, str) or not FACT_ID.match(fact_id):
            raise CourseDataError(path, where, f"id {fact_id!r} must look like 'source.name' (lower case)")
        where = f"fact {fact_id}"
        if fact_id in facts:
            raise CourseDataError(path, where, "duplicate id")
        check_fields(path, where, entry, FACT_FIELDS)
        for name in ("value", "text", "cite"):
            if name not in entry or entry[name] == "":
                raise CourseDataError(path, where, f"missing {name}")
        if not isinstance(entry["value"], int | float | str) or isinstance(entry["value"], bool):
            raise CourseDataError(path, where, "value must be a number or a short text")
        if entry["cite"] not in references:
            raise CourseDataError(path, where, f"citation key {entry['cite']!r} is not in references.toml")
        facts[fact_id] = Fact(
            id=fact_id,
            value=entry["value"],
            unit=str(entry.get("unit", "")),
            text=entry["text"],
            cite=entry["cite"],
            note=entry.get("note", ""),
            low=entry.get("low"),
            high=entry.get("high"),
        )
    return facts


def _known(table: dict[str, Entry], key: str, file_name: str, what: str) -> Entry:
    """``table[key]``, or the error a teacher reads: the data file, the key, and "no such <what>"."""
    try:
        return table[key]
    except KeyError:
        raise CourseDataError(data_path(file_name), key, f"no such {what}") from None


def fact(fact_id: str) -> Fact:
    """The fact ``fact_id`` (e.g. ``"fujimoto2021.os_1y"``), with its citation key."""
    return _known(load_facts(), fact_id, "facts.toml", "fact")


def value(fact_id: str) -> float | int | str:
    """Just the value of a fact, for computations (``value("fujimoto2021.n_patients")``)."""
    return fact(fact_id).value


def number(fact_id: str) -> float | int:
    """The value of a numeric fact, for figures that draw it; a fact stated in words is an error
    naming facts.toml and the fact, rather than a TypeError deep inside matplotlib."""
    found = value(fact_id)
    if isinstance(found, bool) or not isinstance(found, int | float):
        raise CourseDataError(data_path("facts.toml"), fact_id, f"a figure needs a number, not {found!r}")
    return found


def reference(key: str) -> Reference:
    """The bibliography entry for a citation key."""
    return _known(load_references(), key, "references.toml", "reference")


def cite(key: str) -> str:
    """A Markdown in-text citation linking to the chapter's reference list."""
    return f"[{reference(key).short()}](#ref-{key})"


def fill(
    template: str,
    references: dict[str, Reference] | None = None,
    facts: dict[str, Fact] | None = None,
) -> str:
    """Fill ``{source.name}`` facts and ``[@key]`` citations in a Markdown template.

    Each fact is followed by a link to its source, so a reader can always
    trace a number: ``"OS was {fujimoto2021.os_1y}"`` becomes
    ``"OS was 33.9% ([Fujimoto et al., 2021](#ref-fujimoto2021))"``.
    Several facts from one source in one sentence share one citation, placed
    after the last of them. Callers that render many texts pass the registry in.
    ``{claim:...}`` placeholders are left as they are: :func:`ankl_course.facts.render`
    expands them first (a claim's summary, which cannot hold another claim, is filled here).
    """
    references = load_references() if references is None else references
    facts = load_facts(references=references) if facts is None else facts

    def link(key: str) -> str:
        return f"[{_known(references, key, 'references.toml', 'reference').short()}](#ref-{key})"

    matches = list(PLACEHOLDER.finditer(template))
    for match in matches:
        _known(facts, match.group(1), "facts.toml", "fact")
    pieces: list[str] = []
    position = 0
    for index, match in enumerate(matches):
        item = facts[match.group(1)]
        following = matches[index + 1] if index + 1 < len(matches) else None
        rest = template[match.end():following.start() if following else len(template)]
        shown, phrase = _in_phrase(item, rest, facts[following.group(1)] if following else None)
        pieces += [template[position:match.start()], shown, rest[:phrase]]
        position = match.end() + phrase
        # Facts from one source in one sentence share a single citation, after the last of them.
        shares_citation = (following is not None
                           and not SENTENCE_END.search(template[match.end():following.start()])
                           and facts[following.group(1)].cite == item.cite)
        if not shares_citation:
            pieces.append(f" ({link(item.cite)})")
    pieces.append(template[position:])

    def citation(match: re.Match[str]) -> str:
        keys = [part.strip().lstrip("@") for part in match.group(1).split(";")]
        return "(" + "; ".join(link(key) for key in keys) + ")"

    return CITATION.sub(citation, "".join(pieces))


def _in_phrase(item: Fact, rest: str, following: Fact | None) -> tuple[str, int]:
    """The fact's text and how many characters of the template after it belong to its phrase.

    The citation goes after the phrase, and a unit is never said twice: "{n} patients" with a fact
    whose unit is "patients" reads "312 patients (Source)", not "312 patients (Source) patients";
    "{a} of {b}" with one unit reads "2 of 16 cases"; "(... {x})" puts the citation after the ")".
    """
    unit = item.unit.strip()
    if unit and not unit.startswith("%"):
        said = re.match(r"\s+" + re.escape(unit) + r"\b", rest, re.IGNORECASE)
        if said:
            return item.formatted(unit=False), said.end()
        if rest == " of " and following is not None and following.unit.strip() == unit:
            return item.formatted(unit=False), 0
    closing = re.match(r"\)+", rest)
    return item.formatted(), closing.end() if closing else 0


def references_html(keys: list[str]) -> str:
    """A numbered reference list with ``ref-KEY`` anchors for in-text links."""
    references = load_references()
    items = []
    for key in keys:
        items.append(f'<li id="ref-{key}">{_known(references, key, "references.toml", "reference").html()}</li>')
    return '<ol class="ankl-references">\n' + "\n".join(items) + "\n</ol>"
