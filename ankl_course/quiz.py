"""Quizzes in a notebook: the session that shows a chapter's questions, keeps every answer and the score.

Why it is built this way:

* One front end: the same forms and the same script (``quiz_static.js``) run
  in JupyterLab, as an anywidget whose records sync to Python, and in exported
  pages and decks, which have no kernel: every quiz output carries the widget
  view and a self-contained ``text/html`` rendering (``quiz_render.py``);
  exports put ``text/html`` first and the quiz works offline.
* One set of rules (``quiz_rules.py``, mirrored by ``quiz_static.js``) says
  what a Check or "Show answer" does: the first answer counts, the
  explanation follows a right answer or a shown one, and every answer is kept
  (``progress.py`` in JupyterLab, localStorage in exported pages).
* The banks, their validation and option order are ``quiz_bank.py``; the
  authoring cues ``ankl-course check`` looks for are ``quiz_cues.py``.
"""

from __future__ import annotations

import functools
import html
import os
import warnings
from typing import Any

from .errors import CourseDataError
from .interactive import EXPORT_ENV
from .progress import ProgressStore, ProgressTable
from .quiz_bank import Bank, Question, bank_path, chapter_pages, load_bank, resolve
from .quiz_render import SCRIPT_PATH, STYLE, RenderContext, b64_json, static_html
from .quiz_rules import Record, Score

#: Environment variable that makes every quiz render with answers shown (presenter exports).
TEACHER_ENV = "ANKL_COURSE_TEACHER"

#: Appended to quiz_static.js to make it the live widget's ES module (anywidget).
_ESM_EXPORT = "\nexport default { render({ model, el }) { globalThis.anklQuiz.renderWidget(model, el); } };\n"


@functools.cache
def quiz_widget_class() -> type:
    """The live quiz widget class (built on first use: importing anywidget costs time ``check`` does not need).

    A chapter shows some twenty of these, so their construction is most of
    what rendering its quizzes costs. Given ``_esm`` and ``_css`` as plain
    class attributes, anywidget adds them (and ``_anywidget_id``) to every
    instance with ``add_traits``, which derives a new class per instance; here
    all three are declared traits of the class, with the values anywidget
    would give them, and ``add_traits`` adds only what is not declared
    (``tests/test_quiz.py`` checks the synced state is anywidget's own).
    """
    import anywidget
    import traitlets

    class QuizWidget(anywidget.AnyWidget):
        """Quiz forms in JupyterLab, driven by quiz_static.js; ``records`` syncs every answer to Python."""

        _esm = traitlets.Unicode(SCRIPT_PATH.read_text(encoding="utf-8") + _ESM_EXPORT).tag(sync=True)
        _css = traitlets.Unicode(STYLE).tag(sync=True)
        _anywidget_id = traitlets.Unicode(f"{__name__}.QuizWidget").tag(sync=True)
        html = traitlets.Unicode("").tag(sync=True)
        records = traitlets.Dict().tag(sync=True)

        def add_traits(self, **traits: Any) -> None:
            missing = {name: trait for name, trait in traits.items() if not self.has_trait(name)}
            if missing:
                super().add_traits(**missing)

    return QuizWidget


class QuizDisplay:
    """What a notebook cell shows for one or more questions: a live widget in
    JupyterLab, and the same questions as self-contained HTML for exports."""

    def __init__(self, session: QuizSession, questions: list[Question], first_index: int) -> None:
        self._session = session
        self._questions = questions
        self._ids = [f"ankl-quiz-{session.chapter}-{q.id}-{first_index + i}" for i, q in enumerate(questions)]
        self._widget: Any = None
        self._assets = session.take_assets()
        self._forms: dict[bool, str] = {}

    def forms(self, reveal: bool | None = None) -> str:
        """The quiz forms of this display (rendered once per reveal setting)."""
        reveal = self._session.reveal if reveal is None else reveal
        if reveal not in self._forms:
            pairs = zip(self._questions, self._ids, strict=True)
            context, chapter = self._session.context, self._session.chapter
            self._forms[reveal] = "".join(static_html(question, element_id, reveal, context, chapter)
                                          for question, element_id in pairs)
        return self._forms[reveal]

    def html(self, reveal: bool | None = None) -> str:
        """The kernel-free rendering of every question in this display (with the page script if first)."""
        return self._assets + self.forms(reveal)

    def widget(self) -> Any:
        """The live view: one anywidget rendering the same forms with the same script as the exported
        page, its records synced to Python (built once, kept alive by this object)."""
        if self._widget is None:
            session, questions = self._session, self._questions
            records = {q.key: session.records[q.key].to_json() for q in questions if q.key in session.records}
            self._widget = quiz_widget_class()(html=self.forms(), records=records, layout=session.layout())
            self._widget.observe(lambda change: session.accept(questions, change["new"]), names="records")
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = _widget_bundle(self.widget())
        bundle["text/html"] = self.html()
        bundle["text/plain"] = "Quiz: " + "; ".join(q.prompt for q in self._questions)
        return bundle


def _widget_bundle(widget: Any) -> dict[str, Any]:
    """A widget's display data (anywidget returns it with its metadata, as a pair)."""
    found = widget._repr_mimebundle_()
    if isinstance(found, tuple):
        found = found[0]
    return dict(found or {})


def _default_store() -> Any:
    """The workspace's progress file; none while ``ankl-course build`` executes a chapter."""
    return None if os.environ.get(EXPORT_ENV) else ProgressStore.default()


_DEFAULT: Any = object()


class QuizSession:
    """The quizzes of one notebook: shows questions, keeps every answer, and the score.

    >>> quiz = QuizSession("01_nk_cell_biology")   # doctest: +SKIP
    >>> quiz.warm_up()                              # doctest: +SKIP
    >>> quiz.ask("missing-self")                    # doctest: +SKIP
    >>> quiz.score()                                # doctest: +SKIP

    Answers are stored in the workspace's progress file (``store``; None keeps
    them in memory only), so a restarted kernel shows them again.
    """

    def __init__(self, chapter: str, bank: Bank | None = None, reveal: bool | None = None,
                 store: Any = _DEFAULT) -> None:
        self.chapter = chapter
        self.bank = bank or load_bank(bank_path(chapter))
        self.reveal = os.environ.get(TEACHER_ENV, "") not in ("", "0") if reveal is None else reveal
        self.store = _default_store() if store is _DEFAULT else store
        self.records: dict[str, Record] = {}
        if self.store is not None:
            self.records = dict(self.store.read().get(chapter, {}))
        self._shown = 0
        self._scores: list[tuple[Any, Any]] = []
        self._assets_due = True
        self.context = RenderContext.load()
        self._layout: Any = None
        # Questions borrowed from other banks (warm-up, pre- and post-test), loaded with the bank, not when shown.
        borrowed = [*self.bank.warmup, *self.bank.pretest, *self.bank.posttest_keys()]
        self._borrowed = {ref: resolve(ref, self.context.facts) for ref in borrowed}

    def layout(self) -> Any:
        """One ipywidgets Layout for every widget of this notebook's quizzes and score lines.

        Each widget would otherwise open a Layout model of its own, a second comm
        per quiz; all of them keep the default layout, so one shared model does.
        """
        if self._layout is None:
            import ipywidgets as widgets

            self._layout = widgets.Layout()
        return self._layout

    def take_assets(self) -> str:
        """The page's quiz CSS and script for the first quiz output of this notebook, then nothing."""
        due, self._assets_due = self._assets_due, False
        return self.context.assets() if due else ""

    def _question(self, ref: str) -> Question:
        if "/" in ref:
            chapter, qid = ref.split("/", 1)
            if chapter != self.bank.chapter:
                return self._borrowed[ref] if ref in self._borrowed else resolve(ref, self.context.facts)
            ref = qid
        return self.bank[ref]

    def ask(self, *question_ids: str) -> QuizDisplay:
        """Show these questions (ids of this chapter's bank, or ``chapter/id`` of another's)."""
        if not question_ids:
            raise ValueError("ask() needs at least one question id")
        questions = [self._question(qid) for qid in question_ids]
        display = QuizDisplay(self, questions, self._shown)
        self._shown += len(questions)
        return display

    def ask_section(self, section: str) -> QuizDisplay:
        """Show every question of a bank section."""
        questions = self.bank.section(section)
        if not questions:
            raise CourseDataError(self.bank.path, section, "no questions in this section")
        return self.ask(*(q.id for q in questions))

    def warm_up(self) -> QuizDisplay:
        """The chapter's warm-up: earlier chapters' questions chosen in the bank (``warmup = [...]``)."""
        if not self.bank.warmup:
            raise CourseDataError(self.bank.path, "warmup", "this bank chooses no warm-up questions")
        return self.ask(*self.bank.warmup)

    def pre_test(self) -> QuizDisplay:
        """Chapter 00's pre-test (``pretest = [...]``)."""
        if not self.bank.pretest:
            raise CourseDataError(self.bank.path, "pretest", "this bank has no pre-test")
        return self.ask(*self.bank.pretest)

    def post_test(self) -> QuizDisplay:
        """The pre-test's questions again, at the end of the course (``posttest = "00_welcome"``)."""
        keys = self.bank.posttest_keys()
        if not keys:
            raise CourseDataError(self.bank.path, "posttest", "this bank repeats no pre-test")
        return self.ask(*keys)

    def record(self, question: Question, record: Record) -> None:
        """Keep a question's new record (in the progress file too) and refresh the score lines."""
        self.records[question.key] = record
        if self.store is not None:
            self.store.update(self.chapter, question.key, record)
        for label, spec in self._scores:
            label.value = self._score_text(spec)

    def _score_text(self, spec: dict[str, Any]) -> str:
        if spec["chapter"] == self.chapter:
            records = self.records
        else:
            records = self.store.read().get(spec["chapter"], {}) if self.store is not None else {}
        found = [records[key] for key in spec["keys"] if key in records]
        return Score.of(found, len(spec["keys"])).text(spec["label"])

    def summary(self) -> str:
        """The score line for every question of this chapter's page."""
        return self._score_text(self._page_spec())

    def _page_spec(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "keys": self.bank.page_keys(), "label": "Quiz progress"}

    def score(self) -> ScoreDisplay:
        """A live line with the student's progress in this chapter's quizzes."""
        return self._score_display(self._page_spec())

    def compare_with_pretest(self) -> Any:
        """Two score lines: the pre-test of chapter 00 then and the same questions now."""
        keys = self.bank.posttest_keys()
        if not keys:
            raise CourseDataError(self.bank.path, "posttest", "this bank repeats no pre-test")
        return _Both(self._score_display({"chapter": self.bank.posttest, "keys": keys, "label": "Pre-test"}),
                     self._score_display({"chapter": self.chapter, "keys": keys, "label": "Post-test"}))

    def progress_table(self) -> Any:
        """The per-chapter progress table (the same as ``ankl-course progress``)."""
        return ProgressTable(self.store, chapter_pages(), self.take_assets())

    def _score_display(self, spec: dict[str, Any]) -> ScoreDisplay:
        import ipywidgets as widgets

        label = widgets.HTML(value=self._score_text(spec), layout=self.layout())
        self._scores.append((label, spec))
        return ScoreDisplay(label, spec, self.take_assets())

    def accept(self, questions: list[Question], records: dict[str, Any]) -> None:
        """Take the records a live widget reports (its front end judged with the shared rules) and keep
        those that changed; a malformed one is ignored with a warning."""
        for question in questions:
            raw = records.get(question.key)
            if raw is None:
                continue
            try:
                record = Record.from_json(raw)
            except ValueError as exc:
                warnings.warn(f"quiz {question.key}: ignored a malformed answer record ({exc})", stacklevel=2)
                continue
            if record != self.records.get(question.key):
                self.record(question, record)


class ScoreDisplay:
    """A score line: live in JupyterLab; in exports, a line the page script fills from localStorage."""

    def __init__(self, label: Any, spec: dict[str, Any], assets: str = "") -> None:
        self._label = label
        self._spec = spec
        self._assets = assets

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self._label._repr_mimebundle_() or {})
        text = html.escape(self._label.value)
        bundle["text/html"] = (f'{self._assets}<p class="ankl-score" role="status" aria-live="polite" '
                               f'data-ankl-score="{b64_json(self._spec)}">{text}</p>')
        bundle["text/plain"] = self._label.value
        return bundle


class _Both:
    """Two displays shown as one output."""

    def __init__(self, first: Any, second: Any) -> None:
        self._parts = (first, second)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        import ipywidgets as widgets

        bundles = [part._repr_mimebundle_() for part in self._parts]
        box = widgets.VBox([part._label for part in self._parts])
        bundle = dict(box._repr_mimebundle_() or {})
        bundle["text/html"] = "".join(b["text/html"] for b in bundles)
        bundle["text/plain"] = "\n".join(b["text/plain"] for b in bundles)
        return bundle
