"""Measure, on this machine, what the multiply-add count promises: standard vs depthwise separable.

The separable block does several times fewer MACs, but it is rarely that much faster, and on small
layers it can be slower. Why differs from machine to machine and layer to layer, so nothing here is
asserted: every form is timed (interleaved rounds; median and interquartile range), turned into GMAC/s
and GB/s with the exact counts of :mod:`dsviz.cost`, placed on this machine's roofline
(:mod:`dsviz.roofline`), and :func:`explain` writes each clause of the explanation by comparing those
numbers.

Units: ms = milliseconds of wall-clock time per call (batch 1, float32); GMAC/s = 10⁹ multiply-
accumulates per second; GB/s = 10⁹ bytes per second, counting the input, weights and output of a stage
once each (:attr:`dsviz.cost.ConvCost.bytes_moved`, the least any implementation moves).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dsviz import cost, roofline
from dsviz.geometry import Padding

BUDGET_S = 1.0  # timed rounds stop once this much time is spent (after at least MIN_REPEATS rounds)
MIN_REPEATS = 5  # quartiles of fewer runs mean little
MAX_REPEATS = 25
PILOT_MACS = 200_000_000  # the first, untimed round runs on a crop of at most this many MACs
MIN_SIDE = 16  # a crop is never smaller than 16 × 16 px
NOISY = 0.5  # an interquartile range wider than half the median: the explanation says the runs vary
CALL_SHAPE = (1, 8, 8)  # a depthwise 3×3 on one 8×8 channel: almost nothing but the fixed cost of a call


# --------------------------------------------------------------------------- repeated runs


@dataclass(frozen=True)
class Spread:
    """Milliseconds of repeated runs of one thing: the median and the interquartile range (q1, q3)."""

    median: float
    q1: float
    q3: float
    runs: int

    @classmethod
    def of(cls, milliseconds: Sequence[float]) -> Spread:
        values = sorted(milliseconds)
        if not values:
            raise ValueError("a spread needs at least one run")
        if len(values) == 1:
            return cls(values[0], values[0], values[0], 1)
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return cls(median, q1, q3, len(values))

    def overlaps(self, other: Spread) -> bool:
        """Whether the middle halves of the two sets of runs share any time."""
        return self.q1 <= other.q3 and other.q1 <= self.q3


def interleaved_ms(
    runs: dict[str, Callable[[], object]],
    *,
    budget_s: float = BUDGET_S,
    min_repeats: int = MIN_REPEATS,
    max_repeats: int = MAX_REPEATS,
) -> dict[str, list[float]]:
    """Milliseconds of each call, timed in *interleaved* rounds (a, b, c, a, b, c, …) after one untimed
    warm-up each, so that a slow moment of the machine hits every form alike.

    At least ``min_repeats`` rounds; after that, no round starts that would take the timed total past
    ``budget_s`` seconds (a round is assumed to last as long as the previous one); at most
    ``max_repeats`` rounds.
    """
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    spent = 0.0
    for done in range(1, max_repeats + 1):
        round_s = 0.0
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            took = time.perf_counter() - start
            times[name].append(took * 1e3)
            round_s += took
        spent += round_s
        if done >= min_repeats and spent + round_s > budget_s:
            break
    return times


def median_ms(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median milliseconds of each run over exactly ``repeats`` interleaved rounds."""
    times = interleaved_ms(runs, budget_s=math.inf, min_repeats=repeats, max_repeats=repeats)
    return {name: statistics.median(values) for name, values in times.items()}


# --------------------------------------------------------------------------- one timed layer


@dataclass(frozen=True)
class Stage:
    """One form of the layer, timed: its milliseconds and what it computes and moves."""

    name: str
    ms: Spread
    mult_adds: int
    bytes_moved: int

    @property
    def gmacs(self) -> float:
        """GMAC/s at the median time."""
        return self.mult_adds / self.ms.median / 1e6  # MACs per ms ÷ 10⁶

    @property
    def gbs(self) -> float:
        """GB/s at the median time (input + weights + output bytes)."""
        return self.bytes_moved / self.ms.median / 1e6

    def place(self, machine: roofline.Machine) -> roofline.Placement:
        return roofline.place(machine, self.mult_adds, self.bytes_moved, self.ms.median)


@dataclass(frozen=True)
class Timing:
    """Standard vs separable on this machine.

    ``layer`` is the ``(M, H, W)`` input asked for; ``timed`` the input actually timed (a crop of it
    when one round of the whole layer would not fit the time budget; GMAC/s and GB/s carry over, ms do
    not). ``separable`` sums depthwise and pointwise round by round. ``call`` is the fixed cost of one
    call: a depthwise 3×3 on an 8×8 single-channel input.
    """

    layer: tuple[int, int, int]
    timed: tuple[int, int, int]
    kernel_size: int
    multiplier: int
    standard: Stage
    depthwise: Stage
    pointwise: Stage
    separable: Stage
    call: Spread

    @property
    def cropped(self) -> bool:
        return self.timed != self.layer

    @property
    def repeats(self) -> int:
        return self.standard.ms.runs

    @property
    def promised(self) -> float:
        """What the MAC count promises: standard MACs ÷ separable MACs (< 1: separable does more)."""
        return self.standard.mult_adds / self.separable.mult_adds

    @property
    def speedup(self) -> float:
        """Median standard time ÷ median separable time (> 1: separable is faster)."""
        return self.standard.ms.median / self.separable.ms.median

    @property
    def speedup_range(self) -> tuple[float, float]:
        """The speed-up from the worst and the best pairing of quartiles: (q1/q3', q3/q1')."""
        std, sep = self.standard.ms, self.separable.ms
        return std.q1 / sep.q3, std.q3 / sep.q1

    @property
    def too_close(self) -> bool:
        """The interquartile ranges of standard and separable overlap: no winner on this machine."""
        return self.standard.ms.overlaps(self.separable.ms)

    @property
    def stages(self) -> tuple[Stage, Stage, Stage, Stage]:
        return (self.standard, self.depthwise, self.pointwise, self.separable)


def from_samples(
    layer: tuple[int, int, int],
    timed: tuple[int, int, int],
    sep: cost.SeparableCost,
    samples: dict[str, Sequence[float]],
) -> Timing:
    """A :class:`Timing` from milliseconds per run (keys standard, depthwise, pointwise, call) and the
    exact cost of the *timed* input (MACs and bytes moved)."""
    dw, pw = samples["depthwise"], samples["pointwise"]
    both = [a + b for a, b in zip(dw, pw, strict=True)]  # separable, round by round

    def stage(name: str, ms: Sequence[float], layers: Sequence[cost.ConvCost]) -> Stage:
        macs = sum(c.mult_adds for c in layers)
        return Stage(name, Spread.of(ms), macs, sum(c.bytes_moved for c in layers))

    return Timing(
        layer=layer,
        timed=timed,
        kernel_size=sep.standard.kernel_size,
        multiplier=sep.multiplier,
        standard=stage("standard", samples["standard"], [sep.standard]),
        depthwise=stage("depthwise", dw, [sep.depthwise]),
        pointwise=stage("pointwise", pw, [sep.pointwise]),
        separable=stage("separable", both, [sep.depthwise, sep.pointwise]),
        call=Spread.of(samples["call"]),
    )


def crop_for(shape: tuple[int, int, int], pixels: float) -> tuple[int, int, int]:
    """``(M, H, W)`` scaled down, both sides alike, to about ``pixels`` pixels (never below
    ``MIN_SIDE`` px a side, never above the shape itself)."""
    m, h, w = shape
    scale = min(1.0, math.sqrt(max(pixels, 1.0) / (h * w)))
    return m, min(h, max(MIN_SIDE, round(h * scale))), min(w, max(MIN_SIDE, round(w * scale)))


def time_layer(
    shape: tuple[int, int, int],
    out_channels: int,
    kernel_size: int,
    *,
    multiplier: int = 1,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
    budget_s: float = BUDGET_S,
    min_repeats: int = MIN_REPEATS,
    max_repeats: int = MAX_REPEATS,
    seed: int = 0,
) -> Timing:
    """Time a standard M → N convolution, its depthwise and its pointwise stage on an ``(M, H, W)``
    input of this shape, and the fixed cost of a call.

    Input and weights are random (values do not change the speed); every form uses dsviz.ops, i.e. the
    same PyTorch/oneDNN kernels the app runs. Bounded in time: a first untimed round on a crop of at
    most ``PILOT_MACS`` MACs (the whole layer if it is smaller) estimates how many pixels fit
    ``min_repeats`` rounds in ``budget_s``; a larger layer is timed on a crop of that size, never
    smaller than the pilot (``Timing.timed``). Then interleaved rounds until the
    budget is spent. Total wall time ≈ pilot + warm-up + ``budget_s``.
    """
    m, h, w = shape
    geometry = {"multiplier": multiplier, "stride": stride, "padding": padding, "dilation": dilation}
    whole = cost.separable_cost(m, out_channels, kernel_size, h, w, **geometry)
    round_macs = whole.standard.mult_adds + whole.mult_adds
    rng = np.random.default_rng(seed)
    full = rng.standard_normal((out_channels, m, kernel_size, kernel_size), dtype=np.float32)  # (N,M,K,K)
    per_channel = rng.standard_normal((m * multiplier, kernel_size, kernel_size), dtype=np.float32)
    mix = rng.standard_normal((out_channels, m * multiplier), dtype=np.float32)  # (N, M·d)
    conv = {"stride": stride, "padding": padding, "dilation": dilation}
    from dsviz import ops  # torch, when a timing runs: the Playground imports this module long before

    def runs(size: tuple[int, int, int]) -> dict[str, Callable[[], object]]:
        x = rng.random(size, dtype=np.float32)  # (M, H', W')
        maps = ops.depthwise(x, per_channel, **conv)  # (M·d, H'_out, W'_out)
        one = np.ones(CALL_SHAPE, dtype=np.float32)
        tap = np.ones((1, 3, 3), dtype=np.float32)
        return {
            "standard": lambda: ops.standard(x, full, **conv),
            "depthwise": lambda: ops.depthwise(x, per_channel, **conv),
            "pointwise": lambda: ops.pointwise(maps, mix),
            "call": lambda: ops.depthwise(one, tap),
        }

    pilot = crop_for(shape, PILOT_MACS / round_macs * h * w)
    pilot_runs = runs(pilot)
    start = time.perf_counter()
    for run in pilot_runs.values():
        run()
    pilot_s = time.perf_counter() - start
    pilot_pixels = pilot[1] * pilot[2]
    # A layer of at most PILOT_MACS a round is never cropped: a round of it is short anyway, and on a
    # small layer the fixed cost of each call, not the pixels, sets the time.
    fits = budget_s / min_repeats / (pilot_s / pilot_pixels)
    timed = crop_for(shape, max(fits, pilot_pixels))
    samples = interleaved_ms(
        pilot_runs if timed == pilot else runs(timed),
        budget_s=budget_s,
        min_repeats=min_repeats,
        max_repeats=max_repeats,
    )
    sep = (
        whole if timed == shape else cost.separable_cost(m, out_channels, kernel_size, *timed[1:], **geometry)
    )
    return from_samples(shape, timed, sep, samples)


# --------------------------------------------------------------------------- words from numbers


def times(ratio: float) -> str:
    """``2.1×``, with enough digits that a ratio near 1 does not print as ``1.0×``."""
    return f"{ratio:.2f}×" if ratio < 1.95 else f"{ratio:.1f}×" if ratio < 20 else f"{ratio:.0f}×"


def num(value: float) -> str:
    """A rate or a time with two significant digits at least: 25, 2.1, 0.13, 0.0042."""
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}" if value >= 1 else f"{value:.2g}"


def percent(fraction: float) -> str:
    return f"{fraction:.0%}" if fraction >= 0.01 else f"{fraction:.1%}" if fraction >= 0.001 else "<0.1%"


def speed_words(speedup: float) -> str:
    """``2.1× faster`` / ``1.6× slower`` for a speed-up (standard time ÷ separable time)."""
    if speedup == 1:
        return "equally fast"
    return f"{times(speedup)} faster" if speedup > 1 else f"{times(1 / speedup)} slower"


def mac_words(promised: float, unit: str = "MACs") -> str:
    """``4.2× fewer MACs`` / ``2.2× more MACs`` / ``the same number of MACs`` for standard ÷ separable."""
    if promised == 1:
        return f"the same number of {unit}"
    return f"{times(promised)} fewer {unit}" if promised > 1 else f"{times(1 / promised)} more {unit}"


def verdict(t: Timing) -> str:
    """Who won on this machine, with the range the quartiles allow, or that nobody did."""
    lo, hi = t.speedup_range
    if t.too_close:
        return (
            f"too close to call on this machine (median {speed_words(t.speedup)}, but the quartiles "
            f"allow {times(lo)} to {times(hi)})"
        )
    if t.speedup > 1:
        return f"{speed_words(t.speedup)} ({times(lo)} to {times(hi)} from the quartiles)"
    return f"{speed_words(t.speedup)} ({times(1 / hi)} to {times(1 / lo)} slower from the quartiles)"


def keeps_promise(t: Timing) -> bool:
    """The promised speed-up lies within the measured range (worst to best pairing of quartiles)."""
    lo, hi = t.speedup_range
    return lo <= t.promised <= hi


NAMES = {"standard": "the standard convolution", "separable": "the separable block"}
REASONS = {
    "depthwise": "each output is a sum of {k2} products from a single channel: no sum over channels to "
    "vectorise",
    "pointwise": "a 1×1 convolution: each output is a sum of {c} products, one per channel",
    "standard": "its implementation reaches only part of the matrix-product rate on this layer",
    "separable": "two kernels, each with its own inefficiencies",
}


def _name(stage: Stage) -> str:
    return NAMES.get(stage.name, f"the {stage.name} stage")


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def limit(stage: Stage, machine: roofline.Machine, kernel_size: int, channels: int) -> str:
    """What limits one stage, decided by comparing its measured rates with this machine's two roofs.

    ``channels`` is the number of maps the pointwise stage mixes (M·d)."""
    spot = stage.place(machine)
    peak, bandwidth = machine.peak_gmacs, machine.bandwidth_gbs
    rate = f"{_name(stage)} runs at {num(stage.gmacs)} GMAC/s"
    moving = f"{num(stage.gbs)} GB/s of the {num(bandwidth)} GB/s a copy reaches"
    if stage.gbs >= 0.5 * bandwidth:
        return _first_upper(f"{rate} while moving {moving}: it is limited by memory bandwidth.")
    if stage.gmacs >= 0.5 * peak:
        return _first_upper(
            f"{rate}, close to this machine's dense rate of {num(peak)} GMAC/s (a large matrix product): "
            "it is limited by arithmetic."
        )
    why = REASONS[stage.name].format(k2=kernel_size**2, c=channels)
    side = "below" if spot.memory_bound else "at or above"
    roof = "on the bandwidth slope" if spot.memory_bound else "under the arithmetic roof"
    return _first_upper(
        f"{rate} here, {times(peak / stage.gmacs)} below this machine's dense rate of {num(peak)} GMAC/s, "
        f"while moving only {moving}: it is limited by the convolution kernel's efficiency ({why}), not by "
        f"memory bandwidth. On the roofline ({num(spot.intensity)} MACs per byte, {side} this machine's "
        f"balance point of {num(machine.balance)}, so {roof}) it could reach {num(spot.attainable_gmacs)} "
        f"GMAC/s; it reaches {percent(spot.fraction)} of that."
    )


def _versus(speedup: float) -> str:
    if speedup == 1:
        return "as fast as"
    return f"{speed_words(speedup)} than"


def outcome(t: Timing) -> str:
    """The measured speed-up against the MAC count's promise, in one sentence."""
    lo, hi = t.speedup_range
    predicts = f"its {mac_words(t.promised)} predict {speed_words(t.promised)}"
    if t.too_close:
        std, sep = t.standard.ms, t.separable.ms
        return (
            f"Standard and separable are too close to call on this machine: the middle halves of "
            f"{t.repeats} runs overlap (standard {std.q1:.2f}–{std.q3:.2f} ms, separable "
            f"{sep.q1:.2f}–{sep.q3:.2f} ms), where {predicts}."
        )
    measured = (
        f"The separable block is measured {_versus(t.speedup)} the standard convolution, where {predicts}"
    )
    if keeps_promise(t):
        return f"{measured}: it keeps that promise (within the quartiles, {times(lo)} to {times(hi)})."
    if lo > t.promised:
        return f"{measured}: it does better than the MAC count predicts."
    return f"{measured}: it falls short of what the MAC count predicts."


def explain(t: Timing, machine: roofline.Machine) -> str:
    """Why the measured speed-up is what it is, every clause chosen by comparing the measured numbers
    (stage rates, this machine's roofs, the fixed cost of a call) — nothing asserted unconditionally."""
    sentences = [outcome(t)]
    std_rate, sep_rate = t.standard.gmacs, t.separable.gmacs
    per_mac = (
        f"Per MAC, the separable block runs at {num(sep_rate)} GMAC/s and the standard convolution at "
        f"{num(std_rate)} GMAC/s"
    )
    channels = t.timed[0] * t.multiplier
    if sep_rate > std_rate * 1.1:
        sentences.append(f"{per_mac}: the standard convolution is the less efficient one here.")
        sentences.append(limit(t.standard, machine, t.kernel_size, channels))
    elif sep_rate < std_rate / 1.1:
        slowest = max((t.depthwise, t.pointwise), key=lambda s: s.ms.median)
        share = slowest.ms.median / t.separable.ms.median
        sentences.append(f"{per_mac}; {slowest.name} takes {percent(share)} of the separable time.")
        sentences.append(limit(slowest, machine, t.kernel_size, channels))
    else:
        sentences.append(f"{per_mac}: about the same rate, so the time follows the MAC count.")
    fixed = 2 * t.call.median / t.separable.ms.median  # the separable block makes two calls
    if fixed >= 0.1:
        sentences.append(
            f"Each call also costs about {num(t.call.median)} ms before any arithmetic (measured on an 8×8 "
            f"input); the separable block makes two calls to the standard's one, so at this size that "
            f"fixed cost is {percent(min(fixed, 1))} of its time."
        )
    widest = max(t.stages[:3], key=lambda s: (s.ms.q3 - s.ms.q1) / s.ms.median)
    if (widest.ms.q3 - widest.ms.q1) / widest.ms.median > NOISY:
        sentences.append(
            f"The runs vary widely (the middle half of the {widest.name} runs spans "
            f"{widest.ms.q1:.2f}–{widest.ms.q3:.2f} ms around a median of {widest.ms.median:.2f} ms), so "
            "these rates are rough: timing again may give other numbers."
        )
    if t.cropped:
        sentences.append(
            f"Timed on a {t.timed[1]}×{t.timed[2]} crop of the {t.layer[1]}×{t.layer[2]} input so that "
            "the measurement stays short; rates (GMAC/s, GB/s) carry over, milliseconds do not."
        )
    return " ".join(sentences)
