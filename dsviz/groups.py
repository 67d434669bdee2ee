"""From a standard convolution to a depthwise one: a K×K convolution with g groups, and its cost.

A grouped convolution ``M → C`` splits the M input channels and the C output channels into g equal
groups; an output sees only the ``M/g`` inputs of its own group, so its weight tensor is
``(C, M/g, K, K)`` and it costs ``K²·(M/g)·C·H'·W'`` MACs — exactly ``1/g`` of the standard
convolution's. ``g = 1`` is a standard convolution; ``g = M`` with ``C = M·d`` is a depthwise one.

The groups page keeps ``C = M·d`` (the block's depthwise stage, widened to see whole groups), so every
divisor of M is a valid g, and the block's pointwise stage ``M·d → N`` follows at every g: at
``g = M`` the pair is exactly the depthwise separable block (Xception's "spectrum" between the two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsviz.cost import ConvCost, Padding, conv_cost, pointwise_cost


def divisors(m: int) -> list[int]:
    """Every g that splits ``m`` channels into equal groups, from 1 (standard) to m (depthwise)."""
    return [g for g in range(1, m + 1) if m % g == 0]


def group_of(channel: int, channels: int, groups: int) -> int:
    """The group of a channel (PyTorch's order: groups are consecutive runs of channels)."""
    return channel // (channels // groups)


def connections(m: int, outputs: int, groups: int) -> list[tuple[int, int]]:
    """Every (input i, output j) pair the layer connects: i and j in the same group."""
    pairs = ((i, j) for j in range(outputs) for i in range(m))
    return [(i, j) for i, j in pairs if group_of(i, m, groups) == group_of(j, outputs, groups)]


def grouped_kernel(kernels: np.ndarray, m: int, groups: int) -> np.ndarray:
    """``(C, K, K)`` one kernel per output → ``(C, M/g, K, K)``: output j applies its kernel to the
    mean of its group's channels (each slice is the kernel divided by ``M/g``), so the drawing shows
    which channels an output mixes. At ``g = M`` this is the depthwise weights unchanged. (A trained
    layer would learn ``M/g`` different slices per output.)"""
    per_group = m // groups
    slices = kernels[:, None].astype(np.float64) / per_group
    return np.repeat(slices, per_group, axis=1).astype(np.float32)


def group_inputs(group: int, m: int, groups: int) -> range:
    """The input channels of a group."""
    per_group = m // groups
    return range(group * per_group, (group + 1) * per_group)


@dataclass(frozen=True)
class Step:
    """One g on the spectrum: the grouped K×K layer ``M → M·d`` and the pointwise ``M·d → N`` after it."""

    groups: int
    layer: ConvCost
    pointwise: ConvCost

    @property
    def mult_adds(self) -> int:
        return self.layer.mult_adds + self.pointwise.mult_adds

    @property
    def params(self) -> int:
        return self.layer.params + self.pointwise.params


def spectrum(
    m: int,
    d: int,
    n: int,
    kernel_size: int,
    height: int,
    width: int,
    *,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
) -> list[Step]:
    """The cost at every g (weights only: no bias, no BatchNorm). The last step is the block."""
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    layers = [conv_cost(m, m * d, kernel_size, height, width, groups=g, **geometry) for g in divisors(m)]
    mix = pointwise_cost(m * d, n, layers[0].out_height, layers[0].out_width)  # the same at every g
    return [Step(layer.groups, layer, mix) for layer in layers]


def output_titles(kernel_labels: list[str], channel_labels: list[str], groups: int) -> list[str]:
    """What each output of the page's grouped layer is: ``Sobel x of R`` when its group is one
    channel, ``Sobel x of mean(ch 0–2)`` when it averages several."""
    m, c = len(channel_labels), len(kernel_labels)
    titles = []
    for j, kernel in enumerate(kernel_labels):
        seen = group_inputs(group_of(j, c, groups), m, groups)
        source = channel_labels[seen[0]] if len(seen) == 1 else f"mean(ch {seen[0]}–{seen[-1]})"
        titles.append(f"{kernel} of {source}")
    return titles
