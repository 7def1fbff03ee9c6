"""Interactive explorers: sliders and menus that redraw a figure or a table.

Why not plain ``ipywidgets.interact``: an exported page or slide deck has no
kernel, so an ``interact`` output is blank there. An :class:`Explorer`
output carries the live widget for JupyterLab and, beside it, a ``text/html``
rendering of the explorer at its starting values, so exports show a real
figure with a note that it is interactive in JupyterLab. The render function
is plain Python (``render(**values) -> display object``), which also lets
benchmarks time one redraw without a browser.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .htmlkit import markdown
from .resources import PACKAGE_DIR

#: Set (to "1") in the kernel that ``ankl-course build`` executes chapters in: nobody can move a
#: slider in an exported page, so the explorer shows only its snapshot and builds no live widget.
EXPORT_ENV = "ANKL_COURSE_EXPORT"


def html_of(shown: Any) -> str:
    """The HTML a display object (figure, Markdown, HTML, or text) would show."""
    if shown is None:
        return ""
    if isinstance(shown, str):
        return f"<pre>{html.escape(shown)}</pre>"
    bundle_method = getattr(shown, "_repr_mimebundle_", None)
    if bundle_method is not None:
        bundle = bundle_method() or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        if "text/html" in bundle:
            return str(bundle["text/html"])
    for name in ("_repr_html_", "_repr_markdown_"):
        method = getattr(shown, name, None)
        if method is not None:
            value = method()
            if value:
                if name == "_repr_markdown_":
                    return markdown(value)
                return str(value)
    return f"<pre>{html.escape(repr(shown))}</pre>"


class Explorer:
    """A set of controls and a render function, shown live or as a static snapshot.

    ``controls`` maps a keyword of ``render`` to an ipywidgets control
    (``FloatSlider``, ``Dropdown``, ...). Each change calls ``render`` with all
    current values and replaces the shown output.
    """

    def __init__(self, render: Callable[..., Any], controls: dict[str, Any], title: str = "",
                 max_frames: int | None = None) -> None:
        self.render = render
        self.controls = controls
        self.title = title
        #: How many frames an export may draw for this explorer (see :func:`frames_html`).
        self.max_frames = MAX_FRAMES if max_frames is None else max_frames
        self._widget: Any = None
        self._last: tuple[dict[str, Any], Any] | None = None

    def values(self) -> dict[str, Any]:
        """The controls' current values, by keyword."""
        return {name: control.value for name, control in self.controls.items()}

    def shown(self) -> Any:
        """``render`` at the current values, reused while the values are unchanged: the widget and
        the kernel-free snapshot show the same state, so drawing it once halves a chapter's cost."""
        values = self.values()
        if self._last is None or self._last[0] != values:
            self._last = (values, self.render(**values))
        return self._last[1]

    def snapshot_html(self) -> str:
        """The explorer at its current values, for pages with no kernel."""
        settings = ", ".join(
            f"{getattr(c, 'description', '') or name.replace('_', ' ')} {c.value}"
            for name, c in self.controls.items()
        )
        note = (f'<p class="ankl-explorer-note"><em>Interactive in JupyterLab. '
                f"Shown here with: {html.escape(settings)}.</em></p>")
        heading = f"<p><strong>{html.escape(self.title)}</strong></p>" if self.title else ""
        return f'<div class="ankl-explorer">{heading}{html_of(self.shown())}{note}</div>'

    def widget(self) -> Any:
        """The live widget: controls above an HTML view that is redrawn on every change.

        The view is an ``HTML`` widget fed with :func:`html_of`, not an ``Output``
        widget: the same HTML as the export snapshot (alt text included), no
        display capture, and no ``clear_output(wait=True)``, on which nbclient
        was seen to stall for a whole cell timeout.
        """
        if self._widget is None:
            # Lazy (measured): ipywidgets pulls in IPython, about 0.8 s, and explorers are built by
            # modules that `ankl-course fcs` loads; the live widget is needed only when displayed.
            import ipywidgets as widgets

            view = widgets.HTML(value=html_of(self.shown()))

            def redraw(_: Any = None) -> None:
                view.value = html_of(self.shown())

            for control in self.controls.values():
                control.observe(redraw, names="value")
            parts = [widgets.HTML(f"<strong>{html.escape(self.title)}</strong>")] if self.title else []
            self._widget = widgets.VBox(parts + [widgets.VBox(list(self.controls.values())), view])
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        exporting = os.environ.get(EXPORT_ENV, "") not in ("", "0")
        bundle = {} if exporting else dict(self.widget()._repr_mimebundle_() or {})
        # exported: controls that move between frames drawn now; in JupyterLab: the live widget
        bundle["text/html"] = frames_html(self) if exporting else self.snapshot_html()
        bundle["text/plain"] = f"Explorer: {self.title or ', '.join(self.controls)}"
        return bundle


# -- explorers that move offline: frames over a bounded grid of their controls -------------

#: At most this many frames per explorer (each is one call of its render function at build
#: time, about 0.2 to 0.6 s for a figure), and at most this many bytes of frames (the page and
#: both decks each carry them; the single-file deck is mailed). An explorer may ask for more
#: frames (``Explorer(..., max_frames=64)``); the byte budget still applies.
MAX_FRAMES = 16
FRAME_BUDGET_BYTES = 2 * 1024 * 1024
#: A numeric slider offers at most this many positions offline.
MAX_SLIDER_STOPS = 9
#: The script that swaps frames (inline: exported pages and decks run inline scripts).
FRAMES_JS = PACKAGE_DIR / "explorer_frames.js"


@dataclass(frozen=True)
class Axis:
    """One control as it moves offline: its name, label, and the (value, label) stops."""

    name: str
    label: str
    stops: tuple[tuple[Any, str], ...]
    start: int
    slider: bool


@dataclass(frozen=True)
class FramePlan:
    """Which controls move offline (``axes``) and which stay live only in JupyterLab."""

    axes: tuple[Axis, ...]
    fixed: tuple[str, ...]

    @property
    def frames(self) -> int:
        return math.prod(len(axis.stops) for axis in self.axes)


def _label(name: str, control: Any) -> str:
    return str(getattr(control, "description", "") or name.replace("_", " "))


def _spread(count: int, keep: int, limit: int) -> list[int]:
    """``limit`` indices out of ``range(count)``, evenly spread, ends and ``keep`` included."""
    if count <= limit:
        return list(range(count))
    if limit < 2:
        return [keep]
    chosen = {round(i * (count - 1) / (limit - 1)) for i in range(limit)}
    if keep not in chosen:
        inner = chosen - {0, count - 1} or {0 if keep > (count - 1) / 2 else count - 1}
        chosen.remove(min(inner, key=lambda i: abs(i - keep)))
        chosen.add(keep)
    return sorted(chosen)


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def control_stops(name: str, control: Any, limit: int) -> Axis | None:
    """The positions a control can take offline, or None if it cannot be enumerated."""
    labels = getattr(control, "_options_labels", None)
    values = getattr(control, "_options_values", None)
    if labels is not None and values is not None and len(values):
        start = list(values).index(control.value) if control.value in values else 0
        keep = _spread(len(values), start, limit)
        stops = tuple((values[i], str(labels[i])) for i in keep)
        return Axis(name, _label(name, control), stops, keep.index(start), slider=hasattr(control, "readout"))
    if isinstance(control.value, bool):
        return Axis(name, _label(name, control), ((False, "no"), (True, "yes")), int(control.value), False)
    bounds = [getattr(control, key, None) for key in ("min", "max", "step")]
    if all(isinstance(b, (int, float)) for b in bounds) and bounds[2]:
        low, high, step = (float(b) for b in bounds)  # type: ignore[arg-type]  # checked just above
        count = int(round((high - low) / step)) + 1
        start = int(round((control.value - low) / step))
        keep = _spread(count, start, limit)
        cast: Callable[[float], float | int] = (
            (lambda v: int(round(v))) if isinstance(control.value, int) else (lambda v: round(v, 10)))
        stops = tuple((cast(low + i * step), _text(cast(low + i * step))) for i in keep)
        return Axis(name, _label(name, control), stops, keep.index(start), slider=True)
    return None


def _is_slider(control: Any) -> bool:
    return hasattr(control, "min") and hasattr(control, "max") or hasattr(control, "readout")


def plan_frames(controls: dict[str, Any], max_frames: int = MAX_FRAMES) -> FramePlan:
    """The grid of frames within ``max_frames``: menus keep every option while at least two stops
    per slider still fit; sliders share the rest evenly (ends and starting value included). A
    control that no longer fits, or cannot be enumerated (free text), stays at its starting
    value and is named as live only in JupyterLab."""
    sliders = [name for name, control in controls.items() if _is_slider(control)]
    menus: dict[str, Axis | None] = {}
    product = 1
    for name, control in controls.items():
        if name in sliders:
            continue
        axis = control_stops(name, control, max_frames)
        fits = axis is not None and product * len(axis.stops) * 2 ** len(sliders) <= max_frames
        menus[name] = axis if fits and axis is not None and len(axis.stops) > 1 else None
        product *= len(axis.stops) if menus[name] is not None and axis is not None else 1
    room = max_frames // product
    per_slider = min(MAX_SLIDER_STOPS, int(room ** (1 / max(1, len(sliders))) + 1e-9))
    axes: list[Axis] = []
    fixed: list[str] = []
    used = product
    for name, control in controls.items():
        if name in sliders:
            left = max_frames // used
            axis = control_stops(name, control, min(per_slider, left)) if left >= 2 else None
        else:
            axis = menus[name]
        if axis is None or len(axis.stops) < 2:
            fixed.append(_label(name, control))
            continue
        axes.append(axis)
        used *= len(axis.stops) if name in sliders else 1
    return FramePlan(tuple(axes), tuple(fixed))


def _with_settings(frame: str, settings: str) -> str:
    """Every image of a frame names the settings it was drawn with in its alt text, so a screen
    reader hears what changed when a control moves."""
    return re.sub(r'(<img\b[^>]*\balt=")([^"]*)(")', lambda m: f"{m.group(1)}{m.group(2)} ({settings}){m.group(3)}",
                  frame)


def _control_html(uid: str, index: int, axis: Axis) -> str:
    ident = f"{uid}-c{index}"
    label = f'<label for="{ident}">{html.escape(axis.label)}</label>'
    if axis.slider:
        shown = html.escape(axis.stops[axis.start][1])
        texts = html.escape(json.dumps([label for _, label in axis.stops]), quote=True)
        return (f'<div class="ankl-explorer-control">{label} <input type="range" id="{ident}" min="0" '
                f'max="{len(axis.stops) - 1}" step="1" value="{axis.start}" data-ankl-axis="{index}" '
                f'data-ankl-texts="{texts}" aria-valuetext="{shown}"> <output for="{ident}">{shown}</output></div>')
    options = "".join(f'<option value="{i}"{" selected" if i == axis.start else ""}>{html.escape(text)}</option>'
                      for i, (_, text) in enumerate(axis.stops))
    return (f'<div class="ankl-explorer-control">{label} <select id="{ident}" data-ankl-axis="{index}">'
            f"{options}</select></div>")


def frames_html(explorer: Explorer, max_frames: int | None = None, budget: int = FRAME_BUDGET_BYTES) -> str:
    """The explorer for pages with no kernel: controls that swap between frames rendered now.

    The starting frame is drawn first; its size decides how many frames the byte budget
    allows, and the grid is planned within that. Identical frames are stored once.
    """
    first = html_of(explorer.shown())
    room = max(1, min(max_frames or explorer.max_frames, budget // max(1, len(first))))
    plan = plan_frames(explorer.controls, room)
    start_values = explorer.values()
    uid = "ankl-x" + hashlib.sha256(
        json.dumps([explorer.title, sorted(start_values), [a.stops for a in plan.axes]], default=str).encode()
    ).hexdigest()[:10]
    unique: dict[str, int] = {}
    keys: dict[str, int] = {}
    for position in itertools.product(*(range(len(axis.stops)) for axis in plan.axes)):
        values = dict(start_values)
        values.update({axis.name: axis.stops[i][0] for axis, i in zip(plan.axes, position, strict=True)})
        settings = ", ".join(f"{axis.label} {axis.stops[i][1]}" for axis, i in zip(plan.axes, position, strict=True))
        shown = first if values == start_values else html_of(explorer.render(**values))
        frame = _with_settings(shown, settings) if settings else first
        keys["-".join(map(str, position))] = unique.setdefault(frame, len(unique))
    frames = list(unique)
    start_key = "-".join(str(axis.start) for axis in plan.axes)
    controls = "".join(_control_html(uid, i, axis) for i, axis in enumerate(plan.axes))
    templates = "".join(f'<template data-ankl-frame="{i}">{frame}</template>' for i, frame in enumerate(frames))
    live = (f" {html.escape(', '.join(plan.fixed))} stay{'s' if len(plan.fixed) == 1 else ''} at the value shown: "
            "live only in JupyterLab." if plan.fixed else "")
    note = (f'<p class="ankl-explorer-note"><em>Works offline: {len(keys)} settings drawn in advance '
            f"(arrow keys move a slider).{live} Every setting is live in JupyterLab.</em></p>")
    heading = f"<p><strong>{html.escape(explorer.title)}</strong></p>" if explorer.title else ""
    script = FRAMES_JS.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return (f'<div class="ankl-explorer ankl-explorer-frames" id="{uid}" '
            f'data-ankl-keys="{html.escape(json.dumps(keys), quote=True)}">{heading}'
            f'<div class="ankl-explorer-controls" role="group" aria-label="{html.escape(explorer.title or "Explorer")}'
            f' controls">{controls}</div>'
            f'<div class="ankl-explorer-view" aria-live="polite">{frames[keys[start_key]]}</div>'
            f"{templates}{note}<script>{script}</script></div>")
