"""dsviz.sweep: the runner with a fake clock (exact medians and quartiles, warm-up left out, interleaved
order, progress), its promise numbers against dsviz.cost, and one real tiny point (structure only)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from dsviz import cost, sweep


class FakeMachine:
    """Calls that take scripted milliseconds on a fake clock: ``durations[name]`` is consumed one value
    per call, the warm-up call first."""

    def __init__(self, durations: dict[str, list[float]]):
        self.now = 0.0
        self.durations = {name: iter(values) for name, values in durations.items()}
        self.order: list[str] = []

    def clock(self) -> float:
        return self.now

    def runs(self, point: sweep.Point) -> dict[str, Callable[[], object]]:
        def call(name: str) -> Callable[[], object]:
            def run() -> None:
                self.order.append(name)
                self.now += next(self.durations[name]) / 1e3  # ms → s

            return run

        return {name: call(name) for name in ("standard", "depthwise", "pointwise", "call")}


WARM_UP = 1000.0  # a slow first call: must not show in any median or quartile


def script(rounds: int, points: int = 1) -> dict[str, list[float]]:
    """Per point: a warm-up, then standard 1, 2, …; depthwise 0.5, 1.0, …; pointwise 0.1 each."""
    one = {
        "standard": [WARM_UP] + [float(i + 1) for i in range(rounds)],
        "depthwise": [WARM_UP] + [0.5 * (i + 1) for i in range(rounds)],
        "pointwise": [WARM_UP] + [0.1] * rounds,
        "call": [WARM_UP] + [0.01] * rounds,
    }
    return {name: values * points for name, values in one.items()}


def test_medians_and_quartiles_come_from_the_timed_rounds_only() -> None:
    fake = FakeMachine(script(5))
    point = sweep.Point(m=4, n=8, k=3, size=16)
    result = sweep.time_point(point, 5, clock=fake.clock, make_runs=fake.runs)
    t = result.timing
    assert t.standard.ms.median == pytest.approx(3.0)  # of 1, 2, 3, 4, 5 ms
    assert (t.standard.ms.q1, t.standard.ms.q3) == pytest.approx((2.0, 4.0))  # inclusive quartiles
    assert t.depthwise.ms.median == pytest.approx(1.5)
    assert t.pointwise.ms.median == pytest.approx(0.1)
    # separable = depthwise + pointwise, round by round: 0.6, 1.1, 1.6, 2.1, 2.6
    assert t.separable.ms.median == pytest.approx(1.6)
    assert (t.separable.ms.q1, t.separable.ms.q3) == pytest.approx((1.1, 2.1))
    assert t.call.median == pytest.approx(0.01)
    assert t.repeats == 5
    assert t.speedup == pytest.approx(3.0 / 1.6)
    assert t.speedup_range == pytest.approx((2.0 / 2.1, 4.0 / 1.1))


def test_rounds_are_interleaved_after_one_warm_up_each() -> None:
    fake = FakeMachine(script(2))
    sweep.time_point(sweep.Point(4, 8, 3, 16), 2, clock=fake.clock, make_runs=fake.runs)
    names = ["standard", "depthwise", "pointwise", "call"]
    assert fake.order == names * 3  # warm-up round, then 2 timed rounds in the same order


def test_gmacs_and_promise_use_the_exact_cost() -> None:
    fake = FakeMachine(script(3))
    point = sweep.Point(m=4, n=8, k=3, size=16, stride=2)
    t = sweep.time_point(point, 3, clock=fake.clock, make_runs=fake.runs).timing
    exact = cost.separable_cost(4, 8, 3, 16, 16, stride=2)
    assert t.standard.mult_adds == exact.standard.mult_adds == 9 * 4 * 8 * 8 * 8
    assert t.separable.mult_adds == exact.mult_adds == 9 * 4 * 64 + 4 * 8 * 64
    assert t.promised == pytest.approx(float(exact.reduction))  # standard MACs ÷ separable MACs
    assert t.promised == pytest.approx(1 / (1 / 8 + 1 / 9))  # d = 1: the usual closed form, exactly
    assert t.standard.gmacs == pytest.approx(exact.standard.mult_adds / 2.0 / 1e6)  # median 2 ms


def test_a_sweep_runs_every_point_in_order_and_reports_progress() -> None:
    plan = sweep.Plan(m=4, size=16, ns=(8, 32), ks=(3, 5), rounds=3)
    fake = FakeMachine(script(3, points=4))
    heard: list[tuple[float, str]] = []
    results = sweep.run(plan, lambda f, text: heard.append((f, text)), clock=fake.clock, make_runs=fake.runs)
    assert [(r.point.k, r.point.n) for r in results] == [(3, 8), (3, 32), (5, 8), (5, 32)]
    fractions = [f for f, _ in heard]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert "2 of 4" in heard[1][1]
    promised = [r.timing.promised for r in results]
    assert promised == pytest.approx(
        [float(cost.separable_cost(4, n, k, 16, 16).reduction) for k, n in [(3, 8), (3, 32), (5, 8), (5, 32)]]
    )
    low, high = sweep.extremes(results)
    assert (low.point.n, low.point.k) == (8, 3) and (high.point.n, high.point.k) == (32, 5)


def test_summary_has_every_field_of_the_cli_json() -> None:
    fake = FakeMachine(script(5))
    result = sweep.time_point(sweep.Point(4, 8, 3, 16), 5, clock=fake.clock, make_runs=fake.runs)
    row = sweep.summary(result)
    assert row["out_channels"] == 8 and row["kernel_size"] == 3 and row["repeats"] == 5
    assert set(row["stages"]) == {"standard", "depthwise", "pointwise", "separable"}
    assert row["stages"]["standard"]["iqr_ms"] == pytest.approx(2.0)
    assert row["speedup_low"] <= row["measured_speedup"] <= row["speedup_high"]


def test_plans_refuse_what_cannot_run() -> None:
    with pytest.raises(ValueError):
        sweep.Plan(m=4, size=16, rounds=0)
    with pytest.raises(ValueError):
        sweep.Plan(m=0, size=16)


def test_one_real_point_runs_through_torch() -> None:
    """Structure and finiteness only: never a timing value."""
    t = sweep.time_point(sweep.Point(m=2, n=4, k=3, size=16), 3).timing
    for stage in t.stages:
        assert stage.ms.runs == 3
        assert math.isfinite(stage.ms.median) and stage.ms.median > 0
        assert stage.ms.q1 <= stage.ms.median <= stage.ms.q3
        assert math.isfinite(stage.gmacs) and stage.gmacs > 0
