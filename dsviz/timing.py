"""Measure, on this machine, what the multiply-add count predicts: standard vs depthwise separable.

The separable block does ~K² times fewer MACs, but it is rarely that much faster: the depthwise stage
does only ~K² MACs per value it reads and writes, so it waits on memory rather than arithmetic.
These timings put a number on that gap for the layer currently on screen.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dsviz import ops


@dataclass(frozen=True)
class Timing:
    """Median wall-clock milliseconds of each form of the layer on the same input."""

    standard_ms: float
    depthwise_ms: float
    pointwise_ms: float

    @property
    def separable_ms(self) -> float:
        return self.depthwise_ms + self.pointwise_ms

    @property
    def speedup(self) -> float:
        """standard time ÷ separable time (compare with the MAC ratio)."""
        return self.standard_ms / self.separable_ms


def median_ms(run: Callable[[], object], repeats: int) -> float:
    """Median of ``repeats`` calls after one warm-up call (which loads kernels and caches)."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def time_layer(
    x: np.ndarray,
    out_channels: int,
    kernel_size: int,
    *,
    multiplier: int = 1,
    stride: int = 1,
    dilation: int = 1,
    repeats: int = 5,
    seed: int = 0,
) -> Timing:
    """Time a standard M → N convolution and its depthwise + pointwise replacement on x ``(M, H, W)``.

    Weights are random (values do not change the speed); both forms use dsviz.ops, i.e. the same
    PyTorch/oneDNN kernels, so the difference is the layer's shape, not the implementation.
    """
    rng = np.random.default_rng(seed)
    m, k = x.shape[0], kernel_size
    full = rng.standard_normal((out_channels, m, k, k), dtype=np.float32)  # (N, M, K, K)
    per_channel = rng.standard_normal((m * multiplier, k, k), dtype=np.float32)  # (M·d, K, K)
    mix = rng.standard_normal((out_channels, m * multiplier), dtype=np.float32)  # (N, M·d)
    geometry = {"stride": stride, "dilation": dilation}
    maps = ops.depthwise(x, per_channel, **geometry)
    return Timing(
        standard_ms=median_ms(lambda: ops.standard(x, full, **geometry), repeats),
        depthwise_ms=median_ms(lambda: ops.depthwise(x, per_channel, **geometry), repeats),
        pointwise_ms=median_ms(lambda: ops.pointwise(maps, mix), repeats),
    )
