"""Where the course's files are, in a checkout and in an installed wheel.

In a checkout the notebooks and exercises sit at the top of the repository,
beside the package. A wheel carries them inside the package (see the
``force-include`` table in pyproject.toml). Every other module asks here, so the
two layouts are handled in one place.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The data shipped with the package. Use :func:`data_dir` to honour an override.
DATA_DIR = PACKAGE_DIR / "data"
#: Environment variables that point the course at another copy of its data or
#: notebooks, so a teacher can check an edited copy before installing it.
DATA_ENV = "ANKL_COURSE_DATA"
NOTEBOOKS_ENV = "ANKL_COURSE_NOTEBOOKS"


def _top_level(name: str) -> Path:
    """The folder ``name``: inside the package when installed, else beside it."""
    packaged = PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / name


def notebooks_dir() -> Path:
    """The folder holding the chapter notebooks (``00_welcome.ipynb`` ...)."""
    override = os.environ.get(NOTEBOOKS_ENV)
    return Path(override) if override else _top_level("notebooks")


def exercises_dir() -> Path:
    """The folder holding the graded exercise sources (a checkout only: the wheel leaves
    them out, because they contain the solutions and students install the wheel)."""
    return _top_level("exercises")


def data_dir() -> Path:
    """The data folder in use: ``$ANKL_COURSE_DATA`` if set, else the package's own."""
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else DATA_DIR


def data_path(*parts: str) -> Path:
    """A file in the data folder, e.g. ``data_path("facts.toml")``."""
    return data_dir().joinpath(*parts)


#: The glossary notebook beside the chapters: their first uses of glossary terms link to it (glossary.py).
GLOSSARY_NOTEBOOK = "glossary.ipynb"


def glossary_notebook() -> Path:
    """The glossary notebook that students get with the chapters (generated from data/glossary.toml)."""
    return notebooks_dir() / GLOSSARY_NOTEBOOK


#: File-name start of an optional appendix notebook (``appendix_NAME.ipynb``): listed after the
#: numbered chapters, marked optional in the course map, and not counted in the course's time.
APPENDIX_PREFIX = "appendix_"


def chapter_notebooks() -> list[Path]:
    """The chapter notebooks in course order: the numbered chapters (their names start with the
    chapter number), then the optional appendices. An appendix is built, checked and copied like a
    chapter, so that its page, its deck and its time estimate exist; only the map treats it apart."""
    folder = notebooks_dir()
    return sorted(folder.glob("[0-9][0-9]_*.ipynb")) + sorted(folder.glob(f"{APPENDIX_PREFIX}*.ipynb"))
