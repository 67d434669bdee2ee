"""One output pixel of a depthwise separable block, written out plainly: a second, independent oracle.

:mod:`dsviz.ops` lets torch do the arithmetic; this module does it by hand, with NumPy indexing and
float64 sums, for one output position at a time, and keeps every intermediate number so a page can
show it: the K×K patch each kernel reads (padding included), the products, their sum, and the
pointwise mix. It never imports torch or :mod:`dsviz.ops`; ``tests/test_explain.py`` checks it against
``F.pad`` + ``F.conv2d``.

Conventions (the design notes):

* ``x`` is ``(M, H, W)``, ``kernels`` ``(M·d, K, K)``, ``weights`` ``(N, M·d)``; depthwise map ``j``
  filters input channel ``j // d`` (PyTorch's ``groups=M`` order).
* "same" padding is symmetric, ``p = δ·(K−1)/2`` on each side (odd K); "valid" is ``p = 0``. The output
  is ``H' = ⌊(H + 2p − δ·(K−1) − 1)/s⌋ + 1`` rows (``⌈H/s⌉`` for "same").
* Output ``(r, c)`` reads input rows ``r·s − p + a·δ`` and columns ``c·s − p + b·δ``, ``a, b = 0…K−1``,
  in the *unpadded* image's coordinates: a tap at −1 or at H is a padding cell.
* Padding cells take PyTorch's ``F.pad`` values: zeros → 0; reflect mirrors about the edge pixel
  without repeating it (−1 → 1); replicate repeats the edge (−1 → 0); circular wraps (−1 → H−1).
  PyTorch allows reflect padding only when ``p < H`` and circular when ``p ≤ H``; so does this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsviz.checks import ACTIVATIONS, PADDING_MODES, as_float_array, require_choice, require_whole

PADDINGS = ("same", "valid")
MAX_CROP = 32  # input pixels per side of a window animation: ≤ 1024 frames at stride 1


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Geometry:
    """Where a K×K kernel with stride ``s`` and dilation ``δ`` reads on an ``H × W`` image."""

    height: int
    width: int
    size: int  # K
    stride: int
    dilation: int
    pad: int  # p, per side
    padding_mode: str

    @property
    def out_height(self) -> int:
        return (self.height + 2 * self.pad - self.dilation * (self.size - 1) - 1) // self.stride + 1

    @property
    def out_width(self) -> int:
        return (self.width + 2 * self.pad - self.dilation * (self.size - 1) - 1) // self.stride + 1

    def taps(self, row: int, col: int) -> np.ndarray:
        """``(K, K, 2)`` input coordinates (row, col) read by output ``(row, col)``; may lie outside."""
        offsets = np.arange(self.size) * self.dilation  # a·δ
        rows = row * self.stride - self.pad + offsets  # (K,)
        cols = col * self.stride - self.pad + offsets  # (K,)
        return np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)  # (K, K, 2)

    def source(self, taps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For taps ``(..., 2)``: the in-image coordinate each padding cell copies, and the padded mask.

        For zero padding a padding cell copies nothing (it reads 0): its source is the tap itself.
        """
        rows = _source_1d(taps[..., 0], self.height, self.padding_mode)
        cols = _source_1d(taps[..., 1], self.width, self.padding_mode)
        outside = (taps[..., 0] < 0) | (taps[..., 0] >= self.height)
        outside |= (taps[..., 1] < 0) | (taps[..., 1] >= self.width)
        return np.stack([rows, cols], axis=-1), outside

    def read(self, channel: np.ndarray, taps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The values the taps read from one ``(H, W)`` channel: ``(values, padded, source)``."""
        source, padded = self.source(taps)
        values = channel[source[..., 0].clip(0, self.height - 1), source[..., 1].clip(0, self.width - 1)]
        if self.padding_mode == "zeros":
            values = np.where(padded, 0.0, values)
        return values, padded, source


def _source_1d(index: np.ndarray, n: int, mode: str) -> np.ndarray:
    """Along one axis of length ``n``: the in-image index a (possibly padding) index takes its value from."""
    if mode == "reflect":  # … 2 1 | 0 1 2 … n−1 | n−2 n−3 …  (p < n, so one mirror is enough)
        return np.where(index < 0, -index, np.where(index >= n, 2 * (n - 1) - index, index))
    if mode == "replicate":  # 0 0 | 0 1 … n−1 | n−1 n−1
        return index.clip(0, n - 1)
    if mode == "circular":  # n−2 n−1 | 0 1 … n−1 | 0 1
        return index % n
    return index  # zeros: nothing to copy


def geometry(
    height: int,
    width: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: str = "same",
    dilation: int = 1,
    padding_mode: str = "zeros",
) -> Geometry:
    """Check the arguments and return the :class:`Geometry` (ValueError with a readable reason)."""
    stride = require_whole("stride", stride)
    dilation = require_whole("dilation", dilation)
    size = require_whole("the kernel size", kernel_size)
    require_choice("padding", padding, PADDINGS)
    require_choice("the padding mode", padding_mode, PADDING_MODES)
    if padding == "same" and size % 2 == 0:
        raise ValueError(
            f"'same' padding needs an odd kernel size (got {size}): an even kernel has no centre"
        )
    pad = dilation * (size - 1) // 2 if padding == "same" else 0
    span = dilation * (size - 1) + 1
    for name, n in (("height", height), ("width", width)):
        if n + 2 * pad < span:
            raise ValueError(
                f"the kernel spans {span} pixels but the padded image {name} is only {n + 2 * pad}: "
                "the output would be empty."
            )
        if padding_mode == "reflect" and pad >= n:
            raise ValueError(
                f"reflect padding of {pad} pixels needs an image {name} of at least {pad + 1} (it is {n}): "
                "a mirror about the edge pixel can only reach n − 1 pixels."
            )
        if padding_mode == "circular" and pad > n:
            raise ValueError(
                f"circular padding of {pad} pixels needs an image {name} of at least {pad} (it is {n}): "
                "it would wrap around more than once."
            )
    return Geometry(height, width, size, stride, dilation, pad, padding_mode)


# --------------------------------------------------------------------------- one output pixel


@dataclass(frozen=True, eq=False)
class PixelExplanation:
    """Every number behind output position ``(row, col)`` of a depthwise separable block.

    Arrays are float64 (ints for coordinates) and read-only. ``j`` runs over the M·d depthwise maps.
    """

    row: int
    col: int
    out_height: int  # H'
    out_width: int  # W'
    stride: int
    dilation: int
    pad: int  # p per side
    padding_mode: str
    multiplier: int  # d
    channel: np.ndarray  # (M·d,) input channel j // d each map filters
    taps: np.ndarray  # (K, K, 2) input (row, col) read, unpadded coordinates
    padded: np.ndarray  # (K, K) bool: the tap is a padding cell
    source: np.ndarray  # (K, K, 2) in-image coordinate a padding cell copies (= taps inside; zeros: = taps)
    patches: np.ndarray  # (M·d, K, K) the values read, padding included
    kernels: np.ndarray  # (M·d, K, K)
    products: np.ndarray  # (M·d, K, K) = patches × kernels
    depthwise: np.ndarray  # (M·d,) = Σ products
    weights: np.ndarray  # (N, M·d)
    pointwise: np.ndarray  # (N,) = weights @ depthwise


def output_pixel(
    x: np.ndarray,
    kernels: np.ndarray,
    weights: np.ndarray,
    *,
    row: int,
    col: int,
    stride: int = 1,
    padding: str = "same",
    dilation: int = 1,
    padding_mode: str = "zeros",
) -> PixelExplanation:
    """Output ``(row, col)`` of depthwise(kernels) then pointwise(weights), every step kept.

    ``Ĝ[j] = Σ_{a,b} K̂[j, a, b] · F̃[j // d, r·s + a·δ, c·s + b·δ]`` (F̃ padded), then
    ``G[n] = Σ_j P[n, j] · Ĝ[j]``. x ``(M, H, W)``, kernels ``(M·d, K, K)``, weights ``(N, M·d)``.
    """
    x = _array("the image", x, 3)
    kernels = _array("the depthwise kernels", kernels, 3)
    weights = _array("the pointwise weights", weights, 2)
    channels, maps = x.shape[0], kernels.shape[0]
    if kernels.shape[1] != kernels.shape[2]:
        raise ValueError(f"each kernel must be square, but each is {kernels.shape[1]}×{kernels.shape[2]}")
    if maps % channels:
        raise ValueError(
            f"there are {maps} depthwise kernels for {channels} input channels: it needs d kernels per "
            f"channel (a multiple of {channels})."
        )
    if weights.shape[1] != maps:
        raise ValueError(
            f"the pointwise weights are {weights.shape[0]}×{weights.shape[1]} but there are {maps} "
            f"depthwise maps: they need one column per map (N×{maps})."
        )
    geo = geometry(
        x.shape[1],
        x.shape[2],
        kernels.shape[1],
        stride=stride,
        padding=padding,
        dilation=dilation,
        padding_mode=padding_mode,
    )
    row, col = _position(row, col, geo)
    d = maps // channels
    channel = np.arange(maps) // d  # (M·d,)
    taps = geo.taps(row, col)  # (K, K, 2)
    patches = np.stack([geo.read(x[m], taps)[0] for m in channel])  # (M·d, K, K)
    _, padded, source = geo.read(x[0], taps)
    products = patches * kernels  # (M·d, K, K)
    depthwise = products.sum(axis=(1, 2))  # (M·d,)
    pointwise = weights @ depthwise  # (N,)
    return PixelExplanation(
        row=row,
        col=col,
        out_height=geo.out_height,
        out_width=geo.out_width,
        stride=geo.stride,
        dilation=geo.dilation,
        pad=geo.pad,
        padding_mode=padding_mode,
        multiplier=d,
        **_frozen(
            channel=channel,
            taps=taps,
            padded=padded,
            source=source,
            patches=patches,
            kernels=kernels,
            products=products,
            depthwise=depthwise,
            weights=weights,
            pointwise=pointwise,
        ),
    )


# --------------------------------------------------------------------------- after a convolution


@dataclass(frozen=True, eq=False)
class Finish:
    """Batch norm, then the activation, on C values at one position; every step kept (float64).

    BN normalises channel c with its map's mean and variance: ``(y − μ_c)/√(σ²_c + ε)`` (γ = 1, β = 0).
    """

    before: np.ndarray  # (C,) the convolution's values
    mean: np.ndarray | None  # (C,) μ per map; None without batch norm
    var: np.ndarray | None  # (C,) σ² per map (biased, as BatchNorm2d in training mode)
    eps: float
    normalised: np.ndarray  # (C,) after BN (= before without it)
    activation: str
    after: np.ndarray  # (C,) after the activation


def finish(
    values: np.ndarray,
    *,
    mean: np.ndarray | None = None,
    var: np.ndarray | None = None,
    eps: float = 1e-5,
    activation: str = "none",
) -> Finish:
    """``values`` ``(C,)`` → BN (when ``mean`` and ``var`` are given) → none, ReLU or ReLU6."""
    require_choice("the activation", activation, ACTIVATIONS)
    before = _array("the values", values, 1)
    if (mean is None) != (var is None):
        raise ValueError("batch norm needs both the mean and the variance of every map")
    normalised = before
    if mean is not None:
        mean, var = _array("the means", mean, 1), _array("the variances", var, 1)
        if mean.shape != before.shape or var.shape != before.shape:
            raise ValueError(f"batch norm needs {before.size} means and variances, one per map")
        if (var < 0).any() or not eps > 0:
            raise ValueError("batch norm needs variances ≥ 0 and ε > 0")
        normalised = (before - mean) / np.sqrt(var + eps)
    after = normalised
    if activation != "none":
        after = np.maximum(normalised, 0.0)  # ReLU: max(0, y)
        if activation == "relu6":
            after = np.minimum(after, 6.0)  # ReLU6: min(max(0, y), 6)
    return Finish(
        before=_readonly(before),
        mean=None if mean is None else _readonly(mean),
        var=None if var is None else _readonly(var),
        eps=float(eps),
        normalised=_readonly(normalised),
        activation=activation,
        after=_readonly(after),
    )


# --------------------------------------------------------------------------- the sliding window


@dataclass(frozen=True, eq=False)
class Frame:
    """One step of the sliding window: output ``(row, col)`` reads ``taps`` and writes ``value``."""

    row: int  # output coordinates, in the whole output map
    col: int
    taps: np.ndarray  # (K, K, 2) input coordinates read (unpadded image coordinates)
    padded: np.ndarray  # (K, K) bool
    value: float  # Σ kernel × patch


@dataclass(frozen=True, eq=False)
class Window:
    """A sliding-window animation over a crop of one channel, ready for Plotly frames.

    ``frames`` are the output positions whose window centre lies in the crop, in raster order. Draw
    ``view`` (the input values over rows ``top…top+rows−1`` and columns ``left…left+cols−1``, padding
    cells included, marked in ``view_padded``) once; each frame outlines its ``taps`` on it and fills
    cell ``(row − out_top, col − out_left)`` of ``output`` (``(out_rows, out_cols)`` values).
    """

    frames: list[Frame]
    top: int  # input coordinates of view[0, 0] (negative when the view shows padding)
    left: int
    view: np.ndarray  # (rows, cols) input values, padding cells included
    view_padded: np.ndarray  # (rows, cols) bool
    out_top: int  # output coordinates of output[0, 0]
    out_left: int
    output: np.ndarray  # (out_rows, out_cols): frame values laid out as the output map
    geometry: Geometry


def window_frames(
    channel: np.ndarray,
    kernel: np.ndarray,
    *,
    crop: tuple[int, int, int],
    stride: int = 1,
    padding: str = "same",
    dilation: int = 1,
    padding_mode: str = "zeros",
) -> Window:
    """The window of ``kernel`` sliding over ``crop = (r0, c0, size)`` of one ``(H, W)`` channel.

    Output ``(r, c)`` is included when its window centre ``(r·s − p + δ·⌊(K−1)/2⌋, …)`` lies in rows
    ``r0…r0+size−1`` and columns ``c0…c0+size−1`` (clipped to the image); ``size`` ≤ MAX_CROP.
    """
    channel = _array("the channel", channel, 2)
    kernel = _array("the kernel", kernel, 2)
    if kernel.shape[0] != kernel.shape[1]:
        raise ValueError(f"the kernel must be square, but it is {kernel.shape[0]}×{kernel.shape[1]}")
    geo = geometry(
        *channel.shape,
        kernel.shape[0],
        stride=stride,
        padding=padding,
        dilation=dilation,
        padding_mode=padding_mode,
    )
    r0, c0, size = crop
    size = require_whole("the crop size", size)
    if size > MAX_CROP:
        raise ValueError(f"the crop is {size} pixels a side: at most {MAX_CROP} keeps the animation small")
    r0, c0 = require_whole("the crop top", r0, 0), require_whole("the crop left", c0, 0)
    if r0 >= geo.height or c0 >= geo.width:
        raise ValueError(f"the crop starts at ({r0}, {c0}), outside the {geo.width}×{geo.height} image")
    centre = geo.dilation * ((geo.size - 1) // 2) - geo.pad  # centre tap of output 0
    out_rows = _inside(centre, geo.stride, geo.out_height, r0, min(r0 + size, geo.height))
    out_cols = _inside(centre, geo.stride, geo.out_width, c0, min(c0 + size, geo.width))
    if not (len(out_rows) and len(out_cols)):
        raise ValueError(
            "no output position has its window centre in the crop: "
            f"make it at least {geo.stride} pixels a side"
        )
    frames, output = [], np.zeros((len(out_rows), len(out_cols)))
    for i, r in enumerate(out_rows):
        for k, c in enumerate(out_cols):
            taps = geo.taps(int(r), int(c))
            values, padded, _ = geo.read(channel, taps)
            output[i, k] = float((values * kernel).sum())
            frames.append(Frame(int(r), int(c), _readonly(taps), _readonly(padded), float(output[i, k])))
    first, last = geo.taps(int(out_rows[0]), int(out_cols[0])), geo.taps(int(out_rows[-1]), int(out_cols[-1]))
    top, left = int(first[0, 0, 0]), int(first[0, 0, 1])
    grid = np.stack(
        np.meshgrid(np.arange(top, last[-1, -1, 0] + 1), np.arange(left, last[-1, -1, 1] + 1), indexing="ij"),
        axis=-1,
    )  # (rows, cols, 2)
    view, view_padded, _ = geo.read(channel, grid)
    return Window(
        frames=frames,
        top=top,
        left=left,
        view=_readonly(view),
        view_padded=_readonly(view_padded),
        out_top=int(out_rows[0]),
        out_left=int(out_cols[0]),
        output=_readonly(output),
        geometry=geo,
    )


def _inside(centre: int, stride: int, count: int, start: int, stop: int) -> np.ndarray:
    """Output indices ``i < count`` whose window centre ``centre + i·stride`` lies in ``[start, stop)``."""
    index = np.arange(count)
    where = centre + index * stride
    return index[(where >= start) & (where < stop)]


# --------------------------------------------------------------------------- helpers


def _array(name: str, value: object, ndim: int) -> np.ndarray:
    """``value`` as a float64 array with ``ndim`` non-empty axes (the oracle computes in float64)."""
    return as_float_array(name, value, ndim, finite=False, dtype=np.float64)


def _position(row: object, col: object, geo: Geometry) -> tuple[int, int]:
    for name, value, count in (("row", row, geo.out_height), ("col", col, geo.out_width)):
        require_whole(f"the output {name}", value, 0)
        if value >= count:
            raise ValueError(
                f"output {name} {value} is outside the {geo.out_width}×{geo.out_height} output map "
                f"(0…{count - 1})"
            )
    return int(row), int(col)


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr)  # a private copy: nothing outside can change a frozen explanation
    arr.setflags(write=False)
    return arr


def _frozen(**arrays: np.ndarray) -> dict[str, np.ndarray]:
    return {name: _readonly(arr) for name, arr in arrays.items()}
