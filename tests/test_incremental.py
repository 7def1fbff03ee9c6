"""Incremental builds: a chapter is rebuilt only when its notebook, the library, the data or the
options change. The chapter build itself is replaced by a recorder here (no kernel), so these
tests check the decisions in seconds; test_build.py checks the real site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ankl_course import handout
from ankl_course.export import build, incremental
from ankl_course.nbfile import cell_source
from ankl_course.resources import DATA_ENV, NOTEBOOKS_ENV, chapter_notebooks


@pytest.fixture()
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copies of three chapters and of the data folder, pointed at through the environment."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for path in chapter_notebooks()[:3]:
        shutil.copyfile(path, notebooks / path.name)
    data = tmp_path / "data"
    shutil.copytree(build.PACKAGE_DIR / "data", data)
    monkeypatch.setenv(NOTEBOOKS_ENV, str(notebooks))
    monkeypatch.setenv(DATA_ENV, str(data))
    return tmp_path


@pytest.fixture()
def executed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace executing and exporting a chapter (and copying assets, printing the handout) by a recorder."""
    calls: list[str] = []

    def fake_build(chapters: list, index: int, options: build.BuildOptions, workdir: Path) -> build.ChapterResult:
        stem = chapters[index].stem
        calls.append(stem)
        for name in build.chapter_outputs(stem) + (build.teacher_outputs(stem) if options.teacher else []):
            build._write(options.out / name, f"built {stem}")
        return build.ChapterResult(stem, 1, 0.5, 0.1)

    monkeypatch.setattr(build, "build_chapter", fake_build)
    monkeypatch.setattr(build.assets, "require", lambda vendor=None: Path("."))
    monkeypatch.setattr(build.assets, "copy_to_site", lambda target, vendor=None: target.mkdir(exist_ok=True))
    monkeypatch.setattr(build, "references_page", lambda chapters, teacher: "<p>refs</p>")
    # Printing the PDF handout starts Chromium: test_handout.py checks the real one.
    monkeypatch.setattr(build.handout, "print_pdf", lambda page, pdf, **_: pdf)
    return calls


def _build(out: Path, **options: object) -> list[build.ChapterResult]:
    return build.build_site(build.BuildOptions(out=out, **options), build.select_chapters(None))  # type: ignore[arg-type]


def _edit(notebook: Path) -> None:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    data["cells"][0]["source"] = "".join(data["cells"][0]["source"]) + " (edited)"
    notebook.write_text(json.dumps(data), encoding="utf-8")


def test_a_rebuild_with_nothing_changed_executes_nothing(course: Path, executed: list[str]) -> None:
    stems = [p.stem for p in chapter_notebooks()]
    assert len(stems) == 3
    first = _build(course / "site")
    assert executed == stems and not any(r.reused for r in first)
    executed.clear()
    again = _build(course / "site")
    assert executed == [] and all(r.reused for r in again)
    assert (course / "site" / "chapters" / f"{stems[0]}.html").read_text() == f"built {stems[0]}"


def test_only_the_edited_chapter_is_rebuilt_and_force_rebuilds_all(course: Path, executed: list[str]) -> None:
    stems = [p.stem for p in chapter_notebooks()]
    _build(course / "site")
    executed.clear()
    _edit(course / "notebooks" / f"{stems[2]}.ipynb")
    _build(course / "site")
    assert executed == [stems[2]]
    executed.clear()
    _build(course / "site", force=True)
    assert executed == stems


def test_data_options_and_deleted_outputs_each_trigger_a_rebuild(course: Path, executed: list[str]) -> None:
    stems = [p.stem for p in chapter_notebooks()]
    site = course / "site"
    _build(site)
    executed.clear()
    facts = course / "data" / "facts.toml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _build(site)
    assert executed == stems, "a data change must rebuild every chapter (any chapter may read it)"
    executed.clear()
    _build(site, teacher=True)
    assert executed == stems, "the presenter build writes other files"
    executed.clear()
    (site / "slides-single" / f"{stems[1]}.slides.html").unlink()
    _build(site, teacher=True)
    assert executed == [stems[1]]


def test_chapters_left_out_lose_their_files(course: Path, executed: list[str]) -> None:
    stems = [p.stem for p in chapter_notebooks()]
    site = course / "site"
    _build(site)
    (course / "notebooks" / f"{stems[2]}.ipynb").unlink()
    _build(site)
    assert not (site / "chapters" / f"{stems[2]}.html").exists()
    assert not (site / incremental.STAMPS / f"{stems[2]}.json").exists()
    assert (site / "chapters" / f"{stems[0]}.html").exists()


def test_library_hash_covers_code_but_not_notebooks(tmp_path: Path) -> None:
    before = incremental.shared_digest()
    assert incremental.shared_digest() == before, "the hash must be stable"
    assert incremental.shared_digest("other assets") != before


@pytest.fixture()
def printed(executed: list[str], monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The handout PDFs printed (each print would start Chromium), after the recorder is in place."""
    pdfs: list[Path] = []

    def fake_print(page: Path, pdf: Path, **_: object) -> Path:
        pdf.write_bytes(b"%PDF-1.4 recorded")
        pdfs.append(pdf)
        return pdf

    monkeypatch.setattr(build.handout, "chromium", lambda: "chromium")
    monkeypatch.setattr(build.handout, "print_pdf", fake_print)
    return pdfs


def test_the_handout_is_printed_again_only_when_its_page_changed(course: Path, printed: list[Path]) -> None:
    """Printing starts Chromium, most of a no-op rebuild's time: a rebuild prints only if the page
    changed or the PDF is gone."""
    site = course / "site"
    _build(site)
    assert len(printed) == 1
    _build(site)
    assert len(printed) == 1, "nothing changed: no Chromium"
    notebook = next(p for p in (course / "notebooks").glob("*.ipynb")
                    if any(handout.KEY_POINTS.search(cell_source(c)) for c in json.loads(p.read_text())["cells"]))
    data = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in data["cells"] if handout.KEY_POINTS.search(cell_source(c)))
    cell["source"] = cell_source(cell) + "\n- A key point added for the test."
    notebook.write_text(json.dumps(data), encoding="utf-8")
    _build(site)
    assert len(printed) == 2, "the key points changed"
    (site / build.HANDOUT_PDF).unlink()
    _build(site)
    assert len(printed) == 3, "the PDF was deleted"
