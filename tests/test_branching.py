"""Issue 13, item 9: a capstone that branches. Branch-point data is a sound graph (bad graphs are clear
errors naming the file and the place), the student sees only the situation until choosing, the teacher's
copy shows every path, and `ankl-course check` and the time estimate know about branch points."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ankl_course import branching, citations, facts, predict, reading_list, timing
from ankl_course.errors import CourseDataError

GOOD = """
[[branch]]
id = "b1"
title = "Branch point"
start = "s"

  [[branch.node]]
  id = "s"
  title = "Situation"
  text = "SITUATION {fujimoto2021.os_1y}."
  series = { days = [0, 7], loads = [1000, 900], label = "EBV DNA" }
  prompt = "What now?"
  choices = [{ label = "Wait", to = "w" }, { label = "Act", to = "a" }]

  [[branch.node]]
  id = "w"
  title = "WAITED"
  text = "DELAY [@jung2016]."
  prompt = "Next?"
  choices = [{ label = "Act now", to = "a" }, { label = "Stop now", to = "e" }]

  [[branch.node]]
  id = "a"
  title = "ACTED"
  text = "GOOD."
  main = "REJOINS."

  [[branch.node]]
  id = "e"
  title = "STOPPED"
  text = "ENDED."
  end = "THE END."
"""


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "case_branches.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_course_branch_points_are_sound_graphs() -> None:
    branches = branching.load_branches()
    assert {"day14-plateau", "relapse-after-transplant"} <= set(branches)
    for branch in branches.values():
        # each option of the first decision leads to its own next situation, not only another sentence
        targets = [branch.nodes[c.to] for c in branch.nodes[branch.start].choices]
        assert len({t.text for t in targets}) == len(targets)
    plateau = branches["day14-plateau"]
    assert all(plateau.nodes[p[-1]].main for p in branching.paths(plateau)), "every plateau path rejoins the case"


def _predecessors(branch: branching.Branch) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {node_id: set() for node_id in branch.nodes}
    for node in branch.nodes.values():
        for choice in node.choices:
            found[choice.to].add(node.id)
    return found


@pytest.mark.parametrize("branch_id", ["day14-plateau", "relapse-after-transplant"])
def test_every_node_stands_below_every_node_that_leads_to_it(branch_id: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """What a choice reveals appears below the choice, whichever path the student took to it."""
    monkeypatch.delenv(predict.TEACHER_ENV, raising=False)
    branch = branching.load_branches()[branch_id]
    shown = re.findall(r'data-node="([\w-]+)"', branching.show(branch_id).html())
    assert sorted(shown) == sorted(branch.nodes) and shown[0] == branch.start
    for node_id, before in _predecessors(branch).items():
        late = [p for p in before if shown.index(p) > shown.index(node_id)]
        assert not late, f"{node_id} stands above {late}, which lead to it"


def test_a_node_reached_by_a_short_and_a_long_path_comes_after_the_long_one(tmp_path: Path) -> None:
    """The first path (option A) reaches 'a' at once, the second through 'w': 'a' still comes after 'w'.
    Ties keep the paths' order: 'w' before 'e'."""
    body = GOOD.replace('{ label = "Wait", to = "w" }, { label = "Act", to = "a" }',
                        '{ label = "Act", to = "a" }, { label = "Wait", to = "w" }')
    branch = branching.load_branches(_write(tmp_path, body))["b1"]
    assert list(dict.fromkeys(n for p in branching.paths(branch) for n in p)) == ["s", "a", "w", "e"]
    assert branching.reading_order(branch) == ["s", "w", "a", "e"]
    assert branching.reading_order(branching.load_branches(_write(tmp_path, GOOD))["b1"]) == ["s", "w", "a", "e"]


def test_a_good_graph_loads_and_lists_its_paths(tmp_path: Path) -> None:
    branch = branching.load_branches(_write(tmp_path, GOOD))["b1"]
    assert branching.paths(branch) == [["s", "w", "a"], ["s", "w", "e"], ["s", "a"]]


@pytest.mark.parametrize(("change", "message"), [
    (('to = "a" }]', 'to = "nowhere" }]'), r"branch 1 \(b1\) node s option 2: leads to 'nowhere', which is not a node"),
    (('{ label = "Act now", to = "a" }', '{ label = "Back", to = "s" }'),
     r"node w option 1: leads back to the first situation"),
    (('main = "REJOINS."', 'prompt = "Again?"\n  choices = [{ label = "x", to = "w" }, { label = "y", to = "e" }]'),
     r"node a: paths loop \(w -> a -> w\)"),
    (('main = "REJOINS."', 'main = "REJOINS."\n  end = "ALSO."'), r"node 3 \(a\): needs exactly one way on"),
    (('main = "REJOINS."', ''), r"node 3 \(a\): needs exactly one way on.*found none"),
    (('{ label = "Stop now", to = "e" }', '{ label = "Stop now", to = "a" }'),
     r"node 2 \(w\) choices: two options lead to the same node"),
    (('choices = [{ label = "Wait", to = "w" }, { label = "Act", to = "a" }]',
      'choices = [{ label = "Wait", to = "w" }]'), r"node 1 \(s\) choices: choices is a list of 2 to 4 options"),
    (('start = "s"', 'start = "a"'), r"branch 1 \(b1\) start: the first node is a decision"),
    (('start = "s"', 'start = "x"'), r"branch 1 \(b1\) start: no node 'x'"),
    (('loads = [1000, 900]', 'loads = [1000]'),
     r"node 1 \(s\) series: days and loads are two lists of the same length"),
    (('id = "e"', 'id = "w"'), r"node 4: the node id 'w' is used twice"),
    (('{ label = "Act", to = "a" }', '{ label = "Act", to = "a", best = "yes" }'),
     r"node 1 \(s\) choices option 2: best is true or false, not 'yes'"),
    (('[{ label = "Wait", to = "w" }, { label = "Act", to = "a" }]',
      '[{ label = "Wait", to = "w", best = true }, { label = "Act", to = "a", best = true }]'),
     r"node 1 \(s\) choices: more than one option is marked best"),
])
def test_a_bad_graph_is_a_clear_error_naming_file_and_place(tmp_path: Path, change: tuple[str, str],
                                                            message: str) -> None:
    assert change[0] in GOOD
    path = _write(tmp_path, GOOD.replace(change[0], change[1], 1))
    with pytest.raises(CourseDataError, match=message) as raised:
        branching.load_branches(path)
    assert str(raised.value).startswith(f"{path}: branch 1")


def test_a_node_no_path_reaches_is_an_error(tmp_path: Path) -> None:
    orphan = GOOD + '\n  [[branch.node]]\n  id = "o"\n  title = "O"\n  text = "O."\n  end = "O."\n'
    where = r"case_branches\.toml: branch 1 \(b1\) node o: no path reaches this node"
    with pytest.raises(CourseDataError, match=where):
        branching.load_branches(_write(tmp_path, orphan))


class _Visible(HTMLParser):
    """The text a browser shows: everything outside elements with the ``hidden`` attribute, style and script."""

    VOID = {"img", "br", "input", "meta", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        hidden = any(name == "hidden" for name, _ in attrs) or tag in ("style", "script")
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def _visible(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return " ".join("".join(parser.text).split())


def test_students_see_the_situation_and_options_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(predict.TEACHER_ENV, raising=False)
    shown = branching.show("b1", _write(tmp_path, GOOD)).html()
    visible = _visible(shown)
    assert "SITUATION 33.9% (Fujimoto et al., 2021)" in visible, "numbers come from the registry, cited"
    assert "A. Wait" in visible and "B. Act" in visible and "What now?" in visible
    for later in ("WAITED", "DELAY", "ACTED", "REJOINS", "STOPPED", "THE END"):
        assert later not in visible, f"{later} shows before the student chooses"
    assert re.findall(r'<div class="ankl-branch-node" data-node="(\w+)" hidden>', shown) == ["w", "a", "e"]
    assert shown.count("<button") == 5 and "<script>" in shown
    assert 'alt="EBV DNA, synthetic EBV DNA in copies/mL on a log scale. day 0: 1,000; day 7: 900."' in shown
    assert "{" not in visible, "a placeholder was left unfilled"


def test_the_teacher_copy_shows_every_path_labelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(predict.TEACHER_ENV, "1")
    shown = branching.show("b1", _write(tmp_path, GOOD)).html()
    visible = _visible(shown)
    assert " hidden>" not in shown.replace('class="ankl-branch-tried" hidden>', "").replace(
        'class="ankl-branch-back" hidden>', "")
    for later in ("WAITED", "ACTED", "REJOINS", "STOPPED", "THE END"):
        assert later in visible
    assert "Reached by: B. Act; A. Act now" in visible
    assert "<script>" not in shown


def test_rendering_is_deterministic_for_nbval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(predict.TEACHER_ENV, raising=False)
    assert branching.show("day14-plateau").html() == branching.show("day14-plateau").html()


def test_an_unknown_branch_point_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(CourseDataError, match=r"case_branches\.toml: nope: no such branch point; the branch points "
                       r"are day14-plateau, relapse-after-transplant$"):
        branching.show("nope")


def test_a_file_that_does_not_load_is_reported_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not also as 'no such branch point' for every chapter call, nor as 'no chapter shows it'."""
    broken = _write(tmp_path, GOOD.replace('to = "a" }]', 'to = "nowhere" }]', 1))
    monkeypatch.setattr(branching, "branches_path", lambda: broken)
    found: list[tuple[str, str, str]] = []
    check = branching.BranchCheck(lambda path, where, message: found.append((Path(path).name, where, message)),
                                  lambda path, where, text: None)
    check.notebook(Path("08_case_study.ipynb"), [{"cell_type": "code", "source": 'case.branch_point("b1")'},
                                                 {"cell_type": "code", "source": 'case.branch_point("b2")'}])
    check.finish()
    assert found == [("case_branches.toml", "branch 1 (b1) node s option 2",
                      "leads to 'nowhere', which is not a node of this branch point")]


def test_check_names_unknown_and_unshown_branch_points() -> None:
    found: list[tuple[str, str, str]] = []
    check = branching.BranchCheck(lambda path, where, message: found.append((Path(path).name, where, message)),
                                  lambda path, where, text: None)
    cells: list[dict[str, Any]] = [{"cell_type": "code", "source": 'case.branch_point("day14-plateau")'},
                                   {"cell_type": "code", "source": ['case.branch_point(', '"nope")']}]
    check.notebook(Path("08_case_study.ipynb"), cells)
    check.finish()
    assert found == [
        ("08_case_study.ipynb", "cell 2", "branch_point('nope'): no such branch point in case_branches.toml"),
        ("case_branches.toml", "branch relapse-after-transplant", "no chapter shows it (case.branch_point)"),
    ]


def test_a_branch_point_counts_in_the_chapter_time() -> None:
    cell = {"cell_type": "code", "metadata": {}, "source": 'case.branch_point("day14-plateau")'}
    found = timing.estimate([cell])
    assert found.branch_points == 1 and found.minutes == timing.PER_BRANCH_POINT


def test_the_capstone_reference_list_holds_every_branch_point_citation() -> None:
    """Each citation in a branch point links to #ref-KEY on the chapter's page: the list must have it."""
    registry = citations.load_facts()
    cited = {key for branch in branching.load_branches().values() for _, text in branching.texts(branch)
             for key in facts.keys_in_text(text, registry)}
    assert {"wang2015", "kwong2017", "lee2024", "yoon2025"} <= cited
    assert cited <= set(reading_list.chapter_keys("08_case_study"))
    assert branching.cited_keys('x = 1\ncase.branch_point("nope")', registry) == []


def _lengths_checked(tmp_path: Path, choices: str) -> list[tuple[str, str]]:
    body = GOOD.replace('[{ label = "Wait", to = "w" }, { label = "Act", to = "a" }]', choices, 1)
    return branching.length_problems(branching.load_branches(_write(tmp_path, body))["b1"])


def test_option_lengths_that_give_the_answer_away_are_problems(tmp_path: Path) -> None:
    detailed = "Reassess now: repeat the test, examine the marrow and look for an infection"  # 75 characters
    found = _lengths_checked(tmp_path, f'[{{ label = "Wait a week and test again", to = "w" }}, '
                                       f'{{ label = "{detailed}", to = "a", best = true }}]')
    assert found == [
        ("branch b1 node s", "option lengths [26, 75] (characters): the longest is more than 1.5 times the "
                             "shortest; make the options alike in length and detail"),
        ("branch b1 node s", "the option marked best is clearly the longest (75 characters against at most 26): "
                             "a student could pick it by its length alone"),
    ]
    # within the ratio, but the best is still 10% longer than any other: still a cue
    found = _lengths_checked(tmp_path, '[{ label = "Wait one week and test the load again", to = "w" }, '
                                       '{ label = "Reassess now: repeat the test and the marrow", to = "a", '
                                       'best = true }]')
    assert [problem for _, problem in found] == [
        "the option marked best is clearly the longest (44 characters against at most 37): a student could pick "
        "it by its length alone"]
    # the same options with the shorter one marked best, or none marked: only the ratio counts
    assert _lengths_checked(tmp_path, '[{ label = "Wait one week and test the load again", to = "w", best = true }, '
                                      '{ label = "Reassess now: repeat the test and the marrow", to = "a" }]') == []


def test_the_course_decisions_mark_a_best_option_and_give_no_length_cue() -> None:
    branches = branching.load_branches()
    marked = {node.id for branch in branches.values() for node in branch.nodes.values()
              if any(choice.best for choice in node.choices)}
    assert marked == {"plateau", "wait", "rising", "rituximab"}, "the check is in force where a path is best"
    assert [p for branch in branches.values() for p in branching.length_problems(branch)] == []


def test_check_reports_length_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cued = _write(tmp_path, GOOD.replace('{ label = "Act", to = "a" }',
                                         '{ label = "Act at once, with every test there is", to = "a" }', 1))
    monkeypatch.setattr(branching, "branches_path", lambda: cued)
    found: list[tuple[str, str, str]] = []
    check = branching.BranchCheck(lambda path, where, message: found.append((Path(path).name, where, message)),
                                  lambda path, where, text: None)
    check.notebook(Path("08_case_study.ipynb"), [{"cell_type": "code", "source": 'case.branch_point("b1")'}])
    check.finish()
    assert [(name, where) for name, where, _ in found] == [("case_branches.toml", "branch b1 node s")]
    assert "more than 1.5 times the shortest" in found[0][2]
