"""The missing-self teaching model: hand-worked signal sums, the verdicts it must teach, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankl_course.errors import CourseDataError
from ankl_course.nkcells import Target, decide, describe, load_model, receptor_table_html, show_decision

# Shipped teaching values (data/nk_receptors.toml): KIR 0.5 and CD94/NKG2A 0.3 read HLA class I;
# NKG2D 0.6 and NCR 0.4 read stress ligands; CD16 0.8 reads antibody; baseline 0.3; threshold 0.2.


def test_healthy_cell_is_spared_by_hand_worked_sums() -> None:
    decision = decide(Target(mhc_class_i=1.0, stress_ligands=0.0))
    assert decision.inhibitory == pytest.approx(0.5 + 0.3)
    assert decision.activating == pytest.approx(0.3)
    assert decision.net == pytest.approx(-0.5)
    assert not decision.kill
    assert decision.reason().startswith("Spared")


def test_missing_self_kills_a_cell_without_hla_class_i() -> None:
    decision = decide(Target(mhc_class_i=0.0, stress_ligands=0.0))
    assert decision.inhibitory == 0.0
    assert decision.net == pytest.approx(0.3)
    assert decision.kill
    assert "missing self" in decision.reason()


def test_induced_self_overrides_normal_hla_class_i() -> None:
    decision = decide(Target(mhc_class_i=1.0, stress_ligands=1.0))
    assert decision.signals["NKG2D"] == pytest.approx(0.6)
    assert decision.signals["NCR"] == pytest.approx(0.4)
    assert decision.activating == pytest.approx(1.3)
    assert decision.net == pytest.approx(0.5)
    assert decision.kill
    assert "induced self" in decision.reason()


def test_threshold_edges_worked_by_hand() -> None:
    # With no stress: net = 0.3 - 0.8 * m, which reaches 0.2 at m = 0.125.
    assert decide(Target(mhc_class_i=0.125)).kill
    assert not decide(Target(mhc_class_i=0.2)).kill
    # With full HLA class I: net = 0.3 + 1.0 * s - 0.8, which reaches 0.2 at s = 0.7.
    assert decide(Target(stress_ligands=0.7)).kill
    assert not decide(Target(stress_ligands=0.6)).kill


def test_cd16_antibody_coating_triggers_adcc() -> None:
    decision = decide(Target(mhc_class_i=1.0, antibody=1.0))
    assert decision.signals["CD16"] == pytest.approx(0.8)
    assert decision.kill


def test_no_baseline_means_missing_self_alone_is_not_enough(tmp_path: Path) -> None:
    # Moretta & Moretta 2004: killing needs activating ligands as well as MHC class I loss.
    from ankl_course.resources import DATA_DIR

    text = (DATA_DIR / "nk_receptors.toml").read_text()
    edited = tmp_path / "nk.toml"
    edited.write_text(text.replace("baseline_activation = 0.3", "baseline_activation = 0.0"))
    assert not decide(Target(mhc_class_i=0.0), load_model(edited)).kill


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "high", True])
def test_target_rejects_values_outside_zero_to_one(bad: object) -> None:
    with pytest.raises(ValueError, match="mhc_class_i"):
        Target(mhc_class_i=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('role = "inhibitory"', 'role = "sleepy"', 1), "role must be one of"),
        (('reads = "antibody"', 'reads = "mood"', 1), "reads must be one of"),
        (("weight = 0.5", "weight = -1", 1), "weight must be a number"),
        (('ligand = "HLA-E', 'colour = "red"\nligand = "HLA-E', 1), "unknown field"),
        (("threshold = 0.2", 'threshold = "low"', 1), "threshold must be a number"),
        (('name = "NCR"', 'name = "NKG2D"', 1), "unique"),
    ],
)
def test_bad_receptor_table_is_rejected_with_its_place(tmp_path: Path, change: tuple, message: str) -> None:
    from ankl_course.resources import DATA_DIR

    text = (DATA_DIR / "nk_receptors.toml").read_text()
    old, new, count = change
    assert old in text
    edited = tmp_path / "nk.toml"
    edited.write_text(text.replace(old, new, count))
    with pytest.raises(CourseDataError, match=message) as info:
        load_model(edited)
    assert str(edited) in str(info.value)


def test_missing_and_broken_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(CourseDataError, match="file not found"):
        load_model(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("threshold = ")
    with pytest.raises(CourseDataError, match="not valid TOML"):
        load_model(broken)


def test_figure_alt_text_states_numbers_and_verdict() -> None:
    shown = show_decision(mhc_class_i=0.0, stress_ligands=0.0)
    assert "net +0.30" in shown.alt and "kills the target" in shown.alt
    assert 'alt="Bar chart of NK-cell signals' in shown.html()
    assert describe(decide(Target())).endswith(decide(Target()).reason())


def test_same_inputs_give_identical_png() -> None:
    assert show_decision(0.4, 0.3).png == show_decision(0.4, 0.3).png


def test_receptor_table_lists_every_receptor() -> None:
    table = receptor_table_html()
    for name in ("KIR", "CD94/NKG2A", "NKG2D", "NCR", "CD16"):
        assert f"<td>{name}</td>" in table


def test_kill_grid_corners_and_bad_steps() -> None:
    from ankl_course.nkcells import kill_grid

    grid = kill_grid(steps=3)  # levels 0, 0.5, 1; rows are stress, columns HLA class I
    assert grid[0] == [True, False, False]  # no stress: only the cell with no HLA class I dies
    assert grid[2] == [True, True, True]  # high stress: killed whatever the HLA class I
    with pytest.raises(ValueError, match="steps"):
        kill_grid(steps=1)


def test_decision_map_alt_reads_the_boundaries_from_the_model() -> None:
    from ankl_course.nkcells import decision_map_alt, decision_map_figure

    alt = decision_map_alt()
    assert "about 0.12 or below" in alt  # (0.3 - 0.2) / 0.8 = 0.125
    assert "reach about 0.70" in alt  # (0.2 - 0.3 + 0.8) / 1.0
    from ankl_course import figures

    assert figures.show(decision_map_figure(steps=11), alt=alt).alt == alt


# Chapter 01's figures and explorer, moved out of the notebook into the library (issue 13, item 3).


def _texts(fig: object) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]  # type: ignore[attr-defined]


def _arrows(ax: object) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(tail, tip) of each arrow drawn with figures.arrow."""
    from matplotlib.text import Annotation

    return [(tuple(a.xyann), tuple(a.xy)) for a in ax.findobj(Annotation) if a.arrowprops]  # type: ignore[attr-defined]


def test_lymphocyte_families_draws_both_branches_with_an_arrow_to_each() -> None:
    from ankl_course.nkcells import lymphocyte_families_figure, show_lymphocyte_families

    fig = lymphocyte_families_figure()
    texts = _texts(fig)
    assert texts[0] == "Lymphocytes"
    assert texts[1].startswith("Adaptive lymphocytes\nT cells, B cells") and "need priming: days" in texts[1]
    assert texts[2].startswith("Innate lymphoid cells\nNK cells (cytotoxic)") and "act within hours" in texts[2]
    assert _arrows(fig.axes[0]) == [((4.4, 5.0), (2.4, 4.0)), ((5.6, 5.0), (7.6, 4.0))]
    assert not fig.axes[0].axison  # a schematic: no scale to read
    assert show_lymphocyte_families().alt.startswith("Diagram: lymphocytes split into two branches.")


def test_subsets_bars_show_the_registry_shares_and_the_flip() -> None:
    from ankl_course import facts
    from ankl_course.nkcells import show_subsets, subset_shares, subsets_figure

    blood_bright = facts.number("lunemann2009.cd56bright_share")
    node_bright = facts.number("lunemann2009.cd56bright_share_lymphoid")
    assert subset_shares() == {"Blood": (100 - blood_bright, blood_bright),
                               "Lymph node / tonsil": (100 - node_bright, node_bright)}
    assert blood_bright < 50 < node_bright  # the balance flips between blood and lymphoid tissue
    ax = subsets_figure().axes[0]
    dim_bars, bright_bars = ax.containers
    assert [b.get_width() for b in dim_bars] == [100 - blood_bright, 100 - node_bright]
    assert [b.get_width() for b in bright_bars] == [blood_bright, node_bright]
    assert [b.get_x() for b in bright_bars] == [100 - blood_bright, 100 - node_bright]  # stacked on the dim bar
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == [
        "CD56dim CD16+ (cytotoxic)", "CD56bright CD16- (cytokine-producing)"]
    alt = show_subsets().alt
    assert f"Blood: about {100 - blood_bright} percent CD56dim" in alt and f"{node_bright} percent CD56bright" in alt


def test_killing_steps_are_four_boxes_in_order_joined_by_three_arrows() -> None:
    from ankl_course.nkcells import killing_steps_figure, show_killing_steps

    fig = killing_steps_figure()
    assert [t.split("\n")[0] for t in _texts(fig)] == ["1. Contact:", "2. Granules move", "3. Perforin",
                                                        "4. Granzymes"]
    arrows = _arrows(fig.axes[0])
    assert len(arrows) == 3 and all(tail[0] < tip[0] for tail, tip in arrows)  # each points to the next step
    assert "perforin opens pores" in show_killing_steps().alt


def test_lgl_sketch_puts_every_granule_in_the_cytoplasm_of_the_large_cell() -> None:
    import numpy as np
    from matplotlib.patches import Circle

    from ankl_course.nkcells import GRANULES, lgl_sketch_figure, show_lgl_sketch

    ax = lgl_sketch_figure().axes[0]
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 4  # two cells, each with a nucleus
    small, small_nucleus, large, large_nucleus = circles
    assert large.radius > small.radius and large_nucleus.radius > small_nucleus.radius
    granules = np.asarray(ax.collections[0].get_offsets())
    assert len(granules) == GRANULES
    in_cell = np.hypot(*(granules - large.center).T) < large.radius
    in_nucleus = np.hypot(*(granules - large_nucleus.center).T) < large_nucleus.radius
    assert in_cell.all() and not in_nucleus.any()
    assert np.array_equal(granules, lgl_sketch_figure().axes[0].collections[0].get_offsets())  # seeded
    assert _texts(ax.figure) == ["small resting lymphocyte", "large granular lymphocyte"]
    assert "not a micrograph" in show_lgl_sketch().alt


def test_balance_explorer_starts_at_a_healthy_cell_and_tips_with_its_sliders() -> None:
    from ankl_course.nkcells import balance_explorer

    explorer = balance_explorer()
    assert explorer.values() == {"mhc_class_i": 1.0, "stress_ligands": 0.0, "antibody": 0.0}
    assert "spares the target" in explorer.shown().alt
    explorer.controls["mhc_class_i"].value = 0.0  # missing self
    assert "kills the target" in explorer.shown().alt
    assert all(c.min == 0.0 and c.max == 1.0 for c in explorer.controls.values())
