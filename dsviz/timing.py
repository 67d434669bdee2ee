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


def median_ms(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median milliseconds of each run, timed *interleaved* (a, b, c, a, b, c, …) after one untimed
    warm-up each, so that a slow moment of the machine hits every form alike."""
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) * 1e3 for name, values in times.items()}


def time_layer(
    shape: tuple[int, int, int],
    out_channels: int,
    kernel_size: int,
    *,
    multiplier: int = 1,
    stride: int = 1,
    dilation: int = 1,
    repeats: int = 7,
    seed: int = 0,
) -> Timing:
    """Time a standard M → N convolution and its depthwise + pointwise replacement on an ``(M, H, W)``
    input of this shape.

    Input and weights are random (values do not change the speed); both forms use dsviz.ops, i.e. the
    same PyTorch/oneDNN kernels, so the difference is the layer's shape, not the implementation.
    """
    rng = np.random.default_rng(seed)
    x = rng.random(shape, dtype=np.float32)  # (M, H, W)
    m, k = shape[0], kernel_size
    full = rng.standard_normal((out_channels, m, k, k), dtype=np.float32)  # (N, M, K, K)
    per_channel = rng.standard_normal((m * multiplier, k, k), dtype=np.float32)  # (M·d, K, K)
    mix = rng.standard_normal((out_channels, m * multiplier), dtype=np.float32)  # (N, M·d)
    geometry = {"stride": stride, "dilation": dilation}
    maps = ops.depthwise(x, per_channel, **geometry)
    medians = median_ms(
        {
            "standard_ms": lambda: ops.standard(x, full, **geometry),
            "depthwise_ms": lambda: ops.depthwise(x, per_channel, **geometry),
            "pointwise_ms": lambda: ops.pointwise(maps, mix),
        },
        repeats,
    )
    return Timing(**medians)
