"""The command line answers help, version and unknown commands the way a shell user expects."""

from __future__ import annotations

from conftest import run_cli

from ankl_course import __version__
from ankl_course.cli import COMMANDS


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


def test_help_does_not_import_heavy_modules() -> None:
    """--help must stay fast: no Jupyter, matplotlib or nbformat import on that path."""
    code = (
        "import sys, ankl_course.cli as c; c.main(['--help']);"
        "heavy = [m for m in ('nbformat', 'matplotlib', 'ipywidgets', 'jupyterlab', 'numpy') if m in sys.modules];"
        "print('HEAVY', heavy)"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
