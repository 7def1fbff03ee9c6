"""The synthetic cohort as a student reads it: named columns in words and months, not codes.

Why a separate table: the cohort frame keeps the coded columns the estimators need (``efs_event``
0/1/2, times in years, a boolean ``os_event``). A second-year student reading those codes learns
the encoding, not the patients; this table says the same thing in the words the chapter uses. It is
drawn with the course's accessible table (caption, header cells with scope, one header row) rather
than pandas' two-row header with empty cells.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..htmlkit import Cell, table
from .design import CENSORED, NRM, RELAPSE, SYNTHETIC

#: The first event after transplant, as the chapter names it.
FIRST_EVENT = {RELAPSE: "relapse or progression", NRM: "death without relapse", CENSORED: "none by the last report"}
#: Disease status at transplant, spelled out.
STATUS = {"CR": "complete response (CR)", "PR": "partial response (PR)"}
MONTHS_PER_YEAR = 12
NUMBERS = ("months to first event or last report", "months to death or last report")
#: Words left-aligned, numbers right-aligned; the doubled class outranks JupyterLab's rule that
#: right-aligns every cell of an output table.
STYLE = (".ankl-cohort.ankl-cohort th,.ankl-cohort.ankl-cohort td{text-align:left;padding:0.2em 0.6em;"
         "vertical-align:top}.ankl-cohort.ankl-cohort td.ankl-number{text-align:right}"
         ".ankl-cohort.ankl-cohort thead th:first-child{white-space:nowrap}")


def patient_rows(frame: pd.DataFrame, rows: int = 8) -> pd.DataFrame:
    """The first ``rows`` patients of a cohort with readable columns, numbered from 1. Raises
    ValueError for a frame without the cohort's columns (not a cohort from CohortModel.sample)."""
    needed = {"graft", "status", "efs_time", "efs_event", "os_time", "os_event"}
    if missing := needed - set(frame.columns):
        raise ValueError(f"patient_table needs a cohort from CohortModel.sample; missing {sorted(missing)}")
    part = frame.head(rows)
    return pd.DataFrame({
        "graft": part["graft"].astype(str).to_numpy(),
        "disease at transplant": [STATUS.get(str(s), str(s)) for s in part["status"]],
        "first event": [FIRST_EVENT[int(e)] for e in part["efs_event"]],
        NUMBERS[0]: np.round(part["efs_time"].to_numpy() * MONTHS_PER_YEAR, 1),
        "alive at last report": np.where(part["os_event"].to_numpy(dtype=bool), "no, died", "yes"),
        NUMBERS[1]: np.round(part["os_time"].to_numpy() * MONTHS_PER_YEAR, 1),
    }, index=pd.RangeIndex(1, len(part) + 1, name="patient"))


def patient_table_html(frame: pd.DataFrame, rows: int = 8) -> str:
    """:func:`patient_rows` as an HTML table captioned SYNTHETIC, one row header per patient."""
    shown = patient_rows(frame, rows)
    body = [[Cell(str(number), header=True)]
            + [f"{value:.1f}" if name in NUMBERS else str(value) for name, value in row.items()]
            for number, row in shown.iterrows()]
    caption = f"{SYNTHETIC}: the first {len(shown)} of {len(frame)} simulated patients (not real people)"
    html = table(["patient", *shown.columns], body, caption=caption, css_class="ankl-cohort")
    numbers = [list(shown.columns).index(name) for name in NUMBERS]
    return f"<style>{STYLE}</style>" + _number_cells(html, len(shown.columns), numbers)


def _number_cells(html: str, columns: int, numbers: list[int]) -> str:
    """Give the number columns' cells a class (htmlkit's cells carry no class of their own)."""
    parts = html.split("<td>")
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out.append(('<td class="ankl-number">' if index % columns in numbers else "<td>") + part)
    return "".join(out)


def patient_table(frame: pd.DataFrame, rows: int = 8) -> Any:
    """Display the first ``rows`` patients of a cohort in words and months (chapter 6)."""
    from IPython.display import HTML  # lazy: IPython.display costs about 0.4 s to import

    return HTML(patient_table_html(frame, rows))


def comparison_html(compared: pd.DataFrame) -> str:
    """:func:`~.estimators.comparison_table` as the course's accessible table: one header row, each
    figure a row header, numbers right-aligned (pandas drew two header rows with empty cells)."""
    columns = list(compared.columns)
    body = [[Cell(str(figure), header=True)] + [f"{value:.1f}" for value in row] for figure, row in compared.iterrows()]
    caption = ("Published figures against the model" + (f" and a {SYNTHETIC} cohort" if len(columns) > 2 else "")
               + ", in per cent")
    html = table(["figure", *columns], body, caption=caption, css_class="ankl-cohort")
    return f"<style>{STYLE}</style>" + _number_cells(html, len(columns), list(range(len(columns))))


def comparison_display(compared: pd.DataFrame) -> Any:
    """Display :func:`comparison_html` in a notebook (the calibration appendix)."""
    from IPython.display import HTML  # lazy: IPython.display costs about 0.4 s to import

    return HTML(comparison_html(compared))
