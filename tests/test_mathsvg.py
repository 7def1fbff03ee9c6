"""Formulas to SVG at build time (MathJax 3 in Node.js): found outside code, rendered, named."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from ankl_course.errors import CourseDataError
from ankl_course.export import mathsvg


def _nb(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(s) for s in sources])


def test_formulas_are_found_outside_code_only() -> None:
    nb = _nb("rate $h_1$ and `$HOME` and\n$$\\frac{a}{b}$$", "costs \\$5 and \\(x^2\\)")
    trimmed, found = mathsvg.extract(nb)
    assert [(f.tex, f.display, f.cell) for f in found] == [("h_1", False, 1), ("\\frac{a}{b}", True, 1),
                                                           ("x^2", False, 2)]
    assert "`$HOME`" in trimmed.cells[0].source and "\\$5" in trimmed.cells[1].source
    assert "$h_1$" in nb.cells[0].source, "the executed notebook itself is left alone"


@pytest.mark.slow  # runs MathJax in a Node.js process
@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_rendered_formulas_are_svg_named_by_their_tex() -> None:
    trimmed, found = mathsvg.extract(_nb("rate $h_1$ per year"))
    css, svgs = mathsvg.render(found, "ch.ipynb")
    page = mathsvg.substitute(f"<p>{trimmed.cells[0].source}</p>", found, svgs)
    assert "<svg" in page and 'role="img" aria-label="h_1"' in page and "ANKLMATH" not in page
    assert "mjx-container" in css


@pytest.mark.slow  # runs MathJax in a Node.js process
@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_a_tex_error_names_the_cell_and_the_formula() -> None:
    _, found = mathsvg.extract(_nb("fine", "broken $\\frac{1$ here"))
    with pytest.raises(CourseDataError) as error:
        mathsvg.render(found, "ch.ipynb")
    assert "cell 2" in str(error.value) and "\\frac{1" in str(error.value)
