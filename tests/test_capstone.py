"""Issue 13, item 9 (part): the capstone's lab table gives reference ranges, and every flag follows its range."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankl_course import case
from ankl_course.errors import CourseDataError


def test_every_result_has_a_reference_range_shown_in_the_table() -> None:
    patient = case.load_case()
    assert all(lab.reference is not None for lab in patient.labs)
    shown = case.lab_table_html(patient)
    assert "Reference range (this laboratory)" in shown
    for lab in patient.labs:
        assert lab.range_text() in shown


def test_a_flag_that_contradicts_its_range_is_an_error(data_copy: Path) -> None:
    path = data_copy / "case_study.toml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace('flag = "low"\nrange = [130, 170]', 'flag = "normal"\nrange = [130, 170]', 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    message = r"lab #1: flag 'normal' but the value 82 is low for the range 130 to 170"
    with pytest.raises(CourseDataError, match=message):
        case.load_case(path)
