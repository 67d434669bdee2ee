"""The convolutions dsviz shows, as NumPy in / NumPy out, with torch doing the arithmetic.

Arrays are channel-first with no batch axis: an image is ``(M, H, W)``. Every function checks its
arguments first (``ValueError`` with a plain-language message) and then makes one torch call.
Kernels, weights and biases are checked for NaN and ±inf. Images and maps are not scanned: that
is a full extra pass over the data, costing as much as a depthwise convolution; a NaN pixel simply
propagates to the outputs it touches, as in torch.

Speed (see ``benchmarks/ops_speed.py``): a grouped convolution on an NCHW tensor with few channels is
several times slower in PyTorch than on a channels-last tensor, and so is a 1×1 convolution whose
output is written plane by plane. So few-channel convolutions run channels-last, and ``depthwise`` returns
its maps as a *strided view* of that channels-last result (shape ``(M·d, H', W')``, strides not C
order); ``pointwise`` consumes such a view without copying, and may return one too. Call
``np.ascontiguousarray`` if you need C order.

Importing this module changes nothing outside it: autograd stays as it was (each op runs its torch
calls under ``torch.no_grad()``, a per-call and per-thread switch, so it builds no graph in any thread
and leaves a notebook's own training alone), and the allocator is untouched (the app and the
benchmarks call :func:`dsviz.memory.keep_freed_memory` themselves).
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from dsviz.checks import (
    ACTIVATIONS,
    DILATIONS,
    PADDING_MODES,
    STRIDES,
    as_float_array,
    require_choice,
    require_groups,
    require_square_kernels,
    require_whole,
)
from dsviz.geometry import Padding, effective_kernel, pad_amount
from dsviz.words import count, image_size, there_are

PaddingMode = Literal["zeros", "reflect", "replicate", "circular"]
Activation = Literal["none", "relu", "relu6"]

CHANNELS_LAST_MAX = 8  # at most this many channels: run channels-last (see _conv and _mix)
SMALL_IMAGE = 128 * 128  # pixels; below this a matrix product mixes few outputs fastest


@torch.no_grad()
def depthwise(
    x: np.ndarray,
    kernels: np.ndarray,
    *,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
    padding_mode: PaddingMode = "zeros",
) -> np.ndarray:
    """One K×K filter per input channel: ``Ĝ[j] = K̂[j] ⋆ F[j // d]``.

    x: ``(M, H, W)``; kernels: ``(M·d, K, K)`` where ``d = kernels.shape[0] // M`` is the depth
    multiplier. Output channel ``j`` filters input channel ``j // d`` (PyTorch's ``groups=M``
    order). Returns ``(M·d, H', W')``. ``⋆`` is cross-correlation, as in every deep-learning library.
    """
    x = as_float_array("the image", x, 3, finite=False)
    kernels = as_float_array("the depthwise kernels", kernels, 3)
    channels = x.shape[0]
    if kernels.shape[0] % channels:
        raise ValueError(
            f"{there_are(kernels.shape[0], 'depthwise kernel')} for {count(channels, 'input channel')}: "
            f"depthwise needs the same number of kernels for every channel (a multiple of {channels})."
        )
    each_sees_one = kernels.reshape(kernels.shape[0], 1, *kernels.shape[1:])  # (M·d, 1, K, K)
    return _grouped(x, each_sees_one, stride, padding, dilation, channels, padding_mode)


@torch.no_grad()
def pointwise(y: np.ndarray, weights: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """A 1×1 convolution: ``G[n] = Σ_c P[n, c] · Ĝ[c] (+ b[n])``.

    y: ``(C, H, W)``; weights: ``(N, C)``; bias: ``(N,)`` or None. Returns ``(N, H, W)``.
    """
    y = as_float_array("the depthwise maps", y, 3, finite=False)
    weights = as_float_array("the pointwise weights", weights, 2)
    channels = y.shape[0]
    if weights.shape[1] != channels:
        raise ValueError(
            f"the pointwise weight matrix ({weights.shape[0]}×{weights.shape[1]}) has "
            f"{count(weights.shape[1], 'column')}, but {there_are(channels, 'map')} to mix: it needs "
            f"one column per map (N×{channels})."
        )
    maps, mix = _batch(_tensor(y)), _tensor(weights)  # (1, C, H, W), (N, C)
    if bias is not None:
        bias = as_float_array("the pointwise bias", bias, 1)
        if bias.shape[0] != weights.shape[0]:
            raise ValueError(
                f"the bias needs {count(weights.shape[0], 'value')}, one per output channel, "
                f"not {bias.shape[0]}"
            )
    return _mix(maps, mix, None if bias is None else _tensor(bias)).numpy()


def _mix(maps: torch.Tensor, mix: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """The pointwise torch call: ``(1, C, H, W)`` maps, ``(N, C)`` weights → ``(N, H, W)``.

    Measured on 2 cores (benchmarks/ops_speed.py): a 1×1 convolution on a channels-last tensor is the
    fastest form whenever the maps are channels-last or have few channels (its output is written
    pixel by pixel, N values at a time) — except for few outputs from NCHW or tiny maps, where a
    matrix product wins; with many channels in and out, oneDNN's NCHW 1×1 convolution.
    """
    channels, outputs = maps.shape[1], mix.shape[0]
    small = maps.shape[2] * maps.shape[3] < SMALL_IMAGE  # tiny maps: oneDNN's set-up cost dominates
    channels_last = maps.stride(1) == 1 and channels > 1
    if outputs <= CHANNELS_LAST_MAX and (small or not channels_last):
        flat = maps[0].reshape(channels, -1)  # (C, H·W)
        out = mix @ flat if bias is None else torch.addmm(bias[:, None], mix, flat)
        return out.reshape(outputs, *maps.shape[2:])
    if channels_last or channels <= CHANNELS_LAST_MAX:
        maps = maps.contiguous(memory_format=torch.channels_last)  # no copy when already so
    return F.conv2d(maps, mix[:, :, None, None], bias)[0]


@torch.no_grad()
def standard(
    x: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
) -> np.ndarray:
    """A (grouped) convolution: ``G[n] = Σ_{m in n's group} K[n, m] ⋆ F[m]``.

    x: ``(M, H, W)``; kernel: ``(N, M/groups, K, K)``. groups=1 is a standard convolution, groups=M
    with N = M·d is depthwise. Returns ``(N, H', W')`` with ``H' = ⌈H/stride⌉`` for "same" padding.
    """
    x = as_float_array("the image", x, 3, finite=False)
    kernel = as_float_array("the kernel", kernel, 4)
    return _grouped(x, kernel, stride, padding, dilation, groups, padding_mode)


def _grouped(
    x: np.ndarray,
    kernel: np.ndarray,
    stride: int,
    padding: Padding,
    dilation: int,
    groups: int,
    padding_mode: str,
) -> np.ndarray:
    """Check the geometry of checked arrays, then convolve. x ``(M, H, W)``, kernel ``(N, M/g, K, K)``."""
    size = require_square_kernels("each kernel", kernel)
    _check_groups(x.shape[0], kernel.shape[:2], groups)
    _check_geometry(x.shape[1:], size, stride, padding, dilation, padding_mode)
    pad = pad_amount(size, padding, dilation)
    weight = _tensor(kernel).contiguous()  # a strided kernel (e.g. numpy's [:, None]) slows oneDNN down
    return _conv(_batch(_tensor(x)), weight, stride, pad, dilation, groups, padding_mode)


def _conv(
    x: torch.Tensor,
    kernel: torch.Tensor,
    stride: int,
    pad: int,
    dilation: int,
    groups: int,
    padding_mode: str,
) -> np.ndarray:
    """The torch call. x ``(1, M, H, W)`` → ``(N, H', W')``; a grouped one in the memory layout
    :func:`channels_last_is_faster` picks."""
    batch = x  # (1, M, H, W)
    if groups > 1 and channels_last_is_faster(x.shape[1], kernel.shape[-1], dilation):
        batch = batch.contiguous(memory_format=torch.channels_last)
    if padding_mode != "zeros" and pad:
        batch = F.pad(batch, (pad, pad, pad, pad), mode=padding_mode)
        pad = 0
    out = F.conv2d(batch, kernel, stride=stride, padding=pad, dilation=dilation, groups=groups)
    return out[0].numpy()


def channels_last_is_faster(channels: int, size: int, dilation: int) -> bool:
    """Whether a grouped K×K convolution runs faster on a channels-last tensor than on NCHW.

    Timed with torch 2.13 on the 2-core machine, 3 to 96 channels of 256 to 1024 px, K 3 to 11, δ 1 to 4
    (benchmarks/ops_speed.py keeps two K = 11 cells). Undilated, with at most 8 channels, channels-last
    is 1.1–8× faster (K = 9: 0.8–1.6×); with more, NCHW is as fast or faster — except at K = 11, where
    NCHW leaves its fast path and channels-last is 5–46× faster at every size and channel count (24
    channels of 1024 px: 3.3 s → 0.27 s). Dilated kernels of K ≥ 5 go the other way: channels-last is
    1.5–10× slower (3 channels of 256 px, K = 11, δ = 2: 138 ms against 21 ms), so they stay NCHW (3
    channels of 1024 px would gain, 1.6–3×).
    """
    if dilation > 1 and size >= 5:
        return False
    return size >= 11 or channels <= CHANNELS_LAST_MAX


def compose(kernels: np.ndarray, weights: np.ndarray, depth_multiplier: int = 1) -> np.ndarray:
    """The standard kernel equal to depthwise(kernels) then pointwise(weights).

    ``K[n, m] = Σ_r P[n, m·d + r] · K̂[m·d + r]`` — with d = 1 simply ``P[n, m] · K̂[m]``: every
    output channel's kernel for input m is a scaled copy of the one depthwise filter of m.
    kernels ``(M·d, K, K)``, weights ``(N, M·d)`` → ``(N, M, K, K)``.
    """
    kernels = as_float_array("the depthwise kernels", kernels, 3)
    weights = as_float_array("the pointwise weights", weights, 2)
    d = depth_multiplier
    require_whole("the depth multiplier", d)
    if kernels.shape[0] % d:
        raise ValueError(f"{count(kernels.shape[0], 'kernel')} cannot be split into groups of d = {d}")
    if weights.shape[1] != kernels.shape[0]:
        raise ValueError(
            f"the pointwise weights have {count(weights.shape[1], 'column')}, but "
            f"{there_are(kernels.shape[0], 'depthwise map')} to mix"
        )
    channels, size = kernels.shape[0] // d, kernels.shape[-1]
    k_hat = kernels.reshape(channels, d, size, size)  # (M, d, K, K)
    mix = weights.reshape(weights.shape[0], channels, d)  # (N, M, d)
    return np.einsum("nmr,mrij->nmij", mix, k_hat).astype(np.float32)


def separable_approximation(kernel: np.ndarray, depth_multiplier: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The depthwise separable pair whose composed kernel is closest to ``kernel``.

    For each input channel m the composed kernel is ``Σ_r P[:, m·d+r] ⊗ K̂[m·d+r]``: a matrix of
    rank ≤ d (N × K²). So the least-squares best pair is, per channel, the rank-d truncated SVD of
    ``kernel[:, m]`` (Eckart–Young), exact whenever that matrix has rank ≤ d.
    kernel ``(N, M, K, K)`` → kernels ``(M·d, K, K)`` (unit norm), weights ``(N, M·d)``.
    """
    kernel = as_float_array("the kernel", kernel, 4)
    d = depth_multiplier
    require_whole("the depth multiplier", d)
    out_channels, channels, size, _ = kernel.shape
    per_channel = kernel.astype(np.float64).transpose(1, 0, 2, 3).reshape(channels, out_channels, -1)
    u, s, vt = np.linalg.svd(per_channel, full_matrices=False)  # (M, N, r), (M, r), (M, r, K²)
    rank = min(d, s.shape[1])
    k_hat = np.zeros((channels, d, size * size))
    mix = np.zeros((out_channels, channels, d))
    k_hat[:, :rank] = vt[:, :rank]
    mix[:, :, :rank] = (u[:, :, :rank] * s[:, None, :rank]).transpose(1, 0, 2)
    sign = _sign_of_largest(k_hat)  # a deterministic orientation: SVD signs are arbitrary
    k_hat *= sign[..., None]
    mix *= sign[None]
    kernels = k_hat.reshape(channels * d, size, size).astype(np.float32)
    return kernels, mix.reshape(out_channels, channels * d).astype(np.float32)


def batch_norm(
    y: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    mean: np.ndarray,
    var: np.ndarray,
    eps: float = 1e-5,
) -> np.ndarray:
    """Inference-form batch norm: ``γ·(y − μ)/√(σ² + ε) + β``, one scale and shift per channel."""
    y = as_float_array("the maps", y, 3)
    names = ("γ", "β", "mean", "var")
    stats = [as_float_array(n, v, 1) for n, v in zip(names, (gamma, beta, mean, var), strict=True)]
    if any(s.shape[0] != y.shape[0] for s in stats):
        raise ValueError(
            f"batch norm needs {count(y.shape[0], 'value')} each of γ, β, mean and var, one per map"
        )
    if (stats[3] < 0).any():
        raise ValueError("batch-norm variances must be ≥ 0")
    if not (isinstance(eps, int | float) and math.isfinite(eps) and eps > 0):
        raise ValueError(f"batch-norm ε must be a positive number (got {eps!r}): it keeps √(σ² + ε) above 0")
    scale = stats[0] / np.sqrt(stats[3] + eps)
    shift = stats[1] - scale * stats[2]
    return y * scale[:, None, None] + shift[:, None, None]


def activation(y: np.ndarray, kind: Activation = "relu") -> np.ndarray:
    """none, relu ``max(0, y)`` or relu6 ``min(max(0, y), 6)`` (TF-slim's MobileNet v1 and
    MobileNet v2 use ReLU6; the v1 paper itself writes ReLU)."""
    require_choice("the activation", kind, ACTIVATIONS)
    y = np.asarray(y, dtype=np.float32)
    if kind == "none":
        return y
    return np.clip(y, 0.0, 6.0 if kind == "relu6" else None)


def _sign_of_largest(vectors: np.ndarray) -> np.ndarray:
    """±1 per vector so that its largest-magnitude entry is positive. vectors ``(..., L)``."""
    index = np.abs(vectors).argmax(axis=-1)[..., None]
    sign = np.sign(np.take_along_axis(vectors, index, axis=-1))[..., 0]
    return np.where(sign == 0, 1.0, sign)


def _batch(t: torch.Tensor) -> torch.Tensor:
    """``(C, H, W)`` → ``(1, C, H, W)``, keeping a channels-last layout *recognisable*.

    ``t[None]`` on a channels-last view gives the batch axis a stride of C; oneDNN then misses its
    channels-last fast path and a 1×1 convolution runs 4× slower (measured: 19 ms vs 5 ms at 1024²).
    """
    if t.stride(0) == 1 and t.shape[0] > 1:
        return t.permute(1, 2, 0)[None].permute(0, 3, 1, 2)  # batch stride H·W·C, as oneDNN expects
    return t[None]


def _tensor(arr: np.ndarray) -> torch.Tensor:
    """Share memory with ``arr`` (torch only reads it); copy only for negative strides."""
    if any(s < 0 for s in arr.strides):
        arr = np.ascontiguousarray(arr)
    if arr.flags.writeable:
        return torch.from_numpy(arr)
    with warnings.catch_warnings():  # read-only arrays (e.g. cached results) are fine: we never write
        warnings.simplefilter("ignore", UserWarning)
        return torch.from_numpy(arr)


def _check_groups(in_channels: int, kernel_channels: tuple[int, int], groups: int) -> None:
    out_channels, per_group = kernel_channels
    require_groups(in_channels, out_channels, groups)
    sees = in_channels // groups
    if per_group != sees:
        raise ValueError(
            f"with {count(groups, 'group')}, each kernel sees {count(sees, 'input channel')}, but the "
            f"kernel given has {per_group} along its second axis (its shape must be (N, {sees}, K, K))"
        )


def _check_geometry(
    image: tuple[int, int],
    size: int,
    stride: int,
    padding: Padding,
    dilation: int,
    padding_mode: str,
) -> None:
    """image: ``(H, W)``, as the array's axes; messages say width×height, as people do."""
    require_choice("stride", stride, STRIDES)
    require_choice("dilation", dilation, DILATIONS)
    require_choice("the padding mode", padding_mode, PADDING_MODES)
    height, width = image
    pad = pad_amount(size, padding, dilation)
    span = effective_kernel(size, dilation)
    if min(image) + 2 * pad < span:  # geometry.output_size would be < 1 along the short side
        kernel = f"a {size}×{size} kernel" + (f" at dilation {dilation}" if dilation > 1 else "")
        raise ValueError(
            f"{kernel} spans {span} px, but the image is {image_size(width=width, height=height)} with "
            f"{pad} px of padding per side: the output would be empty. Use a smaller kernel or "
            "dilation, or 'same' padding."
        )
    need = pad + 1 if padding_mode == "reflect" else pad
    if padding_mode in ("reflect", "circular") and min(image) < need:
        raise ValueError(
            f"{padding_mode} padding of {pad} px per side needs an image at least {need} px wide and "
            f"{need} px high, but it is {image_size(width=width, height=height)}: use zero or replicate "
            "padding, or a smaller kernel."
        )
