"""MobileNet v2 (Sandler et al. 2018, Table 2) as rows of exact costs, in v1's :class:`Network`.

Layers, for input ρ×ρ×3 (ρ = 224 in Table 2):

* conv 3×3, stride 2, 3 → 32 channels, BN, ReLU6;
* 17 inverted residual blocks in seven sequences (t, c, n, s): expansion factor t, output channels c,
  n repeats, stride s on the first repeat (1 on the others). One block on M channels is a 1×1 expand
  conv M → t·M + BN + ReLU6 (absent when t = 1), a 3×3 depthwise conv (stride s) + BN + ReLU6, and a
  1×1 *linear* projection t·M → c + BN (no activation: the "linear bottleneck"). When the stride is 1
  and M = c the block's input is added to its output (the residual);
* conv 1×1 → 1280, BN, ReLU6; global average pool; FC 1280 → 1000 with a bias.

Width multiplier α: each width c becomes ``make_divisible(c·α)``, the reference implementation's
``_make_divisible(c·α, 8)``: the nearest multiple of 8, at least 8, and one step of 8 up when the
nearest is more than 10 % below c·α. The paper: "for multipliers less than one, we apply width
multiplier to all layers except the very last convolutional layer", so the last conv has
``make_divisible(1280·max(α, 1))`` channels (1280 for α ≤ 1, 1792 at α = 1.4). α is an exact fraction
(0.35 is 7/20), so c·α is never a float just below a rounding boundary.

Counting (the paper's, as for v1): **mult-adds** are the multiply-accumulates of the conv and FC layers,
counted from the output size; BatchNorm, ReLU6, the residual adds, pooling and the FC bias are not.
**params** are the conv and FC weights; not the FC bias, not BatchNorm.

At 1.0-224 that is 300,774,272 mult-adds and 3,469,760 params. The paper prints "300M" and "3.4M"
(Table 4): both numbers *truncated* after the printed digit, not rounded (rounding gives 301M and
3.5M). The FC bias cannot be told apart that way (3,470,760 params with it, also 3.4M); we leave it
out, as for v1. BatchNorm is not in the paper's count: with its γ and β the model has 3,504,872
params (what ``sum(p.numel() for p in model.parameters())`` gives for torchvision's
``mobilenet_v2()``), 3.5M truncated or rounded. The reference implementation's README
(tensorflow/models, research/slim/nets/mobilenet) lists 22 of the (α, ρ) pairs with MACs truncated the
same way (to whole millions: 300 at 1.0-224, 11 at 0.35-96) and params rounded to 0.01M (3.47).
:func:`paper_rounding` says this for any α and ρ.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from dsviz.checks import require_whole
from dsviz.mobilenet import (
    CLASSES,
    IN_CHANNELS,
    STEM,
    LayerRow,
    Network,
    as_fraction,
    conv_row,
    head_rows,
    to_torch,  # noqa: F401  (re-exported: it builds v2 from its rows as it builds v1)
)

# Table 2: (expansion t, output channels c, repeats n, stride s of the first repeat).
SEQUENCES: tuple[tuple[int, int, int, int], ...] = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
LAST_CHANNELS = 1280
DIVISOR = 8
ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)  # the paper's width multipliers (Section 6.1)
RESOLUTIONS = (96, 128, 160, 192, 224)  # and its input resolutions
PAPER_COUNTS = ("300", "3.4")  # Table 4, 1.0-224: million mult-adds, million params, as printed


def make_divisible(value: Fraction | int, divisor: int = DIVISOR) -> int:
    """The reference's ``_make_divisible(v, 8)``: the multiple of 8 nearest ``value`` (halves round up),
    at least 8, and 8 more when that nearest one is over 10 % below ``value``.

    >>> make_divisible(Fraction(56, 5))  # 32 · 0.35 = 11.2: 8 is 29 % below, so 16
    16
    """
    rounded = max(divisor, int(value + Fraction(divisor, 2)) // divisor * divisor)
    return rounded + divisor if rounded < Fraction(9, 10) * value else rounded


def mobilenet_v2(alpha: float | Fraction = 1.0, resolution: int = 224, *, classes: int = CLASSES) -> Network:
    """MobileNet v2 at width multiplier ``alpha`` and input ``resolution × resolution × 3``.

    Rows: conv1, then per block ``block{i}_expand`` (not in block 1, where t = 1), ``block{i}_dw`` and
    ``block{i}_project`` (``residual=True`` when the block adds its input), then ``conv_last``,
    ``avgpool`` and ``fc``; ``row.block`` groups a block's rows.
    """
    alpha = as_fraction(alpha)
    resolution = require_whole("resolution", resolution)
    classes = require_whole("classes", classes)
    stem_channels, stem_stride = STEM  # v1's stem: conv 3×3, stride 2, 32 channels
    rows: list[LayerRow] = [
        conv_row(
            "conv1",
            "conv3x3",
            (resolution, resolution, IN_CHANNELS),
            make_divisible(stem_channels * alpha),
            stem_stride,
            "relu6",
        )
    ]
    index = 0
    for expansion, channels, repeats, first_stride in SEQUENCES:
        out = make_divisible(channels * alpha)
        for repeat in range(repeats):
            index += 1
            stride = first_stride if repeat == 0 else 1
            rows += inverted_residual(f"block{index}", rows[-1].output_shape, expansion, out, stride)
    last = make_divisible(LAST_CHANNELS * max(alpha, Fraction(1)))
    rows.append(conv_row("conv_last", "last1x1", rows[-1].output_shape, last, 1, "relu6"))
    rows += head_rows(rows[-1].output_shape, classes)
    return Network(f"{float(alpha):g} MobileNetV2-{resolution}", alpha, resolution, False, tuple(rows))


def inverted_residual(
    block: str, shape: tuple[int, int, int], expansion: int, out: int, stride: int
) -> list[LayerRow]:
    """One block's rows on an (H, W, M) input: [expand M → t·M], depthwise 3×3, project t·M → out."""
    rows = []
    if expansion != 1:  # t = 1: the depthwise conv works on the block input itself
        rows.append(conv_row(f"{block}_expand", "expand1x1", shape, shape[2] * expansion, 1, "relu6", block))
        shape = rows[-1].output_shape  # (H, W, t·M)
    rows.append(conv_row(f"{block}_dw", "dw3x3", shape, shape[2], stride, "relu6", block))
    project = conv_row(f"{block}_project", "project1x1", rows[-1].output_shape, out, 1, "none", block)
    # the shortcut needs the same shape in and out: stride 1 and M = out (block input's channels)
    residual = stride == 1 and rows[0].input_shape[2] == out
    rows.append(dataclasses.replace(project, residual=residual))
    return rows


def truncated_millions(count: int, decimals: int = 0) -> str:
    """``count`` in millions, cut (not rounded) after ``decimals`` places, as the paper prints:
    300,774,272 → "300"; 3,469,760 at one decimal → "3.4"."""
    whole, part = divmod(count // 10 ** (6 - decimals), 10**decimals)
    return f"{whole:,}.{part:0{decimals}d}" if decimals else f"{whole:,}"


def rounded_millions(count: int, decimals: int = 0) -> str:
    return f"{count / 1e6:,.{decimals}f}"


def paper_rounding(net: Network) -> str:
    """How our exact counts become the paper's printed ones, in a few sentences for the page and CLI."""
    macs, params = truncated_millions(net.mult_adds), truncated_millions(net.params, 1)
    lines = [
        f"In the paper's rounding: {net.mult_adds:,} mult-adds → {macs}M, {net.params:,} params → "
        f"{params}M — cut after the printed digit, not rounded (rounding gives "
        f"{rounded_millions(net.mult_adds)}M and {rounded_millions(net.params, 1)}M).",
    ]
    if net.alpha == 1 and net.resolution == 224:
        lines.append(
            f"The paper prints {PAPER_COUNTS[0]}M and {PAPER_COUNTS[1]}M for this model (Table 4): "
            + ("the same." if (macs, params) == PAPER_COUNTS else "not these.")
        )
    with_bias = net.params + sum(row.bias_params for row in net)
    with_bn = with_bias + sum(2 * row.bn_channels for row in net)
    lines.append(
        f"Params are the conv and FC weights (as for v1). With the FC bias: {with_bias:,} "
        f"({truncated_millions(with_bias, 1)}M by the same cut); with BatchNorm's γ and β as well: "
        f"{with_bn:,} ({truncated_millions(with_bn, 1)}M), what torch's numel() counts for the real model. "
        "Mult-adds are those of the conv and FC layers: no BatchNorm, ReLU6, residual adds or pooling."
    )
    return "\n".join(lines)
