"""The facts registry: numbers come with their citation, and bad data is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankl_course import citations, facts
from ankl_course.errors import CourseDataError


def test_fact_has_value_unit_and_citation() -> None:
    item = facts.fact("fujimoto2021.os_1y")
    assert item.value == 33.9
    assert item.unit == "%"
    assert item.cite == "fujimoto2021"
    assert str(item) == "33.9%"


def test_counts_format_without_decimal_point() -> None:
    assert facts.fact("fujimoto2021.n_patients").formatted() == "59 patients"


def test_render_fills_facts_and_links_their_source() -> None:
    text = facts.render("One-year OS was {fujimoto2021.os_1y} [@fujimoto2021].")
    assert text == (
        "One-year OS was 33.9% ([Fujimoto et al., 2021](#ref-fujimoto2021)) "
        "([Fujimoto et al., 2021](#ref-fujimoto2021))."
    )


def test_facts_from_one_source_in_one_sentence_share_a_citation() -> None:
    link = "([Fujimoto et al., 2021](#ref-fujimoto2021))"
    text = facts.render("OS was {fujimoto2021.os_1y} at one year and {fujimoto2021.os_5y} at five. "
                        "Relapse: {fujimoto2021.relapse_1y}.")
    assert text == f"OS was 33.9% at one year and 27.3% {link} at five. Relapse: 55.5% {link}."


def test_render_leaves_ordinary_braces_alone() -> None:
    assert facts.render("a set {x} stays") == "a set {x} stays"


def test_unknown_fact_names_file_and_id() -> None:
    with pytest.raises(CourseDataError) as info:
        facts.fact("fujimoto2021.no_such_thing")
    assert "facts.toml: fujimoto2021.no_such_thing: no such fact" in str(info.value)


def test_reference_formats() -> None:
    ref = citations.reference("fujimoto2021")
    assert ref.short() == "Fujimoto et al., 2021"
    assert ref.link() == "https://doi.org/10.1038/s41409-020-01009-8"
    assert "Bone Marrow Transplant. 2021;56(2):347-356." in ref.full()


def test_references_html_has_anchors() -> None:
    html = citations.references_html(["fujimoto2021"])
    assert '<li id="ref-fujimoto2021">' in html
    assert "https://doi.org/10.1038/s41409-020-01009-8" in html


def test_keys_in_text_finds_every_citation_form_in_order() -> None:
    known = citations.load_facts()
    text = 'x [@fujimoto2021] y [Ab, 2020](#ref-abc2020) cite("zed2019") {fujimoto2021.os_5y}'
    assert facts.keys_in_text(text, known) == ["fujimoto2021", "abc2020", "zed2019"]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_fact_citing_unknown_reference_is_rejected(data_copy: Path) -> None:
    _write(data_copy / "facts.toml", '[[fact]]\nid = "x2020.y"\nvalue = 1\nunit = ""\ntext = "t"\ncite = "nope2020"\n')
    with pytest.raises(CourseDataError) as info:
        citations.load_facts()
    message = str(info.value)
    assert message.startswith(str(data_copy / "facts.toml"))
    assert "fact x2020.y: citation key 'nope2020' is not in references.toml" in message


def test_duplicate_fact_id_is_rejected(data_copy: Path) -> None:
    entry = '[[fact]]\nid = "fujimoto2021.a"\nvalue = 1\nunit = ""\ntext = "t"\ncite = "fujimoto2021"\n'
    _write(data_copy / "facts.toml", entry + entry)
    with pytest.raises(CourseDataError, match="fact fujimoto2021.a: duplicate id"):
        citations.load_facts()


def test_reference_without_doi_pmid_or_url_is_rejected(data_copy: Path) -> None:
    _write(data_copy / "references.toml", '[smith2020]\nauthors = "Smith A"\ntitle = "T"\nyear = 2020\n')
    with pytest.raises(CourseDataError, match=r"\[smith2020\]: needs a doi, pmid or url"):
        citations.load_references()


def test_invalid_toml_is_reported_with_file(data_copy: Path) -> None:
    _write(data_copy / "facts.toml", "[[fact]\nid = \n")
    with pytest.raises(CourseDataError) as info:
        citations.load_facts()
    assert str(data_copy / "facts.toml") in str(info.value)
    assert "not valid TOML" in str(info.value)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: citations.fill("As shown [@nobody2000]."), "references.toml: nobody2000: no such reference"),
    (lambda: citations.references_html(["nobody2000"]), "references.toml: nobody2000: no such reference"),
    (lambda: citations.reference("nobody2000"), "references.toml: nobody2000: no such reference"),
    (lambda: citations.fill("OS was {nobody2000.os}."), "facts.toml: nobody2000.os: no such fact"),
])
def test_an_unknown_key_names_the_data_file_and_the_key(call, message) -> None:
    with pytest.raises(CourseDataError) as info:
        call()
    assert str(info.value).endswith(message)


def test_number_gives_a_figure_its_value_or_names_a_fact_stated_in_words() -> None:
    assert facts.number("lunemann2009.cd56bright_share_lymphoid") == 75
    with pytest.raises(CourseDataError) as error:
        facts.number("ishida2018.median_survival_historic")  # a phrase, not a number to draw
    assert "facts.toml: ishida2018.median_survival_historic: a figure needs a number" in str(error.value)
