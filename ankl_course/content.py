"""``ankl-course check``: validate all course content and report every problem found.

A teacher who edits a question bank or the facts file runs this before class.
Each problem prints as ``file: location: message``; the exit status is 1 if
there is any. The same checks run in the test suite (tests/test_content.py),
so a chapter cannot land without objectives, key points, references, alt text
on its figures, existing quiz questions, or with a citation that leads nowhere.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import branching, glossary, predict, timing
from .citations import (
    CITATION,
    CITE_CALL,
    FACT_CALL,
    PLACEHOLDER,
    REF_LINK,
    Fact,
    Reference,
    load_facts,
    load_references,
)
from .claims import Claim, load_claims
from .claims import expand as expand_claims
from .claims import uses as claim_uses
from .datafile import read_toml
from .errors import CourseDataError
from .guide import coverage_problems, load_guide
from .nbfile import STUDENT_CODE, cell_source, code_is_hidden, long_folded_problems, read_notebook
from .quiz_bank import Bank, bank_path, load_bank
from .quiz_cues import cues, length_problems
from .resources import APPENDIX_PREFIX, chapter_notebooks, data_dir, data_path, exercises_dir, glossary_notebook
from .slides import density_problems
from .spelling import code_texts, data_texts, seed_words, us_spellings
from .studentcopy import is_speaker_notes
from .syllabus import minutes

#: "seed" means a random seed only; a source text is named by what it is (spelling.seed_words).
SEED_MESSAGE = ("'seed' outside a random seed ({!r}): name the source text by what it is "
                "(data/glossary.toml, source_text), e.g. 'the UK leukaemia charity's patient page'")

REQUIRED_HEADINGS = {
    "learning objectives": "a 'Learning objectives' section",
    "key points": "a 'Key points' section",
    "references": "a 'References' section",
}
PLACEHOLDER_WORDS = re.compile(r"\b(TODO|FIXME|TBD|XXX|lorem ipsum|PLACEHOLDER)\b", re.IGNORECASE)
PERCENT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?%")
ASK_CALL = re.compile(r"(?<!predict)\.ask(?:_section)?\(([^)]*)\)")  # quiz.ask; predict.ask is checked apart
STRING = re.compile(r"""["']([^"']+)["']""")
SESSION = re.compile(r"""QuizSession\(\s*["']([^"']+)["']""")
SHOW_REFS = re.compile(r"""show_references\(\s*["']([^"']+)["']""")
BARE_SHOW = re.compile(r"\bplt\.show\(|\bfig\w*\.show\(\)|display\(\s*fig")
EMPTY_ALT = re.compile(r"""\balt\s*=\s*(["'])\s*\1""")
MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(")
HTML_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
MAX_CHECKED_OUTPUT = 20000
#: The output types nbval compares; a checked cell stores only these.
CHECKED_TYPES = {"text/plain", "text/html", "text/markdown", "text/latex"}
SLIDE_TYPES = {"slide", "subslide", "fragment", "notes", "skip", "-"}
#: One author as "Surname AB" (initials after the surname; "Jr" allowed).
AUTHOR = re.compile(r"^[^\W\d][\w'’. -]*\s[A-Z]{1,4}(?: Jr)?$")


@dataclass(frozen=True)
class Problem:
    """One finding, printed as ``file: location: message``."""

    path: str
    location: str
    message: str

    def __str__(self) -> str:
        return CourseDataError(self.path, self.location, self.message).format()


def _walk_citations(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """(location, key) for every ``cite``/``source``/``sources`` value in a TOML tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("cite", "source", "sources", "citations"):
                values = value if isinstance(value, list) else [value]
                for item in values:
                    if isinstance(item, str):
                        yield where or key, item
            else:
                name = node.get("id", key) if isinstance(node.get("id"), str) else key
                yield from _walk_citations(value, f"{where}.{name}" if where else str(name))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            label = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else index
            yield from _walk_citations(item, f"{where}[{label}]")


class Checker:
    """Runs every check, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: Advisory authoring cues in the question banks (printed; a length cue is a problem instead).
        self.cues: list[Problem] = []
        self.used_keys: set[str] = set()
        self.references: dict[str, Reference] = {}
        self.facts: dict[str, Fact] = {}
        self.claims: dict[str, Claim] = {}
        self.used_claims: set[str] = set()
        #: Things a teacher should know that do not fail the check (printed as "note:").
        self.notes: list[str] = []
        self.prompts: dict[str, Any] = {}
        self.asked_prompts: set[str] = set()
        self.branching = branching.BranchCheck(self.add, self.check_text_citations)
        #: Per chapter: (stated minutes, estimated minutes), for the report and the tests.
        self.times: dict[str, tuple[int | None, int]] = {}
        self.glossary_terms: list[glossary.Term] = []
        self.banks: dict[str, Bank | CourseDataError] = {}

    def bank(self, chapter: str) -> Bank:
        """A chapter's question bank, read and validated once per check (the bank, quiz-call, time and
        slide checks all ask for it); a bank that does not load raises its CourseDataError each time."""
        if chapter not in self.banks:
            try:
                self.banks[chapter] = load_bank(bank_path(chapter), facts=self.facts)
            except CourseDataError as exc:
                self.banks[chapter] = exc
        found = self.banks[chapter]
        if isinstance(found, CourseDataError):
            raise found
        return found

    def add(self, path: Path | str, location: str, message: str) -> None:
        self.problems.append(Problem(str(path), location, message))

    def run(self, notebooks: Iterable[Path] | None = None) -> list[Problem]:
        try:
            self.references = load_references()
            self.facts = load_facts(references=self.references)
        except CourseDataError as exc:
            self.add(exc.path, exc.location, exc.message)
            return self.problems
        for fact in self.facts.values():
            self.used_keys.add(fact.cite)
        self.check_references()
        self.check_claims()
        self.check_data_files()
        self.check_banks()
        self.check_prompts()
        self.check_glossary()
        self.check_data_spelling()
        for notebook in chapter_notebooks() if notebooks is None else notebooks:
            self.check_notebook(notebook)
            self.check_slide_density(notebook)
        if notebooks is None:  # only the whole course can tell a reference nothing cites
            self.check_unasked_prompts()
            self.branching.finish()
            self.check_exercises()
            self.check_unused_references()
            self.check_unused_claims()
        return self.problems

    def check_prompts(self) -> None:
        """Predict-then-reveal prompts: each has a worked answer, and their facts and citations exist."""
        path = predict.prompts_path()
        try:
            self.prompts = predict.load_prompts(path)
        except CourseDataError as exc:
            self.add(exc.path, exc.location, exc.message)
            return
        for prompt in self.prompts.values():
            self.check_text_citations(path, f"prompt {prompt.id}", prompt.prompt + "\n" + prompt.answer)

    def check_glossary(self) -> None:
        """Glossary terms have a definition, a working pattern and a known source (glossary.py)."""
        try:
            terms, _ = glossary.load(references=set(self.references))
        except CourseDataError as exc:
            self.add(exc.path, exc.location, exc.message)
            return
        self.glossary_terms = terms
        self.used_keys.update(term.source for term in terms)
        shipped = glossary_notebook()
        expected = glossary.notebook_text(self.references)
        if not shipped.exists() or shipped.read_text(encoding="utf-8") != expected:
            self.add(shipped, "", f"not what {glossary.glossary_path().name} makes: run scripts/link_glossary.py")
        glance = data_path("at_a_glance.toml")
        for index, section in enumerate(read_toml(glance).get("section", []), start=1):
            self.check_text_citations(glance, f"section {index}", str(section.get("text", "")))

    def check_unasked_prompts(self) -> None:
        for prompt_id in sorted(set(self.prompts) - self.asked_prompts):
            self.add(predict.prompts_path(), f"prompt {prompt_id}", "no chapter asks it (predict.ask)")

    def check_references(self) -> None:
        """A reader must be able to find every work: authors, title, venue, year, volume, pages, DOI or PMID.

        An entry may lack some of them only if its ``incomplete`` field says why
        (a conference abstract, a page the course could not open); such entries
        are listed as notes, so the gaps stay visible.
        """
        path = data_path("references.toml")
        for key, ref in self.references.items():
            gaps = reference_gaps(ref)
            if gaps and not ref.incomplete.strip():
                self.add(path, f"[{key}]", f"incomplete reference ({'; '.join(gaps)}): add the missing "
                         "details, or say in `incomplete` why they cannot be given")
            elif gaps:
                self.notes.append(f"{path}: [{key}]: {'; '.join(gaps)} ({ref.incomplete.strip()})")

    def check_claims(self) -> None:
        """The appraised-claims registry must load; its own validation names the claim and the problem."""
        try:
            self.claims = load_claims(references=set(self.references), facts=set(self.facts))
        except CourseDataError as exc:
            self.add(exc.path, exc.location, exc.message)
            return
        for item in self.claims.values():
            self.used_keys.update(item.sources)

    def use_claims(self, path: Path | str, location: str, text: str) -> None:
        if not self.claims:
            return
        for _, claim_id in claim_uses(text, self.claims):
            if claim_id in self.claims:
                self.used_claims.add(claim_id)
            else:
                self.add(path, location, f"claim {claim_id!r} is not in claims.toml")

    def check_unused_claims(self) -> None:
        for claim_id in sorted(set(self.claims) - self.used_claims):
            self.add(data_path("claims.toml"), f"claim {claim_id}",
                     "claim never used by any chapter or quiz ({claim:" + claim_id + "})")

    def use(self, path: Path | str, location: str, key: str) -> None:
        if key in self.references:
            self.used_keys.add(key)
        else:
            self.add(path, location, f"citation key {key!r} has no entry in references.toml")

    def check_data_files(self) -> None:
        for path in sorted(data_dir().rglob("*.toml")):
            if path.name in ("references.toml", "facts.toml") or path.parent.name == "quizzes":
                continue
            try:
                tree = read_toml(path)
            except CourseDataError as exc:
                self.add(exc.path, exc.location, exc.message)
                continue
            for location, key in _walk_citations(tree, ""):
                self.use(path, location, key)

    def check_banks(self) -> None:
        banks: dict[str, Any] = {}
        for path in sorted(data_path("quizzes").glob("*.toml")):
            try:
                bank = self.bank(path.stem)
            except CourseDataError as exc:
                self.add(exc.path, exc.location, exc.message)
                continue
            banks[bank.chapter] = bank
            self.used_keys.update(bank.source_keys(self.facts))
            self.use_claims(path, "", path.read_text(encoding="utf-8"))
            self.cues += [Problem(str(path), where, message) for where, message in cues(bank)]
            for where, message in length_problems(bank):
                self.add(path, where, message)
        for bank in banks.values():
            self.check_bank_links(bank, banks)

    def check_bank_links(self, bank: Any, banks: dict[str, Any]) -> None:
        """Warm-up, pre-test and post-test references name existing questions of earlier chapters."""
        for name, refs in (("warmup", bank.warmup), ("pretest", bank.pretest)):
            for ref in refs:
                chapter, qid = ref.split("/", 1)
                if chapter not in banks or qid not in banks[chapter].questions:
                    self.add(bank.path, name, f"{ref!r}: no such question")
                elif name == "warmup" and chapter >= bank.chapter:
                    self.add(bank.path, name, f"{ref!r}: a warm-up recalls an earlier chapter")
        if bank.warmup and not 2 <= len(bank.warmup) <= 3:
            self.add(bank.path, "warmup", f"a warm-up has 2 or 3 questions, not {len(bank.warmup)}")
        if bank.posttest and not (bank.posttest in banks and banks[bank.posttest].pretest):
            self.add(bank.path, "posttest", f"{bank.posttest!r} has no pre-test to repeat")

    def check_text_citations(self, path: Path, location: str, text: str) -> None:
        self.use_claims(path, location, text)
        for match in CITATION.finditer(text):
            for key in match.group(1).split(";"):
                self.use(path, location, key.strip().lstrip("@"))
        for pattern in (REF_LINK, CITE_CALL):
            for match in pattern.finditer(text):
                self.use(path, location, match.group(1))
        for pattern in (PLACEHOLDER, FACT_CALL):
            for match in pattern.finditer(text):
                fact_id = match.group(1)
                if fact_id in self.facts:
                    self.used_keys.add(self.facts[fact_id].cite)
                elif pattern is FACT_CALL or _looks_like_fact(fact_id):
                    self.add(path, location, f"fact {fact_id!r} is not in facts.toml")

    def check_notebook(self, path: Path) -> None:
        try:
            data = read_notebook(path)
        except CourseDataError as exc:
            self.add(exc.path, exc.location, exc.message)
            return
        if data.get("nbformat") != 4:
            self.add(path, "", "notebooks must be nbformat 4")
        cells = data.get("cells", [])
        chapter = path.stem
        headings: set[str] = set()
        markdown_all = ""
        sessions: set[str] = set()
        for number, cell in enumerate(cells, start=1):
            where = f"cell {number}"
            text = cell_source(cell)
            kind = cell.get("cell_type")
            slide = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
            if slide not in SLIDE_TYPES:
                self.add(path, where, "missing slide metadata (metadata.slideshow.slide_type)")
            if placeholder := PLACEHOLDER_WORDS.search(text):
                self.add(path, where, f"placeholder text {placeholder.group(0)!r}")
            self.check_text_citations(path, where, text)
            self.check_images(path, where, text)
            if kind == "markdown":
                markdown_all += text + "\n"
                for line in text.splitlines():
                    if line.lstrip().startswith("#"):
                        headings.add(line.lstrip("# ").strip().lower())
                if percent := PERCENT.search(text):
                    self.add(path, where, f"number {percent.group(0)!r} typed in Markdown: "
                             "state it through the facts registry (facts.say)")
            elif kind == "code":
                self.check_outputs(path, where, text, cell)
                if not code_is_hidden(cell) and STUDENT_CODE not in cell.get("metadata", {}).get("tags", []):
                    self.add(path, where, "helper code shown to students: fold it (metadata.jupyter.source_hidden) "
                             f"or, if the student is meant to read or change it, tag it {STUDENT_CODE!r}")
                if BARE_SHOW.search(text):
                    self.add(path, where, "figure shown without alt text: use figures.show(fig, alt=...)")
                if EMPTY_ALT.search(text):
                    self.add(path, where, "empty alt text")
                sessions.update(SESSION.findall(text))
                self.check_quiz_calls(path, where, text, sessions or {chapter})
                for name in SHOW_REFS.findall(text):
                    if name != chapter:
                        self.add(path, where, f"show_references({name!r}) in notebook {chapter}")
        for heading, description in REQUIRED_HEADINGS.items():
            if not any(h.startswith(heading) for h in headings):
                self.add(path, "", f"missing {description}")
        lowered = markdown_all.lower()
        if "estimated time" not in lowered and "time:" not in lowered:
            self.add(path, "", "missing a time estimate ('Estimated time: ...')")
        if "prerequisite" not in lowered:
            self.add(path, "", "missing prerequisites")
        if not cells or cells[0].get("cell_type") != "markdown" or not cell_source(cells[0]).lstrip().startswith("# "):
            self.add(path, "cell 1", "a chapter starts with a Markdown title ('# ...')")
        self.check_predict(path, cells)
        for where, message in long_folded_problems(cells):
            self.add(path, where, message)
        self.check_glossary_links(path, cells)
        self.check_time(path, cells, markdown_all)
        self.check_spelling(path, cells)

    def check_glossary_links(self, path: Path, cells: list[dict[str, Any]]) -> None:
        """Each glossary term's first use in the chapter's Markdown links to glossary.ipynb with the
        current definition, so JupyterLab shows it too (glossary.link_cells)."""
        if not self.glossary_terms:
            return
        for number, (cell, linked) in enumerate(zip(cells, glossary.link_cells(cells, self.glossary_terms),
                                                    strict=True), start=1):
            if linked is not cell:
                missing = sorted(set(glossary.MD_LINK.findall(cell_source(linked)))
                                 - set(glossary.MD_LINK.findall(cell_source(cell))))
                words = ", ".join(repr(text) for text, _ in missing) or "a changed definition"
                self.add(path, f"cell {number}", f"first use of a glossary term not linked ({words}): "
                         "run scripts/link_glossary.py")

    def check_spelling(self, path: Path, cells: list[dict[str, Any]]) -> None:
        """One spelling (UK) in what a student reads; quotations and names keep theirs (spelling.py)."""
        for number, cell in enumerate(cells, start=1):
            text = cell_source(cell)
            text = code_texts(text) if cell.get("cell_type") == "code" else text
            for found, uk in us_spellings(text):
                self.add(path, f"cell {number}", f"US spelling {found!r}: the course writes {uk!r}")
            if not is_speaker_notes(cell):
                for found in seed_words(text):
                    self.add(path, f"cell {number}", SEED_MESSAGE.format(found))

    def check_data_spelling(self) -> None:
        """Data files a student reads from (banks, claims' summaries, vignettes...), outside quotations."""
        for path in sorted(data_dir().rglob("*.toml")):
            if path.name == "references.toml":
                continue
            try:
                tree = read_toml(path)
            except CourseDataError:
                continue  # reported by check_data_files
            student_text = path.parent.name != "guide"  # instructor guides are the teacher's
            for where, text in data_texts(tree):
                for found, uk in us_spellings(text):
                    self.add(path, where, f"US spelling {found!r}: the course writes {uk!r}")
                for found in seed_words(text) if student_text else []:
                    self.add(path, where, SEED_MESSAGE.format(found))

    def check_time(self, path: Path, cells: list[dict[str, Any]], markdown: str) -> None:
        """The stated time agrees with the documented estimate (timing.py) within its tolerance."""
        stated_line = re.search(r"Estimated time:?\**:?\s*(.+)", markdown)
        stated = minutes(stated_line.group(1)) if stated_line else None
        bank: Bank | None = None  # an optional appendix asks no questions and has no bank
        if not path.stem.startswith(APPENDIX_PREFIX):
            try:
                bank = self.bank(path.stem)
            except CourseDataError:
                return  # reported by the bank check
        if not self.claims:
            return  # reported by the claims check
        core, optional = timing.split_optional(cells)
        found = timing.estimate(core, bank, lambda text: expand_claims(text, self.claims))
        self.times[path.stem] = (stated, round(found.minutes))
        extra = timing.estimate(optional, bank, lambda text: expand_claims(text, self.claims)) if optional else None
        self.notes.append(f"{path.name}: time: stated {stated} min, {timing.summary(found, extra)}")
        for message in timing.problems(stated, found) if stated is not None else []:
            self.add(path, "Estimated time", message)

    def check_predict(self, path: Path, cells: list[dict[str, Any]]) -> None:
        """Every open prompt has a hidden worked answer (predict.ask), and every asked prompt exists."""
        for where, message in predict.check_notebook(path, cells, self.prompts):
            self.add(path, where, message)
        self.branching.notebook(path, cells)  # case.branch_point calls name existing branch points
        for cell in cells:
            self.asked_prompts.update(predict.ASK_CALL.findall(cell_source(cell)))

    def check_outputs(self, path: Path, where: str, text: str, cell: dict[str, Any]) -> None:
        """Notebooks ship without outputs, except the small text outputs nbval compares.

        A cell marked ``# NBVAL_CHECK_OUTPUT`` must carry its expected output
        (scripts/record_checked_outputs.py stores it), or nbval has nothing to compare.
        """
        outputs = cell.get("outputs") or []
        if not any(line.strip() == CHECK_MARKER for line in text.splitlines()):
            if outputs or cell.get("execution_count") is not None:
                self.add(path, where, "saved outputs: commit notebooks without outputs")
            return
        if outputs and cell.get("execution_count") is None:
            self.add(path, where, "a checked cell with stored outputs needs an execution count (nbval skips it)")
        if not outputs:
            self.add(path, where, "NBVAL_CHECK_OUTPUT cell without its expected output "
                     "(run scripts/record_checked_outputs.py)")
        for output in outputs:
            data = output.get("data", {})
            if output.get("output_type") not in ("stream", "execute_result", "display_data") or (
                    set(data) - CHECKED_TYPES):
                self.add(path, where, "a checked cell may store only text outputs")
        if len(json.dumps(outputs)) > MAX_CHECKED_OUTPUT:
            self.add(path, where, f"checked output larger than {MAX_CHECKED_OUTPUT} characters")

    def check_images(self, path: Path, where: str, text: str) -> None:
        for match in MD_IMAGE.finditer(text):
            if not match.group(1).strip():
                self.add(path, where, "Markdown image without alt text")
        for tag in HTML_IMG.findall(text):
            if not re.search(r"""\balt\s*=\s*(["'])\s*[^"'\s]""", tag):
                self.add(path, where, "<img> without alt text")

    def check_quiz_calls(self, path: Path, where: str, text: str, chapters: set[str]) -> None:
        calls = list(ASK_CALL.finditer(text))
        if not calls:
            return
        for chapter in chapters:
            try:
                bank = self.bank(chapter)
            except CourseDataError as exc:
                self.add(path, where, f"quiz bank for {chapter}: {exc.message}")
                continue
            sections = {q.section for q in bank.questions.values()}
            for call in calls:
                for name in STRING.findall(call.group(1)):
                    is_section = call.group(0).startswith(".ask_section")
                    if is_section and name not in sections:
                        self.add(path, where, f"quiz section {name!r} not in {bank.path.name}")
                    elif not is_section and name not in bank.questions:
                        self.add(path, where, f"quiz question {name!r} not in {bank.path.name}")

    def check_exercises(self) -> None:
        folder = exercises_dir()
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob("*.ipynb")):
            try:
                data = read_notebook(path)
            except CourseDataError as exc:
                self.add(exc.path, exc.location, exc.message)
                continue
            for number, cell in enumerate(data.get("cells", []), start=1):
                self.check_text_citations(path, f"cell {number}", cell_source(cell))
                for found, uk in us_spellings(cell_source(cell)) if cell.get("cell_type") == "markdown" else []:
                    self.add(path, f"cell {number}", f"US spelling {found!r}: the course writes {uk!r}")

    def check_slide_density(self, path: Path) -> None:
        """At most one figure or explorer, one question and about 90 words per slide of the split deck (slides.py)."""
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return  # check_notebook has said so

        def question_count(call: str, name: str) -> int:
            try:
                bank = self.bank(path.stem)
            except CourseDataError:
                return 1  # check_quiz_calls reports the bank
            return max(1, bank.shown_by(call, name))

        def shown(said: str) -> str:  # an appraised claim is read on the slide: count its words
            try:
                return expand_claims(said, self.claims) if self.claims else said
            except CourseDataError:
                return said  # check_notebook reports the unknown claim

        self.check_guide(path, cells)
        for location, message, enforced in density_problems(cells, question_count, shown):
            if enforced:
                self.add(path, location, message)
            else:
                self.notes.append(f"{path}: {location}: {message}")

    def check_guide(self, path: Path, cells: list[Any]) -> None:
        """Every section of a chapter with an instructor guide has its entry (data/guide/)."""
        try:
            guide = load_guide(path.stem)
        except CourseDataError as exc:
            self.add(exc.path, exc.location, exc.message)
            return
        if guide is None:
            self.notes.append(f"{path}: no instructor guide (data/guide/{path.stem}.toml), so no speaker "
                              "notes per section")
            return
        for location, message in coverage_problems(guide, cells):
            self.add(guide.path, location, message)

    def check_unused_references(self) -> None:
        for key in sorted(set(self.references) - self.used_keys):
            self.add(data_path("references.toml"), f"[{key}]", "reference never cited by any chapter, quiz or fact")


def reference_gaps(ref: Reference) -> list[str]:
    """What a reader would miss to find the work (empty when the entry is complete)."""
    gaps = []
    if not (ref.journal or ref.publisher):
        gaps.append("no journal or publisher")
    if ref.journal and not ref.volume:
        gaps.append("no volume")
    if not ref.pages:
        gaps.append("no pages or article number")
    if not (ref.doi or ref.pmid):
        gaps.append("no DOI or PMID")
    names = [name.strip() for name in ref.authors.split(",")]
    if any("et al" in name for name in names):
        gaps.append("abbreviated author list (et al.)")
    elif not all(AUTHOR.match(name) for name in names if name):
        gaps.append("author names without initials")
    return gaps


def _looks_like_fact(candidate: str) -> bool:
    """Fact ids start with their source's citation key (``fujimoto2021.os_1y``), which
    tells a ``{fact.id}`` placeholder from a Python format field such as ``{row.value}``."""
    head = candidate.split(".", 1)[0]
    return bool(re.match(r"^[a-z]+\d{4}[a-z]?$", head))


def check_course() -> list[Problem]:
    """Every problem in the course content (empty when all is well)."""
    return Checker().run()


def main(argv: list[str], prog: str = "ankl-course check") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Validate all course content.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="check only these notebooks")
    args = parser.parse_args(argv)
    checker = Checker()
    problems = checker.run(args.notebooks or None)
    for note in checker.notes:
        print(f"note: {note}")
    for cue in checker.cues:
        print(f"cue: {cue}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.")
        return 1
    print("Course content OK.")
    return 0
