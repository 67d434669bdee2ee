"""Plotly figures as plain dicts, for the figures rebuilt on every slider move.

Plotly's graph objects validate every property on every assignment, and ``st.plotly_chart`` turns a
Figure back into a dict with ``to_dict()`` (a deep copy). On the "Inside one pixel" page that cost
~0.5 s a rerun on the 2-core machine: ``make_subplots`` alone takes 80–160 ms a call, and the
animation's frames were validated twice. Here a figure is a dict built directly, and :class:`Spec`
hands it to ``st.plotly_chart`` as is: given a Figure, Streamlit asks for ``to_dict()`` (which returns
the dict) and encodes it with ``validate=False``. Only numbers this code made go in, so nothing is
lost by not validating; ``tests/test_plotspec.py`` checks every spec against Plotly's validator.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale
from plotly.subplots import make_subplots

Layout = dict[str, Any]


class Spec(go.Figure):
    """A figure that is already a dict: ``to_dict()`` returns it without copying or validating."""

    def __init__(self, spec: dict[str, Any]) -> None:
        # Not Figure.__init__: it builds an empty figure and its template (~3 ms) that nothing reads.
        object.__setattr__(self, "_spec", spec)

    @property
    def spec(self) -> dict[str, Any]:
        return self._spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec


@cache
def _template() -> dict[str, Any]:
    return go.Figure().to_dict()["layout"]["template"]


def base_layout() -> Layout:
    """What a new ``go.Figure()``'s layout holds: Plotly's default template (shared, read-only)."""
    return {"template": _template()}


@cache
def _subplot_layout(
    cols: int, titles: tuple[str, ...], widths: tuple[float, ...] | None, spacing: float, shared_y: bool
) -> Layout:
    return make_subplots(
        1,
        cols,
        subplot_titles=titles or None,
        column_widths=list(widths) if widths else None,
        horizontal_spacing=spacing,
        shared_yaxes=shared_y,
    ).to_dict()["layout"]


def subplots(
    cols: int,
    *,
    titles: tuple[str, ...] = (),
    widths: tuple[float, ...] | None = None,
    spacing: float = 0.2,
    shared_y: bool = False,
) -> Layout:
    """The layout ``make_subplots(1, cols, …)`` makes (computed once per shape), fresh to fill in:
    axes and annotations are copied, the (read-only) template is shared."""
    layout = _subplot_layout(cols, titles, widths, spacing, shared_y)
    fresh = {
        key: (dict(value) if isinstance(value, dict) and key != "template" else value)
        for key, value in layout.items()
    }
    fresh["annotations"] = [dict(a) for a in layout.get("annotations", ())]
    return fresh


def typed(values: np.ndarray) -> dict[str, str]:
    """A float64 array as Plotly's typed-array spec (base64 bytes and shape), as ``to_dict()`` writes
    it: a quarter of the size of the numbers as JSON text, and NaN (a gap) survives."""
    array = np.ascontiguousarray(values, dtype=np.float64)
    spec = {"dtype": "f8", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in array.shape)
    return spec


@cache
def colorscale(name: str) -> list[list]:
    """A named scale as the explicit list Plotly.js reads: names such as "RdBu_r" (reversed) exist only
    in Plotly's Python validator, which a plain dict spec skips."""
    return [[float(at), colour] for at, colour in get_colorscale(name)]


def axis(letter: str, col: int) -> str:
    """Layout key of subplot ``col``'s axis: ``xaxis``, ``xaxis2``, …"""
    return f"{letter}axis{col if col > 1 else ''}"


def ref(letter: str, col: int) -> str:
    """A trace's reference to subplot ``col``'s axis: ``x``, ``x2``, …"""
    return f"{letter}{col if col > 1 else ''}"


def on(trace: dict[str, Any], col: int) -> dict[str, Any]:
    """``trace`` drawn in subplot ``col``."""
    return trace | {"xaxis": ref("x", col), "yaxis": ref("y", col)}


def update_axes(layout: Layout, letter: str, cols: range | list[int], **props: Any) -> None:
    for col in cols:
        layout.setdefault(axis(letter, col), {}).update(props)
