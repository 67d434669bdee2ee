"""The M input channels: the photo's own channels, optionally stacked with fixed filtered copies.

A photo has 1 or 3 channels; a layer deep in a network has many. Stacking the photo with filtered
versions of itself (blur, edges, …) gives M = C·(1 + copies) channels that still look like something,
so students can raise M and watch the cost grow while every channel stays recognisable.
"""

from __future__ import annotations

import numpy as np

from dsviz import ops
from dsviz.kernels import DEPTHWISE, depthwise_kernel

FILTER_BANK = ("gaussian", "sobel-x", "sobel-y", "laplacian", "sharpen", "emboss", "outline")
MAX_COPIES = len(FILTER_BANK)
COLOUR_NAMES = ("R", "G", "B")


def channel_names(photo_channels: int) -> tuple[str, ...]:
    return COLOUR_NAMES if photo_channels == 3 else ("gray",)


def stack_filtered(photo: np.ndarray, copies: int) -> tuple[np.ndarray, list[str]]:
    """``(C, H, W)`` photo → ``(C·(1 + copies), H, W)`` channels and their labels.

    Copy i is every photo channel filtered with the 3×3 ``FILTER_BANK[i]`` (replicate padding, so
    the borders do not darken). Channel order: R, G, B, R·blur, G·blur, B·blur, …
    """
    if not 0 <= copies <= MAX_COPIES:
        raise ValueError(f"between 0 and {MAX_COPIES} filtered copies, not {copies}")
    names = channel_names(photo.shape[0])
    labels = list(names)
    blocks = [photo]
    for name in FILTER_BANK[:copies]:
        kernels = np.repeat(depthwise_kernel(name, 3)[None], photo.shape[0], axis=0)  # (C, 3, 3)
        blocks.append(ops.depthwise(photo, kernels, padding_mode="replicate"))
        labels += [f"{c}·{DEPTHWISE[name].label.lower()}" for c in names]
    return np.concatenate(blocks), labels
