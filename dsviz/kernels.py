"""Named depthwise kernels and pointwise mixing presets.

The names are stable strings: they go into URLs, so a shared link keeps meaning the same filter.
Kernels are for cross-correlation (what every deep-learning library computes), so "sobel-x" is
positive where brightness increases to the right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import comb, gcd

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


def gaussian_sigma(size: int) -> float:
    """σ = 0.3·((K − 1)/2 − 1) + 0.8: OpenCV's formula for σ when none is given (0.8 at K = 3).

    OpenCV itself uses this σ only for K > 7; for K ≤ 7 its ``getGaussianKernel`` takes fixed taps
    instead ([¼, ½, ¼] at K = 3). Here the formula is used at every K.
    """
    return 0.3 * ((size - 1) * 0.5 - 1) + 0.8


def _gaussian(size: int, _seed: int = 0) -> np.ndarray:
    sigma = gaussian_sigma(size)
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
    """``K²·δ − 1`` = K² × (centre − mean of the window): the 3×3 one is the classic 8/−1 kernel."""
    return size**2 * _identity(size) - np.ones((size, size))


def _random(size: int, seed: int = 0) -> np.ndarray:
    # Standard deviation 1/K: K² weights then keep the output's spread comparable to the input's.
    return np.random.default_rng(seed).normal(0.0, 1.0 / size, (size, size))


WITH_NEIGHBOURS = ANY_ODD[1:]  # K ≥ 3: at K = 1 there is no neighbourhood, every such kernel is [1] or [0]

DEPTHWISE: dict[str, KernelSpec] = {
    "identity": KernelSpec(
        "Identity", "Copies the channel unchanged: the centre weight is 1, every other weight 0.", _identity
    ),
    "box": KernelSpec(
        "Box blur", "Averages the K×K neighbourhood: smooths detail and noise.", _box, WITH_NEIGHBOURS
    ),
    "gaussian": KernelSpec(
        "Gaussian blur",
        "Weighted average, nearest pixels count most (σ = 0.3·((K − 1)/2 − 1) + 0.8): a softer blur.",
        _gaussian,
        WITH_NEIGHBOURS,
    ),
    "sharpen": KernelSpec(
        "Sharpen",
        "The image plus its difference from a Gaussian blur: boosts fine detail.",
        _sharpen,
        WITH_NEIGHBOURS,
    ),
    "sobel-x": KernelSpec(
        "Sobel x",
        "Brightness change left → right, smoothed top to bottom: responds to vertical edges.",
        _sobel("x"),
        WITH_NEIGHBOURS,
    ),
    "sobel-y": KernelSpec(
        "Sobel y",
        "Brightness change top → bottom, smoothed left to right: responds to horizontal edges.",
        _sobel("y"),
        WITH_NEIGHBOURS,
    ),
    "prewitt-x": KernelSpec(
        "Prewitt x",
        "Left → right difference with every row counted equally: vertical edges.",
        _prewitt("x"),
        WITH_NEIGHBOURS,
    ),
    "prewitt-y": KernelSpec(
        "Prewitt y",
        "Top → bottom difference with every column counted equally: horizontal edges.",
        _prewitt("y"),
        WITH_NEIGHBOURS,
    ),
    "scharr-x": KernelSpec(
        "Scharr x",
        "3×3 left → right gradient with weights 3, 10, 3, closer to rotation-invariant than Sobel: "
        "vertical edges.",
        _scharr("x"),
        (3,),
    ),
    "scharr-y": KernelSpec(
        "Scharr y",
        "3×3 top → bottom gradient with weights 3, 10, 3, closer to rotation-invariant than Sobel: "
        "horizontal edges.",
        _scharr("y"),
        (3,),
    ),
    "laplacian": KernelSpec(
        "Laplacian",
        "Sum of second derivatives (Gaussian-smoothed for K ≥ 5): responds to edges and spots, zero on "
        "flat areas and ramps.",
        _laplacian,
        WITH_NEIGHBOURS,
    ),
    "emboss": KernelSpec(
        "Emboss",
        "Diagonal gradient plus the image: a relief lit from the top-left.",
        _emboss,
        WITH_NEIGHBOURS,
    ),
    "motion-blur": KernelSpec(
        "Motion blur",
        "Averages along a horizontal line: streaks like a moving camera.",
        _motion_blur,
        WITH_NEIGHBOURS,
    ),
    "outline": KernelSpec(
        "Outline",
        "K² × (centre − mean of the K×K window): zero on flat areas, bright where a pixel differs from "
        "its surround.",
        _outline,
        WITH_NEIGHBOURS,
    ),
    "random": KernelSpec(
        "Random (seeded)",
        "Normal random weights (standard deviation 1/K): an untrained layer starts from random numbers too.",
        _random,
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


# --------------------------------------------------------------------------- pointwise presets

Colours = Sequence[int | None]


@dataclass(frozen=True)
class PresetSpec:
    """A named pointwise mix: ``build(N, map_colours, seed)`` → ``(N, M·d)`` weights.

    ``map_colours[j]`` is 0/1/2 when depthwise map j derives from a red/green/blue channel, None when
    it has no colour. ``gray_description`` replaces ``description`` when the maps have no colour
    (None: the preset does not use colour, one description fits both).
    """

    label: str
    description: str
    build: Callable[[int, tuple[int | None, ...], int], np.ndarray]
    gray_description: str | None = None


LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601, what Pillow's "L" mode uses
OPPONENT = np.array(
    [
        [1 / 3, 1 / 3, 1 / 3],  # intensity
        [1.0, -1.0, 0.0],  # red − green
        [-0.5, -0.5, 1.0],  # blue − yellow, yellow = (R + G)/2
    ]
)
OPPONENT_NAMES = ("intensity (R + G + B)/3", "red − green", "blue − yellow")


def map_colours(
    in_channels: int, depth_multiplier: int = 1, colours: Colours | None = None
) -> tuple[int | None, ...]:
    """The colour (0, 1, 2 or None) behind each of the ``M·d`` depthwise maps: map j filters input
    channel ``j // d``, so it has ``colours[j // d]``.

    ``colours=None`` is the old guess, kept for callers that do not say: channels come in blocks of
    R, G, B when M is a multiple of 3, and have no colour otherwise. The app always passes colours.
    """
    if colours is None:
        colours = [m % 3 for m in range(in_channels)] if in_channels % 3 == 0 else [None] * in_channels
    colours = tuple(colours)
    if len(colours) != in_channels:
        raise ValueError(f"give one colour per input channel: {len(colours)} colours for {in_channels}")
    if any(c not in (0, 1, 2, None) or isinstance(c, bool) for c in colours):
        raise ValueError(f"each colour must be 0 (red), 1 (green), 2 (blue) or None, not {colours}")
    return tuple(c for c in colours for _ in range(depth_multiplier))


def has_colour(colours: Colours) -> bool:
    """Whether red, green and blue are all present: what the colour presets need."""
    return {c for c in colours if c is not None} == {0, 1, 2}


def _colour_mix(rows: np.ndarray, out: int, colours: tuple[int | None, ...]) -> np.ndarray:
    """Output n applies colour row ``n % len(rows)``; each colour's weight is split equally among the
    maps of that colour (maps without colour get 0). Without R, G and B: the plain average."""
    if not has_colour(colours):
        return _average(out, colours)
    per_map = np.zeros((len(rows), len(colours)))  # (rows, M·d)
    for j, c in enumerate(colours):
        if c is not None:
            per_map[:, j] = rows[:, c] / colours.count(c)
    return per_map[np.arange(out) % len(rows)]


def _identity_mix(out: int, colours: tuple[int | None, ...], _seed: int = 0) -> np.ndarray:
    width = len(colours)
    weights = np.zeros((out, width))
    weights[np.arange(out), np.arange(out) % width] = 1.0
    return weights


def _average(out: int, colours: tuple[int | None, ...], _seed: int = 0) -> np.ndarray:
    return np.full((out, len(colours)), 1.0 / len(colours))


def _luminance(out: int, colours: tuple[int | None, ...], _seed: int = 0) -> np.ndarray:
    return _colour_mix(LUMA[None], out, colours)


def _opponent(out: int, colours: tuple[int | None, ...], _seed: int = 0) -> np.ndarray:
    return _colour_mix(OPPONENT, out, colours)


def _random_mix(out: int, colours: tuple[int | None, ...], seed: int = 0) -> np.ndarray:
    width = len(colours)
    return np.random.default_rng(seed).normal(0.0, 1.0 / np.sqrt(width), (out, width))


Terms = tuple[tuple[int, int], ...]  # ((map index, integer coefficient), …), divided by Σ|coefficient|


def mix_terms(out: int, width: int) -> list[Terms]:
    """The "mix" preset's rows as integer combinations of maps, before dividing by Σ|coefficient|.

    Each map on its own; then, for every pair of maps (neighbours first), the difference a − b; then
    every pair's sum a + b; then other proportions p·a ± q·b (p, q coprime, max(p, q) = 2, 3, …).
    Rows on different maps, or on one pair in different proportions, are never multiples of each
    other. With a single map, rows alternate between it and its negative: nothing else exists.
    """
    if width == 1:
        return [((0, 1 if n % 2 == 0 else -1),) for n in range(out)]
    rows: list[Terms] = [((a, 1),) for a in range(min(out, width))]
    pairs = [(a, a + gap) for gap in range(1, width) for a in range(width - gap)]
    level = 1
    while len(rows) < out:
        for sign in (-1, 1):
            ratios = [
                (p, sign * q)
                for p in range(1, level + 1)
                for q in range(1, level + 1)
                if max(p, q) == level and gcd(p, q) == 1
            ]
            rows += [((a, p), (b, q)) for p, q in ratios for a, b in pairs]
        level += 1
    return rows[:out]


def _mix(out: int, colours: tuple[int | None, ...], _seed: int = 0) -> np.ndarray:
    weights = np.zeros((out, len(colours)))
    for n, terms in enumerate(mix_terms(out, len(colours))):
        total = sum(abs(c) for _, c in terms)
        for j, c in terms:
            weights[n, j] = c / total
    return weights


def _mix_label(terms: Terms, names: Sequence[str]) -> str:
    parts = []
    for i, (j, c) in enumerate(terms):
        size = "" if abs(c) == 1 else f"{abs(c)}·"
        sign = ("−" if c < 0 else "") if i == 0 else (" − " if c < 0 else " + ")
        parts.append(f"{sign}{size}{names[j]}")
    total = sum(abs(c) for _, c in terms)
    return "".join(parts) if total == 1 else f"({''.join(parts)})/{total}"


_NO_COLOUR = "No red, green and blue channels here, so {what}: every output is the mean of all maps."
POINTWISE: dict[str, PresetSpec] = {
    "mix": PresetSpec(
        "Maps, differences, averages",
        "The first M·d outputs copy one depthwise map each; the next ones take differences (a − b)/2, "
        "then averages (a + b)/2, of pairs of maps (neighbours first), then other proportions of a pair. "
        "Every output's weights add up to 1 in absolute value. With two or more maps no two outputs are "
        "the same mix; with a single map they alternate between the map and its negative.",
        _mix,
    ),
    "identity": PresetSpec(
        "Identity",
        "Output n copies depthwise map n; when N is larger than M·d the maps repeat (n counted modulo M·d).",
        _identity_mix,
    ),
    "average": PresetSpec(
        "Average", "Every output is the mean of all depthwise maps, so all N outputs are the same.", _average
    ),
    "luminance": PresetSpec(
        "Luminance",
        "0.299 R + 0.587 G + 0.114 B (BT.601), each colour's weight shared equally by the maps made from "
        "that colour; every output is this same mix.",
        _luminance,
        _NO_COLOUR.format(what="there is no luminance to compute from R, G and B"),
    ),
    "opponent": PresetSpec(
        "Opponent colour",
        "Outputs cycle through intensity (R + G + B)/3, red − green and blue − yellow (yellow = "
        "(R + G)/2), each colour's weight shared equally by the maps made from it; outputs 3 apart are "
        "the same.",
        _opponent,
        _NO_COLOUR.format(what="there are no colour differences"),
    ),
    "random": PresetSpec(
        "Random (seeded)", "Normal random weights with standard deviation 1/√(M·d).", _random_mix
    ),
}
DEFAULT_POINTWISE = "mix"


def _spec(name: str) -> PresetSpec:
    spec = POINTWISE.get(name)
    if spec is None:
        raise ValueError(f"unknown pointwise preset {name!r}; choose one of {', '.join(POINTWISE)}")
    return spec


def describe(name: str, has_colour: bool = True) -> str:
    """The caption that is true for this preset on these maps (with or without R, G and B)."""
    spec = _spec(name)
    return spec.description if has_colour or spec.gray_description is None else spec.gray_description


def pointwise_weights(
    name: str,
    out_channels: int,
    in_channels: int,
    depth_multiplier: int = 1,
    *,
    seed: int = 0,
    colours: Colours | None = None,
) -> np.ndarray:
    """The named ``(N, M·d)`` float32 weight matrix, row n = output n.

    ``colours[m]`` is 0/1/2 for an input channel derived from R/G/B and None for one without colour
    (``dsviz.inputs.channel_colours``); None guesses from M (see ``map_colours``). ``ValueError`` for
    an unknown name or bad sizes.
    """
    spec = _spec(name)
    for label, value in (("N", out_channels), ("M", in_channels), ("d", depth_multiplier)):
        require_whole(label, value)
    maps = map_colours(in_channels, depth_multiplier, colours)
    return spec.build(out_channels, maps, seed).astype(np.float32)


def row_labels(
    name: str,
    out_channels: int,
    map_labels: Sequence[str],
    depth_multiplier: int = 1,
    *,
    colours: Colours | None = None,
) -> list[str]:
    """A short label per output, saying what ``pointwise_weights`` makes it: ``"(R·sobel-x − G·blur)/2"``.

    ``map_labels`` names the ``M·d`` depthwise maps; ``colours`` as for ``pointwise_weights``.
    """
    _spec(name)
    require_whole("N", out_channels)
    width = len(map_labels)
    if width == 0 or width % depth_multiplier:
        raise ValueError(f"{width} map labels cannot be M·d maps with d = {depth_multiplier}")
    maps = map_colours(width // depth_multiplier, depth_multiplier, colours)
    mean = "mean of all maps"
    if name == "mix":
        return [_mix_label(terms, map_labels) for terms in mix_terms(out_channels, width)]
    if name == "identity":
        return [map_labels[n % width] for n in range(out_channels)]
    if name == "random":
        return [f"random mix {n}" for n in range(out_channels)]
    if name in ("luminance", "opponent") and has_colour(maps):
        names = ("0.299 R + 0.587 G + 0.114 B",) if name == "luminance" else OPPONENT_NAMES
        return [names[n % len(names)] for n in range(out_channels)]
    return [mean] * out_channels
