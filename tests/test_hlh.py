"""The HLH-2004 checker: published thresholds, hand-worked cases, unknown versus negative, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankl_course import hlh
from ankl_course.errors import CourseDataError

#: A case meeting every criterion, each value chosen by hand to sit just past its threshold.
ALL_MET = {
    "temperature_c": 38.5, "splenomegaly": True, "hemoglobin_g_l": 89, "platelets_10e9_l": 99,
    "neutrophils_10e9_l": 0.9, "triglycerides_mmol_l": 3.0, "fibrinogen_g_l": 1.5,
    "hemophagocytosis": True, "nk_activity_low": True, "ferritin_ug_l": 500, "scd25_u_ml": 2400,
}
#: The same case with every criterion just missed.
NONE_MET = {
    "temperature_c": 38.4, "splenomegaly": False, "hemoglobin_g_l": 90, "platelets_10e9_l": 100,
    "neutrophils_10e9_l": 1.0, "triglycerides_mmol_l": 2.99, "fibrinogen_g_l": 1.51,
    "hemophagocytosis": False, "nk_activity_low": False, "ferritin_ug_l": 499, "scd25_u_ml": 2399,
}


@pytest.fixture(scope="module")
def criteria() -> hlh.Criteria:
    return hlh.load_criteria()


def test_data_file_holds_the_published_thresholds(criteria: hlh.Criteria) -> None:
    # Henter et al. 2007 (HLH-2004), checked against reproductions of its diagnostic table.
    assert criteria.required == 5
    assert criteria.cite == "henter2007"
    assert criteria["fever"].thresholds == {"at_least_temperature_c": 38.5}
    assert criteria["cytopenias"].thresholds == {
        "lineages_required": 2, "below_hemoglobin_g_l": 90, "below_hemoglobin_g_l_infant": 100,
        "infant_age_below_weeks": 4, "below_platelets_10e9_l": 100, "below_neutrophils_10e9_l": 1.0,
    }
    assert criteria["lipids_fibrinogen"].thresholds == {
        "at_least_triglycerides_mmol_l": 3.0, "at_most_fibrinogen_g_l": 1.5}
    assert criteria["ferritin"].thresholds == {"at_least_ferritin_ug_l": 500}
    assert criteria["scd25"].thresholds == {"at_least_scd25_u_ml": 2400}
    assert [c.id for c in criteria.criteria] == list(hlh.CRITERIA_THRESHOLDS)


def test_every_criterion_met_at_its_exact_threshold(criteria: hlh.Criteria) -> None:
    result = hlh.assess(ALL_MET, criteria=criteria)
    assert result.met == list(hlh.CRITERIA_THRESHOLDS)
    assert result.verdict == hlh.FULFILLED


def test_every_criterion_just_missed(criteria: hlh.Criteria) -> None:
    result = hlh.assess(NONE_MET, criteria=criteria)
    assert result.met == [] and result.missing == []
    assert result.verdict == hlh.NOT_FULFILLED
    assert "cannot be reached" in result.reason


def test_five_of_eight_is_enough_and_four_is_not(criteria: hlh.Criteria) -> None:
    five = dict(NONE_MET, temperature_c=39.0, splenomegaly=True, ferritin_ug_l=3000,
                hemophagocytosis=True, scd25_u_ml=5000)
    assert hlh.assess(five, criteria=criteria).verdict == hlh.FULFILLED
    four = dict(five, scd25_u_ml=1000)
    result = hlh.assess(four, criteria=criteria)
    assert sorted(result.met) == ["ferritin", "fever", "hemophagocytosis", "splenomegaly"]
    assert result.verdict == hlh.NOT_FULFILLED


@pytest.mark.parametrize(
    ("counts", "status"),
    [
        ({"hemoglobin_g_l": 80, "platelets_10e9_l": 50, "neutrophils_10e9_l": 3.0}, hlh.MET),
        ({"hemoglobin_g_l": 80, "platelets_10e9_l": 150}, hlh.MISSING),      # neutrophils unknown
        ({"hemoglobin_g_l": 80, "platelets_10e9_l": 150, "neutrophils_10e9_l": 3.0}, hlh.NOT_MET),
        ({"hemoglobin_g_l": 130, "platelets_10e9_l": 150}, hlh.NOT_MET),     # 0 low + 1 unknown < 2
        ({"platelets_10e9_l": 20}, hlh.MISSING),                             # 1 low + 2 unknown
        ({}, hlh.MISSING),
    ],
)
def test_cytopenias_count_lineages_and_unknowns(counts: dict, status: str, criteria: hlh.Criteria) -> None:
    result = {r.id: r for r in hlh.assess(counts, criteria=criteria).results}
    assert result["cytopenias"].status == status


def test_infants_under_four_weeks_use_the_higher_haemoglobin_limit(criteria: hlh.Criteria) -> None:
    case = {"hemoglobin_g_l": 95, "platelets_10e9_l": 50, "neutrophils_10e9_l": 3.0}
    by_id = {r.id: r.status for r in hlh.assess(dict(case, age_weeks=2), criteria=criteria).results}
    assert by_id["cytopenias"] == hlh.MET
    by_id = {r.id: r.status for r in hlh.assess(dict(case, age_weeks=10), criteria=criteria).results}
    assert by_id["cytopenias"] == hlh.NOT_MET


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({"fibrinogen_g_l": 1.0}, hlh.MET),                                   # either one is enough
        ({"triglycerides_mmol_l": 4.0, "fibrinogen_g_l": 3.0}, hlh.MET),
        ({"triglycerides_mmol_l": 1.0}, hlh.MISSING),                          # fibrinogen unknown
        ({"triglycerides_mmol_l": 1.0, "fibrinogen_g_l": 3.0}, hlh.NOT_MET),
    ],
)
def test_triglycerides_and_or_fibrinogen(values: dict, status: str, criteria: hlh.Criteria) -> None:
    by_id = {r.id: r.status for r in hlh.assess(values, criteria=criteria).results}
    assert by_id["lipids_fibrinogen"] == status


def test_unknown_is_not_negative(criteria: hlh.Criteria) -> None:
    three_met = {"temperature_c": 39.5, "splenomegaly": True, "ferritin_ug_l": 2000,
                 "hemoglobin_g_l": 120, "platelets_10e9_l": 200, "neutrophils_10e9_l": 4.0,
                 "triglycerides_mmol_l": 1.2, "fibrinogen_g_l": 3.0}
    result = hlh.assess(three_met, criteria=criteria)
    assert sorted(result.missing) == ["hemophagocytosis", "nk_activity", "scd25"]
    assert result.verdict == hlh.UNDETERMINED
    # One pending result comes back normal: 3 met + 2 unknown can still reach 5.
    assert hlh.assess(dict(three_met, scd25_u_ml=900), criteria=criteria).verdict == hlh.UNDETERMINED
    # Two come back normal: 3 + 1 < 5, so it is now not fulfilled.
    done = dict(three_met, scd25_u_ml=900, nk_activity_low=False)
    assert hlh.assess(done, criteria=criteria).verdict == hlh.NOT_FULFILLED


def test_molecular_diagnosis_alone_fulfils(criteria: hlh.Criteria) -> None:
    result = hlh.assess({"molecular_diagnosis": True}, criteria=criteria)
    assert result.verdict == hlh.FULFILLED and result.met == []
    assert hlh.assess({"molecular_diagnosis": False}, criteria=criteria).verdict == hlh.UNDETERMINED


def test_overrides_act_like_the_notebook_toggles(criteria: hlh.Criteria) -> None:
    base = dict(NONE_MET, temperature_c=39.0, splenomegaly=True, ferritin_ug_l=3000, hemophagocytosis=True)
    assert hlh.assess(base, criteria=criteria).verdict == hlh.NOT_FULFILLED
    flipped = hlh.assess(base, overrides={"scd25": "met"}, criteria=criteria)
    assert flipped.verdict == hlh.FULFILLED
    assert {r.id: r.detail for r in flipped.results}["scd25"] == "set by hand"
    unknown = hlh.assess(base, overrides={"scd25": "missing"}, criteria=criteria)
    assert unknown.verdict == hlh.UNDETERMINED


@pytest.mark.parametrize(
    ("findings", "message"),
    [
        ({"ferritn_ug_l": 900}, "unknown finding(s): ferritn_ug_l"),
        ({"ferritin_ug_l": -5}, "ferritin_ug_l must be a finite number >= 0"),
        ({"temperature_c": "39"}, "temperature_c must be a number"),
        ({"temperature_c": True}, "temperature_c must be a number"),
        ({"temperature_c": float("nan")}, "temperature_c must be a finite number"),
        ({"splenomegaly": "yes"}, "splenomegaly must be true, false or None"),
    ],
)
def test_bad_findings_are_named(findings: dict, message: str, criteria: hlh.Criteria) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        hlh.assess(findings, criteria=criteria)


def test_bad_overrides_are_named(criteria: hlh.Criteria) -> None:
    with pytest.raises(ValueError, match="unknown criterion id"):
        hlh.assess({}, overrides={"fevr": "met"}, criteria=criteria)
    with pytest.raises(ValueError, match="must be one of met, not met, missing"):
        hlh.assess({}, overrides={"fever": "yes"}, criteria=criteria)


def test_broken_criteria_file_names_the_problem(tmp_path: Path) -> None:
    text = hlh.data_path("hlh2004.toml").read_text(encoding="utf-8")
    broken = tmp_path / "hlh2004.toml"
    broken.write_text(text.replace("at_least_ferritin_ug_l = 500", "at_least_ferritin_ug_l = -500"), encoding="utf-8")
    with pytest.raises(CourseDataError, match="criterion ferritin: threshold at_least_ferritin_ug_l must be"):
        hlh.load_criteria(broken)
    broken.write_text(text.replace('id = "scd25"', 'id = "scd_25"'), encoding="utf-8")
    with pytest.raises(CourseDataError, match="unknown criterion id 'scd_25'"):
        hlh.load_criteria(broken)


def test_vignettes_are_synthetic_and_give_the_verdicts_they_teach(criteria: hlh.Criteria) -> None:
    vignettes = hlh.load_vignettes()
    expected = {
        "ankl-with-hlh": hlh.FULFILLED, "results-pending": hlh.UNDETERMINED, "sepsis-mimic": hlh.NOT_FULFILLED,
        "ankl-four-of-eight": hlh.NOT_FULFILLED, "familial-infant": hlh.FULFILLED,
    }
    assert {vid: hlh.assess(v.findings, criteria=criteria).verdict for vid, v in vignettes.items()} == expected
    assert len(hlh.assess(vignettes["ankl-four-of-eight"].findings, criteria=criteria).met) == 4


def test_a_vignette_not_marked_synthetic_is_rejected(tmp_path: Path) -> None:
    text = hlh.data_path("hlh_vignettes.toml").read_text(encoding="utf-8")
    path = tmp_path / "v.toml"
    path.write_text(text.replace("synthetic = true", "synthetic = false", 1), encoding="utf-8")
    with pytest.raises(CourseDataError, match="vignette ankl-with-hlh: patient-level data must be marked synthetic"):
        hlh.load_vignettes(path)


def test_html_shows_every_criterion_and_the_verdict(criteria: hlh.Criteria) -> None:
    page = hlh.assessment_html(hlh.assess(ALL_MET, criteria=criteria), title="Case")
    for criterion in criteria.criteria:
        assert criterion.label.replace("&", "&amp;") in page
    assert "HLH-2004 fulfilled" in page and "<caption>Case</caption>" in page
    assert "at least 5 of these" in hlh.criteria_html(criteria)


def test_every_criterion_has_a_short_name_for_controls(criteria: hlh.Criteria) -> None:
    shorts = [c.short for c in criteria.criteria]
    assert all(shorts) and len(set(shorts)) == len(shorts)
    assert criteria["lipids_fibrinogen"].short == "TG / fibrinogen"


# Chapter 04's checker, moved out of the notebook into the library (issue 13, item 3).


def test_checker_starts_at_the_first_vignette_as_written(criteria: hlh.Criteria) -> None:
    vignettes = hlh.load_vignettes()
    explorer = hlh.checker_explorer(criteria, vignettes)
    assert list(explorer.controls) == ["vignette_id"] + [c.id for c in criteria.criteria]
    as_written = {c.id: hlh.AS_IN_VIGNETTE for c in criteria.criteria}
    assert explorer.values() == {"vignette_id": "ankl-with-hlh", **as_written}
    shown = explorer.shown().data
    assert shown.startswith("<p><strong>A: fever, big spleen, falling counts</strong> (synthetic).")
    assert f"HLH-2004 {hlh.FULFILLED}" in shown and "<em>Teaching point:</em>" in shown


def test_checker_menus_override_one_criterion_and_change_the_verdict(criteria: hlh.Criteria) -> None:
    """D meets 4 of 8 criteria; setting one more criterion met by hand reaches the 5 that HLH-2004 needs."""
    vignettes = hlh.load_vignettes()
    explorer = hlh.checker_explorer(criteria, vignettes)
    explorer.controls["vignette_id"].value = "ankl-four-of-eight"
    assert f"HLH-2004 {hlh.NOT_FULFILLED}" in explorer.shown().data
    unmet = [c for c in hlh.assess(vignettes["ankl-four-of-eight"].findings, criteria=criteria).not_met]
    explorer.controls[unmet[0]].value = hlh.MET
    assert f"HLH-2004 {hlh.FULFILLED}" in explorer.shown().data
    assert [label for label, _ in hlh.CHOICES] == ["as in the vignette", "met", "not met", "unknown"]


def test_vignette_html_applies_overrides(criteria: hlh.Criteria) -> None:
    vignette = hlh.load_vignettes()["sepsis-mimic"]
    plain = hlh.vignette_html(vignette, {}, criteria)
    every = hlh.vignette_html(vignette, {c.id: hlh.MET for c in criteria.criteria}, criteria)
    assert f"HLH-2004 {hlh.NOT_FULFILLED}" in plain and f"HLH-2004 {hlh.FULFILLED}" in every
