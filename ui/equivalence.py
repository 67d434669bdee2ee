"""The "Equivalence & expressivity" page's pieces: its cached arrays and tiles (keyed by plain
values), the N × M kernel grid drawn with PIL, the error-and-cost chart, and its sentences."""

from __future__ import annotations

import dataclasses
import io
import math

import numpy as np
from PIL import Image

from dsviz import approx, cost, filterbank, ops, plotspec, render, style
from dsviz.block import Block, InputSpec
from ui import stages
from ui.memo import memo
from ui.stages import ARRAYS, TILES

MOST_MACS = 2_000_000_000  # the equivalence check convolves all N outputs below this, else one
GRID_WIDTH, GRID_HEIGHT = 640, 1100  # px the tiles of a kernel grid may take, at most
GAP = 2  # px between the tiles of a grid
Geometry = tuple[int, str, int, str]  # stride, padding, dilation, padding mode


def plain(block: Block) -> Block:
    """The block without batch norm and activation: depthwise → pointwise, two linear maps."""
    return dataclasses.replace(block, batch_norm=False, activation="none")


def geometry(block: Block) -> Geometry:
    dw = block.depthwise
    return dw.stride, dw.padding, dw.dilation, dw.padding_mode


def _conv_args(where: Geometry) -> dict:
    stride, padding, dilation, padding_mode = where
    return {"stride": stride, "padding": padding, "dilation": dilation, "padding_mode": padding_mode}


def standard_macs(block: Block, height: int, width: int) -> int:
    """MACs of the standard convolution with the composed kernel (all N outputs)."""
    dw = block.depthwise
    layer = cost.conv_cost(
        block.m,
        block.n,
        dw.kernel_size,
        height,
        width,
        stride=dw.stride,
        padding=dw.padding,
        dilation=dw.dilation,
    )
    return layer.mult_adds


# --------------------------------------------------------------------------- section 1: equivalence


@memo(ARRAYS, ignore=("data",))
def composed_outputs(
    spec: InputSpec, block: Block, outputs: tuple[int, ...], *, data: bytes | None = None
) -> np.ndarray:
    """``(len(outputs), H', W')``: one standard convolution of the input with the composed kernel's
    rows ``outputs``."""
    x = stages.channels(spec, data=data)
    kernel = block.composed()[list(outputs)]  # (n, M, K, K)
    return ops.standard(x, kernel, **_conv_args(geometry(block)))


def block_outputs(spec: InputSpec, block: Block, data: bytes | None = None) -> np.ndarray:
    """``(N, H', W')``: depthwise → pointwise of the block without BN and activation (cached)."""
    return stages.raw_outputs(spec, plain(block), data=data)


@memo(ARRAYS, ignore=("data",))
def largest_difference(
    spec: InputSpec, block: Block, outputs: tuple[int, ...], *, data: bytes | None = None
) -> tuple[float, float]:
    """(max |standard − separable|, max |separable|) over the outputs ``outputs``, as float64."""
    one = composed_outputs(spec, block, outputs, data=data).astype(np.float64)
    two = block_outputs(spec, block, data)[list(outputs)].astype(np.float64)
    return float(np.abs(one - two).max()), float(np.abs(two).max())


@memo(TILES, ignore=("data",))
def equivalence_tiles(
    spec: InputSpec, block: Block, n: int, box: int, *, data: bytes | None = None
) -> list[bytes]:
    """Output n three ways: the standard convolution, depthwise → pointwise (one scale for both),
    and their difference (its own scale: it is ~10⁻⁷ of theirs)."""
    one = composed_outputs(spec, block, (n,), data=data)[0]
    two = block_outputs(spec, block, data)[n]
    limit, clipped = style.robust_limit(np.stack([one, two]))
    shared = render.Scale.signed(limit, clipped)
    difference = one.astype(np.float64) - two
    scales = [shared, shared, render.Scale.signed(style.symmetric_limit(difference))]
    largest = float(np.abs(difference).max())
    titles = [
        f"standard conv, output {n}",
        f"depthwise → pointwise, output {n}",
        f"difference, max {largest:.2g}",
    ]
    return _tiles(spec, [one, two, difference], titles, scales, box, data)


def _tiles(
    spec: InputSpec, maps: list[np.ndarray], titles: list[str], scales: list, box: int, data: bytes | None
) -> list[bytes]:
    _, height, width = stages.photo(spec.ref, spec.resolution, spec.grayscale, data=data).shape
    zoom = stages.zoom(spec, data, box)
    canvas = render.canvas_for(height, width, zoom)
    return [
        render.encode(render.tile(m, t, s, zoom=zoom, canvas=canvas))
        for m, t, s in zip(maps, titles, scales, strict=True)
    ]


# --------------------------------------------------------------------------- the kernel grid


def _png(picture: Image.Image) -> bytes:
    """Lossless (sharp tile edges), compressed lightly: a grid encodes in a few ms, not tens."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _label(text: str, size: int = render.LABEL_SIZE) -> Image.Image:
    text = render.printable(text)
    strip = Image.new("RGB", (int(render.text_width(text, size)) + 4, size + 6), "white")
    render.write(strip, (2, (size + 6) // 2), text, size, "black", "lm")
    return strip


def grid_cell(n: int, m: int, size: int) -> int:
    """Screen px per kernel tap, so the N × M tiles fit GRID_WIDTH × GRID_HEIGHT (at least 1)."""
    wide = (GRID_WIDTH // m - GAP) // size
    tall = (GRID_HEIGHT // n - GAP) // size
    return max(1, min(48 // size, wide, tall))


def _tiled(pixels: np.ndarray, cell: int) -> np.ndarray:
    """``(N, M, K, K, 3)`` colours → one ``(N·(S+GAP), M·(S+GAP), 3)`` picture, S = K·cell: each tap a
    cell × cell square, each tile followed by a white gap (one array, not N·M pastes)."""
    out, channels, size = pixels.shape[:3]
    big = pixels.repeat(cell, axis=2).repeat(cell, axis=3)  # (N, M, S, S, 3)
    big = np.pad(big, ((0, 0), (0, 0), (0, GAP), (0, GAP), (0, 0)), constant_values=255)
    side = size * cell + GAP
    return np.ascontiguousarray(big.transpose(0, 2, 1, 3, 4)).reshape(out * side, channels * side, 3)


def kernel_grid(
    kernel: np.ndarray, rows: list[str], cols: list[str], title: str, limit: float
) -> Image.Image:
    """``(N, M, K, K)`` as an N × M grid of K×K tiles on one zero-centred scale ±``limit``: row n is
    output n's filter, column m what it applies to input channel m; labels left and on top (turned
    upright when the columns are narrow), the colour bar at the right."""
    out, channels, size, _ = kernel.shape
    cell = grid_cell(out, channels, size)
    side = size * cell
    scale = render.Scale.signed(limit)
    row_labels = [_label(r) for r in rows]
    col_labels = [_label(c) for c in cols]
    turn = max(c.width for c in col_labels) > side + GAP
    if turn:
        col_labels = [c.rotate(90, expand=True) for c in col_labels]
    left = min(max(r.width for r in row_labels), 200) + 4
    top = max(c.height for c in col_labels) + 2
    pixels = render.colourise(kernel, scale)  # (N, M, K, K, 3)
    board = Image.new("RGB", (left + channels * (side + GAP), top + out * (side + GAP)), "white")
    for n in range(out):
        y = top + n * (side + GAP)
        label = row_labels[n]
        if n % math.ceil(label.height / (side + GAP)) == 0:  # rows thinner than a label: every k-th
            shown = label.crop((0, 0, min(label.width, left - 4), label.height))
            board.paste(shown, (0, max(0, y + (side - label.height) // 2)))
    board.paste(Image.fromarray(_tiled(pixels, cell)), (left, top))
    for m, label in enumerate(col_labels):
        x = left + m * (side + GAP) + (side - label.width) // 2
        board.paste(label, (max(left, x), top - label.height - 1))
    room = int(render.text_width(render.printable(title), render.TITLE_SIZE)) + 8 - render.BAR_WIDTH
    room -= render.LABEL_WIDTH + render.GAP  # the title runs over the colour bar too
    if board.width < room:  # a narrow grid (one channel): widen it so the title is not cut
        wider = Image.new("RGB", (room, board.height), "white")
        wider.paste(board, (0, 0))
        board = wider
    return render.titled(board, title, render.colour_bar(board.height, scale))


def strongest_channel(block: Block, n: int) -> int:
    """The input channel whose pointwise weights into output n are largest (sum of |P| over its d
    maps): where output n's filter is easiest to see."""
    per_channel = np.abs(block.weights()[n]).reshape(block.m, block.d).sum(axis=1)  # (M,)
    return int(per_channel.argmax())


@memo(TILES)
def worked_tiles(block: Block, n: int, m: int) -> list[bytes]:
    """K[n, m] built before your eyes: channel m's d depthwise kernels, each titled with its weight
    P[n, m·d + r], then their weighted sum, all on one zero-centred scale."""
    d, kernels, weights = block.d, block.kernel_array(), block.weights()
    slots = range(m * d, (m + 1) * d)
    total = block.composed()[n, m]  # (K, K)
    limit = style.symmetric_limit(total, *(kernels[j] for j in slots))
    scale = render.Scale.signed(limit)
    dilation = block.depthwise.dilation
    tiles = [
        render.kernel_tile(
            kernels[j], f"× {render.compact(float(weights[n, j]))}: kernel {j}", scale, dilation=dilation
        )
        for j in slots
    ]
    tiles.append(render.kernel_tile(total, f"= K[{n}, {m}]", scale, dilation=dilation))
    return [render.encode(t) for t in tiles]


@memo(TILES)
def composed_grid(block: Block, rows: tuple[str, ...]) -> bytes:
    """The block's composed standard kernel as one grid image (PNG: sharp tiles)."""
    kernel = block.composed()
    size = block.depthwise.kernel_size
    title = f"composed kernel K ({block.n} × {block.m} × {size} × {size})"
    return _png(kernel_grid(kernel, list(rows), list(block.channels), title, style.symmetric_limit(kernel)))


# --------------------------------------------------------------------------- section 2: expressivity


@memo(ARRAYS)
def bank(name: str, out: int, colours: tuple[int | None, ...], size: int) -> np.ndarray:
    """``(N, M, K, K)``: the target standard kernel."""
    return filterbank.filter_bank(name, out, colours, size)


@memo(ARRAYS)
def approximation(name: str, out: int, colours: tuple[int | None, ...], size: int, d: int) -> np.ndarray:
    """``(N, M, K, K)``: the composed kernel of the best separable pair with multiplier d."""
    kernels, weights = ops.separable_approximation(bank(name, out, colours, size), d)
    return ops.compose(kernels, weights, d)


@memo(ARRAYS)
def error_curve(name: str, out: int, colours: tuple[int | None, ...], size: int) -> tuple[np.ndarray, int]:
    """Relative kernel error for d = 1 … K², and the d where it becomes exact (the largest rank)."""
    target = bank(name, out, colours, size)
    return approx.relative_errors(target, size * size), max(1, approx.exact_multiplier(target))


@memo(TILES)
def bank_grids(
    name: str, out: int, colours: tuple[int | None, ...], size: int, d: int, channels: tuple[str, ...]
) -> tuple[bytes, bytes]:
    """The target and its approximation at d as two grids on one scale."""
    target, approximated = bank(name, out, colours, size), approximation(name, out, colours, size, d)
    limit = style.symmetric_limit(target, approximated)
    colour = any(c is not None for c in colours)
    rows = [filterbank.output_label(name, n, out, colour) for n in range(out)]
    one = kernel_grid(target, rows, list(channels), "target: a standard kernel", limit)
    two = kernel_grid(approximated, rows, list(channels), f"best separable approximation, d = {d}", limit)
    return _png(one), _png(two)


@memo(ARRAYS, ignore=("data",))
def bank_output(
    spec: InputSpec,
    kernel: tuple,  # (name, N, colours, K, d): d = 0 for the target itself
    where: Geometry,
    n: int,
    *,
    data: bytes | None = None,
) -> np.ndarray:
    """``(H', W')``: output n of the target (d = 0) or of its approximation, as one standard
    convolution with that kernel's row n (equal to depthwise → pointwise: section 1)."""
    name, out, colours, size, d = kernel
    full = bank(name, out, colours, size) if d == 0 else approximation(name, out, colours, size, d)
    return ops.standard(stages.channels(spec, data=data), full[n : n + 1], **_conv_args(where))[0]


@memo(TILES, ignore=("data",))
def bank_tiles(
    spec: InputSpec, kernel: tuple, where: Geometry, n: int, box: int, *, data: bytes | None = None
) -> tuple[list[bytes], float]:
    """Target, approximation (one scale) and difference tiles of output n, and the relative error
    ‖target − approximation‖ / ‖target‖ of that output on this image."""
    target = bank_output(spec, (*kernel[:4], 0), where, n, data=data)
    approximated = bank_output(spec, kernel, where, n, data=data)
    limit, clipped = style.robust_limit(np.stack([target, approximated]))
    shared = render.Scale.signed(limit, clipped)
    difference = target - approximated
    titles = [f"target, output {n}", f"approximation (d = {kernel[4]})", "target − approximation"]
    tiles = _tiles(spec, [target, approximated, difference], titles, [shared, shared, shared], box, data)
    return tiles, approx.relative_error(target, approximated)


@memo(ARRAYS)
def costs(m: int, n: int, size: int, height: int, width: int, where: Geometry) -> tuple[tuple[int, int], ...]:
    """(MACs, params) of the separable layer for d = 1 … K², then of the standard convolution last."""
    stride, padding, dilation, _ = where
    kw = {"stride": stride, "padding": padding, "dilation": dilation}
    rows = [
        cost.separable_cost(m, n, size, height, width, multiplier=d, **kw) for d in range(1, size * size + 1)
    ]
    return (*((r.mult_adds, r.params) for r in rows), (rows[0].standard.mult_adds, rows[0].standard.params))


def error_chart(errors: np.ndarray, counts: tuple[tuple[int, int], ...], d: int, exact: int) -> plotspec.Spec:
    """Left: relative error (%) against d, the chosen d marked, the exact d as a dashed line. Right:
    MACs and params of each d (log axis) with the standard convolution's as dashed lines."""
    ds = np.arange(1, len(errors) + 1, dtype=np.float64)
    layout = plotspec.subplots(
        2, titles=("relative error of the kernel", "cost of the separable layer"), spacing=0.12
    )
    percent = 100 * errors
    traces = [
        plotspec.on(
            {
                "type": "scatter",
                "x": plotspec.typed(ds),
                "y": plotspec.typed(percent),
                "mode": "lines+markers",
                "name": "error",
                "line": {"color": "#444"},
                "hovertemplate": "d = %{x}: %{y:.3g} %<extra></extra>",
            },
            1,
        ),
        plotspec.on(
            {
                "type": "scatter",
                "x": [d],
                "y": [float(percent[d - 1])],
                "mode": "markers",
                "name": f"d = {d}",
                "marker": {"size": 13, "color": "#d62728"},
                "hovertemplate": "chosen d = %{x}: %{y:.3g} %<extra></extra>",
            },
            1,
        ),
    ]
    standard_macs, standard_params = counts[-1]
    macs = np.array([c[0] for c in counts[:-1]], np.float64)
    params = np.array([c[1] for c in counts[:-1]], np.float64)
    ends = [1.0, float(len(errors))]
    for values, std, name, colour in (
        (macs, standard_macs, "MACs", "#1f77b4"),
        (params, standard_params, "params", "#2ca02c"),
    ):
        traces.append(
            plotspec.on(
                {
                    "type": "scatter",
                    "x": plotspec.typed(ds),
                    "y": plotspec.typed(values),
                    "mode": "lines+markers",
                    "name": f"separable {name}",
                    "line": {"color": colour},
                    "hovertemplate": f"d = %{{x}}: %{{y:,}} {name}<extra></extra>",
                },
                2,
            )
        )
        traces.append(
            plotspec.on(
                {
                    "type": "scatter",
                    "x": ends,
                    "y": [std, std],
                    "mode": "lines",
                    "name": f"standard conv {name}",
                    "line": {"color": colour, "dash": "dash"},
                    "hovertemplate": f"standard: {std:,} {name}<extra></extra>",
                },
                2,
            )
        )
    plotspec.update_axes(layout, "x", [1, 2], title={"text": "depth multiplier d"}, rangemode="tozero")
    plotspec.update_axes(layout, "y", [1], title={"text": "‖K − K_d‖ / ‖K‖ (%)"}, rangemode="tozero")
    plotspec.update_axes(layout, "y", [2], title={"text": "count (log)"}, type="log")
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": exact,
            "x1": exact,
            "y0": 0,
            "y1": 1,
            "line": {"dash": "dot", "color": "#d62728"},
        }
    ]
    layout["annotations"].append(
        {
            "x": exact,
            "xref": "x",
            "y": 0.97,
            "yref": "paper",
            "yanchor": "top",
            "text": f" exact from d = {exact}",
            "showarrow": False,
            "xanchor": "left",
        }
    )
    layout.update(height=380, margin={"t": 60, "b": 50}, legend={"orientation": "h", "y": -0.25})
    return plotspec.Spec({"data": traces, "layout": layout})


# --------------------------------------------------------------------------- sentences


def cannot_represent(m: int, n: int, size: int, exact: int) -> str:
    """What a separable layer cannot represent, in words true at every M, N, K, and this bank's rank."""
    most = min(n, size * size)
    general = (
        "**What a separable layer cannot represent.** In a depthwise separable layer, input channel m "
        "is filtered by its d depthwise kernels only; every output's filter for channel m is a weighted "
        "sum of those d kernels (the weights are the pointwise weights of m's maps). So the N filters that "
        "see one channel can take at most d independent shapes. A standard layer gives every (output, "
        "input) pair its own K×K filter: one channel's N filters can have up to min(N, K²) independent "
        f"shapes — here min({n}, {size}²) = {most}. Mixing channels is not what is lost: the pointwise "
        "stage combines them with any weights. What is lost is *different spatial patterns on the same "
        "channel*: outputs that look for different things in the same input channel need one depthwise "
        "kernel per independent pattern."
    )
    if most == 1:
        why = "one output" if n == 1 else "1×1 kernels"
        case = (
            f" With {why}, min(N, K²) = 1: every standard layer with these sizes is a separable one "
            "with d = 1, exactly."
        )
    else:
        case = (
            f" At d = {most} every standard kernel of these sizes is reproduced exactly; this bank "
            f"needs d = {exact}, the largest number of independent filters it "
            f"applies to one channel (the rank of that channel's {n} × {size * size} filter matrix)."
        )
    if m == 1 and most > 1:
        case += (
            " One input channel does not make a layer separable: with M = 1, d = 1 makes every output a "
            "scaled copy of the same filtered map."
        )
    return general + case


def cost_at(counts: tuple[tuple[int, int], ...], d: int) -> str:
    """The separable layer's MACs and params at d against the standard convolution's."""
    macs, params = counts[d - 1]
    standard_macs, standard_params = counts[-1]
    ratio = macs / standard_macs
    return (
        f"{macs:,} MACs and {params:,} weights, against the standard convolution's {standard_macs:,} MACs "
        f"and {standard_params:,} weights ({ratio:.3g}× the MACs)"
    )


def rounding_sentence(largest: float, peak: float, outputs: str, total: int) -> str:
    """The equivalence check's result, said from its numbers."""
    relative = largest / peak if peak else 0.0
    head = (
        f"Largest |difference| over {outputs} ({total:,} values): **{largest:.3g}**, where the "
        f"outputs reach |{peak:.3g}|, a relative {relative:.2g}"
    )
    if largest == 0:
        return head + ": the two agree to the last bit here, not even rounding differs."
    if relative < 1e-4:
        return head + (
            ". That is float32 rounding (ε = 1.2·10⁻⁷ per operation): the two compute the same sums of "
            "products, in a different order."
        )
    return head + "."  # never expected: said plainly rather than called rounding


def rank_caption(labels: tuple[str, ...], ranks: np.ndarray) -> str:
    """``Independent filters per input channel (rank): R 8, G 8, B 5.``"""
    listed = ", ".join(f"{label} {int(r)}" for label, r in zip(labels, ranks, strict=True))
    return f"Independent filters per input channel (the rank of its N × K² filter matrix): {listed}."


def total_values(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape))
