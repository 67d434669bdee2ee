"""dsviz.roofline: the two roofs are measured, and "memory-bound" is decided by the balance point."""

import pytest

from dsviz import cost, roofline


def test_balance_point_is_where_the_roofs_meet() -> None:
    machine = roofline.Machine(peak_gmacs=24.0, bandwidth_gbs=12.0)
    assert machine.balance == pytest.approx(2.0)  # MACs per byte
    on_slope = roofline.place(machine, 1_000_000, 1_000_000, 1.0)  # 1 MAC per byte
    assert on_slope.attainable_gmacs == pytest.approx(12.0)  # 1 MAC/byte × 12 GB/s
    under_roof = roofline.place(machine, 8_000_000, 1_000_000, 1.0)  # 8 MACs per byte
    assert under_roof.attainable_gmacs == pytest.approx(24.0)  # capped by the peak


def test_place_measures_rates_and_the_fraction_of_the_roof() -> None:
    machine = roofline.Machine(peak_gmacs=25.0, bandwidth_gbs=30.0)
    spot = roofline.place(machine, mult_adds=2_000_000, bytes_moved=1_000_000, milliseconds=1.0)
    assert spot.intensity == pytest.approx(2.0)
    assert spot.measured_gmacs == pytest.approx(2.0)  # 2·10⁶ MACs in 1 ms
    assert spot.measured_gbs == pytest.approx(1.0)
    assert spot.attainable_gmacs == pytest.approx(25.0)  # min(25, 2 × 30)
    assert spot.fraction == pytest.approx(2.0 / 25.0)


def test_memory_bound_is_relative_to_the_machine_not_to_the_intensity_alone() -> None:
    depthwise = cost.depthwise_cost(3, 3, 256, 256)  # ~1.1 MACs per byte
    intensity = float(depthwise.arithmetic_intensity)
    bytes_ = depthwise.bytes_moved
    low_balance = roofline.Machine(peak_gmacs=10.0, bandwidth_gbs=20.0)  # balance 0.5 MACs/byte
    high_balance = roofline.Machine(peak_gmacs=60.0, bandwidth_gbs=12.0)  # balance 5 MACs/byte
    assert intensity < high_balance.balance and intensity > low_balance.balance
    assert not roofline.place(low_balance, depthwise.mult_adds, bytes_, 1.0).memory_bound
    assert roofline.place(high_balance, depthwise.mult_adds, bytes_, 1.0).memory_bound


def test_place_refuses_empty_stages() -> None:
    machine = roofline.Machine(10.0, 10.0)
    for args in [(0, 1, 1.0), (1, 0, 1.0), (1, 1, 0.0)]:
        with pytest.raises(ValueError, match="positive"):
            roofline.place(machine, *args)


def test_small_roofs_are_positive_rates() -> None:
    assert roofline.peak_gmacs(size=128, repeats=2) > 0
    assert roofline.bandwidth_gbs(megabytes=4, repeats=2) > 0


def test_measure_reports_progress_and_returns_both_roofs() -> None:
    seen: list[tuple[float, str]] = []
    machine = roofline.measure(lambda fraction, text: seen.append((fraction, text)))
    assert machine.peak_gmacs > 0 and machine.bandwidth_gbs > 0
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any("matrix product" in text for _, text in seen) and any("MB" in text for _, text in seen)
    with pytest.raises(AttributeError):
        machine.peak_gmacs = 1.0  # type: ignore[misc]  # frozen: safe to cache and share
