"""Issue 13, item 2: predict, then reveal. Every open prompt has a place to write and a worked answer
kept closed until the student asks (open in the teacher build); the checker finds prompts without one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

from ankl_course import predict
from ankl_course.errors import CourseDataError
from ankl_course.resources import chapter_notebooks


def _write(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def test_a_prompt_without_a_worked_answer_is_an_error_naming_it(tmp_path: Path) -> None:
    body = '[[prompt]]\nid = "p1"\nchapter = "04_x"\nprompt = "Guess."\nanswer = " "\n'
    bad = _write(tmp_path / "predict.toml", body)
    with pytest.raises(CourseDataError, match=r"predict\.toml: prompt 1 \(p1\): has no hidden worked answer"):
        predict.load_prompts(bad)


def test_the_answer_is_closed_for_students_and_open_for_teachers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(predict.TEACHER_ENV, raising=False)
    shown = predict.ask("case-differential").html()
    assert re.search(r'<details class="ankl-predict-answer"><summary>', shown)
    assert re.search(r'<label for="([^"]+)">.*<textarea id="\1"', shown), "the box has no label"
    assert shown.index("<textarea") < shown.index("<details"), "the box to write in comes before the answer"
    assert "large granular lymphocytes" in shown.split("<details", 1)[1], "the worked answer is inside <details>"
    monkeypatch.setenv(predict.TEACHER_ENV, "1")
    assert '<details class="ankl-predict-answer" open>' in predict.ask("case-differential").html()


def test_shown_material_goes_above_the_box_and_computed_answers_inside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(predict.TEACHER_ENV, raising=False)
    shown = predict.ask("hlh-verdicts", show="<p>STORY</p>", extra="<p>VERDICTS</p>").html()
    before, after = shown.split("<details", 1)
    assert "STORY" in before and "VERDICTS" not in before and "VERDICTS" in after


def _cell(text: str, kind: str = "markdown", slide: str = "-") -> dict:
    return {"cell_type": kind, "metadata": {"slideshow": {"slide_type": slide}}, "source": text}


def test_check_flags_an_open_prompt_in_chapter_text() -> None:
    prompts = predict.load_prompts()
    path = Path("08_case_study.ipynb")
    bare = [_cell("Before reading on, write down your diagnosis."), _cell("It is ANKL.")]
    assert [w for w, _ in predict.check_notebook(path, bare, prompts)] == ["cell 1"]
    asked = [bare[0], _cell('predict.ask("case-differential")', "code")]
    assert predict.check_notebook(path, asked, prompts) == []
    quizzed = [bare[0], _cell('quiz.ask("phenotype")', "code")]
    assert predict.check_notebook(path, quizzed, prompts) == []
    notes = [_cell("Speaker notes: ask the room to write down a guess.", slide="notes")]
    assert predict.check_notebook(path, notes, prompts) == []
    wrong = [_cell('predict.ask("no-such")', "code"), _cell('predict.ask("hlh-verdicts")', "code")]
    messages = [m for _, m in predict.check_notebook(path, wrong, prompts)]
    assert any("no such prompt" in m for m in messages) and any("belongs to 04_clinical_picture" in m for m in messages)


@pytest.mark.slow
def test_ankl_course_check_fails_on_a_prompt_without_a_hidden_answer(data_copy: Path) -> None:
    path = data_copy / "predict.toml"
    text = path.read_text(encoding="utf-8")
    broken = re.sub(r'(id = "case-differential".*?)answer = """.*?"""', r'\1answer = ""', text, count=1, flags=re.S)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    done = run_cli("check")
    assert done.returncode == 1
    assert "prompt 3 (case-differential): has no hidden worked answer" in done.stdout


def test_every_course_prompt_is_asked_in_its_chapter() -> None:
    asked = {}
    for path in chapter_notebooks():
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for pid in predict.ASK_CALL.findall("".join(cell["source"])):
                asked[pid] = path.stem
    prompts = predict.load_prompts()
    assert asked == {pid: p.chapter for pid, p in prompts.items()}


def test_the_capstone_asks_for_a_donor_choice_before_its_discussion() -> None:
    """Issue 13, item 9 (in part): the student writes a choice and reasons before the case weighs them."""
    path = next(p for p in chapter_notebooks() if p.stem == "08_case_study")
    sources = ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    asked = sources.index('predict.ask("case-donor")')
    registry = next(i for i, s in enumerate(sources) if "What the Japanese registry can tell him" in s)
    weighing = next(i for i, s in enumerate(sources) if s.startswith("How to weigh this"))
    decision = sources.index('quiz.ask("transplant-decision")')
    assert asked < registry < weighing < decision
    assert "donor" in predict.load_prompts()["case-donor"].prompt
