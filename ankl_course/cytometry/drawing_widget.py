"""Draw the gates yourself: matplotlib selectors on the real plots (ipympl), numeric fields, and an export view.

Why matplotlib's selectors through ipympl: the plots are already matplotlib
figures, and ``PolygonSelector`` and ``RectangleSelector`` are made for
drawing regions on them (click corners, drag a box, move handles); ipympl
makes the figure a live widget in JupyterLab. Quadrant and split steps need a
single point, which a click on the plot gives (matplotlib's own event).

Why numeric fields as well: a keyboard or screen-reader user cannot draw with
a mouse, so every step also has labelled number fields and a button that set
the same gate; drawing fills the fields in, and the fields move the drawing.

Why an export view: a page or deck without a kernel cannot draw, so its
output carries, beside the widget, a worked sequence of figures with the
reference gates and a sentence saying that drawing needs JupyterLab. While
``ankl-course build`` executes a chapter (``ANKL_COURSE_EXPORT``) no widget
is built at all. Nothing here waits for the mouse, so a chapter runs top to
bottom in a fresh kernel (nbval).
"""

from __future__ import annotations

import functools
import html
import os
from pathlib import Path
from typing import Any

import numpy as np

from .. import figures
from ..errors import CourseDataError
from ..interactive import EXPORT_ENV
from .drawing import DrawStep, GatingDraft
from .gates import PolygonGate, QuadrantGate, RectangleGate
from .plots import axis_label, density_colormap, limits, strategy_figure
from .practice import ShareCheck
from .synthetic import Sample

#: Panel grid: at most three plots a row; inches per panel; fixed margins (figure fractions) so that a
#: test can find a point of a plot on the page without asking the kernel (see :func:`panel_point`).
COLUMNS = 3
PANEL_INCHES = (2.8, 2.6)
MARGINS = {"left": 0.09, "right": 0.98, "bottom": 0.1, "top": 0.93, "wspace": 0.5, "hspace": 0.5}
GATE_COLOUR = figures.PALETTE["black"]
DRAWN_COLOUR = figures.PALETTE["orange"]


def grid(n_steps: int) -> tuple[int, int]:
    """Rows and columns of the panel grid for ``n_steps`` plots."""
    columns = min(COLUMNS, n_steps)
    return -(-n_steps // columns), columns


def panel_box(n_steps: int, index: int) -> tuple[float, float, float, float]:
    """Left, bottom, width, height of plot ``index`` in figure fractions (matplotlib's subplot geometry)."""
    from matplotlib.figure import Figure
    from matplotlib.gridspec import GridSpec

    rows, columns = grid(n_steps)
    figure = Figure()
    spec = GridSpec(rows, columns, figure=figure, **MARGINS)
    box = spec[index // columns, index % columns].get_position(figure)
    return box.x0, box.y0, box.width, box.height


def panel_point(n_steps: int, index: int, x_channel: str, y_channel: str, x: float, y: float) -> tuple[float, float]:
    """Where data point (x, y) of plot ``index`` lies on the figure, as fractions from its top left corner."""
    left, bottom, width, height = panel_box(n_steps, index)
    (x0, x1), (y0, y1) = limits(x_channel), limits(y_channel)
    fx = left + width * (x - x0) / (x1 - x0)
    fy = bottom + height * (y - y0) / (y1 - y0)
    return fx, 1.0 - fy


def _counts_text(draft: GatingDraft, step: DrawStep) -> str:
    parts = []
    for name in step.gates:
        row = draft.row(name)
        parts.append(f"{name}: {row.events} events, {row.percent_of_parent:.1f}% of parent, "
                     f"{row.percent_of_total:.1f}% of all events")
    state = "" if draft.is_drawn(step) else " (not drawn yet: every event of the parent passes)"
    return "; ".join(parts) + state


class GateDrawing:
    """The student's gating tool for one sample: draw, read the counts, compare, save and load.

    ``path`` names a drawing path of ``drawing.toml`` (``"nk"``: cells, lymphoid
    cells, CD3- CD19-, NK cells, CD56 split; ``"t_lgl"``: cells, lymphoid cells,
    T cells, CD8+ CD57+). The gates start undrawn; :attr:`draft` holds them.
    """

    def __init__(self, sample: Sample, path: str = "nk", title: str = "") -> None:
        self.draft = GatingDraft(sample, path)
        self.title = title or f"Gate it yourself: {self.draft.path.title} in {sample.title} (synthetic)"
        self._widget: Any = None
        self._ui: _DrawingUI | None = None

    # -- what a cell can call ------------------------------------------------------

    def report(self) -> Any:
        """Your gating report so far (events, % of parent, % of all events per gate)."""
        return self.draft.result()

    def compare(self, key: int | str) -> Any:
        """How your gate of one step compares with the reference gate."""
        return self.draft.compare(key)

    def save(self, path: str | Path) -> Path:
        """Write your gates as a strategy file (the format of ``strategies.toml``) for your teacher."""
        return self.draft.save(path)

    def load(self, path: str | Path) -> None:
        """Set your gates from a strategy file saved earlier (a malformed file raises CourseDataError)."""
        changed = self.draft.load(path)
        if self._ui is not None:
            self._ui.refresh(changed, sync_all=True)

    def check_share(self, answer_percent: Any, gate: str) -> ShareCheck:
        """Check a share of all events read from your own gates against the reference gates.

        The tolerance is the readout's placement tolerance from ``drawing.toml``:
        careful gates drawn by different people differ by about that much.
        """
        draft = self.draft
        reference = draft.reference_result[gate].percent_of_total
        readout = draft.spec.readout(draft.reference.name, gate)
        tolerance = readout.tolerance if readout is not None else 2.0
        try:
            answer = float(answer_percent)
        except (TypeError, ValueError):
            return ShareCheck(False, "Enter a number: the share in percent of all events, read from your gates.",
                              float("nan"), reference)
        if answer != answer:
            return ShareCheck(False, "Enter a number: the share in percent of all events.", answer, reference)
        chain = [s for s in draft.steps if any(g in draft.reference.lineage(gate) for g in s.gates)]
        undrawn = [s.name for s in chain if not draft.is_drawn(s)]
        own = draft.row(gate).percent_of_total
        if abs(answer - reference) <= tolerance:
            return ShareCheck(True, f"Correct: the reference gates give {reference:.1f}% of all events in "
                                    f"{gate}; you said {answer:g}% (placement explains up to {tolerance:g} points).",
                              answer, reference)
        if 0 < answer <= 1 and reference > 2:
            return ShareCheck(False, f"{answer:g} looks like a fraction; give the share in percent of all events.",
                              answer, reference)
        if undrawn:
            hint = f"Draw your gates first; still undrawn: {', '.join(undrawn)}."
        elif abs(answer - own) > 0.15:
            hint = f"Your gates give another number: read the '% of all events' of {gate} in your gating report."
        else:
            hint = ("Your number matches your gates, but they differ from the reference more than placement "
                    "explains: compare each gate with the reference to find the one that changes the result.")
        direction = "low" if answer < reference else "high"
        return ShareCheck(False, f"Too {direction} (you said {answer:g}%). {hint}", answer, reference)

    # -- exports ---------------------------------------------------------------------

    def worked_html(self) -> str:
        """The reference gates step by step, as figures with alt text, for pages without a kernel.

        The figures sit in a grid of small panels so that a slide holds the whole sequence.
        """

        draft = self.draft
        cells = []
        for number, step in enumerate(draft.steps, start=1):
            fig, alt = strategy_figure(draft.sample, draft.reference, gates=[step.gates[0]],
                                       result=draft.reference_result, data=draft.data)
            fig.set_size_inches(3.4, 3.1)
            help_text = draft.spec.help.get(step.gates[0], "")
            image = figures.show(fig, alt=f"Step {number} with the reference gate. {alt} How to draw it: {help_text}")
            caption = f"Step {number}: {step.name} ({step.tool} on {step.y} against {step.x})"
            cells.append(f'<figure style="margin:0">{image.html()}<figcaption style="font-size:0.8em">'
                         f"{html.escape(caption)}</figcaption></figure>")
        grid_style = "display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:8px"
        return (f'<div class="ankl-drawing-worked"><p><strong>{html.escape(self.title)}</strong></p>'
                '<p class="ankl-drawing-note"><em>Drawing the gates needs JupyterLab (run this notebook there). '
                "Here each step shows the reference gate, as a worked example.</em></p>"
                f'<div style="{grid_style}">{"".join(cells)}</div></div>')

    # -- the live widget -----------------------------------------------------------

    def widget(self) -> Any:
        if self._widget is None:
            self._ui = _DrawingUI(self)
            self._widget = self._ui.root
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        exporting = os.environ.get(EXPORT_ENV, "") not in ("", "0")
        bundle = {} if exporting else dict(self.widget()._repr_mimebundle_() or {})
        bundle["text/html"] = self.worked_html()
        bundle["text/plain"] = f"{self.title} (drawing needs JupyterLab)"
        return bundle


class _DrawingUI:
    """The widgets of a :class:`GateDrawing`: one ipympl figure with a plot per step, and a box per step."""

    def __init__(self, owner: GateDrawing) -> None:
        import ipywidgets as widgets

        self.owner = owner
        self.draft = owner.draft
        self.figure, self.canvas = self._figure()
        self.axes = list(self.figure.axes)
        self.images: list[Any] = []
        self.marks: list[list[Any]] = []
        self.selectors: list[Any] = []
        self.fields: list[list[Any]] = []
        self.counts: list[Any] = []
        self.comparisons: list[Any] = []
        self.field_boxes: list[Any] = []
        self._quiet = False
        boxes = []
        for index, step in enumerate(self.draft.steps):
            self._plot(index, step)
            boxes.append(self._step_box(index, step))
        self.report = widgets.HTML(self._report_html())
        self.file_name = widgets.Text(value="my_gates.toml", description="File")
        save, load = widgets.Button(description="Save my gates"), widgets.Button(description="Load gates")
        self.file_status = widgets.HTML()
        self.file_status.add_class("ankl-gate-file-status")
        save.on_click(self._save)
        load.on_click(self._load)
        heading = widgets.HTML(
            f"<p><strong>{html.escape(owner.title)}</strong></p><p>Draw each gate on its plot, in order: each plot "
            "shows only the events inside the gate before it. Or type the gate into the number fields of its "
            "step and press <em>Set gate</em>. <em>Compare with the reference</em> tells you what your gate "
            "changes.</p>")
        files = widgets.HBox([self.file_name, save, load, self.file_status])
        self.root = widgets.VBox([heading, self.canvas, *boxes, widgets.HTML("<p><strong>Your gating report"
                                                                             "</strong></p>"), self.report, files])
        self.root.add_class("ankl-gate-drawing")
        self.refresh(list(range(len(self.draft.steps))))

    # -- construction ------------------------------------------------------------

    def _figure(self) -> tuple[Any, Any]:
        import matplotlib.pyplot as plt
        from ipympl.backend_nbagg import FigureManager
        from matplotlib.figure import Figure

        rows, columns = grid(len(self.draft.steps))
        style: Any = figures.style()
        with plt.rc_context(style):
            fig = Figure(figsize=(PANEL_INCHES[0] * columns, PANEL_INCHES[1] * rows), dpi=figures.DPI)
            fig.subplots(rows, columns, squeeze=False)
        fig.subplots_adjust(**MARGINS)
        for extra in fig.axes[len(self.draft.steps):]:
            extra.set_visible(False)
        canvas = _canvas_class()(fig)
        FigureManager(canvas, 0)
        canvas.header_visible = False
        canvas.toolbar_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
        canvas.capture_scroll = False
        return fig, canvas

    def _plot(self, index: int, step: DrawStep) -> None:
        from matplotlib.backend_bases import MouseButton
        from matplotlib.ticker import EngFormatter

        ax = self.axes[index]
        x_lim, y_lim = limits(step.x), limits(step.y)
        image = ax.imshow(self.draft.image(index), origin="lower", aspect="auto", extent=(*x_lim, *y_lim),
                          cmap=density_colormap(), interpolation="nearest")
        ax.set_xlim(x_lim)
        ax.set_ylim(y_lim)
        ax.locator_params(nbins=4)
        ax.set_xlabel(axis_label(step.x), fontsize=12)
        ax.set_ylabel(axis_label(step.y), fontsize=12)
        for axis, channel in ((ax.xaxis, step.x), (ax.yaxis, step.y)):
            if channel.startswith(("FSC", "SSC")):
                axis.set_major_formatter(EngFormatter(sep=""))  # 200k, not 200000: room for the label
        ax.set_title(f"Step {index + 1}: {step.name}", fontsize=12)
        image.set_animated(True)
        self.images.append(image)

        marks: list[Any] = []
        props = {"color": DRAWN_COLOUR, "linewidth": 2}
        selector: Any = None
        if step.tool == "polygon":
            selector = released_at_pointer("polygon")(ax, functools.partial(self._drawn_polygon, index),
                                                      useblit=False, props=props, grab_range=8)
        elif step.tool == "rectangle":
            selector = released_at_pointer("rectangle")(ax, functools.partial(self._drawn_rectangle, index),
                                                        useblit=False, interactive=True, button=[MouseButton.LEFT],
                                                        props={"edgecolor": DRAWN_COLOUR, "linewidth": 2,
                                                               "fill": False})
        else:
            marks.append(ax.axhline(np.nan, **props))
            if step.tool == "quadrant":
                marks.append(ax.axvline(np.nan, **props))
            self.canvas.mpl_connect("button_press_event", lambda event, i=index: self._clicked(i, event))
        for artist in marks + (list(selector.artists) if selector is not None else []):
            artist.set_animated(True)
        self.marks.append(marks)
        self.selectors.append(selector)

    def _step_box(self, index: int, step: DrawStep) -> Any:
        import ipywidgets as widgets

        help_text = self.draft.spec.help.get(step.gates[0], "")
        title = widgets.HTML(f"<p><strong>Step {index + 1}: {html.escape(step.name)}</strong>. "
                             f"{html.escape(help_text)}</p>")
        self.counts.append(widgets.HTML())
        self.fields.append(self._initial_fields(step))
        fields_box = widgets.HBox(self.fields[index], layout=widgets.Layout(flex_flow="row wrap"))
        self.field_boxes.append(fields_box)
        auto = widgets.Layout(width="auto")
        set_button = widgets.Button(description="Set gate", tooltip=f"Set the {step.name} gate from the numbers",
                                    layout=auto)
        set_button.on_click(lambda _, i=index: self._typed(i))
        compare = widgets.Button(description="Compare with the reference", layout=auto)
        compare.on_click(lambda _, i=index: self._compare(i))
        buttons = [set_button, compare]
        if step.tool == "polygon":
            more = widgets.Button(description="Add a corner", layout=auto)
            fewer = widgets.Button(description="Remove a corner", layout=auto)
            more.on_click(lambda _, i=index: self._resize_polygon_fields(i, +1))
            fewer.on_click(lambda _, i=index: self._resize_polygon_fields(i, -1))
            buttons += [more, fewer]
        self.comparisons.append(widgets.HTML())
        box = widgets.VBox([title, self.counts[index], fields_box, widgets.HBox(buttons), self.comparisons[index]])
        box.add_class("ankl-gate-step")
        return box

    def _field(self, label: str, value: float) -> Any:
        import ipywidgets as widgets

        return widgets.FloatText(value=round(float(value), 2), description=label, continuous_update=False,
                                 layout=widgets.Layout(width="250px"), style={"description_width": "125px"})

    def _initial_fields(self, step: DrawStep) -> list[Any]:
        (x0, x1), (y0, y1) = limits(step.x), limits(step.y)
        if step.tool == "polygon":
            return self._polygon_fields(step, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        if step.tool == "rectangle":
            return [self._field(f"{step.x} from", x0), self._field(f"{step.x} to", x1),
                    self._field(f"{step.y} from", y0), self._field(f"{step.y} to", y1)]
        if step.tool == "quadrant":
            return [self._field(f"{step.x} split", (x0 + x1) / 2), self._field(f"{step.y} split", (y0 + y1) / 2)]
        return [self._field(f"{step.y} split", (y0 + y1) / 2)]

    def _polygon_fields(self, step: DrawStep, corners: list[tuple[float, float]]) -> list[Any]:
        fields = []
        for number, (x, y) in enumerate(corners, start=1):
            fields += [self._field(f"corner {number} {step.x}", x), self._field(f"corner {number} {step.y}", y)]
        return fields

    # -- input -------------------------------------------------------------------

    def _drawn_polygon(self, index: int, verts: list[tuple[float, float]]) -> None:
        if self._quiet or len(verts) < 3:
            return
        self.refresh(self.draft.set_polygon(index, verts), drawn=index)

    def _drawn_rectangle(self, index: int, press: Any, release: Any) -> None:
        if self._quiet or None in (press.xdata, press.ydata, release.xdata, release.ydata):
            return
        self.refresh(self.draft.set_rectangle(index, press.xdata, release.xdata, press.ydata, release.ydata),
                     drawn=index)

    def _clicked(self, index: int, event: Any) -> None:
        if event.inaxes is not self.axes[index] or event.button != 1 or event.xdata is None:
            return
        step = self.draft.steps[index]
        if step.tool == "quadrant":
            changed = self.draft.set_quadrant(index, event.xdata, event.ydata)
        else:
            changed = self.draft.set_split(index, event.ydata)
        self.refresh(changed, drawn=index)

    def _typed(self, index: int) -> None:
        step = self.draft.steps[index]
        values = [float(field.value) for field in self.fields[index]]
        if step.tool == "polygon":
            changed = self.draft.set_polygon(index, list(zip(values[::2], values[1::2], strict=True)))
        elif step.tool == "rectangle":
            changed = self.draft.set_rectangle(index, *values)
        elif step.tool == "quadrant":
            changed = self.draft.set_quadrant(index, *values)
        else:
            changed = self.draft.set_split(index, values[0])
        self.refresh(changed, drawn=index, typed=True)

    def _resize_polygon_fields(self, index: int, change: int) -> None:
        step = self.draft.steps[index]
        values = [float(field.value) for field in self.fields[index]]
        corners = list(zip(values[::2], values[1::2], strict=True))
        if change > 0:
            corners.append(corners[-1])
        elif len(corners) > 3:
            corners.pop()
        self._replace_fields(index, self._polygon_fields(step, corners))

    def _replace_fields(self, index: int, fields: list[Any]) -> None:
        self.fields[index] = fields
        self.field_boxes[index].children = tuple(fields)

    def _compare(self, index: int) -> None:
        self.comparisons[index].value = self.draft.compare(index)._repr_html_()

    def _save(self, _: Any) -> None:
        try:
            target = self.draft.save(self.file_name.value)
        except OSError as exc:
            self.file_status.value = f"<span>Not saved: {html.escape(str(exc))}</span>"
            return
        self.file_status.value = f"<span>Saved to {html.escape(str(target))}</span>"

    def _load(self, _: Any) -> None:
        try:
            changed = self.draft.load(self.file_name.value)
        except CourseDataError as exc:
            self.file_status.value = f"<span>Not loaded: {html.escape(str(exc))}</span>"
            return
        self.file_status.value = f"<span>Loaded {html.escape(self.file_name.value)}</span>"
        self.refresh(changed, sync_all=True)

    # -- output ------------------------------------------------------------------

    def refresh(self, changed: list[int], drawn: int | None = None, typed: bool = False,
                sync_all: bool = False) -> None:
        """Show the new state: plots whose events changed, counts, the report; the drawn step's fields and shape."""
        for index in changed:
            image = self.draft.image(index)
            self.images[index].set_data(image)
            self.images[index].set_clim(0, max(float(image.max()), 1e-9))
        steps = range(len(self.draft.steps)) if sync_all else ([drawn] if drawn is not None else [])
        for index in steps:
            self._sync_shape(index)
            if not typed:
                self._sync_fields(index)
            self.comparisons[index].value = ""
        for index, step in enumerate(self.draft.steps):
            text = _counts_text(self.draft, step)
            self.counts[index].value = f'<p class="ankl-gate-counts">{html.escape(text)}</p>'
        self.report.value = self._report_html()
        self.canvas.draw_idle()

    def _report_html(self) -> str:
        return str(self.draft.result()._repr_html_())

    def _sync_fields(self, index: int) -> None:
        step = self.draft.steps[index]
        gate = self.draft.gates[step.gates[0]]
        if isinstance(gate, PolygonGate):
            if len(self.fields[index]) != 2 * len(gate.vertices):
                self._replace_fields(index, self._polygon_fields(step, list(gate.vertices)))
            values = [v for corner in gate.vertices for v in corner]
        elif isinstance(gate, QuadrantGate):
            values = [gate.x_split, gate.y_split]
        elif step.tool == "split":
            values = [gate.y_min]
        else:
            assert isinstance(gate, RectangleGate)
            (x0, x1), (y0, y1) = limits(step.x), limits(step.y)
            values = [max(gate.x_min, x0), min(gate.x_max, x1), max(gate.y_min, y0), min(gate.y_max, y1)]
        for field, value in zip(self.fields[index], values, strict=False):
            field.value = round(float(value), 2)

    def _sync_shape(self, index: int) -> None:
        """Move the drawn shape to the gate (after typing or loading), without calling back into the draft."""
        step = self.draft.steps[index]
        gate = self.draft.gates[step.gates[0]]
        if step.gates[0] not in self.draft.drawn:
            return
        self._quiet = True
        try:
            if isinstance(gate, PolygonGate):
                self.selectors[index].verts = list(gate.vertices)
            elif isinstance(gate, QuadrantGate):
                self.marks[index][0].set_ydata([gate.y_split, gate.y_split])
                self.marks[index][1].set_xdata([gate.x_split, gate.x_split])
            elif step.tool == "split":
                self.marks[index][0].set_ydata([gate.y_min, gate.y_min])
            else:
                assert isinstance(gate, RectangleGate)
                (x0, x1), (y0, y1) = limits(step.x), limits(step.y)
                self.selectors[index].extents = (max(gate.x_min, x0), min(gate.x_max, x1),
                                                 max(gate.y_min, y0), min(gate.y_max, y1))
                self.selectors[index].set_visible(True)
        finally:
            self._quiet = False


@functools.cache
def released_at_pointer(kind: str) -> type:
    """matplotlib's ``RectangleSelector`` or ``PolygonSelector`` (``kind``), finishing each click or
    drag where the mouse button is released.

    Why: matplotlib takes a rectangle's corner, and whether a click closes a
    polygon, from the last mouse move it saw. ipympl throttles mouse moves on
    their way to the kernel (lodash ``throttle``, trailing call included), so on
    a busy machine the last move can arrive after the release: a quick drag
    ended short of where the student let go (found when the JupyterLab test
    drew a lymphoid gate that missed a sixth of the lymphocytes), and a click
    on the first corner could add a corner instead of closing the polygon.
    Applying the release point as a last move makes the gate the one the
    student saw under the pointer.
    """
    from matplotlib.widgets import PolygonSelector, RectangleSelector

    base = {"rectangle": RectangleSelector, "polygon": PolygonSelector}[kind]

    # _release, _eventpress and _onmove are matplotlib's private selector API, absent from its
    # type stubs; tests/test_drawing.py and the JupyterLab drawing test cover them.
    class ReleasedAtPointer(base):  # type: ignore[valid-type,misc]
        def _release(self, event: Any) -> Any:
            if self._eventpress is not None and event.xdata is not None and event.ydata is not None:
                self._onmove(event)
            return super()._release(event)

    return ReleasedAtPointer


@functools.lru_cache(maxsize=1)
def _canvas_class() -> type:
    """ipympl's canvas, with the figure's fixed parts (axes, ticks, labels) rendered once and reused.

    Why: a full matplotlib draw of five panels spends most of its time laying
    out tick labels, which never change here. Artists that change (density
    images, counts, drawn gates, selector handles) are marked animated; a
    draw restores the cached fixed parts and draws only those, which keeps a
    gate change well under 100 ms (``benchmarks/bench_cytometry.py``).
    """
    from ipympl.backend_nbagg import Canvas
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class CachedCanvas(Canvas):
        _fixed: Any = None
        _fixed_size: Any = None

        def draw(self) -> None:
            self._png_is_old = True
            try:
                size = self.get_width_height(physical=True)
                if self._fixed is None or self._fixed_size != size:
                    FigureCanvasAgg.draw(self)
                    self._fixed, self._fixed_size = self.copy_from_bbox(self.figure.bbox), size
                else:
                    self.restore_region(self._fixed)
                for ax in self.figure.axes:
                    for artist in [*ax.images, *ax.texts, *ax.lines, *ax.patches, *ax.collections]:
                        if artist.get_animated() and artist.get_visible():
                            ax.draw_artist(artist)
            finally:
                self.manager.refresh_all()

        def drop_cache(self) -> None:
            self._fixed = None

    return CachedCanvas


def draw_gates(sample: Sample, path: str = "nk", title: str = "") -> GateDrawing:
    """The gating tool for ``sample``: draw in JupyterLab, a worked sequence of figures in exports."""
    return GateDrawing(sample, path, title)

