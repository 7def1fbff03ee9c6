"""Predict, then reveal: an open question, a place to write, and a worked answer kept closed until asked.

Why a component: a student who reads the answer before committing to one
learns less than one who guesses first. Every open prompt of the course is an
entry of ``data/predict.toml`` (the prompt and its worked answer, both with
``{fact.id}`` numbers and ``[@key]`` citations), shown by
``predict.ask("id")``. The output is plain HTML, the same in JupyterLab, in
exported pages and in decks:

* a ``<textarea>`` to write in (kept in the browser's localStorage, so a
  reload or a re-run does not lose it);
* the worked answer in ``<details>``/``<summary>``, closed, opened by mouse or
  keyboard (Enter or Space on the summary), with no script needed;
* open from the start in the teacher build (``ANKL_COURSE_TEACHER=1``).

``ankl-course check`` rejects an entry without a worked answer, an unknown
id in a chapter, and an open prompt written straight into a chapter's text.
"""

from __future__ import annotations

import html
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CourseDataError
from .facts import render
from .htmlkit import markdown
from .interactive import html_of
from .resources import data_path

TEACHER_ENV = "ANKL_COURSE_TEACHER"  # the same switch as the quiz engine's presenter mode
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Chapter text that asks the student to commit to an answer: it belongs in a predict.ask prompt.
OPEN_PROMPT = re.compile(
    r"\b(predict (the|what|how|which|whether)|write down|before (reading|looking|going) on|"
    r"before you (read|look)|make your (choice|guess))\b", re.IGNORECASE)
#: A cell that answers the prompt just above it with its own hidden answers.
ANSWERED_BY = re.compile(r"\bquiz\.(ask|ask_section|warm_up|pre_test|post_test)\(|\bpredict\.ask\(")
ASK_CALL = re.compile(r"""predict\.ask\(\s*["']([^"']+)["']""")

STYLE = (
    ".ankl-predict{border-left:4px solid #0072b2;background:#f3f8fc;padding:0.5em 1em;margin:0.8em 0;"
    "max-width:46em;text-align:left}"
    ".ankl-predict textarea{width:100%;box-sizing:border-box;font:inherit;margin:0.3em 0}"
    ".ankl-predict summary{cursor:pointer;font-weight:bold;color:#005a8c}"
    ".ankl-predict summary:focus-visible{outline:3px solid #e69f00;outline-offset:2px}"
    ".ankl-predict details{margin-top:0.3em}"
)
#: Keeps what the student wrote across reloads (exported pages) and re-runs (JupyterLab).
SCRIPT = (
    "(function(){var boxes=document.querySelectorAll('textarea[data-ankl-predict]');"
    "boxes.forEach(function(box){if(box.dataset.anklWired){return;}box.dataset.anklWired='1';"
    "var key='ankl-predict:'+box.dataset.anklPredict;"
    "try{var saved=localStorage.getItem(key);if(saved!==null&&!box.value){box.value=saved;}}catch(e){}"
    "box.addEventListener('input',function(){try{localStorage.setItem(key,box.value);}catch(e){}});});})();"
)


@dataclass(frozen=True)
class Prompt:
    """One open question and its worked answer (Markdown templates, rendered through the facts registry)."""

    id: str
    chapter: str
    prompt: str
    answer: str
    rows: int = 3


def prompts_path() -> Path:
    return data_path("predict.toml")


def load_prompts(path: Path | None = None) -> dict[str, Prompt]:
    """Every prompt, by id; a missing or empty worked answer is an error naming the entry."""
    path = prompts_path() if path is None else path
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CourseDataError(path, "", f"cannot read the prompts: {exc}") from exc
    prompts: dict[str, Prompt] = {}
    for index, entry in enumerate(raw.get("prompt", []), start=1):
        where = f"prompt {index} ({entry.get('id', 'no id')})"
        pid = entry.get("id", "")
        if not isinstance(pid, str) or not ID.match(pid):
            raise CourseDataError(path, where, "needs an id of lower-case letters, digits and -")
        if pid in prompts:
            raise CourseDataError(path, where, "the id is used twice")
        for name in ("chapter", "prompt", "answer"):
            if not str(entry.get(name, "")).strip():
                problem = "has no hidden worked answer" if name == "answer" else f"has no {name}"
                raise CourseDataError(path, where, problem)
        rows = entry.get("rows", 3)
        if not isinstance(rows, int) or not 1 <= rows <= 12:
            raise CourseDataError(path, where, "rows is a whole number from 1 to 12")
        prompts[pid] = Prompt(pid, entry["chapter"], entry["prompt"].strip(), entry["answer"].strip(), rows)
    return prompts


def _markdown(text: str) -> str:
    return markdown(render(text))


def teacher_mode() -> bool:
    return os.environ.get(TEACHER_ENV, "") not in ("", "0")


class Reveal:
    """A prompt as shown: HTML with a box to write in and a closed worked answer."""

    def __init__(self, prompt: Prompt, extra_html: str = "", open_answer: bool = False, show_html: str = "") -> None:
        self.prompt = prompt
        self.extra_html = extra_html
        self.open_answer = open_answer
        self.show_html = show_html

    def html(self) -> str:
        p = self.prompt
        box = f"ankl-predict-{p.chapter}-{p.id}"
        opened = " open" if self.open_answer else ""
        return (
            f'<style>{STYLE}</style><div class="ankl-predict" id="{box}">'
            f'<div class="ankl-predict-prompt"><strong>Your turn.</strong> {_markdown(p.prompt)}</div>{self.show_html}'
            f'<label for="{box}-text">Your answer (write it before you open the worked answer):</label>'
            f'<textarea id="{box}-text" rows="{p.rows}" data-ankl-predict="{html.escape(p.chapter)}/{p.id}">'
            f"</textarea>"
            f'<details class="ankl-predict-answer"{opened}><summary>Show the worked answer</summary>'
            f"{_markdown(p.answer)}{self.extra_html}</details></div><script>{SCRIPT}</script>"
        )

    def _repr_html_(self) -> str:
        return self.html()


def _as_html(shown: Any) -> str:
    if shown is None:
        return ""
    if isinstance(shown, str):
        return shown
    return html_of(shown)


def ask(prompt_id: str, extra: Any = None, show: Any = None, path: Path | None = None) -> Reveal:
    """Show prompt ``prompt_id``. ``show`` (a display object or HTML) is what the student reads to answer
    (above the box); ``extra`` is added inside the hidden answer, for worked answers computed in the
    chapter (a table of verdicts, an appraisal)."""
    prompts = load_prompts(path)
    if prompt_id not in prompts:
        raise CourseDataError(path or prompts_path(), prompt_id, "no such prompt")
    return Reveal(prompts[prompt_id], _as_html(extra), open_answer=teacher_mode(), show_html=_as_html(show))


def check_notebook(path: Path, cells: list[dict[str, Any]], prompts: dict[str, Prompt]) -> list[tuple[str, str]]:
    """(location, problem) for open prompts written into chapter text and unknown or misplaced prompt ids."""
    problems = []
    shown = [c for c in cells if c.get("metadata", {}).get("slideshow", {}).get("slide_type") != "notes"]
    texts = ["".join(c.get("source", "")) for c in shown]  # notes may say "ask the room to predict"
    for position, (cell, text) in enumerate(zip(shown, texts, strict=True)):
        index = cells.index(cell) + 1
        for pid in ASK_CALL.findall(text):
            if pid not in prompts:
                problems.append((f"cell {index}", f"predict.ask({pid!r}): no such prompt in predict.toml"))
            elif prompts[pid].chapter != path.stem:
                problems.append((f"cell {index}", f"predict.ask({pid!r}) belongs to {prompts[pid].chapter}"))
        following = texts[position + 1] if position + 1 < len(texts) else ""
        if "predict.ask(" in text or ANSWERED_BY.search(following):
            continue  # the prompt is this cell's, or the next cell asks it with answers hidden (a quiz)
        found = OPEN_PROMPT.search(text)
        if found:
            problems.append((f"cell {index}", f"an open prompt ({found.group(0)!r}) without a hidden worked "
                                              "answer: make it a predict.ask prompt (data/predict.toml)"))
    return problems
