"""Streamlit helpers of the "Inside one pixel" page: its widgets, the small grids of numbers, the
pointwise mix, the sliding-window animation, and the batch-norm statistics the block's stages used.

Grids are Plotly heatmaps with the numbers written in the cells, on zero-centred 'RdBu_r' scales
(white is 0) with a colour bar each. The page's own widgets use plain keys prefixed ``px_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dsviz import explain, plotspec
from dsviz.block import BN_EPS, Block, InputSpec
from dsviz.render import compact
from dsviz.style import DIVERGING, symmetric_limit
from ui import settings, stages
from ui.memo import memo

CROP = 12  # input pixels a side the animation slides over (≤ 144 frames)
TEXT_UP_TO = 400  # write the numbers into a grid's cells up to this many cells
GRIDS_UP_TO = 8  # maps whose grids are shown before the student picks


# --------------------------------------------------------------------------- widgets


def position(out_height: int, out_width: int) -> tuple[int, int]:
    """The output row and column: the centre of the map unless chosen (kept in the link)."""
    axes = (("px_row", "Output row", out_height), ("px_col", "Output column", out_width))
    chosen = []
    for column, (key, name, size) in zip(st.columns(2), axes, strict=True):
        with column:
            label = f"{name} (0 … {size - 1})"
            chosen.append(settings.control(key, label=label, options=range(size), fallback=size // 2))
    return chosen[0], chosen[1]


def chosen_maps(labels: list[str]) -> list[int]:
    """The depthwise maps whose grids are drawn: all of them when there are few."""
    if len(labels) <= GRIDS_UP_TO:
        return list(range(len(labels)))
    kept = [j for j in st.session_state.get("px_maps", range(GRIDS_UP_TO)) if j < len(labels)]
    st.session_state["px_maps"] = kept or [0]
    return st.multiselect(
        f"Depthwise maps to show ({len(labels)} in all)",
        range(len(labels)),
        format_func=lambda j: f"{j}: {labels[j]}",
        key="px_maps",
    )


def crop_around(e: explain.PixelExplanation, shape: tuple[int, int]) -> tuple[int, int, int]:
    """A CROP-pixel square of the input around the chosen window's centre (inside the image)."""
    centre = e.taps[(len(e.taps) - 1) // 2, (len(e.taps) - 1) // 2]  # (row, col), maybe in the padding
    r0, c0 = (max(0, min(int(c) - CROP // 2, n - CROP)) for c, n in zip(centre, shape, strict=True))
    return r0, c0, CROP


def finish_note(block: Block, stage: str) -> None:
    """A heading for the steps after a convolution, when the block has any."""
    if block.batch_norm or block.activation != "none":
        st.subheader(f"Batch norm and activation after the {stage} stage")
    if block.batch_norm:
        st.caption(
            f"Batch norm uses each {'map' if stage == 'depthwise' else 'output'}'s mean and variance over "
            f"the whole image, as PyTorch's BatchNorm2d in training mode (γ = 1, β = 0, ε = {BN_EPS:g})."
        )


# --------------------------------------------------------------------------- figures


def _heat(z: np.ndarray, axis: str, *, text_up_to: int = TEXT_UP_TO, **kwargs) -> dict:
    """A heatmap on colour axis ``axis`` with its numbers written in (when there is room)."""
    trace = {"type": "heatmap", "z": plotspec.typed(z), "coloraxis": axis, **kwargs}
    if z.size <= text_up_to:
        trace |= {"text": [[compact(float(v), 3, zero=True) for v in row] for row in np.atleast_2d(z)]}
        trace["texttemplate"] = "%{text}"
    return trace


def _colour_axes(layout: plotspec.Layout, limits: list[float], titles: list[str]) -> None:
    """One zero-centred colour axis per subplot, its bar standing just right of that subplot."""
    for i, (limit, title) in enumerate(zip(limits, titles, strict=True), start=1):
        domain = layout[plotspec.axis("x", i)]["domain"]
        colorbar = {
            "x": domain[1] + 0.005,
            "xanchor": "left",
            "thickness": 10,
            "ticks": "outside",
            "ticklen": 3,
        }
        if title:
            colorbar["title"] = {"text": title, "side": "right"}
        layout[f"coloraxis{i if i > 1 else ''}"] = {
            "colorscale": plotspec.colorscale(DIVERGING),
            "cmin": -limit,
            "cmax": limit,
            "colorbar": colorbar,
        }


def _grid_axes(layout: plotspec.Layout, cols: range) -> None:
    """Cells read top to bottom, as a matrix is written."""
    plotspec.update_axes(layout, "y", cols, autorange="reversed")


def map_grids(e: explain.PixelExplanation, j: int, label: str) -> plotspec.Spec:
    """Map ``j`` at this position: the K×K patch it reads, its kernel, and their products."""
    size = e.kernels.shape[-1]
    cells = list(range(size))
    titles = ("patch read (dashed: inside the image)", "kernel K̂[i, j]", "patch × kernel")
    layout = plotspec.subplots(3, titles=titles, spacing=0.13)
    source = [[f"({r}, {c})" for r, c in line] for line in e.source.tolist()]  # (K, K) row, col
    copy = "padding (reads 0) at" if e.padding_mode == "zeros" else "padding, a copy of input"
    where = np.where(e.padded, copy, "input").tolist()
    custom = [[[w, s] for w, s in zip(wr, sr, strict=True)] for wr, sr in zip(where, source, strict=True)]
    limits = [symmetric_limit(a) for a in (e.patches[j], e.kernels[j], e.products[j])]
    grid = {"x": cells, "y": cells}
    data = [
        plotspec.on(
            _heat(
                e.patches[j],
                "coloraxis",
                customdata=custom,
                hovertemplate="%{customdata[0]} %{customdata[1]}<br>value %{z:.6g}<extra></extra>",
                **grid,
            ),
            1,
        ),
        plotspec.on(
            _heat(
                e.kernels[j],
                "coloraxis2",
                hovertemplate="K̂[i=%{y}, j=%{x}] = %{z:.6g}<extra></extra>",
                **grid,
            ),
            2,
        ),
        plotspec.on(
            _heat(
                e.products[j],
                "coloraxis3",
                hovertemplate="patch × K̂ at [i=%{y}, j=%{x}] = %{z:.6g}<extra></extra>",
                **grid,
            ),
            3,
        ),
    ]
    _colour_axes(layout, limits, ["", "", ""])  # the subplot titles say what each bar measures
    inside = np.argwhere(~e.padded)
    if len(inside) and e.padded.any():  # the in-image taps form one rectangle
        (r0, c0), (r1, c1) = inside.min(axis=0).tolist(), inside.max(axis=0).tolist()
        line = {"dash": "dash", "color": "#444", "width": 2}
        box = {"x0": c0 - 0.5, "x1": c1 + 0.5, "y0": r0 - 0.5, "y1": r1 + 0.5, "xref": "x", "yref": "y"}
        layout["shapes"] = [{"type": "rect", "line": line, **box}]
    rows, cols = e.taps[:, 0, 0].tolist(), e.taps[0, :, 1].tolist()
    text = {"tickvals": cells}
    plotspec.update_axes(
        layout, "x", [1], ticktext=[str(c) for c in cols], title={"text": "input column"}, **text
    )
    plotspec.update_axes(
        layout, "y", [1], ticktext=[str(r) for r in rows], title={"text": "input row"}, **text
    )
    plotspec.update_axes(layout, "x", [2, 3], **text)
    plotspec.update_axes(layout, "y", [2, 3], **text)
    _grid_axes(layout, range(1, 4))
    total = compact(float(e.depthwise[j]), 5, zero=True)
    layout |= {
        "title": {"text": f"map c = {j}: {label} — sum of the products Ĝ = {total}"},
        "height": 240 + 14 * size,
        "margin": {"l": 10, "r": 80, "t": 60, "b": 10},
    }
    return plotspec.Spec({"data": data, "layout": layout})


def mix_grids(weights: np.ndarray, values: np.ndarray, labels: list[str]) -> plotspec.Spec:
    """The pointwise stage at this position: P, P[n, c]·Ĝ[c], and each output's sum."""
    products = weights * values[None, :]  # (N, M·d)
    sums = products.sum(axis=1, keepdims=True)  # (N, 1)
    maps = [f"{j}: {compact(float(v), 3, zero=True)}" for j, v in enumerate(values)]
    outs = [f"out {n}" for n in range(len(weights))]
    layout = plotspec.subplots(
        3, titles=("weights P", "P[n, c] × Ĝ[c]", "sum"), widths=(1, 1, 0.25), spacing=0.1, shared_y=True
    )
    limits = [symmetric_limit(weights), symmetric_limit(products), symmetric_limit(sums)]
    named = [list(labels)] * len(weights)
    hovers = (
        "P[%{y}, %{customdata}] = %{z:.6g}<extra></extra>",
        "%{y}: P × Ĝ of %{customdata} = %{z:.6g}<extra></extra>",
        "%{y} = %{z:.6g}<extra></extra>",
    )
    data = [
        plotspec.on(
            _heat(weights, "coloraxis", x=maps, y=outs, customdata=named, hovertemplate=hovers[0]), 1
        ),
        plotspec.on(
            _heat(products, "coloraxis2", x=maps, y=outs, customdata=named, hovertemplate=hovers[1]), 2
        ),
        plotspec.on(_heat(sums, "coloraxis3", x=["Σ"], y=outs, hovertemplate=hovers[2]), 3),
    ]
    _colour_axes(layout, limits, ["", "", ""])
    plotspec.update_axes(layout, "y", range(1, 4), autorange="reversed", type="category")
    plotspec.update_axes(layout, "x", [3], type="category")
    plotspec.update_axes(layout, "x", [1, 2], type="category", title={"text": "map c: its value Ĝ[c]"})
    layout |= {"height": min(900, 200 + 24 * len(outs)), "margin": {"l": 10, "r": 80, "t": 40, "b": 10}}
    return plotspec.Spec({"data": data, "layout": layout})


def _outlines(x: list, y: list, name: str, *, size: int, width: int) -> dict:
    """Black square outlines at (x, y): the cells a window reads or writes."""
    marker = {"symbol": "square-open", "size": size, "color": "black", "line": {"width": width}}
    return {
        "type": "scatter",
        "x": x,
        "y": y,
        "mode": "markers",
        "marker": marker,
        "name": name,
        "hoverinfo": "skip",
    }


def window_animation(window: explain.Window, title: str, focus: tuple[int, int]) -> plotspec.Spec:
    """The kernel sliding over the crop (left) and writing the output (right), one frame per position."""
    geo, frames = window.geometry, window.frames
    rows = list(range(window.top, window.top + window.view.shape[0]))
    cols = list(range(window.left, window.left + window.view.shape[1]))
    out_rows = list(range(window.out_top, window.out_top + window.output.shape[0]))
    out_cols = list(range(window.out_left, window.out_left + window.output.shape[1]))
    layout = plotspec.subplots(
        2,
        titles=("input (dashed: the image's edge)", "output written so far"),
        widths=(len(cols), len(out_cols) * geo.stride),
        spacing=0.17,  # room for the input's colour bar and its title before the output's row numbers
    )
    limit = [symmetric_limit(window.view), symmetric_limit(window.output)]

    def state(i: int) -> list[dict]:
        """Frame i: the taps the window reads, the output written so far, the cell it writes."""
        f = frames[i]
        written = np.full(window.output.shape, np.nan)
        written.flat[: i + 1] = window.output.flat[: i + 1]  # raster order: frame i writes cell i
        taps = f.taps.reshape(-1, 2)
        return [
            {"type": "scatter", "x": taps[:, 1].tolist(), "y": taps[:, 0].tolist()},
            {"type": "heatmap", "z": plotspec.typed(written)},
            {"type": "scatter", "x": [f.col], "y": [f.row]},
        ]

    start = next((i for i, f in enumerate(frames) if (f.row, f.col) == focus), 0)
    first = state(start)
    view_hover = "input (%{y}, %{x}) = %{z:.4g}<extra></extra>"
    out_hover = "output (%{y}, %{x}) = %{z:.4g}<extra></extra>"
    output = first[1] | {"x": out_cols, "y": out_rows, "coloraxis": "coloraxis2", "hovertemplate": out_hover}
    # numbers written in up to a 16×16 view: more cells are too small to read
    data = [
        plotspec.on(
            _heat(window.view, "coloraxis", text_up_to=256, x=cols, y=rows, hovertemplate=view_hover), 1
        ),
        plotspec.on(_outlines(first[0]["x"], first[0]["y"], "taps", size=12, width=2), 1),
        plotspec.on(output, 2),
        plotspec.on(_outlines(first[2]["x"], first[2]["y"], "written", size=16, width=3), 2),
    ]
    _colour_axes(layout, limit, ["input value", "output value"])
    edge = {"x0": -0.5, "y0": -0.5, "x1": geo.width - 0.5, "y1": geo.height - 0.5, "xref": "x", "yref": "y"}
    layout["shapes"] = [{"type": "rect", "line": {"dash": "dash", "color": "#444"}, **edge}]
    play = {"frame": {"duration": 250, "redraw": True}, "fromcurrent": True, "transition": {"duration": 0}}
    still = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}
    layout |= {
        "title": {"text": title},
        "showlegend": False,
        "height": 520,
        "margin": {"l": 10, "r": 80, "t": 60, "b": 110},
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0,
                "y": -0.32,
                "xanchor": "left",
                "buttons": [
                    {"label": "▶ play", "method": "animate", "args": [None, play]},
                    {"label": "❚❚ pause", "method": "animate", "args": [[None], still]},
                ],
            }
        ],
        "sliders": [
            {
                "active": start,
                "x": 0.18,
                "len": 0.82,
                "y": -0.25,
                "currentvalue": {"prefix": "output ", "font": {"color": "#31333f"}},
                "font": {"color": "rgba(0, 0, 0, 0)"},  # up to 144 step labels would smear: hide them
                "ticklen": 3,
                "steps": [
                    {"label": f"({f.row}, {f.col})", "method": "animate", "args": [[str(i)], still]}
                    for i, f in enumerate(frames)
                ],
            }
        ],
    }
    plotspec.update_axes(layout, "y", [2], autorange="reversed")
    plotspec.update_axes(layout, "x", [1], range=[cols[0] - 0.5, cols[-1] + 0.5])
    plotspec.update_axes(layout, "y", [1], range=[rows[-1] + 0.5, rows[0] - 0.5], autorange=False)
    spec_frames = [{"data": state(i), "traces": [1, 2, 3], "name": str(i)} for i in range(len(frames))]
    return plotspec.Spec({"data": data, "layout": layout, "frames": spec_frames})


# --------------------------------------------------------------------------- numbers


@memo(stages.ARRAYS, ignore=("data",))
def statistics(spec: InputSpec, block: Block, *, data: bytes | None = None) -> tuple[np.ndarray, ...]:
    """Per-map mean and (biased) variance over the whole image — what the block's batch norm used —
    of the raw depthwise maps and of the raw pointwise outputs: ``(μ̂, σ̂², μ, σ²)``."""
    raw = stages.raw_depthwise(spec, block.depthwise, data=data)  # (M·d, H', W')
    mixed = stages.raw_outputs(spec, block, data=data)  # (N, H', W')
    return tuple(stat(y, axis=(1, 2), dtype=np.float64) for y in (raw, mixed) for stat in (np.mean, np.var))


def steps_table(f: explain.Finish, cached: np.ndarray, names: list[str], conv: str) -> pd.DataFrame:
    """One row per map: the convolution's sum, BN, the activation, and the block's own value."""
    table = {"map": names, conv: f.before}
    if f.mean is not None:
        table |= {"μ (whole map)": f.mean, "σ² (whole map)": f.var, "(y − μ)/√(σ² + ε)": f.normalised}
    if f.activation != "none":
        table[{"relu": "ReLU", "relu6": "ReLU6"}[f.activation]] = f.after
    table |= {"block's value (dsviz.ops)": cached, "difference": f.after - cached}
    return pd.DataFrame(table)


def show_table(table: pd.DataFrame, key: str) -> None:
    numbers = {c: st.column_config.NumberColumn(format="%.6g") for c in table.columns[1:]}
    numbers["difference"] = st.column_config.NumberColumn(format="%.1e")
    st.dataframe(table, hide_index=True, column_config=numbers, key=key)


def rounding_gain(weights: np.ndarray, dw_stats: dict, pw_stats: dict, eps: float) -> float:
    """How much float32 rounding before batch norm can grow by the end: BN divides a map by
    √(σ² + ε), so a nearly flat map (σ² ≈ 0) magnifies its rounding up to 1/√ε ≈ 316×, and the
    pointwise sum adds up to Σ|P| of those. 1 without batch norm."""
    if not dw_stats:
        return 1.0
    dw_gain = float(np.max(1 / np.sqrt(np.asarray(dw_stats["var"]) + eps)))
    pw_gain = float(np.max(1 / np.sqrt(np.asarray(pw_stats["var"]) + eps)))
    return max(1.0, dw_gain) * max(1.0, float(np.abs(weights).sum(axis=1).max())) * max(1.0, pw_gain)
