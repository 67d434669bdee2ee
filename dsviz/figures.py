"""Plotly figure builders: pure functions returning ``go.Figure``, for small raw-value heatmaps and
cost charts (large maps go through ``dsviz.render`` as images)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dsviz.style import DIVERGING, symmetric_limit

NUMBERS_UP_TO = 400  # write the values into the cells when there are at most this many…
NUMBER_ROWS_UP_TO = 24  # …and the rows are tall enough to read them


def weights_heatmap(weights: np.ndarray, rows: list[str], columns: list[str], title: str) -> go.Figure:
    """An ``(N, C)`` matrix on a zero-centred diverging scale, with hover values and a colour bar."""
    limit = symmetric_limit(weights)
    heat = go.Heatmap(
        z=weights,
        x=columns,
        y=rows,
        zmin=-limit,
        zmax=limit,
        colorscale=DIVERGING,
        colorbar={"title": {"text": "weight"}, "thickness": 12},
        texttemplate="%{z:.2f}" if weights.size <= NUMBERS_UP_TO and len(rows) <= NUMBER_ROWS_UP_TO else None,
        hovertemplate="output %{y}<br>from %{x}<br>weight %{z:.4f}<extra></extra>",
        xgap=1,
        ygap=1,
    )
    fig = go.Figure(heat)
    height = min(700, 120 + 26 * len(rows))
    fig.update_layout(title={"text": title}, height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="bottom")
    return fig


# Okabe & Ito's colour-blind-safe palette: grey, orange and blue stay apart under deuteranopia and
# protanopia, and each bar is labelled as well, so colour never carries the meaning alone.
PART_COLOURS = {"standard conv": "#6b6b6b", "depthwise": "#E69F00", "pointwise": "#0072B2"}


def cost_bars(stages: dict[str, dict[str, int]], unit: str) -> go.Figure:
    """Stacked horizontal bars: ``{"standard": {"conv": n}, "separable": {"depthwise": a, ...}}``."""
    fig = go.Figure()
    for part in dict.fromkeys(p for parts in stages.values() for p in parts):
        values = [stages[bar].get(part, 0) for bar in stages]
        fig.add_bar(
            y=list(stages),
            x=values,
            name=part,
            marker_color=PART_COLOURS.get(part),
            text=[f"{part}: {v:,}" if v else "" for v in values],
            textposition="inside",
            textangle=0,
            orientation="h",
            hovertemplate=f"{part}: %{{x:,}} {unit}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        height=190,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        legend={"orientation": "h", "y": -0.35, "traceorder": "normal"},  # same order as the stack
        xaxis={"title": {"text": unit}},
    )
    return fig
