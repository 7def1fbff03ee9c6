"""Shared fixtures: a writable copy of the course data, and running the CLI as a user would.

Also where the fast loop is drawn: ``make test-fast`` runs ``-m "not slow"``, and a test that
starts a kernel, a browser, a build or another process is marked ``slow`` (``make test`` runs
them all). Chapter notebooks under nbval each start a kernel, so they are marked here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ankl_course.resources import DATA_DIR

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the course data that a test may break; the course reads it instead."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    monkeypatch.setenv("ANKL_COURSE_DATA", str(target))
    return target


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``ankl-course ARGS`` in a fresh interpreter, as a teacher would from a shell."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ankl_course", *args],
        capture_output=True, text=True, env=full_env, timeout=timeout, cwd=REPO,
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every notebook cell nbval collects as slow: each notebook runs in a kernel of its own."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
