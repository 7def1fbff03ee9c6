"""Small HTML pieces every part of the course writes the same way: escaped text, inline Markdown, tables.

Why one module: chapter tables (labs, criteria, gating, appraisals), the course map, the site
index, quizzes and the Moodle export all turn course text into HTML. Written by hand in each
place they drifted (some escaped, some not; two Markdown renderers stripped the paragraph
differently). Here a cell of a table is escaped unless it is already :class:`Markup`
(markupsafe's marker for trusted HTML, the same one Jinja uses for the site templates).
Escaping is the standard library's (``&quot;``, ``&#x27;``), as every page so far was written.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import mistune
from markupsafe import Markup

__all__ = ["Cell", "Markup", "escape", "inline_markdown", "markdown", "table"]

#: Text of a table cell: plain (escaped) or HTML already made safe (kept as it is).
Text = str | int | float | Markup


class Cell(NamedTuple):
    """A table cell that needs more than its text: a row header (``<th scope="row">``) or a style."""

    text: Text
    header: bool = False
    style: str = ""




def escape(value: Text) -> str:
    """``value`` as HTML text: escaped (quotes too), unless it is :class:`Markup` already."""
    return str(value) if isinstance(value, Markup) else html.escape(str(value), quote=True)


def markdown(text: str) -> str:
    """Markdown to HTML (block level: paragraphs, lists, emphasis, links)."""
    return str(mistune.html(text))


def inline_markdown(text: str) -> str:
    """Markdown to HTML without the wrapping paragraph when the text is a single one.

    Option labels, feedback and prompts sit inside a ``<label>``, a table cell or an LMS
    answer field, where a ``<p>`` would add a blank line (or be invalid).
    """
    rendered = markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def _cell(value: Text | Cell, tag: str = "td", scope: str = "") -> str:
    """One ``<td>`` or ``<th>``: a :class:`Cell` may make itself a row header or carry a style."""
    style = ""
    if isinstance(value, Cell):
        if value.header:
            tag, scope = "th", "row"
        style = f' style="{escape(value.style)}"' if value.style else ""
        value = value.text
    attributes = (f' scope="{scope}"' if scope else "") + style
    return f"<{tag}{attributes}>{escape(value)}</{tag}>"


def table(header: Sequence[Text], rows: Iterable[Sequence[Text | Cell]], *, caption: Text = "",
          css_class: str = "", caption_class: str = "", sections: bool = True, scoped: bool = True) -> str:
    """An HTML table: optional caption, one header row, then the rows.

    ``sections`` wraps the header in ``<thead>`` and the rows in ``<tbody>``; ``scoped`` marks
    the header cells ``scope="col"`` for screen readers. Both are on by default; the plain form
    is kept for tables whose exact markup a notebook's checked output already records.
    """
    head = "<tr>" + "".join(_cell(h, "th", "col" if scoped else "") for h in header) + "</tr>"
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    if sections:
        head, body = f"<thead>{head}</thead>", f"<tbody>{body}</tbody>"
    opening = f'<table class="{escape(css_class)}">' if css_class else "<table>"
    title_class = f' class="{escape(caption_class)}"' if caption_class else ""
    title = f"<caption{title_class}>{escape(caption)}</caption>" if caption else ""
    return f"{opening}{title}{head}{body}</table>"
