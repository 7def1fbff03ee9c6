"""Interactive gating and formative answer checks for the immunophenotyping chapter.

Why precompute: a student drags a slider and expects the plot to follow. The
expensive parts (display transform, parent gate, the 2D histogram) do not
depend on the slider, so :func:`gating_explorer` computes them once and each
redraw only counts four quadrants and draws two lines. The render function is
plain Python, so the benchmark times one redraw without a browser.

Answers are checked against the ground truth the generator kept: the share of
events drawn from the abnormal population, not the share a gate happens to
catch, so a good gate and a good answer are the same thing.

matplotlib's drawing modules and ipywidgets are imported inside the functions that draw (measured:
together over 2 s), because the package is loaded by ``ankl-course fcs``, which draws nothing.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .. import figures
from ..interactive import Explorer
from .gates import QuadrantGate, strategy
from .plots import axis_label, density_colormap, density_image, limits
from .synthetic import Sample, display_values


@dataclass(frozen=True, repr=False)
class ShareCheck:
    """The verdict on a reported share, with the feedback a student sees."""

    correct: bool
    feedback: str
    answer_percent: float
    truth_percent: float

    def _repr_html_(self) -> str:
        colour = figures.PALETTE["green"] if self.correct else figures.PALETTE["vermillion"]
        return f'<p style="border-left:4px solid {colour};padding-left:8px">{html.escape(self.feedback)}</p>'

    def __str__(self) -> str:
        return self.feedback

    def __repr__(self) -> str:
        # What a notebook shows as text: the feedback only, never the true share.
        return self.feedback


def check_share(answer_percent: Any, sample: Sample, populations: tuple[str, ...] | None = None,
                tolerance: float = 2.0) -> ShareCheck:
    """Check a student's "% of all events" for the abnormal population(s) of a generated sample.

    ``tolerance`` is in percentage points: a careful gate loses or gains a few
    cells at the edges, so the answer need not be exact.
    """
    truth = 100.0 * (sample.truth_share(populations) if populations else sample.abnormal_share())
    try:
        answer = float(answer_percent)
    except (TypeError, ValueError):
        return ShareCheck(False, "Enter a number: the share in percent of all events.", float("nan"), truth)
    if answer != answer:
        return ShareCheck(False, "Enter a number: the share in percent of all events.", answer, truth)
    if 0 < answer <= 1 and truth > 2:
        return ShareCheck(False, f"{answer:g} looks like a fraction; give the share in percent (of all events).",
                          answer, truth)
    if abs(answer - truth) <= tolerance:
        return ShareCheck(True, f"Correct: the abnormal cells are {truth:.1f}% of all events; you said {answer:g}%.",
                          answer, truth)
    direction = "low" if answer < truth else "high"
    hint = ("Did you lose cells at an earlier gate, or take % of parent instead of % of all events?"
            if direction == "low" else "Does your gate also take in normal cells (check CD56 brightness and CD3)?")
    return ShareCheck(False, f"Too {direction} (you said {answer:g}%). {hint}", answer, truth)


def _background(image: np.ndarray, x: str, y: str, title: str) -> tuple[np.ndarray, Any]:
    """Render the parts of the gating plot that never change (density, axes, labels) once, as RGBA pixels.

    Returns the pixels and a function mapping data coordinates to pixel coordinates.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, ax = figures.new_figure("square")
    canvas = FigureCanvasAgg(fig)
    x_lim, y_lim = limits(x), limits(y)
    ax.imshow(image, origin="lower", aspect="auto", extent=(*x_lim, *y_lim), cmap=density_colormap(),
              interpolation="nearest")
    ax.set_xlim(x_lim)
    ax.set_ylim(y_lim)
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(axis_label(y))
    ax.set_title(title, fontsize=12)
    fig.tight_layout()
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba()).copy()
    height = pixels.shape[0]
    transform = ax.transData.frozen()

    def to_pixels(px: float, py: float) -> tuple[float, float]:
        u, v = transform.transform((px, py))
        return float(u), float(height - v)

    import matplotlib.pyplot as plt

    plt.close(fig)
    return pixels, to_pixels


def gating_view(sample: Sample, x: str = "CD16", y: str = "CD56", parent: str = "CD3- CD19-",
                strategy_name: str = "nk_screen") -> Any:
    """The render function of the live quadrant gate: ``render(x_split, y_split) -> figure display``.

    Everything that does not depend on the split (display values, parent gate,
    density image, axes) is computed and drawn once here; a redraw counts the
    four quadrants, draws two lines and four labels on a copy of the cached
    pixels with Pillow, and encodes the PNG, which keeps it well under 100 ms.
    """
    data = display_values(sample)
    result = strategy(strategy_name).apply(sample, data=data)
    inside = result.masks[parent] if parent else np.ones(len(sample), dtype=bool)
    x_values, y_values = data[x][inside], data[y][inside]
    pixels, to_pixels = _background(density_image(x_values, y_values, x, y), x, y,
                                    f"{parent or 'all events'}: {y} against {x}")
    x_lim, y_lim = limits(x), limits(y)
    left, bottom = to_pixels(x_lim[0], y_lim[0])
    right, top = to_pixels(x_lim[1], y_lim[1])
    font = ImageFont.load_default(size=13)
    ink = figures.PALETTE["black"]
    total = len(sample)

    def render(x_split: float, y_split: float) -> Any:
        counts = QuadrantGate("view", x, y, x_split, y_split).counts({x: x_values, y: y_values})
        picture = Image.fromarray(pixels, mode="RGBA")
        draw = ImageDraw.Draw(picture)
        split_x, split_y = to_pixels(min(max(x_split, x_lim[0]), x_lim[1]), min(max(y_split, y_lim[0]), y_lim[1]))
        draw.line([(split_x, top), (split_x, bottom)], fill=ink, width=2)
        draw.line([(left, split_y), (right, split_y)], fill=ink, width=2)
        places = {"-+": (left + 6, top + 4, "la"), "++": (right - 6, top + 4, "ra"),
                  "--": (left + 6, bottom - 4, "ld"), "+-": (right - 6, bottom - 4, "rd")}
        for quadrant, (px, py, anchor) in places.items():
            share = 100.0 * counts[quadrant] / total if total else 0.0
            draw.text((px, py), f"{counts[quadrant]} ({share:.1f}%)", fill=ink, font=font, anchor=anchor)
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="PNG", compress_level=1)
        upper_right = 100.0 * counts["++"] / total if total else 0.0
        upper_left = 100.0 * counts["-+"] / total if total else 0.0
        alt = (f"Density plot of {y} against {x} for the {x_values.size} events in the gate {parent} of "
               f"the synthetic sample {sample.title}, split at {x} {x_split:.2f} and {y} {y_split:.2f}. "
               f"Upper right ({y} high, {x} high): {counts['++']} events, {upper_right:.1f}% of all events; "
               f"upper left ({y} high, {x} low): {counts['-+']} events, {upper_left:.1f}%; lower right "
               f"{counts['+-']}; lower left {counts['--']}.")
        return figures.FigureDisplay(buffer.getvalue(), alt)

    return render


def gating_explorer(sample: Sample, x: str = "CD16", y: str = "CD56", parent: str = "CD3- CD19-",
                    x_split: float = 1.7, y_split: float = 4.6, strategy_name: str = "nk_screen") -> Any:
    """A live quadrant gate: two sliders move the split, counts and plot update at once."""
    import ipywidgets as widgets  # lazy: see the module docstring

    render = gating_view(sample, x, y, parent, strategy_name)
    low, high = limits(x)
    controls = {
        "x_split": widgets.FloatSlider(value=x_split, min=low, max=high, step=0.05, description=f"{x} split",
                                       continuous_update=False),
        "y_split": widgets.FloatSlider(value=y_split, min=limits(y)[0], max=limits(y)[1], step=0.05,
                                       description=f"{y} split", continuous_update=False),
    }
    return Explorer(render, controls, title=f"Move the quadrant: {y} against {x} within {parent}")
