"""Formulas rendered to SVG at build time, for pages and decks.

Why: a single-file deck is mailed or copied to a USB stick alone, so it cannot load
MathJax's folder of scripts and fonts at view time; without this its formulas stayed
TeX source. The build renders every formula of the chapter's Markdown once, with
MathJax 3 running in Node.js (pinned in the npm lockfile), and puts the SVG in the
page and both decks: nothing is fetched when they are shown, and the site ships no
MathJax (it was 4 MB of fonts and scripts in every site).

How: before export each formula in a Markdown cell is replaced by a plain-word token
(so the Markdown renderer cannot touch it), and after export each token is replaced by
its SVG, wrapped with ``role="img"`` and the TeX source as its accessible name.
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CourseDataError
from . import assets

SCRIPT = Path(__file__).with_name("tex2svg.js")
#: The npm package (pinned at version 3 in the lockfile) that renders the formulas.
PACKAGE = "mathjax"
#: ``$$display$$``, ``\[display\]``, ``$inline$`` (not ``\$``), ``\(inline\)``.
FORMULA = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|(?<![\\$])\$([^$\n]+?)\$|\\\((.+?)\\\)", re.DOTALL)
#: Code blocks and inline code: a ``$`` in them is not a formula.
CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.DOTALL)
TIMEOUT = 120


@dataclass(frozen=True)
class Formula:
    """One formula of a chapter: its TeX, whether it is displayed, and where it was (for errors)."""

    tex: str
    display: bool
    cell: int
    #: A plain word that stands for the formula between export and substitution.
    token: str


def _replace_outside_code(text: str, cell: int, found: list[Formula]) -> str:
    def swap(match: re.Match[str]) -> str:
        display_a, display_b, inline_a, inline_b = match.groups()
        tex = display_a or display_b or inline_a or inline_b or ""
        formula = Formula(tex.strip(), display=bool(display_a or display_b), cell=cell,
                          token=f"ANKLMATH{len(found):05d}X")
        found.append(formula)
        return formula.token

    pieces, last = [], 0
    for code in CODE.finditer(text):
        pieces.append(FORMULA.sub(swap, text[last:code.start()]))
        pieces.append(code.group(0))
        last = code.end()
    pieces.append(FORMULA.sub(swap, text[last:]))
    return "".join(pieces)


def extract(nb: Any) -> tuple[Any, list[Formula]]:
    """A copy of ``nb`` whose Markdown formulas are tokens, and the formulas in order."""
    found: list[Formula] = []
    trimmed = copy.copy(nb)
    trimmed.cells = []
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown" and ("$" in cell.source or "\\(" in cell.source or "\\[" in cell.source):
            cell = copy.deepcopy(cell)
            cell.source = _replace_outside_code(cell.source, index, found)
        trimmed.cells.append(cell)
    return trimmed, found


def render(formulas: list[Formula], where: str | Path) -> tuple[str, list[str]]:
    """The SVG stylesheet and one ``<mjx-container>`` per formula, from MathJax 3 in Node.js."""
    node = shutil.which("node")
    if node is None:
        raise CourseDataError(where, "", "formulas need Node.js to render for the single-file deck; "
                              "install Node.js 18 or newer (Debian/Ubuntu: sudo apt-get install nodejs)")
    package = assets.package_dir(PACKAGE)
    request = json.dumps([{"tex": f.tex, "display": f.display} for f in formulas])
    done = subprocess.run([node, str(SCRIPT), str(package)], input=request, capture_output=True, text=True,
                          timeout=TIMEOUT)
    try:
        answer = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        answer = {"error": (done.stderr or done.stdout).strip()[-300:], "index": -1}
    if done.returncode != 0 or "error" in answer:
        index = int(answer.get("index", -1))
        place = f"cell {formulas[index].cell}" if 0 <= index < len(formulas) else ""
        tex = f" in ${formulas[index].tex}$" if 0 <= index < len(formulas) else ""
        raise CourseDataError(where, place, f"MathJax could not render a formula{tex}: {answer.get('error')}")
    return str(answer["css"]), [str(svg) for svg in answer["svg"]]


def _accessible(svg: str, tex: str) -> str:
    """The formula as one image named by its TeX source (screen readers read the TeX)."""
    label = html.escape(tex, quote=True)
    svg = svg.replace("<mjx-container ", f'<mjx-container role="img" aria-label="{label}" ', 1)
    return svg.replace(' role="img" focusable="false"', ' aria-hidden="true" focusable="false"', 1)


def substitute(page: str, formulas: list[Formula], svgs: list[str]) -> str:
    """``page`` with every token replaced by its SVG (the stylesheet goes into the page's
    course CSS, not here: inlined scripts contain "</head>" and "<body" strings too)."""
    for formula, svg in zip(formulas, svgs, strict=True):
        page = page.replace(formula.token, _accessible(svg, formula.tex))
    return page
