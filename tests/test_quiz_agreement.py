"""The live quizzes (Python) and the exported pages (quiz_static.js) judge alike.

Every question of every bank goes through both with the same inputs: the right
answer, each wrong option, every subset of a multiple-choice question's
options, numbers at and just past each edge of the accepted range, with units
and decimal commas, and empty and malformed input. Then sequences of Check and
"Show answer" clicks, and the score line over the records they leave. Verdicts,
feedback, records, what is revealed and the score text must be identical, in
Node (fast, every run) and in Chromium (the browser students use).
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ankl_course.quiz_bank import Question, bank_path, load_bank
from ankl_course.quiz_rules import SHOWN_FEEDBACK, Record, Score, after_check, after_show, revealed
from ankl_course.resources import data_path

SCRIPT = Path(__file__).resolve().parents[1] / "ankl_course" / "quiz_static.js"
MALFORMED: list[Any] = [None, "", "abc", -1, 99, True, False, 0.5, "0", [], {}, [0, 0], [0, 99], ["0"], "nan",
                        "Infinity", "1e999", "  ", "1,2,3", "--1"]


def questions() -> list[Question]:
    found = []
    for path in sorted(data_path("quizzes").glob("*.toml")):
        found += list(load_bank(bank_path(path.stem)).questions.values())
    return found


def numbers(q: Question) -> list[Any]:
    """At and just past both edges, the answer as typed in several ways, and far outside."""
    assert q.low is not None and q.high is not None and q.answer is not None
    span = max(abs(q.high - q.low), abs(q.answer), 1.0)
    step = span * 1e-6
    values: list[Any] = [q.low, q.high, q.low - step, q.high + step, q.answer, q.low - span, q.high + span]
    typed = [repr(v) for v in values[:5]]
    typed += [f"{q.answer:g}".replace(".", ","), f" {q.answer:g} {q.unit} ", f"{q.answer:g}{q.unit}",
              f"{q.answer:g} kg", f"{q.answer:g}abc", f"{q.answer:.3e}", f"+{q.high:g}", f"-{q.low:g}"]
    return values + typed


def responses(q: Question) -> list[Any]:
    if q.type == "numeric":
        return numbers(q) + MALFORMED
    indices = list(range(len(q.options)))
    if q.type == "multiple":
        subsets = [list(c) for size in range(len(indices) + 1) for c in itertools.combinations(indices, size)]
        return subsets + MALFORMED
    return indices + [float(i) for i in indices] + MALFORMED


def sequences(q: Question) -> list[list[list[Any]]]:
    """Click sequences: wrong then right, right then wrong, show first, nothing judged then show."""
    right: Any
    wrong: Any
    if q.type == "numeric":
        right, wrong = repr(q.answer), repr((q.high or 0) + 1000)
    elif q.type == "multiple":
        right = [i for i, o in enumerate(q.options) if o.correct]
        wrong = [i for i, o in enumerate(q.options) if not o.correct][:1] or right[:-1] or []
    else:
        right = next(i for i, o in enumerate(q.options) if o.correct)
        wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    return [
        [["check", wrong], ["check", right], ["show"]],
        [["check", right], ["check", wrong]],
        [["show"], ["check", right]],
        [["check", None], ["show"], ["check", wrong]],
    ]


def cases() -> list[dict[str, Any]]:
    return [{"key": q.key, "payload": q.payload(), "responses": responses(q), "sequences": sequences(q)}
            for q in questions()]


def python_results(all_cases: list[dict[str, Any]]) -> dict[str, Any]:
    """What the Python side does with every case (as JSON, as the JavaScript side reports it)."""
    by_key = {q.key: q for q in questions()}
    out: dict[str, Any] = {}
    finals = []
    for case in all_cases:
        q = by_key[case["key"]]
        verdicts = []
        for response in case["responses"]:
            result = q.check(response)
            verdicts.append([result.answered, result.correct, result.feedback])
        runs = []
        for sequence in case["sequences"]:
            record, steps = Record(), []
            for step in sequence:
                if step[0] == "show":
                    record, feedback = after_show(record), SHOWN_FEEDBACK
                else:
                    result = q.check(step[1])
                    feedback = result.feedback
                    if result.answered:
                        record = after_check(record, result.correct, step[1])
                steps.append([record.to_json(), revealed(record), revealed(record, True), feedback])
            runs.append(steps)
            finals.append(record)
        out[case["key"]] = {"verdicts": verdicts, "runs": runs}
    out["score"] = [Score.of(finals, len(finals) + 3).text(), Score.of(finals[:5], 9).text("Pre-test")]
    return json.loads(json.dumps(out))


#: The same loop in JavaScript, for Node and for the page (``core`` is the quiz script's exports).
JS_RUN = """
function runAll(core, cases) {
  var out = {}, finals = [];
  cases.forEach(function (c) {
    var verdicts = c.responses.map(function (r) {
      var v = core.judge(c.payload, r); return [v.answered, v.correct, v.feedback];
    });
    var runs = c.sequences.map(function (sequence) {
      var record = core.emptyRecord(), steps = [];
      sequence.forEach(function (step) {
        var feedback;
        if (step[0] === "show") { record = core.afterShow(record); feedback = core.SHOWN_FEEDBACK; }
        else {
          var v = core.judge(c.payload, step[1]); feedback = v.feedback;
          if (v.answered) { record = core.afterCheck(record, v.correct, step[1]); }
        }
        steps.push([record, core.revealed(record, false), core.revealed(record, true), feedback]);
      });
      finals.push(record);
      return steps;
    });
    out[c.key] = { verdicts: verdicts, runs: runs };
  });
  out.score = [core.scoreText(core.score(finals, finals.length + 3)),
               core.scoreText(core.score(finals.slice(0, 5), 9), "Pre-test")];
  return out;
}
"""


def differences(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    found = []
    for key, value in expected.items():
        if got.get(key) != value:
            found.append(f"{key}: python {json.dumps(value)[:300]} != js {json.dumps(got.get(key))[:300]}")
    return found


def test_every_bank_gives_cases() -> None:
    all_cases = cases()
    assert len(all_cases) == sum(len(load_bank(p).questions) for p in data_path("quizzes").glob("*.toml")) > 90
    assert sum(len(c["responses"]) for c in all_cases) > 2000


def test_python_and_node_agree() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    all_cases = cases()
    program = JS_RUN + f"""
var core = require({json.dumps(str(SCRIPT))});
var input = ""; process.stdin.on("data", function (d) {{ input += d; }});
process.stdin.on("end", function () {{ process.stdout.write(JSON.stringify(runAll(core, JSON.parse(input)))); }});
"""
    done = subprocess.run([node, "-e", program], input=json.dumps(all_cases), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert differences(python_results(all_cases), json.loads(done.stdout)) == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from exports_helpers import launched_chromium

    yield from launched_chromium()


@pytest.mark.browser
@pytest.mark.slow
def test_python_and_chromium_agree(browser: Any) -> None:
    all_cases = cases()
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><title>quiz rules</title><body></body>")
        page.add_script_tag(path=str(SCRIPT))
        got = page.evaluate(
            "([source, cases]) => new Function('core', 'cases', source + '; return runAll(core, cases);')"
            "(window.anklQuiz, cases)", [JS_RUN, all_cases])
    finally:
        page.close()
    assert differences(python_results(all_cases), got) == []
