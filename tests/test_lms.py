"""Question banks exported for Moodle: Moodle XML by a strict parse and structure checks, GIFT by a
parser written from the format's rules (Moodle's qformat_gift: backslash escapes of ~ = # { } :,
'####' general feedback, '{TRUE#wrong#right}', '%weight%' answers), round-tripping every text."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import run_cli

from ankl_course import lms
from ankl_course.quiz_bank import load_bank

ALLOWED = {float(v) for v in lms.FRACTIONS.values()} | {0.0}
BANKS = lms.bank_paths()
SPECIALS_BANK = '''
chapter = "99_specials"

[[question]]
id = "specials"
type = "single"
prompt = "Which of a~b, c=d, e#f, {g}, h:i and back\\\\slash is *literal*?"
explanation = "All of them: ~ = # { } : and \\\\ are escaped."
source = "fujimoto2021"

  [[question.options]]
  text = "x = {1: 2} ~ y#z"
  correct = true
  feedback = "Right: 50% of ~ and # == {ok}."

  [[question.options]]
  text = "None"
  correct = false
  feedback = "No: see a:b\\nnext line"

[[question]]
id = "many"
type = "multiple"
prompt = "Tick the three right ones."
explanation = "Three are right."
source = "fujimoto2021"
options = [
  { text = "r1", correct = true, feedback = "f r1" },
  { text = "r2", correct = true, feedback = "f r2" },
  { text = "r3", correct = true, feedback = "f r3" },
  { text = "w1", correct = false, feedback = "f w1" },
  { text = "w2", correct = false, feedback = "f w2" },
]

[[question]]
id = "tf"
type = "truefalse"
answer = false
prompt = "True: {braces}?"
explanation = "False."
source = "fujimoto2021"
feedback_true = "No: it is false."
feedback_false = "Yes: false."

[[question]]
id = "num"
type = "numeric"
answer = 10
range = [8, 14]
unit = "%"
prompt = "How many?"
explanation = "Ten."
source = "fujimoto2021"
feedback_low = "too few"
feedback_high = "too many"
'''


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("quiz-export")
    done = run_cli("export-quiz", "--format", "all", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
def test_every_bank_is_exported_in_both_formats(exported: Path) -> None:
    assert BANKS, "no question banks in the course"
    for bank in BANKS:
        chapter = load_bank(bank).chapter
        assert (exported / f"{chapter}.gift.txt").is_file()
        assert (exported / f"{chapter}.moodle.xml").is_file()


@pytest.mark.slow
def test_unknown_format_is_refused() -> None:
    done = run_cli("export-quiz", "--format", "qti")
    assert done.returncode == 2 and "invalid choice" in done.stderr


# -- Moodle XML -------------------------------------------------------------------


def check_moodle_xml(path: Path, bank_path: Path) -> None:
    """Strict parse, then the structure Moodle's XML importer reads, against the bank."""
    bank = load_bank(bank_path)
    root = ET.parse(path).getroot()  # expat: any malformed byte raises
    assert root.tag == "quiz"
    category, *questions = list(root)
    assert category.get("type") == "category"
    assert category.findtext("category/text") == f"$course$/top/ANKL course/{bank.chapter}"
    assert len(questions) == len(bank.questions)
    assert len({q.findtext("idnumber") for q in questions}) == len(questions)
    for element, question in zip(questions, bank.questions.values(), strict=True):
        where = f"{path.name}: {question.id}"
        kind = element.get("type")
        assert kind == {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
                        "numeric": "numerical"}[question.type], where
        assert element.findtext("name/text") == f"{bank.chapter} {question.id}"
        assert element.find("questiontext").get("format") == "html"
        assert element.findtext("questiontext/text").strip(), where
        general = element.findtext("generalfeedback/text")
        assert "Source:" in general and question.source and general.startswith("<p>"), where
        answers = element.findall("answer")
        fractions = [float(a.get("fraction")) for a in answers]
        for answer in answers:
            assert answer.findtext("feedback/text").strip(), f"{where}: an answer without feedback"
        if kind == "multichoice":
            assert len(answers) == len(question.options), where
            assert all(abs(f) in ALLOWED or round(abs(f), 5) in ALLOWED for f in fractions), (where, fractions)
            single = element.findtext("single")
            if question.type == "single":
                assert single == "true" and sorted(fractions)[-1] == 100 and sum(fractions) == 100, where
            else:
                assert single == "false", where
                assert abs(sum(f for f in fractions if f > 0) - 100) < 0.001, (where, fractions)
                negative = [f for f in fractions if f < 0]
                assert not negative or abs(sum(negative) + 100) < 0.001, (where, fractions)
            for answer, option in zip(answers, question.options, strict=True):
                assert (float(answer.get("fraction")) > 0) == option.correct, where
        elif kind == "truefalse":
            assert [a.findtext("text") for a in answers] == ["true", "false"], where
            assert fractions == ([100, 0] if question.options[0].correct else [0, 100]), where
        else:
            correct, other = answers
            middle, tolerance = float(correct.findtext("text")), float(correct.findtext("tolerance"))
            assert float(correct.get("fraction")) == 100 and other.findtext("text") == "*", where
            assert middle - tolerance == pytest.approx(question.low) and middle + tolerance == pytest.approx(
                question.high), where
            assert element.findtext("showunits") == "3", where
            if question.unit:
                assert html.escape(question.unit) in element.findtext("questiontext/text"), where


@pytest.mark.slow
@pytest.mark.parametrize("bank_path", BANKS, ids=[p.stem for p in BANKS])
def test_moodle_xml_is_strict_and_complete(exported: Path, bank_path: Path) -> None:
    check_moodle_xml(exported / f"{load_bank(bank_path).chapter}.moodle.xml", bank_path)


# -- GIFT ---------------------------------------------------------------------------

ESCAPES = {"\\\\": "\x00b", "\\~": "\x00t", "\\=": "\x00e", "\\#": "\x00h", "\\{": "\x00o", "\\}": "\x00c",
           "\\:": "\x00k", "\\n": "\x00n"}
LITERAL = {"\x00b": "\\", "\x00t": "~", "\x00e": "=", "\x00h": "#", "\x00o": "{", "\x00c": "}", "\x00k": ":",
           "\x00n": "\n"}


def protect(text: str) -> str:
    """Escaped control characters become placeholders before any splitting (as Moodle does)."""
    return re.sub(r"\\[\\~=#{}:n]", lambda m: ESCAPES[m.group(0)], text)


def literal(text: str) -> str:
    assert not re.search(r"[~=#{}]", text.replace("####", "")), f"unescaped control character in {text!r}"
    return re.sub("\x00.", lambda m: LITERAL[m.group(0)], text).strip()


def parse_gift(text: str) -> tuple[str, list[dict]]:
    """Category and questions of a GIFT file: name, text, type, answers, general feedback."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    category = ""
    questions = []
    for block in blocks:
        lines = [line for line in block.splitlines() if not line.strip().startswith("//")]
        if not lines:
            continue
        body = protect("\n".join(lines).strip())
        if body.startswith("$CATEGORY:"):
            category = body[len("$CATEGORY:"):].strip()
            continue
        assert body.startswith("::"), body[:60]
        name, rest = body[2:].split("::", 1)
        assert rest.count("{") == 1 and rest.count("}") == 1 and rest.rstrip().endswith("}"), name
        prompt, answer_text = rest.split("{")
        answer_text = answer_text.rstrip().removesuffix("}").strip()
        general = ""
        if "####" in answer_text:
            answer_text, general = answer_text.rsplit("####", 1)
        assert prompt.startswith("[html]"), name
        question = {"name": literal(name), "text": literal(prompt[len("[html]"):]), "general": literal(general)}
        answer_text = answer_text.strip()
        if answer_text.startswith("#"):
            correct, wrong = answer_text[1:].split("~", 1)
            value, feedback = correct.strip().removeprefix("=").split("#", 1)
            middle, tolerance = value.split(":")
            question.update(type="numerical", middle=float(middle), tolerance=float(tolerance),
                            feedback=literal(feedback), other=literal(wrong.split("#", 1)[1]))
        elif "~" in answer_text:
            answers = []
            for part in re.split(r"(?=[~=])", answer_text):
                part = part.strip()
                if not part:
                    continue
                weight = 100.0 if part[0] == "=" else 0.0
                part = part[1:]
                found = re.match(r"%(-?\d+(?:\.\d+)?)%", part)
                if found:
                    weight = float(found.group(1))
                    part = part[found.end():]
                answer, feedback = part.split("#", 1)
                answers.append((literal(answer), weight, literal(feedback)))
            question.update(type="multichoice", single="=" in answer_text, answers=answers)
        else:
            key, wrong, right = answer_text.split("#")
            assert key.strip() in ("TRUE", "FALSE"), name
            question.update(type="truefalse", truth=key.strip() == "TRUE", wrong=literal(wrong), right=literal(right))
        questions.append(question)
    return category, questions


def check_gift(path: Path, bank_path: Path) -> None:
    """Every question parses back to exactly the texts, weights and feedback that were exported."""
    bank = load_bank(bank_path)
    references = lms.load_references()
    items = [lms.to_item(bank, q, references) for q in bank.questions.values()]
    category, parsed = parse_gift(path.read_text(encoding="utf-8"))
    assert category == f"$course$/top/ANKL course/{bank.chapter}"
    assert len(parsed) == len(items)
    for got, item in zip(parsed, items, strict=True):
        assert got["name"] == item.name
        assert got["text"] == item.text
        assert got["general"] == item.general_feedback
        assert got["type"] == item.qtype
        if item.qtype == "multichoice":
            assert got["single"] == item.single
            assert got["answers"] == [(a.text, float(a.fraction), a.feedback) for a in item.answers]
            if not item.single:
                assert abs(sum(w for _, w, _ in got["answers"] if w > 0) - 100) < 0.001
        elif item.qtype == "truefalse":
            truth = item.answers[0].fraction == "100"
            right, wrong = (item.answers[0], item.answers[1]) if truth else (item.answers[1], item.answers[0])
            assert (got["truth"], got["right"], got["wrong"]) == (truth, right.feedback, wrong.feedback)
        else:
            assert got["middle"] == float(item.answers[0].text)
            assert got["tolerance"] == float(item.answers[0].tolerance)
            assert (got["feedback"], got["other"]) == (item.answers[0].feedback, item.answers[1].feedback)


@pytest.mark.slow
@pytest.mark.parametrize("bank_path", BANKS, ids=[p.stem for p in BANKS])
def test_gift_parses_back_to_the_bank(exported: Path, bank_path: Path) -> None:
    check_gift(exported / f"{load_bank(bank_path).chapter}.gift.txt", bank_path)


def test_gift_escapes_every_control_character() -> None:
    assert lms.gift_escape("a~b=c#d{e}f:g\\h\ni") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"
    assert literal(protect(lms.gift_escape("x = {1: 2} ~ y#z \\ end"))) == "x = {1: 2} ~ y#z \\ end"


def test_special_characters_survive_both_formats(tmp_path: Path) -> None:
    bank_path = tmp_path / "99_specials.toml"
    bank_path.write_text(SPECIALS_BANK, encoding="utf-8")
    written = lms.export(list(lms.FORMATS), tmp_path / "out", paths=[bank_path])
    assert sorted(p.name for p in written) == ["99_specials.gift.txt", "99_specials.moodle.xml"]
    check_gift(tmp_path / "out" / "99_specials.gift.txt", bank_path)
    check_moodle_xml(tmp_path / "out" / "99_specials.moodle.xml", bank_path)
    gift = (tmp_path / "out" / "99_specials.gift.txt").read_text(encoding="utf-8")
    assert "~%33.33333%r1" in gift and "~%-50%w1" in gift
    assert "{FALSE#No\\: it is false.#Yes\\: false." in gift
    assert "=11:3#Correct." in gift


def test_too_many_options_for_moodle_grades_is_refused(tmp_path: Path) -> None:
    options = ",\n".join(f'{{ text = "o{i}", correct = true, feedback = "f" }}' for i in range(11))
    bank_path = tmp_path / "98_big.toml"
    bank_path.write_text(
        'chapter = "98_big"\n[[question]]\nid = "big"\ntype = "multiple"\nprompt = "p"\nexplanation = "e"\n'
        f'source = "fujimoto2021"\noptions = [\n{options}\n]\n', encoding="utf-8")
    with pytest.raises(lms.CourseDataError, match="question big: 11 right options"):
        lms.export(["gift"], tmp_path / "out", paths=[bank_path])
