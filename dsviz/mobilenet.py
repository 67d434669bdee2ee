"""MobileNet v1 (Howard et al. 2017, Table 1) as rows of exact costs; the rows, the network and the
torch builder here serve v2 too (:mod:`dsviz.mobilenet_v2`).

Counting convention = the paper's: mult-adds of conv and FC layers only; params = conv and FC
weights only (no bias, no BatchNorm). Each conv is followed by BN + ReLU and the FC has a bias in
the real model; :meth:`Network.counted_params` counts those under another :class:`Convention`.

Shapes are written ``(H, W, C)`` as in the paper's table. 'same' padding (PyTorch's ``padding=K//2``
at dilation 1).
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from dsviz.checks import require_whole
from dsviz.cost import FLOAT32_BYTES, PAPER, Convention, conv_cost, linear_cost

if TYPE_CHECKING:
    from torch import nn

# v1: conv3x3 (the first conv), dw3x3, conv1x1 (pointwise), avgpool, fc. v2 shares conv3x3, dw3x3,
# avgpool and fc, and names its three kinds of 1×1 apart so a chart can colour them apart.
LayerType = Literal["conv3x3", "dw3x3", "conv1x1", "expand1x1", "project1x1", "last1x1", "avgpool", "fc"]
KERNEL_3X3: tuple[LayerType, ...] = ("conv3x3", "dw3x3")  # every other conv is 1×1
Activation = Literal["relu", "relu6", "none"]  # what follows the BN (v1: ReLU; v2: ReLU6 or nothing)
Shape = tuple[int, int, int]  # (H, W, C)

IN_CHANNELS = 3
STEM = (32, 2)  # conv 3×3, stride 2, 3 → 32
# (output channels, stride) of the 13 depthwise separable blocks. The printed Table 1 says stride
# 2 for the last depthwise layer, but its input and output are both 7×7: it is stride 1.
BLOCKS: tuple[tuple[int, int], ...] = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    *((512, 1),) * 5,
    (1024, 2),
    (1024, 1),
)
CLASSES = 1000

# The v1 paper's Tables 6 (α at ρ = 224) and 7 (ρ at α = 1.0), as printed: (α, ρ, ImageNet top-1 %,
# million mult-adds, million params). The accuracies are the paper's, not measured by this project.
PUBLISHED_SWEEP: tuple[tuple[Fraction, int, float, int, float], ...] = (
    (Fraction(1), 224, 70.6, 569, 4.2),
    (Fraction(3, 4), 224, 68.4, 325, 2.6),
    (Fraction(1, 2), 224, 63.7, 149, 1.3),
    (Fraction(1, 4), 224, 50.6, 41, 0.5),
    (Fraction(1), 192, 69.1, 418, 4.2),
    (Fraction(1), 160, 67.2, 290, 4.2),
    (Fraction(1), 128, 64.4, 186, 4.2),
)
# Table 2 (1.0 MobileNet-224), as printed: layer type → (% of mult-adds, % of params). The 1.19 is a
# misprint: the first conv's share is 1.91 % (10,838,016 / 568,740,352), and only 1.91 makes the
# column add up to 100 %.
TABLE_2_PRINTED: dict[str, tuple[float, float]] = {
    "conv1x1": (94.86, 74.59),
    "dw3x3": (3.06, 1.06),
    "conv3x3": (1.19, 0.02),
    "fc": (0.18, 24.33),
}


@dataclass(frozen=True)
class LayerRow:
    """One line of the table: a layer, its shapes and its cost in the paper's convention.

    ``bias_params`` is the bias the real layer has (only the FC: BN follows every conv);
    ``bn_channels`` the channels of the BatchNorm after it (0 for pool and FC); ``activation`` what
    follows that BN. v2 only: ``block`` names the inverted residual block the row belongs to, and
    ``residual`` says that the block's input is added to this row's output (a shortcut: no
    mult-adds counted).
    """

    name: str
    type: LayerType
    stride: int
    input_shape: Shape
    output_shape: Shape
    mult_adds: int
    params: int
    bias_params: int = 0
    bn_channels: int = 0
    activation: Activation = "none"
    block: str = ""
    residual: bool = False

    @property
    def kernel_size(self) -> int:
        return 3 if self.type in KERNEL_3X3 else 1

    @property
    def groups(self) -> int:
        """Depthwise: one group per input channel."""
        return self.input_shape[2] if self.type == "dw3x3" else 1

    @property
    def activation_bytes(self) -> int:
        """float32 bytes of this layer's output."""
        return math.prod(self.output_shape) * FLOAT32_BYTES

    @property
    def bytes_moved(self) -> int:
        """Input + weights (and bias) + output, each read or written once, as :class:`ConvCost` counts
        them. A residual add's second read of the block input is not in it."""
        read = math.prod(self.input_shape) + self.params + self.bias_params
        return read * FLOAT32_BYTES + self.activation_bytes

    @property
    def arithmetic_intensity(self) -> Fraction:
        """MACs per byte moved: depthwise rows are low (memory-bound), 1×1 rows high."""
        return Fraction(self.mult_adds, self.bytes_moved)

    def compute(self, convention: Convention = PAPER) -> int:
        return convention.compute(self.mult_adds)

    def counted_params(self, convention: Convention = PAPER) -> int:
        bias = self.bias_params if convention.bias else 0
        return self.params + bias + convention.bn_params(self.bn_channels)

    def as_dict(self) -> dict[str, object]:
        """Table-ready: shapes as "112×112×32" strings, like the paper."""
        return {
            "name": self.name,
            "type": self.type,
            "stride": self.stride,
            "input_shape": "×".join(map(str, self.input_shape)),
            "output_shape": "×".join(map(str, self.output_shape)),
            "mult_adds": self.mult_adds,
            "params": self.params,
            "activation_bytes": self.activation_bytes,
            "macs_per_byte": float(self.arithmetic_intensity),
            "activation": self.activation,
            "residual": self.residual,
        }


@dataclass(frozen=True)
class TypeShare:
    """Totals of one layer type and their share of the network (the paper's Table 2)."""

    type: LayerType
    layers: int
    mult_adds: int
    params: int
    mult_adds_share: Fraction
    params_share: Fraction

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "layers": self.layers,
            "mult_adds": self.mult_adds,
            "params": self.params,
            "mult_adds_share": float(self.mult_adds_share),
            "params_share": float(self.params_share),
        }


@dataclass(frozen=True)
class Network:
    """A network as cost rows; totals in the paper's convention."""

    name: str
    alpha: Fraction
    resolution: int
    full_conv: bool
    rows: tuple[LayerRow, ...]

    def __iter__(self) -> Iterator[LayerRow]:
        return iter(self.rows)

    @property
    def mult_adds(self) -> int:
        return sum(row.mult_adds for row in self.rows)

    @property
    def params(self) -> int:
        return sum(row.params for row in self.rows)

    def compute(self, convention: Convention = PAPER) -> int:
        return convention.compute(self.mult_adds)

    def counted_params(self, convention: Convention = PAPER) -> int:
        return sum(row.counted_params(convention) for row in self.rows)

    def breakdown(self) -> tuple[TypeShare, ...]:
        """Mult-adds and params per layer type, in order of first appearance."""
        types = dict.fromkeys(row.type for row in self.rows)
        shares = []
        for kind in types:
            rows = [row for row in self.rows if row.type == kind]
            mult_adds = sum(row.mult_adds for row in rows)
            params = sum(row.params for row in rows)
            shares.append(
                TypeShare(
                    type=kind,
                    layers=len(rows),
                    mult_adds=mult_adds,
                    params=params,
                    mult_adds_share=Fraction(mult_adds, self.mult_adds),
                    params_share=Fraction(params, self.params),
                )
            )
        return tuple(shares)

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.name,
            "alpha": float(self.alpha),
            "resolution": self.resolution,
            "full_conv": self.full_conv,
            "convention": PAPER.describe(),
            "mult_adds": self.mult_adds,
            "params": self.params,
            "layers": [row.as_dict() for row in self.rows],
            "breakdown": [share.as_dict() for share in self.breakdown()],
        }


def as_fraction(alpha: object) -> Fraction:
    """α as an exact fraction: 0.75 means 3/4, so ``int(c·α)`` has no rounding surprise."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise ValueError(f"width multiplier α must be a number, not {alpha!r}")
    if not math.isfinite(alpha) or alpha <= 0:
        raise ValueError(f"width multiplier α must be > 0 (got {alpha})")
    # str() of a float is its shortest decimal, the number the user typed (0.29, not 0.28999…).
    return Fraction(str(alpha)) if isinstance(alpha, float) else Fraction(alpha)


def scale_channels(channels: int, alpha: Fraction) -> int:
    """Width multiplier: ``int(c·α)`` as in the paper, with TF-slim's ``min_depth`` floor of 8 channels
    (the paper states no floor; it changes widths only for α < 0.25)."""
    return max(int(channels * alpha), 8)


def conv_row(
    name: str,
    kind: LayerType,
    shape: Shape,
    out_channels: int,
    stride: int,
    activation: Activation = "relu",  # v1's; v2 passes "relu6" or "none"
    block: str = "",
) -> LayerRow:
    """A conv row priced by :func:`dsviz.cost.conv_cost` ('same' padding, BN after, no bias)."""
    height, width, channels = shape
    groups = channels if kind == "dw3x3" else 1
    kernel = 3 if kind in KERNEL_3X3 else 1
    cost = conv_cost(channels, out_channels, kernel, height, width, stride=stride, groups=groups)
    return LayerRow(
        name=name,
        type=kind,
        stride=stride,
        input_shape=shape,
        output_shape=(cost.out_height, cost.out_width, out_channels),
        mult_adds=cost.mult_adds,
        params=cost.params,
        bn_channels=out_channels,
        activation=activation,
        block=block,
    )


def head_rows(shape: Shape, classes: int) -> tuple[LayerRow, LayerRow]:
    """Global average pool (no mult-adds, by the convention) then FC features → classes."""
    features = shape[2]
    fc = linear_cost(features, classes)
    pool = LayerRow("avgpool", "avgpool", 1, shape, (1, 1, features), 0, 0)
    fc_row = LayerRow("fc", "fc", 1, (1, 1, features), (1, 1, classes), fc.mult_adds, fc.params, classes)
    return pool, fc_row


def mobilenet_v1(
    alpha: float | Fraction = 1.0,
    resolution: int = 224,
    *,
    full_conv: bool = False,
    classes: int = CLASSES,
) -> Network:
    """MobileNet v1 at width multiplier ``alpha`` and input ``resolution × resolution × 3``.

    ``full_conv=True`` replaces each depthwise + pointwise pair with one standard 3×3 conv with
    the same input/output channels and stride (the paper's Table 4 comparison).
    """
    alpha = as_fraction(alpha)
    resolution = require_whole("resolution", resolution)
    classes = require_whole("classes", classes)
    stem_channels, stem_stride = STEM
    rows = [
        conv_row(
            "conv1",
            "conv3x3",
            (resolution, resolution, IN_CHANNELS),
            scale_channels(stem_channels, alpha),
            stem_stride,
        )
    ]
    for index, (channels, stride) in enumerate(BLOCKS, start=1):
        shape, out = rows[-1].output_shape, scale_channels(channels, alpha)
        if full_conv:
            rows.append(conv_row(f"block{index}_conv", "conv3x3", shape, out, stride))
            continue
        depthwise = conv_row(f"block{index}_dw", "dw3x3", shape, shape[2], stride)
        rows += [depthwise, conv_row(f"block{index}_pw", "conv1x1", depthwise.output_shape, out, 1)]
    rows += head_rows(rows[-1].output_shape, classes)
    name = f"{float(alpha):g} MobileNet-{resolution}" + (" (full convolution)" if full_conv else "")
    return Network(name, alpha, resolution, bool(full_conv), tuple(rows))


def separable_pairs(network: Network) -> tuple[tuple[LayerRow, LayerRow], ...]:
    """Each depthwise row with the 1×1 row after it (v1's pointwise, v2's projection): together one
    depthwise separable block, K×K depthwise at the row's stride then a 1×1 to the pair's outputs."""
    rows = network.rows
    return tuple(
        (row, after)
        for row, after in itertools.pairwise(rows)
        if row.type == "dw3x3" and after.type in ("conv1x1", "project1x1")
    )


def to_torch(network: Network, *, batch_norm: bool = True, fc_bias: bool = True) -> nn.Sequential:
    """The network (v1 or v2) as a PyTorch ``nn.Sequential`` built from the same rows.

    Defaults give the real model (conv → BN → activation, FC with bias); ``batch_norm=False,
    fc_bias=False`` gives exactly the layers the paper counts (the activations stay: they have no
    weights and no mult-adds). v1 rows become one child each; the rows of a v2 block become one child,
    wrapped in ``Residual`` (:func:`residual_class`) when the block adds its input.
    """
    from torch import nn  # lazy: the cost model and the CLI do not need torch

    children: OrderedDict[str, nn.Module] = OrderedDict()  # nn.Sequential names its children
    for key, group in itertools.groupby(network.rows, key=lambda row: row.block or row.name):
        rows = list(group)
        if not rows[0].block:
            children[key] = layer_module(rows[0], batch_norm=batch_norm, fc_bias=fc_bias)
            continue
        # "block3_dw" → "dw" inside the block's own Sequential
        body = nn.Sequential(
            OrderedDict(
                (row.name.removeprefix(f"{key}_"), layer_module(row, batch_norm=batch_norm, fc_bias=fc_bias))
                for row in rows
            )
        )
        children[key] = residual_class()(body) if rows[-1].residual else body
    return nn.Sequential(children)


def layer_module(row: LayerRow, *, batch_norm: bool, fc_bias: bool) -> nn.Module:
    """One row as torch layers: pool → flatten, FC, or conv (no bias) → [BN → activation]."""
    from torch import nn

    channels, out = row.input_shape[2], row.output_shape[2]
    if row.type == "avgpool":
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    if row.type == "fc":
        return nn.Linear(channels, out, bias=fc_bias)
    conv = nn.Conv2d(
        channels,
        out,
        row.kernel_size,
        stride=row.stride,
        padding=row.kernel_size // 2,
        groups=row.groups,
        bias=False,
    )
    extra = [nn.BatchNorm2d(out)] if batch_norm else []
    if row.activation != "none":
        extra.append(nn.ReLU6(inplace=True) if row.activation == "relu6" else nn.ReLU(inplace=True))
    return nn.Sequential(conv, *extra)


@functools.cache
def residual_class() -> type[nn.Module]:
    """``Residual(body)(x) = x + body(x)``, v2's shortcut. Made on first use, so that importing this
    module does not import torch; named ``dsviz.mobilenet.Residual`` (see :func:`__getattr__`), so a
    pickled model (``torch.save(model)``) finds it again."""
    from torch import Tensor, nn

    class Residual(nn.Module):
        def __init__(self, body: nn.Module) -> None:
            super().__init__()
            self.body = body

        def forward(self, x: Tensor) -> Tensor:
            return x + self.body(x)  # same shape: stride 1 and as many channels out as in

    Residual.__module__, Residual.__qualname__ = __name__, "Residual"
    return Residual


def __getattr__(name: str) -> object:
    """``dsviz.mobilenet.Residual``: the class, built (importing torch) when first asked for."""
    if name == "Residual":
        return residual_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
