"""MobileNet v2 rows against a PyTorch model typed in from the paper (counted by FlopCounterMode and
numel()), the torch model built from the rows, and the paper's and the reference README's figures."""

from __future__ import annotations

import io
import math
from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from dsviz.cost import Convention
from dsviz.mobilenet import mobilenet_v1, residual_class, to_torch
from dsviz.mobilenet_v2 import make_divisible, mobilenet_v2, paper_rounding, truncated_millions


def count(model: nn.Module, resolution: int) -> tuple[int, int]:
    """(MACs, params) as torch sees them: forward FLOPs / 2 and parameters()."""
    device = next(model.parameters()).device
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.eval()(torch.zeros(1, 3, resolution, resolution, device=device))
    return counter.get_total_flops() // 2, sum(p.numel() for p in model.parameters())


# Models built for counting live on the meta device: shapes only, no random init and no arithmetic,
# so FlopCounterMode and numel() see every layer in milliseconds.
META = torch.device("meta")


class Bottleneck(nn.Module):
    """Table 1 of the paper, written out again: expand (t ≠ 1), depthwise, linear projection."""

    def __init__(self, m: int, n: int, t: int, s: int) -> None:
        super().__init__()
        hidden = m * t
        layers: list[nn.Module] = []
        if t != 1:
            layers += [nn.Conv2d(m, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [
            nn.Conv2d(hidden, hidden, 3, s, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(),
            nn.Conv2d(hidden, n, 1, bias=False),
            nn.BatchNorm2d(n),
        ]
        self.body = nn.Sequential(*layers)
        self.shortcut = s == 1 and m == n

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) if self.shortcut else self.body(x)


def width(c: float) -> int:
    """The reference's rounding, in floats as the reference does it."""
    new = max(8, int(c + 4) // 8 * 8)
    return new + 8 if new < 0.9 * c else new


def paper_mobilenet_v2(alpha: float) -> nn.Sequential:
    """MobileNet v2 from the paper's Table 2, independently of dsviz's rows: real BN, FC with bias."""
    m = width(32 * alpha)
    layers: list[nn.Module] = [nn.Conv2d(3, m, 3, 2, 1, bias=False), nn.BatchNorm2d(m), nn.ReLU6()]
    table_2 = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2)]
    for t, c, n, s in [*table_2, (6, 320, 1, 1)]:
        for i in range(n):
            layers.append(Bottleneck(m, width(c * alpha), t, s if i == 0 else 1))
            m = width(c * alpha)
    last = width(1280 * max(1.0, alpha))
    layers += [nn.Conv2d(m, last, 1, bias=False), nn.BatchNorm2d(last), nn.ReLU6()]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(last, 1000)]
    return nn.Sequential(*layers)


REAL = Convention(bias=True, batch_norm="trainable")  # what parameters() holds for the real model


@pytest.mark.parametrize(
    ("alpha", "resolution"), [(0.35, 96), (0.75, 160), (1.0, 224), (1.3, 192), (1.4, 224)]
)
def test_totals_match_a_torch_model_typed_in_from_the_paper(alpha, resolution):
    net = mobilenet_v2(alpha, resolution)
    with META:
        macs, params = count(paper_mobilenet_v2(alpha), resolution)
    assert net.mult_adds == macs  # BN, ReLU6, residual adds, pooling and the FC bias are not MACs
    assert net.counted_params(REAL) == params
    assert net.params == params - 1000 - sum(2 * row.bn_channels for row in net)  # weights only


def test_1_0_224_exactly_and_in_the_papers_rounding():
    net = mobilenet_v2()
    assert (net.mult_adds, net.params) == (300_774_272, 3_469_760)
    assert net.counted_params(Convention(bias=True)) == 3_470_760
    assert net.counted_params(REAL) == 3_504_872  # torchvision's mobilenet_v2(): numel() with BN
    # the paper's Table 4 prints 300M and 3.4M: truncated, where rounding would give 301M and 3.5M
    assert (truncated_millions(net.mult_adds), truncated_millions(net.params, 1)) == ("300", "3.4")
    assert (round(net.mult_adds / 1e6), round(net.params / 1e6, 1)) == (301, 3.5)
    # with BN the cut gives 3.5M: the paper's count is not torchvision's numel()
    assert truncated_millions(net.counted_params(REAL), 1) == "3.5"
    text = paper_rounding(net)
    assert "300,774,272 mult-adds → 300M" in text and "3,469,760 params → 3.4M" in text
    assert "rounding gives 301M and 3.5M" in text and "(Table 4): the same." in text
    assert "3,504,872" in text and "Table 4" not in paper_rounding(mobilenet_v2(0.5))


# tensorflow/models research/slim/nets/mobilenet/README.md: (α, ρ, MACs (M), params (M)) of the
# reference checkpoints, MACs cut to whole millions, params rounded to hundredths.
README = [
    (1.4, 224, 582, 6.06),
    (1.3, 224, 509, 5.34),
    *[(1.0, r, m, 3.47) for r, m in [(224, 300), (192, 221), (160, 154), (128, 99), (96, 56)]],
    *[(0.75, r, m, 2.61) for r, m in [(224, 209), (192, 153), (160, 107), (128, 69), (96, 39)]],
    *[(0.5, r, m, 1.95) for r, m in [(224, 97), (192, 71), (160, 50), (128, 32), (96, 18)]],
    *[(0.35, r, m, 1.66) for r, m in [(224, 59), (192, 43), (160, 30), (128, 20), (96, 11)]],
]


@pytest.mark.parametrize(("alpha", "resolution", "macs", "params"), README)
def test_the_reference_checkpoints_table(alpha, resolution, macs, params):
    net = mobilenet_v2(alpha, resolution)
    assert truncated_millions(net.mult_adds) == str(macs)
    assert round(net.params / 1e6, 2) == params


@pytest.mark.parametrize(("alpha", "resolution"), [(0.35, 96), (1.0, 224), (1.4, 160)])
def test_rows_build_a_torch_model_with_the_same_costs_layer_by_layer(alpha, resolution):
    net = mobilenet_v2(alpha, resolution)
    with META:
        model = to_torch(net, batch_norm=False, fc_bias=False)
    assert count(model, resolution) == (net.mult_adds, net.params)
    x = torch.zeros(1, 3, resolution, resolution, device=META)
    with torch.no_grad():
        for name, child in model.named_children():
            rows = [row for row in net if (row.block or row.name) == name]
            h, w, c = rows[0].input_shape  # rows are (H, W, C) like the paper; torch is (C, H, W)
            assert tuple(x.shape[1:]) == ((c, h, w) if x.dim() == 4 else (c,))
            with FlopCounterMode(display=False) as counter:
                x = child(x)
            assert counter.get_total_flops() == 2 * sum(row.mult_adds for row in rows)
            assert sum(p.numel() for p in child.parameters()) == sum(row.params for row in rows)
            assert x.numel() == math.prod(rows[-1].output_shape)
            assert isinstance(child, residual_class()) == rows[-1].residual


def test_the_real_model_from_the_rows_has_bn_relu6_and_residuals():
    net = mobilenet_v2(0.35, 32)
    model = to_torch(net)  # on the CPU: it is run, saved and loaded below
    with META:
        typed_in = count(paper_mobilenet_v2(0.35), 32)
    assert count(model, 32) == typed_in == (net.mult_adds, net.counted_params(REAL))
    relu6 = sum(isinstance(m, nn.ReLU6) for m in model.modules())
    assert relu6 == 1 + 16 * 2 + 1 * 1 + 1  # stem; expand + dw in 16 blocks; dw in block 1; last conv
    assert not any(isinstance(m, nn.ReLU) for m in model.modules())
    # a whole model pickles: Residual is found again as dsviz.mobilenet.Residual
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    again = torch.load(buffer, weights_only=False)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(again.eval()(x), model.eval()(x))


def test_table_2_shapes_and_types():
    net = mobilenet_v2()
    rows = {row.name: row for row in net}
    assert len(net.rows) == 1 + (2 + 16 * 3) + 3
    assert rows["conv1"].output_shape == (112, 112, 32) and rows["conv1"].activation == "relu6"
    assert "block1_expand" not in rows and rows["block1_dw"].input_shape == (112, 112, 32)
    assert rows["block2_expand"].output_shape == (112, 112, 96)
    assert rows["block2_dw"].stride == 2 and rows["block2_dw"].output_shape == (56, 56, 96)
    assert (
        rows["block17_project"].output_shape == (7, 7, 320) and rows["block17_project"].activation == "none"
    )
    assert rows["conv_last"].output_shape == (7, 7, 1280) and rows["conv_last"].type == "last1x1"
    assert rows["fc"].bias_params == 1000 and rows["fc"].params == 1280 * 1000
    residual = [int(row.block.removeprefix("block")) for row in net if row.residual]
    assert residual == [3, 5, 6, 8, 9, 10, 12, 13, 15, 16]
    kinds = [share.type for share in net.breakdown()]
    assert kinds == ["conv3x3", "dw3x3", "project1x1", "expand1x1", "last1x1", "avgpool", "fc"]
    assert [share.layers for share in net.breakdown()] == [1, 17, 17, 16, 1, 1, 1]
    assert sum(share.mult_adds_share for share in net.breakdown()) == 1


def test_width_rounding_and_the_last_conv():
    assert make_divisible(Fraction(56, 5)) == 16  # 32·0.35 = 11.2: 8 would be 29 % below
    assert make_divisible(Fraction(28, 5)) == 8  # 16·0.35 = 5.6: at least 8
    assert make_divisible(Fraction(84, 5)) == 16  # 24·0.7 = 16.8: nearest
    assert make_divisible(20) == 24  # halves round up
    widths = {
        a: [row.output_shape[2] for row in mobilenet_v2(a) if row.type == "project1x1"] for a in (0.35, 1.4)
    }
    assert sorted(set(widths[0.35])) == [8, 16, 24, 32, 56, 112]
    assert sorted(set(widths[1.4])) == [24, 32, 48, 88, 136, 224, 448]
    last = {a: mobilenet_v2(a).rows[-3].output_shape[2] for a in (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)}
    assert last == {0.35: 1280, 0.5: 1280, 0.75: 1280, 1.0: 1280, 1.3: 1664, 1.4: 1792}


@settings(max_examples=20, deadline=None)
@given(st.fractions(min_value=Fraction(1, 100), max_value=4))
def test_make_divisible_is_a_near_multiple_of_8(value):
    width = make_divisible(value)
    assert width % 8 == 0 and width >= 8 and width >= Fraction(9, 10) * value
    assert width <= max(8, value + 8)


@settings(max_examples=6, deadline=None)
@given(
    st.sampled_from([0.1, 0.25, 0.35, 0.6, 0.9, 1.1, 1.5]),
    st.integers(min_value=1, max_value=70),
)
def test_any_width_and_resolution_matches_torch(alpha, resolution):
    net = mobilenet_v2(alpha, resolution)
    with META:
        model = paper_mobilenet_v2(alpha)
    assert count(model, resolution) == (net.mult_adds, net.counted_params(REAL))


def test_as_dict_has_the_columns_of_the_table():
    d = mobilenet_v2(0.75, 160).as_dict()
    assert d["mult_adds"] == sum(row["mult_adds"] for row in d["layers"]) and isinstance(d["params"], int)
    row = d["layers"][0]
    assert row["input_shape"] == "160×160×3" and row["type"] == "conv3x3"
    columns = {"name", "type", "stride", "mult_adds", "params", "activation_bytes", "macs_per_byte"}
    assert columns <= set(row)
    assert sum(r["residual"] for r in d["layers"]) == 10
    # v1 has the same columns
    assert set(mobilenet_v1().as_dict()["layers"][0]) == set(row)
    depthwise = next(r for r in mobilenet_v2() if r.name == "block3_dw")
    moved = (56 * 56 * 144 * 2 + 9 * 144) * 4  # input + weights + output, float32
    assert depthwise.bytes_moved == moved and depthwise.arithmetic_intensity == Fraction(
        56 * 56 * 144 * 9, moved
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 224), "α must be > 0"),
        ((float("inf"), 224), "α must be > 0"),
        (("wide", 224), "α must be a number"),
        ((1, 0), "resolution must be ≥ 1"),
        ((1, 96.5), "resolution must be a whole number"),
    ],
)
def test_invalid_networks_say_why(args, message):
    with pytest.raises(ValueError, match=message):
        mobilenet_v2(*args)
