"""A feedback page per submission: score per task, messages, the student's code and outputs.

Everything that comes from the student (code, printed text, error messages, even
the file name) is HTML-escaped, and a student's HTML output is shown as its plain
text form, so a submission cannot put script into the page its teacher opens.
Hidden-check details (inputs, expected values) are left out unless the teacher
asks with ``--show-hidden``; test cells show only their visible part (nbgrader #917).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from . import markup
from .checks import TaskResult
from .gradebook import WrittenAnswer

#: The written-answers part of a page sits between these, so that scoring it later rewrites only that
#: part (a student's text is escaped, so it can never contain them).
WRITTEN_START = "<!--ankl-written-->"
WRITTEN_END = "<!--/ankl-written-->"

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.pass{color:#176c2f}.fail{color:#a1261c}pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.cell{border-left:4px solid #ccc;margin:1rem 0;padding-left:.8rem}.answer{border-color:#3b6fb6}
.test{border-color:#999}.waiting{color:#8a5a00}.out{background:#fff;border:1px dashed #ccc}.err{background:#fdeeee}
"""


def render(student: str, exercise: str, score: float, max_score: float, tasks: list[TaskResult],
           notes: list[str], cells: list[Any], outputs: dict[int, list[dict]], released_tests: dict[str, str],
           show_hidden: bool = False, written: Sequence[WrittenAnswer] = ()) -> str:
    """The whole page as a string."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(exercise)}: feedback for {escape(student)}'
        f"</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(exercise)}</h1>",
        f"<p>Student: <strong>{escape(student)}</strong>. Score: <strong>{score:g} / {max_score:g}</strong>"
        f"{' for the checked tasks' if written else ''}</p>",
        written_section(written),
    ]
    if notes:
        parts.append("<h2>Notes from the grader</h2><ul>")
        parts += [f"<li>{escape(note)}</li>" for note in notes]
        parts.append("</ul>")
    if tasks:
        parts.append(_task_table(tasks, show_hidden))
    if cells:
        parts.append("<h2>Your notebook, as graded</h2>")
        for number, cell in enumerate(cells, start=1):
            parts.append(_cell(number, cell, outputs.get(number, []), released_tests))
    parts.append("</body></html>")
    return "\n".join(parts)


def written_section(written: Sequence[WrittenAnswer]) -> str:
    """The written answers: each with its points and the teacher's comment, or that it is not scored yet."""
    if not written:
        return WRITTEN_START + WRITTEN_END
    given = sum(w.score or 0.0 for w in written)
    total = sum(w.max_score for w in written)
    waiting = sum(w.score is None for w in written)
    head = (f"<p>Written answers: <strong>{given:g} / {total:g}</strong>"
            + (f' <span class="waiting">({waiting} not scored yet by your teacher)</span>' if waiting else "")
            + "</p>")
    rows = ["<h2>Written answers</h2><table><tr><th>task</th><th>points</th><th>your answer</th>"
            "<th>teacher's comment</th></tr>"]
    for item in written:
        points = ('<span class="waiting">not scored yet</span>' if item.score is None
                  else f"{item.score:g} / {item.max_score:g}")
        rows.append(f"<tr><td>{escape(item.grade_id)}</td><td>{points}</td>"
                    f"<td>{escape(item.answer) or '<em>no answer</em>'}</td><td>{escape(item.comment)}</td></tr>")
    rows.append("</table>")
    return WRITTEN_START + head + "\n".join(rows) + WRITTEN_END


def update_written(page: Path, written: Sequence[WrittenAnswer]) -> bool:
    """Rewrite the written-answers part of an existing feedback page; False if there is no such page."""
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return False
    start, end = text.find(WRITTEN_START), text.find(WRITTEN_END)
    if start < 0 or end < start:
        return False
    page.write_text(text[:start] + written_section(written) + text[end + len(WRITTEN_END):], encoding="utf-8")
    return True


def _task_table(tasks: list[TaskResult], show_hidden: bool) -> str:
    rows = ["<h2>Tasks</h2><table><tr><th>task</th><th>score</th><th>messages</th></tr>"]
    for task in tasks:
        status = "pass" if task.passed else "fail"
        messages = "".join(f"<div>{escape(m)}</div>" for m in task.messages)
        if show_hidden and task.details:
            messages += "<details><summary>hidden-check details (teacher)</summary><pre>"
            messages += escape("\n".join(task.details)) + "</pre></details>"
        rows.append(f'<tr class="{status}"><td>{escape(task.grade_id)}</td>'
                    f"<td>{task.score:g} / {task.max_score:g}</td><td>{messages}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _cell(number: int, cell: Any, outputs: list[dict], released_tests: dict[str, str]) -> str:
    gid = markup.grade_id(cell)
    if markup.is_test(cell):
        text = released_tests.get(gid or "", "")
        return (f'<div class="cell test"><div>Cell {number}: test <code>{escape(gid or "")}</code> '
                f"(checked by the grader, outside your notebook)</div><pre>{escape(text)}</pre></div>")
    kind = "answer" if markup.is_solution(cell) else ""
    label = f"answer <code>{escape(gid or '')}</code>" if kind else cell.get("cell_type", "")
    body = f"<pre>{escape(markup.source(cell))}</pre>"
    shown = "".join(_output(o) for o in outputs)
    return f'<div class="cell {kind}"><div>Cell {number}: {label}</div>{body}{shown}</div>'


def _output(output: dict) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        css = "err" if output.get("name") == "stderr" else "out"
        return f'<pre class="{css}">{escape(_strip_ansi(str(output.get("text", ""))))}</pre>'
    if kind == "error":
        text = f"{output.get('ename', '')}: {output.get('evalue', '')}\n{output.get('traceback', '')}"
        return f'<pre class="err">{escape(_strip_ansi(text))}</pre>'
    data = output.get("data", {}) if isinstance(output.get("data"), dict) else {}
    png = data.get("image/png")
    if isinstance(png, str) and _is_base64(png):
        return f'<img alt="an image your code displayed" src="data:image/png;base64,{png}">'
    return f'<pre class="out">{escape(_strip_ansi(str(data.get("text/plain", ""))))}</pre>'


def _is_base64(text: str) -> bool:
    if not re.fullmatch(r"[A-Za-z0-9+/=\s]+", text):
        return False
    try:
        base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return False
    return True


def _strip_ansi(text: str) -> str:
    """Terminal colour codes and other control characters have no place in a web page."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
