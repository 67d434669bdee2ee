"""Plotly figure builders: pure functions returning ``go.Figure``, for the charts that need Plotly
(log axes, hover on many points). Small fixed charts are SVG (``dsviz.charts``); maps are images
(``dsviz.render``)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dsviz.charts import PART_COLOURS, si
from dsviz.cost import ConvCost
from dsviz.groups import Step

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
