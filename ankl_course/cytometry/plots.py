"""Cytometry plots: density scatter per gate step and overlaid marker histograms, with alt text.

Why density plots (2D histograms) and not dot plots: at tens of thousands of
events dots hide each other and the eye sees the outline, not the crowd; a
density plot shows where most cells are, which is what a gate is drawn around.
Colours come from the course palette (Okabe-Ito), the density map runs from
white through sky blue and blue to vermillion. Every function returns the
figure and an alt text that states what the plot shows in numbers, so
``figures.show(fig, alt=alt)`` carries a real description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import figures
from .gates import Gate, GatingResult, PolygonGate, QuadrantGate, RectangleGate, Strategy
from .synthetic import Sample, display_values
from .transforms import arcsinh, logicle

#: Display limits: scatter in linear units, fluorescence on the arcsinh scale.
SCATTER_LIMITS = (0.0, 262144.0)
FLUORESCENCE_LIMITS = (-1.5, 7.5)
BINS = 96


def density_colormap() -> Any:
    """White (no events) through the palette's sky and blue to vermillion (most events)."""
    from matplotlib.colors import LinearSegmentedColormap

    colours = ["#FFFFFF", figures.PALETTE["sky"], figures.PALETTE["blue"], figures.PALETTE["vermillion"]]
    return LinearSegmentedColormap.from_list("ankl_density", colours)


def limits(channel: str) -> tuple[float, float]:
    """Axis limits for a channel: scatter linear, everything else arcsinh."""
    return SCATTER_LIMITS if channel.startswith(("FSC", "SSC")) else FLUORESCENCE_LIMITS


def axis_label(channel: str) -> str:
    if channel.startswith(("FSC", "SSC")):
        return f"{channel} (linear)"
    return f"{channel} (arcsinh)"


def density_image(x: np.ndarray, y: np.ndarray, x_channel: str, y_channel: str, bins: int = BINS) -> np.ndarray:
    """The 2D histogram a density plot shows (log-scaled counts, 0 where empty), rows = y."""
    counts, _, _ = np.histogram2d(y, x, bins=bins, range=[limits(y_channel), limits(x_channel)])
    return np.log1p(counts)


def density_plot(ax: Any, x: np.ndarray, y: np.ndarray, x_channel: str, y_channel: str,
                 gate: Gate | None = None, bins: int = BINS) -> Any:
    """Draw a density plot of (x, y) on ``ax``, with ``gate`` outlined; returns the image artist."""
    x_lim, y_lim = limits(x_channel), limits(y_channel)
    image = ax.imshow(density_image(x, y, x_channel, y_channel, bins), origin="lower", aspect="auto",
                      extent=(*x_lim, *y_lim), cmap=density_colormap(), interpolation="nearest")
    ax.set_xlim(x_lim)
    ax.set_ylim(y_lim)
    ax.locator_params(nbins=4)
    ax.set_xlabel(axis_label(x_channel))
    ax.set_ylabel(axis_label(y_channel))
    if gate is not None:
        draw_gate(ax, gate, x_lim, y_lim)
    return image


def draw_gate(ax: Any, gate: Gate, x_lim: tuple[float, float], y_lim: tuple[float, float]) -> None:
    """Outline a gate; for a quadrant gate also draw the split lines."""
    if isinstance(gate, QuadrantGate):
        ax.axvline(gate.x_split, color=figures.PALETTE["black"], linewidth=0.8, linestyle="--")
        ax.axhline(gate.y_split, color=figures.PALETTE["black"], linewidth=0.8, linestyle="--")
    outline = gate.outline(x_lim, y_lim) if not isinstance(gate, PolygonGate) else gate.outline()
    _ = ax.plot(outline[:, 0], outline[:, 1], color=figures.PALETTE["black"], linewidth=1.6)


def _gate_axes(gate: Gate) -> tuple[str, str]:
    if isinstance(gate, RectangleGate) and gate.y is None:
        return gate.x, "SSC-A"
    return gate.x, gate.y  # type: ignore[return-value]


def strategy_figure(sample: Sample, strategy: Strategy, gates: list[str] | None = None,
                    result: GatingResult | None = None,
                    data: Mapping[str, np.ndarray] | None = None) -> tuple[Any, str]:
    """One density panel per gate step (the parent's events, the gate drawn), and its alt text."""
    data = display_values(sample) if data is None else data
    result = strategy.apply(sample, data=data) if result is None else result
    names = gates or [step.gate.name for step in strategy.steps]
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    fig, axes = figures.new_figure("wide", ncols=columns, nrows=rows, squeeze=False)
    fig.set_size_inches(3.4 * columns, 3.0 * rows)
    everything = np.ones(len(sample), dtype=bool)
    described = []
    for ax, name in zip(axes.flat, names, strict=False):
        step = strategy.step(name)
        parent = result.masks[step.parent] if step.parent else everything
        x_channel, y_channel = _gate_axes(step.gate)
        density_plot(ax, data[x_channel][parent], data[y_channel][parent], x_channel, y_channel, step.gate)
        row = result[name]
        ax.set_title(f"{name}\n{row.events} events, {row.percent_of_parent:.1f}% of parent", fontsize=12)
        described.append(f"{name} ({y_channel} against {x_channel} within {step.parent or 'all events'}): "
                         f"{row.events} events, {row.percent_of_parent:.1f}% of parent, "
                         f"{row.percent_of_total:.1f}% of all")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    # Fixed spacing instead of tight_layout: one fewer full draw, which is most of the cost.
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.1 / rows, top=1 - 0.12 / rows, wspace=0.38, hspace=0.55)
    alt = (f"Gating of the synthetic sample {sample.title} as density plots, one per step. "
           + "; ".join(described) + ".")
    return fig, alt


def histogram_overlay(samples: Mapping[str, Sample], marker: str,
                      masks: Mapping[str, np.ndarray] | None = None, bins: int = 80) -> tuple[Any, str]:
    """Overlaid histograms of one marker (arcsinh scale), one line per labelled sample, and alt text.

    ``masks`` optionally restricts each sample to a gate (e.g. its NK cells).
    """
    fig, ax = figures.new_figure("wide")
    edges = np.linspace(*FLUORESCENCE_LIMITS, bins + 1)
    described = []
    colours = list(figures.PALETTE.values())
    for number, (label, sample) in enumerate(samples.items()):
        values = display_values(sample)[marker]
        if masks is not None and label in masks:
            values = values[masks[label]]
        counts, _ = np.histogram(values, bins=edges)
        share = counts / max(1, values.size) * 100
        _ = ax.stairs(share, edges, label=f"{label} (n={values.size})", color=colours[number % len(colours)],
                      linewidth=1.8)
        median = float(np.median(values)) if values.size else float("nan")
        described.append(f"{label}: {values.size} events, median {median:.1f}")
    ax.set_xlabel(axis_label(marker))
    ax.set_ylabel("% of events per bin")
    ax.set_xlim(FLUORESCENCE_LIMITS)
    ax.legend(loc="upper left")
    alt = f"Histograms of {marker} on an arcsinh scale, overlaid: " + "; ".join(described) + "."
    return fig, alt


def scatter_figure(sample: Sample, description: str = "") -> tuple[Any, str]:
    """Side against forward scatter of a whole sample (size against granularity), and alt text.

    Why a function: the chapter's first look at a sample is the same plot a cytometry program opens
    with, and the notebook should read as one call, not as axis plumbing. ``description`` adds what
    the author wants a reader without the image to know about the clouds.
    """
    fig, ax = figures.new_figure("square")
    shown = display_values(sample)
    _ = density_plot(ax, shown["FSC-A"], shown["SSC-A"], "FSC-A", "SSC-A")
    ax.set_title(f"{sample.title} (synthetic): size against granularity")
    alt = (f"Density plot of side scatter against forward scatter for the synthetic sample {sample.title}, "
           f"{len(sample)} events" + (f": {description}" if description else "."))
    return fig, alt


def scale_comparison(sample: Sample, marker: str, bins: int = 120) -> tuple[Any, str]:
    """One marker's histogram on the arcsinh scale (the sample's cofactor) beside the logicle scale.

    Why both: the two scales a student meets in cytometry programs answer the same problem (negative
    cells at and below zero after compensation) in the same way, linear near zero and logarithmic for
    bright cells; seeing one population on both shows that the choice changes the axis, not the cells.
    """
    values = sample.column(marker)
    fig, axes = figures.new_figure("wide", ncols=2)
    scales = ((f"{marker}, arcsinh (cofactor {sample.cofactor:g})", arcsinh(values, sample.cofactor), "blue"),
              (f"{marker}, logicle (FlowUtils)", logicle(values), "green"))
    peaks = []
    for ax, (label, shown, colour) in zip(axes, scales, strict=True):
        counts, edges = np.histogram(shown, bins=bins)
        _ = ax.stairs(counts, edges, fill=True, color=figures.PALETTE[colour])
        ax.set_xlabel(label)
        ax.set_ylabel("events")
        peaks.append(f"{label}: tallest bin at {float(edges[int(np.argmax(counts))]):.2f}")
    alt = (f"Two histograms of {marker} in the synthetic sample {sample.title} ({len(sample)} events), "
           "on an arcsinh scale and on a logicle scale; both show a tall peak of negative cells near zero "
           "and a smaller positive population to the right. " + "; ".join(peaks) + ".")
    return fig, alt


def share_table(results: Mapping[str, GatingResult], gates: list[str],
                of_parent: Mapping[str, str] | None = None) -> str:
    """A text table of each gate's share of all events, one column per sample, then, for each gate of
    ``of_parent`` (gate -> row label), its share of its parent gate: the numbers a differential is
    read from, side by side. Plain text, so a notebook's checked output records it exactly."""
    lines = ["% of all events".ljust(30) + "".join(name.rjust(10) for name in results)]
    lines += [gate.ljust(30) + "".join(f"{result[gate].percent_of_total:10.1f}" for result in results.values())
              for gate in gates]
    lines += [label.ljust(30) + "".join(f"{result[gate].percent_of_parent:10.1f}" for result in results.values())
              for gate, label in (of_parent or {}).items()]
    return "\n".join(lines)


def gate_overlay(samples: Mapping[str, tuple[Sample, GatingResult]], marker: str, gate: str) -> tuple[Any, str]:
    """:func:`histogram_overlay` of one gate's events in each sample (label -> sample and its gating):
    how one population differs between samples, e.g. CD56 of the NK cells of healthy blood and ANKL."""
    labelled = {f"{label} {gate}": sample for label, (sample, _) in samples.items()}
    masks = {f"{label} {gate}": result.masks[gate] for label, (_, result) in samples.items()}
    return histogram_overlay(labelled, marker, masks=masks)


#: The gates the NK-cell differential is read from (chapter 3), and the one read as a share of its parent:
#: KIR restriction shows as one KIR on most CD56dim NK cells (or on none).
DIFFERENTIAL_GATES = ["NK cells", "CD56bright NK", "CD56dim NK", "KIR2DL2/3+ CD56dim NK", "CD8+ CD57+ T cells"]
KIR_SHARE = {"KIR2DL2/3+ CD56dim NK": "KIR2DL2/3+, % of CD56dim NK"}


def differential_table(results: Mapping[str, GatingResult]) -> str:
    """:func:`share_table` of the differential's gates (ANKL, NK-LGLL, T-LGLL against healthy blood)."""
    return share_table(results, DIFFERENTIAL_GATES, of_parent=KIR_SHARE)
