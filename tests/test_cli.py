"""The command line answers help, version and unknown commands the way a shell user expects.

That ``--help`` loads no heavy library is checked in test_imports.py.
"""

from __future__ import annotations

import pytest
from conftest import run_cli

from ankl_course import __version__
from ankl_course.cli import COMMANDS

#: Each test runs the command in a fresh interpreter, as a shell user does.
pytestmark = pytest.mark.slow


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert f"  {name}" in result.stdout


def test_no_arguments_prints_usage_and_fails() -> None:
    result = run_cli()
    assert result.returncode == 2
    assert "usage: ankl-course" in result.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.stdout.strip() == f"ankl-course {__version__}"


def test_unknown_command_is_a_one_line_error() -> None:
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr
    assert "Traceback" not in result.stderr
