"""dsviz.timing: the median is taken over the timed calls only, and both forms of the layer run."""

import numpy as np
import pytest

from dsviz import timing


def test_median_ms_skips_the_warm_up_and_takes_the_median(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    clock = iter([0.0, 0.010, 1.0, 1.030, 2.0, 2.020])  # timed calls of 10, 30 and 20 ms
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(clock))
    assert timing.median_ms(lambda: calls.append(1), repeats=3) == pytest.approx(20.0)
    assert len(calls) == 4  # one warm-up call, untimed, then three timed ones


def test_time_layer_runs_every_form_and_relates_them() -> None:
    x = np.random.default_rng(1).random((3, 40, 30), dtype=np.float32)
    result = timing.time_layer(x, 5, 3, multiplier=2, stride=2, dilation=2, repeats=2)
    assert min(result.standard_ms, result.depthwise_ms, result.pointwise_ms) > 0
    assert result.separable_ms == pytest.approx(result.depthwise_ms + result.pointwise_ms)
    assert result.speedup == pytest.approx(result.standard_ms / result.separable_ms)


def test_time_layer_refuses_what_the_ops_refuse() -> None:
    with pytest.raises(ValueError, match="kernel size"):
        timing.time_layer(np.ones((3, 8, 8), np.float32), 4, 4)
