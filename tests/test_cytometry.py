"""Tests of the immunophenotyping module: generation, FCS files, transforms, gates, plots, practice."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ankl_course import cytometry
from ankl_course.cytometry import (
    PolygonGate,
    QuadrantGate,
    RectangleGate,
    Step,
    Strategy,
    generate,
    read_fcs,
    specs,
    write_fcs,
)
from ankl_course.errors import CourseDataError

N = 40_000


@pytest.fixture(scope="module")
def ankl() -> cytometry.Sample:
    return generate("ankl_pb", N, seed=11)


@pytest.fixture(scope="module")
def healthy() -> cytometry.Sample:
    return generate("healthy_pb", N, seed=11)


# -- generation ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["healthy_pb", "ankl_pb", "ankl_bm", "clpd_nk_pb", "t_lgl_pb"])
def test_population_shares_match_the_spec(name: str) -> None:
    sample = generate(name, N, seed=5)
    spec = specs.load_samples()[name]
    assert len(sample) == N and sample.events.shape == (N, len(sample.markers))
    assert sample.events.dtype == np.float32
    for population, share in spec.shares.items():
        observed = sample.truth_share(population)
        # multinomial standard error at N events, with a 4.5-sigma margin
        margin = 4.5 * math.sqrt(share * (1 - share) / N) + 1e-9
        assert abs(observed - share) <= margin, (population, observed, share)


def test_generation_is_reproducible_and_seed_dependent() -> None:
    first, again, other = generate("t_lgl_pb", 2000, seed=3), generate("t_lgl_pb", 2000, seed=3), \
        generate("t_lgl_pb", 2000, seed=4)
    assert np.array_equal(first.events, again.events) and np.array_equal(first.truth, again.truth)
    assert not np.array_equal(first.events, other.events)


def test_unknown_sample_and_bad_count() -> None:
    with pytest.raises(KeyError, match="ankl_pb"):
        generate("no_such_sample", 10)
    with pytest.raises(ValueError):
        generate("ankl_pb", -1)
    assert len(generate("ankl_pb", 0)) == 0


def test_ankl_cells_have_the_published_phenotype(ankl: cytometry.Sample, healthy: cytometry.Sample) -> None:
    """ANKL cells: CD56 brighter than normal CD56dim NK, surface CD3-negative, CD57-negative, CD2+, CD94+."""
    shown = cytometry.display_values(ankl)
    cells = ankl.truth == ankl.populations.index("ankl")
    normal = healthy.truth == healthy.populations.index("nk_dim")
    normal_shown = cytometry.display_values(healthy)
    assert np.median(shown["CD56"][cells]) > np.median(normal_shown["CD56"][normal]) + 2
    assert np.mean(shown["CD3"][cells] < 1.7) > 0.95
    assert np.mean(shown["CD57"][cells] < 1.7) > 0.95
    assert np.mean(shown["CD2"][cells] > 1.7) > 0.95
    assert np.mean(shown["CD94"][cells] > 1.7) > 0.95
    assert np.median(shown["CD16"][cells]) < np.median(normal_shown["CD16"][normal]) - 1.5
    assert ankl.abnormal_share() == pytest.approx(ankl.truth_share("ankl"))
    assert healthy.abnormal_share() == 0.0


def test_spec_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "samples.toml"
    bad.write_text('[sample.x]\nshares = { ankl = 0.5, debris = 0.4 }\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match=r"samples\.toml: sample\.x: shares add up to 0\.9"):
        specs.load_samples(bad)
    bad.write_text('[sample.x]\nshares = { nonsense = 1.0 }\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match="unknown population 'nonsense'"):
        specs.load_samples(bad)
    pops = tmp_path / "populations.toml"
    pops.write_text('[population.p]\nlabel = "p"\nscatter = "lymphocyte"\nmarkers = { CD999 = "pos" }\n',
                    encoding="utf-8")
    with pytest.raises(CourseDataError, match="not in the panel: CD999"):
        specs.load_populations(pops)
    pops.write_text('[population.p]\nlabel = "p"\nscatter = "lymphocyte"\nmarkers = { CD3 = "shiny" }\n',
                    encoding="utf-8")
    with pytest.raises(CourseDataError, match="'shiny' is not a level"):
        specs.load_populations(pops)


# -- FCS files -----------------------------------------------------------------


def test_fcs_round_trip_is_lossless(tmp_path: Path) -> None:
    sample = generate("clpd_nk_pb", 5000, seed=2)
    path = write_fcs(sample, tmp_path / "clpd.fcs")
    back = read_fcs(path)
    assert back.events.dtype == np.float32
    assert np.array_equal(back.events, sample.events)
    assert back.markers == sample.markers and back.detectors == sample.detectors
    assert back.name == "clpd_nk_pb" and back.truth is None
    assert "SYNTHETIC" in back.keywords["ANKL_SYNTHETIC"]
    assert back.keywords["ANKL_SEED"] == "2"
    assert path.read_bytes()[:6] == b"FCS3.1"
    assert not list(tmp_path.glob("*.part"))


def test_fcs_opens_identically_in_fcsparser(tmp_path: Path) -> None:
    """An independent reader sees the same channels, names, keywords and event matrix."""
    import fcsparser

    sample = generate("ankl_pb", 3000, seed=9)
    path = write_fcs(sample, tmp_path / "ankl.fcs")
    meta, frame = fcsparser.parse(str(path), reformat_meta=True, channel_naming="$PnN")
    assert list(frame.columns) == list(sample.detectors)
    assert np.array_equal(frame.to_numpy(dtype=np.float32), sample.events)
    assert meta["ANKL_SAMPLE"] == "ankl_pb" and "SYNTHETIC" in meta["ANKL_SYNTHETIC"]
    assert list(meta["_channels_"]["$PnS"]) == list(sample.markers)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 this is a zip file, not cytometry" * 4, "does not start with 'FCS'"),
        (b"FCS3.1    ", "truncated"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.fcs"
    path.write_bytes(content)
    with pytest.raises(CourseDataError, match=message) as info:
        read_fcs(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("keep", [-5000, 58, 400])
def test_truncated_files_are_reported(tmp_path: Path, keep: int) -> None:
    """Cut in the DATA segment, right after the header, and inside the TEXT segment."""
    path = write_fcs(generate("healthy_pb", 2000, seed=1), tmp_path / "whole.fcs")
    cut = tmp_path / "cut.fcs"
    cut.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(CourseDataError, match="truncated") as info:
        read_fcs(cut)
    assert str(info.value).startswith(str(cut))


def test_garbage_after_an_fcs_signature(tmp_path: Path) -> None:
    path = tmp_path / "garbage.fcs"
    path.write_bytes(b"FCS3.1    " + bytes(range(256)) * 2)
    with pytest.raises(CourseDataError, match="not a readable FCS file") as info:
        read_fcs(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CourseDataError, match="file not found"):
        read_fcs(tmp_path / "nope.fcs")


# -- transforms ----------------------------------------------------------------


def test_arcsinh_round_trip_and_shape() -> None:
    values = np.array([-500.0, -1.0, 0.0, 150.0, 1e5])
    assert np.allclose(cytometry.arcsinh_inverse(cytometry.arcsinh(values, 150), 150), values)
    assert cytometry.arcsinh([150.0 * math.sinh(2.0)], 150)[0] == pytest.approx(2.0)
    with pytest.raises(ValueError):
        cytometry.arcsinh([1.0], cofactor=0)


def test_logicle_comes_from_flowutils_and_inverts() -> None:
    values = np.array([-100.0, 0.0, 10.0, 1000.0, 100000.0])
    shown = cytometry.logicle(values)
    assert np.all(np.diff(shown) > 0) and shown.min() >= 0 and shown.max() <= 1
    assert shown[1] == pytest.approx(0.5 / 4.5)  # zero sits at W/M of the display with a = 0
    assert np.allclose(cytometry.logicle_inverse(shown), values, rtol=1e-6, atol=1e-6)


# -- gates ---------------------------------------------------------------------

POINTS = {
    "a": np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 2.5]),
    "b": np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 4.5, 0.5]),
}


def test_rectangle_gate_hand_counted() -> None:
    gate = RectangleGate("r", "a", "b", x_min=1, x_max=3, y_min=1, y_max=3)
    # inside (edges included): (1,1) (2,2) (3,3); (2,4.5) fails y; (2.5,0.5) fails y
    assert gate.mask(POINTS).tolist() == [False, True, True, True, False, False, False, False]
    assert int(RectangleGate("open", "a", x_min=4).mask(POINTS).sum()) == 2


def test_polygon_gate_hand_counted() -> None:
    triangle = PolygonGate("t", "a", "b", ((0.5, 0.0), (4.5, 0.0), (4.5, 4.0)))
    # below the line b = a - 0.5 within the triangle: (1,1)? no (1 > 0.5); (2.5,0.5) yes; (2,2)? no
    assert triangle.mask(POINTS).tolist() == [False, False, False, False, False, False, False, True]
    square = PolygonGate("s", "a", "b", ((1.5, 1.5), (4.2, 1.5), (4.2, 4.8), (1.5, 4.8)))
    assert square.mask(POINTS).tolist() == [False, False, True, True, True, False, True, False]
    with pytest.raises(ValueError):
        PolygonGate("line", "a", "b", ((0, 0), (1, 1)))


def test_quadrant_gate_hand_counted() -> None:
    gate = QuadrantGate("q", "a", "b", x_split=2.0, y_split=2.0, quadrant="+-")
    # on a split line counts as positive: ++ is (2,2) (3,3) (4,4) (5,5) (2,4.5); +- is (2.5,0.5)
    assert gate.counts(POINTS) == {"++": 5, "+-": 1, "-+": 0, "--": 2}
    assert gate.mask(POINTS).tolist() == [False, False, False, False, False, False, False, True]
    assert sum(QuadrantGate("q", "a", "b", 2.0, 2.0, q).mask(POINTS).sum() for q in ("++", "+-", "-+", "--")) == 8
    with pytest.raises(ValueError):
        QuadrantGate("q", "a", "b", 0, 0, "+")


def test_strategy_reports_parent_and_total_percentages() -> None:
    data = {"a": POINTS["a"], "b": POINTS["b"]}
    sample = cytometry.Sample("toy", "toy", ("a", "b"), ("a", "b"), np.column_stack([data["a"], data["b"]]))
    strategy = Strategy("toy", "toy", (
        Step(RectangleGate("big a", "a", x_min=2)),
        Step(QuadrantGate("high b", "a", "b", 0, 3, "++"), parent="big a"),
    ))
    result = strategy.apply(sample, data=data)
    assert (result["big a"].events, result["big a"].percent_of_total) == (6, 75.0)
    assert result["high b"].events == 4 and result["high b"].percent_of_parent == pytest.approx(400 / 6)
    assert result["high b"].percent_of_total == pytest.approx(50.0)
    with pytest.raises(ValueError, match="must come earlier"):
        Strategy("bad", "bad", (Step(RectangleGate("x", "a"), parent="y"),))


def test_nk_screen_finds_the_abnormal_population(ankl: cytometry.Sample, healthy: cytometry.Sample) -> None:
    strategy = cytometry.strategy("nk_screen")
    sick, normal = strategy.apply(ankl), strategy.apply(healthy)
    assert sick["CD56bright NK"].percent_of_total == pytest.approx(100 * ankl.truth_share("ankl"), abs=3)
    assert normal["CD56bright NK"].percent_of_total < 1.0
    assert 8 < normal["NK cells"].percent_of_parent <= 100
    gated = sick.masks["CD56bright NK"]
    purity = np.mean(ankl.truth[gated] == ankl.populations.index("ankl"))
    assert purity > 0.98
    assert "CD56bright NK" in sick.as_text()


def test_strategy_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "strategies.toml"
    path.write_text('[strategy.s]\n[[strategy.s.gate]]\nname = "g"\ntype = "circle"\nx = "CD3"\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match="strategies.toml: strategy.s gate #1: gate type"):
        cytometry.load_strategies(path)
    path.write_text('[strategy.s]\n[[strategy.s.gate]]\nname = "g"\ntype = "polygon"\nx = "CD3"\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match="gate 'g' lacks 'vertices'"):
        cytometry.load_strategies(path)


# -- plots and practice ----------------------------------------------------------


def test_gating_view_redraw_reports_live_counts(ankl: cytometry.Sample) -> None:
    render = cytometry.gating_view(ankl)
    data = cytometry.display_values(ankl)
    parent = cytometry.strategy().apply(ankl, data=data).masks["CD3- CD19-"]
    for x_split, y_split in ((1.7, 4.6), (3.0, 2.0)):
        shown = render(x_split, y_split)
        expected = QuadrantGate("q", "CD16", "CD56", x_split, y_split).counts(
            {"CD16": data["CD16"][parent], "CD56": data["CD56"][parent]})
        assert f"{expected['++']} events" in shown.alt and f"lower left {expected['--']}" in shown.alt
        assert shown.png[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(1.7, 4.6).alt != render(1.7, 2.0).alt


def test_gating_explorer_has_sliders_and_a_static_snapshot(ankl: cytometry.Sample) -> None:
    explorer = cytometry.gating_explorer(ankl)
    assert set(explorer.controls) == {"x_split", "y_split"}
    snapshot = explorer.snapshot_html()
    assert "<img alt=" in snapshot and "Interactive in JupyterLab" in snapshot


def test_moving_a_slider_redraws_with_new_counts(ankl: cytometry.Sample) -> None:
    explorer = cytometry.gating_explorer(ankl)
    original, shown = explorer.render, []
    explorer.render = lambda **values: shown.append(original(**values)) or shown[-1]
    explorer.widget()
    explorer.controls["y_split"].value = 3.0
    assert len(shown) == 2 and "CD56 3.00" in shown[-1].alt and "CD56 4.60" in shown[0].alt
    assert shown[0].alt != shown[-1].alt


def test_plots_carry_alt_text_with_the_numbers(ankl: cytometry.Sample, healthy: cytometry.Sample) -> None:
    import matplotlib.pyplot as plt

    strategy = cytometry.strategy()
    result = strategy.apply(ankl)
    fig, alt = cytometry.strategy_figure(ankl, strategy, gates=["NK cells", "CD56bright NK"], result=result)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2
    assert f"{result['CD56bright NK'].events} events" in alt and "synthetic" in alt
    plt.close(fig)
    fig, alt = cytometry.histogram_overlay({"healthy": healthy, "ANKL": ankl}, "CD56")
    assert "healthy: 40000 events" in alt and "ANKL: 40000 events" in alt
    plt.close(fig)


@pytest.mark.parametrize(
    ("answer", "correct", "words"),
    [(None, False, "Enter a number"), ("abc", False, "Enter a number"), (0.3, False, "fraction"),
     (10, False, "Too low"), (60, False, "Too high")],
)
def test_check_share_feedback(ankl: cytometry.Sample, answer: object, correct: bool, words: str) -> None:
    verdict = cytometry.check_share(answer, ankl)
    assert verdict.correct is correct and words in verdict.feedback


def test_check_share_accepts_a_good_gate(ankl: cytometry.Sample) -> None:
    gated = cytometry.strategy().apply(ankl)["CD56bright NK"].percent_of_total
    assert cytometry.check_share(round(gated, 1), ankl).correct
    assert cytometry.check_share(100 * ankl.truth_share("ankl"), ankl).correct


# -- command line --------------------------------------------------------------


def test_fcs_command_writes_and_gates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ankl_course.cli import main

    out = tmp_path / "t_lgl.fcs"
    assert main(["fcs", "write", "t_lgl_pb", str(out), "--events", "3000", "--seed", "4"]) == 0
    assert np.array_equal(read_fcs(out).events, generate("t_lgl_pb", 3000, seed=4).events)
    assert main(["fcs", "gate", str(out)]) == 0
    printed = capsys.readouterr().out
    expected = cytometry.strategy().apply(generate("t_lgl_pb", 3000, seed=4))["CD8+ CD57+ T cells"].events
    row = next(line for line in printed.splitlines() if line.startswith("CD8+ CD57+ T cells"))
    assert int(row.split()[-3]) == expected
    assert main(["fcs", "list"]) == 0 and "ankl_pb" in capsys.readouterr().out


def test_fcs_command_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ankl_course.cli import main

    assert main(["fcs", "write", "no_such", str(tmp_path / "x.fcs")]) == 1
    assert "no such sample" in capsys.readouterr().err
    foreign = cytometry.Sample("other", "other", ("FSC-A", "CD4"), ("FSC-A", "FITC-A"),
                               np.zeros((10, 2), dtype=np.float32))
    path = write_fcs(foreign, tmp_path / "foreign.fcs")
    assert main(["fcs", "gate", str(path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "cannot apply nk_screen" in err and "Traceback" not in err


def test_marrow_sample_gates_like_blood() -> None:
    """In marrow the CD45-negative erythroid and CD45-dim myeloid precursors stay out of the lymphoid gate."""
    marrow = generate("ankl_bm", N, seed=6)
    result = cytometry.strategy().apply(marrow)
    lymphoid = result.masks["lymphoid cells"]
    for precursor in ("erythroid_precursors", "myeloid_precursors"):
        code = marrow.populations.index(precursor)
        assert np.mean(lymphoid[marrow.truth == code]) < 0.01
    assert cytometry.check_share(result["CD56bright NK"].percent_of_total, marrow).correct


def test_chapter_figures_come_from_the_library(healthy: cytometry.Sample, ankl: cytometry.Sample) -> None:
    """The chapter's figure cells are one call each; what the figures show is computed here."""
    fig, alt = cytometry.scatter_figure(healthy, description="four clouds.")
    assert fig.axes[0].get_xlabel().startswith("FSC") and fig.axes[0].get_ylabel().startswith("SSC")
    assert f"{len(healthy)} events: four clouds." in alt
    fig, alt = cytometry.scale_comparison(healthy, "CD56")
    left, right = fig.axes
    assert "arcsinh (cofactor 150)" in left.get_xlabel() and "logicle" in right.get_xlabel()
    # Both histograms count every event once.
    for ax in (left, right):
        assert sum(ax.patches[0].get_data().values) == len(healthy)
    assert "tallest bin" in alt
    strategy = cytometry.strategy("nk_screen")
    gated = {"healthy": (healthy, strategy.apply(healthy)), "ANKL sample": (ankl, strategy.apply(ankl))}
    fig, alt = cytometry.gate_overlay(gated, "CD56", gate="NK cells")
    nk_counts = [int(gated[name][1]["NK cells"].events) for name in gated]
    assert [f"{name} NK cells (n={n})" for name, n in zip(gated, nk_counts, strict=True)] == [
        t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_share_table_lines_up_the_samples(healthy: cytometry.Sample, ankl: cytometry.Sample) -> None:
    strategy = cytometry.strategy("nk_screen")
    results = {"healthy": strategy.apply(healthy), "ANKL": strategy.apply(ankl)}
    text = cytometry.share_table(results, ["NK cells"], of_parent={"CD56bright NK": "CD56bright, % of NK"})
    header, nk, bright = text.splitlines()
    assert header.split() == ["%", "of", "all", "events", "healthy", "ANKL"]
    assert nk.split()[-2:] == [f"{r['NK cells'].percent_of_total:.1f}" for r in results.values()]
    assert bright.startswith("CD56bright, % of NK")
    assert bright.split()[-2:] == [f"{r['CD56bright NK'].percent_of_parent:.1f}" for r in results.values()]


def test_differential_table_reads_the_differential_gates(healthy: cytometry.Sample) -> None:
    results = {"healthy": cytometry.strategy("nk_screen").apply(healthy)}
    labels = [line[:30].strip() for line in cytometry.differential_table(results).splitlines()]
    assert labels == ["% of all events", "NK cells", "CD56bright NK", "CD56dim NK", "KIR2DL2/3+ CD56dim NK",
                      "CD8+ CD57+ T cells", "KIR2DL2/3+, % of CD56dim NK"]
