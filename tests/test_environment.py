"""pyproject.toml and environment.yml install the same packages, so conda/Binder users get the course pip users get."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip"}
# conda-forge spells a few packages differently from PyPI.
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
    return CONDA_TO_PYPI.get(name, name)


def _pyproject() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        names |= {_name(r) for r in extra}
    return names


def _environment() -> set[str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for item in env["dependencies"]:
        if isinstance(item, dict):
            names |= {_name(r) for r in item.get("pip", []) if not r.startswith("-")}
        else:
            names.add(_name(item))
    return names - CONDA_ONLY


def test_environment_yml_matches_pyproject() -> None:
    assert _environment() == _pyproject()


def test_environment_installs_the_course_itself() -> None:
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert "-e ." in pip or "." in pip


def test_versions_agree() -> None:
    def pins(lines: list[str]) -> dict[str, str]:
        """name -> version constraint (the text from the first comparison operator on)."""
        return {_name(r): re.sub(r"^[^<>=!~]*", "", r).strip() for r in lines}

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = pins(project["dependencies"] + [r for e in project["optional-dependencies"].values() for r in e])
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    listed: list[str] = []
    for item in env["dependencies"]:
        listed += [r for r in item["pip"] if not r.startswith("-")] if isinstance(item, dict) else [item]
    have = {k: v for k, v in pins(listed).items() if k not in CONDA_ONLY}
    assert have == wanted
