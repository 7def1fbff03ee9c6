"""Regimen data for chapter 05: validation with clear errors, lookups, the seed appraisal and the cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankl_course import treatment
from ankl_course.citations import load_references
from ankl_course.errors import CourseDataError

MINI = '''
[[evidence_level]]
id = "none"
rank = 0
short = "none"
label = "Nothing"
meaning = "No data."

[[evidence_level]]
id = "retrospective"
rank = 3
short = "retro"
label = "Retrospective"
meaning = "Records."

[[drug]]
id = "enzyme"
name = "Enzyme"
class = "Enzyme (amino-acid depletion)"
mechanism = "Destroys an amino acid."
toxicities = ["allergy"]
sources = ["fujimoto2021"]

[[drug]]
id = "steroid"
name = "Steroid"
class = "Glucocorticoid"
mechanism = "Kills lymphoid cells."
toxicities = ["infection"]
sources = ["fujimoto2021"]

[[regimen]]
id = "es"
name = "ES"
expansion = "Enzyme, Steroid"
drugs = ["enzyme", "steroid"]
studied_in = "A made-up population."
enktl_evidence = "retrospective"
ankl_evidence = "none"
note = "Test regimen."
sources = ["fujimoto2021"]

[[regimen]]
id = "s"
name = "S"
expansion = "Steroid"
drugs = ["steroid"]
studied_in = "A made-up population."
enktl_evidence = "none"
ankl_evidence = "none"
note = "Test regimen."
sources = ["fujimoto2021"]

[[seed_claim]]
regimen = "es"
listed_name = "ES"
listed_drugs = ["steroid", "vinorelbine"]
listed_pfs = "50% at 2 years"
seed = "test"

[[seed_claim]]
regimen = "s"
listed_name = "S"
listed_drugs = ["steroid"]
listed_pfs = "50% at 2 years"
seed = "test"
'''

KEYS = {"fujimoto2021"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regimens.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_hand_made_file_loads_and_cross_references(tmp_path: Path) -> None:
    formulary = treatment.load_formulary(write(tmp_path, MINI), references=KEYS)
    assert [r.name for r in formulary.regimens_containing("steroid")] == ["ES", "S"]
    assert [r.name for r in formulary.regimens_containing("enzyme")] == ["ES"]
    assert formulary.contains_asparaginase("es") is True
    assert formulary.contains_asparaginase("s") is False
    assert formulary.regimen("es").evidence("enktl") == "retrospective"
    assert formulary.regimen("es").evidence("ankl") == "none"
    with pytest.raises(ValueError, match="disease must be one of"):
        formulary.regimen("es").evidence("aml")
    with pytest.raises(KeyError, match="no drug 'aspirin'"):
        formulary.regimens_containing("aspirin")


def test_appraisal_finds_missing_extra_and_identical_figures(tmp_path: Path) -> None:
    formulary = treatment.load_formulary(write(tmp_path, MINI), references=KEYS)
    first, second = treatment.appraise(formulary)
    assert first.missing == ("enzyme",) and first.extra == ("vinorelbine",)
    assert not first.composition_correct
    assert first.pfs_shared_with == ("S",) and second.pfs_shared_with == ("ES",)
    assert second.composition_correct


@pytest.mark.parametrize(("old", "new", "message"), [
    ('drugs = ["enzyme", "steroid"]', 'drugs = ["enzyme", "aspirin"]', "drug 'aspirin' is not defined"),
    ('drugs = ["enzyme", "steroid"]', 'drugs = ["enzyme", "enzyme"]', "a drug is listed twice"),
    ('enktl_evidence = "retrospective"', 'enktl_evidence = "anecdote"', "enktl_evidence 'anecdote' is not an evidence"),
    ('mechanism = "Destroys an amino acid."', 'mechanism = "Given at 1000 mg/m2."', "looks like a dose"),
    ('note = "Test regimen."\nsources', 'note = "Repeat every 3 weeks."\nsources', "looks like a dose"),
    ('sources = ["fujimoto2021"]\n\n[[drug]]', 'sources = ["nobody2099"]\n\n[[drug]]',
     "'nobody2099' is not in references"),
    ('id = "steroid"', 'id = "enzyme"', "duplicate id"),
    ('id = "steroid"', 'id = "Steroid!"', "must be lower-case"),
    ('regimen = "es"', 'regimen = "chop"', "regimen 'chop' is not defined"),
    ('toxicities = ["allergy"]', 'toxicities = []', "toxicities must be a non-empty list"),
    ('rank = 3', 'rank = 0', "share a rank"),
    ('name = "Enzyme"', 'nickname = "Enzyme"', "unknown field"),
])
def test_bad_files_name_the_file_and_problem(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in MINI
    path = write(tmp_path, MINI.replace(old, new, 1))
    with pytest.raises(CourseDataError, match=message) as caught:
        treatment.load_formulary(path, references=KEYS)
    assert str(path) in str(caught.value)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(CourseDataError, match="file not found"):
        treatment.load_formulary(tmp_path / "absent.toml", references=KEYS)
    with pytest.raises(CourseDataError, match="not valid TOML"):
        treatment.load_formulary(write(tmp_path, "[[drug]\nid ="), references=KEYS)


def test_course_file_teaches_the_verified_compositions() -> None:
    formulary = treatment.load_formulary()
    assert formulary.regimen("smile").drugs == (
        "dexamethasone", "methotrexate", "ifosfamide", "l-asparaginase", "etoposide")
    assert "etoposide" in formulary.regimen("vidl").drugs and "vinorelbine" not in formulary.drugs
    assert set(formulary.regimen("gelox").drugs) == {"gemcitabine", "l-asparaginase", "oxaliplatin"}
    assert all(formulary.contains_asparaginase(r) for r in formulary.regimens)
    # No ANKL evidence is claimed to be stronger than the ENKTL evidence behind a regimen, except where
    # the ENKTL studies were not reviewed (VIDL).
    assert formulary.regimen("vidl").evidence("ankl") == "retrospective"
    assert set(formulary.sources()) <= set(load_references())
    verdicts = {a.claim.listed_name: a for a in treatment.appraise(formulary)}
    assert verdicts["SMILE"].composition_correct
    assert verdicts["VIDL"].extra == ("vinorelbine",) and verdicts["VIDL"].missing == ("etoposide",)
    assert verdicts["GELOX/D"].missing == ("l-asparaginase",)
    assert verdicts["VIDL"].pfs_shared_with == ("GELOX/D",)


def test_cards_and_choices() -> None:
    formulary = treatment.load_formulary()
    choices = dict((value, label) for label, value in treatment.explorer_choices(formulary))
    assert choices["regimen:smile"] == "Regimen: SMILE"
    smile = treatment.card(formulary, "regimen:smile")
    assert "Contains an asparaginase: <strong>yes</strong>" in smile and 'href="#ref-yamaguchi2011"' in smile
    assert "Used in:</strong> SMILE, VIDL" in treatment.card(formulary, "drug:etoposide")
    assert "Laboratory data only" in treatment.card(formulary, "approach:jak-inhibition")
    with pytest.raises(ValueError, match="must start with"):
        treatment.card(formulary, "smile")
    with pytest.raises(KeyError):
        treatment.card(formulary, "approach:magic")
    table = treatment.appraisal_table(formulary)
    assert table.count("<tr>") == 4 and "same figure as GELOX/D" in table


def test_asparagine_cartoon_by_hand() -> None:
    # No enzyme: blood supplies 1 unit, enough for anyone.
    assert treatment.asparagine_balance(0.0, asparaginase=False)["survives"] is True
    # Enzyme: 0.05 from blood; a cell making 0.2 has 0.25 < 1 and starves; one making 1.2 survives.
    low = treatment.asparagine_balance(0.2, asparaginase=True)
    assert low["supply"] == pytest.approx(0.25) and low["survives"] is False
    assert treatment.asparagine_balance(1.2, asparaginase=True)["survives"] is True
    with pytest.raises(ValueError):
        treatment.asparagine_balance(-1, asparaginase=True)


def test_explorer_snapshot_and_evidence_figure() -> None:
    formulary = treatment.load_formulary()
    explorer = treatment.regimen_explorer(formulary, start="regimen:gelox")
    snapshot = explorer.snapshot_html()
    assert "GELOX: GEmcitabine, L-asparaginase, OXaliplatin" in snapshot and "Interactive in JupyterLab" in snapshot
    fig = treatment.evidence_figure(formulary)
    ax = fig.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["SMILE", "VIDL", "GELOX", "P-GemOx", "DDGP", "PD-1 blockade", "JAK-STAT inhibition"]
    # One ENKTL dot and one ANKL diamond per row.
    assert sum(len(c.get_offsets()) for c in ax.collections) == 2 * len(labels)
    import matplotlib.pyplot as plt

    plt.close(fig)


# Chapter 05's figures, table and explorer, moved out of the notebook (issue 13, item 3).


def test_listed_table_shows_each_blog_row_as_listed() -> None:
    formulary = treatment.load_formulary()
    table = treatment.listed_table(formulary)
    assert table.startswith("<table><tr><th>Regimen</th><th>Drugs (as listed)</th>")
    assert table.count("<tr>") == len(formulary.seed_claims) + 1
    first = formulary.seed_claims[0]
    assert f"<tr><td>{first.listed_name}</td><td>{', '.join(first.listed_drugs)}</td>" in table


def test_response_rate_bars_are_the_registry_rates_coloured_by_disease() -> None:
    from matplotlib.colors import to_rgba

    from ankl_course import facts, figures

    ax = treatment.response_rates_figure().axes[0]
    bars = ax.containers[0]
    assert [bar.get_height() for bar in bars] == [facts.number(f) for _, f, _ in treatment.RESPONSE_RATES]
    colours = [bar.get_facecolor() for bar in bars]
    assert colours[0] == colours[1] != colours[2] == colours[3]  # lymphoma studies, then ANKL series
    assert colours[0] == to_rgba(figures.PALETTE["blue"]) and colours[2] == to_rgba(figures.PALETTE["vermillion"])
    assert [t.get_text() for t in ax.get_xticklabels()][2] == "SMILE or VIDL,\nANKL"
    # the point of the figure: every ANKL series responds less often than either lymphoma study
    heights = [bar.get_height() for bar in bars]
    assert max(heights[2:]) < min(heights[:2])
    assert "two ANKL series" in treatment.show_response_rates().alt


def test_asparagine_explorer_starves_the_tumour_cell_only_with_asparaginase() -> None:
    explorer = treatment.asparagine_explorer()
    assert explorer.values() == {"synthetase": 0.2, "asparaginase": True}
    assert explorer.shown().alt.startswith("Illustrative bar chart with asparaginase")

    def verdicts() -> list[str]:
        """What the explorer's settings draw over the normal cell and the tumour cell."""
        values = explorer.values()
        fig = treatment.asparagine_figure(values["synthetase"], values["asparaginase"])
        return [t.get_text() for t in fig.axes[0].texts]

    assert verdicts() == ["survives", "starves"]
    explorer.controls["asparaginase"].value = False
    assert verdicts() == ["survives", "survives"]
    assert "without asparaginase" in explorer.shown().alt
