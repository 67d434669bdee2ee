"""The M input channels: the photo's own channels, optionally stacked with fixed filtered copies.

A photo has 1 or 3 channels; a layer deep in a network has many. Stacking the photo with filtered
versions of itself (blur, edges, …) gives M = C·(1 + copies) channels that still look like something,
so students can raise M and watch the cost grow while every channel stays recognisable.
"""

from __future__ import annotations

import numpy as np

from dsviz.kernels import depthwise_kernel

# kernel name → what a copy filtered with it is called ("R (blur)")
FILTER_BANK = {
    "gaussian": "blur",
    "sobel-x": "Sobel x",
    "sobel-y": "Sobel y",
    "laplacian": "Laplacian",
    "sharpen": "sharpened",
    "emboss": "emboss",
    "outline": "outline",
}
MAX_COPIES = len(FILTER_BANK)
COLOUR_NAMES = ("R", "G", "B")
MAX_CHANNELS = len(COLOUR_NAMES) * (1 + MAX_COPIES)


def channel_names(photo_channels: int) -> tuple[str, ...]:
    return COLOUR_NAMES if photo_channels == 3 else ("gray",)


def channel_labels(photo_channels: int, copies: int) -> tuple[str, ...]:
    """``R, G, B, R (blur), G (blur), …``: the photo's channels, then each filtered copy of them."""
    names = channel_names(photo_channels)
    copied = [f"{c} ({word})" for word in list(FILTER_BANK.values())[:copies] for c in names]
    return (*names, *copied)


def channel_colours(photo_channels: int, copies: int) -> tuple[int | None, ...]:
    """The RGB index (0, 1, 2) each channel derives from — a filtered copy of R is still red — or
    None for every channel of a grayscale photo, which has no colour."""
    own = (0, 1, 2) if photo_channels == 3 else (None,)
    return own * (1 + copies)


def stack_filtered(photo: np.ndarray, copies: int) -> tuple[np.ndarray, list[str]]:
    """``(C, H, W)`` photo → ``(C·(1 + copies), H, W)`` channels and their ``channel_labels``.

    Copy i is every photo channel filtered with the 3×3 kernel ``FILTER_BANK``'s i-th (replicate
    padding, so the borders do not darken).
    """
    if not 0 <= copies <= MAX_COPIES:
        raise ValueError(f"between 0 and {MAX_COPIES} filtered copies, not {copies}")
    from dsviz import ops  # torch, only when there are copies to filter (see dsviz.block.lazy_ops)

    blocks = [photo]
    for name in list(FILTER_BANK)[:copies]:
        kernels = np.repeat(depthwise_kernel(name, 3)[None], photo.shape[0], axis=0)  # (C, 3, 3)
        blocks.append(ops.depthwise(photo, kernels, padding_mode="replicate"))
    return np.concatenate(blocks), list(channel_labels(photo.shape[0], copies))
