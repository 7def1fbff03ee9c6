"""datafile: the checks every hand-edited data file goes through, each error naming file and place."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankl_course.datafile import check_fields, checked_citations, checked_number, checked_text
from ankl_course.errors import CourseDataError

PATH = Path("data/example.toml")


@pytest.mark.parametrize(("value", "options", "message"), [
    ("3", {}, "example.toml: x: must be a number, not '3'"),
    (True, {}, "must be a number, not True"),
    (float("nan"), {}, "must be a number, not nan"),
    (0, {"positive": True}, "must be > 0, not 0"),
    (-1, {"low": 0}, "must be a number >= 0, not -1"),
    (6, {"high": 5}, "must be a number <= 5, not 6"),
    (7, {"low": 0, "high": 5}, "must be a number from 0 to 5, not 7"),
])
def test_bad_numbers_are_refused_saying_what_they_must_be(value: object, options: dict[str, float],
                                                         message: str) -> None:
    with pytest.raises(CourseDataError) as caught:
        checked_number(PATH, "x", value, **options)
    assert message in str(caught.value)


def test_good_numbers_come_back_as_floats_and_the_name_leads_the_message() -> None:
    assert checked_number(PATH, "x", 3, low=0, high=5) == 3.0 and isinstance(checked_number(PATH, "x", 3), float)
    with pytest.raises(CourseDataError, match="receptor #2: weight must be a number >= 0, not -1"):
        checked_number(PATH, "receptor #2", -1, "weight", low=0)


def test_fields_missing_before_unknown() -> None:
    with pytest.raises(CourseDataError, match="missing field\\(s\\): b"):
        check_fields(PATH, "t", {"a": 1, "z": 2}, {"a", "b"}, required={"a", "b"})
    with pytest.raises(CourseDataError, match="unknown field\\(s\\): y, z"):
        check_fields(PATH, "t", {"a": 1, "z": 2, "y": 3}, {"a"})
    check_fields(PATH, "t", {"a": 1}, {"a", "b"})


def test_texts_and_citations() -> None:
    assert checked_text(PATH, "w", "  text ") == "text"
    with pytest.raises(CourseDataError, match="w: missing explanation \\(a non-empty text\\)"):
        checked_text(PATH, "w", " ", "explanation")
    with pytest.raises(CourseDataError, match="w: must be a non-empty text"):
        checked_text(PATH, "w", 3)
    checked_citations(PATH, "w", ["a2020"], None)
    with pytest.raises(CourseDataError, match="citation key 'b2020' is not in references.toml"):
        checked_citations(PATH, "w", ["a2020", "b2020"], {"a2020"})
