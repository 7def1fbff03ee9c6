"""Instructor guide: one entry per chapter section, shown as speaker notes and as a guide page."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from ankl_course.errors import CourseDataError
from ankl_course.export.build import with_guide_notes
from ankl_course.guide import guide_html, load_guide, notes_markdown, section_headings
from ankl_course.resources import notebooks_dir


@pytest.mark.parametrize("chapter", ["06_survival_curves", "07_reading_a_registry_study"])
def test_chapters_6_and_7_have_a_guide_entry_for_every_section_but_the_references(chapter: str) -> None:
    guide = load_guide(chapter)
    assert guide is not None
    cells = json.loads((notebooks_dir() / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]
    headings = [h for _, h in section_headings(cells) if h != "References"]
    assert headings and all(guide.for_heading(h) is not None for h in headings), [
        h for h in headings if guide.for_heading(h) is None]
    assert 25 <= guide.minutes <= 60


def test_bad_entries_name_the_file_and_section(data_copy: Path) -> None:
    (data_copy / "guide").mkdir(exist_ok=True)
    path = data_copy / "guide" / "99_demo.toml"
    path.write_text('[[section]]\nheading = "Intro"\nminutes = 0\nsay = "x"\n', encoding="utf-8")
    with pytest.raises(CourseDataError) as error:
        load_guide("99_demo")
    assert "99_demo.toml" in str(error.value) and "section 1" in str(error.value) and "minutes" in str(error.value)
    path.write_text('[[section]]\nheading = "Intro"\nminutes = 3\nsay = "x"\nsaying = "typo"\n', encoding="utf-8")
    with pytest.raises(CourseDataError, match="unknown field"):
        load_guide("99_demo")


def test_notes_follow_each_section_heading_in_the_deck(data_copy: Path) -> None:
    (data_copy / "guide").mkdir(exist_ok=True)
    (data_copy / "guide" / "99_demo.toml").write_text(
        '[[section]]\nheading = "Intro"\nminutes = 3\nsay = "Say hello."\nmisconceptions = ["None."]\n'
        'try_answers = "Forty-two."\nlive = "Drag it."\ndiscussion = ["Why?"]\n', encoding="utf-8")
    guide = load_guide("99_demo")
    assert guide is not None
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Intro to it"),
                                         nbformat.v4.new_markdown_cell("## Other")])
    decked = with_guide_notes(nb, guide)
    assert len(nb.cells) == 2, "the executed notebook is not changed"
    assert [c.metadata.get("slideshow", {}).get("slide_type") for c in decked.cells] == [None, "notes", None]
    note = notes_markdown(guide.sections[0])
    assert decked.cells[1].source == note and "**3 min.** Say hello." in note and "Forty-two." in note
    page = guide_html("Demo", guide, ["Intro to it", "Other"])
    assert "Why?" in page and "Drag it." in page and "without guide notes yet: Other" in page
