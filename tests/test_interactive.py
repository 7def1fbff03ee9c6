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


# -- frames for exports -----------------------------------------------------------------


def _frames(html: str) -> list[str]:
    import re

    return re.findall(r'<template data-ankl-frame="\d+">(.*?)</template>', html, re.DOTALL)


def test_exported_explorer_carries_one_frame_per_setting_of_a_bounded_grid(monkeypatch: object) -> None:
    from ankl_course.interactive import EXPORT_ENV, plan_frames

    calls = []

    def render(rate: float, arm: str) -> HTML:
        calls.append((rate, arm))
        return HTML(f'<img alt="curve" src="data:,"><p>rate {rate} arm {arm}</p>')

    controls = {"rate": widgets.FloatSlider(value=0.4, min=0.0, max=2.0, step=0.1, description="rate"),
                "arm": widgets.Dropdown(options=[("Arm A", "a"), ("Arm B", "b")], value="a", description="Arm")}
    plan = plan_frames(controls, 16)
    assert [len(axis.stops) for axis in plan.axes] == [8, 2] and plan.fixed == ()
    assert 0.4 in [value for value, _ in plan.axes[0].stops], "the starting value is always a stop"
    import os

    os.environ[EXPORT_ENV] = "1"
    try:
        bundle = Explorer(render, controls, title="Demo")._repr_mimebundle_()
    finally:
        del os.environ[EXPORT_ENV]
    html = bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    frames = _frames(html)
    assert len(frames) == 16 and len(set(calls)) == 16
    assert 'alt="curve (rate 2, Arm Arm B)"' in html, "each frame's alt text names its settings"
    assert '<input type="range"' in html and "<select" in html and "<label for=" in html
    assert "Works offline: 16 settings" in html and "live only in JupyterLab" not in html


def test_controls_that_do_not_fit_stay_live_only_in_jupyterlab() -> None:
    from ankl_course.interactive import plan_frames

    controls = {f"c{i}": widgets.Dropdown(options=["met", "not met", "unknown"], description=f"Criterion {i}")
                for i in range(5)}
    plan = plan_frames(controls, 16)
    assert [a.name for a in plan.axes] == ["c0", "c1"] and plan.frames == 9
    assert plan.fixed == ("Criterion 2", "Criterion 3", "Criterion 4")
    text = widgets.Text(value="free", description="Note")
    assert plan_frames({"note": text}).fixed == ("Note",), "a free-text control cannot be enumerated"


def test_frames_stay_within_the_byte_budget() -> None:
    from ankl_course.interactive import frames_html

    explorer = Explorer(lambda n: HTML("x" * 1000 + str(n)), {"n": widgets.IntSlider(value=0, min=0, max=50)},
                        max_frames=64)
    assert len(_frames(frames_html(explorer, budget=64_000))) == 9  # stops capped per slider
    assert len(_frames(frames_html(explorer, budget=4_000))) == 3  # 4000 bytes hold 3 frames
