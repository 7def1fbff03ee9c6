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
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .datafile import read_toml
from .errors import CourseDataError
from .resources import GLOSSARY_NOTEBOOK, data_path


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
    Markdown renderers cannot rearrange the nested elements. The links the chapters' Markdown already
    has (to glossary.ipynb, for JupyterLab) become these page links where they stand."""
    terms = load()[0] if terms is None else terms
    begin = page.find("<main")
    finish = page.rfind("</main>")
    if begin < 0 or finish < 0:
        return page
    linked: set[str] = set()
    body = page_links(page[begin:finish], chapter, terms, linked)  # the Markdown's own links first
    open_tags: list[str] = []
    out: list[str] = []
    for token in TOKEN.finditer(body):
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


# -- Inside JupyterLab: the chapters' Markdown links each term's first use to glossary.ipynb ----------
#
# Why in the notebooks themselves: a student working in JupyterLab sees the notebook source rendered,
# not the exported page, so the link and its definition have to be in the Markdown. A Markdown link
# with a title shows the definition when the pointer rests on it, and opens the glossary notebook
# (written beside the chapters) at the term's cell: JupyterLab 4 scrolls to ``#cell-id=...``. Both
# work offline. The exported pages turn these links into their own hover-and-focus definitions.

#: The glossary notebook, beside the chapter notebooks (and copied with them to students).
NOTEBOOK = GLOSSARY_NOTEBOOK
#: A glossary link as the linker writes it: [text](glossary.ipynb#cell-id=term-ID "definition").
MD_LINK = re.compile(r'\[([^\]\n]+)\]\(' + re.escape(NOTEBOOK) + r'#cell-id=term-([\w-]+)(?: "(?:[^"\\]|\\.)*")?\)')
#: Markdown that is never linked: glossary links (handled first), other links and images, code,
#: maths, HTML tags, [@key] citations, and heading lines.
PROTECTED = re.compile(MD_LINK.pattern + r"|^(?:```|~~~)[\s\S]*?^(?:```|~~~)[^\n]*$|^#{1,6} [^\n]*$|"
                       r"!?\[[^\]\n]*\]\([^)\n]*\)|\[@[^\]]*\]|`[^`\n]*`|\$\$[\s\S]*?\$\$|\$[^$\n]*\$|<[^>\n]*>",
                       re.M)
#: The exported HTML of such a link (nbconvert's Markdown renderer).
HTML_LINK = re.compile(r'<a href="' + re.escape(NOTEBOOK) + r'#cell-id=term-([\w-]+)"[^>]*>(.*?)</a>', re.S)


def markdown_link(term: Term, found: str) -> str:
    """``found`` as a Markdown link to the term's cell in the glossary notebook, its definition as title."""
    title = f"{term.term}: {term.definition}".replace("\\", "\\\\").replace('"', '\\"')
    return f'[{found}]({NOTEBOOK}#cell-id=term-{term.id} "{title}")'


def link_markdown(text: str, terms: list[Term], linked: set[str]) -> str:
    """``text`` with the first use of each term not in ``linked`` made a glossary link (``linked`` grows).

    A term already linked in ``text`` counts as linked where it stands, so running this again changes
    nothing, and a link whose title is out of date (the definition changed) is rewritten."""
    by_id = {term.id: term for term in terms}
    out: list[str] = []
    last = 0
    for span in PROTECTED.finditer(text):
        out.append(_link_plain(text[last:span.start()], terms, linked))
        piece = span.group(0)
        own = MD_LINK.fullmatch(piece)
        if own and own.group(2) in by_id:
            term = by_id[own.group(2)]
            piece = markdown_link(term, own.group(1)) if term.id not in linked else own.group(1)
            linked.add(term.id)
        out.append(piece)
        last = span.end()
    out.append(_link_plain(text[last:], terms, linked))
    return "".join(out)


def _link_plain(segment: str, terms: list[Term], linked: set[str]) -> str:
    """The earliest unlinked term in ``segment`` linked, then the rest of the segment likewise."""
    hits = [(found.start(), found.end(), term) for term in terms if term.id not in linked
            for found in [term.match.search(segment)] if found]
    if not hits:
        return segment
    start, end, term = min(hits, key=lambda hit: hit[0])
    linked.add(term.id)
    before = _link_plain(segment[:start], terms, linked) if start else ""
    return before + markdown_link(term, segment[start:end]) + _link_plain(segment[end:], terms, linked)


def is_student_markdown(cell: dict[str, Any]) -> bool:
    """A Markdown cell students read (speaker notes are the teacher's and never reach them)."""
    slide = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
    return cell.get("cell_type") == "markdown" and slide != "notes"


def link_cells(cells: list[dict[str, Any]], terms: list[Term]) -> list[dict[str, Any]]:
    """Copies of a chapter's cells with each term's first use in its Markdown linked to the glossary."""
    linked: set[str] = set()
    out = []
    for cell in cells:
        if is_student_markdown(cell):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            new = link_markdown(source, terms, linked)
            if new != source:
                cell = {**cell, "source": new.splitlines(keepends=True)}
        out.append(cell)
    return out


def notebook_json(terms: list[Term], texts: list[SourceText], cite: Any) -> dict[str, Any]:
    """The glossary notebook: one Markdown cell per term, its cell id ``term-ID`` (the links' target)."""
    def cell(cell_id: str, text: str) -> dict[str, Any]:
        return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text.splitlines(keepends=True)}

    cells = [cell("glossary-title", "# Glossary\n\nTerms the chapters use, in one place. In a chapter, the first use "
                  "of each term is a link: rest the pointer on it to read the definition, or click it to come here.")]
    cells += [cell(f"term-{t.id}", f"### {t.term}\n\n{t.definition}\n\nSource: {cite(t.source)}") for t in terms]
    cells.append(cell("source-texts", "## The source texts\n\nThe course began from five texts, which chapters name "
                      "by what they are and appraise rather than trust:\n\n"
                      + "\n".join(f"- **{s.name[0].upper() + s.name[1:]}**: {s.about}" for s in texts)))
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def page_links(page: str, chapter: str, terms: list[Term], linked: set[str]) -> str:
    """An exported page with the chapters' glossary-notebook links turned into the page's own
    glossary links (hover and focus definitions); ``linked`` records the terms so handled."""
    by_id = {term.id: term for term in terms}

    def replace(match: re.Match[str]) -> str:
        term, text = by_id.get(match.group(1)), html.unescape(match.group(2))
        if term is None or term.id in linked:
            return match.group(2)
        linked.add(term.id)
        return _link(term, text, chapter)

    return HTML_LINK.sub(replace, page)


def notebook_text(references: dict[str, Any]) -> str:
    """glossary.ipynb as the course ships it (generated from glossary.toml; ``ankl-course check``
    compares the committed file with this, ``scripts/link_glossary.py`` writes it)."""
    terms, texts = load(references=set(references))

    def cite(key: str) -> str:
        ref = references[key]
        target = f"https://doi.org/{ref.doi}" if ref.doi else ref.url
        return f"[{ref.short()}]({target})" if target else ref.short()

    return json.dumps(notebook_json(terms, texts, cite), indent=1, ensure_ascii=False) + "\n"


def without_links(markdown: str) -> str:
    """``markdown`` with each glossary link reduced to its text: what a reader reads (word counts)."""
    return MD_LINK.sub(lambda match: match.group(1), markdown)


def deck_links(deck: str) -> str:
    """A deck with the Markdown's glossary-notebook links pointing at the site's glossary page
    (decks sit one folder down, in slides/ and slides-single/)."""
    return deck.replace(f'href="{NOTEBOOK}#cell-id=term-', 'href="../glossary.html#term-')
