"""An installed course finds its notebooks, exercises and data without a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                   check=True, capture_output=True, text=True)
    return next(out.glob("ankl_course-*.whl"))


@pytest.mark.slow
def test_wheel_carries_notebooks_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks, "no notebooks in the checkout"
    for name in notebooks:
        assert f"ankl_course/notebooks/{name}" in names
    for required in ("ankl_course/data/facts.toml", "ankl_course/data/references.toml", "ankl_course/quiz_static.js"):
        assert required in names
    assert not [n for n in names if "exercises/" in n], "exercise sources (with solutions) must stay out of the wheel"
    banks = {p.name for p in (REPO / "ankl_course" / "data" / "quizzes").glob("*.toml")}
    assert banks <= {Path(n).name for n in names if n.startswith("ankl_course/data/quizzes/")}


@pytest.mark.slow
def test_unpacked_wheel_resolves_its_own_notebooks(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
            "from ankl_course.resources import chapter_notebooks, notebooks_dir; "
            "print(notebooks_dir()); print(len(chapter_notebooks()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    folder, count = out.stdout.split()
    assert Path(folder) == tmp_path / "ankl_course" / "notebooks"
    shipped = [*(REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"), *(REPO / "notebooks").glob("appendix_*.ipynb")]
    assert int(count) == len(shipped)  # the numbered chapters and the optional appendix
