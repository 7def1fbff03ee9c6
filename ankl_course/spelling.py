"""One spelling: the course writes UK English (leukaemia, haemophagocytosis, tumour).

Why a check: chapters, banks and data files were written by several hands and "leukaemia"
and "leukemia" alternated, even within one chapter. ``ankl-course check`` runs
:func:`us_spellings` over the text a student reads. It leaves alone what must keep its own
spelling: quotations of the source texts (claims' ``quote`` fields and text in quotation
marks), reference titles and journal names, fact ids and citation keys, and code names such
as ``color=``.
"""

from __future__ import annotations

import ast
import re

#: US spelling (as a word-start pattern) and the UK form the course uses.
US_TO_UK = {
    r"leukemi": "leukaemi",
    r"an(?:e)mi(?=a|c)": "anaemi",
    r"hemophagocyt": "haemophagocyt",
    r"hematolog": "haematolog",
    r"hematopoie": "haematopoie",
    r"hemorrhag": "haemorrhag",
    r"hemoglobin": "haemoglobin",
    r"tumor": "tumour",
    r"pediatric": "paediatric",
    r"esophag": "oesophag",
    r"edema\b": "oedema",
}
PATTERN = re.compile(r"\b(" + "|".join(US_TO_UK) + r")", re.IGNORECASE)
#: Text that keeps its own spelling: quotations, {fact.ids}, [@keys], (#ref-...) links, `code`,
#: keyword arguments such as color=, and an entry of a written reference list (``<a id="ref-...">``).
EXEMPT = re.compile(r'"[^"\n]*"|“[^”]*”|\{[^}]*\}|\[@[^\]]*\]|\(#ref-[^)]*\)|`[^`]*`|\b\w*colou?r\w*=|'
                    r'\b[a-z0-9_]+_[a-z0-9_]+\b|<a id="ref-[^\n]*')


def us_spellings(text: str) -> list[tuple[str, str]]:
    """(found, UK form) for each US spelling in ``text`` outside quotations and names."""
    cleaned = EXEMPT.sub(lambda m: " " * len(m.group(0)), text)
    found = []
    for match in PATTERN.finditer(cleaned):
        word = re.match(r"\w+", cleaned[match.start():]).group(0)  # type: ignore[union-attr]
        us = next(p for p in US_TO_UK if re.match(p, word, re.IGNORECASE))
        uk = re.sub(us, US_TO_UK[us], word, count=1, flags=re.IGNORECASE)
        found.append((word, uk[0].upper() + uk[1:] if word[0].isupper() else uk))
    return found


#: Data-file keys whose values keep their own spelling (quotations, bibliographic fields, names).
KEEP_KEYS = frozenset({"quote", "journal", "authors", "publisher", "url", "doi", "id", "cite",
                       "source", "sources", "fact", "key", "incomplete", "note"})


def data_texts(node: object, where: str = "") -> list[tuple[str, str]]:
    """(location, text) of every string a student may read in a parsed TOML tree."""
    if isinstance(node, dict):
        return [item for key, value in node.items() if key not in KEEP_KEYS
                for item in data_texts(value, f"{where}.{key}" if where else str(key))]
    if isinstance(node, list):
        return [item for index, value in enumerate(node) for item in data_texts(value, f"{where}[{index}]")]
    return [(where, node)] if isinstance(node, str) else []


def code_texts(code: str) -> str:
    """The string literals of a code cell (what ``facts.say`` and HTML cells show), one per line."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    return "\n".join(node.value for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and isinstance(node.value, str))


#: "seed" as a word a student reads (ids such as ``seed-phenotype`` and ``seed=`` arguments are names).
SEED_WORD = re.compile(r"(?<![=_])\bseeds?\b(?![-=_])", re.IGNORECASE)
#: The only sense the course gives it: the number that makes synthetic data the same on every run.
RANDOM_SEED = re.compile(r"\b(?:random|fixed)\s+(?:\w+\s+)?$", re.IGNORECASE)


def seed_words(text: str) -> list[str]:
    """Each use of "seed" in ``text`` that is not a random seed, with a little context.

    Why: the course's five source texts were called "seed 000".."seed 004" (their file names),
    which a student cannot decode and which clashes with the random seed of the synthetic data.
    Chapters name a source text by what it is (data/glossary.toml, ``source_text``)."""
    cleaned = EXEMPT.sub(lambda m: " " * len(m.group(0)), text)
    return [" ".join(cleaned[max(0, m.start() - 20):m.end() + 12].split())
            for m in SEED_WORD.finditer(cleaned) if not RANDOM_SEED.search(cleaned[max(0, m.start() - 30):m.start()])]
