"""The glossary: terms the chapters use before (or without) defining them, and the source texts.

Why: a second-year student meets "KIR" or "hazard" with no definition at hand, and the
source texts were once called "seed 000".."seed 004" with no key.
``data/glossary.toml`` holds each term once (definition and source). The site gets a glossary
page, a flashcards page for revision, and in every exported chapter page the first use of each
term links to its entry and shows the definition on hover and on keyboard focus, with no script
and no network.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .datafile import read_toml
from .errors import CourseDataError
from .resources import data_path


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    match: re.Pattern[str]
    definition: str
    source: str


@dataclass(frozen=True)
class SourceText:
    """One of the five texts the course began from: ``id`` is its file's number (``000``..``004``),
    ``name`` what chapters call it, ``short`` the same in a figure label."""

    id: str
    name: str
    short: str
    about: str


def glossary_path() -> Path:
    return data_path("glossary.toml")


def load(path: Path | None = None, references: set[str] | None = None) -> tuple[list[Term], list[SourceText]]:
    """The terms and source texts; a bad pattern, a missing field or an unknown source names its entry."""
    path = glossary_path() if path is None else path
    raw = read_toml(path)
    terms: list[Term] = []
    for index, entry in enumerate(raw.get("term", []), start=1):
        where = f"term {index} ({entry.get('id', 'no id')})"
        for name in ("id", "term", "match", "definition", "source"):
            if not str(entry.get(name, "")).strip():
                raise CourseDataError(path, where, f"has no {name}")
        try:
            pattern = re.compile(entry["match"])
        except re.error as exc:
            raise CourseDataError(path, where, f"match is not a regular expression: {exc}") from None
        if references is not None and entry["source"] not in references:
            raise CourseDataError(path, where, f"source {entry['source']!r} is not in references.toml")
        terms.append(Term(entry["id"], entry["term"], pattern, entry["definition"].strip(), entry["source"]))
    texts: list[SourceText] = []
    for index, entry in enumerate(raw.get("source_text", []), start=1):
        where = f"source_text {index} ({entry.get('id', 'no id')})"
        for name in ("id", "name", "short", "about"):
            if not str(entry.get(name, "")).strip():
                raise CourseDataError(path, where, f"has no {name}")
        texts.append(SourceText(entry["id"], entry["name"], entry["short"], entry["about"]))
    return terms, texts


def source_text(seed_file: str, path: Path | None = None) -> SourceText:
    """The source text a seed file name (``002_<hex>.txt``, as claims.toml has it) stands for, so a
    chapter can label it by what it is rather than by its file number."""
    texts = {text.id: text for text in load(path)[1]}
    number = seed_file[:3]
    if number not in texts:
        raise CourseDataError(glossary_path() if path is None else path, "source_text",
                              f"no source text with id {number!r} (for {seed_file!r})")
    return texts[number]


def _link(term: Term, found: str, chapter: str) -> str:
    tip = f"ankl-def-{chapter}-{term.id}"
    return (f'<span class="ankl-gloss"><a class="ankl-term" href="../glossary.html#term-{term.id}" '
            f'aria-describedby="{tip}">{html.escape(found)}</a><span class="ankl-def" role="tooltip" id="{tip}">'
            f"<strong>{html.escape(term.term)}</strong>: {html.escape(term.definition)}</span></span>")


def _link_in(segment: str, terms: list[Term], linked: set[str], chapter: str) -> str:
    for term in terms:
        if term.id in linked:
            continue
        found = term.match.search(segment)
        if found:
            linked.add(term.id)
            before, after = segment[:found.start()], segment[found.end():]
            return (_link_in(before, terms, linked, chapter) + _link(term, found.group(0), chapter)
                    + _link_in(after, terms, linked, chapter))
    return segment


#: Elements whose text is never linked: code, headings, links, forms and their parts, scripts.
SKIP_TAGS = frozenset({"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "script", "style", "form", "label",
                       "button", "select", "option", "textarea", "summary", "svg", "title", "kbd", "details"})
TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>|[^<]+|<", re.S)
VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base", "embed"})


def link_html(page: str, chapter: str, terms: list[Term] | None = None) -> str:
    """An exported chapter page with the first use of each term (inside ``<main>``, in running text)
    linked to the glossary and followed by its definition, shown on hover and keyboard focus by CSS.

    Done on the exported HTML rather than the Markdown, so that facts.say outputs count as text and
    Markdown renderers cannot rearrange the nested elements."""
    terms = load()[0] if terms is None else terms
    begin = page.find("<main")
    finish = page.rfind("</main>")
    if begin < 0 or finish < 0:
        return page
    linked: set[str] = set()
    open_tags: list[str] = []
    out: list[str] = []
    for token in TOKEN.finditer(page[begin:finish]):
        closing, tag, self_closing = token.group(1), (token.group(2) or "").lower(), token.group(3)
        if tag:
            if closing:
                while open_tags and open_tags.pop() != tag:
                    pass
            elif tag not in VOID and not self_closing:
                open_tags.append(tag)
            out.append(token.group(0))
        elif token.group(0).startswith("<") or SKIP_TAGS.intersection(open_tags):
            out.append(token.group(0))
        else:
            out.append(_link_in(token.group(0), terms, linked, chapter))
    return page[:begin] + "".join(out) + page[finish:]


def page_body(terms: list[Term], texts: list[SourceText], cite: Any) -> str:
    """The glossary page: terms (with ids for links) and the source texts' key."""
    entries = "".join(
        f'<dt id="term-{t.id}">{html.escape(t.term)}</dt><dd>{html.escape(t.definition)} '
        f"<span class=\"ankl-source\">Source: {cite(t.source)}</span></dd>" for t in terms)
    sources = "".join(f"<li><strong>{html.escape(s.name[0].upper() + s.name[1:])}</strong>: "
                      f"{html.escape(s.about)}</li>" for s in texts)
    return ("<h1>Glossary</h1><p>Terms the chapters use, in one place. In a chapter page, the first use of "
            'each term links here; hover over it or move to it with <kbd>Tab</kbd> to read the definition. '
            'Revise them with the <a href="flashcards.html">flashcards</a>.</p>'
            f'<dl class="ankl-glossary">{entries}</dl>'
            '<h2 id="source-texts">The source texts</h2><p>The course began from five texts, which chapters '
            "name by what they are and appraise rather than trust. (A random <em>seed</em>, in the course, "
            f"is only the number that makes synthetic data the same on every run.)</p><ul>{sources}</ul>")


def flashcards_body(terms: list[Term]) -> str:
    """Flashcards: the term on the front, the definition behind a native, keyboard-usable disclosure."""
    cards = "".join(
        f'<li><details class="ankl-card"><summary>{html.escape(t.term)}</summary>'
        f"<p>{html.escape(t.definition)}</p></details></li>" for t in terms)
    return ("<h1>Glossary flashcards</h1><p>Say the definition aloud, then turn the card: click it, or move to "
            "it with <kbd>Tab</kbd> and press <kbd>Enter</kbd> or <kbd>Space</kbd>. Works offline. "
            'Back to the <a href="glossary.html">glossary</a>.</p>'
            f'<ol class="ankl-cards">{cards}</ol>')
