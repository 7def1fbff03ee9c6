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

import html
import os
from collections.abc import Callable
from typing import Any

from .htmlkit import markdown

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

    def __init__(self, render: Callable[..., Any], controls: dict[str, Any], title: str = "") -> None:
        self.render = render
        self.controls = controls
        self.title = title
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
        bundle["text/html"] = self.snapshot_html()
        bundle["text/plain"] = f"Explorer: {self.title or ', '.join(self.controls)}"
        return bundle
