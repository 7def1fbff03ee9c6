"""Drawing the gates yourself: comparison with the reference on hand-counted events, the placement
tolerance on real synthetic samples, the exercise check, strategy files, and the widget's export view."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ankl_course import cytometry
from ankl_course.cytometry import RectangleGate, Sample, Step, Strategy, specs
from ankl_course.cytometry.drawing import (
    DrawingSpec,
    GatingDraft,
    Mistake,
    Readout,
    compare_gates,
    load_drawing,
    load_drawn,
)
from ankl_course.cytometry.drawing_widget import GateDrawing, panel_point, released_at_pointer
from ankl_course.errors import CourseDataError

# -- hand-counted events ----------------------------------------------------------------

POPULATIONS = ("nk_dim", "t_cd8", "ankl", "monocytes", "neutrophils", "debris")
# CD45, SSC-A, CD3, population: eight events whose gates can be counted on paper.
EVENTS = [
    (5.0, 10000, 0.0, "nk_dim"),      # 1: reference lymphoid; CD3-
    (5.0, 12000, 3.0, "t_cd8"),       # 2: reference lymphoid; CD3+
    (5.0, 20000, 0.0, "nk_dim"),      # 3: reference lymphoid; CD3-
    (5.0, 25000, 0.0, "ankl"),        # 4: reference lymphoid; CD3-
    (4.5, 40000, 0.0, "monocytes"),   # 5: SSC above the reference gate
    (4.5, 45000, 0.0, "monocytes"),   # 6: SSC above the reference gate
    (3.0, 100000, 0.0, "neutrophils"),  # 7: CD45 too dim
    (1.0, 5000, 0.0, "debris"),       # 8: CD45 negative
]


def hand_sample() -> Sample:
    """Eight events placed by hand on the display scale (fluorescence stored as cofactor * sinh)."""
    panel = specs.load_panel()
    events = np.zeros((len(EVENTS), len(panel.markers)), dtype=np.float32)
    for row, (cd45, ssc, cd3, _) in enumerate(EVENTS):
        events[row, panel.markers.index("CD45")] = 150 * np.sinh(cd45)
        events[row, panel.markers.index("SSC-A")] = ssc
        events[row, panel.markers.index("CD3")] = 150 * np.sinh(cd3)
    truth = np.array([POPULATIONS.index(p) for *_, p in EVENTS], dtype=np.int16)
    return Sample("hand", "hand-placed events", panel.markers, panel.detectors, events, truth, POPULATIONS)


TOY = Strategy("toy", "toy", (
    Step(RectangleGate("lymphoid", "CD45", "SSC-A", x_min=4.0, y_max=30000)),
    Step(RectangleGate("CD3-", "CD3", "CD19", x_max=1.7), parent="lymphoid"),
))
TOY_SPEC = DrawingSpec(
    paths={},
    readouts=(Readout("toy", "CD3-", "", 5.0, "CD3- cells as a share of all events"),),
    mistakes=(Mistake("lymphoid", "monocytes", "extra", 0.5, "adan2016", "monocytes taken in"),
              Mistake("lymphoid", "nk_dim", "missing", 0.25, "cooper2001", "NK cells left out"),
              Mistake("lymphoid", "neutrophils", "extra", 0.25, "adan2016", "neutrophils taken in")),
    help={},
)


def test_comparison_counts_match_a_hand_count() -> None:
    """Mine: CD45 4-8, SSC 15,000-50,000 keeps events 3, 4, 5, 6; the reference keeps 1, 2, 3, 4."""
    mine = RectangleGate("lymphoid", "CD45", "SSC-A", 4.0, 8.0, 15000, 50000)
    result = compare_gates(hand_sample(), TOY, {"lymphoid": mine}, TOY_SPEC)
    assert (result.both, result.only_mine, result.only_reference) == (2, 2, 2)
    # next step CD3-: reference 3 of 4 (events 1, 3, 4); with mine 4 of 4 (3, 4, 5, 6)
    assert result.next_steps == (("CD3-", 75.0, 100.0),)
    (readout,) = result.readouts
    assert (readout.reference, readout.mine) == (37.5, 50.0)  # 3 of 8, 4 of 8 events
    assert not result.passed and "changes the conclusion" in result.verdict
    # two monocytes taken in (2 >= 0.5 * 4), one NK cell left out (1 >= 0.25 * 4), no neutrophil taken in
    assert [text for text, _ in result.explanations] == ["monocytes taken in", "NK cells left out"]
    assert "only in yours 2" in result.as_text() and 'data-passed="false"' in result._repr_html_()


def test_a_gate_that_differs_without_moving_the_readout_passes() -> None:
    """Mine adds only event 8 (debris, CD3-negative... but CD45 1 fails the reference): readout 4 of 8 vs 3 of 8
    is 12.5 points, so a wider tolerance passes it and the comparison still counts the extra event."""
    mine = RectangleGate("lymphoid", "CD45", "SSC-A", 0.5, 8.0, 0, 30000)
    spec = DrawingSpec({}, (Readout("toy", "CD3-", "", 13.0, "CD3- share"),), (), {})
    result = compare_gates(hand_sample(), TOY, {"lymphoid": mine}, spec)
    assert (result.both, result.only_mine, result.only_reference) == (4, 1, 0)
    assert result.passed and result.explanations == ()


# -- the real strategy on synthetic samples ------------------------------------------------


@pytest.fixture(scope="module")
def ankl() -> Sample:
    return cytometry.generate("ankl_pb", 30_000, seed=3)


def draw_reference(draft: GatingDraft) -> None:
    for step in draft.steps:
        if step.tool == "split":
            gate = draft.reference.gate(step.gates[0])
            assert isinstance(gate, RectangleGate)
            draft.set_split(step.name, gate.y_min)
        else:
            draft.set_gates({step.gates[0]: draft.reference.gate(step.gates[0])})


def test_undrawn_gates_let_the_parent_through_and_drawing_the_reference_gives_its_report(ankl: Sample) -> None:
    draft = GatingDraft(ankl)
    assert draft.row("cells").events == len(ankl) and not draft.compare("cells").passed
    draw_reference(draft)
    reference = cytometry.strategy().apply(ankl)
    assert draft.result().as_text() == reference.as_text()
    assert all(draft.compare(index).passed for index in range(len(draft.steps)))


def test_sloppy_but_sensible_gates_pass_and_the_bad_lymphoid_gate_is_flagged(ankl: Sample) -> None:
    draft = GatingDraft(ankl)
    draw_reference(draft)
    # a little wide or tight, as students draw: passes
    for box in [(4.3, 7.5, 0, 42000), (4.7, 7.2, 2000, 35000)]:
        draft.set_rectangle("lymphoid cells", *box)
        assert draft.compare("lymphoid cells").passed, draft.compare("lymphoid cells").as_text()
    draft.set_quadrant("CD3- CD19-", 2.0, 2.0)
    draft.set_split("CD56bright NK", 4.3)
    assert draft.compare("CD3- CD19-").passed and draft.compare("CD56bright NK").passed
    # monocytes and neutrophils in the lymphoid gate: the NK share of lymphoid cells moves, flagged and explained
    draft.set_rectangle("lymphoid cells", 3.0, 7.5, 0, 150000)
    bad = draft.compare("lymphoid cells")
    assert not bad.passed and bad.only_mine > 5000
    assert any("monocytes" in text for text, _ in bad.explanations)
    # a lymphoid gate tight around small lymphocytes loses the large ANKL cells
    draft.set_rectangle("lymphoid cells", 4.5, 7.5, 0, 20000)
    tight = draft.compare("lymphoid cells")
    assert not tight.passed and any("ANKL cells are larger" in text for text, _ in tight.explanations)
    # an NK gate on CD56 only drops CD16+ CD56dim NK cells
    draft.set_rectangle("lymphoid cells", 4.5, 7.5, 0, 38000)
    draft.set_polygon("NK cells", [(-1.5, 4.0), (7.5, 4.0), (7.5, 7.5), (-1.5, 7.5)])
    assert any("CD56dim CD16+" in text for text, _ in draft.compare("NK cells").explanations)


def test_changing_a_gate_updates_only_what_lies_below(ankl: Sample) -> None:
    draft = GatingDraft(ankl)
    draw_reference(draft)
    before = draft.image(0).copy()
    changed = draft.set_rectangle("lymphoid cells", 4.0, 7.5, 0, 60000)
    assert changed == [2, 3, 4]
    assert np.array_equal(draft.image(0), before)
    parent = draft.parent_mask(draft.steps[2])
    assert draft.image(2).size == 96 * 96 and int(np.expm1(draft.image(2)).round().sum()) <= int(parent.sum())


def test_check_share_uses_the_reference_and_the_placement_tolerance(ankl: Sample) -> None:
    tool = GateDrawing(ankl)
    reference = cytometry.strategy().apply(ankl)["CD56bright NK"].percent_of_total
    assert "Draw your gates first" in tool.check_share(reference + 5, "CD56bright NK").feedback
    draw_reference(tool.draft)
    assert tool.check_share(reference + 1.5, "CD56bright NK").correct  # within the 3.5-point tolerance
    wrong = tool.check_share(reference + 5, "CD56bright NK")
    assert not wrong.correct and "Your gates give another number" in wrong.feedback
    assert f"{reference:.1f}" not in wrong.feedback and f"{reference:.1f}" not in repr(wrong)
    tool.draft.set_split("CD56bright NK", 5.6)  # cuts the abnormal population in two
    own = tool.draft.row("CD56bright NK").percent_of_total
    assert "differ from the reference" in tool.check_share(own, "CD56bright NK").feedback
    assert not tool.check_share(None, "CD56bright NK").correct


# -- files ---------------------------------------------------------------------------------


def test_a_drawn_strategy_saves_and_loads(ankl: Sample, tmp_path: Path) -> None:
    draft = GatingDraft(ankl)
    draft.set_polygon("cells", [(30000, 0), (250000, 0), (250000, 250000), (45000, 250000)])
    draft.set_rectangle("lymphoid cells", 4.4, 7.5, 0, 39000)
    draft.set_quadrant("CD3- CD19-", 1.8, 1.6)
    saved = draft.save(tmp_path / "mine.toml")
    text = saved.read_text(encoding="utf-8")
    assert "[strategy.drawn_nk_screen]" in text and 'type = "polygon"' in text
    assert set(cytometry.load_strategies(saved)) == {"drawn_nk_screen"}  # the course's own format
    again = GatingDraft(ankl)
    again.load(saved)
    assert again.drawn == {"cells", "lymphoid cells", "CD3- CD19-"}
    assert again.gates == draft.gates
    assert again.result().as_text() == draft.result().as_text()


def _saved(ankl: Sample, tmp_path: Path) -> str:
    draft = GatingDraft(ankl)
    draw_reference(draft)
    return draft.save(tmp_path / "good.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("edit", "place", "problem"), [
    (lambda t: t.replace("vertices = [", "vertices = [[1.0], ", 1), "strategy.drawn_nk_screen gate #1",
     "vertices must be a list of [x, y] pairs"),
    (lambda t: t.replace("x_min = 4.5", "x_min = nan", 1), "strategy.drawn_nk_screen gate #2",
     "x_min must be a finite number"),
    (lambda t: t.replace('x = "CD45"', 'x = "CD46"', 1), "strategy.drawn_nk_screen gate #2",
     "must be drawn on CD45 against SSC-A"),
    (lambda t: t.replace('parent = "lymphoid cells"', 'parent = "cells"', 1), "strategy.drawn_nk_screen gate #3",
     "must sit in 'lymphoid cells'"),
    (lambda t: t.replace('name = "NK cells"', 'name = "my NK"', 1), "strategy.drawn_nk_screen",
     "parent 'NK cells' must come earlier"),
    (lambda t: t.replace('type = "quadrant"', 'type = "circle"', 1), "strategy.drawn_nk_screen gate #3",
     "gate type must be rectangle, polygon or quadrant"),
    (lambda t: t + '\n[strategy.other]\ntitle = "x"\n', "strategy", "expected one [strategy.NAME] table, found 2"),
    (lambda t: t.replace("[strategy.drawn_nk_screen]", "[strategy.drawn_nk_screen", 1), "", "not valid TOML"),
    (lambda t: t.replace('drawn = [', 'drawn = ["no such gate", ', 1), "strategy.drawn_nk_screen.drawn",
     "must list gate names"),
])
def test_a_malformed_strategy_file_is_rejected_with_file_place_and_problem(ankl: Sample, tmp_path: Path,
                                                                           edit: object, place: str,
                                                                           problem: str) -> None:
    text = _saved(ankl, tmp_path)
    bad = tmp_path / "bad.toml"
    changed = edit(text)  # type: ignore[operator]
    assert changed != text
    bad.write_text(changed, encoding="utf-8")
    with pytest.raises(CourseDataError) as caught:
        load_drawn(bad, cytometry.strategy())
    error = caught.value
    assert error.path == str(bad) and problem in error.message, str(error)
    assert error.location.startswith(place) if place else error.location == ""
    assert str(bad) in str(error)


def test_drawing_toml_is_valid_and_a_broken_one_names_the_place(tmp_path: Path) -> None:
    spec = load_drawing()
    assert [s.tool for s in spec.paths["nk"].steps] == ["polygon", "rectangle", "quadrant", "polygon", "split"]
    bad = tmp_path / "drawing.toml"
    bad.write_text('[path.x]\nstrategy = "nk_screen"\nsteps = [["cells"], ["no such gate"]]\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match=r"path\.x step #2: no gate 'no such gate'"):
        load_drawing(bad)


# -- the widget's export view and geometry --------------------------------------------------------


def test_exports_show_the_worked_sequence_and_say_drawing_needs_jupyterlab(ankl: Sample,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANKL_COURSE_EXPORT", "1")
    tool = GateDrawing(ankl)
    bundle = tool._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}  # no widget while exporting
    page = bundle["text/html"]
    assert "Drawing the gates needs JupyterLab" in page
    assert page.count("<img alt=") == len(tool.draft.steps)
    assert "Step 2: lymphoid cells" in page and "reference gate" in page


def test_panel_point_maps_the_plot_corners() -> None:
    left, top = panel_point(5, 0, "FSC-A", "SSC-A", 0.0, 262144.0)
    right, bottom = panel_point(5, 0, "FSC-A", "SSC-A", 262144.0, 0.0)
    assert 0 < left < right < 0.4 and 0 < top < bottom < 0.55
    second_left, _ = panel_point(5, 1, "CD45", "SSC-A", -1.5, 0.0)
    assert second_left > right


def test_a_teacher_gates_a_file_with_a_students_saved_gates(ankl: Sample, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from ankl_course.cli import main

    draft = GatingDraft(ankl)
    draw_reference(draft)
    draft.set_split("CD56bright NK", 5.0)
    saved = draft.save(tmp_path / "student.toml")
    fcs = cytometry.write_fcs(ankl, tmp_path / "ankl.fcs")
    assert main(["fcs", "gate", str(fcs), "--strategies", str(saved)]) == 0
    printed = capsys.readouterr().out
    assert "strategy drawn_nk_screen" in printed
    row = next(line for line in printed.splitlines() if line.startswith("CD56bright NK"))
    assert int(row.split()[-3]) == draft.row("CD56bright NK").events
    assert main(["fcs", "gate", str(fcs), "--strategies", str(saved), "--strategy", "nk_screen"]) == 1
    assert str(saved) in capsys.readouterr().err


def test_careful_gates_anywhere_in_the_gaps_pass_and_answer_within_the_tolerance(ankl: Sample) -> None:
    """Simulated careful students: every boundary anywhere in the gap between two clouds. Each gate passes its
    comparison, and the share read from all their gates together is within the exercise's tolerance."""
    rng = np.random.default_rng(17)
    tool = GateDrawing(ankl)
    draft = tool.draft
    reference = draft.reference_result["CD56bright NK"].percent_of_total
    for _ in range(12):
        fsc, corner = rng.uniform(28000, 40000), rng.uniform(1.3, 2.3)
        draft.set_polygon("cells", [(fsc, 0), (250000, 0), (250000, 250000), (fsc + 8000, 250000)])
        draft.set_rectangle("lymphoid cells", rng.uniform(4.3, 4.7), 7.5, 0, rng.uniform(34000, 45000))
        draft.set_quadrant("CD3- CD19-", rng.uniform(1.3, 2.3), rng.uniform(1.3, 2.3))
        draft.set_polygon("NK cells", [(-1.5, corner), (corner, corner), (corner, -1.5), (7.5, -1.5), (7.5, 7.5),
                                       (-1.5, 7.5)])
        draft.set_split("CD56bright NK", rng.uniform(4.0, 4.8))
        for step in draft.steps:
            assert draft.compare(step.name).passed, draft.compare(step.name).as_text()
        own = draft.row("CD56bright NK").percent_of_total
        assert tool.check_share(round(own, 1), "CD56bright NK").correct, (own, reference)


@pytest.mark.parametrize("selector_class", ["matplotlib", "course"])
def test_a_dragged_rectangle_ends_where_the_button_is_released(selector_class: str) -> None:
    """ipympl throttles mouse moves, so the kernel may see a drag's release without its last move: the
    course's selector still ends the rectangle at the release point; matplotlib's own stops at the last move."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.testing.widgets import MouseEvent
    from matplotlib.widgets import RectangleSelector

    figure = Figure()
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    selected: list[tuple[float, float, float, float]] = []
    cls = RectangleSelector if selector_class == "matplotlib" else released_at_pointer("rectangle")
    selector = cls(ax, lambda press, release: selected.append((press.xdata, release.xdata, press.ydata,
                                                               release.ydata)), interactive=True)
    MouseEvent._from_ax_coords("button_press_event", ax, (1, 1), 1)._process()
    MouseEvent._from_ax_coords("motion_notify_event", ax, (2, 3), 1)._process()  # the last move that got through
    MouseEvent._from_ax_coords("button_release_event", ax, (6, 8), 1)._process()
    expected = (2, 3) if selector_class == "matplotlib" else (6, 8)
    assert selected == [pytest.approx((1, expected[0], 1, expected[1]))]
    assert selector.extents == pytest.approx((1, expected[0], 1, expected[1]))  # the shape the student sees


@pytest.mark.parametrize("selector_class", ["matplotlib", "course"])
def test_a_click_on_the_first_corner_closes_the_polygon_without_the_last_move(selector_class: str) -> None:
    """The move onto the first corner may reach the kernel after the click (ipympl's throttle): the
    course's selector still closes the polygon there; matplotlib's adds a corner instead."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.testing.widgets import MouseEvent
    from matplotlib.widgets import PolygonSelector

    figure = Figure()
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    selected: list[list[tuple[float, float]]] = []
    cls = PolygonSelector if selector_class == "matplotlib" else released_at_pointer("polygon")
    selector = cls(ax, lambda verts: selected.append(list(verts)), grab_range=8)
    corners = [(2, 2), (8, 2), (8, 8)]
    for x, y in corners:
        for kind in ("motion_notify_event", "button_press_event", "button_release_event"):
            MouseEvent._from_ax_coords(kind, ax, (x, y), 1)._process()
    for kind in ("button_press_event", "button_release_event"):  # the first corner, its move not yet seen
        MouseEvent._from_ax_coords(kind, ax, corners[0], 1)._process()
    if selector_class == "matplotlib":
        assert selected == [] and len(selector.verts) == 4, "matplotlib adds a fourth corner"
    else:
        assert selected == [[pytest.approx(corner) for corner in corners]]
