"""Procedural test patterns, drawn in code so they need no files.

Each pattern isolates one thing a convolution does: hard edges (checkerboard), orientation
(stripes), frequency and aliasing under stride (rings, a zone plate), fine detail (text) and
per-channel filtering (shapes: one shape in each colour channel). Every builder is
deterministic and returns float32 ``(3, H, W)`` in [0, 1] with ``H = W = size``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

_SUPERSAMPLE = 4  # shapes and text are drawn 4× larger, then box-filtered: smooth edges


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates relative to the image centre: ``x`` (1, W) and ``y`` (H, 1)."""
    c = np.arange(size, dtype=np.float64) + 0.5 - size / 2
    return c[None, :], c[:, None]


def _rgb(gray: np.ndarray) -> np.ndarray:
    """(H, W) → (3, H, W) float32: grey patterns get three equal channels, like a grey photo."""
    return np.repeat(np.clip(gray, 0, 1).astype(np.float32)[None], 3, axis=0)


def checkerboard(size: int, squares: int = 8) -> np.ndarray:
    """An 8×8 board of black and white squares: the sharpest possible edges, in two directions."""
    idx = np.arange(size) * squares // size  # which square each row/column falls in
    return _rgb(((idx[:, None] + idx[None, :]) % 2).astype(np.float64))


def rings(size: int) -> np.ndarray:
    """A zone plate: concentric rings whose frequency grows linearly with the radius.

    The local frequency ``k·r/π`` reaches 0.5 cycles/pixel (the Nyquist limit) exactly at the
    corners, so the image itself is alias-free; a stride-2 convolution halves the Nyquist limit
    and the outer half of the rings folds into false (moiré) rings — aliasing made visible.
    """
    x, y = _grid(size)
    k = np.pi / (np.sqrt(2) * size)
    return _rgb(0.5 + 0.5 * np.cos(k * (x**2 + y**2)))


def stripes(size: int, angle: float, period: float | None = None) -> np.ndarray:
    """Soft-edged stripes running at ``angle`` degrees anticlockwise from horizontal.

    0° = horizontal stripes (only vertical gradients), 90° = vertical stripes, 45° = diagonal
    rising to the right: an oriented edge detector such as Sobel lights up on some and not others.
    The edges are ~1.5 px ramps rather than steps so that diagonal stripes have no staircase.
    """
    period = period or max(4.0, size / 16)
    x, y = _grid(size)
    theta = np.deg2rad(angle)
    phase = 2 * np.pi * (x * np.sin(theta) + y * np.cos(theta)) / period
    sharpness = max(1.0, period / (1.5 * np.pi))  # slope of the ramp at the zero crossing
    return _rgb(0.5 + 0.5 * np.clip(sharpness * np.cos(phase), -1, 1))


def _fit_font(draw: ImageDraw.ImageDraw, message: str, width: int) -> ImageFont.ImageFont:
    """Pillow's built-in font at the largest size whose text block fits in ``width`` pixels."""
    size = max(8, width // 3)
    while True:
        font = ImageFont.load_default(size=size)
        left, top, right, bottom = draw.multiline_textbbox((0, 0), message, font=font)
        if (right - left <= width and bottom - top <= width) or size <= 8:
            return font
        size = int(size * 0.9)


def text(size: int, message: str = "Depthwise\nseparable\nconvolution") -> np.ndarray:
    """Black text on white, centred: thin strokes and curves in every direction."""
    big = size * _SUPERSAMPLE
    canvas = Image.new("L", (big, big), 255)
    draw = ImageDraw.Draw(canvas)
    font = _fit_font(draw, message, int(big * 0.85))
    draw.multiline_text((big / 2, big / 2), message, fill=0, font=font, anchor="mm", align="center")
    small = canvas.reduce(_SUPERSAMPLE)
    return _rgb(np.asarray(small, dtype=np.float64) / 255)


def shapes(size: int) -> np.ndarray:
    """A red disc, a green square and a blue triangle, overlapping, on black.

    Each shape lives in exactly one colour channel, so a depthwise filter — which never mixes
    channels — shows one shape per map, and only the pointwise stage can combine them.
    """
    big = size * _SUPERSAMPLE
    s = big / 100  # draw in percent of the side
    channels = [Image.new("L", (big, big), 0) for _ in range(3)]
    ImageDraw.Draw(channels[0]).ellipse([12 * s, 12 * s, 62 * s, 62 * s], fill=255)
    ImageDraw.Draw(channels[1]).rectangle([40 * s, 22 * s, 86 * s, 68 * s], fill=255)
    ImageDraw.Draw(channels[2]).polygon([(20 * s, 90 * s), (48 * s, 38 * s), (76 * s, 90 * s)], 255)
    planes = [np.asarray(c.reduce(_SUPERSAMPLE), dtype=np.float32) / 255 for c in channels]
    return np.stack(planes)


PATTERNS: dict[str, Callable[[int], np.ndarray]] = {
    "checkerboard": checkerboard,
    "rings": rings,
    "stripes-0": lambda size: stripes(size, 0),
    "stripes-45": lambda size: stripes(size, 45),
    "stripes-90": lambda size: stripes(size, 90),
    "text": text,
    "shapes": shapes,
}


def make_pattern(name: str, size: int) -> np.ndarray:
    """The pattern ``name`` as float32 ``(3, size, size)`` in [0, 1]."""
    if name not in PATTERNS:
        raise ValueError(f"unknown pattern {name!r}; choose one of {', '.join(PATTERNS)}")
    if size < 1:
        raise ValueError(f"size must be at least 1 pixel (got {size})")
    return np.ascontiguousarray(PATTERNS[name](size), dtype=np.float32)
