"""Issue 13, item 5: honest time. The stated time of every chapter agrees with the documented estimate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

from ankl_course import timing
from ankl_course.content import Checker
from ankl_course.resources import chapter_notebooks


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "-"}}, "source": text}


def _code(text: str, slide: str = "-") -> dict:
    return {"cell_type": "code", "metadata": {"slideshow": {"slide_type": slide}}, "source": text}


def test_the_estimate_adds_what_the_chapter_asks() -> None:
    cells = [
        _md("word " * 240),                                              # 2 minutes of reading
        _md("Speaker notes: " + "word " * 600) | {"metadata": {"slideshow": {"slide_type": "notes"}}},
        _code('facts.say("one two three four five six")'),              # read, like Markdown
        _code('quiz.ask("a", "b")'),                                    # 2 questions
        _code('predict.ask("p")'),                                      # 1 prompt
        _code("Explorer(render, {})\nfigures.show(fig, alt='x')"),        # 1 explorer, 1 figure
        _code("my_answer = None\ncheck(my_answer)"),                    # 1 exercise
    ]
    found = timing.estimate(cells)
    assert (found.words, found.questions, found.prompts, found.explorers, found.figures, found.exercises) == (
        246, 2, 1, 1, 1, 1)
    expected = (246 / timing.READING_WPM + 2 * timing.PER_QUESTION + timing.PER_PROMPT + timing.PER_EXPLORER
                + timing.PER_FIGURE + timing.PER_EXERCISE)
    assert abs(found.minutes - expected) < 1e-9


def test_explorers_and_figures_shown_by_library_calls_count_once_each() -> None:
    """Issue 13, item 3 moved figure and widget code into the library: a chapter's cell is one call."""
    cells = [
        _code("nkcells.balance_explorer()"),                           # 1 explorer
        _code("treatment.regimen_explorer(formulary)"),                # 1 explorer
        _code("nkcells.show_subsets()"),                               # 1 figure
        _code('clinical.show_ages(claims.by_topic("age"))'),           # 1 figure
        _code('reading_list.show_references("01_nk_cell_biology")'),   # a reference list, not a figure
    ]
    found = timing.estimate(cells)
    assert (found.explorers, found.figures) == (2, 2)


def test_an_explorer_counts_once_whatever_its_view_is_called() -> None:
    cells = [_code('Explorer(\n    survival.SampleSizeExplorer(model),\n    {"n": slider},\n)'),
             _code("Explorer(nkcells.view, {})")]
    assert timing.estimate(cells).explorers == 2


def test_tolerance_is_25_percent() -> None:
    assert not timing.stated_off(50, 40.5) and timing.stated_off(50, 39.0)


def test_every_chapter_states_an_honest_time() -> None:
    checker = Checker()
    problems = checker.run()
    assert not [p for p in problems if p.location == "Estimated time"]
    assert set(checker.times) == {p.stem for p in chapter_notebooks()}
    for chapter, (stated, estimated) in checker.times.items():
        assert stated is not None and not timing.stated_off(stated, estimated), chapter


@pytest.mark.slow
def test_check_fails_when_a_stated_time_is_far_off(tmp_path: Path) -> None:
    source = chapter_notebooks()[1]
    data = json.loads(source.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        cell["source"] = [line.replace("Estimated time: ", "Estimated time: 3") for line in cell["source"]]
    broken = tmp_path / source.name
    broken.write_text(json.dumps(data), encoding="utf-8")
    done = run_cli("check", str(broken))
    assert done.returncode == 1
    assert f"{source.name}: Estimated time: states 3" in done.stdout and "more than 25% off" in done.stdout


def test_optional_sections_are_estimated_apart_from_the_stated_time() -> None:
    cells = [
        _md("## Gating\n\n" + "word " * 120),
        _md("### Optional exercise: a second patient\n\nNot counted."),
        _code("lab = cytometry.draw_gates(sample)"),                      # optional: 1 exercise
        _md("A paragraph inside the optional section " + "word " * 114),
        _md("## The differential\n\n" + "word " * 117),                  # a level-2 heading ends it
        _code('quiz.ask("a")'),
    ]
    core, optional = timing.split_optional(cells)
    assert [c["source"][:12] for c in optional] == ["### Optional", "lab = cytome", "A paragraph "]
    assert timing.estimate(core).exercises == 0 and timing.estimate(core).questions == 1
    assert timing.estimate(optional).exercises == 1
    # A deeper heading inside the optional section does not end it.
    nested = [_md("## Optional: more practice"), _md("### Step 1"), _code('quiz.ask("b")'), _md("## Next")]
    assert [c["source"] for c in timing.split_optional(nested)[1]] == [
        "## Optional: more practice", "### Step 1", 'quiz.ask("b")']


def test_a_figure_made_and_shown_in_one_cell_counts_once() -> None:
    cells = [
        _code('fig, ax = figures.new_figure("wide")\nax.plot([1])\nfigures.show(fig, alt="a line")'),
        _code("figures.show(nkcells.decision_map_figure(), alt=nkcells.decision_map_alt())"),
        _code('survival.survival_figure(cohort, title="Overall survival")'),   # shown by the library
        _code('figures.show(a_figure(), alt="a")\nfigures.show(b_figure(), alt="b")'),
    ]
    assert timing.estimate(cells).figures == 5


def test_check_fails_on_a_chapter_over_an_hour(tmp_path: Path) -> None:
    source = next(p for p in chapter_notebooks() if p.stem.startswith("01_"))
    data = json.loads(source.read_text(encoding="utf-8"))
    data["cells"].append(_md("## More\n\n" + "word " * (timing.READING_WPM * 40)))   # 40 more minutes
    for cell in data["cells"]:
        text = "".join(cell["source"])
        cell["source"] = re.sub(r"Estimated time: \d+ minutes", "Estimated time: 75 minutes", text)
    broken = tmp_path / source.name
    broken.write_text(json.dumps(data), encoding="utf-8")
    messages = [p.message for p in Checker().run([broken]) if p.location == "Estimated time"]
    assert any("over 60" in m and "split or trim" in m for m in messages), messages


def test_reading_a_share_from_gates_just_drawn_is_part_of_the_drawing() -> None:
    drawn = [_code("lab = cytometry.draw_gates(sample)\nlab"),
             _code('my_answer = None\nlab.check_share(my_answer, "CD56bright NK")')]
    typed = [_code("my_answer = None\ncheck(my_answer)")]
    assert timing.estimate(drawn).exercises == 1
    assert timing.estimate(typed).exercises == 1


def test_a_heading_written_by_facts_say_ends_an_optional_section() -> None:
    cells = [_md("## Optional practice"), _code('quiz.ask("a")'),
             _code('facts.say(\n    "## Next section\\n\\n"\n    "Text of {x.y}."\n)'), _code('quiz.ask("b")')]
    core, optional = timing.split_optional(cells)
    assert [c["source"] for c in optional] == ["## Optional practice", 'quiz.ask("a")']
    assert timing.estimate(core).questions == 1
