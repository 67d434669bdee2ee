"""Plotly figure builders: pure functions returning ``go.Figure``, for small raw-value heatmaps and
cost charts (large maps go through ``dsviz.render`` as images)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dsviz.cost import ConvCost
from dsviz.groups import Step
from dsviz.plotspec import Spec, base_layout, colorscale, typed
from dsviz.style import DIVERGING, symmetric_limit

NUMBERS_UP_TO = 400  # write the values into the cells when there are at most this many…
NUMBER_ROWS_UP_TO = 24  # …and the rows are tall enough to read them


def weights_heatmap(weights: np.ndarray, rows: list[str], columns: list[str], title: str) -> Spec:
    """An ``(N, C)`` matrix on a zero-centred diverging scale, with hover values and a colour bar."""
    limit = symmetric_limit(weights)
    heat = {
        "type": "heatmap",
        "z": typed(weights),
        "x": columns,
        "y": rows,
        "zmin": -limit,
        "zmax": limit,
        "colorscale": colorscale(DIVERGING),
        "colorbar": {"title": {"text": "weight"}, "thickness": 12},
        "hovertemplate": "output %{y}<br>from %{x}<br>weight %{z:.4f}<extra></extra>",
        "xgap": 1,
        "ygap": 1,
    }
    if weights.size <= NUMBERS_UP_TO and len(rows) <= NUMBER_ROWS_UP_TO:
        heat["texttemplate"] = "%{z:.2f}"
    layout = base_layout() | {
        "title": {"text": title},
        "height": min(700, 120 + 26 * len(rows)),
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "yaxis": {"autorange": "reversed", "type": "category"},
        "xaxis": {"type": "category", "side": "bottom"},
    }
    return Spec({"data": [heat], "layout": layout})


# Okabe & Ito's colour-blind-safe palette: grey, orange and blue stay apart under deuteranopia and
# protanopia, and each bar is labelled as well, so colour never carries the meaning alone.
PART_COLOURS = {"standard conv": "#6b6b6b", "depthwise": "#E69F00", "pointwise": "#0072B2"}


def cost_bars(stages: dict[str, dict[str, int]], unit: str) -> Spec:
    """Stacked horizontal bars: ``{"standard": {"conv": n}, "separable": {"depthwise": a, ...}}``."""
    data = []
    for part in dict.fromkeys(p for parts in stages.values() for p in parts):
        values = [stages[bar].get(part, 0) for bar in stages]
        data.append(
            {
                "type": "bar",
                "y": list(stages),
                "x": values,
                "name": part,
                "marker": {"color": PART_COLOURS.get(part)},
                "text": [f"{part}: {v:,}" if v else "" for v in values],
                "textposition": "inside",
                "textangle": 0,
                "orientation": "h",
                "hovertemplate": f"{part}: %{{x:,}} {unit}<extra></extra>",
            }
        )
    layout = base_layout() | {
        "barmode": "stack",
        "height": 190,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
        "legend": {"orientation": "h", "y": -0.35, "traceorder": "normal"},  # same order as the stack
        "xaxis": {"title": {"text": unit}},
    }
    return Spec({"data": data, "layout": layout})


GROUPED_COLOUR, TOTAL_COLOUR = "#E69F00", "#0072B2"
STAR = {"symbol": "star", "size": 16, "color": TOTAL_COLOUR, "line": {"width": 1, "color": "black"}}


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks covering [low, high] on a log axis: Plotly's own write bare digits (2, 3, 5)
    under a decade, which read as values."""
    ticks, power = [], 10 ** math.floor(math.log10(low))
    while power <= high * 10:
        ticks += [power * f for f in (1, 2, 5) if low / 2.5 <= power * f <= high * 2.5]
        power *= 10
    return ticks


def si(value: float) -> str:
    """``2000000`` → ``2M``, ``500`` → ``500``."""
    for size, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _line(colour: str) -> dict:
    return {"mode": "lines+markers", "line": {"color": colour}}


def groups_cost(steps: list[Step], standard: ConvCost, current: int) -> go.Figure:
    """MACs and parameters against g (log–log): the grouped K×K layer alone, with the pointwise
    after it (its g = M end is the depthwise separable block, starred), the standard K×K
    convolution M → N as a dashed line, and the chosen g as a dotted one."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("MACs (multiply–adds)", "parameters (weights)"))
    g = [step.groups for step in steps]
    for col, measure in enumerate(("mult_adds", "params"), start=1):
        layer = [getattr(step.layer, measure) for step in steps]
        total = [getattr(step, measure) for step in steps]
        flat = getattr(standard, measure)
        series = (
            ("grouped K×K layer (M → M·d)", g, layer, _line(GROUPED_COLOUR)),
            ("grouped layer + pointwise (→ N)", g, total, _line(TOTAL_COLOUR)),
            ("depthwise + pointwise: the block", g[-1:], total[-1:], {"mode": "markers", "marker": STAR}),
            (
                "standard K×K conv M → N",
                [g[0], g[-1]],
                [flat, flat],
                {"mode": "lines", "line": {"color": PART_COLOURS["standard conv"], "dash": "dash"}},
            ),
        )
        for name, x, y, look in series:
            fig.add_scatter(
                x=x,
                y=y,
                name=name,
                legendgroup=name,
                showlegend=col == 1,
                hovertemplate=f"g = %{{x}}: %{{y:,}}<extra>{name}</extra>",
                row=1,
                col=col,
                **look,
            )
        fig.add_vline(x=current, line={"dash": "dot", "color": "black", "width": 1}, row=1, col=col)
        ticks = log_ticks(min(*layer, flat), max(*total, flat))
        fig.update_yaxes(type="log", tickvals=ticks, ticktext=[si(v) for v in ticks], row=1, col=col)
    fig.update_xaxes(type="log", tickvals=g, ticktext=[str(v) for v in g], title={"text": "groups g"})
    fig.update_layout(
        height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend={"orientation": "h", "y": -0.25}
    )
    return fig
