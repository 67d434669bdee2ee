"""The Playground's computations, cached with ``st.cache_data`` keyed by plain values.

Each stage is keyed by small named tuples of plain values (names, ints, floats, an upload's digest),
so a slider move recomputes only the stages it touches: changing N re-runs the pointwise mix but
reuses the depthwise maps. Upload bytes travel in ``_data`` (not hashed: the digest in ``ref`` is).
Tiles are returned as encoded images, the form the browser gets.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from dsviz import images, ops, render
from dsviz.inputs import stack_filtered
from dsviz.style import robust_limit, symmetric_limit

DISPLAY_SIDE = 320  # px: maps are shown at most this large, whatever the working resolution


class InputSpec(NamedTuple):
    ref: str  # "sample:<name>" or "upload:<sha256>"
    resolution: int
    grayscale: bool
    copies: int


class DepthwiseSpec(NamedTuple):
    size: int
    stride: int
    dilation: int
    padding_mode: str
    kernels: tuple[float, ...]  # (M·d·K·K,), flattened so the key is plain numbers
    names: tuple[str, ...]  # one per kernel, for titles


class PointwiseSpec(NamedTuple):
    weights: tuple[float, ...]  # (N·M·d,)
    out_channels: int
    batch_norm: bool
    activation: str


@st.cache_data(max_entries=16, show_spinner=False)
def photo(ref: str, resolution: int, grayscale: bool, _data: bytes | None = None) -> np.ndarray:
    """The working image ``(C, H, W)`` in [0, 1]; raises ``ImageError`` for a bad upload."""
    if ref.startswith("sample:"):
        return images.load_sample(ref.removeprefix("sample:"), max_side=resolution, grayscale=grayscale)
    return images.load_image(_data or b"", max_side=resolution, grayscale=grayscale)


@st.cache_data(max_entries=16, show_spinner=False)
def channels(spec: InputSpec, _data: bytes | None = None) -> tuple[np.ndarray, list[str]]:
    """The M input channels ``(M, H, W)`` and their labels."""
    return stack_filtered(photo(spec.ref, spec.resolution, spec.grayscale, _data), spec.copies)


@st.cache_data(max_entries=16, show_spinner=False)
def layout(spec: InputSpec, _data: bytes | None = None) -> tuple[tuple[int, int, int], list[str]]:
    """``(M, H, W)`` and the channel labels: what a page needs on every rerun, without copying the
    channels themselves out of the cache (up to 100 MB at 1024² with 7 copies)."""
    x, labels = channels(spec, _data)
    return x.shape, labels


def kernel_array(spec: DepthwiseSpec) -> np.ndarray:
    return np.array(spec.kernels, dtype=np.float32).reshape(-1, spec.size, spec.size)  # (M·d, K, K)


@st.cache_data(max_entries=16, show_spinner=False)
def depthwise_maps(inputs: InputSpec, spec: DepthwiseSpec, _data: bytes | None = None) -> np.ndarray:
    """``(M·d, H', W')`` depthwise outputs."""
    x, _ = channels(inputs, _data)
    maps = ops.depthwise(
        x, kernel_array(spec), stride=spec.stride, dilation=spec.dilation, padding_mode=spec.padding_mode
    )
    return np.ascontiguousarray(maps)  # C order pickles (for the cache) without a hidden copy


@st.cache_data(max_entries=16, show_spinner=False)
def outputs(
    inputs: InputSpec, dw: DepthwiseSpec, pw: PointwiseSpec, _data: bytes | None = None
) -> np.ndarray:
    """``(N, H', W')``: pointwise mix, then (optionally) batch norm and the activation."""
    maps = depthwise_maps(inputs, dw, _data)
    weights = np.array(pw.weights, dtype=np.float32).reshape(pw.out_channels, -1)
    mixed = ops.pointwise(maps, weights)
    if pw.batch_norm:  # statistics of this one image, γ = 1, β = 0: each map to mean 0, variance 1
        mean, var = mixed.mean(axis=(1, 2)), mixed.var(axis=(1, 2))
        ones = np.ones_like(mean)
        mixed = ops.batch_norm(mixed, ones, np.zeros_like(mean), mean, var)
    return ops.activation(mixed, pw.activation)


def _map_scales(maps: np.ndarray, shared: bool) -> list[render.Scale]:
    """Zero-centred scales: one for all maps (comparable) or one per map (each map's detail),
    saturating the strongest 0.5 % of values (the colour bar marks it)."""
    if shared:
        return [render.Scale.signed(*robust_limit(maps))] * len(maps)
    return [render.Scale.signed(*robust_limit(m)) for m in maps]


def _kernel_scales(kernels: np.ndarray, shared: bool) -> list[render.Scale]:
    """Kernels are small: their scale covers every weight exactly, no saturation."""
    if shared:
        return [render.Scale.signed(symmetric_limit(kernels))] * len(kernels)
    return [render.Scale.signed(symmetric_limit(k)) for k in kernels]


def _tiles(maps: np.ndarray, titles: list[str], scales: list[render.Scale]) -> list[bytes]:
    return [
        render.encode(render.tile(render.display_size(m, DISPLAY_SIDE), title, scale))
        for m, title, scale in zip(maps, titles, scales, strict=True)
    ]


@st.cache_data(max_entries=16, show_spinner=False)
def input_tiles(spec: InputSpec, _data: bytes | None = None) -> tuple[bytes, list[bytes]]:
    """The photo, and one tile per input channel: grey [0, 1] for the photo's own channels,
    zero-centred for filtered copies that go negative."""
    picture = photo(spec.ref, spec.resolution, spec.grayscale, _data)
    x, labels = channels(spec, _data)
    scales = [
        render.Scale.unit() if c.min() >= 0 and c.max() <= 1 else render.Scale.signed(*robust_limit(c))
        for c in x
    ]
    height, width = picture.shape[1:]
    head = render.encode(render.photo(picture, f"input photo, {width}×{height}"))
    return head, _tiles(x, labels, scales)


@st.cache_data(max_entries=16, show_spinner=False)
def depthwise_tiles(
    inputs: InputSpec, spec: DepthwiseSpec, shared: bool, _data: bytes | None = None
) -> list[bytes]:
    maps = depthwise_maps(inputs, spec, _data)
    _, labels = layout(inputs, _data)
    d = len(maps) // len(labels)
    titles = [f"{labels[j // d]} · {spec.names[j]}" for j in range(len(maps))]
    return _tiles(maps, titles, _map_scales(maps, shared))


@st.cache_data(max_entries=16, show_spinner=False)
def kernel_tiles(spec: DepthwiseSpec, shared: bool) -> list[bytes]:
    kernels = kernel_array(spec)
    return [
        render.encode(render.kernel_tile(k, name, scale))
        for k, name, scale in zip(kernels, spec.names, _kernel_scales(kernels, shared), strict=True)
    ]


@st.cache_data(max_entries=16, show_spinner=False)
def output_tiles(
    inputs: InputSpec, dw: DepthwiseSpec, pw: PointwiseSpec, shared: bool, _data: bytes | None = None
) -> list[bytes]:
    maps = outputs(inputs, dw, pw, _data)
    return _tiles(maps, [f"output {n}" for n in range(len(maps))], _map_scales(maps, shared))
