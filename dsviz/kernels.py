"""Named depthwise kernels and pointwise mixing presets.

The names are stable strings: they go into URLs, so a shared link keeps meaning the same filter.
Kernels are for cross-correlation (what every deep-learning library computes), so "sobel-x" is
positive where brightness increases to the right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import comb

import numpy as np

from dsviz.checks import require_kernel_size, require_whole

ANY_ODD = (1, 3, 5, 7, 9, 11)


@dataclass(frozen=True)
class KernelSpec:
    """A named kernel family: ``build(K, seed)`` → ``(K, K)`` float array."""

    label: str
    description: str
    build: Callable[[int, int], np.ndarray]
    sizes: tuple[int, ...] = ANY_ODD


def _offsets(size: int) -> np.ndarray:
    """Pixel offsets from the centre: ``[−r, …, r]`` with ``r = (K − 1) / 2``."""
    return np.arange(size) - (size - 1) / 2


def _binomial(size: int) -> np.ndarray:
    """Pascal's row ``C(K−1, i)``: the discrete Gaussian that Sobel smooths with."""
    return np.array([comb(size - 1, i) for i in range(size)], dtype=float)


def _identity(size: int, _seed: int = 0) -> np.ndarray:
    kernel = np.zeros((size, size))
    kernel[size // 2, size // 2] = 1.0
    return kernel


def _box(size: int, _seed: int = 0) -> np.ndarray:
    return np.full((size, size), 1.0 / size**2)


def _gaussian(size: int, _seed: int = 0) -> np.ndarray:
    sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # OpenCV's default σ for a K×K Gaussian
    g = np.exp(-(_offsets(size) ** 2) / (2 * sigma**2))
    kernel = np.outer(g, g)
    return kernel / kernel.sum()


def _sharpen(size: int, _seed: int = 0) -> np.ndarray:
    """Unsharp mask: the image plus its difference from a blur, ``2δ − gaussian``."""
    return 2 * _identity(size) - _gaussian(size)


def _derivative(smooth: np.ndarray, diff: np.ndarray, axis: str) -> np.ndarray:
    """Separable gradient: smooth across the edge direction, differentiate along ``axis``."""
    return np.outer(smooth, diff) if axis == "x" else np.outer(diff, smooth)


def _sobel(axis: str) -> Callable[[int, int], np.ndarray]:
    def build(size: int, _seed: int = 0) -> np.ndarray:
        # Binomial smoothing; derivative = binomial(K−2) ⊛ [−1, 0, 1] (OpenCV's extended Sobel).
        diff = np.convolve(_binomial(size - 2), [1.0, 0.0, -1.0])[::-1]
        return _derivative(_binomial(size), diff, axis)

    return build


def _prewitt(axis: str) -> Callable[[int, int], np.ndarray]:
    def build(size: int, _seed: int = 0) -> np.ndarray:
        return _derivative(np.ones(size), _offsets(size), axis)

    return build


def _scharr(axis: str) -> Callable[[int, int], np.ndarray]:
    def build(size: int, _seed: int = 0) -> np.ndarray:
        return _derivative(np.array([3.0, 10.0, 3.0]), np.array([-1.0, 0.0, 1.0]), axis)

    return build


def _laplacian(size: int, _seed: int = 0) -> np.ndarray:
    """The 4-neighbour Laplacian at K = 3; a Laplacian of Gaussian beyond.

    The LoG is made zero-sum (flat regions → 0) and scaled so that, like ∂²/∂x² + ∂²/∂y², it
    answers 2 on the parabola x²: that makes every size comparable to the 3×3 one.
    """
    if size == 3:
        return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    sigma = (size - 1) / 6
    yy, xx = np.meshgrid(_offsets(size), _offsets(size), indexing="ij")
    r2 = xx**2 + yy**2
    log = (r2 - 2 * sigma**2) * np.exp(-r2 / (2 * sigma**2))
    log -= log.mean()
    return log * 2.0 / (log * xx**2).sum()


def _emboss(size: int, _seed: int = 0) -> np.ndarray:
    """A diagonal ramp ``(i − r) + (j − r)`` plus the centre pixel: light from the top-left."""
    yy, xx = np.meshgrid(_offsets(size), _offsets(size), indexing="ij")
    return xx + yy + _identity(size)


def _motion_blur(size: int, _seed: int = 0) -> np.ndarray:
    kernel = np.zeros((size, size))
    kernel[size // 2, :] = 1.0 / size
    return kernel


def _outline(size: int, _seed: int = 0) -> np.ndarray:
    """``K²·δ − 1``: centre minus all neighbours (the 3×3 one is the classic 8/−1 kernel)."""
    return size**2 * _identity(size) - np.ones((size, size))


def _random(size: int, seed: int = 0) -> np.ndarray:
    # He-style scale 1/K keeps the output's spread comparable to the input's.
    return np.random.default_rng(seed).normal(0.0, 1.0 / size, (size, size))


DEPTHWISE: dict[str, KernelSpec] = {
    "identity": KernelSpec("Identity", "Copies the channel unchanged: the centre weight is 1.", _identity),
    "box": KernelSpec("Box blur", "Averages the K×K neighbourhood: smooths detail and noise.", _box),
    "gaussian": KernelSpec(
        "Gaussian blur", "Weighted average, nearest pixels count most: a softer blur.", _gaussian
    ),
    "sharpen": KernelSpec("Sharpen", "Adds back the difference from a blur: boosts fine detail.", _sharpen),
    "sobel-x": KernelSpec(
        "Sobel x", "Brightness change left → right: responds to vertical edges.", _sobel("x"), ANY_ODD[1:]
    ),
    "sobel-y": KernelSpec(
        "Sobel y", "Brightness change top → bottom: responds to horizontal edges.", _sobel("y"), ANY_ODD[1:]
    ),
    "prewitt-x": KernelSpec(
        "Prewitt x", "Unweighted left → right difference: vertical edges.", _prewitt("x"), ANY_ODD[1:]
    ),
    "prewitt-y": KernelSpec(
        "Prewitt y", "Unweighted top → bottom difference: horizontal edges.", _prewitt("y"), ANY_ODD[1:]
    ),
    "scharr-x": KernelSpec(
        "Scharr x", "Rotation-accurate 3×3 left → right gradient: vertical edges.", _scharr("x"), (3,)
    ),
    "scharr-y": KernelSpec(
        "Scharr y", "Rotation-accurate 3×3 top → bottom gradient: horizontal edges.", _scharr("y"), (3,)
    ),
    "laplacian": KernelSpec(
        "Laplacian",
        "Second derivative: responds to edges and spots, zero on flat and ramps.",
        _laplacian,
        ANY_ODD[1:],  # a 1×1 kernel cannot measure curvature
    ),
    "emboss": KernelSpec("Emboss", "Diagonal gradient plus the image: a relief lit from top-left.", _emboss),
    "motion-blur": KernelSpec(
        "Motion blur", "Averages along a horizontal line: streaks like a moving camera.", _motion_blur
    ),
    "outline": KernelSpec(
        "Outline", "Centre minus all neighbours: bright where a pixel differs from its surround.", _outline
    ),
    "random": KernelSpec(
        "Random (seeded)", "Normal random weights, as a layer starts before training.", _random
    ),
}
DEFAULT_DEPTHWISE = "sobel-x"


def depthwise_kernel(name: str, size: int = 3, *, seed: int = 0) -> np.ndarray:
    """The named ``(K, K)`` float32 kernel; ``ValueError`` for an unknown name or unsupported K."""
    spec = DEPTHWISE.get(name)
    if spec is None:
        raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(DEPTHWISE)}")
    require_kernel_size(size)
    if size not in spec.sizes:
        sizes = ", ".join(str(s) for s in spec.sizes)
        raise ValueError(f"{spec.label} exists for K = {sizes}, not K = {size}")
    return spec.build(size, seed).astype(np.float32)


def depthwise_kernels(names: list[str], size: int = 3, *, seed: int = 0) -> np.ndarray:
    """Stack named kernels into the ``(M·d, K, K)`` array ``ops.depthwise`` takes.

    "random" entries get seed ``seed + j`` so that every channel draws different numbers.
    """
    return np.stack([depthwise_kernel(name, size, seed=seed + j) for j, name in enumerate(names)])


@dataclass(frozen=True)
class PresetSpec:
    """A named pointwise mix: ``build(N, M, d, seed)`` → ``(N, M·d)`` weights."""

    label: str
    description: str
    build: Callable[[int, int, int, int], np.ndarray]


LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601, what Pillow's "L" mode uses
OPPONENT = np.array(
    [
        [1 / 3, 1 / 3, 1 / 3],  # intensity
        [1.0, -1.0, 0.0],  # red − green
        [-0.5, -0.5, 1.0],  # blue − yellow, yellow = (R + G)/2
    ]
)


def colour_of_maps(channels: int, multiplier: int) -> np.ndarray | None:
    """The RGB index (0, 1, 2) behind each of the ``M·d`` depthwise maps, or None without colour.

    Map j filters input channel ``j // d``; input channels come in blocks of R, G, B (the photo,
    then filtered copies of it), so channel m has colour ``m % 3`` — when M is a multiple of 3.
    """
    if channels % 3:
        return None
    return (np.arange(channels * multiplier) // multiplier) % 3


def _colour_mix(rows: np.ndarray, out: int, channels: int, multiplier: int) -> np.ndarray:
    """Output n applies colour row ``n % len(rows)``, spread evenly over the maps of each colour."""
    colour = colour_of_maps(channels, multiplier)
    if colour is None:  # grayscale input: every colour combination collapses to the average
        return _average(out, channels, multiplier)
    share = channels * multiplier // 3  # maps per colour
    per_map = rows[:, colour] / share  # (rows, M·d)
    return per_map[np.arange(out) % len(rows)]


def _identity_mix(out: int, channels: int, multiplier: int, _seed: int = 0) -> np.ndarray:
    weights = np.zeros((out, channels * multiplier))
    weights[np.arange(out), np.arange(out) % (channels * multiplier)] = 1.0
    return weights


def _average(out: int, channels: int, multiplier: int, _seed: int = 0) -> np.ndarray:
    return np.full((out, channels * multiplier), 1.0 / (channels * multiplier))


def _luminance(out: int, channels: int, multiplier: int, _seed: int = 0) -> np.ndarray:
    return _colour_mix(LUMA[None], out, channels, multiplier)


def _opponent(out: int, channels: int, multiplier: int, _seed: int = 0) -> np.ndarray:
    return _colour_mix(OPPONENT, out, channels, multiplier)


def _random_mix(out: int, channels: int, multiplier: int, seed: int = 0) -> np.ndarray:
    width = channels * multiplier
    return np.random.default_rng(seed).normal(0.0, 1.0 / np.sqrt(width), (out, width))


POINTWISE: dict[str, PresetSpec] = {
    "identity": PresetSpec(
        "Identity", "Output n copies depthwise map n (cycling when N is larger).", _identity_mix
    ),
    "average": PresetSpec("Average", "Every output is the mean of all depthwise maps.", _average),
    "luminance": PresetSpec("Luminance", "RGB → gray with 0.299 R + 0.587 G + 0.114 B (BT.601).", _luminance),
    "opponent": PresetSpec(
        "Opponent colour", "Outputs cycle through intensity, red − green and blue − yellow.", _opponent
    ),
    "random": PresetSpec("Random (seeded)", "Normal random weights with spread 1/√(M·d).", _random_mix),
}
DEFAULT_POINTWISE = "opponent"


def pointwise_weights(
    name: str, out_channels: int, in_channels: int, depth_multiplier: int = 1, *, seed: int = 0
) -> np.ndarray:
    """The named ``(N, M·d)`` float32 weight matrix; ``ValueError`` for an unknown name or sizes."""
    spec = POINTWISE.get(name)
    if spec is None:
        raise ValueError(f"unknown pointwise preset {name!r}; choose one of {', '.join(POINTWISE)}")
    for label, value in (("N", out_channels), ("M", in_channels), ("d", depth_multiplier)):
        require_whole(label, value)
    return spec.build(out_channels, in_channels, depth_multiplier, seed).astype(np.float32)
