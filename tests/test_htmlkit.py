"""htmlkit: what every table, quiz text and page of the course is written with."""

from __future__ import annotations

from ankl_course.htmlkit import Cell, Markup, escape, inline_markdown, markdown, table


def test_text_is_escaped_and_markup_is_kept() -> None:
    assert escape('<b> & "q" \'s\'') == "&lt;b&gt; &amp; &quot;q&quot; &#x27;s&#x27;"
    assert escape(Markup("<b>bold</b>")) == "<b>bold</b>"
    assert escape(2.5) == "2.5"


def test_inline_markdown_drops_the_single_paragraph_only() -> None:
    assert inline_markdown("**NK** cells") == "<strong>NK</strong> cells"
    two = inline_markdown("one\n\ntwo")
    assert two.count("<p>") == 2
    assert markdown("*a*").strip() == "<p><em>a</em></p>"


def test_table_with_caption_sections_and_scoped_headers() -> None:
    html = table(["Test", "Value"], [["Ferritin <µg/L>", 8600]], caption="Labs & more", css_class="ankl-labs")
    assert html == ('<table class="ankl-labs"><caption>Labs &amp; more</caption>'
                    '<thead><tr><th scope="col">Test</th><th scope="col">Value</th></tr></thead>'
                    "<tbody><tr><td>Ferritin &lt;µg/L&gt;</td><td>8600</td></tr></tbody></table>")


def test_plain_table_row_headers_styles_and_trusted_cells() -> None:
    html = table(["a", "b"], [[Cell("x", header=True), Cell("y", style="color:red")], [Markup("<em>z</em>"), "w"]],
                 sections=False, scoped=False, caption="c", caption_class="ankl-sr")
    assert html == ('<table><caption class="ankl-sr">c</caption><tr><th>a</th><th>b</th></tr>'
                    '<tr><th scope="row">x</th><td style="color:red">y</td></tr>'
                    "<tr><td><em>z</em></td><td>w</td></tr></table>")


def test_an_empty_table_still_has_its_header() -> None:
    assert table(["only"], []) == '<table><thead><tr><th scope="col">only</th></tr></thead><tbody></tbody></table>'
