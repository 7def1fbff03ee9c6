"""Quiz progress that persists: the workspace file (atomic, concurrent-safe, safe with a bad file),
the ``ankl-course progress`` table, CSV and reset, and two real kernels answering at once."""

from __future__ import annotations

import json
import multiprocessing
import textwrap
from pathlib import Path

import pytest
from exports_helpers import run_cli

from ankl_course.progress import FILE_NAME, PATH_ENV, ProgressStore, ProgressWarning, as_csv, table
from ankl_course.quiz_rules import Record


def test_records_round_trip_and_keep_other_chapters(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / FILE_NAME)
    assert store.read() == {} and not list(tmp_path.iterdir()), "reading nothing creates nothing"
    store.update("01_a", "01_a/q1", Record(first=True, solved=True, response=2, time="2026-01-01T10:00:00Z"))
    store.update("02_b", "01_a/q1", Record(first=False, shown=True, time="2026-01-02T10:00:00Z"))
    store.update("01_a", "01_a/q2", Record(first=False, response=[0, 1]))
    records = store.read()
    assert records["01_a"]["01_a/q1"].response == 2 and records["01_a"]["01_a/q2"].response == [0, 1]
    assert records["02_b"]["01_a/q1"].shown
    raw = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert raw["format"] == "ankl-course-progress" and raw["version"] == 1
    assert not list(tmp_path.glob("*.tmp")), "no temporary file left behind"


@pytest.mark.parametrize("content", ["{not json", '{"format": "something-else"}', "[1, 2]",
                                     '{"format": "ankl-course-progress", "version": 1, "chapters": {"a": {"k": 3}}}'])
def test_a_foreign_or_damaged_file_is_kept_as_a_backup(tmp_path: Path, content: str) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(content, encoding="utf-8")
    store = ProgressStore(path)
    with pytest.warns(ProgressWarning, match=r"not a readable ankl-course progress file .* kept it as"):
        assert store.read() == {}
    backups = list(tmp_path.glob(f"{FILE_NAME}.bak-*"))
    assert [b.read_text(encoding="utf-8") for b in backups] == [content]
    store.update("01_a", "01_a/q1", Record(first=True))
    assert store.read()["01_a"]["01_a/q1"].first is True


def _hammer(path: str, worker: int, count: int) -> None:
    store = ProgressStore(Path(path))
    for n in range(count):
        store.update("01_a", f"01_a/w{worker}-q{n}", Record(first=n % 2 == 0, time="2026-01-01T00:00:00Z"))


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(str(path), w, 60)) for w in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert len(ProgressStore(path).read()["01_a"]) == 120


def test_table_counts_answered_right_first_time_and_shown() -> None:
    pages = [("01_a", "A", ["01_a/q1", "01_a/q2", "01_a/q3"]), ("02_b", "B", ["02_b/q1"])]
    records = {"01_a": {"01_a/q1": Record(first=True, solved=True, time="2026-01-01T10:00:00Z"),
                        "01_a/q2": Record(first=False, shown=True, time="2026-01-03T09:00:00Z"),
                        "01_a/other": Record(first=True)}}
    rows = table(records, pages)
    assert [(r.chapter, r.questions, r.answered, r.right, r.shown, r.last) for r in rows] == [
        ("01_a", 3, 2, 1, 1, "2026-01-03T09:00:00Z"), ("02_b", 1, 0, 0, 0, "")]
    assert as_csv(rows).splitlines() == [
        "chapter,questions,answered,right_first_time,answers_shown,last_activity",
        "01_a,3,2,1,1,2026-01-03T09:00:00Z", "02_b,1,0,0,0,"]


@pytest.mark.slow
def test_command_prints_exports_and_resets(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / FILE_NAME)
    store.update("01_nk_cell_biology", "01_nk_cell_biology/clonality", Record(first=True, solved=True,
                                                                             time="2026-01-01T10:00:00Z"))
    shown = run_cli("progress", str(tmp_path), env={PATH_ENV: ""})
    assert shown.returncode == 0, shown.stderr
    row = next(line for line in shown.stdout.splitlines() if line.startswith("01_nk_cell_biology"))
    assert row.split()[2:5] == ["1", "1", "0"] and "2026-01-01 10:00:00 UTC" in row
    out = tmp_path / "mine.csv"
    assert run_cli("progress", str(tmp_path), "--csv", str(out), env={PATH_ENV: ""}).returncode == 0
    assert "01_nk_cell_biology,14,1,1,0,2026-01-01T10:00:00Z" in out.read_text(encoding="utf-8").splitlines()
    reset = run_cli("progress", str(tmp_path), "--reset", env={PATH_ENV: ""})
    assert reset.returncode == 0 and "kept as" in reset.stdout
    assert store.read() == {} and list(tmp_path.glob(f"{FILE_NAME}.bak-*"))


KERNEL_CODE = textwrap.dedent("""
    import os
    from ankl_course.quiz import QuizSession
    from ankl_course.quiz_rules import Record, after_show
    session = QuizSession("01_nk_cell_biology")
    for question in session.bank.questions.values():
        widget = session.ask(question.id).widget()
        # what the front end sends when the student clicks "Show answer": one write per click
        widget.records = {question.key: after_show(Record()).to_json()}
    print("done", len(session.records))
""")


@pytest.mark.slow
def test_two_kernels_answering_at_once_lose_no_answer(tmp_path: Path) -> None:
    """Two real kernels of two notebooks (chapters 01 and a copy named 99) click at the same time."""
    from jupyter_client.manager import start_new_kernel

    path = tmp_path / FILE_NAME
    kernels = [start_new_kernel(kernel_name="python3", env={**__import__("os").environ, PATH_ENV: str(path)})
               for _ in range(2)]
    try:
        code = [KERNEL_CODE, KERNEL_CODE.replace('QuizSession("01_nk_cell_biology")',
                                                 'QuizSession("99_copy", bank=__import__("ankl_course.quiz_bank")'
                                                 '.quiz_bank.load_bank(__import__("ankl_course.quiz_bank")'
                                                 '.quiz_bank.bank_path("01_nk_cell_biology")))')]
        ids = [client.execute(text) for (_, client), text in zip(kernels, code, strict=True)]
        for (_, client), msg_id in zip(kernels, ids, strict=True):
            reply = client.get_shell_msg(timeout=120)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = client.get_shell_msg(timeout=120)
            assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        for manager, client in kernels:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    records = ProgressStore(path).read()
    assert len(records["01_nk_cell_biology"]) == 14 and len(records["99_copy"]) == 14
    assert all(r.shown and r.first is False for chapter in records.values() for r in chapter.values())
