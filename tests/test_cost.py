"""The cost model against PyTorch itself: FlopCounterMode (FLOPs = 2 × MACs) and numel()."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from dsviz.cost import (
    PAPER,
    Convention,
    conv_cost,
    depthwise_cost,
    linear_cost,
    pointwise_cost,
    separable_cost,
)
from dsviz.geometry import pad_amount

FEW = settings(max_examples=40, deadline=None)


def torch_flops(module: nn.Module, *shape: int) -> tuple[int, torch.Tensor]:
    """Forward FLOPs torch counts for one input of ``shape`` (batch 1), and the output."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        out = module(torch.zeros(1, *shape))
    return counter.get_total_flops(), out


def numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def torch_conv(m, n, k, *, stride=1, padding="same", dilation=1, groups=1, bias=False):
    # torch's own padding="same" refuses stride > 1, so give it the amount dsviz.geometry pads.
    pad = pad_amount(k, padding, dilation)
    return nn.Conv2d(m, n, k, stride=stride, padding=pad, dilation=dilation, groups=groups, bias=bias)


@st.composite
def conv_configs(draw):
    groups = draw(st.integers(1, 4))
    kernel = draw(st.integers(1, 5))
    padding = draw(
        st.sampled_from(["same", "valid", 0, 1, 2]) if kernel % 2 else st.sampled_from(["valid", 1])
    )
    return {
        "in_channels": groups * draw(st.integers(1, 3)),
        "out_channels": groups * draw(st.integers(1, 3)),
        "kernel_size": kernel,
        "height": draw(st.integers(1, 12)),
        "width": draw(st.integers(1, 12)),
        "stride": draw(st.integers(1, 3)),
        "padding": padding,
        "dilation": draw(st.integers(1, 3)),
        "groups": groups,
        "bias": draw(st.booleans()),
    }


@FEW
@given(conv_configs())
def test_conv_cost_matches_torch(config):
    c = dict(config)
    m, n, k, h, w = (c.pop(key) for key in ("in_channels", "out_channels", "kernel_size", "height", "width"))
    module = torch_conv(m, n, k, **c)
    try:
        cost = conv_cost(m, n, k, h, w, **c)
    except ValueError:
        # we refuse exactly when torch has no output to compute
        with pytest.raises(RuntimeError):
            torch_flops(module, m, h, w)
        return
    flops, out = torch_flops(module, m, h, w)
    assert out.shape == (1, n, cost.out_height, cost.out_width)
    assert flops == cost.flops == 2 * cost.mult_adds
    assert cost.mult_adds == k * k * (m // c["groups"]) * n * cost.out_height * cost.out_width
    assert cost.params == numel(module)
    assert cost.weights == module.weight.numel()
    assert cost.activation_bytes == out.numel() * out.element_size()


@FEW
@given(
    channels=st.integers(1, 6),
    multiplier=st.integers(1, 3),
    kernel=st.sampled_from([1, 3, 5]),
    size=st.tuples(st.integers(3, 12), st.integers(3, 12)),
    stride=st.integers(1, 2),
    bias=st.booleans(),
)
def test_depthwise_and_pointwise_match_torch(channels, multiplier, kernel, size, stride, bias):
    h, w = size
    dw = depthwise_cost(channels, kernel, h, w, multiplier=multiplier, stride=stride, bias=bias)
    module = torch_conv(channels, channels * multiplier, kernel, stride=stride, groups=channels, bias=bias)
    assert module.weight.shape == (channels * multiplier, 1, kernel, kernel)
    flops, out = torch_flops(module, channels, h, w)
    assert (flops, numel(module)) == (dw.flops, dw.params)
    assert dw.mult_adds == kernel**2 * channels * multiplier * dw.out_height * dw.out_width

    pw = pointwise_cost(dw.out_channels, 7, dw.out_height, dw.out_width, bias=bias)
    module = nn.Conv2d(dw.out_channels, 7, 1, bias=bias)
    flops, _ = torch_flops(module, *out.shape[1:])
    assert (flops, numel(module)) == (pw.flops, pw.params)


@FEW
@given(st.integers(1, 64), st.integers(1, 64), st.booleans())
def test_linear_cost_matches_torch(m, n, bias):
    cost = linear_cost(m, n, bias=bias)
    module = nn.Linear(m, n, bias=bias)
    flops, _ = torch_flops(module, m)
    assert (flops, numel(module)) == (cost.flops, cost.params)
    assert cost.mult_adds == cost.weights == m * n


@pytest.mark.parametrize("batch_norm", ["none", "trainable", "stored"])
@pytest.mark.parametrize("bias", [False, True])
def test_conventions_match_torch_parameters_and_buffers(batch_norm, bias):
    convention = Convention(bias=bias, batch_norm=batch_norm)
    cost = conv_cost(6, 10, 3, 9, 7, stride=2, bias=True, batch_norm=True)
    conv, bn = torch_conv(6, 10, 3, stride=2, bias=True), nn.BatchNorm2d(10)
    expected = conv.weight.numel() + (conv.bias.numel() if bias else 0)
    if batch_norm != "none":
        expected += bn.weight.numel() + bn.bias.numel()  # γ, β: what parameters() holds
    if batch_norm == "stored":
        expected += bn.running_mean.numel() + bn.running_var.numel()  # the stored statistics
    assert cost.counted_params(convention) == expected
    # BN and bias are never mult-adds: torch counts the same FLOPs with or without them
    flops, _ = torch_flops(nn.Sequential(conv, bn, nn.ReLU()), 6, 9, 7)
    assert cost.compute(Convention(unit="FLOPs")) == flops == 2 * cost.compute(convention)


def test_a_convention_counts_only_what_the_layer_has():
    bare = conv_cost(4, 8, 3, 5, 5)
    everything = Convention(unit="FLOPs", bias=True, batch_norm="stored")
    assert bare.counted_params(everything) == bare.weights == bare.params


def test_conventions_describe_themselves():
    assert PAPER.describe() == (
        "MACs: multiply-accumulates of conv/FC layers; bias, BN, ReLU, pooling not counted; "
        "params: weights only"
    )
    text = Convention(unit="FLOPs", bias=True, batch_norm="stored").describe()
    assert text.startswith("FLOPs: 2 × multiply-accumulates")
    assert "weights + biases + BN γ, β, running mean/var" in text
    assert "BN γ, β" in Convention(batch_norm="trainable").describe()
    with pytest.raises(ValueError, match="unit"):
        Convention(unit="GFLOPs")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_norm"):
        Convention(batch_norm="all")  # type: ignore[arg-type]


@FEW
@given(
    m=st.integers(1, 8),
    n_per_group=st.integers(1, 8),
    kernel=st.sampled_from([1, 3, 5]),
    size=st.tuples(st.integers(9, 14), st.integers(9, 14)),  # 5×5 dilated by 2 spans 9
    stride=st.integers(1, 3),
    padding=st.sampled_from(["same", "valid"]),
    dilation=st.integers(1, 2),
    multiplier=st.integers(1, 3),
    groups=st.sampled_from([1, 2]),
)
def test_separable_matches_torch(m, n_per_group, kernel, size, stride, padding, dilation, multiplier, groups):
    m, n, (h, w) = m * groups, n_per_group * groups, size
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    sep = separable_cost(m, n, kernel, h, w, multiplier=multiplier, groups=groups, **geometry)
    block = nn.Sequential(
        torch_conv(m, m * multiplier, kernel, groups=m, **geometry),
        nn.Conv2d(m * multiplier, n, 1, bias=False),
    )
    standard = torch_conv(m, n, kernel, groups=groups, **geometry)
    block_flops, block_out = torch_flops(block, m, h, w)
    standard_flops, standard_out = torch_flops(standard, m, h, w)
    assert block_out.shape == standard_out.shape
    assert (block_flops, numel(block)) == (sep.flops, sep.params)
    assert (standard_flops, numel(standard)) == (sep.standard.flops, sep.standard.params)
    assert sep.saved_mult_adds == (standard_flops - block_flops) // 2
    assert sep.ratio == Fraction(block_flops, standard_flops)
    # Both convs share one output grid, so the ratio has a closed form for every stride/padding;
    # the seed's 1/N + 1/K² is its d = 1, groups = 1 case.
    assert (
        sep.ratio == sep.closed_form_ratio == groups * multiplier * (Fraction(1, n) + Fraction(1, kernel**2))
    )
    assert sep.params_ratio == sep.ratio  # without bias, params scale exactly like MACs
    assert sep.usual_is_exact == (multiplier * groups == 1)


def test_usual_ratio_for_64_channels_3x3_is_exact():
    sep = separable_cost(32, 64, 3, 112, 112)
    assert sep.usual_ratio == Fraction(1, 64) + Fraction(1, 9) == Fraction(73, 576)
    assert sep.ratio == sep.usual_ratio and sep.usual_is_exact
    assert sep.reduction == Fraction(576, 73)  # ≈ 7.9× fewer mult-adds
    # hand count: dw 3·3·32·112², pw 32·64·112², standard 3·3·32·64·112²
    assert sep.depthwise.mult_adds == 9 * 32 * 112 * 112 == 3_612_672
    assert sep.pointwise.mult_adds == 32 * 64 * 112 * 112 == 25_690_112
    assert sep.standard.mult_adds == 9 * 32 * 64 * 112 * 112 == 231_211_008
    assert sep.saved_mult_adds == 231_211_008 - 3_612_672 - 25_690_112


def test_bias_and_batch_norm_break_the_params_closed_form_but_not_the_macs_one():
    sep = separable_cost(32, 64, 3, 56, 56, bias=True, batch_norm=True)
    assert sep.ratio == sep.usual_ratio
    assert sep.params == 9 * 32 + 32 + 32 * 64 + 64
    assert sep.params_ratio == Fraction(9 * 32 + 32 + 32 * 64 + 64, 9 * 32 * 64 + 64)
    flops = sep.compare(Convention(unit="FLOPs", bias=True, batch_norm="trainable"))
    assert flops.separable_compute == 2 * sep.mult_adds
    assert flops.separable_params == sep.params + 2 * 32 + 2 * 64
    assert flops.standard_params == sep.standard.params + 2 * 64
    assert flops.saved_params == flops.standard_params - flops.separable_params
    assert flops.compute_ratio == sep.ratio
    assert set(flops.as_dict()) >= {"convention", "compute_ratio", "params_ratio", "saved_compute"}


def test_depthwise_is_memory_bound():
    sep = separable_cost(128, 128, 3, 56, 56)
    dw, pw, std = sep.depthwise, sep.pointwise, sep.standard
    # float32: every stage moves at least its input and output; depthwise does 9 MACs per
    # input number, pointwise 128, so depthwise has by far the fewest MACs per byte.
    assert dw.activation_bytes == pw.activation_bytes == 128 * 56 * 56 * 4
    assert dw.bytes_moved == (2 * 128 * 56 * 56 + 9 * 128) * 4
    assert dw.arithmetic_intensity < 2 < pw.arithmetic_intensity < std.arithmetic_intensity
    assert dw.as_dict()["arithmetic_intensity"] == float(dw.arithmetic_intensity)


def test_as_dict_is_plain():
    d = conv_cost(3, 8, 3, 10, 12, stride=2, padding="valid").as_dict()
    assert (d["mult_adds"], d["params"], d["out_height"], d["out_width"]) == (
        8 * 3 * 9 * 4 * 5,
        8 * 3 * 9,
        4,
        5,
    )
    assert all(isinstance(v, int | float | str | bool) for v in d.values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"in_channels": 2.5}, "whole number"),
        ({"in_channels": "3"}, "whole number"),
        ({"out_channels": True}, "whole number"),
        ({"height": 0}, "≥ 1"),
        ({"width": -4}, "≥ 1"),
        ({"kernel_size": 0}, "≥ 1"),
        ({"stride": 0}, "≥ 1"),
        ({"dilation": 0}, "≥ 1"),
        ({"groups": 0}, "≥ 1"),
        ({"groups": 4}, "must divide the input channels"),
        ({"in_channels": 4, "groups": 4}, "must divide the output channels"),
        ({"kernel_size": 4}, "odd kernel"),
        ({"padding": "full"}, "padding must be"),
        ({"kernel_size": 7, "padding": "valid"}, "output would be empty"),
    ],
)
def test_invalid_layers_say_why(kwargs, message):
    args = {"in_channels": 6, "out_channels": 6, "kernel_size": 3, "height": 5, "width": 5}
    args |= kwargs
    with pytest.raises(ValueError, match=message):
        conv_cost(**args)


def test_invalid_separable_says_why():
    with pytest.raises(ValueError, match="depth multiplier"):
        separable_cost(3, 8, 3, 10, 10, multiplier=0)
    with pytest.raises(ValueError, match="groups=2 must divide the input channels"):
        separable_cost(3, 8, 3, 10, 10, groups=2)
