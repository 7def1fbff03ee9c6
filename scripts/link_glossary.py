"""Link the first use of each glossary term in every chapter's Markdown to the glossary notebook,
and write that notebook (``notebooks/glossary.ipynb``) from ``ankl_course/data/glossary.toml``.

Why: students read the chapters in JupyterLab, where exported pages' links do not exist; the
link must be in the notebook itself (see ankl_course/glossary.py). Run after changing
glossary.toml or a chapter's Markdown; ``ankl-course check`` says when it is needed.

Usage: ``python scripts/link_glossary.py`` (all chapters), or with chapter notebook paths.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ankl_course import glossary
from ankl_course.citations import load_references
from ankl_course.resources import chapter_notebooks, glossary_notebook


def main(paths: list[str]) -> int:
    references = load_references()
    terms, _ = glossary.load(references=set(references))
    glossary_notebook().write_text(glossary.notebook_text(references), encoding="utf-8")
    for path in [Path(p) for p in paths] or chapter_notebooks():
        data = json.loads(path.read_text(encoding="utf-8"))
        linked = glossary.link_cells(data["cells"], terms)
        if linked != data["cells"]:
            data["cells"] = linked
            path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"linked {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
