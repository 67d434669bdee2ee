"""ui.costcard: its words follow the numbers (more, fewer or the same; weights or parameters), the
metric's delta has one sign and the right colour, and the card renders standalone and times on demand."""

import ast
from pathlib import Path

import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from dsviz import cost, roofline, timing
from ui import costcard

ROOT = Path(__file__).resolve().parents[1]
PAPER = cost.Convention()
EVERYTHING = cost.Convention(bias=True, batch_norm="trainable")


def layer(m: int = 3, n: int = 8, k: int = 3, d: int = 1, size: int = 256) -> cost.SeparableCost:
    """Built with bias and BN, as the app builds it, so the convention alone decides what is counted."""
    return cost.separable_cost(m, n, k, size, size, multiplier=d, bias=True, batch_norm=True)


# --------------------------------------------------------------------------- words


def test_ratio_words_follow_the_sign() -> None:
    assert costcard.ratio_words(944, 440, "weights") == "2.1× fewer weights"
    assert costcard.ratio_words(27, 60, "MACs") == "2.2× more MACs"
    assert costcard.ratio_words(5, 5, "FLOPs") == "the same number of FLOPs"
    assert costcard.ratio_words(100, 96, "MACs") == "1.04× fewer MACs"  # not "1.0× fewer"


def test_headline_says_more_when_separable_costs_more() -> None:
    more = layer(n=1, d=2)  # 27 vs 60 MACs a pixel
    text = costcard.headline(more, PAPER)
    assert text.startswith("**2.2× more MACs** than a standard convolution") and "fewer" not in text
    assert "0.5×" not in text
    pointwise_only = layer(k=1)  # K = 1: the depthwise stage only adds work
    assert "more MACs** than" in costcard.headline(pointwise_only, PAPER)


def test_headline_says_fewer_when_it_saves() -> None:
    text = costcard.headline(layer(), PAPER)
    assert text.startswith("**4.2× fewer MACs** than a standard convolution")
    assert "fewer weights** (" in text and text.count("weights") == 2  # only weights are counted, said once
    flops = costcard.headline(layer(), cost.Convention(unit="FLOPs"))
    assert "4.2× fewer FLOPs" in flops and "FLOPs)" in flops


def test_bias_and_bn_counted_make_them_parameters() -> None:
    sep = layer()
    text = costcard.headline(sep, EVERYTHING)
    assert "fewer parameters** (" in text and "weights" not in text.split("**")[3].split(":")[0]
    assert "parameters: weights + biases + BN γ, β)" in text
    cmp = sep.compare(EVERYTHING)
    assert f"({cmp.separable_params:,} vs {cmp.standard_params:,} parameters" in text


def test_bn_is_named_only_when_the_layers_have_one() -> None:
    no_bn = cost.separable_cost(3, 8, 3, 64, 64, bias=True)
    assert costcard.params_counted(no_bn, EVERYTHING) == ["weights", "biases"]
    stored = cost.Convention(batch_norm="stored")
    assert costcard.params_counted(layer(), stored) == ["weights", "BN γ, β, running mean/var"]
    assert costcard.params_noun(layer(), PAPER) == "weights"


def test_delta_has_one_sign_and_a_unit() -> None:
    more = costcard.delta(layer(n=1, d=2).compare(PAPER))
    assert isinstance(more, str) and more.startswith("+") and "--" not in more and "(+122%)" in more
    assert "MACs" in more
    fewer = costcard.delta(layer().compare(PAPER))
    assert isinstance(fewer, str) and fewer.startswith("-") and "--" not in fewer and "(-76%)" in fewer
    same = cost.Comparison(PAPER, 10, 10, 5, 5)
    assert costcard.delta(same) == 0  # grey, no arrow


def test_promise_before_measuring_is_a_true_sentence() -> None:
    text = costcard.promise(layer())
    assert text == (
        "The MAC count promises 4.2× faster (4.2× fewer MACs); press the button to measure what this "
        "machine does."
    )
    assert "predicts the speed-up" not in text
    assert "2.2× slower (2.2× more MACs)" in costcard.promise(layer(n=1, d=2))


def test_intensity_help_is_relative_to_the_balance_point() -> None:
    assert "balance point" in costcard.INTENSITY_HELP
    assert "Low means memory-bound" not in costcard.INTENSITY_HELP


def test_measured_words_show_medians_and_spread() -> None:
    sep = cost.separable_cost(3, 8, 3, 256, 256)
    samples = {"standard": [0.8, 0.9, 1.0], "depthwise": [0.8, 0.9, 1.0], "pointwise": [0.35, 0.4, 0.45]}
    t = timing.from_samples((3, 256, 256), (3, 256, 256), sep, samples | {"call": [0.1, 0.1, 0.1]})
    text = costcard.measured_words(t)
    assert "standard 0.90 ms (IQR 0.85–0.95)" in text and "separable 1.30 ms (IQR" in text
    assert "→ **1.44× slower" in text and "promises **4.2× faster**" in text
    machine = roofline.Machine(25.0, 12.0)
    table = costcard.timing_table(t, machine)
    assert list(table.index) == ["standard", "depthwise", "pointwise", "separable (dw + pw)"]
    assert {"median ms", "IQR ms", "GMAC/s", "GB/s", "% of roofline"} <= set(table.columns)
    assert table.loc["depthwise", "GMAC/s"] == pytest.approx(t.depthwise.gmacs)
    words = costcard.roofline_words(machine)
    assert "peak 25 GMAC/s" in words and "12 GB/s" in words and "balance point 2.1 MACs per byte" in words


def test_the_card_creates_no_url_bound_widgets() -> None:
    tree = ast.parse((ROOT / "ui" / "costcard.py").read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "state" not in imported and "ui.state" not in imported
    assert not hasattr(costcard, "_convention")


# --------------------------------------------------------------------------- rendered standalone


def card() -> None:
    import streamlit as st

    from dsviz import cost
    from ui import costcard

    s = st.session_state
    n, d, unit = s.get("n", 8), s.get("d", 1), s.get("unit", "MACs")
    sep = cost.separable_cost(3, n, 3, 32, 24, multiplier=d, bias=True, batch_norm=True)
    convention = cost.Convention(unit=unit, bias=s.get("bias", False), batch_norm=s.get("bn", "none"))
    costcard.render(sep, convention, "t")
    costcard.measure((3, 32, 24), sep, "t")


def run(**state: object) -> AppTest:
    at = AppTest.from_function(card, default_timeout=60)
    for name, value in state.items():
        at.session_state[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_card_delta_is_green_down_when_fewer_and_red_up_when_more() -> None:
    fewer = run().metric[1]
    assert (
        fewer.proto.color == Metric.MetricColor.GREEN and fewer.proto.direction == Metric.MetricDirection.DOWN
    )
    more = run(n=1, d=2).metric[1]
    assert more.proto.color == Metric.MetricColor.RED and more.proto.direction == Metric.MetricDirection.UP
    assert more.value == f"{cost.separable_cost(3, 1, 3, 32, 24, multiplier=2).mult_adds:,}"
    assert "--" not in more.proto.delta


def test_card_labels_units_and_never_says_the_seed() -> None:
    at = run(n=1, d=2, unit="FLOPs", bias=True, bn="stored")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "more FLOPs, " in at.markdown[0].value and "more parameters" in at.markdown[0].value
    assert all("(FLOPs)" in m.label for m in at.metric)
    assert "seed" not in text.lower()
    assert "The formula as usually written, 1/N + 1/D_K², assumes depth multiplier 1" in text
    assert "predicts the speed-up" not in text and "The MAC count promises" in text


def shown_table(at: AppTest) -> dict[str, list[str]]:
    """The card's cost table as the page shows it (markdown): row name → its cells."""
    table = next(m.value for m in at.markdown if "| |" in m.value)
    lines = [line for line in table.splitlines() if line.startswith("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return {row[0]: row[1:] for row in rows[2:]}


def test_cost_table_shows_the_layers_own_counts() -> None:
    """Each row's MACs and weights are those of real torch layers (FlopCounterMode, numel), printed
    with separators; the separable row is the sum of its stages."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    def counted(layer: torch.nn.Module, x: torch.Tensor) -> tuple[int, int, torch.Tensor]:
        with FlopCounterMode(display=False) as counter:
            y = layer(x)
        return counter.get_total_flops() // 2, layer.weight.numel(), y

    x = torch.zeros(1, 3, 24, 32)
    dw = torch.nn.Conv2d(3, 6, 3, padding=1, groups=3, bias=False)  # n = 5, d = 2 below
    pw = torch.nn.Conv2d(6, 5, 1, bias=False)
    std = torch.nn.Conv2d(3, 5, 3, padding=1, bias=False)
    dw_macs, dw_w, h = counted(dw, x)
    pw_macs, pw_w, _ = counted(pw, h)
    std_macs, std_w, _ = counted(std, x)
    shown = shown_table(run(n=5, d=2))
    assert shown["depthwise"][:2] == [f"{dw_macs:,}", f"{dw_w:,}"]
    assert shown["pointwise"][:2] == [f"{pw_macs:,}", f"{pw_w:,}"]
    assert shown["separable (dw + pw)"][:2] == [f"{dw_macs + pw_macs:,}", f"{dw_w + pw_w:,}"]
    assert shown["standard"][:2] == [f"{std_macs:,}", f"{std_w:,}"]
    assert all(len(cells) == 4 and cells[3].count(".") == 1 for cells in shown.values())  # MACs/byte


def test_timing_on_demand_is_kept_per_setting() -> None:
    at = run()
    assert not any("Measured here" in m.value for m in at.markdown)  # only on demand
    at.button(key="t_time").click().run()
    assert not at.exception, at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "**Measured here:** standard" in shown and "IQR" in shown and "promises **" in shown
    assert "keeps (or beats)" not in shown and "waits on memory" not in shown
    assert "Per MAC, the separable block runs at" in shown  # the explanation, from the numbers
    table = at.dataframe[0].value  # the timing table (the cost table is markdown)
    assert list(table.index) == ["standard", "depthwise", "pointwise", "separable (dw + pw)"]
    assert (table["median ms"] > 0).all() and (table["GMAC/s"] > 0).all()
    assert any("This machine's roofline: peak" in c.value for c in at.caption)
    at.session_state["n"] = 4  # another layer: its own (absent) timing
    at.run()
    assert not any("Measured here" in m.value for m in at.markdown)
    at.session_state["n"] = 8  # back: the earlier result is still there
    at.run()
    assert any("Measured here" in m.value for m in at.markdown)
