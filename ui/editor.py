"""An editable grid of numbers (a custom kernel or weight matrix) that also lives in the URL.

The grid's numbers are written to ``?key=`` as comma-separated values (when small enough for a link)
and read back once per session, so a shared link reopens the same custom numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui import state

MAX_LINK_VALUES = 1024  # larger grids are not put in the URL (links would get unwieldy)


def parse(raw: str | None, shape: tuple[int, int]) -> np.ndarray | None:
    """``"1,0,-1,…"`` → an array of ``shape``, or None if absent, the wrong length or not finite."""
    if not raw:
        return None
    try:
        values = np.array([float(v) for v in raw.split(",")], dtype=np.float32)
    except ValueError:
        return None
    if values.size != shape[0] * shape[1] or not np.isfinite(values).all():
        return None
    return values.reshape(shape)


def serialise(values: np.ndarray) -> str:
    return ",".join(f"{v:.4g}" for v in values.ravel())


def matrix(key: str, default: np.ndarray, *, label: str, columns: list[str] | None = None) -> np.ndarray:
    """Show an editable grid seeded from the URL (or ``default``); return its finite values.

    A cell that is empty or not a finite number is refused with a message, and the last good grid
    is used instead, so the picture never shows NaN.
    """
    shape = default.shape
    init_key = f"_{key}_init_{shape[0]}x{shape[1]}"
    if init_key not in st.session_state:  # the URL is read once; afterwards the editor owns the numbers
        state.check_url_value(key, lambda raw: parse(raw, shape) is not None, "the default numbers")
        from_url = parse(st.query_params.get(key), shape)
        st.session_state[init_key] = default if from_url is None else from_url
    initial = st.session_state[init_key]
    config = {
        str(i): st.column_config.NumberColumn(name, format="%.3f") for i, name in enumerate(columns or [])
    }
    edited = st.data_editor(
        initial, key=f"{key}_editor_{shape[0]}x{shape[1]}", column_config=config or None, width="content"
    )
    values = pd.DataFrame(edited).apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)  # junk → NaN
    if values.shape != shape or not np.isfinite(values).all():
        bad = np.argwhere(~np.isfinite(values)) if values.shape == shape else []
        where = f" (row {bad[0][0] + 1}, column {bad[0][1] + 1})" if len(bad) else ""
        st.error(f"{label}: every cell must be a finite number{where}. Using the last valid numbers.")
        values = st.session_state.get(f"_{key}_good", initial)
    st.session_state[f"_{key}_good"] = values
    if values.size <= MAX_LINK_VALUES:
        state.write_url(key, serialise(values), None)
    else:
        st.caption(f"{label} has {values.size} numbers: too many to put in a shareable link.")
    return np.asarray(values, dtype=np.float32)


def forget(key: str) -> None:
    """Drop ``?key=`` from the URL when the grid is not in use."""
    state.write_url(key, None, None)
