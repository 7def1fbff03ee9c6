"""The synthetic cohort as a student reads it: named columns in words and months, not codes.

Why a separate table: the cohort frame keeps the coded columns the estimators need (``efs_event``
0/1/2, times in years, a boolean ``os_event``). A second-year student reading those codes learns
the encoding, not the patients; this table says the same thing in the words the chapter uses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from .design import CENSORED, NRM, RELAPSE, SYNTHETIC

#: The first event after transplant, as the chapter names it.
FIRST_EVENT = {RELAPSE: "relapse or progression", NRM: "death without relapse", CENSORED: "none by the last report"}
#: Disease status at transplant, spelled out.
STATUS = {"CR": "complete response (CR)", "PR": "partial response (PR)"}
MONTHS_PER_YEAR = 12


def patient_table(frame: pd.DataFrame, rows: int = 8) -> Styler:
    """The first ``rows`` patients of a cohort with readable columns, numbered from 1, captioned as
    SYNTHETIC. Raises ValueError for a frame without the cohort's columns (not a cohort)."""
    needed = {"graft", "status", "efs_time", "efs_event", "os_time", "os_event"}
    if missing := needed - set(frame.columns):
        raise ValueError(f"patient_table needs a cohort from CohortModel.sample; missing {sorted(missing)}")
    part = frame.head(rows)
    table = pd.DataFrame({
        "graft": part["graft"].astype(str).to_numpy(),
        "disease at transplant": [STATUS.get(str(s), str(s)) for s in part["status"]],
        "first event": [FIRST_EVENT[int(e)] for e in part["efs_event"]],
        "months to first event or last report": np.round(part["efs_time"].to_numpy() * MONTHS_PER_YEAR, 1),
        "alive at last report": np.where(part["os_event"].to_numpy(dtype=bool), "no, died", "yes"),
        "months to death or last report": np.round(part["os_time"].to_numpy() * MONTHS_PER_YEAR, 1),
    }, index=pd.RangeIndex(1, len(part) + 1, name="patient"))
    caption = f"{SYNTHETIC}: the first {len(part)} of {len(frame)} simulated patients (not real people)"
    words = ["graft", "disease at transplant", "first event", "alive at last report"]
    # Words read left-aligned, numbers right-aligned (JupyterLab's page style right-aligns every cell).
    headers = [{"selector": "th.col_heading", "props": "text-align: left;"},
               {"selector": "th.index_name", "props": "white-space: nowrap;"}]
    return (table.style.format(precision=1).set_caption(caption).set_table_styles(headers)
            .set_properties(subset=words, **{"text-align": "left"}))
