"""The course map: read from chapter notebooks, in step with them, tolerant of drafts, strict on junk."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from ankl_course.errors import CourseDataError
from ankl_course.syllabus import chapters, course_map_html, minutes, plain, read_chapter, total_minutes


def write_notebook(path: Path, *markdown: str) -> Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in markdown]
    cells.append({"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None})
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    return path


OBJECTIVES = """## Learning objectives

By the end you can:

- Explain **missing self** ([Karre et al., 1986](#ref-karre1986))
* Name two activating receptors
1. Tell NK cells from T cells

Estimated time: 1 hour 15 minutes
Prerequisites: Chapter 00; basic immunology
"""


def test_reads_title_objectives_time_and_prerequisites(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "01_nk.ipynb", "# Chapter 1: NK-cell biology\n\nIntro.", OBJECTIVES)
    chapter = read_chapter(path)
    assert chapter.number == 1
    assert chapter.title == "NK-cell biology"
    assert chapter.objectives == (
        "Explain missing self (Karre et al., 1986)",
        "Name two activating receptors",
        "Tell NK cells from T cells",
    )
    assert chapter.time == "1 hour 15 minutes"
    assert chapter.minutes == 75
    assert chapter.prerequisites == "Chapter 00; basic immunology"


def test_source_given_as_list_of_lines(tmp_path: Path) -> None:
    path = tmp_path / "02_x.ipynb"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Chapter 2: EBV\n", "\n", "text"]},
             {"cell_type": "markdown", "metadata": {}, "source": OBJECTIVES.splitlines(keepends=True)}]
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    assert read_chapter(path).title == "EBV"
    assert len(read_chapter(path).objectives) == 3


def test_draft_chapter_without_objectives_still_listed(tmp_path: Path) -> None:
    chapter = read_chapter(write_notebook(tmp_path / "05_draft.ipynb", "Some text, no title yet."))
    assert chapter.title == "05_draft"
    assert chapter.objectives == () and chapter.time == "" and chapter.minutes is None
    html = course_map_html([chapter])
    assert "(not stated yet)" in html and "not stated" in html


def test_unreadable_notebook_is_a_course_data_error(tmp_path: Path) -> None:
    bad = tmp_path / "03_bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(CourseDataError, match="not a readable notebook"):
        read_chapter(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("45 minutes", 45), ("1 hour", 60), ("1.5 hours", 90), ("2 h 5 min", 125), ("about 30 mins", 30),
     ("", None), ("a while", None)],
)
def test_minutes(text: str, expected: int | None) -> None:
    assert minutes(text) == expected


def test_plain_keeps_words_of_links_and_drops_emphasis() -> None:
    assert plain("See **[WHO 2022](#ref-alaggio2022)** and `code`") == "See WHO 2022 and code"
    assert plain("ankl_course stays") == "ankl_course stays"


def test_map_escapes_html_and_sums_time(tmp_path: Path) -> None:
    one = read_chapter(write_notebook(tmp_path / "00_a.ipynb", "# Chapter 0: A <b>&</b>", OBJECTIVES))
    two = read_chapter(write_notebook(tmp_path / "01_b.ipynb", "# B",
                                      "## Learning objectives\n- x\n\nEstimated time: 45 minutes\n"))
    html = course_map_html([one, two])
    assert "A &lt;b&gt;&amp;&lt;/b&gt;" in html
    assert total_minutes([one, two]) == 120
    assert "2 chapters, about 2 h 00 min in all" in html
    assert html.index(">00<") < html.index(">01<")


def test_course_map_follows_the_real_notebooks() -> None:
    from ankl_course.resources import chapter_notebooks
    from ankl_course.syllabus import readable_chapters

    readable, unreadable = readable_chapters()  # other chapters may be mid-edit while this runs
    found = {c.stem: c for c in readable}
    assert sorted([*found, *(Path(name).stem for name in unreadable)]) == [p.stem for p in chapter_notebooks()]
    # The two chapters this module ships with must show completely; drafts of others may be partial.
    for stem in ("00_welcome", "01_nk_cell_biology"):
        if stem in found:
            assert found[stem].title != stem and found[stem].objectives and found[stem].minutes, stem


def test_chapter_not_yet_present_is_not_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_notebook(tmp_path / "00_welcome.ipynb", "# Chapter 0: Welcome", OBJECTIVES)
    monkeypatch.setenv("ANKL_COURSE_NOTEBOOKS", str(tmp_path))
    assert [c.stem for c in chapters()] == ["00_welcome"]


def test_course_map_survives_a_half_saved_chapter(tmp_path: Path) -> None:
    from ankl_course.syllabus import course_map, readable_chapters

    good = write_notebook(tmp_path / "00_a.ipynb", "# Chapter 0: A", OBJECTIVES)
    bad = tmp_path / "01_b.ipynb"
    bad.write_text('{"cells": [')
    found, unreadable = readable_chapters([good, bad])
    assert [c.stem for c in found] == ["00_a"] and unreadable == ["01_b.ipynb"]
    html = course_map([good, bad]).data
    assert "Could not be read (being edited?): 01_b.ipynb." in html
    with pytest.raises(CourseDataError):
        chapters([good, bad])


def test_chapter_card_and_time_figure(tmp_path: Path) -> None:
    from ankl_course.syllabus import chapter_card_html, time_figure

    one = read_chapter(write_notebook(tmp_path / "00_a.ipynb", "# Chapter 0: Alpha", OBJECTIVES))
    draft = read_chapter(write_notebook(tmp_path / "01_b.ipynb", "# Chapter 1: Beta"))
    card = chapter_card_html(one)
    assert "Chapter 0: Alpha" in card and "1 hour 15 minutes" in card
    assert "<li>Name two activating receptors</li>" in card
    assert "(not stated yet)" in chapter_card_html(draft)
    fig, alt = time_figure([one, draft])
    assert alt.startswith("Horizontal bar chart") and "chapter 0, Alpha: 75 minutes" in alt and "Beta" not in alt
    _, empty = time_figure([draft])
    assert empty.startswith("Empty chart")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_welcome_shows_the_map_and_a_demo_of_every_question_type() -> None:
    from ankl_course.nbfile import notebook_text
    from ankl_course.quiz_bank import TYPES, bank_path, load_bank
    from ankl_course.resources import notebooks_dir

    text = notebook_text(notebooks_dir() / "00_welcome.ipynb")
    assert "syllabus.course_map()" in text and "DISCLAIMER" in text
    demos = load_bank(bank_path("00_welcome")).section("how-quizzes-work")
    assert sorted(q.type for q in demos) == sorted(TYPES)
    for question in demos:
        assert f'quiz.ask("{question.id}")' in text


def test_the_site_and_the_map_read_titles_with_one_parser(tmp_path: Path) -> None:
    chapter = read_chapter(write_notebook(tmp_path / "01_nk.ipynb", "# Chapter 1: NK-cell *biology*", OBJECTIVES))
    assert (chapter.title, chapter.heading) == ("NK-cell biology", "Chapter 1: NK-cell biology")
    assert read_chapter(write_notebook(tmp_path / "notes.ipynb", "# Notes")).heading == "Notes"
    from ankl_course.export.build import index_page, select_chapters

    for built in select_chapters(None):  # the site's index and the course map, from the same parse
        assert built.heading == (built.title if built.optional else f"Chapter {built.number}: {built.title}")
        assert f">{html.escape(built.heading)}</a>" in index_page([built], teacher=False)
        assert f'<th scope="row">{html.escape(built.title)}</th>' in course_map_html([built])


def test_wrapped_objectives_and_prerequisites_stay_whole(tmp_path: Path) -> None:
    """Issue 13: the map cut wrapped bullets and lost the second line of prerequisites."""
    text = ("## Learning objectives\n\n- tell ANKL apart from NK-LGLL and\n  extranodal NK/T-cell lymphoma;\n"
            "- apply HLH-2004.\n\nEstimated time: 45 minutes\n\nPrerequisites: chapters 2, 3, 4,\n5 and 6.\n")
    chapter = read_chapter(write_notebook(tmp_path / "07_c.ipynb", "# Chapter 7: C", text))
    assert chapter.objectives == ("tell ANKL apart from NK-LGLL and extranodal NK/T-cell lymphoma;", "apply HLH-2004.")
    assert chapter.prerequisites == "chapters 2, 3, 4, 5 and 6."
    assert chapter.time == "45 minutes"


def test_no_objective_of_the_course_is_cut() -> None:
    """Every bullet of the real chapters ends as a sentence or clause ends, not mid-phrase."""
    for chapter in chapters():
        for objective in chapter.objectives:
            assert objective.rstrip().endswith((";", ".", ":", ")")), (chapter.stem, objective)


def test_objectives_continued_in_the_next_cells_are_read_up_to_the_next_heading(tmp_path: Path) -> None:
    """A long objectives list split over two cells (one slide each in the deck) is one list; speaker
    notes between them are not objectives, and the next section's bullets are not either."""
    def markdown(text: str, slide_type: str = "subslide") -> dict[str, object]:
        return {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": slide_type}}, "source": text}

    cells = [markdown("# Chapter 1: NK-cell biology", "slide"),
             markdown("## Learning objectives\n\nBy the end you can:\n\n- Explain missing self\n- Name a receptor",
                      "slide"),
             markdown("- Not an objective: a note to the teacher", "notes"),
             markdown("- Tell NK cells from T cells\n\nEstimated time: 50 minutes\nPrerequisites: Chapter 00"),
             markdown("## Innate immunity\n\n- a bullet of the next section", "slide")]
    path = tmp_path / "01_nk.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    chapter = read_chapter(path)
    assert chapter.objectives == ("Explain missing self", "Name a receptor", "Tell NK cells from T cells")
    assert (chapter.minutes, chapter.prerequisites) == (50, "Chapter 00")


def test_chapter_explorer_shows_the_card_of_the_chapter_picked() -> None:
    """Chapter 00's chapter finder (moved out of the notebook, issue 13 item 3)."""
    from ankl_course.syllabus import chapter_card_html, chapter_explorer

    found = chapters()
    explorer = chapter_explorer(found)
    menu = explorer.controls["chapter"]
    assert [value for _, value in menu.options] == [c.stem for c in found]
    assert menu.options[0][0] == f"{found[0].number:02d} {found[0].title}"
    # The optional appendix is labelled as the map labels it, not "-1".
    assert [label for label, _ in menu.options if "Appendix" in label] == [
        "optional Appendix: How the synthetic cohort was fitted"]
    assert explorer.shown().data == chapter_card_html(found[0])
    menu.value = found[-1].stem
    assert explorer.shown().data == chapter_card_html(found[-1])


def test_the_map_lists_chapters_00_to_08_in_order_then_the_optional_appendix() -> None:
    """Issue 13 item 4: chapter 06 became chapters 6 and 7, the capstone is chapter 8, and the model
    calibration is an appendix the map shows as optional and leaves out of the course's time."""
    found = chapters()
    numbered = [c for c in found if not c.optional]
    assert [c.number for c in numbered] == [0, 0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert [c.title for c in numbered[-3:]] == ["Survival curves", "Reading a registry study",
                                                "Capstone case, from presentation to the transplant decision"]
    appendix = found[-1]
    assert [c.stem for c in found if c.optional] == ["appendix_cohort_calibration"] and appendix.optional
    assert appendix.title.startswith("Appendix:") and appendix.minutes and appendix.objectives
    page = course_map_html(found)
    assert total_minutes(found) == total_minutes(numbered)
    assert f"10 chapters, about {total_minutes(numbered) // 60} h" in page and "and 1 optional appendix" in page
    rows = re.findall(r"<tr><td>([^<]+)</td><th scope=\"row\">([^<]+)</th>", page)
    assert [label for label, _ in rows] == ["00", "00", "01", "02", "03", "04", "05", "06", "07", "08", "optional"]
    assert rows[-1][1] == html.escape(appendix.title)


def test_an_appendix_is_optional_by_its_file_name(tmp_path: Path) -> None:
    extra = read_chapter(write_notebook(tmp_path / "appendix_more.ipynb", "# Appendix: More",
                                        "## Learning objectives\n- x\n\nEstimated time: 5 minutes (optional)\n"))
    chapter = read_chapter(write_notebook(tmp_path / "01_b.ipynb", "# Chapter 1: B",
                                          "## Learning objectives\n- x\n\nEstimated time: 45 minutes\n"))
    assert extra.optional and not chapter.optional
    assert (extra.label, extra.heading, chapter.label) == ("optional", "Appendix: More", "01")
    assert total_minutes([chapter, extra]) == 45


def test_a_glossary_link_whose_definition_has_parentheses_stays_out_of_the_map(tmp_path: Path) -> None:
    """The map showed '"), event-free survival' after a glossary link whose definition held '(...)'."""
    link = ('[overall survival](glossary.ipynb#cell-id=term-os "OS: the time from a starting point (diagnosis, '
            'a transplant) to death from any cause.")')
    text = f"## Learning objectives\n\n- say what {link} measures (and from when).\n\nEstimated time: 5 minutes\n"
    chapter = read_chapter(write_notebook(tmp_path / "06_s.ipynb", "# Chapter 6: S", text))
    assert chapter.objectives == ("say what overall survival measures (and from when).",)
    for found in chapters():
        for item in found.objectives + (found.prerequisites,):
            assert "glossary.ipynb" not in item and '")' not in item, (found.stem, item)
