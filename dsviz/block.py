"""One depthwise separable block, typed and frozen, and the settings registry that links it to a URL.

Every page shows the same block: the Playground edits it, the other pages read it. A :class:`Block`
holds plain values only (names, ints, tuples of floats), so it is hashable — a cache key as it is —
and answers everything a page asks: kernel and weight arrays, ``run(x)`` through :mod:`dsviz.ops`,
its exact cost, the composed standard kernel, and the PyTorch code that computes the same thing.

The block's order is MobileNet's: depthwise conv → [BN → activation] → pointwise conv → [BN →
activation]. Batch norm is evaluated as PyTorch's ``BatchNorm2d`` in training mode on this one
image: each map is normalised with its own mean and (biased) variance, γ = 1, β = 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dsviz import codegen, cost, images, keras_export, kernels
from dsviz.checks import DILATIONS, KERNEL_SIZES, PADDING_MODES, STRIDES
from dsviz.inputs import MAX_CHANNELS, MAX_COPIES, channel_colours, channel_labels
from dsviz.registry import Choice, Flag, Integer, Notice, Numbers, Registry
from dsviz.settings_costlab import COSTLAB_SETTINGS
from dsviz.settings_equivalence import EQUIVALENCE_SETTINGS
from dsviz.settings_lesson import LESSON_SETTINGS

MAX_MULTIPLIER = 4
MAX_OUT = 64
RESOLUTIONS = (64, 128, 192, 256, 384, 512, 768, 1024)
MAX_SIDE = RESOLUTIONS[-1]  # the longest side of any working image, so of any map
MAX_MAPS = MAX_CHANNELS * MAX_MULTIPLIER
BN_EPS = 1e-5  # PyTorch's BatchNorm2d default
CUSTOM = "custom"
# Named kernels per map: channel m's first kernel cycles through these, its later ones step by 3.
DEFAULT_CYCLE = ("sobel-x", "sobel-y", "laplacian", "gaussian", "sharpen", "emboss", "outline", "box")
FALLBACK = {"scharr-x": "sobel-x", "scharr-y": "sobel-y"}  # families that exist at fewer sizes
PADDING = {"same": "same", "valid": "valid"}
PADDING_MODE_LABELS = {
    "zeros": "zeros",
    "reflect": "reflect (mirror, edge not repeated)",
    "replicate": "replicate (repeat the edge)",
    "circular": "circular (wrap around)",
}
ACTIVATION_LABELS = {"none": "none", "relu": "ReLU", "relu6": "ReLU6"}


# --------------------------------------------------------------------------- the block


def lazy_ops():
    """:mod:`dsviz.ops`, imported when a block first runs: it imports torch (2-5 s), and the settings
    registry here is needed long before that (app.py imports torch in the background meanwhile)."""
    from dsviz import ops

    return ops


def finish(y: np.ndarray, batch_norm: bool, activation: str) -> np.ndarray:
    """What follows a convolution: batch norm with this image's statistics (γ = 1, β = 0), then the
    activation. y ``(C, H, W)``; returned as it is when there is neither."""
    if batch_norm:
        mean = y.mean(axis=(1, 2), dtype=np.float64)
        var = y.var(axis=(1, 2), dtype=np.float64)  # biased, as BatchNorm2d normalises in training
        ones = np.ones(len(y), np.float32)
        y = lazy_ops().batch_norm(y, ones, np.zeros_like(ones), mean, var, BN_EPS)
    return lazy_ops().activation(y, activation)


@dataclass(frozen=True)
class KernelChoice:
    """One depthwise kernel: a named family (built at K) or custom numbers (K² of them, row-major)."""

    name: str
    numbers: tuple[float, ...] | None = None
    seed: int = 0  # the "random" family draws from this seed

    def array(self, size: int) -> np.ndarray:
        if self.name == CUSTOM:
            return np.array(self.numbers, dtype=np.float32).reshape(size, size)
        return kernels.depthwise_kernel(self.name, size, seed=self.seed)

    def label(self) -> str:
        return "Custom" if self.name == CUSTOM else kernels.DEPTHWISE[self.name].label


@dataclass(frozen=True)
class Depthwise:
    """K×K filters, d per input channel; map ``j = m·d + r`` filters channel ``m`` (PyTorch's order)."""

    kernels: tuple[KernelChoice, ...]  # (M·d,)
    kernel_size: int = 3
    stride: int = 1
    dilation: int = 1
    padding: str = "same"
    padding_mode: str = "zeros"
    multiplier: int = 1

    def array(self) -> np.ndarray:
        return np.stack([k.array(self.kernel_size) for k in self.kernels])  # (M·d, K, K)

    def geometry(self) -> dict[str, Any]:
        """Where the window goes: the keyword arguments every op, oracle and code writer takes."""
        return {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "padding_mode": self.padding_mode,
        }

    def run(self, x: np.ndarray) -> np.ndarray:
        """``(M, H, W)`` → ``(M·d, H', W')``."""
        return lazy_ops().depthwise(x, self.array(), **self.geometry())


@dataclass(frozen=True)
class Pointwise:
    """An N × (M·d) mix: a named preset or custom numbers (row-major, outputs as rows)."""

    out_channels: int = 8
    preset: str = kernels.DEFAULT_POINTWISE
    numbers: tuple[float, ...] | None = None

    def array(self, maps: int, multiplier: int, colours: tuple[int | None, ...]) -> np.ndarray:
        if self.preset == CUSTOM:
            return np.array(self.numbers, dtype=np.float32).reshape(self.out_channels, maps)
        return kernels.pointwise_weights(
            self.preset, self.out_channels, maps // multiplier, multiplier, colours=colours
        )  # (N, M·d)


@dataclass(frozen=True)
class Block:
    """Depthwise → [BN → act] → pointwise → [BN → act] on M named input channels."""

    channels: tuple[str, ...]  # M input channel labels
    colours: tuple[int | None, ...]  # RGB index behind each channel, None for gray
    depthwise: Depthwise
    pointwise: Pointwise = field(default_factory=Pointwise)
    batch_norm: bool = False
    activation: str = "none"

    @property
    def m(self) -> int:
        return len(self.channels)

    @property
    def d(self) -> int:
        return self.depthwise.multiplier

    @property
    def n(self) -> int:
        return self.pointwise.out_channels

    @property
    def maps(self) -> int:
        """M·d depthwise maps."""
        return self.m * self.d

    def kernel_array(self) -> np.ndarray:
        return self.depthwise.array()  # (M·d, K, K)

    def weights(self) -> np.ndarray:
        return self.pointwise.array(self.maps, self.d, self.colours)  # (N, M·d)

    def map_labels(self) -> list[str]:
        """``Sobel x of R``: kernel j's label and the channel it filters (``j // d``)."""
        return [f"{k.label()} of {self.channels[j // self.d]}" for j, k in enumerate(self.depthwise.kernels)]

    def finish(self, y: np.ndarray) -> np.ndarray:
        """What follows each convolution in this block (see :func:`finish`)."""
        return finish(y, self.batch_norm, self.activation)

    def run_depthwise(self, x: np.ndarray) -> np.ndarray:
        """``(M, H, W)`` → the ``(M·d, H', W')`` maps the pointwise stage mixes."""
        return self.finish(self.depthwise.run(x))

    def run_pointwise(self, maps: np.ndarray) -> np.ndarray:
        """``(M·d, H', W')`` → ``(N, H', W')``."""
        return self.finish(lazy_ops().pointwise(maps, self.weights()))

    def run(self, x: np.ndarray) -> np.ndarray:
        """The whole block: ``(M, H, W)`` → ``(N, H', W')``."""
        return self.run_pointwise(self.run_depthwise(x))

    def cost(self, height: int, width: int, *, bias: bool = True) -> cost.SeparableCost:
        """Exact cost on an ``H × W`` input. Built with bias (so a convention may count it) and with
        BN exactly when the block has it."""
        dw = self.depthwise
        return cost.separable_cost(
            self.m,
            self.n,
            dw.kernel_size,
            height,
            width,
            multiplier=dw.multiplier,
            stride=dw.stride,
            padding=dw.padding,
            dilation=dw.dilation,
            bias=bias,
            batch_norm=self.batch_norm,
        )

    def output_labels(self) -> list[str]:
        """What each output is: ``(Sobel x of R − Sobel y of G)/2`` for a preset, ``out 3`` for custom."""
        if self.pointwise.preset == CUSTOM:
            return [f"out {n}" for n in range(self.n)]
        rows = kernels.row_labels(
            self.pointwise.preset, self.n, self.map_labels(), self.d, colours=self.colours
        )
        return [f"{n}: {row}" for n, row in enumerate(rows)]  # numbered: two outputs may mix alike

    def pointwise_caption(self) -> str:
        """What the preset does, true for these channels (with or without R, G and B)."""
        if self.pointwise.preset == CUSTOM:
            return "Your own numbers: row n holds the weights output n gives each depthwise map."
        return kernels.describe(self.pointwise.preset, kernels.has_colour(self.colours))

    def code(self, *, weights: bool = True) -> str:
        """PyTorch source for this block; with ``weights`` it carries this block's exact numbers."""
        return codegen.pytorch_block(
            self.m,
            self.n,
            self.depthwise.kernel_size,
            multiplier=self.d,
            batch_norm=self.batch_norm,
            activation=self.activation,
            depthwise=self.kernel_array() if weights else None,
            pointwise=self.weights() if weights else None,
            **self.depthwise.geometry(),
        )

    def keras_code(self, *, weights: bool = True) -> str:
        """Keras 3 source for this block (explicit symmetric padding: the same numbers as the page)."""
        return keras_export.keras_block(self, weights=weights)

    def composed(self) -> np.ndarray:
        """The standard kernel ``(N, M, K, K)`` that equals depthwise then pointwise (without BN/act)."""
        return lazy_ops().compose(self.kernel_array(), self.weights(), self.d)


# --------------------------------------------------------------------------- the registry


def layer(
    m: int,
    n: int,
    kernel_size: int,
    *,
    stride: int = 1,
    dilation: int = 1,
    multiplier: int = 1,
    padding: str = "same",
    padding_mode: str = "zeros",
    batch_norm: bool = False,
    activation: str = "none",
) -> Block:
    """A block of any size (a network's layer, not a picture's): no limits of the page's sliders, and
    identity kernels, since only its shape matters (for code without weights, and for its cost)."""
    identity = KernelChoice("identity")
    depthwise = Depthwise(
        (identity,) * (m * multiplier), kernel_size, stride, dilation, padding, padding_mode, multiplier
    )
    return Block(
        tuple(f"channel {i}" for i in range(m)),
        (None,) * m,
        depthwise,
        Pointwise(n),
        batch_norm,
        activation,
    )


def kernel_key(channel: int, slot: int) -> str:
    """``pg_dw3`` for channel 3's first kernel, ``pg_dw3_1`` for its second (d > 1)."""
    return f"pg_dw{channel}" + (f"_{slot}" if slot else "")


def custom_key(channel: int, slot: int) -> str:
    return f"pg_custom{channel}" + (f"_{slot}" if slot else "")


def default_kernel(channel: int, slot: int) -> str:
    return DEFAULT_CYCLE[(channel + 3 * slot) % len(DEFAULT_CYCLE)]


def _kernel_settings() -> list:
    names = (*kernels.DEPTHWISE, CUSTOM)
    labels = {name: kernels.DEPTHWISE[name].label for name in kernels.DEPTHWISE} | {CUSTOM: "Custom numbers"}
    settings: list = []
    for channel in range(MAX_CHANNELS):
        for slot in range(MAX_MULTIPLIER):
            where = f"channel {channel}" + (f", kernel {slot + 1}" if slot else "")
            settings.append(
                Choice(
                    kernel_key(channel, slot),
                    default_kernel(channel, slot),
                    f"Depthwise kernel ({where})",
                    "block",
                    options=names,
                    labels=labels,
                )
            )
            settings.append(
                Numbers(custom_key(channel, slot), None, f"Custom kernel ({where})", "block", most=121)
            )
    return settings


SETTINGS = Registry(
    [
        # the input image
        Choice(
            "img",
            images.DEFAULT_SAMPLE,
            "Built-in image",
            "image",
            options=tuple(images.SAMPLES),
            labels=images.SAMPLES,
        ),
        Integer(
            "res", 256, "Working resolution (longest side, px)", "image", options=RESOLUTIONS, widget="steps"
        ),
        Choice(
            "chan",
            "rgb",
            "Photo channels",
            "image",
            options=("rgb", "gray"),
            labels={"rgb": "RGB (3 channels)", "gray": "Grayscale (1 channel)"},
        ),
        Integer(
            "copies",
            0,
            "Extra filtered copies of the photo",
            "image",
            help="More input channels than the photo has: the photo is stacked with fixed 3×3-filtered "
            "versions of itself (blur, Sobel x, Sobel y, Laplacian, …), so M = C × (1 + copies).",
            options=tuple(range(MAX_COPIES + 1)),
        ),
        # the depthwise stage
        Integer("pg_k", 3, "Kernel size K", "block", options=tuple(KERNEL_SIZES), widget="steps"),
        Integer("pg_stride", 1, "Stride s", "block", options=tuple(STRIDES)),
        Integer("pg_dil", 1, "Dilation δ", "block", options=tuple(DILATIONS)),
        Choice(
            "pg_padding",
            "same",
            "Padding",
            "block",
            options=tuple(PADDING),
            labels=PADDING,
            help="'same' pads δ·(K−1)/2 pixels on each side, so the output is ⌈H/s⌉ × ⌈W/s⌉; 'valid' "
            "pads nothing, so the output shrinks by δ·(K−1) pixels before the stride.",
        ),
        Choice(
            "pg_pad",
            "zeros",
            "Padding values",
            "block",
            options=PADDING_MODES,
            labels=PADDING_MODE_LABELS,
            help="What the pixels outside the image are taken to be (only with 'same' padding).",
        ),
        Integer(
            "pg_d",
            1,
            "Depth multiplier d",
            "block",
            help="Kernels per input channel: M·d depthwise maps",
            options=tuple(range(1, MAX_MULTIPLIER + 1)),
        ),
        Flag("pg_shared", False, "One kernel for all channels", "block"),
        *_kernel_settings(),
        # the pointwise stage
        Integer("pg_n", 8, "Output channels N", "block", options=tuple(range(1, MAX_OUT + 1))),
        Choice(
            "pg_pw",
            kernels.DEFAULT_POINTWISE,
            "Pointwise weights",
            "block",
            options=(*kernels.POINTWISE, CUSTOM),
            labels={name: spec.label for name, spec in kernels.POINTWISE.items()}
            | {CUSTOM: "Custom numbers"},
        ),
        Numbers("pg_pwc", None, "Custom pointwise weights", "block", most=MAX_OUT * MAX_CHANNELS * 4),
        Flag(
            "pg_bn",
            False,
            "Batch norm",
            "block",
            help="After each convolution: normalise every map with this image's mean and variance "
            "(γ = 1, β = 0), as PyTorch's BatchNorm2d does in training mode.",
        ),
        Choice(
            "pg_act",
            "none",
            "Activation",
            "block",
            options=tuple(ACTIVATION_LABELS),
            labels=ACTIVATION_LABELS,
        ),
        # how the Playground draws it, and how costs are counted
        Choice(
            "pg_scale",
            "per-map",
            "Colour scale of the maps",
            "view",
            options=("per-map", "shared"),
            labels={
                "per-map": "one per map: every map's structure",
                "shared": "shared by a stage: compare magnitudes",
            },
        ),
        # every page: big text and tiles for a projector
        Flag(
            "present",
            False,
            "Presentation mode",
            "app",
            help="Larger text, tiles and numbers for a projector: fewer tiles per row, each drawn bigger.",
        ),
        # Inside one pixel: which output position, which map slides (−1: the centre / the first)
        Integer(
            "px_row",
            -1,
            "Output row",
            "pixel",
            default_text="the middle row",
            options=tuple(range(-1, MAX_SIDE)),
            widget="number",
        ),
        Integer(
            "px_col",
            -1,
            "Output column",
            "pixel",
            default_text="the middle column",
            options=tuple(range(-1, MAX_SIDE)),
            widget="number",
        ),
        Integer("px_anim", 0, "Map to animate", "pixel", options=tuple(range(MAX_MAPS)), widget="select"),
        # MobileNet: which network, its width multiplier α and input resolution ρ (a page narrows α and ρ
        # to what the chosen network's paper defines)
        Choice(
            "mn_net",
            "v1",
            "Network",
            "mobilenet",
            options=("v1", "v2"),
            labels={"v1": "MobileNet v1 (Howard et al. 2017)", "v2": "MobileNet v2 (Sandler et al. 2018)"},
        ),
        Choice(
            "mn_alpha",
            "1.0",
            "Width multiplier α",
            "mobilenet",
            help="Every layer's channel count is multiplied by α (v2 then rounds to a multiple of 8).",
            options=("0.25", "0.35", "0.5", "0.75", "1.0", "1.3", "1.4"),
        ),
        Integer(
            "mn_res",
            224,
            "Resolution ρ (input side, px)",
            "mobilenet",
            options=(96, 128, 160, 192, 224),
            widget="steps",
        ),
        Flag(
            "mn_full",
            False,
            "Full convolutions instead (v1)",
            "mobilenet",
            help="Every depthwise separable block replaced by one standard 3×3 convolution: the paper's "
            "Table 4 comparison.",
        ),
        # Code & downloads: which framework the block is written for
        Choice(
            "cd_fw",
            "pytorch",
            "Framework",
            "code",
            options=("pytorch", "keras"),
            labels={"pytorch": "PyTorch (nn.Module)", "keras": "Keras 3 (keras.Sequential)"},
        ),
        # Standard → grouped → depthwise: g, from 1 (standard) to M (depthwise); a page narrows it to
        # the divisors of M
        Integer(
            "gr_g",
            1,
            "Groups g",
            "groups",
            help="The input and output channels are split into g equal groups; an output sees only "
            "the M/g inputs of its group. g = 1: a standard convolution; g = M: a depthwise one.",
            options=tuple(range(1, MAX_CHANNELS + 1)),
            widget="steps",
        ),
        Choice(
            "pg_unit",
            "MACs",
            "Count compute in",
            "cost",
            options=("MACs", "FLOPs"),
            help="FLOPs = 2 × MACs. Many papers (ShuffleNet, EfficientNet) print "
            "mult-adds under the name FLOPs.",
        ),
        Flag(
            "pg_bias",
            False,
            "Count bias params",
            "cost",
            help="Count the N biases a layer with bias=True would have (the exported block has none).",
        ),
        Choice(
            "pg_bnp",
            "none",
            "BN params",
            "cost",
            options=("none", "trainable", "stored"),
            labels={"none": "no BN params", "trainable": "BN γ, β", "stored": "BN γ, β, mean, var"},
        ),
        *EQUIVALENCE_SETTINGS,
        *COSTLAB_SETTINGS,
        *LESSON_SETTINGS,
    ]
)


@dataclass(frozen=True)
class InputSpec:
    """Which image, at what size, with how many channels. ``ref`` is ``sample:<name>`` or
    ``upload:<sha256>`` (an upload is not part of a link: its bytes travel separately)."""

    ref: str
    resolution: int = 256
    grayscale: bool = False
    copies: int = 0

    def channels(self, photo_channels: int) -> tuple[tuple[str, ...], tuple[int | None, ...]]:
        """Labels and colours of the M input channels, for a photo with ``photo_channels`` (1 or 3)."""
        return channel_labels(photo_channels, self.copies), channel_colours(photo_channels, self.copies)


def input_spec(values: Mapping[str, Any], upload: str | None = None) -> InputSpec:
    v = SETTINGS.defaults() | dict(values)
    ref = f"upload:{upload}" if upload else f"sample:{v['img']}"
    return InputSpec(ref, v["res"], v["chan"] == "gray", v["copies"])


def resolve_kernel(name: str, size: int) -> str:
    """A kernel family that exists at ``size``: the name itself, its fallback, or the identity."""
    for candidate in (name, FALLBACK.get(name), "identity"):
        if candidate and size in kernels.DEPTHWISE[candidate].sizes:
            return candidate
    raise AssertionError("the identity exists at every size")  # pragma: no cover


def identity_numbers(size: int) -> tuple[float, ...]:
    return tuple(float(v) for v in kernels.depthwise_kernel("identity", size).ravel())


def _wrong_length(key: str, numbers: tuple[float, ...], why: str, used: str) -> Notice:
    return Notice(key, SETTINGS[key].format(numbers), why, used)


def plain(numbers: tuple[float, ...]) -> tuple[float, ...]:
    """-0.0 as 0.0: they compute alike, but a link writes both as "0", so the code and the tiles of
    a reopened link would otherwise print "0" where the view printed "-0"."""
    return tuple(x + 0.0 for x in numbers)


def _kernel(values: Mapping[str, Any], owner: int, slot: int, seed: int, size: int, notes: list[str]):
    name = values[kernel_key(owner, slot)]
    if name == CUSTOM:
        numbers = values.get(custom_key(owner, slot))
        if numbers is not None and len(numbers) != size * size:
            why = f"{len(numbers)} numbers, but a {size}×{size} kernel needs {size * size}"
            notes.append(_wrong_length(custom_key(owner, slot), numbers, why, "the identity"))
            numbers = None
        return KernelChoice(CUSTOM, plain(numbers) if numbers else identity_numbers(size))
    resolved = resolve_kernel(name, size)
    if resolved != name:
        notes.append(
            f"{kernels.DEPTHWISE[name].label} has no {size}×{size} form: using "
            f"{kernels.DEPTHWISE[resolved].label}."
        )
    return KernelChoice(resolved, seed=seed if resolved == "random" else 0)


def block_from(
    values: Mapping[str, Any], channels: tuple[str, ...], colours: tuple[int | None, ...]
) -> tuple[Block, list[str | Notice]]:
    """The block that ``values`` (parsed settings; missing keys take defaults) describe on these
    input channels, and notes on anything substituted: a sentence for a kernel family missing at K,
    a :class:`Notice` for custom numbers that do not fit the shape."""
    v = SETTINGS.defaults() | dict(values)
    size, d, notes = v["pg_k"], v["pg_d"], []
    choices = [
        _kernel(v, owner, slot, owner * d + slot, size, notes)
        for m in range(len(channels))
        for owner in [0 if v["pg_shared"] else m]
        for slot in range(d)
    ]
    depthwise = Depthwise(tuple(choices), size, v["pg_stride"], v["pg_dil"], v["pg_padding"], v["pg_pad"], d)
    n, width = v["pg_n"], len(channels) * d
    numbers = v.get("pg_pwc") if v["pg_pw"] == CUSTOM else None
    if v["pg_pw"] == CUSTOM and (numbers is None or len(numbers) != n * width):
        if numbers is not None:
            why = f"{len(numbers)} numbers, but {n}×{width} weights are needed"
            notes.append(_wrong_length("pg_pwc", numbers, why, "the identity mix"))
        start = kernels.pointwise_weights("identity", n, len(channels), d)
        numbers = tuple(float(x) for x in start.ravel())
    pointwise = Pointwise(n, v["pg_pw"], plain(numbers) if numbers else numbers)
    block = Block(tuple(channels), tuple(colours), depthwise, pointwise, v["pg_bn"], v["pg_act"])
    return block, notes


def _shared(dw: Depthwise) -> bool:
    """Several channels, all with channel 0's kernels (a random one drawn from channel 0's seed too)."""
    first = dw.kernels[: dw.multiplier]
    rest = range(dw.multiplier, len(dw.kernels), dw.multiplier)
    return bool(rest) and all(dw.kernels[i : i + dw.multiplier] == first for i in rest)


def block_settings(block: Block) -> dict[str, Any]:
    """The settings that describe ``block`` (the inverse of :func:`block_from` for its channels)."""
    dw, pw = block.depthwise, block.pointwise
    values: dict[str, Any] = {
        "pg_k": dw.kernel_size,
        "pg_stride": dw.stride,
        "pg_dil": dw.dilation,
        "pg_padding": dw.padding,
        "pg_pad": dw.padding_mode,
        "pg_d": dw.multiplier,
        "pg_shared": _shared(dw),
        "pg_n": pw.out_channels,
        "pg_pw": pw.preset,
        "pg_bn": block.batch_norm,
        "pg_act": block.activation,
    }
    for j, choice in enumerate(dw.kernels[: dw.multiplier] if values["pg_shared"] else dw.kernels):
        channel, slot = divmod(j, dw.multiplier)
        values[kernel_key(channel, slot)] = choice.name
        if choice.name == CUSTOM:
            values[custom_key(channel, slot)] = choice.numbers
    if pw.preset == CUSTOM:
        values["pg_pwc"] = pw.numbers
    return values
