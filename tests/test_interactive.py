"""Explorers redraw on every change in JupyterLab and show a real snapshot where there is no kernel."""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import HTML, Markdown

from ankl_course.interactive import Explorer, html_of


def test_snapshot_shows_the_render_at_current_values_and_says_it_is_interactive() -> None:
    explorer = Explorer(lambda n: HTML(f"<b>n={n}</b>"), {"n": widgets.IntSlider(value=3, description="Events")},
                        title="Demo")
    html = explorer.snapshot_html()
    assert "<b>n=3</b>" in html
    assert "Interactive in JupyterLab" in html and "Events 3" in html
    assert "<strong>Demo</strong>" in html


def test_bundle_has_widget_view_and_html() -> None:
    explorer = Explorer(lambda n: HTML(f"<i>{n}</i>"), {"n": widgets.IntSlider(value=1)})
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "<i>1</i>" in bundle["text/html"]


def test_every_change_calls_render_with_all_values() -> None:
    calls = []

    def render(a: int, b: str) -> HTML:
        calls.append((a, b))
        return HTML("ok")

    a, b = widgets.IntSlider(value=1), widgets.Dropdown(options=["x", "y"], value="x")
    explorer = Explorer(render, {"a": a, "b": b})
    explorer.widget()
    a.value = 5
    b.value = "y"
    assert calls == [(1, "x"), (5, "x"), (5, "y")]


def test_live_view_shows_the_same_html_as_the_snapshot() -> None:
    slider = widgets.IntSlider(value=2)
    explorer = Explorer(lambda n: HTML(f"<img alt='bar of {n}' src='data:,'>"), {"n": slider})
    view = explorer.widget().children[-1]
    assert view.value == "<img alt='bar of 2' src='data:,'>"
    slider.value = 7
    assert view.value == "<img alt='bar of 7' src='data:,'>"
    assert "<img alt='bar of 7'" in explorer.snapshot_html()


def test_html_of_handles_markdown_text_and_none() -> None:
    assert "<em>hi</em>" in html_of(Markdown("*hi*"))
    assert html_of("a<b") == "<pre>a&lt;b</pre>"
    assert html_of(None) == ""
