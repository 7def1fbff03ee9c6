"""The code-quality gates run with the tests, so CI fails on them like on any broken test.

``ruff`` (lint and import order, configured in pyproject.toml) and ``mypy`` (types, configured
in ``[tool.mypy]``) run over the repository as a contributor would run them by hand. Each test is
skipped, saying why, only when its tool is not installed (``pip install -e '.[test]'`` brings both).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "ankl_course"
#: A module longer than this does more than one job (issue 11).
MAX_MODULE_LINES = 600


def _tool(module: str) -> list[str]:
    """The command that runs ``module`` with this interpreter, or a skip naming what is missing."""
    try:
        __import__(module)
    except ImportError:
        pytest.skip(f"{module} is not installed: pip install -e '.[test]' to run this check")
    return [sys.executable, "-m", module]


def test_ruff_is_clean() -> None:
    done = subprocess.run([*_tool("ruff"), "check", "."], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow  # seconds even with a warm cache: make test runs it, as CI does
def test_mypy_is_clean() -> None:
    # The configuration (files, exclusions, strictness) is in pyproject.toml, so this run and a
    # contributor's plain `mypy` agree. Its incremental cache makes a second run take seconds.
    cache = REPO / ".mypy_cache"
    done = subprocess.run([*_tool("mypy"), "--cache-dir", str(cache)], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_no_module_is_over_600_lines() -> None:
    long = {str(path.relative_to(PACKAGE)): count
            for path in PACKAGE.rglob("*.py")
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"split these by job: {long}"


def test_every_module_says_why_it_exists() -> None:
    missing = [str(path.relative_to(REPO)) for path in PACKAGE.rglob("*.py")
               if path.stat().st_size and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert not missing, f"modules without a docstring: {missing}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_fast_runs_all_but_the_slow_tests_and_is_documented() -> None:
    done = subprocess.run(["make", "-n", "test-fast"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert any('-m "not slow"' in line for line in done.stdout.splitlines())
    assert "make test-fast" in (REPO / "README.md").read_text(encoding="utf-8")
