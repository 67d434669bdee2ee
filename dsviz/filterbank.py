"""Standard convolution kernels that a depthwise separable layer cannot copy at d = 1: filter banks.

A bank is an ``(N, M, K, K)`` kernel: output n looks for one spatial pattern (an oriented Gabor
filter, or an oriented derivative of a Gaussian) and weighs the M input channels by a colour pattern
(luminance, red − green, blue − yellow) — so outputs differ in *both* what they look for and which
colours they combine, as the first layer of a trained network does. For channel m the N filters
``bank[:, m]`` are an N × K² matrix; how many independent rows it has (its rank) is how many
depthwise kernels per channel a separable layer needs to reproduce it exactly (see
:mod:`dsviz.approx`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from dsviz.kernels import gaussian_sigma

BANKS = {
    "gabor": "Oriented Gabor filters",
    "dog": "Oriented Gaussian derivatives",
    "random": "Random numbers (seed 0)",
}
DEFAULT_BANK = "gabor"
# Output n weighs a coloured input channel (R, G, B) by pattern n mod 3; a gray channel always by 1.
OPPONENT = (
    ("luminance", (1 / 3, 1 / 3, 1 / 3)),
    ("R − G", (1.0, -1.0, 0.0)),
    ("B − (R+G)/2", (-0.5, -0.5, 1.0)),
)


def orientation(n: int, out: int) -> float:
    """Output n's angle in radians: N angles spread evenly over a half turn (0, π/N, …)."""
    return math.pi * n / out


def _rotated(size: int, theta: float) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates along and across direction ``theta``, each ``(K, K)``, centred, y pointing down."""
    r = np.arange(size) - (size - 1) / 2
    y, x = np.meshgrid(r, r, indexing="ij")
    return x * math.cos(theta) + y * math.sin(theta), -x * math.sin(theta) + y * math.cos(theta)


def gabor(size: int, theta: float) -> np.ndarray:
    """An even (cosine) Gabor filter ``(K, K)`` across direction ``theta``: a Gaussian envelope
    (σ = :func:`~dsviz.kernels.gaussian_sigma`) times a cosine of wavelength max(2, 0.8·K), with
    its mean under the envelope removed (so a flat patch gives 0), unit L2 norm. At K = 1: [[1]]."""
    if size == 1:
        return np.ones((1, 1))
    along, across = _rotated(size, theta)
    sigma, wavelength = gaussian_sigma(size), max(2.0, 0.8 * size)
    envelope = np.exp(-(along**2 + across**2) / (2 * sigma**2))
    wave = np.cos(2 * math.pi * along / wavelength)
    kernel = envelope * (wave - (envelope * wave).sum() / envelope.sum())
    return kernel / np.linalg.norm(kernel)


def gaussian_derivative(size: int, theta: float) -> np.ndarray:
    """The first derivative of a Gaussian along direction ``theta`` ``(K, K)``, unit L2 norm: an edge
    detector. It is ``cos θ · ∂x G + sin θ · ∂y G`` (steerable). At K = 1: [[1]]."""
    if size == 1:
        return np.ones((1, 1))
    along, across = _rotated(size, theta)
    sigma = gaussian_sigma(size)
    kernel = -along * np.exp(-(along**2 + across**2) / (2 * sigma**2))
    return kernel / np.linalg.norm(kernel)


def colour_weights(out: int, colours: Sequence[int | None]) -> np.ndarray:
    """``(N, M)``: output n's weight for input channel m — :data:`OPPONENT` pattern n mod 3 of the
    channel's colour (a filtered copy of R counts as R), or 1 for a gray channel."""
    return np.array(
        [[1.0 if c is None else OPPONENT[n % len(OPPONENT)][1][c] for c in colours] for n in range(out)]
    )


def filter_bank(
    name: str, out: int, colours: Sequence[int | None], size: int, *, seed: int = 0
) -> np.ndarray:
    """The bank ``name`` for N = ``out`` outputs on channels of these ``colours``: ``(N, M, K, K)``
    float32. ``bank[n, m] = colour_weights[n, m] · spatial(K, θ_n)``; "random" is i.i.d. normal / K."""
    if name not in BANKS:
        raise ValueError(f"no filter bank called {name!r}: choose one of {', '.join(BANKS)}")
    if name == "random":
        rng = np.random.default_rng(seed)
        return (rng.standard_normal((out, len(colours), size, size)) / size).astype(np.float32)
    spatial = gabor if name == "gabor" else gaussian_derivative
    shapes = np.stack([spatial(size, orientation(n, out)) for n in range(out)])  # (N, K, K)
    weights = colour_weights(out, colours)  # (N, M)
    return (weights[:, :, None, None] * shapes[:, None]).astype(np.float32)


def output_label(name: str, n: int, out: int, colour: bool, *, numbered: bool = True) -> str:
    """``3: 67.5°, R − G``: what output n of the bank looks for (and in which colours)."""
    if name == "random":
        what = "random"
    else:
        angle = f"{math.degrees(orientation(n, out)):.4g}°"
        what = f"{angle}, {OPPONENT[n % len(OPPONENT)][0]}" if colour else angle
    return f"{n}: {what}" if numbered else what
