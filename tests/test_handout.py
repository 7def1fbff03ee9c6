"""Issue 13, item 8: "ANKL at a glance", the key points of every chapter, and the PDF handout
printed by Chromium, its pages checked as images."""

from __future__ import annotations

from pathlib import Path

import pytest
from exports_helpers import run_cli

from ankl_course import handout
from ankl_course.resources import chapter_notebooks

pytestmark = pytest.mark.slow
CHAPTER = "04_clinical_picture"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("handout") / "site"
    done = run_cli("build", "--out", str(out), "--only", CHAPTER)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_key_points_come_from_every_chapter() -> None:
    points = handout.key_points(chapter_notebooks())
    assert len(points) == len(chapter_notebooks())
    assert all("<li>" in body for _, body in points)
    # a chapter's key points may hold the first use of a glossary term, linked for JupyterLab: the
    # site's summary shows its text (glossary.ipynb is not part of the site)
    assert any("glossary.ipynb" in text for text in _key_point_markdown())
    assert not any("glossary.ipynb" in body for _, body in points)


def test_key_points_continued_in_the_next_cell_are_all_on_the_page() -> None:
    """Chapter 7's key points are split over two cells (each deck slide under 90 words); the summary
    page shows both halves and stops at the next heading."""
    points = dict(handout.key_points([p for p in chapter_notebooks() if p.stem == "07_reading_a_registry_study"]))
    body = points["Chapter 7: Reading a registry study"]
    assert body.count("<li>") == 4 and "A median of a few months" in body and "References" not in body


def _key_point_markdown() -> list[str]:
    from ankl_course.nbfile import cell_source, cells, read_notebook

    return [cell_source(c) for path in chapter_notebooks() for c in cells(read_notebook(path), "markdown")
            if handout.KEY_POINTS.search(cell_source(c))]


def test_summary_pages_are_in_the_site_and_linked(site: Path) -> None:
    glance = (site / "at-a-glance.html").read_text(encoding="utf-8")
    for heading in ("Phenotype", "Differential diagnosis", "HLH-2004", "Treatment outline", "Survival"):
        assert heading in glance
    assert 'href="references.html#ref-fujimoto2021"' in glance  # every number with its citation
    assert "Key points of every chapter" in (site / "key-points.html").read_text(encoding="utf-8")
    index = (site / "index.html").read_text(encoding="utf-8")
    for link in ("at-a-glance.html", "key-points.html", "ankl-course-handout.pdf", "glossary.html"):
        assert f'href="{link}"' in index


def test_the_pdf_handout_renders_and_its_pages_are_readable(site: Path, tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(str(site / "ankl-course-handout.pdf"))
    assert 2 <= len(document) <= 6, f"{len(document)} pages"
    first = document[0].get_textpage().get_text_range()
    assert "at a glance" in first and "Survival" in first and "Fujimoto" in first
    for number in range(len(document)):
        image = document[number].render(scale=1).to_pil().convert("L")
        image.save(tmp_path / f"page{number + 1}.png")
        dark = sum(image.histogram()[:128]) / (image.width * image.height)
        assert 0.005 < dark < 0.5, f"page {number + 1}: {dark:.3f} of the page is ink (blank or garbled)"
