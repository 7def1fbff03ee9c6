"""Issue 13, item 8: the text a student reads. No unit said twice, a citation after its phrase,
compound surnames whole; and a scan of the built site for doubled units."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from exports_helpers import built_site

from ankl_course import citations
from ankl_course.citations import Fact, Reference
from ankl_course.facts import render

REFS = {"src2020": Reference(key="src2020", authors="El Hussein S, Medeiros LJ, Wang W", title="T", year=2020,
                             journal="J")}
FACTS = {
    "src2020.n": Fact("src2020.n", 312, "patients", "cohort size", "src2020"),
    "src2020.k": Fact("src2020.k", 2, "cases", "positive", "src2020"),
    "src2020.m": Fact("src2020.m", 16, "cases", "tested", "src2020"),
    "src2020.share": Fact("src2020.share", 55, "%", "share", "src2020"),
}
LINK = "([El Hussein et al., 2020](#ref-src2020))"


@pytest.mark.parametrize(("template", "expected"), [
    ("In {src2020.n} patients treated.", f"In 312 patients {LINK} treated."),
    ("In {src2020.n}, most were men.", f"In 312 patients {LINK}, most were men."),
    ("{src2020.k} of {src2020.m} tested.", f"2 of 16 cases {LINK} tested."),
    ("(positive in {src2020.share})", f"(positive in 55%) {LINK}"),
])
def test_a_unit_is_said_once_and_the_citation_follows_its_phrase(template: str, expected: str) -> None:
    assert render(template, REFS, FACTS) == expected


def test_compound_surnames_stay_whole() -> None:
    assert REFS["src2020"].short() == "El Hussein et al., 2020"
    assert citations.reference("elhussein2020").short() == "El Hussein et al., 2020"


def test_two_authors_are_both_named_as_the_hand_written_citations_name_them() -> None:
    """"Altman et al., 1995" named one of two authors; the chapters write "Moretta and Moretta, 2004"."""
    two = Reference(key="k", authors="Ambinder RF, Mann RB", title="T", year=1994, journal="J")
    assert two.short() == "Ambinder and Mann, 1994"
    assert citations.reference("altman1995").short() == "Altman and Bland, 1995"
    assert Reference(key="k", authors="Lima M", title="T", year=2013, journal="J").short() == "Lima, 2013"
    assert Reference(key="k", authors="Suzuki R, et al.", title="T", year=2004, journal="J").short() == (
        "Suzuki et al., 2004")


#: A word said twice around an optional citation: "patients patients", "patients (Wang et al., 2015) patients".
DOUBLED = re.compile(r"\b([A-Za-z]{3,})\s+(?:\([^()]*(?:\([^()]*\)[^()]*)*\)\s+)?\1\b")


def test_the_doubled_unit_scan_finds_what_the_issue_saw() -> None:
    for seen in ("312 patients patients", "In 68 patients (Wang et al., 2015) patients", "2 cases of 16 cases"):
        assert doubled_units(seen, _units()), seen
    assert doubled_units("per chapter chapter questions", _units()) == []


def _units() -> set[str]:
    """The words facts use as units ("patients", "cases", "years"...): what a doubled unit doubles."""
    words = {word for fact in citations.load_facts().values() for word in fact.unit.split()}
    return {word for word in words if word.isalpha() and len(word) > 3}


def doubled_units(text: str, units: set[str]) -> list[str]:
    found = [m.group(0) for m in DOUBLED.finditer(text) if m.group(1) in units]
    found += [m.group(0) for m in re.finditer(r"\b\d+ (\w+) of \d+ \1\b", text) if m.group(1) in units]
    return found


@pytest.mark.slow
def test_no_doubled_unit_on_the_built_site(tmp_path_factory: pytest.TempPathFactory) -> None:
    site = built_site(tmp_path_factory)
    units = _units()
    assert {"patients", "cases"} <= units
    found = []
    for page in sorted(site.glob("chapters/*.html")) + [site / "index.html"]:
        page_text = re.sub(r'<span class="ankl-def".*?</span>', " ", page.read_text(encoding="utf-8"), flags=re.S)
        text = " ".join(html.unescape(re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", page_text, flags=re.S)).split())
        found += [f"{page.name}: {hit}" for hit in doubled_units(text, units)]
    assert found == []


def test_site_scan_reads_real_pages(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text("<p>In 68 patients (<a>Wang et al., 2015</a>) patients</p>", encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())
    assert DOUBLED.search(text)


def test_us_spellings_are_found_outside_quotations_and_names() -> None:
    from ankl_course.spelling import us_spellings

    text = ('Aggressive NK-cell leukemia with anemia and a tumor. "NK/T-cell leukemia" is the registry\'s '
            "wording; {kommalapati2018.median_age_nk_leukemia}; ax.plot(color='red'); Leukemia Research.")
    assert us_spellings(text) == [("leukemia", "leukaemia"), ("anemia", "anaemia"), ("tumor", "tumour"),
                                  ("Leukemia", "Leukaemia")]


@pytest.mark.slow
def test_check_fails_on_a_us_spelling_in_a_bank(data_copy: Path) -> None:
    from conftest import run_cli

    bank = data_copy / "quizzes" / "05_treatment.toml"
    text = bank.read_text(encoding="utf-8")
    assert "aggressive NK-cell leukaemia?" in text
    bank.write_text(text.replace("aggressive NK-cell leukaemia?", "aggressive NK-cell leukemia?", 1), encoding="utf-8")
    done = run_cli("check")
    assert done.returncode == 1
    assert "05_treatment.toml: question[0].prompt: US spelling 'leukemia': the course writes 'leukaemia'" in done.stdout


def test_seed_means_a_random_seed_only() -> None:
    """'seed 002' named a source text by its file number; only random seeds keep the word."""
    from ankl_course.spelling import seed_words

    text = ("Seed 002 says so; the seeds disagree; a seed text. Synthetic data (random seed 11), "
            "generated from a fixed seed; fixed seeds; quiz.ask('seed-phenotype'); generate(seed=SEED); "
            "{claim:seed002-age}.")
    found = seed_words(text)
    assert len(found) == 3, found
    assert "Seed 002" in found[0] and "the seeds" in found[1] and "a seed text" in found[2]


def test_check_fails_on_a_source_text_called_seed(tmp_path: Path, data_copy: Path) -> None:
    import json

    from conftest import run_cli

    from ankl_course.content import Checker

    bank = data_copy / "quizzes" / "04_clinical_picture.toml"
    text = bank.read_text(encoding="utf-8")
    assert "The source texts give rough ranges" in text
    bank.write_text(text.replace("The source texts give rough ranges", "The seeds give rough ranges"), encoding="utf-8")
    done = run_cli("check")
    assert done.returncode == 1
    assert "04_clinical_picture.toml: question[2].explanation: 'seed' outside a random seed" in done.stdout

    cells = [{"cell_type": "markdown", "metadata": {}, "source": "As seed 003 has it, and as a fixed seed makes it."},
             {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "notes"}}, "source": "Seed 001 here."}]
    notebook = tmp_path / "98_seed.ipynb"
    notebook.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    seeds = [p for p in Checker().run([notebook]) if "random seed" in p.message and p.path == str(notebook)]
    assert [p.location for p in seeds] == ["cell 1"]  # speaker notes are the teacher's words


def test_sample_titles_and_exercise_text_are_spelt_the_course_way() -> None:
    """A synthetic sample's title heads its figures and printouts; an exercise is course text too."""
    from ankl_course import cytometry
    from ankl_course.content import Checker
    from ankl_course.spelling import data_texts, us_spellings

    assert cytometry.generate("ankl_pb", 100, seed=1).title == "Aggressive NK-cell leukaemia, peripheral blood"
    titles = [text for _, text in data_texts({"sample": {"a": {"title": "T-cell leukemia"}}})]
    assert titles == ["T-cell leukemia"] and us_spellings(titles[0]) == [("leukemia", "leukaemia")]
    # An exercise's reference list keeps the titles' own spelling; its text is the course's.
    text = 'A tumor in leukemia.\n- <a id="ref-x"></a>Smith J. NK-cell leukemia. *Blood* 2020.'
    assert us_spellings(text) == [("tumor", "tumour"), ("leukemia", "leukaemia")]
    checker = Checker()
    checker.check_exercises()
    assert [p for p in checker.problems if "US spelling" in p.message] == []
