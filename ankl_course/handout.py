"""The course summary pages: "ANKL at a glance", all key points, and both as a PDF handout.

Why: students revise from one page, and teachers hand out paper. The summary lives in
``data/at_a_glance.toml`` (numbers through the facts registry, each with the population it
describes); the key points are read from each chapter's ``## Key points`` cell, so they never drift
from the chapters. The PDF is printed by headless Chromium from the same HTML.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .datafile import read_toml
from .errors import CourseDataError
from .facts import render
from .glossary import without_links
from .htmlkit import markdown
from .nbfile import cell_source, cells, read_notebook
from .resources import data_path

KEY_POINTS = re.compile(r"^#{2,3}\s+key points\s*$", re.IGNORECASE | re.MULTILINE)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def _html(text: str) -> str:
    return markdown(render(text))


def _site_links(text: str) -> str:
    """Citation links of chapter pages point at the site's references page."""
    return text.replace('href="#ref-', 'href="references.html#ref-')


def at_a_glance_body(path: Path | None = None) -> str:
    path = data_path("at_a_glance.toml") if path is None else path
    raw = read_toml(path)
    sections = raw.get("section", [])
    if not sections:
        raise CourseDataError(path, "section", "no sections")
    parts = [f"<h1>{html.escape(raw.get('title', 'ANKL at a glance'))}</h1>",
             f"<p><em>{html.escape(raw.get('note', ''))}</em></p>", '<div class="ankl-glance">']
    for index, section in enumerate(sections, start=1):
        if not section.get("heading") or not section.get("text"):
            raise CourseDataError(path, f"section {index}", "needs a heading and a text")
        parts.append(f"<section><h2>{html.escape(section['heading'])}</h2>{_html(section['text'])}</section>")
    return _site_links("".join(parts) + "</div>")


def key_points(chapter_paths: list[Path]) -> list[tuple[str, str]]:
    """(chapter title, key points as HTML) for each chapter that has a ``## Key points`` cell."""
    found = []
    for path in chapter_paths:
        notebook = read_notebook(path)
        texts = [cell_source(c) for c in cells(notebook, "markdown")]
        title = next((t.strip().splitlines()[0][2:] for t in texts if t.startswith("# ")), path.stem)
        if points := _key_points_text(notebook.get("cells", [])):
            # the chapters' glossary links open glossary.ipynb in JupyterLab; here plain text
            found.append((title, _html(without_links(KEY_POINTS.sub("", points, count=1)))))
    return found


def _key_points_text(notebook_cells: list[Any]) -> str:
    """The ``## Key points`` cell and the Markdown cells that continue its list up to the next heading
    or code cell: a long list is split over cells so that each deck slide stays under 90 words, and
    the summary page must not lose its second half. Speaker notes in between are skipped."""
    parts: list[str] = []
    for cell in notebook_cells:
        text = cell_source(cell)
        if not parts:
            if cell.get("cell_type") == "markdown" and KEY_POINTS.search(text):
                parts.append(text)
            continue
        if cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes":
            continue
        if cell.get("cell_type") != "markdown" or re.search(r"^\s{0,3}#", text, re.MULTILINE):
            break
        parts.append(text)
    return "\n".join(parts)


def key_points_body(chapter_paths: list[Path]) -> str:
    sections = "".join(f"<section><h2>{html.escape(title)}</h2>{points}</section>"
                       for title, points in key_points(chapter_paths))
    return _site_links("<h1>Key points of every chapter</h1>" + sections)


def chromium() -> str | None:
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdf(page: Path, pdf: Path, browser: str | None = None, timeout: int = 120) -> Path:
    """Print ``page`` (an HTML file) to ``pdf`` with headless Chromium; a clear error if it cannot."""
    browser = browser or chromium()
    if browser is None:
        raise CourseDataError(pdf, "", "needs Chromium to print the handout (scripts/system-deps.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="ankl-pdf-") as profile:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf}", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise CourseDataError(pdf, "", f"Chromium wrote no PDF (exit {done.returncode}): {done.stderr[-300:]}")
    return pdf


def handout_html(glance: str, points: str, css: str, extra: Any = "") -> str:
    """One printable document: the summary on page one, the key points after it."""
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ANKL handout</title>"
            f"<style>{css}{PRINT_CSS}</style></head><body><main>{glance}"
            f'<div class="ankl-pagebreak"></div>{points}{extra}</main></body></html>')


PRINT_CSS = (
    "@page{size:A4;margin:14mm}body{font-family:sans-serif;font-size:10.5pt;line-height:1.35;color:#111}"
    ".ankl-glance{columns:2;column-gap:8mm}.ankl-glance section{break-inside:avoid}"
    "h1{font-size:17pt;margin:0 0 4pt}h2{font-size:12pt;margin:8pt 0 2pt}a{color:inherit;text-decoration:none}"
    ".ankl-pagebreak{break-after:page}"
)
