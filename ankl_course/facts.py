"""The facts registry as chapters use it: every number a chapter states, said with its citation.

A teacher must be able to trust every number a chapter shows and trace it to
its source. So no notebook types a number: notebooks ask this module for a
fact (``fact("fujimoto2021.os_1y")``) or write prose through :func:`say`, which
fills ``{fact.id}`` placeholders from ``data/facts.toml`` and links each one
to the chapter's reference list. ``data/references.toml`` is the bibliography.

Loading both files, the citation syntax and the filling of facts and citations live in
:mod:`ankl_course.citations`, below this module and :mod:`ankl_course.claims`; here is what
needs both: :func:`render` expands appraised claims (``{claim:ID}``) before filling, and
:func:`keys_in_text` finds every key a text cites, claims included. ``fact``, ``value``,
``number`` and ``cite`` are citations' own functions, named here because chapters call them as ``facts.*``.
"""

from __future__ import annotations

from typing import Any

from .citations import (
    CITATION,
    CITE_CALL,
    FACT_CALL,
    PLACEHOLDER,
    REF_LINK,
    Fact,
    Reference,
    cite,
    fact,
    fill,
    load_facts,
    load_references,
    number,
    value,
)
from .claims import expand, load_claims, uses

__all__ = ["cite", "fact", "keys_in_text", "number", "render", "say", "value"]


def render(
    template: str,
    references: dict[str, Reference] | None = None,
    facts: dict[str, Fact] | None = None,
) -> str:
    """A Markdown template with its appraised claims, facts and citations filled in.

    ``{claim:ID}`` becomes the claim's wording from ``data/claims.toml``; then facts and
    ``[@key]`` citations are filled as :func:`ankl_course.citations.fill` says
    (``"OS was {fujimoto2021.os_1y}"`` -> ``"OS was 33.9% ([Fujimoto et al., 2021](#ref-fujimoto2021))"``).
    Callers that render many texts pass the registry in.
    """
    references = load_references() if references is None else references
    facts = load_facts(references=references) if facts is None else facts
    if "{claim:" in template:  # appraised claims are worded once, in data/claims.toml
        template = expand(template, load_claims(references=set(references), facts=set(facts)))
    return fill(template, references, facts)


def say(template: str) -> Any:
    """Display a Markdown paragraph whose numbers come from the registry (see :func:`render`)."""
    # Lazy (measured): IPython.display costs about 0.4 s, as much as all of `ankl-course check`.
    from IPython.display import Markdown

    return Markdown(render(template))


def keys_in_text(text: str, facts: dict[str, Fact]) -> list[str]:
    """Citation keys that a piece of notebook or bank text uses, in order of first use."""
    found: list[str] = []
    positions: list[tuple[int, str]] = []
    if "{claim:" in text or "claims." in text or "by_topic(" in text:
        claims = load_claims()
        for start, claim_id in uses(text, claims):
            if claim_id in claims:
                positions += [(start, key) for key in claims[claim_id].sources]
    for match in CITATION.finditer(text):
        for key in match.group(1).split(";"):
            positions.append((match.start(), key.strip().lstrip("@")))
    positions += [(m.start(), m.group(1)) for m in REF_LINK.finditer(text)]
    positions += [(m.start(), m.group(1)) for m in CITE_CALL.finditer(text)]
    for pattern in (PLACEHOLDER, FACT_CALL):
        for match in pattern.finditer(text):
            if match.group(1) in facts:
                positions.append((match.start(), facts[match.group(1)].cite))
    for _, key in sorted(positions, key=lambda item: item[0]):
        if key not in found:
            found.append(key)
    return found
