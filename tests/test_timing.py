"""dsviz.timing: the median is taken over the timed calls only, and both forms of the layer run."""

import pytest

from dsviz import timing


def test_median_ms_interleaves_skips_the_warm_up_and_takes_medians(monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    # timed calls, interleaved a, b, a, b, a, b: a takes 10, 30, 20 ms; b takes 1, 2, 3 ms
    starts_and_ends = [0.0, 0.010, 1.0, 1.001, 2.0, 2.030, 3.0, 3.002, 4.0, 4.020, 5.0, 5.003]
    clock = iter(starts_and_ends)
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(clock))
    medians = timing.median_ms({"a": lambda: order.append("a"), "b": lambda: order.append("b")}, repeats=3)
    assert medians == pytest.approx({"a": 20.0, "b": 2.0})
    assert order == ["a", "b"] + ["a", "b"] * 3  # one untimed warm-up each, then interleaved


def test_time_layer_runs_every_form_and_relates_them() -> None:
    result = timing.time_layer((3, 40, 30), 5, 3, multiplier=2, stride=2, dilation=2, repeats=2)
    assert min(result.standard_ms, result.depthwise_ms, result.pointwise_ms) > 0
    assert result.separable_ms == pytest.approx(result.depthwise_ms + result.pointwise_ms)
    assert result.speedup == pytest.approx(result.standard_ms / result.separable_ms)


def test_time_layer_refuses_what_the_ops_refuse() -> None:
    with pytest.raises(ValueError, match="kernel size"):
        timing.time_layer((3, 8, 8), 4, 4)
