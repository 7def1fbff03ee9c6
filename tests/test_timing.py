"""Issue 13, item 5: honest time. The stated time of every chapter agrees with the documented estimate."""

from __future__ import annotations

import json
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
