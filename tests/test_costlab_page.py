"""The Cost lab page under AppTest (through the router): every widget at every value, the block's
geometry through the link, the sweep run once on a tiny grid (structure, order and finiteness only,
never a timing value); and the page's numbers: the counting table against torch's FlopCounterMode and
parameter counts, the ratio curves and the sentence that says whether they coincide."""

from __future__ import annotations

import math

import pytest
import torch
from apptest import open_page, other_values, trouble, widgets
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from dsviz import cost, sweep
from ui import costlab as page

PAGE = "views/costlab.py"
HEADERS = ("1 ·", "2 ·", "3 ·", "4 ·")


def headers(at) -> list[str]:
    return [h.value for h in at.header if h.value[:1].isdigit()]


def test_the_page_opens_with_every_section_and_no_trouble() -> None:
    at = open_page(PAGE)
    assert trouble(at) == []
    assert [h[:3] for h in headers(at)] == list(HEADERS)
    assert any("coincide" in m.value for m in at.markdown)  # the default block has d = 1
    assert [b.key for b in at.button if b.key == "cl_run"] == ["cl_run"]
    assert any("promise speed-ups from" in c.value for c in at.caption)  # before any sweep: the promise


def test_every_widget_at_every_value() -> None:
    at = open_page(PAGE)
    keys = [w.key for w in widgets(at)]
    assert {"cl_m", "cl_size", "cl_stride", "cl_bias"} <= set(keys)
    for key in ("cl_m", "cl_size", "cl_stride", "cl_bias"):
        (w,) = [w for w in widgets(at) if w.key == key]
        for value in other_values(w):
            next(w for w in widgets(at) if w.key == key).set_value(value).run()
            assert trouble(at) == [], (key, value)
            assert next(w for w in widgets(at) if w.key == key).value == value


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"pg_d": "2", "pg_stride": "2"}, "The curves differ"),
        ({"pg_padding": "valid", "pg_k": "7", "pg_dil": "2", "pg_bn": "true"}, "The two curves coincide"),
    ],
)
def test_the_block_geometry_reaches_the_curves_and_the_table(query: dict[str, str], says: str) -> None:
    at = open_page(PAGE, query=query)
    assert trouble(at) == []
    assert any(says in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert ("params: + BN γ, β" in table.index) == (query.get("pg_bn") == "true")


def test_the_sweep_runs_on_demand_on_a_tiny_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "NS", (4, 8))
    monkeypatch.setattr(page, "KS", (3,))
    at = open_page(PAGE, state={"cl_m": 8, "cl_size": 16})
    at.button(key="cl_run").click().run()
    assert trouble(at) == []
    assert [h[:3] for h in headers(at)] == [*HEADERS, "5 ·"]
    table = at.dataframe[-1].value
    assert list(table["N"]) == [4, 8] and list(table["K"]) == [3, 3]
    for n, promised in zip(table["N"], table["promised ×"], strict=True):
        assert promised == pytest.approx(float(cost.separable_cost(8, n, 3, 16, 16).reduction))
    assert all(math.isfinite(v) and v > 0 for v in table["measured ×"])
    for column in ("standard ms", "separable ms"):
        for cell in table[column]:  # "median (q1–q3)", q1 ≤ median ≤ q3
            median, rest = cell.split(" (")
            q1, q3 = rest.rstrip(")").split("–")
            assert float(q1) <= float(median) <= float(q3)
    assert len(at.get("plotly_chart")) == 3  # ratio curves, speed-up vs promise, roofline
    assert any("The layer with the largest promise" in m.value for m in at.markdown)
    assert any("GMAC/s" in m.value for m in at.markdown)  # the explanation, from the measurements
    at.run()  # a rerun shows the same sweep without timing again
    assert trouble(at) == [] and [h[:3] for h in headers(at)][-1] == "5 ·"


# --------------------------------------------------------------------------- the page's numbers


def counted_flops(module: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops()


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize(("m", "n", "k", "d", "stride"), [(3, 8, 3, 1, 1), (4, 6, 5, 2, 2)])
def test_conventions_table_matches_torch(m: int, n: int, k: int, d: int, stride: int, bias: bool) -> None:
    """FlopCounterMode's FLOPs (2 × MACs, bias not counted) and the modules' parameter counts."""
    size = 20
    sep = cost.separable_cost(m, n, k, size, size, multiplier=d, stride=stride, bias=bias, batch_norm=True)
    table = page.conventions(sep)
    conv = {"stride": stride, "padding": k // 2, "bias": bias}
    modules = {
        "standard": nn.Conv2d(m, n, k, **conv),
        "depthwise": nn.Conv2d(m, m * d, k, groups=m, **conv),
        "pointwise": nn.Conv2d(m * d, n, 1, bias=bias),
    }
    inputs = {
        "standard": torch.rand(1, m, size, size),
        "depthwise": torch.rand(1, m, size, size),
        "pointwise": torch.rand(1, m * d, *modules["depthwise"](torch.rand(1, m, size, size)).shape[2:]),
    }
    for name, module in modules.items():
        assert table.loc["torch FlopCounterMode", name] == counted_flops(module, inputs[name])
        assert table.loc["FLOPs = 2 × MACs", name] == 2 * table.loc["MACs (mult-adds)", name]
        with_bn = nn.Sequential(module, nn.BatchNorm2d(module.out_channels))
        assert table.loc["params: + BN γ, β", name] == sum(p.numel() for p in with_bn.parameters())
        stored = sum(p.numel() for p in with_bn.parameters()) + 2 * module.out_channels  # running mean/var
        assert table.loc["params: + BN γ, β, mean, var", name] == stored
        if bias:
            assert table.loc["params: weights + biases", name] == sum(p.numel() for p in module.parameters())
            out = module(inputs[name])
            assert (
                table.loc["torchinfo 'Mult-Adds'", name] == table.loc["MACs (mult-adds)", name] + out.numel()
            )
    whole = table.loc["MACs (mult-adds)", "separable (dw + pw)"]
    assert whole == table.loc["MACs (mult-adds)", "depthwise"] + table.loc["MACs (mult-adds)", "pointwise"]


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize(("d", "stride", "dilation"), [(1, 1, 1), (1, 2, 3), (2, 1, 1), (4, 3, 2)])
def test_the_curves_coincide_exactly_when_d_is_1(padding: str, d: int, stride: int, dilation: int) -> None:
    sep = cost.separable_cost(
        3, 8, 3, 64, 48, multiplier=d, stride=stride, padding=padding, dilation=dilation
    )
    lines = page.curves(sep)
    words = page.agreement(sep, lines)
    assert ("coincide" in words) == (d == 1)
    for exact, usual in zip(lines["n_exact"], lines["n_usual"], strict=True):
        assert exact == pytest.approx(d * usual, rel=1e-12)  # d·(1/N + 1/K²), at every N
    valid = [e for e in lines["k_exact"] if not math.isnan(e)]
    assert valid  # the block's own K always fits


def fake_results() -> tuple:
    """A 2 × 2 sweep timed on a fake clock (no torch): standard 4 ms, depthwise 1 ms, pointwise 1 ms."""
    from test_sweep import FakeMachine

    rounds, points = 5, 4
    one = {"standard": [4.0] * (rounds + 1), "depthwise": [1.0] * (rounds + 1)}
    one |= {"pointwise": [1.0] * (rounds + 1), "call": [0.01] * (rounds + 1)}
    fake = FakeMachine({name: values * points for name, values in one.items()})
    plan = sweep.Plan(m=4, size=16, ns=(8, 32), ks=(3, 5), rounds=rounds)
    return sweep.run(plan, clock=fake.clock, make_runs=fake.runs)


def test_sweep_figures_are_valid_plotly_and_the_words_follow_the_numbers() -> None:
    import plotly.graph_objects as go

    from dsviz import roofline

    results = fake_results()
    slow = roofline.Machine(peak_gmacs=1e-3, bandwidth_gbs=1e-3)  # every stage beats this roof
    fast = roofline.Machine(peak_gmacs=1e6, bandwidth_gbs=1e6)
    for spec in (page.speedup_figure(results), page.roofline_figure(results, fast)):
        go.Figure(spec.spec)  # raises for anything Plotly would not accept
    sep = cost.separable_cost(3, 8, 3, 64, 64, multiplier=2, padding="valid")
    go.Figure(page.ratio_figure(sep, page.curves(sep)).spec)
    assert sweep.above_roof_words(results, fast) == ""
    assert sweep.above_roof_words(results, slow).startswith("12 dots lie above the line")
    words = sweep.sweep_words(results)  # every layer: 4 ms vs 2 ms, no spread → 2× faster
    assert "faster in 4, slower in 0, and too close to call (overlapping quartiles) in 0" in words
    assert "from 2.0× to 2.0×" in words
