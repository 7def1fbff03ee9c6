"""The capstone patient: the file validates with clear errors, and the case agrees with its quiz answers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ankl_course import case
from ankl_course.errors import CourseDataError
from ankl_course.quiz_bank import bank_path, load_bank
from ankl_course.resources import DATA_DIR

KEYS = {"ishida2018", "elhussein2020", "henter2007", "jung2016", "fujimoto2021", "ishida2012"}


@pytest.fixture(scope="module")
def patient() -> case.Case:
    return case.load_case()


def test_case_is_synthetic_and_reads_flags(patient: case.Case) -> None:
    assert patient.synthetic is True
    assert case.flagged(patient, "low") == ["Haemoglobin", "Neutrophils", "Platelets", "Fibrinogen"]
    html = case.lab_table_html(patient)
    assert "synthetic patient" in html and "&#8595; low" in html
    with pytest.raises(ValueError, match="flag must be one of"):
        case.flagged(patient, "abnormal")


def test_hlh_step_meets_six_criteria(patient: case.Case) -> None:
    # By hand: fever 39.4 >= 38.5; spleen; Hb 82 < 90, plt 38 < 100, ANC 0.7 < 1.0; TG 3.3 >= 3.0 and
    # fibrinogen 1.2 <= 1.5; haemophagocytosis; ferritin 8600 >= 500 -> 6 met, NK activity and sCD25 unknown.
    assessment = case.hlh_assessment(patient)
    assert assessment.verdict == "fulfilled"
    assert len(assessment.met) == 6 and len(assessment.missing) == 2


def test_ebv_series_is_reproducible_and_matches_the_quiz(patient: case.Case) -> None:
    days, loads = case.ebv_series(patient)
    assert (days, loads) == case.ebv_series(patient)
    fit = case.ebv_fit(patient)
    # Hand check of the half-life formula on the fitted slope.
    assert fit.half_life_days == pytest.approx(math.log10(2) / -fit.slope_log10_per_day)
    question = load_bank(bank_path("08_case_study"))["ebv-half-life"]
    assert question.low <= fit.half_life_days <= question.high
    with pytest.raises(ValueError, match="between 3 and 6"):
        case.ebv_fit(patient, 2)


def test_flow_share_matches_the_quiz(patient: case.Case) -> None:
    sample = case.flow_sample(patient)
    truth = 100 * sample.abnormal_share()
    question = load_bank(bank_path("08_case_study"))["abnormal-share"]
    assert question.low <= truth <= question.high
    # The notebook tells students to read the CD56-bright NK row's "% of all events": it must fall in range too.
    from ankl_course.cytometry import strategy

    row = strategy("nk_screen").apply(sample)["CD56bright NK"]
    assert question.low <= 100 * row.events / row.total_events <= question.high


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case_study.toml"
    path.write_text(text, encoding="utf-8")
    return path


ORIGINAL = (DATA_DIR / "case_study.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "message"), [
    ("synthetic = true", "synthetic = false", "must be marked synthetic"),
    ('flag = "low"', 'flag = "very low"', "flag must be one of"),
    ('sample = "ankl_pb"', 'sample = "real_patient"', "is not one of"),
    ("temperature_c = 39.4", 'temperature_c = "hot"', "temperature_c must be a number"),
    ("days = [0, 3, 7, 10, 14, 21]", "days = [0, 7, 3]", "strictly increasing"),
    ("baseline = 250000", "baseline = -5", "must be > 0"),
    ('sources = ["jung2016"]', 'sources = ["nobody2099"]', "'nobody2099' is not in references"),
    ("seed = 7", "seed = 7.5", "must be a whole number"),
])
def test_bad_case_files_name_file_and_problem(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in ORIGINAL
    path = write(tmp_path, ORIGINAL.replace(old, new, 1))
    with pytest.raises(CourseDataError, match=message) as caught:
        case.load_case(path, references=KEYS)
    assert str(path) in str(caught.value)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(CourseDataError, match="file not found"):
        case.load_case(tmp_path / "nope.toml", references=KEYS)
    with pytest.raises(CourseDataError, match="not valid TOML"):
        case.load_case(write(tmp_path, "synthetic = "), references=KEYS)


def test_the_half_life_explorer_fits_three_points_up_to_all(patient: case.Case) -> None:
    days, _ = case.ebv_series(patient)
    explorer = case.ebv_fit_explorer(patient)
    slider = explorer.controls["points"]
    assert (slider.min, slider.max, slider.value) == (3, len(days), len(days))
    slider.value = 3
    fit = case.ebv_fit(patient, 3)
    assert f"first 3 measurements gives a half-life of {fit.half_life_days:.1f} days" in explorer.shown().alt
