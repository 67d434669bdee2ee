"""Exact cost model: mult-adds, parameters and memory of every convolution form.

Counting convention (the MobileNet paper's, and the default everywhere here):

* **mult-adds (MACs)** are the multiply-accumulates of conv and fully-connected layers, counted from
  the *output* size: ``K²·(M/groups)·N·H_out·W_out``. Bias additions, BatchNorm, ReLU and pooling
  are never counted. FLOPs = 2 × MACs (one multiply and one add), which is what
  ``torch.utils.flop_counter`` reports.
* **params** are the conv/FC weights; the bias is added only when a layer has one. BatchNorm
  (γ, β, and the stored running mean/var) is counted only when a :class:`Convention` asks for it.

All counts are exact Python ints; ratios are :class:`fractions.Fraction` (call ``float()`` to plot).
Output sizes come from :mod:`dsviz.geometry`, the same arithmetic the ops use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

from dsviz.checks import require_groups, require_whole
from dsviz.convention import PAPER, BatchNormCount, Convention, Unit  # noqa: F401  (re-exported)
from dsviz.geometry import Padding, output_size

FLOAT32_BYTES = 4


# --------------------------------------------------------------------------- validation


# --------------------------------------------------------------------------- conventions


# --------------------------------------------------------------------------- one layer


@dataclass(frozen=True)
class ConvCost:
    """Cost of one ``nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation,
    groups, bias)`` on an ``in_channels × height × width`` input (batch 1).

    ``mult_adds = K²·(M/groups)·N·H_out·W_out`` (bias never counted); ``params = weights + bias``
    (the N biases only when ``bias``). ``batch_norm`` records that a BN follows the conv; it is
    counted only through :meth:`counted_params`. Memory is ``bytes_per_element`` per number.
    """

    in_channels: int
    out_channels: int
    kernel_size: int
    height: int
    width: int
    stride: int
    padding: Padding
    dilation: int
    groups: int
    bias: bool
    batch_norm: bool
    bytes_per_element: int
    out_height: int
    out_width: int
    weights: int
    params: int
    mult_adds: int

    @property
    def flops(self) -> int:
        """FLOPs = 2 × MACs, as ``torch.utils.flop_counter`` reports."""
        return 2 * self.mult_adds

    @property
    def bias_params(self) -> int:
        return self.out_channels if self.bias else 0

    @property
    def input_bytes(self) -> int:
        return self.in_channels * self.height * self.width * self.bytes_per_element

    @property
    def weight_bytes(self) -> int:
        return self.params * self.bytes_per_element

    @property
    def activation_bytes(self) -> int:
        """Bytes of this layer's output: ``N·H_out·W_out`` numbers."""
        return self.out_channels * self.out_height * self.out_width * self.bytes_per_element

    @property
    def bytes_moved(self) -> int:
        """Input + weights + output, each read or written once (the least any kernel moves)."""
        return self.input_bytes + self.weight_bytes + self.activation_bytes

    @property
    def arithmetic_intensity(self) -> Fraction:
        """MACs per byte moved. Low (depthwise: about K²/(2·bytes)) means memory-bound."""
        return Fraction(self.mult_adds, self.bytes_moved)

    def compute(self, convention: Convention = PAPER) -> int:
        return convention.compute(self.mult_adds)

    def counted_params(self, convention: Convention = PAPER) -> int:
        """Params under ``convention``: it only counts what the layer has (bias, a following BN)."""
        bias = self.bias_params if convention.bias else 0
        bn = convention.bn_params(self.out_channels) if self.batch_norm else 0
        return self.weights + bias + bn

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready values: the fields plus the derived counts."""
        return {
            **asdict(self),
            "flops": self.flops,
            "activation_bytes": self.activation_bytes,
            "bytes_moved": self.bytes_moved,
            "arithmetic_intensity": float(self.arithmetic_intensity),
        }


def conv_cost(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    height: int,
    width: int,
    *,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
    groups: int = 1,
    bias: bool = False,
    batch_norm: bool = False,
    bytes_per_element: int = FLOAT32_BYTES,
) -> ConvCost:
    """Exact cost of a (grouped, strided, dilated) 2-D convolution; see :class:`ConvCost`.

    Raises ``ValueError`` for non-integer or non-positive sizes, groups that do not divide the
    channels, or an empty output.
    """
    in_channels = require_whole("input channels", in_channels)
    out_channels = require_whole("output channels", out_channels)
    kernel_size = require_whole("kernel size", kernel_size)
    height = require_whole("height", height)
    width = require_whole("width", width)
    stride = require_whole("stride", stride)
    dilation = require_whole("dilation", dilation)
    groups = require_whole("groups", groups)
    bytes_per_element = require_whole("bytes per element", bytes_per_element)
    require_groups(in_channels, out_channels, groups)
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    out_height = output_size(height, kernel_size, **geometry)
    out_width = output_size(width, kernel_size, **geometry)
    # weight tensor (N, M/groups, K, K): each output pixel uses every weight of its filter once,
    # so MACs = (number of weights) × (output pixels).
    weights = out_channels * (in_channels // groups) * kernel_size**2
    return ConvCost(
        in_channels=in_channels,
        out_channels=out_channels,
        kernel_size=kernel_size,
        height=height,
        width=width,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=bool(bias),
        batch_norm=bool(batch_norm),
        bytes_per_element=bytes_per_element,
        out_height=out_height,
        out_width=out_width,
        weights=weights,
        params=weights + (out_channels if bias else 0),
        mult_adds=weights * out_height * out_width,
    )


def linear_cost(
    in_features: int, out_features: int, *, bias: bool = False, bytes_per_element: int = 4
) -> ConvCost:
    """A fully-connected layer is a 1×1 convolution on a 1×1 input: ``M·N`` MACs and weights."""
    return conv_cost(in_features, out_features, 1, 1, 1, bias=bias, bytes_per_element=bytes_per_element)


def depthwise_cost(
    channels: int,
    kernel_size: int,
    height: int,
    width: int,
    *,
    multiplier: int = 1,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
    bias: bool = False,
    batch_norm: bool = False,
    bytes_per_element: int = FLOAT32_BYTES,
) -> ConvCost:
    """Depthwise stage: ``groups=M``, ``M·d`` outputs, weights ``(M·d, 1, K, K)``.

    MACs = ``K²·M·d·H_out·W_out``: each output channel looks at one input channel only.
    """
    channels = require_whole("input channels", channels)
    multiplier = require_whole("depth multiplier", multiplier)
    geometry = {"stride": stride, "padding": padding, "dilation": dilation, "groups": channels}
    memory = {"bias": bias, "batch_norm": batch_norm, "bytes_per_element": bytes_per_element}
    return conv_cost(channels, channels * multiplier, kernel_size, height, width, **geometry, **memory)


def pointwise_cost(
    in_channels: int,
    out_channels: int,
    height: int,
    width: int,
    *,
    bias: bool = False,
    batch_norm: bool = False,
    bytes_per_element: int = FLOAT32_BYTES,
) -> ConvCost:
    """Pointwise stage: a 1×1 convolution, ``M·N·H·W`` MACs — a matrix product per pixel."""
    memory = {"bias": bias, "batch_norm": batch_norm, "bytes_per_element": bytes_per_element}
    return conv_cost(in_channels, out_channels, 1, height, width, **memory)


# --------------------------------------------------------------------------- separable vs standard


@dataclass(frozen=True)
class Comparison:
    """Standard vs separable, both counted under one :class:`Convention`."""

    convention: Convention
    standard_compute: int
    separable_compute: int
    standard_params: int
    separable_params: int

    @property
    def saved_compute(self) -> int:
        return self.standard_compute - self.separable_compute

    @property
    def saved_params(self) -> int:
        return self.standard_params - self.separable_params

    @property
    def compute_ratio(self) -> Fraction:
        """separable / standard (small is good)."""
        return Fraction(self.separable_compute, self.standard_compute)

    @property
    def params_ratio(self) -> Fraction:
        return Fraction(self.separable_params, self.standard_params)

    def as_dict(self) -> dict[str, object]:
        return {
            **asdict(self),
            "convention": self.convention.describe(),
            "saved_compute": self.saved_compute,
            "saved_params": self.saved_params,
            "compute_ratio": float(self.compute_ratio),
            "params_ratio": float(self.params_ratio),
        }


@dataclass(frozen=True)
class SeparableCost:
    """Depthwise (multiplier d) + pointwise, and the standard convolution it replaces.

    ``mult_adds``/``params`` are the separable totals (MACs; weights, plus biases when the layers
    have them). With the same K, stride, padding and dilation, the depthwise and the standard conv
    share one output grid, so the MAC ratio is exactly ``g·d·(1/N + 1/K²)`` for any stride and
    padding: the formula as usually written, ``1/N + 1/K²``, is the case d = 1, groups = 1.
    """

    depthwise: ConvCost
    pointwise: ConvCost
    standard: ConvCost
    multiplier: int

    @property
    def stages(self) -> tuple[ConvCost, ConvCost]:
        return (self.depthwise, self.pointwise)

    @property
    def mult_adds(self) -> int:
        return self.depthwise.mult_adds + self.pointwise.mult_adds

    @property
    def flops(self) -> int:
        return 2 * self.mult_adds

    @property
    def params(self) -> int:
        return self.depthwise.params + self.pointwise.params

    @property
    def saved_mult_adds(self) -> int:
        return self.standard.mult_adds - self.mult_adds

    @property
    def saved_params(self) -> int:
        return self.standard.params - self.params

    @property
    def ratio(self) -> Fraction:
        """Exact MAC ratio separable / standard, counted layer by layer."""
        return Fraction(self.mult_adds, self.standard.mult_adds)

    @property
    def params_ratio(self) -> Fraction:
        return Fraction(self.params, self.standard.params)

    @property
    def reduction(self) -> Fraction:
        """How many times fewer MACs: standard / separable (the usual "8–9×" for K = 3 needs N ≥ 72)."""
        return 1 / self.ratio

    @property
    def usual_ratio(self) -> Fraction:
        """The closed form as usually written, ``1/N + 1/D_K²`` (derived for d = 1, groups = 1)."""
        return Fraction(1, self.standard.out_channels) + Fraction(1, self.standard.kernel_size**2)

    @property
    def closed_form_ratio(self) -> Fraction:
        """``g·d·(1/N + 1/K²)``: the usual formula with multiplier d and standard groups g."""
        return self.standard.groups * self.multiplier * self.usual_ratio

    @property
    def usual_is_exact(self) -> bool:
        return self.ratio == self.usual_ratio

    def compare(self, convention: Convention = PAPER) -> Comparison:
        return Comparison(
            convention=convention,
            standard_compute=self.standard.compute(convention),
            separable_compute=sum(stage.compute(convention) for stage in self.stages),
            standard_params=self.standard.counted_params(convention),
            separable_params=sum(stage.counted_params(convention) for stage in self.stages),
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "multiplier": self.multiplier,
            "mult_adds": self.mult_adds,
            "flops": self.flops,
            "params": self.params,
            "saved_mult_adds": self.saved_mult_adds,
            "saved_params": self.saved_params,
            "ratio": float(self.ratio),
            "ratio_exact": str(self.ratio),
            "params_ratio": float(self.params_ratio),
            "reduction": float(self.reduction),
            "usual_ratio": float(self.usual_ratio),
            "usual_ratio_exact": str(self.usual_ratio),
            "usual_is_exact": self.usual_is_exact,
            "depthwise": self.depthwise.as_dict(),
            "pointwise": self.pointwise.as_dict(),
            "standard": self.standard.as_dict(),
        }


def separable_cost(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    height: int,
    width: int,
    *,
    multiplier: int = 1,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
    groups: int = 1,
    bias: bool = False,
    batch_norm: bool = False,
    bytes_per_element: int = FLOAT32_BYTES,
) -> SeparableCost:
    """Depthwise K×K (M → M·d, stride, padding, dilation) then pointwise 1×1 (M·d → N), compared
    with the standard K×K convolution M → N it replaces (with ``groups`` groups; 1 = full).

    ``bias``/``batch_norm`` apply to all three convolutions. MACs never include bias or BN.
    """
    memory = {"bias": bias, "batch_norm": batch_norm, "bytes_per_element": bytes_per_element}
    geometry = {"stride": stride, "padding": padding, "dilation": dilation}
    standard = conv_cost(
        in_channels, out_channels, kernel_size, height, width, groups=groups, **geometry, **memory
    )
    depthwise = depthwise_cost(
        in_channels, kernel_size, height, width, multiplier=multiplier, **geometry, **memory
    )
    pointwise = pointwise_cost(
        depthwise.out_channels, out_channels, depthwise.out_height, depthwise.out_width, **memory
    )
    return SeparableCost(depthwise, pointwise, standard, multiplier=depthwise.out_channels // in_channels)
