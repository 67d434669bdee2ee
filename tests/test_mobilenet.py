"""MobileNet v1 rows against a PyTorch model counted by FlopCounterMode, and the paper's figures."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from dsviz.cost import Convention
from dsviz.mobilenet import (
    PUBLISHED_SWEEP,
    TABLE_2_PRINTED,
    as_fraction,
    mobilenet_v1,
    scale_channels,
    separable_pairs,
    to_torch,
)


def count(model: nn.Module, resolution: int) -> tuple[int, int]:
    """(MACs, params) as torch sees them: forward FLOPs / 2 and parameters()."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.eval()(torch.zeros(1, 3, resolution, resolution))
    return counter.get_total_flops() // 2, sum(p.numel() for p in model.parameters())


def paper_mobilenet() -> nn.Sequential:
    """1.0 MobileNet-224 typed in from Table 1, independently of dsviz: the layers counted."""

    def conv(m, n, k, s, groups=1):
        return nn.Conv2d(m, n, k, stride=s, padding=k // 2, groups=groups, bias=False)

    layers = [conv(3, 32, 3, 2)]
    channels = 32
    for out, stride in (
        [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    ):
        layers += [conv(channels, channels, 3, stride, groups=channels), conv(channels, out, 1, 1)]
        channels = out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, 1000, bias=False)]
    return nn.Sequential(*layers)


def test_mobilenet_224_totals_match_an_independent_torch_model():
    macs, params = count(paper_mobilenet(), 224)
    net = mobilenet_v1()
    assert (net.mult_adds, net.params) == (macs, params)
    # the paper: 569 million mult-adds, 4.2 million parameters
    assert round(macs / 1e6) == 569
    assert round(params / 1e6, 1) == 4.2


@pytest.mark.parametrize("alpha", [1, 0.5, 0.25])
@pytest.mark.parametrize("resolution", [224, 128])
def test_rows_build_a_torch_model_with_the_same_costs(alpha, resolution):
    net = mobilenet_v1(alpha, resolution)
    model = to_torch(net, batch_norm=False, fc_bias=False)
    assert count(model, resolution) == (net.mult_adds, net.params)
    # layer by layer: torch's shapes and counts are the rows'
    x = torch.zeros(1, 3, resolution, resolution)
    with torch.no_grad():
        for row, layer in zip(net.rows, model, strict=True):
            h, w, c = row.input_shape  # rows are (H, W, C) like the paper; torch is (C, H, W)
            assert tuple(x.shape[1:]) == ((c, h, w) if x.dim() == 4 else (c,))
            with FlopCounterMode(display=False) as counter:
                x = layer(x)
            assert counter.get_total_flops() == 2 * row.mult_adds
            assert sum(p.numel() for p in layer.parameters()) == row.params
            assert x.numel() == math.prod(row.output_shape)
            assert row.activation_bytes == x.numel() * x.element_size()


def test_the_real_model_with_bn_and_fc_bias_matches_other_conventions():
    net = mobilenet_v1(0.5, 128)
    model = to_torch(net)  # conv → BN → ReLU, FC with bias
    macs, params = count(model, 128)
    assert macs == net.mult_adds  # BN, ReLU, bias and pooling are not mult-adds
    assert params == net.counted_params(Convention(bias=True, batch_norm="trainable"))
    stats = sum(
        m.running_mean.numel() + m.running_var.numel()
        for m in model.modules()
        if isinstance(m, nn.BatchNorm2d)
    )
    assert params + stats == net.counted_params(Convention(bias=True, batch_norm="stored"))
    assert net.compute(Convention(unit="FLOPs")) == 2 * macs
    # v1 is conv → BN → ReLU everywhere (ReLU6 is TF-slim's and v2's), with no shortcuts
    assert any(isinstance(m, nn.ReLU) for m in model.modules())
    assert not any(isinstance(m, nn.ReLU6) for m in model.modules())
    assert [type(child) for child in model][:3] == [nn.Sequential] * 3
    assert not any(row.residual or row.block for row in net)


def test_full_convolution_variant_matches_torch():
    net = mobilenet_v1(full_conv=True)
    assert [row.type for row in net.rows] == ["conv3x3"] * 14 + ["avgpool", "fc"]
    separable = mobilenet_v1()
    for index in range(1, 14):
        full = next(r for r in net.rows if r.name == f"block{index}_conv")
        dw = next(r for r in separable.rows if r.name == f"block{index}_dw")
        pw = next(r for r in separable.rows if r.name == f"block{index}_pw")
        assert (full.input_shape, full.output_shape, full.stride) == (
            dw.input_shape,
            pw.output_shape,
            dw.stride,
        )
    assert count(to_torch(net, batch_norm=False, fc_bias=False), 224) == (net.mult_adds, net.params)


# Howard et al. 2017, Tables 4, 6 and 7: (α, R, full conv, million mult-adds, million params).
PAPER = [
    (1, 224, False, 569, 4.2),
    (0.75, 224, False, 325, 2.6),
    (0.5, 224, False, 149, 1.3),
    (0.25, 224, False, 41, 0.5),
    (1, 192, False, 418, 4.2),
    (1, 160, False, 290, 4.2),
    (1, 128, False, 186, 4.2),
    (1, 224, True, 4866, 29.3),
]


@pytest.mark.parametrize(("alpha", "resolution", "full_conv", "macs", "params"), PAPER)
def test_totals_agree_with_the_paper(alpha, resolution, full_conv, macs, params):
    net = mobilenet_v1(alpha, resolution, full_conv=full_conv)
    # The paper rounds unevenly (290.7M → 290, 4867.3M → 4866), so allow 1.5 million.
    assert abs(net.mult_adds / 1e6 - macs) < 1.5
    assert round(net.params / 1e6, 1) == params


def test_breakdown_is_the_papers_table_2():
    shares = {s.type: s for s in mobilenet_v1().breakdown()}
    percent = {
        kind: (round(float(s.mult_adds_share) * 100, 2), round(float(s.params_share) * 100, 2))
        for kind, s in shares.items()
    }
    assert percent["conv1x1"] == (94.86, 74.59)
    assert percent["dw3x3"] == (3.06, 1.06)
    assert percent["fc"] == (0.18, 24.33)
    # Table 2 prints 1.19% for the 3×3 conv: its digits swapped; 10.8M / 568.7M is 1.91%.
    assert percent["conv3x3"] == (1.91, 0.02)
    assert (shares["dw3x3"].layers, shares["conv1x1"].layers) == (13, 13)
    assert sum(s.mult_adds_share for s in shares.values()) == 1


def test_table_1_shapes():
    rows = {row.name: row for row in mobilenet_v1()}
    assert len(rows) == 1 + 2 * 13 + 2
    assert rows["conv1"].output_shape == (112, 112, 32)
    assert rows["block12_dw"].output_shape == (7, 7, 512)
    # the printed table says s2 here, but 7×7 in and out: stride 1
    assert rows["block13_dw"].stride == 1
    assert rows["block13_dw"].input_shape == rows["block13_dw"].output_shape == (7, 7, 1024)
    assert rows["avgpool"].mult_adds == rows["avgpool"].params == 0
    assert rows["fc"].input_shape == (1, 1, 1024) and rows["fc"].output_shape == (1, 1, 1000)
    assert rows["fc"].mult_adds == rows["fc"].params == 1024 * 1000
    d = rows["block1_dw"].as_dict()
    assert d["input_shape"] == "112×112×32" and d["type"] == "dw3x3"
    assert set(d) >= {"name", "type", "stride", "input_shape", "output_shape", "mult_adds", "params"}


def test_width_multiplier():
    assert [scale_channels(c, Fraction(1, 4)) for c in (32, 64, 1024)] == [8, 16, 256]
    assert scale_channels(32, Fraction(1, 10)) == 8  # never below 8
    assert as_fraction(0.75) == Fraction(3, 4)
    net = mobilenet_v1(0.25, 128)
    assert net.rows[0].input_shape[2] == 3 and net.rows[-1].output_shape[2] == 1000
    assert net.rows[0].output_shape[2] == 8
    assert net.rows[-1].input_shape[2] == 256
    # mult-adds shrink by about α² (the 3 input channels and 1000 classes do not scale)
    assert math.isclose(mobilenet_v1(0.5).mult_adds / mobilenet_v1().mult_adds, 0.25, rel_tol=0.06)


def test_as_dict_for_the_cli_and_app():
    d = mobilenet_v1(0.5, 160).as_dict()
    assert isinstance(d["mult_adds"], int) and isinstance(d["params"], int)
    assert len(d["layers"]) == 29 and d["layers"][0]["input_shape"] == "160×160×3"
    assert sum(row["mult_adds"] for row in d["layers"]) == d["mult_adds"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 224), "α must be > 0"),
        ((-0.5, 224), "α must be > 0"),
        ((float("nan"), 224), "α must be > 0"),
        (("big", 224), "α must be a number"),
        ((1, 0), "resolution must be ≥ 1"),
        ((1, 223.5), "resolution must be a whole number"),
    ],
)
def test_invalid_networks_say_why(args, message):
    with pytest.raises(ValueError, match=message):
        mobilenet_v1(*args)


def test_published_sweep_is_the_papers_tables_6_and_7():
    """The page's copy of Tables 6–7 holds the same counts as PAPER above (typed in separately)."""
    assert {(float(a), r, m, p) for a, r, _, m, p in PUBLISHED_SWEEP} == {
        (float(a), r, m, p) for a, r, full, m, p in PAPER if not full
    }
    for alpha, resolution, _, macs, params in PUBLISHED_SWEEP:
        net = mobilenet_v1(alpha, resolution)
        assert abs(net.mult_adds / 1e6 - macs) < 1.5 and round(net.params / 1e6, 1) == params


def test_table_2_as_printed_differs_from_ours_only_in_the_misprint():
    shares = {s.type: s for s in mobilenet_v1().breakdown()}
    ours = {
        kind: (
            round(float(shares[kind].mult_adds_share) * 100, 2),
            round(float(shares[kind].params_share) * 100, 2),
        )
        for kind in TABLE_2_PRINTED
    }
    differ = {kind for kind in ours if ours[kind] != TABLE_2_PRINTED[kind]}
    assert differ == {"conv3x3"} and ours["conv3x3"] == (1.91, 0.02)
    assert round(sum(m for m, _ in TABLE_2_PRINTED.values()), 2) == 99.29  # 1.19 leaves 0.71 % unaccounted
    assert round(sum(m for m, _ in ours.values()), 2) == 100.01  # 1.91: 100 % up to the rounding


@pytest.mark.parametrize("full_conv", [False, True])
def test_separable_pairs(full_conv):
    net = mobilenet_v1(full_conv=full_conv)
    pairs = separable_pairs(net)
    assert len(pairs) == (0 if full_conv else 13)
    for dw, pw in pairs:
        assert dw.output_shape == pw.input_shape and pw.name == dw.name.replace("_dw", "_pw")
