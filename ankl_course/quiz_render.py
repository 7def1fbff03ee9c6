"""Quiz HTML: the kernel-free form of a question, and the page script and CSS that drive it.

Why it is built this way: exported pages and decks have no kernel, so every
quiz output carries a self-contained ``text/html`` form that the page script
(``quiz_static.js``) wires up; the live widget (``quiz.py``) shows the very
same forms with the very same script. Element ids derive from the chapter,
question id and display order, never from ``id()`` or randomness, so nbval
sees identical outputs on every run. The CSS and script go on a page once
(:meth:`RenderContext.assets`), not once per question.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .citations import Fact, load_facts, load_references
from .claims import Claim, expand, load_claims
from .facts import render
from .quiz_bank import Question

#: The page script: judges, reveals and stores answers in the browser (and in the live widget).
SCRIPT_PATH = Path(__file__).with_name("quiz_static.js")

#: The quiz CSS (pages and the live widget).
STYLE = (
    ".ankl-quiz{border:1px solid #c8c8c8;border-radius:6px;padding:0.6em 1em;margin:0.8em 0;"
    "max-width:46em;font-size:1em;text-align:left}"
    ".ankl-quiz legend{font-weight:600;padding:0 0.3em}"
    ".ankl-quiz label{display:block;margin:0.25em 0;cursor:pointer}"
    ".ankl-quiz button{margin:0.4em 0.4em 0.2em 0;padding:0.25em 0.9em;font-size:0.95em;cursor:pointer}"
    ".ankl-quiz .ankl-feedback{margin-top:0.3em;font-weight:600}"
    ".ankl-quiz .ankl-feedback.ankl-right{color:#00613e}.ankl-quiz .ankl-feedback.ankl-wrong{color:#a3001b}"
    ".ankl-quiz .ankl-reveal{margin-top:0.3em;border-left:3px solid #0072B2;padding-left:0.6em}"
    ".ankl-quiz input[type=text]{width:8em}"
    ".ankl-progress{border-collapse:collapse;margin:0.6em 0}"
    ".ankl-progress th,.ankl-progress td{border:1px solid #c8c8c8;padding:0.2em 0.6em;text-align:right}"
    ".ankl-progress th:first-child,.ankl-progress td:first-child{text-align:left}"
)



def b64_json(data: Any) -> str:
    """JSON (sorted keys) in base64: a payload that fits an HTML attribute without escaping."""
    return base64.b64encode(json.dumps(data, sort_keys=True).encode()).decode()



@dataclass(frozen=True)
class RenderContext:
    """What rendering questions needs from disk, loaded once per quiz session.

    Rendering a question fills citations and claims and reads the page script;
    doing that from disk for every question made each ``ask`` cost tenths of a
    second (reading and validating ``claims.toml`` alone cost about 3 ms per
    text that quotes a claim).
    """

    references: dict[str, Any]
    facts: dict[str, Fact]
    script: str
    claims: dict[str, Claim] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RenderContext:
        references = load_references()
        facts = load_facts(references=references)
        return cls(
            references=references,
            facts=facts,
            script=SCRIPT_PATH.read_text(encoding="utf-8"),
            claims=load_claims(references=set(references), facts=set(facts)),
        )

    def markdown(self, text: str) -> str:
        """Inline Markdown (with ``[@key]`` citations and facts) to HTML, without a wrapping paragraph."""
        import mistune

        if "{claim:" in text and self.claims:  # as render() would, without reading claims.toml again
            text = expand(text, self.claims)
        rendered = str(mistune.html(render(text, self.references, self.facts))).strip()
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            rendered = rendered[3:-4]
        return rendered

    def source_html(self, key: str) -> str:
        """``Source: <link>`` for a citation key, with the full reference as a tooltip."""
        reference = self.references[key]
        url = reference.link()
        label = html.escape(reference.short())
        title = html.escape(reference.full(), quote=True)
        if url:
            return f'Source: <a href="{html.escape(url)}" title="{title}">{label}</a>'
        return f'Source: <span title="{title}">{label}</span>'

    def assets(self) -> str:
        """The quiz CSS and script, which a page needs once (the script wires every quiz on it)."""
        return f"<style>{STYLE}</style><script>{self.script}</script>"

    def reveal_html(self, question: Question) -> str:
        """The right answer and the explanation with its source."""
        return (f'<p class="ankl-answer"><strong>Answer:</strong> {html.escape(question.correct_answer_text())}</p>'
                f"<div>{self.markdown(question.explanation)} {self.source_html(question.source)}</div>")



def static_html(question: Question, element_id: str, reveal: bool = False,
                context: RenderContext | None = None, chapter: str = "") -> str:
    """A kernel-free quiz: native form controls, Check and "Show answer" buttons,
    feedback in an ``aria-live`` region, the answer and explanation once earned.

    ``chapter`` is the page the quiz is on (its answers are stored under it).
    With ``reveal`` (presenter exports) the right answer and explanation show
    from the start. The page's CSS and script come separately, once per page
    (:meth:`RenderContext.assets`).
    """
    esc = html.escape
    context = context or RenderContext.load()
    prompt = context.markdown(question.prompt)
    controls = []
    if question.type == "numeric":
        unit = f" <span>{esc(question.unit)}</span>" if question.unit else ""
        controls.append(
            f'<label for="{element_id}-value">Your answer:</label> '
            f'<input type="text" inputmode="decimal" autocomplete="off" id="{element_id}-value" '
            f'name="{element_id}-value">{unit}'
        )
    else:
        kind = "checkbox" if question.type == "multiple" else "radio"
        for index, option in enumerate(question.options):
            controls.append(
                f'<label for="{element_id}-opt{index}"><input type="{kind}" name="{element_id}" '
                f'id="{element_id}-opt{index}" value="{index}"> {esc(option.text)}</label>'
            )
    payload = b64_json({**question.payload(), "chapter": chapter or question.chapter, "key": question.key})
    hint = " (tick all that apply)" if question.type == "multiple" else ""
    hidden = "" if reveal else " hidden"
    teacher = ' data-ankl-teacher="1"' if reveal else ""
    return (
        f'<form class="ankl-quiz" id="{element_id}" data-ankl-quiz="{payload}"{teacher} '
        f'onsubmit="return false">'
        f'<fieldset><legend>Question{hint}</legend>'
        f'<div class="ankl-prompt" id="{element_id}-prompt">{prompt}</div>'
        f'<div role="group" aria-labelledby="{element_id}-prompt">{"".join(controls)}</div>'
        f'<button type="button" class="ankl-check">Check</button>'
        f'<button type="button" class="ankl-show">Show answer</button>'
        f'<div class="ankl-feedback" role="status" aria-live="polite" id="{element_id}-feedback"></div>'
        f'<div class="ankl-reveal"{hidden} id="{element_id}-explanation">{context.reveal_html(question)}</div>'
        f"</fieldset></form>"
    )
