"""A small timing sweep: standard vs depthwise vs pointwise vs the whole block over a grid of layers.

Each point of the grid is one layer, ``M → N`` channels with a ``K×K`` kernel on an ``S×S`` input
(batch 1, float32, 'same' padding). Its four calls — the standard convolution, the depthwise stage,
the pointwise stage and a tiny call that is almost nothing but the fixed cost of a call — are timed in
*interleaved* rounds after one untimed warm-up each, as :func:`dsviz.timing.interleaved_ms` does, but
with a fixed number of rounds (so that the whole sweep's time is known in advance) and an injectable
clock and workload (so that a test can check the medians and quartiles with a fake clock, no torch).
Each point becomes a :class:`dsviz.timing.Timing`: medians, IQR, GMAC/s, and the MAC count's promise.

Nothing here draws or caches; ``progress(fraction, text)`` is told what runs next. The sentences at the
end are written from the results, every clause chosen by comparing numbers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dsviz import cost, roofline, timing
from dsviz.roofline import Progress
from dsviz.words import count

Runs = dict[str, Callable[[], object]]  # name → one call (standard, depthwise, pointwise, call)
Clock = Callable[[], float]  # seconds, monotonic
ROUNDS = 7  # timed rounds per point: enough for quartiles, few enough for a ~10 s sweep
NS = (8, 32, 128)
KS = (3, 5, 7)
SEED = 0


@dataclass(frozen=True)
class Point:
    """One layer of the sweep: ``(M, S, S)`` input, ``N`` outputs, ``K×K`` kernel, stride ``s``."""

    m: int
    n: int
    k: int
    size: int
    stride: int = 1

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.m, self.size, self.size)  # (M, H, W)

    def cost(self) -> cost.SeparableCost:
        """Exact MACs and bytes of all three forms (no bias: none is timed)."""
        return cost.separable_cost(self.m, self.n, self.k, self.size, self.size, stride=self.stride)


@dataclass(frozen=True)
class Plan:
    """The sweep's plain settings (also its cache key): one M, one size and stride, N × K grid."""

    m: int
    size: int
    stride: int = 1
    ns: tuple[int, ...] = NS
    ks: tuple[int, ...] = KS
    rounds: int = ROUNDS

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise ValueError(f"a sweep needs at least one round, not {self.rounds}")
        for point in self.points():
            point.cost()  # raises ValueError for sizes that give no output

    def points(self) -> list[Point]:
        """K outer, N inner: the table reads as one block of rows per kernel size."""
        return [Point(self.m, n, k, self.size, self.stride) for k in self.ks for n in self.ns]


def layer_runs(point: Point, seed: int = SEED) -> Runs:
    """The four calls of one point through dsviz.ops (the kernels the app runs), on random numbers
    (values do not change the speed). Arrays are made here, once: the calls time arithmetic only."""
    from dsviz import ops  # torch loads with the first sweep, not with this module

    rng = np.random.default_rng(seed)
    m, n, k = point.m, point.n, point.k
    x = rng.random(point.shape, dtype=np.float32)  # (M, S, S)
    full = rng.standard_normal((n, m, k, k), dtype=np.float32)  # (N, M, K, K)
    per_channel = rng.standard_normal((m, k, k), dtype=np.float32)  # (M, K, K), d = 1
    mix = rng.standard_normal((n, m), dtype=np.float32)  # (N, M)
    geometry = {"stride": point.stride}
    maps = ops.depthwise(x, per_channel, **geometry)  # (M, S', S'): the pointwise stage's input
    one = np.ones(timing.CALL_SHAPE, dtype=np.float32)  # (1, 8, 8)
    tap = np.ones((1, 3, 3), dtype=np.float32)
    return {
        "standard": lambda: ops.standard(x, full, **geometry),
        "depthwise": lambda: ops.depthwise(x, per_channel, **geometry),
        "pointwise": lambda: ops.pointwise(maps, mix),
        "call": lambda: ops.depthwise(one, tap),
    }


def timed_rounds(runs: Runs, rounds: int, clock: Clock = time.perf_counter) -> dict[str, list[float]]:
    """Milliseconds of each call over exactly ``rounds`` interleaved rounds (a, b, c, a, b, c, …),
    after one untimed warm-up call each: a slow moment of the machine hits every form alike."""
    for run in runs.values():
        run()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = clock()
            run()
            samples[name].append((clock() - start) * 1e3)
    return samples


@dataclass(frozen=True)
class Result:
    """One point and its timing (``timing.Timing`` does not keep N; the point does)."""

    point: Point
    timing: timing.Timing


def time_point(
    point: Point,
    rounds: int = ROUNDS,
    *,
    clock: Clock = time.perf_counter,
    make_runs: Callable[[Point], Runs] = layer_runs,
) -> Result:
    """One point, timed whole (never cropped): medians, IQR and rates in a :class:`dsviz.timing.Timing`."""
    samples = timed_rounds(make_runs(point), rounds, clock)
    return Result(point, timing.from_samples(point.shape, point.shape, point.cost(), samples))


def run(
    plan: Plan,
    progress: Progress | None = None,
    *,
    clock: Clock = time.perf_counter,
    make_runs: Callable[[Point], Runs] = layer_runs,
) -> tuple[Result, ...]:
    """Every point of ``plan``, in :meth:`Plan.points` order; ``progress`` hears before each point."""
    report = progress or (lambda fraction, text: None)
    points = plan.points()
    results = []
    for done, point in enumerate(points):
        report(done / len(points), f"Timing {describe(point)} ({done + 1} of {len(points)})…")
        results.append(time_point(point, plan.rounds, clock=clock, make_runs=make_runs))
    report(1.0, "Sweep done")
    return tuple(results)


def describe(point: Point) -> str:
    stride = f", stride {point.stride}" if point.stride > 1 else ""
    return f"M = {point.m} → N = {point.n}, K = {point.k}, {point.size}×{point.size} px{stride}"


# --------------------------------------------------------------------------- what a sweep shows


def stage_row(stage: timing.Stage) -> dict[str, float]:
    """One stage's numbers: median and quartiles in ms, GMAC/s at the median, MACs and bytes moved."""
    return {
        "median_ms": stage.ms.median,
        "q1_ms": stage.ms.q1,
        "q3_ms": stage.ms.q3,
        "iqr_ms": stage.ms.q3 - stage.ms.q1,
        "gmacs": stage.gmacs,
        "mult_adds": stage.mult_adds,
        "bytes_moved": stage.bytes_moved,
    }


def summary(result: Result) -> dict[str, object]:
    """One timed layer as plain values (the CLI's JSON, the page's table)."""
    p, t = result.point, result.timing
    lo, hi = t.speedup_range
    return {
        "in_channels": p.m,
        "out_channels": p.n,
        "kernel_size": p.k,
        "size": p.size,
        "stride": p.stride,
        "repeats": t.repeats,
        "promised_speedup": t.promised,
        "measured_speedup": t.speedup,
        "speedup_low": lo,
        "speedup_high": hi,
        "too_close": t.too_close,
        "call_ms": t.call.median,
        "stages": {s.name: stage_row(s) for s in t.stages},
    }


def extremes(results: tuple[Result, ...]) -> list[Result]:
    """The layers with the smallest and the largest promise (one when they are the same layer)."""
    low = min(results, key=lambda r: r.timing.promised)
    high = max(results, key=lambda r: r.timing.promised)
    return [low] if high is low else [low, high]


def promise_words(plan: Plan) -> str:
    """Before anything is measured: what the MAC counts of the sweep promise."""
    promised = [float(p.cost().reduction) for p in plan.points()]
    return (
        f"The MAC counts of these {count(len(promised), 'layer')} promise speed-ups from "
        f"{timing.times(min(promised))} to {timing.times(max(promised))}."
    )


def sweep_words(results: tuple[Result, ...]) -> str:
    """How the measurements compare with the promise, counted from the results."""
    ts = [r.timing for r in results]
    faster = sum(1 for t in ts if not t.too_close and t.speedup > 1)
    slower = sum(1 for t in ts if not t.too_close and t.speedup < 1)
    close = len(ts) - faster - slower
    kept = sum(1 for t in ts if timing.keeps_promise(t))
    short = sum(1 for t in ts if t.speedup_range[1] < t.promised)
    parts = [
        f"Of {count(len(ts), 'layer')}, the separable block was faster in {faster}, slower in {slower}, and "
        f"too close to call (overlapping quartiles) in {close}.",
        f"Measured speed-ups run from {timing.times(min(t.speedup for t in ts))} to "
        f"{timing.times(max(t.speedup for t in ts))}, where the MAC counts promise "
        f"{timing.times(min(t.promised for t in ts))} to {timing.times(max(t.promised for t in ts))}.",
        f"{count(kept, 'layer')} kept the promise within the quartiles; {short} fell short of it.",
    ]
    return " ".join(parts)


def above_roof_words(results: tuple[Result, ...], machine: roofline.Machine) -> str:
    """Said only when some measured stage beats its roof: then the roof was measured at a busier
    moment than that stage (this server is shared), and the text must not read it as a hard limit."""
    over = [
        (r, name)
        for r in results
        for name in ("standard", "depthwise", "pointwise")
        if getattr(r.timing, name).place(machine).fraction > 1
    ]
    if not over:
        return ""
    return (
        f"{count(len(over), 'dot')} {'lies' if len(over) == 1 else 'lie'} above the line: measured faster "
        "than this machine's roof allows. The roof was measured once, at another moment, and this server "
        "is shared, so the roof here is approximate, not a hard limit."
    )
