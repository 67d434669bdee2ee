"""Figures of whole networks (MobileNet v1 and v2), as plain Plotly dicts (:mod:`dsviz.plotspec`).

Each layer type keeps one colour and one name on every chart and table of the MobileNet page. The
colours are Okabe & Ito's (as :data:`dsviz.charts.PART_COLOURS`: standard conv grey, depthwise
orange, pointwise blue); each type is named in the legend and in every bar's hover text, so colour
never carries the meaning alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dsviz import plotspec
from dsviz.mobilenet import PUBLISHED_SWEEP, LayerRow, Network

# LayerType → (name on the page, colour). v2's three kinds of 1×1 are told apart: expand (sky blue)
# widens, project (blue, v1's pointwise colour) is the 1×1 of the depthwise separable pair.
TYPES: dict[str, tuple[str, str]] = {
    "conv3x3": ("standard conv 3×3", "#6b6b6b"),
    "dw3x3": ("depthwise 3×3", "#E69F00"),
    "conv1x1": ("pointwise 1×1", "#0072B2"),
    "expand1x1": ("expand 1×1", "#56B4E9"),
    "project1x1": ("project 1×1 (linear)", "#0072B2"),
    "last1x1": ("last conv 1×1", "#009E73"),
    "avgpool": ("global average pool", "#999999"),
    "fc": ("fully connected", "#CC79A7"),
}
MARGIN = {"l": 10, "r": 10, "t": 60, "b": 10}


def type_name(kind: str) -> str:
    return TYPES[kind][0]


def _bar(rows: Sequence[LayerRow], values: list[int], kind: str, col: int, unit: str) -> dict[str, Any]:
    name, colour = TYPES[kind]
    return plotspec.on(
        {
            "type": "bar",
            "orientation": "h",
            "y": [row.name for row in rows],
            "x": values,
            "name": name,
            "legendgroup": kind,
            "showlegend": col == 1,  # one legend entry per type, for both panels
            "marker": {"color": colour},
            "customdata": [[name] for _ in rows],
            "hovertemplate": f"%{{y}} · %{{customdata[0]}}<br>%{{x:,}} {unit}<extra></extra>",
        },
        col,
    )


def layer_bars(network: Network, title: str) -> plotspec.Spec:
    """Per layer: MACs (left) and params (right) as horizontal bars on log axes, first layer on top,
    one colour per layer type. The pool has no MACs and no params (nothing to draw on a log axis)."""
    rows = [row for row in network.rows if row.mult_adds or row.params]
    layout = plotspec.subplots(
        2, titles=("Mult-adds (MACs) per layer", "Params (weights) per layer"), spacing=0.04, shared_y=True
    )
    traces = []
    for kind in dict.fromkeys(row.type for row in rows):  # in order of first appearance
        of_kind = [row for row in rows if row.type == kind]
        traces.append(_bar(of_kind, [row.mult_adds for row in of_kind], kind, 1, "MACs"))
        traces.append(_bar(of_kind, [row.params for row in of_kind], kind, 2, "params"))
    names = [row.name for row in rows]
    plotspec.update_axes(layout, "x", [1, 2], type="log", showgrid=True, exponentformat="SI")
    # categoryarray keeps the network's order (traces list their rows type by type)
    plotspec.update_axes(
        layout, "y", [1], type="category", categoryorder="array", categoryarray=names, autorange="reversed"
    )
    layout |= {
        "height": 140 + 17 * len(rows),
        "margin": MARGIN,
        "barmode": "overlay",
        "bargap": 0.15,
        # under the plot, in pixels from its bottom edge, so it stays clear of the axes at any height
        "legend": {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"},
        "hovermode": "closest",
    }
    layout["title"] = {"text": title}
    layout["margin"] = MARGIN | {"t": 80, "b": 80}
    return plotspec.Spec({"data": traces, "layout": layout})


def sweep(networks: Sequence[Network]) -> plotspec.Spec:
    """The v1 paper's Tables 6–7: published top-1 accuracy against our exact mult-adds, one panel per
    sweep (α at ρ = 224; ρ at α = 1). ``networks`` are the sweep's points, in PUBLISHED_SWEEP's order."""
    layout = plotspec.subplots(
        2, titles=("Width multiplier α (ρ = 224)", "Resolution ρ (α = 1.0)"), spacing=0.08, shared_y=True
    )
    traces = []
    for col, (label, keep) in enumerate((("α", lambda a, r: r == 224), ("ρ", lambda a, r: a == 1)), start=1):
        points = [
            (net, top1)
            for net, (alpha, res, top1, _, _) in zip(networks, PUBLISHED_SWEEP, strict=True)
            if keep(alpha, res)
        ]
        macs = np.array([net.mult_adds / 1e6 for net, _ in points])
        text = [
            f"{label} = {float(net.alpha)}" if label == "α" else f"ρ = {net.resolution}" for net, _ in points
        ]
        traces.append(
            plotspec.on(
                {
                    "type": "scatter",
                    "mode": "lines+markers+text",
                    "x": plotspec.typed(macs),
                    "y": [top1 for _, top1 in points],
                    "text": text,
                    # the rightmost point's label goes left, inside the plot
                    "textposition": ["bottom left" if m == macs.max() else "bottom right" for m in macs],
                    "marker": {"size": 10, "color": "#0072B2"},
                    "line": {"color": "#0072B2"},
                    "showlegend": False,
                    "customdata": [[net.mult_adds, net.params] for net, _ in points],
                    "hovertemplate": "%{text}<br>top-1 %{y}% (published)<br>our count: %{customdata[0]:,} "
                    "MACs, %{customdata[1]:,} params<extra></extra>",
                },
                col,
            )
        )
    ticks = [40, 60, 100, 150, 200, 300, 400, 600]  # plain millions: Plotly's log ticks read "4 5 … 100 2"
    plotspec.update_axes(
        layout, "x", [1, 2], type="log", tickvals=ticks, title={"text": "our exact mult-adds (millions)"}
    )
    plotspec.update_axes(layout, "y", [1], title={"text": "ImageNet top-1 % (as published)"})
    layout |= {"height": 420, "margin": MARGIN | {"t": 90}}
    layout["title"] = {
        "text": "ImageNet top-1 accuracy as published in the paper (not measured here), against our exact "
        "mult-adds"
    }
    return plotspec.Spec({"data": traces, "layout": layout})
