"""Immunophenotyping: synthetic flow cytometry samples, FCS 3.1 files, transforms, gates and plots.

Diagnosis of aggressive NK-cell leukemia rests on finding a population of
abnormal NK cells and reading its markers. No public ANKL teaching data set
exists, so the course generates realistic synthetic samples from a declarative
description (``data/cytometry/*.toml``, with citations), writes them as real
FCS 3.1 files, and lets students gate them as a diagnostic lab does.

Public API (stable; other chapters and the graded exercises use it):

Samples
    ``sample_names()`` -> the names: ``healthy_pb``, ``ankl_pb``, ``ankl_bm``, ``clpd_nk_pb``, ``t_lgl_pb``.
    ``generate(name, n_events=50_000, seed=0)`` -> :class:`Sample` (float32 ``events``,
    ``markers``, ``detectors``, ground-truth ``truth`` and ``populations``, ``keywords``;
    ``column(name)``, ``truth_share(pops)``, ``abnormal_share()``, ``subset(mask)``).
    ``display_values(sample)`` -> channel -> values on the display scale (scatter linear,
    fluorescence arcsinh with the sample's cofactor); gates work on these.
Files
    ``write_fcs(sample, path)`` / ``read_fcs(path)``: FCS 3.1 via flowio, lossless;
    a missing, empty, truncated or non-FCS file raises ``CourseDataError`` naming it.
Transforms
    ``arcsinh(x, cofactor)``, ``arcsinh_inverse``; ``logicle(x, t, m, w, a)`` and
    ``logicle_inverse`` computed by the FlowUtils library.
Gates
    ``RectangleGate``, ``PolygonGate``, ``QuadrantGate`` (``mask(values)``);
    ``strategy(name="nk_screen")`` -> :class:`Strategy`; ``Strategy.apply(sample)`` ->
    :class:`GatingResult` (rows with events, % of parent, % of total; ``masks``; ``as_text()``).
Plots and practice (formative, ungraded: the graded exercises live in ``exercises/``)
    ``density_plot``, ``scatter_figure``, ``scale_comparison``, ``strategy_figure``,
    ``histogram_overlay``, ``gate_overlay`` (course palette, each returns a figure and its alt text),
    ``share_table``, ``differential_table`` (gate shares of several samples side by side, as text),
    ``gating_explorer`` (live sliders, counts update; ``gating_view`` is its render function),
    ``check_share(answer_percent, sample, ...)`` (formative answer check).
Drawing the gates yourself
    ``draw_gates(sample, path="nk")`` -> :class:`GateDrawing`: the student draws each gate
    of a path of ``drawing.toml`` on ipympl plots (matplotlib selectors) or types it into
    numeric fields; counts update, ``compare(step)`` gives a :class:`GateComparison` with
    the reference, ``check_share(answer, gate)`` checks a share read from the student's gates,
    ``save(path)`` / ``load(path)`` write and read the gates as a strategy file. Exports show
    the reference gates as a worked sequence of figures. :class:`GatingDraft` is the model.
"""

from .drawing import GateComparison, GatingDraft, compare_gates, load_drawing, load_drawn
from .drawing_widget import GateDrawing, draw_gates
from .fcs import read_fcs, write_fcs
from .gates import (
    GatingResult,
    PolygonGate,
    QuadrantGate,
    RectangleGate,
    Step,
    StepResult,
    Strategy,
    load_strategies,
    strategy,
)
from .plots import (
    density_plot,
    differential_table,
    gate_overlay,
    histogram_overlay,
    scale_comparison,
    scatter_figure,
    share_table,
    strategy_figure,
)
from .practice import ShareCheck, check_share, gating_explorer, gating_view
from .specs import load_panel, load_populations, load_samples
from .synthetic import SYNTHETIC_NOTE, Sample, display_values, generate, sample_names
from .transforms import arcsinh, arcsinh_inverse, logicle, logicle_inverse

__all__ = [
    "GateComparison", "GateDrawing", "GatingDraft", "compare_gates", "draw_gates", "load_drawing", "load_drawn",
    "ShareCheck", "check_share", "density_plot", "gating_explorer", "gating_view", "histogram_overlay",
    "differential_table", "gate_overlay", "scale_comparison", "scatter_figure", "share_table", "strategy_figure",
    "SYNTHETIC_NOTE",
    "GatingResult",
    "PolygonGate", "QuadrantGate", "RectangleGate", "Sample", "Step",
    "StepResult", "Strategy", "arcsinh", "arcsinh_inverse", "display_values", "generate", "load_panel",
    "load_populations", "load_samples", "load_strategies", "logicle", "logicle_inverse", "read_fcs",
    "sample_names", "strategy", "write_fcs",
]
