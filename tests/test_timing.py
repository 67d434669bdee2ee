"""dsviz.timing: interleaved runs with medians and quartiles, rates from the exact counts, a bounded run,
and words that follow the measured numbers (synthetic measurements cover every branch)."""

import time
from collections.abc import Sequence

import pytest

from dsviz import cost, roofline, timing

# --------------------------------------------------------------------------- repeated runs


def test_interleaved_ms_interleaves_skips_the_warm_up_and_keeps_every_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order: list[str] = []
    # timed calls, interleaved a, b, a, b, a, b: a takes 10, 30, 20 ms; b takes 1, 2, 3 ms
    starts_and_ends = [0.0, 0.010, 1.0, 1.001, 2.0, 2.030, 3.0, 3.002, 4.0, 4.020, 5.0, 5.003]
    clock = iter(starts_and_ends)
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(clock))
    runs = {"a": lambda: order.append("a"), "b": lambda: order.append("b")}
    times = timing.interleaved_ms(runs, budget_s=60, min_repeats=3, max_repeats=3)
    assert times["a"] == pytest.approx([10.0, 30.0, 20.0]) and times["b"] == pytest.approx([1.0, 2.0, 3.0])
    assert order == ["a", "b"] + ["a", "b"] * 3  # one untimed warm-up each, then interleaved


def test_median_ms_takes_medians_of_exactly_that_many_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 0.010, 1.0, 1.030, 2.0, 2.020])
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(clock))
    assert timing.median_ms({"a": lambda: None}, repeats=3) == pytest.approx({"a": 20.0})


def test_interleaved_ms_stops_at_the_budget_but_not_before_the_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [0.0]

    def tick() -> float:  # every call to the clock advances 50 ms: each timed call takes 50 ms
        now[0] += 0.05
        return now[0]

    monkeypatch.setattr(timing.time, "perf_counter", tick)
    tight = timing.interleaved_ms({"a": lambda: None}, budget_s=0.01, min_repeats=4, max_repeats=50)
    assert len(tight["a"]) == 4  # over budget from the first round, but quartiles need a few runs
    roomy = timing.interleaved_ms({"a": lambda: None}, budget_s=0.5, min_repeats=2, max_repeats=50)
    assert len(roomy["a"]) == 9  # 9 × 50 ms spent; a 10th round would pass 0.5 s
    capped = timing.interleaved_ms({"a": lambda: None}, budget_s=100, min_repeats=2, max_repeats=6)
    assert len(capped["a"]) == 6


def test_spread_is_the_median_and_the_quartiles() -> None:
    spread = timing.Spread.of([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (spread.q1, spread.median, spread.q3, spread.runs) == (2.0, 3.0, 4.0, 5)
    assert timing.Spread.of([2.0]) == timing.Spread(2.0, 2.0, 2.0, 1)
    assert spread.overlaps(timing.Spread(4.5, 3.9, 5.0, 5)) and not spread.overlaps(
        timing.Spread(5, 4.1, 6, 5)
    )
    with pytest.raises(ValueError):
        timing.Spread.of([])


# --------------------------------------------------------------------------- synthetic measurements

LAYER = (3, 256, 256)
SEP = cost.separable_cost(3, 8, 3, 256, 256)  # the app's default layer: 4.2× fewer MACs
MACHINE = roofline.Machine(peak_gmacs=25.0, bandwidth_gbs=12.0)  # balance point ~2.1 MACs per byte


def runs(median: float, spread: float = 0.02) -> list[float]:
    """Three runs whose quartiles are median·(1 ± spread/2)."""
    return [median * (1 - spread), median, median * (1 + spread)]


def fake(
    standard: float,
    depthwise: float,
    pointwise: float,
    *,
    call: float = 0.01,
    spread: float = 0.02,
    sep: cost.SeparableCost = SEP,
    timed: tuple[int, int, int] = LAYER,
) -> timing.Timing:
    samples: dict[str, Sequence[float]] = {
        "standard": runs(standard, spread),
        "depthwise": runs(depthwise, spread),
        "pointwise": runs(pointwise, spread),
        "call": runs(call),
    }
    return timing.from_samples(LAYER, timed, sep, samples)


def test_rates_come_from_the_exact_counts() -> None:
    t = fake(0.9, 0.885, 0.4)
    assert t.depthwise.gmacs == pytest.approx(SEP.depthwise.mult_adds / 0.885e-3 / 1e9)
    assert t.depthwise.gbs == pytest.approx(SEP.depthwise.bytes_moved / 0.885e-3 / 1e9)
    assert t.separable.ms.median == pytest.approx(0.885 + 0.4)  # summed round by round
    assert t.separable.mult_adds == SEP.mult_adds
    assert t.separable.bytes_moved == SEP.depthwise.bytes_moved + SEP.pointwise.bytes_moved
    assert t.promised == pytest.approx(float(SEP.reduction))
    spot = t.depthwise.place(MACHINE)
    assert spot.measured_gmacs == pytest.approx(t.depthwise.gmacs)


def test_speedup_range_pairs_the_quartiles_worst_and_best() -> None:
    t = fake(2.0, 0.5, 0.5, spread=0.2)  # standard runs 1.6, 2, 2.4 ms; separable 0.8, 1, 1.2 ms
    lo, hi = t.speedup_range
    assert lo == pytest.approx(1.8 / 1.1) and hi == pytest.approx(2.2 / 0.9)
    assert t.speedup == pytest.approx(2.0) and not t.too_close


def test_overlapping_quartiles_are_too_close_to_call() -> None:
    t = fake(1.0, 0.5, 0.45, spread=0.3)
    assert t.too_close
    assert timing.verdict(t).startswith("too close to call on this machine")
    assert "too close to call on this machine" in timing.explain(t, MACHINE)
    apart = fake(1.0, 0.3, 0.2)
    assert not apart.too_close and timing.verdict(apart).startswith("2.0× faster")


def test_verdict_says_slower_when_it_is() -> None:
    t = fake(0.9, 0.885, 0.4)
    assert timing.verdict(t).startswith("1.43× slower") and "faster" not in timing.verdict(t)


def test_depthwise_far_below_bandwidth_is_not_called_memory_bound() -> None:
    # depthwise at ~2 GMAC/s moving ~1.8 GB/s of 12: the kernel, not memory, sets the time
    text = timing.explain(fake(0.9, 0.885, 0.4), MACHINE)
    assert "1.43× slower than the standard convolution" in text and "4.2× fewer MACs" in text
    assert "limited by the convolution kernel's efficiency" in text and "not by memory bandwidth" in text
    assert "The depthwise stage runs at 2.0 GMAC/s here, 12.5× below this machine's dense rate of 25" in text
    assert "1.8 GB/s of the 12 GB/s a copy reaches" in text
    assert "below this machine's balance point of 2.1" in text  # roofline: on the bandwidth slope
    assert "limited by memory bandwidth" not in text and "memory-bound" not in text
    assert "waits on memory" not in text and "keeps" not in text


def test_depthwise_near_bandwidth_is_limited_by_memory() -> None:
    narrow = roofline.Machine(peak_gmacs=25.0, bandwidth_gbs=3.0)
    text = timing.explain(fake(0.9, 0.885, 0.4), narrow)
    assert "limited by memory bandwidth" in text and "kernel's efficiency" not in text


def test_a_stage_near_the_dense_rate_is_limited_by_arithmetic() -> None:
    slow_cpu = roofline.Machine(peak_gmacs=3.0, bandwidth_gbs=12.0)
    text = timing.explain(fake(0.9, 0.885, 0.4), slow_cpu)
    assert "limited by arithmetic" in text and "memory" not in text.split("Per MAC")[1]


def test_above_the_balance_point_the_roofline_clause_says_so() -> None:
    wide = roofline.Machine(peak_gmacs=25.0, bandwidth_gbs=100.0)  # balance 0.25 MACs per byte
    text = timing.explain(fake(0.9, 0.885, 0.4), wide)
    assert "at or above this machine's balance point of 0.25, so under the arithmetic roof" in text


def test_the_promise_is_kept_only_within_the_quartiles() -> None:
    promised = float(SEP.reduction)  # 4.24
    sep_ms = 0.5
    kept = fake(promised * sep_ms, 0.25, 0.25)
    assert timing.keeps_promise(kept) and "keeps that promise" in timing.explain(kept, MACHINE)
    short = fake(0.8 * promised * sep_ms, 0.25, 0.25)  # 20% short, quartiles ±1%
    assert not timing.keeps_promise(short)
    text = timing.explain(short, MACHINE)
    assert "keeps" not in text and "falls short of what the MAC count predicts" in text
    assert "3.4× faster than the standard convolution" in text


def test_faster_than_promised_says_so_and_blames_the_standard_convolution() -> None:
    text = timing.explain(fake(4.0, 0.25, 0.25), MACHINE)  # 8× faster for 4.2× fewer MACs
    assert "8.0× faster" in text and "does better than the MAC count predicts" in text
    assert "the standard convolution is the less efficient one here" in text
    assert "The standard convolution runs at" in text


def test_more_macs_are_said_to_be_more() -> None:
    more = cost.separable_cost(3, 1, 3, 256, 256, multiplier=2)  # N = 1, d = 2: 2.2× more MACs
    t = fake(0.7, 0.7, 0.45, sep=more)
    text = timing.explain(t, MACHINE)
    assert "2.2× more MACs predict 2.2× slower" in text
    assert "fewer" not in text


def test_the_fixed_cost_of_a_call_is_mentioned_only_when_it_matters() -> None:
    assert "before any arithmetic" not in timing.explain(fake(0.9, 0.885, 0.4, call=0.01), MACHINE)
    text = timing.explain(fake(0.9, 0.885, 0.4, call=0.13), MACHINE)
    assert "about 0.13 ms before any arithmetic" in text and "20% of its time" in text


def test_widely_varying_runs_are_called_rough() -> None:
    assert "vary widely" not in timing.explain(fake(0.9, 0.885, 0.4, spread=0.2), MACHINE)
    text = timing.explain(fake(0.9, 0.885, 0.4, spread=0.6), MACHINE)
    assert "The runs vary widely (the middle half of the standard runs spans 0.63–1.17 ms" in text


def test_a_crop_is_said_to_be_a_crop() -> None:
    assert "crop" not in timing.explain(fake(0.9, 0.885, 0.4), MACHINE)
    small = cost.separable_cost(3, 8, 3, 64, 64)
    t = fake(0.09, 0.05, 0.03, sep=small, timed=(3, 64, 64))
    assert t.cropped and "Timed on a 64×64 crop of the 256×256 input" in timing.explain(t, MACHINE)


def test_words_for_ratios() -> None:
    assert timing.speed_words(2.14) == "2.1× faster" and timing.speed_words(1 / 1.6) == "1.60× slower"
    assert timing.speed_words(1.0) == "equally fast"
    assert timing.mac_words(4.24) == "4.2× fewer MACs" and timing.mac_words(1 / 2.2) == "2.2× more MACs"
    assert timing.mac_words(1.0, "FLOPs") == "the same number of FLOPs"
    assert timing.num(25.3) == "25" and timing.num(2.14) == "2.1" and timing.num(0.134) == "0.13"


# --------------------------------------------------------------------------- real runs


def test_time_layer_runs_every_form_and_relates_them() -> None:
    t = timing.time_layer((3, 40, 30), 5, 3, multiplier=2, stride=2, dilation=2, budget_s=0.2)
    assert min(s.ms.q1 for s in t.stages) > 0 and t.call.median > 0
    assert all(s.ms.q1 <= s.ms.median <= s.ms.q3 for s in t.stages)
    assert t.repeats >= timing.MIN_REPEATS and not t.cropped
    assert t.speedup == pytest.approx(t.standard.ms.median / t.separable.ms.median)
    exact = cost.separable_cost(3, 5, 3, 40, 30, multiplier=2, stride=2, dilation=2)
    assert t.standard.mult_adds == exact.standard.mult_adds and t.separable.mult_adds == exact.mult_adds


def test_valid_padding_is_timed_as_counted() -> None:
    t = timing.time_layer((3, 40, 30), 4, 5, padding="valid", budget_s=0.1)
    assert t.standard.mult_adds == cost.conv_cost(3, 4, 5, 40, 30, padding="valid").mult_adds


def test_a_huge_layer_is_timed_on_a_crop_within_the_budget() -> None:
    start = time.perf_counter()
    t = timing.time_layer((24, 1024, 1024), 64, 11, multiplier=4, budget_s=0.3)  # ~10⁹ MACs a call
    assert time.perf_counter() - start < 5  # the whole layer would take seconds per call
    assert t.cropped and t.timed[0] == 24 and t.timed[1] == t.timed[2] < 1024
    assert t.standard.mult_adds == cost.conv_cost(24, 64, 11, t.timed[1], t.timed[2]).mult_adds


def test_crop_keeps_the_aspect_and_the_limits() -> None:
    assert timing.crop_for((3, 200, 100), 5000) == (3, 100, 50)
    assert timing.crop_for((3, 200, 100), 1e9) == (3, 200, 100)
    assert timing.crop_for((3, 200, 100), 1) == (3, 16, 16)
    assert timing.crop_for((3, 8, 100), 1) == (3, 8, 16)


def test_time_layer_refuses_what_the_ops_refuse() -> None:
    with pytest.raises(ValueError, match="kernel size"):
        timing.time_layer((3, 8, 8), 4, 4)
