"""The synthetic transplant cohort and its lifelines analysis (ankl_course.survival, chapters 06, 07, appendix)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from lifelines.statistics import logrank_test

from ankl_course import facts, survival
from ankl_course.errors import CourseDataError
from ankl_course.figures import FigureDisplay


@pytest.fixture(scope="module")
def model() -> survival.CohortModel:
    return survival.calibrate()


@pytest.fixture(scope="module")
def large_cohort(model: survival.CohortModel):
    return model.sample(200_000, seed=20210210)


def test_design_targets_come_from_the_facts_registry(model):
    design = model.design
    for name, fact_id in design.target_facts.items():
        assert design.targets[name] == pytest.approx(facts.value(fact_id) / 100)
    assert design.graft_counts == {"cord blood": 29, "peripheral blood": 18, "bone marrow": 12}
    assert design.n_published == facts.value("fujimoto2021.n_patients")


def test_bad_design_file_names_file_and_problem(tmp_path):
    bad = tmp_path / "design.toml"
    bad.write_text('cite = "fujimoto2021"\n[design]\nlate_relapse_share = 2.0\n', encoding="utf-8")
    with pytest.raises(CourseDataError) as caught:
        survival.load_design(bad)
    assert str(bad) in str(caught.value) and "target" in str(caught.value)
    broken = tmp_path / "broken.toml"
    broken.write_text("[design\n", encoding="utf-8")
    with pytest.raises(CourseDataError, match="not valid TOML"):
        survival.load_design(broken)


def test_calibrated_model_reproduces_every_published_figure(model):
    tolerance = model.design.tolerance_points / 100
    predicted = model.predicted()
    for name in survival.TARGET_NAMES:
        assert abs(predicted[name] - model.design.targets[name]) < tolerance, name


def test_large_cohort_estimates_match_published_figures(large_cohort, model):
    """n = 200,000, estimated with lifelines (KM, Aalen-Johansen, landmark KM)."""
    tolerance = model.design.tolerance_points / 100
    estimated = survival.estimates(large_cohort)
    for name in survival.TARGET_NAMES:
        assert abs(estimated[name] - model.design.targets[name]) < tolerance, (name, estimated[name])


def test_cohort_of_59_has_published_groups_and_real_noise(model):
    cohorts = [model.sample(59, seed) for seed in range(12)]
    for cohort in cohorts:
        assert cohort["graft"].value_counts().to_dict() == model.design.graft_counts
        assert cohort["status"].value_counts().to_dict() == model.design.status_counts
    five_year = [survival.estimates(c)["os_5y"] for c in cohorts[:8]]
    assert max(five_year) - min(five_year) > 0.08  # a 59-patient cohort varies by many points
    assert all(0.05 < value < 0.6 for value in five_year)


def test_sampling_is_seeded_and_labelled_synthetic(model):
    first, again, other = model.sample(300, 7), model.sample(300, 7), model.sample(300, 8)
    assert first.equals(again)
    assert not first.equals(other)
    assert first.attrs["synthetic"] is True and "SYNTHETIC" in first.attrs["description"]
    assert (first["efs_time"] <= first["os_time"] + 1e-12).all()
    relapsed = first["efs_event"] == survival.RELAPSE
    assert np.allclose(first.loc[relapsed, "relapse_time"], first.loc[relapsed, "efs_time"])
    assert first.loc[~relapsed, "relapse_time"].isna().all()


def test_one_minus_km_overstates_incidence_that_aalen_johansen_gets_right():
    """Two constant competing hazards: CIF = h1/(h1+h2) (1 - exp(-(h1+h2) t)); 1 - KM tends to 1 - exp(-h1 t)."""
    relapse, death = 1.0, 0.5
    durations, events = survival.competing_exponentials(40_000, relapse, death, seed=3, follow_up=6.0)
    km = survival.kaplan_meier(durations, events == survival.RELAPSE)
    aj = survival.aalen_johansen(durations, events, survival.RELAPSE)
    for t in (0.5, 1.0, 2.0):
        truth = survival.true_cumulative_incidence(t, relapse, death)
        naive = survival.naive_one_minus_km(t, relapse)
        assert survival.value_at(aj, t) == pytest.approx(truth, abs=0.01)
        assert 1 - survival.value_at(km, t) == pytest.approx(naive, abs=0.015)
        gap = (1 - survival.value_at(km, t)) - survival.value_at(aj, t)
        assert gap == pytest.approx(naive - truth, abs=0.02) and gap > 0.03
    assert survival.true_cumulative_incidence(50.0, relapse, death) == pytest.approx(relapse / (relapse + death))


def test_aalen_johansen_band_only_where_a_student_sees_it():
    small = survival.competing_exponentials(200, 1.0, 0.5, seed=1)
    big = survival.competing_exponentials(survival.VARIANCE_LIMIT + 1, 1.0, 0.5, seed=1)
    with_band = survival.aalen_johansen(*small, cause=1)
    without = survival.aalen_johansen(*big, cause=1)
    band = with_band.confidence_interval_.dropna().to_numpy()  # lifelines labels its two columns swapped
    lower, upper = band.min(axis=1), band.max(axis=1)
    cif = survival.curve_on_grid(with_band, with_band.confidence_interval_.dropna().index.to_numpy())
    assert np.all(lower <= cif + 1e-12) and np.all(cif <= upper + 1e-12) and (upper - lower).max() > 0.05
    assert getattr(without, "confidence_interval_", None) is None  # skipped above VARIANCE_LIMIT


def test_fast_logrank_agrees_with_lifelines():
    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(10, 80))
        times = rng.exponential(1.0, n)
        events = rng.random(n) < 0.7
        group = rng.random(n) < 0.5
        group[:2] = [True, False]
        expected = logrank_test(times[group], times[~group], events[group], events[~group]).p_value
        assert survival.logrank_pvalues_many(times, events, group)[0] == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ValueError, match="tied"):
        survival.logrank_pvalues_many(np.array([1.0, 1.0, 2.0]), np.array([1, 1, 0]), np.array([True, False, True]))


def test_logrank_simulation_false_positive_rate_and_power(model):
    null = survival.logrank_pvalues(model.replace(graft_log_hr=0.0), 59, 400, seed=1)
    effect = survival.logrank_pvalues(model, 59, 400, seed=2)
    assert 0.02 < np.mean(null < 0.05) < 0.09
    assert np.mean(effect < 0.05) > np.mean(null < 0.05) + 0.3
    assert np.mean(effect < 0.05) < 0.95  # 59 patients are far from certain to show the effect


def test_confounding_makes_a_graft_difference_from_nothing(model):
    no_effect = model.replace(graft_log_hr=0.0)
    cohort = no_effect.sample(20_000, 5, remission_share_cord_blood=0.8)
    crude = survival.estimates(cohort)
    assert crude["os_5y_cord_blood"] - crude["os_5y_other_sources"] > 0.05
    for in_remission in (True, False):
        stratum = cohort[cohort["remission"] == in_remission]
        result = survival.logrank(stratum, "graft_group", survival.CORD_BLOOD, survival.OTHER_SOURCES)
        assert result.p_value > 0.001
    with pytest.raises(ValueError):
        model.sample(59, 1, remission_share_cord_blood=1.0)


def test_guarantee_time_bias_appears_and_landmark_removes_it(model):
    cohort = survival.guarantee_time_groups(model.sample(20_000, 9), seed=4)
    naive = survival.logrank(cohort, "responded", True, False)
    assert naive.p_value < 1e-6
    landmark = 0.5
    alive = cohort[cohort["os_time"] >= landmark].copy()
    alive["responded_by_landmark"] = alive["response_time"] < landmark
    fair = survival.logrank(alive, "responded_by_landmark", True, False)
    assert fair.p_value > 0.001


def test_landmark_subset_and_abstract_consistency(large_cohort):
    subset = survival.landmark_subset(large_cohort, 1.0)
    assert (subset["efs_time"] >= 1.0).all() and 0.25 < len(subset) / len(large_cohort) < 0.4
    implied = survival.abstract_consistency()
    assert implied["implied_min_os_5y"] > implied["published_os_5y"]  # the abstract's figures cannot all be exact
    assert implied["event_free_1y"] == pytest.approx(1 - 0.555 - 0.121)


def test_figures_and_explorer_views_have_alt_text(model):
    cohort = model.sample(59, 2021)
    shown = [
        survival.survival_figure(cohort, by="graft_group"),
        survival.competing_risks_figure(cohort["efs_time"], cohort["efs_event"]),
        survival.ci_width_view(model, 100),
        survival.hazard_scenario_view(1.0, 0.5, n=500),
    ]
    for display in shown:
        assert isinstance(display, FigureDisplay)
        assert "synthetic" in display.alt.lower() and display.png.startswith(b"\x89PNG")
    table = survival.comparison_table(model, survival.estimates(cohort))
    assert table.attrs["synthetic"] and len(table) == len(survival.TARGET_NAMES)


def test_explorers_reuse_their_figure_without_leaking_state(model):
    sample_size = survival.SampleSizeExplorer(model)
    first = sample_size(59).png
    sample_size(2000)
    assert sample_size(59).png == first == survival.ci_width_view(model, 59).png
    hazard = survival.HazardScenarioExplorer(n=800)
    before = hazard(1.0, 0.5)
    hazard(2.5, 1.5)
    again = hazard(1.0, 0.5)
    assert again.png == before.png and again.alt == before.alt


def test_claims_table_and_its_errors(tmp_path):
    table = survival.survival_claims()
    assert len(table) >= 2 and table["claim"].str.contains("7 months").any()
    bad = tmp_path / "claims.toml"
    bad.write_text('[[claim]]\nid = "x"\nseed = "x"\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match="missing"):
        survival.survival_claims(bad)


def test_the_patient_table_shows_named_columns_in_months_not_codes(model):
    """Issue 13: chapter 6 shows the cohort as a student reads it, not the coded data frame."""
    from ankl_course.survival.tables import patient_rows, patient_table_html

    cohort = model.sample(59, seed=24)
    table = patient_rows(cohort, rows=8)
    assert list(table.columns) == ["graft", "disease at transplant", "first event",
                                   "months to first event or last report", "alive at last report",
                                   "months to death or last report"]
    assert list(table.index) == list(range(1, 9)) and table.index.name == "patient"
    assert set(table["first event"]) <= {"relapse or progression", "death without relapse", "none by the last report"}
    assert set(table["alive at last report"]) <= {"yes", "no, died"}
    first = cohort.iloc[0]
    assert table.iloc[0]["months to death or last report"] == round(12 * first["os_time"], 1)
    assert (table.iloc[0]["alive at last report"] == "yes") == (not first["os_event"])
    html = patient_table_html(cohort, rows=8)
    assert "<caption>SYNTHETIC data: the first 8 of 59 simulated patients" in html
    assert html.count('<th scope="row">') == 8 and html.count('<th scope="col">') == 7
    assert html.count('<td class="ankl-number">') == 16 and "<th></th>" not in html
    assert "efs_event" not in html and "os_time" not in html
    with pytest.raises(ValueError, match="missing"):
        patient_rows(cohort[["graft"]])


def test_the_chapters_demonstrations_print_synthetic_results(model):
    """The one-line calls of chapters 6 and 7 (survival.lessons) say what the folded cells printed."""
    cohort = model.sample(59, seed=24)
    report = survival.relapse_report(cohort).splitlines()
    naive, cif = (float(line.split()[-1].rstrip("%")) for line in report[1:3])
    assert report[0] == "SYNTHETIC cohort of 59, relapse by one year:" and naive >= cif
    assert report[3].endswith(str(facts.fact("fujimoto2021.relapse_1y")))
    simulated = survival.power_simulation(model, replicates=60)
    assert simulated.null.shape == simulated.effect.shape == (60,)
    assert (simulated.effect < 0.05).mean() > (simulated.null < 0.05).mean()
    assert "of 60 SYNTHETIC studies" in simulated.report()
    marked = survival.guarantee_time_cohort(model, n=300)
    assert set(marked["group"]) == {"responded after transplant", "did not respond"}
    naive, fair = survival.guarantee_time_report(marked).splitlines()
    assert naive.endswith("log-rank P < 0.001"), naive   # not "P = 1.6e-63"
    assert float(fair.rsplit("P = ", 1)[1]) > 0.05
    explorer = survival.sample_size_explorer(model)
    assert explorer.values() == {"n": 59} and "SYNTHETIC" in explorer.title
    assert set(survival.competing_hazards_explorer(n=500).values()) == {"relapse_rate", "nrm_rate"}


def test_the_calibration_table_has_one_header_row_and_a_row_header_per_figure(model: survival.CohortModel) -> None:
    """The appendix's table: pandas drew two header rows with empty cells; now one, each figure a <th>."""
    from ankl_course.survival.tables import comparison_html

    compared = survival.comparison_table(model)
    html = comparison_html(compared)
    assert html.count("<tr>") == 1 + len(compared)
    assert re.findall(r'<th scope="col">([^<]*)</th>', html) == ["figure", "published %", "model %"]
    assert re.findall(r'<th scope="row">([^<]*)</th>', html) == list(compared.index)
    first = compared.iloc[0]
    assert f'<td class="ankl-number">{first["published %"]:.1f}</td>' in html
    assert "<th></th>" not in html and "SYNTHETIC" not in html.split("</caption>")[0]


def test_the_sample_size_explorer_names_the_sizes_it_offers(model: survival.CohortModel) -> None:
    with pytest.raises(ValueError, match=r"size 60 is not one of the slider's sizes \[30, 59"):
        survival.sample_size_explorer(model, size=60)
