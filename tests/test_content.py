"""`ankl-course check`: passes on the course, and names file, place and problem when content is broken."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

from ankl_course.content import Checker, check_course
from ankl_course.nbfile import MAX_FOLDED_CODE_LINES
from ankl_course.quiz_bank import bank_path, load_bank
from ankl_course.resources import APPENDIX_PREFIX, chapter_notebooks, data_path


def test_course_content_is_valid() -> None:
    problems = check_course()
    assert not problems, "\n".join(str(p) for p in problems)


@pytest.mark.slow
def test_check_command_passes_on_the_course() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Course content OK." in result.stdout


def test_every_chapter_has_a_bank_used_by_its_notebook() -> None:
    """Every numbered chapter opens a quiz session on its own bank and every bank belongs to a chapter
    (an optional appendix asks no questions); the two banks split from chapter 06 each have a chapter."""
    numbered = [p for p in chapter_notebooks() if not p.stem.startswith(APPENDIX_PREFIX)]
    for notebook in numbered:
        text = notebook.read_text(encoding="utf-8")
        assert f'QuizSession(\\"{notebook.stem}\\")' in text, f"{notebook.name} has no quiz session"
    banks = sorted(p.stem for p in data_path("quizzes").glob("*.toml"))
    assert banks == [p.stem for p in numbered]


def test_every_question_of_every_bank_is_asked_or_borrowed() -> None:
    """No question of a bank is left out: each is asked in its chapter (quiz.ask, ask_section) or
    borrowed by a warm-up or the pre-test (so splitting a bank cannot strand a question)."""
    asked: set[str] = set()
    for notebook in chapter_notebooks():
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            for call in re.findall(r"quiz\.ask\(([^)]*)\)", text):
                asked.update(f"{notebook.stem}/{qid}" for qid in re.findall(r"[\"']([^\"']+)[\"']", call))
            for name in re.findall(r"quiz\.ask_section\([\"']([^\"']+)", text):
                bank = load_bank(bank_path(notebook.stem))
                asked.update(f"{notebook.stem}/{q.id}" for q in bank.questions.values() if q.section == name)
    borrowed = {ref for p in data_path("quizzes").glob("*.toml") for ref in
                [*load_bank(p).warmup, *load_bank(p).pretest]}
    every = {f"{p.stem}/{qid}" for p in data_path("quizzes").glob("*.toml") for qid in load_bank(p).questions}
    assert every - asked - borrowed == set()


@pytest.mark.slow
def test_check_fails_precisely_on_a_broken_quiz_bank(data_copy: Path) -> None:
    bank = data_copy / "quizzes" / "07_reading_a_registry_study.toml"
    text = bank.read_text(encoding="utf-8")
    assert "explanation = " in text
    broken = "\n".join(line for line in text.splitlines() if not line.startswith("explanation = "))
    bank.write_text(broken, encoding="utf-8")
    result = run_cli("check", env={"ANKL_COURSE_DATA": str(data_copy)})
    assert result.returncode == 1
    first_question = next(line for line in text.splitlines() if line.startswith("id = "))
    qid = first_question.split('"')[1]
    assert f"{bank}: question {qid}: missing explanation (a non-empty text)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_check_fails_on_a_bank_whose_right_option_is_the_longest(data_copy: Path) -> None:
    """The answer-length cue fails the check, naming the file, the questions and the figure."""
    bank = data_copy / "quizzes" / "07_reading_a_registry_study.toml"
    text = bank.read_text(encoding="utf-8")
    padded = re.sub(r'(text = "[^"]*)("\n\s*correct = true)', r"\1, as the course explains at length\2", text)
    assert padded.count("as the course explains at length") == text.count("correct = true")
    bank.write_text(padded, encoding="utf-8")
    result = run_cli("check", env={"ANKL_COURSE_DATA": str(data_copy)})
    assert result.returncode == 1, result.stdout
    line = next(line for line in result.stdout.splitlines() if "answer-length cue" in line)
    assert line.startswith(f"{bank}: single-choice options: answer-length cue: the right option is the longest "
                           "in 7 of 7 questions (chance: 2.3; p = 0.000): ")
    assert "logrank-meaning (right " in line and "abstract-nrm (right " in line
    assert "lengthen the wrong options or shorten the right one" in line
    assert "Course content OK." not in result.stdout


@pytest.mark.slow
def test_check_fails_precisely_on_a_broken_facts_file(data_copy: Path) -> None:
    facts_file = data_copy / "facts.toml"
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace('cite = "fujimoto2021"', 'cite = "fujimoto2012"', 1), encoding="utf-8")
    result = run_cli("check", env={"ANKL_COURSE_DATA": str(data_copy)})
    assert result.returncode == 1
    assert f"{facts_file}: fact fujimoto2021.n_patients: citation key 'fujimoto2012' is not in references.toml" in (
        result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_check_reports_a_reference_nobody_cites(data_copy: Path) -> None:
    refs = data_copy / "references.toml"
    refs.write_text(
        refs.read_text(encoding="utf-8") + '\n[orphan1999]\nauthors = "Orphan A"\ntitle = "Unused"\n'
        'journal = "J"\nyear = 1999\nurl = "https://example.org"\n', encoding="utf-8")
    problems = [str(p) for p in check_course()]
    assert f"{refs}: [orphan1999]: reference never cited by any chapter, quiz or fact" in problems


def _notebook(tmp_path: Path, cells: list[dict]) -> Path:
    path = tmp_path / "98_broken.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    return path


def _md(text: str, slide: str = "slide") -> dict:
    return {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": slide}}, "source": text}


def _code(text: str, slide: str = "-") -> dict:
    """A helper code cell, folded as the course folds them (issue 13)."""
    return {"cell_type": "code", "metadata": {"slideshow": {"slide_type": slide}, "jupyter": {"source_hidden": True}},
            "source": text, "outputs": [], "execution_count": None}


GOOD = [
    _md("# Chapter 98: Broken"),
    _md("## Learning objectives\n- one\n\nEstimated time: 5 minutes\n\nPrerequisites: none"),
    _code('from ankl_course.quiz import QuizSession\nquiz = QuizSession("07_reading_a_registry_study")', "skip"),
    _md("## Key points\n- x"),
    _md("## References"),
]


def test_a_well_formed_notebook_passes(tmp_path: Path) -> None:
    assert Checker().run([_notebook(tmp_path, GOOD)]) == []


def test_unfolded_code_must_be_student_code(tmp_path: Path) -> None:
    shown = _code("x = 1")
    del shown["metadata"]["jupyter"]
    problems = Checker().run([_notebook(tmp_path, GOOD + [shown])])
    assert [p.location for p in problems] == ["cell 6"] and "helper code shown to students" in problems[0].message
    shown["metadata"]["tags"] = ["student-code"]
    assert Checker().run([_notebook(tmp_path, GOOD + [shown])]) == []


def test_a_long_folded_helper_cell_fails_naming_notebook_cell_and_lines(tmp_path: Path) -> None:
    drawing = _code("fig, ax = figures.new_figure()\nax.set_axis_off()\nax.set_xlim(0, 10)\n"
                    "ax.text(1, 1, 'label')\nfigures.show(fig, alt='A diagram.')")
    prose = _code('facts.say(\n    "One sentence "\n    "and another "\n    "and a third."\n)')
    path = _notebook(tmp_path, GOOD + [drawing, prose])
    problems = Checker().run([path])
    assert [(Path(p.path).name, p.location, p.message) for p in problems] == [
        ("98_broken.ipynb", "cell 6", f"folded helper cell has 5 lines of code (at most {MAX_FOLDED_CODE_LINES}): "
         "move its figure or widget code into the library")]


def test_a_checked_cell_with_its_text_output_passes(tmp_path: Path) -> None:
    checked = {**_code("# NBVAL_CHECK_OUTPUT\nprint(59)"), "execution_count": 1,
               "outputs": [{"output_type": "stream", "name": "stdout", "text": "59\n"}]}
    assert Checker().run([_notebook(tmp_path, GOOD + [checked])]) == []


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (GOOD[:3] + GOOD[4:], ": missing a 'Key points' section"),
        ([GOOD[0], _md("## Learning objectives\n- one")] + GOOD[2:], ": missing a time estimate"),
        (GOOD + [_md("Survival was 33.9% at a year.")], "cell 6: number '33.9%' typed in Markdown"),
        (GOOD + [_code('quiz.ask("not-a-question")')], "cell 6: quiz question 'not-a-question' not in"),
        (GOOD + [_code("import matplotlib.pyplot as plt\nplt.show()")], "cell 6: figure shown without alt text"),
        (GOOD + [_md("![](figure.png)")], "cell 6: Markdown image without alt text"),
        (GOOD + [_md("TODO: write this")], "cell 6: placeholder text 'TODO'"),
        (GOOD + [_md("See [X](#ref-nobody2000).")], "cell 6: citation key 'nobody2000' has no entry"),
        (GOOD + [{**_md("text"), "metadata": {}}], "cell 6: missing slide metadata"),
        (GOOD + [{**_code("1 + 1"), "outputs": [{"output_type": "stream", "name": "stdout", "text": "2"}]}],
         "cell 6: saved outputs"),
        (GOOD + [_code('facts.say("{fujimoto2021.no_such_fact}")')], "cell 6: fact 'fujimoto2021.no_such_fact'"),
        (GOOD + [_code("# NBVAL_CHECK_OUTPUT\nprint(1)")], "cell 6: NBVAL_CHECK_OUTPUT cell without its expected"),
        (GOOD + [{**_code("# NBVAL_CHECK_OUTPUT\nx"), "outputs": [
            {"output_type": "display_data", "data": {"image/png": "AAAA"}, "metadata": {}}]}],
         "cell 6: a checked cell may store only text outputs"),
        (GOOD + [{**_code("# NBVAL_CHECK_OUTPUT\nprint(1)"), "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "1\n"}]}], "cell 6: a checked cell with stored"),
        (GOOD + [_md("## Long\n\n" + "word " * 95)],
         "cell 6: slide 'Long' starting 'Long word word word word word word word'... has 96 words of prose"),
    ],
)
def test_notebook_problems_are_named(tmp_path: Path, cells: list[dict], expected: str) -> None:
    path = _notebook(tmp_path, cells)
    problems = [str(p) for p in Checker().run([path])]
    assert any(p.startswith(str(path)) and expected in p for p in problems), problems


def test_long_prose_in_paragraphs_passes_as_the_deck_splits_it(tmp_path: Path) -> None:
    two = _md("## Long\n\n" + "word " * 60 + "\n\n" + "word " * 60)
    assert Checker().run([_notebook(tmp_path, GOOD + [two])]) == []


CHAPTERS = [
    "00_welcome", "00_working_in_a_notebook", "01_nk_cell_biology", "02_ebv_link", "03_immunophenotyping",
    "04_clinical_picture",
    "05_treatment", "06_survival_curves", "07_reading_a_registry_study", "08_case_study",
    "appendix_cohort_calibration",
]


def test_all_chapters_are_present_in_order() -> None:
    assert [p.stem for p in chapter_notebooks()] == CHAPTERS
