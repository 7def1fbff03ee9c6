"""Branch points: a situation, a choice, and only then what follows on the chosen path.

Why a component: a capstone that answers every decision above the question decides for the
student. At a branch point the student reads the situation (text, data, a figure), commits to
one of 2-4 options, and only then sees that path: its consequence, the reasoning with its
sources, and the next step of the case that follows from it (another situation and choice, or
the way back to the main line). A poor choice leads somewhere that teaches, never to a dead end;
the student can go back and try another path.

The content is data (``data/case_branches.toml``): each branch point is a small graph of
nodes. A node has a title, Markdown text (``{fact.id}`` numbers and ``[@key]`` citations, filled
through the facts registry), optionally a synthetic data series shown as a figure and a table,
and exactly one way on:

* ``prompt`` and ``choices`` (2-4, each ``{label, to}``, optionally ``best = true``): another decision;
* ``main``: how this path rejoins the case's main line;
* ``end``: how this path ends (the case stops here).

:func:`load_branches` rejects a graph with a choice leading nowhere, a node no path reaches, a
cycle (a path that could never rejoin the main line or end), or a node without a way on, naming
the file and the place; :func:`length_problems` finds options whose lengths point at the answer
(reported by ``ankl-course check``). Nodes stand in :func:`reading_order`, so what a choice
reveals appears below it. The output is plain HTML with a small inline script (the same in
JupyterLab, exported pages and decks, like ``predict.py``): every path but the first situation
is ``hidden`` until chosen; options are buttons (mouse and keyboard); "Go back" re-opens the last
choice. The teacher build (``ANKL_COURSE_TEACHER=1``) shows every path open, labelled.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import ebv, figures
from .citations import load_facts, load_references
from .datafile import check_fields, check_top_level, checked_number, checked_text, read_toml
from .errors import CourseDataError
from .facts import keys_in_text, render
from .htmlkit import markdown
from .predict import teacher_mode
from .resources import data_path

ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MIN_CHOICES, MAX_CHOICES = 2, 4
BRANCH_FIELDS = {"id", "title", "start", "node"}
NODE_FIELDS = {"id", "title", "text", "series", "prompt", "choices", "main", "end"}
SERIES_FIELDS = {"days", "loads", "label"}
#: How a path goes on after a node: exactly one of these.
WAYS_ON = ("choices", "main", "end")
#: Option lengths (characters), the branch points' version of the quiz rule against the longest-answer
#: cue (:mod:`.quiz_cues`): a decision's longest option is at most MAX_LENGTH_RATIO times its shortest,
#: and the option marked ``best`` is not the longest by more than BEST_MARGIN over the next longest.
#: One decision is too few for the quizzes' test against chance, hence fixed ratios.
MAX_LENGTH_RATIO = 1.5
BEST_MARGIN = 1.1

STYLE = (
    ".ankl-branch{border-left:4px solid #e69f00;background:#fdf8ee;padding:0.5em 1em;margin:0.8em 0;"
    "max-width:46em;text-align:left}"
    ".ankl-branch h3,.ankl-branch h4{margin:0.4em 0}"
    ".ankl-branch-node{border-top:1px solid #d9c9a3;margin-top:0.6em;padding-top:0.3em}"
    ".ankl-branch-node:first-of-type{border-top:none}"
    ".ankl-branch-options{border:none;padding:0;margin:0.5em 0}"
    ".ankl-branch-options legend{font-weight:bold;padding:0}"
    ".ankl-branch button{display:block;width:100%;text-align:left;font:inherit;margin:0.3em 0;padding:0.4em 0.6em;"
    "border:1px solid #8a6d1f;border-radius:4px;background:#fff;color:#222;cursor:pointer}"
    ".ankl-branch button:focus-visible{outline:3px solid #0072b2;outline-offset:2px}"
    ".ankl-branch button[aria-pressed=true]{background:#f4e2b8;font-weight:bold}"
    ".ankl-branch button:disabled{cursor:default;color:#555}"
    ".ankl-branch button.ankl-branch-back{width:auto;display:inline-block;background:#fff8e6}"
    ".ankl-branch-outcome{font-style:italic}"
    ".ankl-branch-tried{font-weight:normal;font-style:italic;color:#6b5417}"
    ".ankl-branch table{font-size:0.9em}"
    ".ankl-branch [hidden]{display:none!important}"  # the button rules above would show a hidden button
    ".ankl-branch-status{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
)
#: Wires every branch point on the page once: choose, reveal the chosen path, go back.
SCRIPT = (
    "(function(){document.querySelectorAll('.ankl-branch[data-ankl-branch]').forEach(function(box){"
    "if(box.dataset.anklWired){return;}box.dataset.anklWired='1';"
    "var back=box.querySelector('.ankl-branch-back'),status=box.querySelector('.ankl-branch-status'),path=[];"
    "function node(id){return box.querySelector('.ankl-branch-node[data-node=\"'+id+'\"]');}"
    "function buttons(n){return Array.prototype.slice.call(n.querySelectorAll('button[data-to]'));}"
    "function refresh(){back.hidden=path.length===0;if(path.length){var last=path[path.length-1];"
    "back.textContent='Go back to this choice and try another path (you chose '+last.label.split('.')[0]+')';}}"
    "box.addEventListener('click',function(ev){var b=ev.target.closest('button[data-to]');"
    "if(!b||b.disabled||!box.contains(b)){return;}var from=b.closest('.ankl-branch-node'),to=node(b.dataset.to);"
    "buttons(from).forEach(function(o){o.disabled=true;o.setAttribute('aria-pressed',o===b?'true':'false');});"
    "var label=b.querySelector('.ankl-branch-label').textContent;"
    "to.querySelector('.ankl-branch-chosen').textContent='You chose: '+label;"
    "to.hidden=false;path.push({from:from,to:to,button:b,label:label});refresh();"
    "status.textContent='You chose '+label+'. What happened next is shown after the options.';"
    "var h=to.querySelector('h4');h.focus();});"
    "back.addEventListener('click',function(){var step=path.pop();if(!step){return;}"
    "step.to.hidden=true;var mark=step.button.querySelector('.ankl-branch-tried');"
    "if(mark){mark.hidden=false;}"
    "buttons(step.from).forEach(function(o){o.disabled=false;o.setAttribute('aria-pressed','false');});"
    "refresh();status.textContent='Back at the choice. Paths you have tried are marked.';"
    "step.button.focus();});refresh();});})();"
)


@dataclass(frozen=True)
class Choice:
    """One option of a decision: what the student reads, and the node it leads to."""

    label: str
    to: str
    best: bool = False


@dataclass(frozen=True)
class Series:
    """A synthetic measurement series shown at a node (EBV DNA, copies/mL, by day)."""

    days: tuple[float, ...]
    loads: tuple[float, ...]
    label: str


@dataclass(frozen=True)
class Node:
    """One step of a branch point: a situation or a consequence, and how the path goes on."""

    id: str
    title: str
    text: str
    prompt: str = ""
    choices: tuple[Choice, ...] = ()
    main: str = ""
    end: str = ""
    series: Series | None = None


@dataclass(frozen=True)
class Branch:
    """A branch point: its nodes by id, starting at ``start``."""

    id: str
    title: str
    start: str
    nodes: dict[str, Node]


def branches_path() -> Path:
    return data_path("case_branches.toml")


def _series(path: Path, where: str, raw: Any) -> Series:
    if not isinstance(raw, dict):
        raise CourseDataError(path, where, "series is a table with days, loads and label")
    check_fields(path, where, raw, SERIES_FIELDS, SERIES_FIELDS)
    days, loads = raw["days"], raw["loads"]
    if not isinstance(days, list) or not isinstance(loads, list) or len(days) != len(loads) or len(days) < 2:
        raise CourseDataError(path, where, "days and loads are two lists of the same length (at least 2)")
    day_values = tuple(checked_number(path, f"{where} days", d) for d in days)
    if any(b <= a for a, b in zip(day_values, day_values[1:], strict=False)):
        raise CourseDataError(path, f"{where} days", "days must be strictly increasing")
    load_values = tuple(checked_number(path, f"{where} loads", x, positive=True) for x in loads)
    return Series(day_values, load_values, checked_text(path, where, raw["label"], "label"))


def _choices(path: Path, where: str, raw: Any) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or not MIN_CHOICES <= len(raw) <= MAX_CHOICES:
        raise CourseDataError(path, where, f"choices is a list of {MIN_CHOICES} to {MAX_CHOICES} options")
    found = []
    for number, entry in enumerate(raw, start=1):
        place = f"{where} option {number}"
        if not isinstance(entry, dict):
            raise CourseDataError(path, place, "an option is a table {label = ..., to = ...}")
        check_fields(path, place, entry, {"label", "to", "best"}, {"label", "to"})
        best = entry.get("best", False)
        if not isinstance(best, bool):
            raise CourseDataError(path, place, f"best is true or false, not {best!r}")
        found.append(Choice(checked_text(path, place, entry["label"], "label"),
                            checked_text(path, place, entry["to"], "to"), best))
    if len({c.to for c in found}) != len(found):
        raise CourseDataError(path, where, "two options lead to the same node: each option is its own path")
    if sum(c.best for c in found) > 1:
        raise CourseDataError(path, where, "more than one option is marked best: mark one, or none")
    return tuple(found)


def _node(path: Path, where: str, raw: Any) -> Node:
    if not isinstance(raw, dict):
        raise CourseDataError(path, where, "each [[branch.node]] is a table")
    check_fields(path, where, raw, NODE_FIELDS, {"id", "title", "text"})
    node_id = raw["id"]
    if not isinstance(node_id, str) or not ID.match(node_id):
        raise CourseDataError(path, where, "needs an id of lower-case letters, digits and -")
    where = f"{where} ({node_id})"
    ways = [name for name in WAYS_ON if name in raw]
    if len(ways) != 1:
        raise CourseDataError(path, where, "needs exactly one way on: choices (with a prompt), main (rejoins "
                              f"the main line) or end (the case stops here); found {', '.join(ways) or 'none'}")
    if ("prompt" in raw) != ("choices" in raw):
        raise CourseDataError(path, where, "a prompt and its choices go together")
    return Node(
        id=node_id, title=checked_text(path, where, raw["title"], "title"),
        text=checked_text(path, where, raw["text"], "text"),
        prompt=checked_text(path, where, raw["prompt"], "prompt") if "prompt" in raw else "",
        choices=_choices(path, f"{where} choices", raw["choices"]) if "choices" in raw else (),
        main=checked_text(path, where, raw["main"], "main") if "main" in raw else "",
        end=checked_text(path, where, raw["end"], "end") if "end" in raw else "",
        series=_series(path, f"{where} series", raw["series"]) if "series" in raw else None,
    )


def _check_graph(path: Path, where: str, start: str, nodes: dict[str, Node]) -> None:
    """Every option leads to an existing node, every node is reached from the start, and no path
    loops (so every path rejoins the main line or ends)."""
    if start not in nodes:
        raise CourseDataError(path, f"{where} start", f"no node {start!r}")
    if not nodes[start].choices:
        raise CourseDataError(path, f"{where} start", "the first node is a decision: give it a prompt and choices")
    for node in nodes.values():
        for number, choice in enumerate(node.choices, start=1):
            if choice.to not in nodes:
                raise CourseDataError(path, f"{where} node {node.id} option {number}",
                                      f"leads to {choice.to!r}, which is not a node of this branch point")
            if choice.to == start:
                raise CourseDataError(path, f"{where} node {node.id} option {number}",
                                      "leads back to the first situation: a path must go on to the main line or end")
    state: dict[str, str] = {}

    def visit(node_id: str, trail: list[str]) -> None:
        state[node_id] = "open"
        for choice in nodes[node_id].choices:
            if state.get(choice.to) == "open":
                loop = " -> ".join([*trail[trail.index(choice.to):], node_id, choice.to])
                raise CourseDataError(path, f"{where} node {node_id}",
                                      f"paths loop ({loop}): every path must rejoin the main line or end")
            if choice.to not in state:
                visit(choice.to, [*trail, node_id])
        state[node_id] = "done"

    visit(start, [])
    unreached = [node_id for node_id in nodes if node_id not in state]
    if unreached:
        raise CourseDataError(path, f"{where} node {unreached[0]}", "no path reaches this node")


def _branch(path: Path, number: int, raw: Any) -> Branch:
    where = f"branch {number}"
    if not isinstance(raw, dict):
        raise CourseDataError(path, where, "each [[branch]] is a table")
    check_fields(path, where, raw, BRANCH_FIELDS, BRANCH_FIELDS)
    branch_id = raw["id"]
    if not isinstance(branch_id, str) or not ID.match(branch_id):
        raise CourseDataError(path, where, "needs an id of lower-case letters, digits and -")
    where = f"branch {number} ({branch_id})"
    if not isinstance(raw["node"], list) or not raw["node"]:
        raise CourseDataError(path, where, "needs [[branch.node]] entries")
    nodes: dict[str, Node] = {}
    for index, entry in enumerate(raw["node"], start=1):
        node = _node(path, f"{where} node {index}", entry)
        if node.id in nodes:
            raise CourseDataError(path, f"{where} node {index}", f"the node id {node.id!r} is used twice")
        nodes[node.id] = node
    start = checked_text(path, f"{where} start", raw["start"], "start")
    _check_graph(path, where, start, nodes)
    return Branch(branch_id, checked_text(path, where, raw["title"], "title"), start, nodes)


def load_branches(path: Path | None = None) -> dict[str, Branch]:
    """Every branch point, by id; a malformed graph is a :class:`CourseDataError` naming file and place."""
    path = branches_path() if path is None else path
    raw = read_toml(path)
    check_top_level(path, raw, {"branch"})
    if not isinstance(raw.get("branch"), list) or not raw["branch"]:
        raise CourseDataError(path, "", "needs at least one [[branch]]")
    branches: dict[str, Branch] = {}
    for number, entry in enumerate(raw["branch"], start=1):
        branch = _branch(path, number, entry)
        if branch.id in branches:
            raise CourseDataError(path, f"branch {number}", f"the branch id {branch.id!r} is used twice")
        branches[branch.id] = branch
    return branches


def texts(branch: Branch) -> list[tuple[str, str]]:
    """(place, text) for every text a student reads in ``branch`` (for citation and spelling checks)."""
    found = [(f"branch {branch.id}", branch.title)]
    for node in branch.nodes.values():
        place = f"branch {branch.id} node {node.id}"
        found += [(place, text) for text in (node.title, node.text, node.prompt, node.main, node.end) if text]
        found += [(place, choice.label) for choice in node.choices]
    return found


def length_problems(branch: Branch) -> list[tuple[str, str]]:
    """(place, problem) for each decision whose option lengths point at an answer: a student who picks
    the longest, most detailed option should not be rewarded for it (see :data:`MAX_LENGTH_RATIO`)."""
    found = []
    for node in branch.nodes.values():
        if not node.choices:
            continue
        place = f"branch {branch.id} node {node.id}"
        lengths = [len(choice.label) for choice in node.choices]
        if max(lengths) > MAX_LENGTH_RATIO * min(lengths):
            found.append((place, f"option lengths {lengths} (characters): the longest is more than "
                                 f"{MAX_LENGTH_RATIO:g} times the shortest; make the options alike in length "
                                 "and detail"))
        best = [len(choice.label) for choice in node.choices if choice.best]
        others = [len(choice.label) for choice in node.choices if not choice.best]
        if best and best[0] > BEST_MARGIN * max(others):
            found.append((place, f"the option marked best is clearly the longest ({best[0]} characters against at "
                                 f"most {max(others)}): a student could pick it by its length alone"))
    return found


def paths(branch: Branch) -> list[list[str]]:
    """Every path from the start to a node that rejoins the main line or ends, as node ids."""
    found: list[list[str]] = []

    def walk(trail: list[str]) -> None:
        node = branch.nodes[trail[-1]]
        if not node.choices:
            found.append(trail)
        for choice in node.choices:
            walk([*trail, choice.to])

    walk([branch.start])
    return found


def reading_order(branch: Branch) -> list[str]:
    """Node ids in the order they stand on the page: each node after every node with an option leading
    to it (a topological order), so whatever a student chooses appears below the choice that revealed it.

    Why not the order in which paths first reach the nodes: a node reached by a short path and by a
    longer one would then stand above the longer path's earlier steps, and the answer to a choice
    would appear (and take the focus) above the situation that led to it. Ties keep the order in which
    paths first reach the nodes, so the first option's path reads first."""
    first_seen = list(dict.fromkeys(node_id for trail in paths(branch) for node_id in trail))
    waiting = {node_id: 0 for node_id in branch.nodes}
    for node in branch.nodes.values():
        for choice in node.choices:
            waiting[choice.to] += 1
    order: list[str] = []
    ready = [branch.start]
    while ready:
        node_id = min(ready, key=first_seen.index)
        ready.remove(node_id)
        order.append(node_id)
        for choice in branch.nodes[node_id].choices:
            waiting[choice.to] -= 1
            if waiting[choice.to] == 0:
                ready.append(choice.to)
    return order  # every node: the loader has checked that all are reached and that no path loops


# -- rendering --------------------------------------------------------------------------------


class Renderer:
    """Fills facts and citations with the registry loaded once for the whole branch point."""

    def __init__(self) -> None:
        self.references = load_references()
        self.facts = load_facts(references=self.references)

    def text(self, template: str) -> str:
        return markdown(render(template, self.references, self.facts))

    def inline(self, template: str) -> str:
        body = self.text(template).strip()
        return body[3:-4] if body.startswith("<p>") and body.endswith("</p>") and body.count("<p>") == 1 else body


def series_figure_html(series: Series) -> str:
    """The series as a log-scale figure (alt text gives every value) and as a table, drawn by the EBV
    module's helpers so every EBV DNA chart and table of the course looks the same."""
    fig = ebv.series_figure(series.days, series.loads, f"{series.label} (synthetic)")
    values = "; ".join(f"day {d}: {x}" for d, x in ebv.load_rows(series.days, series.loads))
    shown = figures.show(fig, alt=f"{series.label}, synthetic EBV DNA in copies/mL on a log scale. {values}.")
    return shown.html() + ebv.load_table_html(series.days, series.loads)


def _option_html(choice: Choice, number: int) -> str:
    return (f'<button type="button" data-to="{html.escape(choice.to)}" aria-pressed="false">'
            f'<span class="ankl-branch-label">{chr(64 + number)}. {html.escape(choice.label)}</span> '
            f'<span class="ankl-branch-tried" hidden>(tried)</span></button>')


def node_html(branch: Branch, node: Node, renderer: Renderer, reached_by: Sequence[str] = (),
              open_all: bool = False) -> str:
    """One node as a block: hidden until chosen, except the first situation (or in the teacher build)."""
    first = node.id == branch.start
    hidden = "" if first or open_all else " hidden"
    chosen = ("Reached by: " + "; ".join(html.escape(label) for label in reached_by)) if open_all else ""
    # a div, not a <section>: reveal.js takes every <section> in a deck for a slide of its own
    parts = [f'<div class="ankl-branch-node" data-node="{node.id}"{hidden}>']
    if not first:
        parts.append(f'<p class="ankl-branch-chosen">{chosen}</p>')
    parts.append(f'<h4 tabindex="-1">{html.escape(node.title)}</h4>{renderer.text(node.text)}')
    if node.series is not None:
        parts.append(series_figure_html(node.series))
    if node.choices:
        options = "".join(_option_html(choice, n) for n, choice in enumerate(node.choices, start=1))
        parts.append(f'<fieldset class="ankl-branch-options"><legend>{renderer.inline(node.prompt)}</legend>'
                     f"{options}</fieldset>")
    elif node.main:
        parts.append(f'<p class="ankl-branch-outcome"><strong>Back to the main line.</strong> '
                     f"{renderer.inline(node.main)}</p>")
    else:
        parts.append(f'<p class="ankl-branch-outcome"><strong>Where this path ends.</strong> '
                     f"{renderer.inline(node.end)}</p>")
    parts.append("</div>")
    return "".join(parts)


def _reached_by(branch: Branch) -> dict[str, list[str]]:
    """For the teacher build: the option labels that lead to each node."""
    found: dict[str, list[str]] = {node_id: [] for node_id in branch.nodes}
    for node in branch.nodes.values():
        for number, choice in enumerate(node.choices, start=1):
            found[choice.to].append(f"{chr(64 + number)}. {choice.label}")
    return found


class BranchPoint:
    """A branch point as shown: HTML (plus its script) in JupyterLab, pages and decks."""

    def __init__(self, branch: Branch, open_all: bool = False) -> None:
        self.branch = branch
        self.open_all = open_all

    def html(self) -> str:
        branch, renderer = self.branch, Renderer()
        reached = _reached_by(branch)
        sections = "".join(node_html(branch, branch.nodes[node_id], renderer, reached[node_id], self.open_all)
                           for node_id in reading_order(branch))
        intro = ("<p><em>Teacher's copy: every path is shown.</em></p>" if self.open_all else
                 "<p><em>Read the situation and choose. Only then do you see where your choice leads; "
                 "you can go back and try another path afterwards.</em></p>")
        return (f'<style>{STYLE}</style><div class="ankl-branch" id="ankl-branch-{branch.id}" '
                f'data-ankl-branch="{branch.id}"><h3>{html.escape(branch.title)}</h3>{intro}{sections}'
                f'<p><button type="button" class="ankl-branch-back" hidden>Go back</button></p>'
                f'<p class="ankl-branch-status" role="status" aria-live="polite"></p></div>'
                + ("" if self.open_all else f"<script>{SCRIPT}</script>"))  # the teacher's copy is all open

    def _repr_html_(self) -> str:
        return self.html()


def show(branch_id: str, path: Path | None = None) -> BranchPoint:
    """Branch point ``branch_id`` of ``data/case_branches.toml``, every path open in the teacher build."""
    branches = load_branches(path)
    if branch_id not in branches:
        raise CourseDataError(path or branches_path(), branch_id,
                              f"no such branch point; the branch points are {', '.join(sorted(branches))}")
    return BranchPoint(branches[branch_id], open_all=teacher_mode())


# -- ankl-course check ------------------------------------------------------------------------

BRANCH_CALL = re.compile(r"""branch_point\(\s*["']([^"']+)["']""")
#: The checker's ways to report: add(path, location, problem) and cite(path, location, text).
Add = Callable[[Path | str, str, str], None]
Cite = Callable[[Path, str, str], None]


def cited_keys(source: str, facts: dict[str, Any]) -> list[str]:
    """Citation keys of every branch point a chapter's ``source`` shows, in order: its reference list
    must hold them, since each citation in a branch point links to an entry of that list."""
    shown = list(dict.fromkeys(BRANCH_CALL.findall(source)))
    if not shown:
        return []
    branches = load_branches()
    return [key for branch_id in shown if branch_id in branches
            for _, text in texts(branches[branch_id]) for key in keys_in_text(text, facts)]


class BranchCheck:
    """What ``ankl-course check`` asks of branch points: the data loads (a sound graph), its citations
    exist, no decision's option lengths give the answer away (:func:`length_problems`), every
    ``case.branch_point("id")`` in a chapter names a branch point, and every branch point
    is shown by some chapter. ``add(path, location, message)`` and ``cite(path, location, text)`` are
    the checker's own reporting functions; the file is read on first use. A file that does not load is
    reported once, by itself: the chapters' calls are then not checked against it, since every one
    would look unknown and bury the one real problem."""

    def __init__(self, add: Add, cite: Cite) -> None:
        self.add, self.cite = add, cite
        self.branches: dict[str, Branch] | None = None
        self.unloadable = False
        self.shown: set[str] = set()

    def _loaded(self) -> dict[str, Branch]:
        if self.branches is None:
            try:
                self.branches = load_branches()
            except CourseDataError as exc:
                self.add(exc.path, exc.location, exc.message)
                self.branches, self.unloadable = {}, True
            for branch in self.branches.values():
                for place, text in texts(branch):
                    self.cite(branches_path(), place, text)
                for place, problem in length_problems(branch):
                    self.add(branches_path(), place, problem)
        return self.branches

    def notebook(self, path: Path, cells: Sequence[dict[str, Any]]) -> None:
        for number, cell in enumerate(cells, start=1):
            source = cell.get("source", "")
            for branch_id in BRANCH_CALL.findall("".join(source) if isinstance(source, list) else source):
                self.shown.add(branch_id)
                if branch_id not in self._loaded() and not self.unloadable:
                    self.add(path, f"cell {number}", f"branch_point({branch_id!r}): no such branch point in "
                             f"{branches_path().name}")

    def finish(self) -> None:
        """After every chapter: a branch point no chapter shows is content no student can reach."""
        for branch_id in sorted(set(self._loaded()) - self.shown):
            self.add(branches_path(), f"branch {branch_id}", "no chapter shows it (case.branch_point)")
