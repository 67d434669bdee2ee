"""An editable grid of numbers (a custom kernel or a weight matrix), kept with the other settings.

Cells are text, parsed by the same strict parser as a link (:func:`dsviz.registry.parse_number`):
a browser's number cell turns "1,5" into 15 and "abc" into 0 without a word, and a teaching tool must
not change what a student typed. A cell that is not a plain number within ±10⁴ is refused with its
row, its column and the grid's name, and the last valid numbers stay in use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dsviz.registry import SettingError, format_number, parse_number
from ui import settings


def parse_grid(cells: pd.DataFrame, bound: float) -> tuple[np.ndarray | None, str | None]:
    """Text cells → a float32 array, or None and the first problem ("row 2, column 1: …")."""
    values = np.zeros(cells.shape, dtype=np.float32)
    for (i, j), text in np.ndenumerate(cells.to_numpy(dtype=object)):
        try:
            values[i, j] = parse_number(str(text).strip() if text is not None else "", bound)
        except SettingError as err:
            return None, f"row {i + 1}, column {j + 1} ({cells.columns[j]}): {err}"
    return values, None


def grid(key: str, current: np.ndarray, *, title: str, rows: list[str], columns: list[str]) -> None:
    """Draw the grid for setting ``key``, seeded with ``current`` (rows × columns); store valid edits.

    The block the page draws was built from the stored numbers, so a valid edit shows on the rerun
    Streamlit starts right after it.
    """
    bound = settings.SETTINGS[key].bound
    header = [f"{j}: {name}" for j, name in enumerate(columns)]  # unique even if two maps share a name
    shown = pd.DataFrame([[format_number(v) for v in row] for row in current], index=rows, columns=header)
    st.caption(f"**{title}**")
    config = {name: st.column_config.TextColumn(name, width="small") for name in header}
    edited = st.data_editor(
        shown, key=f"grid:{key}:{current.shape[0]}x{current.shape[1]}", column_config=config, width="content"
    )
    st.caption(f"Type plain numbers (a point for decimals), each within ±{bound:g}.")
    values, problem = parse_grid(pd.DataFrame(edited), bound)
    if problem:
        st.error(f"{title}, {problem}. Using the last valid numbers.")
        return
    numbers = tuple(float(v) for v in values.ravel())
    if numbers != tuple(float(v) for v in current.ravel()):
        settings.choose(key, numbers)
        st.rerun()  # the block above was drawn with the old numbers
