"""Shared fixtures: a writable copy of the course data, and running the CLI as a user would."""

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
