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
