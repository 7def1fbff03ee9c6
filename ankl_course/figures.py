"""Course figure style, and showing a figure with alt text that survives every export.

Why: nbconvert and JupyterLab ignore alt text kept in image metadata, and
nbconvert substitutes "No description has been provided for this image". An
output whose ``text/html`` is an ``<img alt=...>`` with the PNG inlined (and
the PNG alongside, for tools that want it) keeps the description in
JupyterLab, in exported pages and in slide decks, which screen-reader users
need. The palette is Okabe-Ito, which stays distinguishable with the common
colour-vision deficiencies.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

from cycler import cycler
from matplotlib.text import Text

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

# pyplot is imported inside the functions that draw (measured): it takes about 1.5 s to import,
# and this module is loaded by every chapter module, including the cytometry package that
# `ankl-course fcs list` loads to print a few names.

#: Okabe & Ito (2008) colour-blind-safe palette, in the order plots use it.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = list(PALETTE.values())

#: Figure sizes in inches: one column of a notebook, full width, and a square panel.
SIZES: dict[str, tuple[float, float]] = {
    "small": (4.5, 3.2),
    "wide": (8.0, 3.6),
    "tall": (6.0, 5.0),
    "square": (4.8, 4.8),
}
DPI = 100
#: The smallest text a figure may carry, in points at DPI: figures are at most deck width (960 px) at
#: this resolution, so a projected slide never shows text smaller than this (issue 13).
MIN_POINTS = 12
#: Width of a reveal.js slide in pixels (the decks' configured width).
DECK_WIDTH = 960


def style() -> dict[RcKeyType, Any]:
    """Matplotlib rc settings of the course style (used as a context, never set globally)."""
    return {
        "axes.prop_cycle": cycler(color=CYCLE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 13,
        "axes.labelsize": 12,
        "font.size": MIN_POINTS,
        "xtick.labelsize": MIN_POINTS,
        "ytick.labelsize": MIN_POINTS,
        "legend.fontsize": MIN_POINTS,
        "figure.titlesize": 13,
        "legend.frameon": False,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "savefig.bbox": "tight",
        "svg.hashsalt": "ankl-course",
    }


def new_figure(size: str = "wide", ncols: int = 1, nrows: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A figure and axes in the course style, sized by name (see :data:`SIZES`)."""
    import matplotlib.pyplot as plt

    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    with plt.rc_context(style()):
        fig, axes = plt.subplots(nrows=nrows, ncols=ncols, figsize=SIZES[size], **kwargs)
    return fig, axes


def diagram(xlim: tuple[float, float], ylim: tuple[float, float], size: str = "wide") -> tuple[Figure, Any]:
    """A figure with bare axes spanning ``xlim`` x ``ylim``, for schematic drawings that place boxes and
    arrows by coordinates: no ticks or spines, which would suggest a measured scale."""
    fig, ax = new_figure(size)
    ax.set_axis_off()
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return fig, ax


def arrow(ax: Any, tail: tuple[float, float], tip: tuple[float, float]) -> None:
    """A plain arrow from ``tail`` to ``tip`` in data coordinates, as the course's diagrams draw them."""
    ax.annotate("", xy=tip, xytext=tail, arrowprops={"arrowstyle": "->"})


def png_bytes(fig: Figure, fast: bool = False) -> bytes:
    """The figure as PNG, rendered deterministically (no timestamp metadata).

    ``fast`` is for explorers that redraw on every slider move: the figure keeps its own layout
    (no tight bounding box to measure) and the PNG is barely compressed, which takes a good part
    off a redraw for a file a few kB larger.
    """
    import matplotlib.pyplot as plt

    require_readable(fig)
    buffer = io.BytesIO()
    settings = {**style(), "savefig.bbox": "standard"} if fast else style()
    with plt.rc_context(settings):
        fig.savefig(buffer, format="png", metadata={"Software": None},
                    pil_kwargs={"compress_level": 1} if fast else None)
    return buffer.getvalue()


def _least_points(fig: Figure) -> float:
    """The smallest font size that still shows as :data:`MIN_POINTS` on a deck: a figure wider than
    the deck (960 px) is shrunk to fit, and its text with it."""
    width = fig.get_figwidth() * fig.get_dpi()
    return MIN_POINTS * max(1.0, width / DECK_WIDTH)


def small_text(fig: Figure) -> list[str]:
    """Visible texts of ``fig`` that would show smaller than :data:`MIN_POINTS` on a deck."""
    least = _least_points(fig)
    return [f"{t.get_text()!r} ({t.get_fontsize():g} pt)" for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and float(t.get_fontsize()) < least - 1e-9]


def require_readable(fig: Figure) -> None:
    """Raise every text of ``fig`` to the size that shows as at least :data:`MIN_POINTS` on a deck.

    Text added after the figure was made (legends, lifelines' at-risk table, annotations) takes
    matplotlib's global defaults rather than the course style, and multi-panel figures wider than a
    deck are shrunk when shown, so sizes are settled here, where every course figure passes before
    it is shown.
    """
    least = _least_points(fig)
    for text in fig.findobj(Text):
        if float(text.get_fontsize()) < least:
            text.set_fontsize(least)


def styled() -> Any:
    """A context in which new figures, axes and artists take the course style: for figures built
    outside pyplot (explorers keep one between redraws, so a notebook never shows it by itself)."""
    import matplotlib.pyplot as plt

    return plt.rc_context(style())


class FigureDisplay:
    """A rendered figure with its alt text, as HTML ``<img alt>`` plus the PNG."""

    def __init__(self, png: bytes, alt: str, caption: str = "") -> None:
        if not alt or not alt.strip():
            raise ValueError("every figure needs alt text describing what it shows")
        self.png = png
        self.alt = alt.strip()
        self.caption = caption.strip()

    def html(self) -> str:
        data = base64.b64encode(self.png).decode()
        img = (f'<img alt="{html.escape(self.alt, quote=True)}" '
               f'src="data:image/png;base64,{data}" style="max-width:100%">')
        if not self.caption:
            return img
        return f"<figure>{img}<figcaption>{html.escape(self.caption)}</figcaption></figure>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/html": self.html(),
            "image/png": base64.b64encode(self.png).decode(),
            "text/plain": f"[Figure: {self.alt}]",
        }


def show(fig: Figure, alt: str, caption: str = "") -> FigureDisplay:
    """Render ``fig`` with its alt text, close it (so it is not shown twice), and
    return the display object; make it the last expression of a cell."""
    import matplotlib.pyplot as plt

    display = FigureDisplay(png_bytes(fig), alt, caption)
    plt.close(fig)
    return display
