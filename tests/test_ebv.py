"""EBV helpers: the base-rate arithmetic and the log-linear half-life fit, on hand-worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ankl_course import ebv
from ankl_course.ebv import base_rate
from ankl_course.errors import CourseDataError


def test_base_rate_hand_worked() -> None:
    # 90% of tumours EBV-positive, 95% of people seropositive, 0.09 cases per million per year.
    # P(sero+ | ANKL) = 0.9 + 0.1 * 0.95 = 0.995
    # P(ANKL | sero+) = 0.995 * 0.09e-6 / 0.95 = 9.4263e-8  (about 1 in 10.6 million a year)
    # P(ANKL | sero-) = 0.005 * 0.09e-6 / 0.05 = 9.0e-9
    r = ebv.base_rate(0.9, 0.95, 0.09)
    assert r.p_seropositive_given_ankl == pytest.approx(0.995)
    assert r.p_ankl_given_seropositive == pytest.approx(9.42632e-8, rel=1e-5)
    assert r.p_ankl_given_seronegative == pytest.approx(9.0e-9)
    assert r.relative_risk == pytest.approx(10.4737, rel=1e-4)
    assert r.one_in == pytest.approx(1.06087e7, rel=1e-4)


def test_natural_frequencies_add_up() -> None:
    counts = ebv.base_rate(0.9, 0.95, 0.09).per_population(10_000_000)
    assert counts["seropositive"] == pytest.approx(9_500_000)
    assert counts["ankl_cases"] == pytest.approx(0.9)
    assert counts["ankl_in_seropositive"] == pytest.approx(0.8955)
    assert counts["ankl_in_seropositive"] + counts["ankl_in_seronegative"] == pytest.approx(counts["ankl_cases"])
    with pytest.raises(ValueError, match="population must be a positive number"):
        ebv.base_rate(0.9, 0.95, 0.09).per_population(0)


def test_base_rate_edge_cases() -> None:
    every_tumour = ebv.base_rate(1.0, 0.5, 1.0)
    assert every_tumour.p_ankl_given_seropositive == pytest.approx(2e-6)
    assert every_tumour.p_ankl_given_seronegative == 0
    assert every_tumour.relative_risk == math.inf
    unrelated = ebv.base_rate(0.0, 0.5, 2.0)            # a disease with no EBV link
    assert unrelated.relative_risk == pytest.approx(1.0)
    assert ebv.base_rate(0.9, 0.5, 0.0).one_in == math.inf


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1.2, 0.9, 1.0), "p_tumour_ebv must lie between 0 and 1"),
        ((0.9, 1.0, 1.0), "seroprevalence must lie strictly between 0 and 1"),
        ((0.9, 0.0, 1.0), "seroprevalence must lie strictly between 0 and 1"),
        ((0.9, 0.9, -1.0), "incidence_per_million must lie between 0 and 1,000,000"),
        ((True, 0.9, 1.0), "p_tumour_ebv must be a number"),
        ((0.9, float("nan"), 1.0), "seroprevalence must be a number"),
        ((0.9, 0.9, "1"), "incidence_per_million must be a number"),
    ],
)
def test_base_rate_rejects_bad_input(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ebv.base_rate(*args)


def test_half_life_from_slope() -> None:
    assert ebv.half_life_from_slope(-0.1) == pytest.approx(3.0103, rel=1e-4)   # log10(2) / 0.1
    assert ebv.half_life_from_slope(0.0) == math.inf
    assert ebv.half_life_from_slope(0.2) == math.inf
    with pytest.raises(ValueError, match="slope must be a finite number"):
        ebv.half_life_from_slope(float("nan"))


def test_fit_recovers_a_hand_worked_halving() -> None:
    # 8000 -> 4000 -> 2000 -> 1000 copies/mL every 3 days: half-life exactly 3 days.
    fit = ebv.fit_decline([0, 3, 6, 9], [8000, 4000, 2000, 1000])
    assert fit.half_life_days == pytest.approx(3.0)
    assert fit.slope_log10_per_day == pytest.approx(-math.log10(2) / 3)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.predict([12])[0] == pytest.approx(500)
    assert fit.fold_drop_per_week == pytest.approx(2 ** (7 / 3))


def test_fit_tenfold_per_week_and_a_rising_load() -> None:
    fit = ebv.fit_decline([0, 7, 14], [1e5, 1e4, 1e3])
    assert fit.half_life_days == pytest.approx(7 * math.log10(2))           # 2.107 days
    rising = ebv.fit_decline([0, 7, 14], [1e3, 1e4, 1e5])
    assert rising.half_life_days == math.inf
    assert rising.fold_drop_per_week == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("days", "loads", "message"),
    [
        ([0, 3, 6], [100, 0, 10], "load 0 at position 1 is not"),
        ([0, 3, 6], [100, 50, -1], "load -1 at position 2 is not"),
        ([0, 6, 3], [100, 50, 10], "times must be strictly increasing; day 3 \\(position 2\\)"),
        ([0, 3, 3], [100, 50, 10], "times must be strictly increasing"),
        ([0, 3], [100, 50], "need at least 3 measurements"),
        ([0, 3, 6], [100, 50], "differ in length"),
        ([0, 3, 6], [100, float("nan"), 10], "finite numbers"),
    ],
)
def test_fit_rejects_bad_series(days: list, loads: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ebv.fit_decline(days, loads)


def test_simulation_is_seeded_and_exact_without_noise() -> None:
    days = [0, 2, 4, 8]
    clean = ebv.simulate_load(days, baseline=1e5, half_life_days=4, noise_log10=0)
    assert clean == pytest.approx([1e5, 1e5 / 2 ** 0.5, 5e4, 2.5e4])
    assert ebv.fit_decline(days, clean).half_life_days == pytest.approx(4)
    a = ebv.simulate_load(days, 1e5, 4, noise_log10=0.2, seed=7)
    assert np.array_equal(a, ebv.simulate_load(days, 1e5, 4, noise_log10=0.2, seed=7))
    assert not np.array_equal(a, ebv.simulate_load(days, 1e5, 4, noise_log10=0.2, seed=8))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"half_life_days": 0}, "half_life_days must be a positive number"),
        ({"baseline": -1}, "baseline must be a positive number"),
        ({"noise_log10": -0.1}, "noise_log10 must be a number from 0 to 5"),
        ({"days": [0, 4, 2]}, "times must be strictly increasing"),
        ({"days": []}, "non-empty"),
    ],
)
def test_simulation_rejects_bad_parameters(kwargs: dict, message: str) -> None:
    args = {"days": [0, 2, 4], "baseline": 1e5, "half_life_days": 3.0} | kwargs
    with pytest.raises(ValueError, match=message):
        ebv.simulate_load(**args)


def test_readable_probability() -> None:
    assert ebv.readable_probability(0.995) == "99.5%"
    assert ebv.readable_probability(9.42632e-8) == "1 in 10.6 million"
    assert ebv.readable_probability(1 / 2500) == "1 in 2,500"
    assert ebv.readable_probability(0) == "0 (none)"
    with pytest.raises(ValueError, match="between 0 and 1"):
        ebv.readable_probability(1.5)


def test_latency_programmes_from_the_data_file() -> None:
    genes, programmes = ebv.load_latency()
    by_id = {p.id: set(p.expressed) for p in programmes}
    assert by_id["I"] == {"EBNA1", "EBERs"}
    assert {"LMP1", "LMP2"} <= by_id["II"] and "EBNA2" not in by_id["II"]
    assert by_id["III"] == set(genes)
    assert "NK-cell" in next(p.seen_in for p in programmes if p.id == "II")


def test_latency_file_with_an_unknown_gene_is_named(tmp_path) -> None:
    text = ebv.data_path("ebv_latency.toml").read_text(encoding="utf-8")
    path = tmp_path / "ebv_latency.toml"
    path.write_text(text.replace('expressed = ["EBNA1", "EBERs"]', 'expressed = ["EBNA1", "EBER"]'), encoding="utf-8")
    with pytest.raises(CourseDataError, match="programme I: gene\\(s\\) not in the genes list: EBER"):
        ebv.load_latency(path)


def test_figures_draw_with_alt_text() -> None:
    from ankl_course import figures

    fit = ebv.fit_decline([0, 3, 6, 9], [8000, 4000, 2000, 1000])
    for fig in (ebv.latency_figure(), ebv.base_rate_figure(ebv.base_rate(0.9, 0.95, 0.09)),
                ebv.kinetics_figure([0, 3, 6, 9], [8000, 4000, 2000, 1000], fit, 3.0)):
        shown = figures.show(fig, alt="test figure")
        assert shown.png.startswith(b"\x89PNG")


# Chapter 02's worked examples and explorers, moved out of the notebook (issue 13, item 3).


def test_base_rate_summary_states_both_directions_worked_by_hand() -> None:
    from ankl_course.ebv import base_rate_summary

    # P(sero | ANKL) = 0.9 + 0.1 * 0.5 = 0.95; P(ANKL | sero) = 0.95 * 1e-6 / 0.5 = 1.9e-6 (1 in 526,316);
    # P(ANKL | seroneg) = 0.05 * 1e-6 / 0.5 = 1e-7 (1 in 10 million); relative risk 19.
    assert base_rate_summary(base_rate(0.9, 0.5, 1.0)).splitlines() == [
        "P(seropositive | ANKL)          = 95.0%",
        "P(ANKL | seropositive), a year  = 1 in 526,316",
        "P(ANKL | seronegative), a year  = 1 in 10 million",
        "relative risk, seropositive vs seronegative = 19.0",
    ]


def test_course_base_rate_starts_from_the_registry() -> None:
    from ankl_course import facts
    from ankl_course.ebv import course_base_rate

    start = course_base_rate()
    assert start.p_tumour_ebv == pytest.approx(1 - facts.number("ishida2018.ebv_negative") / 100)
    assert start.seroprevalence == pytest.approx(facts.number("kuri2020.population_infected") / 100)
    assert start.incidence_per_million == facts.number("kommalapati2018.nk_leukemia_incidence")


def test_base_rate_view_gives_natural_frequencies_in_its_caption() -> None:
    from ankl_course.ebv import show_base_rate

    shown = show_base_rate(0.9, 0.5, 1.0)
    assert shown.caption.startswith("In 10 million people followed for a year: 5,000,000 are seropositive and "
                                    "10.00 ANKL cases are expected, 9.50 of them in seropositive people.")
    assert "relative risk versus seronegative 19.0" in shown.caption
    assert "P(ANKL given seropositive) is 1 in 526,316 a year" in shown.alt


def test_base_rate_explorer_starts_at_the_example_and_redraws() -> None:
    from ankl_course.ebv import base_rate_explorer

    explorer = base_rate_explorer(base_rate(0.9, 0.5, 1.0))
    assert explorer.values() == pytest.approx({"tumour_ebv": 0.9, "seroprevalence": 0.5, "incidence": 1.0})
    assert "9.50 of them in seropositive" in explorer.shown().caption
    explorer.controls["tumour_ebv"].value = 0.0  # no tumour carries EBV: the carriers' share of cases is 50%
    assert "5.00 of them in seropositive" in explorer.shown().caption


def test_example_decline_prints_each_sample_and_recovers_the_half_life() -> None:
    from ankl_course.ebv import EXAMPLE_DAYS, decline_figure, decline_summary, example_decline

    example = example_decline()
    lines = decline_summary(example).splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"day {d:>2}" for d in EXAMPLE_DAYS]
    assert lines[-1] == (f"slope {example.fit.slope_log10_per_day:.3f} log10/day -> half-life "
                         f"{example.fit.half_life_days:.1f} days")
    assert example.fit.half_life_days == pytest.approx(3.0, abs=0.3) and example.true_half_life == 3.0
    ax = decline_figure(example).axes[0]
    assert len(np.asarray(ax.collections[0].get_offsets())) == len(EXAMPLE_DAYS)
    assert ax.get_legend().get_texts()[1].get_text().endswith("(true 3.0)")  # type: ignore[union-attr]


def test_kinetics_explorer_draws_as_many_samples_as_asked() -> None:
    from ankl_course.ebv import kinetics_explorer

    explorer = kinetics_explorer()
    assert explorer.values() == pytest.approx({"half_life": 3.0, "noise": 0.15, "samples": 6})
    explorer.controls["samples"].value = 12
    explorer.controls["noise"].value = 0.0  # no noise: the fit finds the true half-life
    shown = explorer.shown()
    assert shown.alt.startswith("12 synthetic EBV DNA measurements over 21 days")
    assert shown.caption.startswith("Fitted half-life 3.0 days (true 3.0); the fit explains 100 percent")
