"""`ankl-course lab`: a writable copy of the course that never loses a student's edits, and a server that answers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ankl_course.workspace import MANIFEST, lab_command, prepare_workspace


def _sources(tmp_path: Path, version: str = "v1") -> list[Path]:
    folder = tmp_path / f"course-{version}"
    folder.mkdir(exist_ok=True)
    paths = []
    for name in ("00_welcome.ipynb", "01_nk_cell_biology.ipynb"):
        path = folder / name
        path.write_text(json.dumps({"cells": [], "version": version, "name": name}), encoding="utf-8")
        paths.append(path)
    return paths


def test_first_run_copies_every_notebook(tmp_path: Path) -> None:
    work = tmp_path / "work"
    report = prepare_workspace(work, sources=_sources(tmp_path))
    assert report.added == ["00_welcome.ipynb", "01_nk_cell_biology.ipynb"]
    assert (work / MANIFEST).exists()
    assert os.access(work / "00_welcome.ipynb", os.W_OK)


def test_edited_notebook_is_kept_unless_reset(tmp_path: Path) -> None:
    work = tmp_path / "work"
    prepare_workspace(work, sources=_sources(tmp_path))
    edited = work / "01_nk_cell_biology.ipynb"
    edited.write_text('{"cells": ["my answer"]}', encoding="utf-8")
    report = prepare_workspace(work, sources=_sources(tmp_path, "v2"))
    assert report.kept == ["01_nk_cell_biology.ipynb"]
    assert edited.read_text(encoding="utf-8") == '{"cells": ["my answer"]}'
    assert report.updated == ["00_welcome.ipynb"]  # unedited old copy follows the new course version
    assert '"v2"' in (work / "00_welcome.ipynb").read_text(encoding="utf-8")
    report = prepare_workspace(work, reset=True, sources=_sources(tmp_path, "v2"))
    assert report.reset == ["01_nk_cell_biology.ipynb"]
    assert '"v2"' in edited.read_text(encoding="utf-8")


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    from ankl_course.errors import CourseDataError

    blocker = tmp_path / "work"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CourseDataError, match="exists and is not a folder"):
        prepare_workspace(blocker, sources=_sources(tmp_path))


def test_lab_command_opens_the_welcome_notebook(tmp_path: Path) -> None:
    prepare_workspace(tmp_path, sources=_sources(tmp_path))
    command = lab_command(tmp_path, no_browser=True, port=8899, extra=[])
    assert "--LabApp.default_url=/lab/tree/00_welcome.ipynb" in command
    assert "--no-browser" in command and "--port=8899" in command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_lab_starts_and_lists_the_course_notebooks(tmp_path: Path) -> None:
    """What a student gets from `ankl-course lab --no-browser`: a server listing the chapters."""
    from ankl_course.resources import chapter_notebooks

    port, token = _free_port(), "ankl-test-token"
    work = tmp_path / "work"
    process = subprocess.Popen(
        [sys.executable, "-m", "ankl_course", "lab", str(work), "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        listing = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and listing is None:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/contents",
                                                 headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(request, timeout=2) as response:
                    listing = json.load(response)
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"lab exited early:\n{process.stdout.read()}")
                time.sleep(0.3)
        assert listing is not None, "JupyterLab did not answer within 60 s"
        names = sorted(item["name"] for item in listing["content"])
        # the chapters, and the glossary notebook their first uses of glossary terms open
        assert [n for n in names if n.endswith(".ipynb")] == [p.name for p in chapter_notebooks()] + ["glossary.ipynb"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as response:
            assert response.status == 200
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def test_the_workspace_gets_the_glossary_the_chapters_link_to(tmp_path: Path) -> None:
    from ankl_course.resources import GLOSSARY_NOTEBOOK, chapter_notebooks

    report = prepare_workspace(tmp_path / "work")
    assert report.added == [p.name for p in chapter_notebooks()] + [GLOSSARY_NOTEBOOK]
    chapter = (tmp_path / "work" / "04_clinical_picture.ipynb").read_text(encoding="utf-8")
    assert f"({GLOSSARY_NOTEBOOK}#cell-id=term-hlh " in chapter
