"""Issue 13, item 1: speaker notes reach the teacher only, never the student's workspace or the student pack."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from ankl_course.errors import CourseDataError
from ankl_course.export.build import read_chapter, student_pack
from ankl_course.resources import chapter_notebooks
from ankl_course.studentcopy import is_speaker_notes, student_notebook, student_text
from ankl_course.workspace import prepare_workspace


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _non_notes_ids(path: Path) -> list[str]:
    return [c["id"] for c in _cells(path) if not is_speaker_notes(c)]


def test_the_course_has_speaker_notes_to_remove() -> None:
    """Without notes in the course notebooks the tests below could not fail."""
    notes = sum(1 for path in chapter_notebooks() for c in _cells(path) if is_speaker_notes(c))
    assert notes >= 20, notes  # the primer has none; the chapters have several each


def test_workspace_copies_have_no_speaker_notes_and_every_other_cell(tmp_path: Path) -> None:
    prepare_workspace(tmp_path / "work")
    for source in chapter_notebooks():
        copy = tmp_path / "work" / source.name
        assert not [c for c in _cells(copy) if is_speaker_notes(c)], source.name
        assert [c["id"] for c in _cells(copy)] == _non_notes_ids(source), source.name


def test_an_unedited_workspace_copy_is_recognised_as_the_course_version(tmp_path: Path) -> None:
    work = tmp_path / "work"
    prepare_workspace(work)
    report = prepare_workspace(work)
    assert (report.added, report.updated, report.kept) == ([], [], [])


def test_student_pack_has_no_speaker_notes(tmp_path: Path) -> None:
    chapters = [read_chapter(path) for path in chapter_notebooks()]
    archive = student_pack(chapters, tmp_path)
    with zipfile.ZipFile(archive) as bundle:
        for chapter in chapters:
            data = json.loads(bundle.read(f"ankl-course/{chapter.path.name}"))
            assert not [c for c in data["cells"] if is_speaker_notes(c)], chapter.stem
            assert [c["id"] for c in data["cells"]] == _non_notes_ids(chapter.path)
            loose = tmp_path / "student-pack" / chapter.path.name
            assert json.loads(loose.read_text(encoding="utf-8")) == data


def test_student_copy_clears_outputs_and_keeps_the_source_unchanged() -> None:
    source = {"cells": [
        {"cell_type": "code", "metadata": {}, "source": "1", "outputs": [{"x": 1}], "execution_count": 3},
        {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "notes"}}, "source": "answer: B"},
    ], "metadata": {"widgets": {"state": {}}}}
    copy = student_notebook(source)
    cleared = {"cell_type": "code", "metadata": {}, "source": "1", "outputs": [], "execution_count": None}
    assert copy["cells"] == [cleared]
    assert "widgets" not in copy["metadata"]
    assert len(source["cells"]) == 2 and source["cells"][0]["outputs"]


def test_an_unreadable_notebook_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CourseDataError, match="broken.ipynb.*not a readable notebook"):
        student_text(broken)


def test_misfiled_notes_became_content() -> None:
    """Chapter 03's notes that a student needs (the FCS file, keeping one's gates) are content now."""
    cells = _cells(next(p for p in chapter_notebooks() if p.stem.startswith("03_")))
    for text in ("Every cytometry program (FlowJo, FCS Express, R's flowCore) opens such a file",
                 'ankl_lab.save("my_gates.toml")'):
        holders = [c for c in cells if text in "".join(c["source"])]
        assert holders and not any(is_speaker_notes(c) for c in holders), text
