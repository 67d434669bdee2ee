"""The PyTorch module for the block on screen, written out as source code a student can copy.

``pytorch_block`` is the blog post's ``conv_dw`` with its three bugs fixed (see ``SEED_BUGS``) and
the current settings filled in; given the page's weights it also writes them out, so the copied code
computes exactly the pictures on the page. ``seed_bug_demos`` runs the blog post's snippet as printed
and reports what PyTorch really does with it. ``tests/test_codegen.py`` executes the generated text and
checks it against ``torch.nn.functional`` and ``dsviz.cost``: what is shown is what runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from math import ceil

import numpy as np

from dsviz.checks import PADDING_MODES, require_choice, require_kernel_size, require_whole
from dsviz.geometry import pad_amount

# The blog post's snippet, exactly as printed (tabs, comments and the whitespace-only line included).
SEED_SNIPPET = (
    "def conv_dw(input_channel, output_channel, stride):\n"
    "\treturn nn.Sequential(\n"
    "\t\t# assume the kernel size is 3\n"
    "\t\t# groups=input_channel means each input channel is convolved with its corresponding filter\n"
    "\t\t# bias=False because batchnorm is applied\n"
    "\t\tnn.Conv2d(input_channel, output_channel, 3, stride, groups=input_channel, bias=False),\n"
    "\t\tnn.BatchNorm2d(input_channel),\n"
    "\t\tnn.ReLU(inplace=True),\n"
    "\t\t\n"
    "\t\tnn.Conv2d(input_channel, output_channel, 1, stride=1, bias=False),\n"
    "\t\tnn.BatchNorm2d(input_channel),\n"
    "\t\tnn.ReLU(inplace=True),\n"
    "\t)"
)

SEED_BUGS = (
    "The depthwise conv outputs output_channel maps instead of input_channel. With "
    "groups=input_channel, PyTorch then gives every input channel output_channel / input_channel "
    "filters, or raises a ValueError when building the layer if input_channel does not divide "
    "output_channel; the BatchNorm2d(input_channel) after it then has the wrong number of features "
    "(a RuntimeError on the first image), and the pointwise conv's in_channels=input_channel no longer "
    "matches the maps it receives. Only when output_channel = input_channel does nothing go wrong.",
    "padding=1 is missing, so each 3×3 depthwise map is ⌊(H − 3)/s⌋ + 1 pixels per side instead of "
    "⌈H/s⌉: 2 pixels smaller at stride 1 (112 → 110 instead of 112) and 1 pixel smaller at stride 2 "
    "(112 → 55 instead of 56).",
    "The second BatchNorm follows the pointwise conv, which outputs output_channel maps, so it must be "
    "BatchNorm2d(output_channel); BatchNorm2d(input_channel) fails whenever output_channel ≠ "
    "input_channel.",
)
SEED_MISSING_IMPORT = (
    "The snippet also uses nn without importing it: add `import torch.nn as nn`, or calling "
    "conv_dw raises NameError."
)

ACTIVATIONS = {  # name → the layer written into the code
    "none": None,
    "relu": "nn.ReLU(inplace=True)",  # what the MobileNet v1 paper uses
    "relu6": "nn.ReLU6(inplace=True)",  # min(max(x, 0), 6): TF-slim's MobileNet v1, and MobileNet v2
}
PADDINGS = ("same", "valid")
BN_EPS = 1e-5  # nn.BatchNorm2d's default, written out so the page and the code say the same number


def pytorch_block(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    *,
    stride: int = 1,
    dilation: int = 1,
    multiplier: int = 1,
    padding: str = "same",
    padding_mode: str = "zeros",
    batch_norm: bool = True,
    activation: str = "relu",
    depthwise: np.ndarray | None = None,
    pointwise: np.ndarray | None = None,
) -> str:
    """Python source defining ``conv_dw()`` (the block with these settings) and ``load_weights()``.

    The block is MobileNet's: depthwise conv → [BatchNorm → activation] → pointwise 1×1 conv →
    [BatchNorm → activation]. ``padding`` is "same" (``dilation·(K−1)/2`` on each side, filled as
    ``padding_mode`` says) or "valid" (none). With ``depthwise`` ``(M·d, K, K)`` and ``pointwise``
    ``(N, M·d)`` given, the text also holds those numbers and ``page_block()``, which returns the block
    loaded with them: the exact pictures of the page.
    """
    m = require_whole("input channels", in_channels)
    n = require_whole("output channels", out_channels)
    d = require_whole("depth multiplier", multiplier)
    stride = require_whole("stride", stride)
    dilation = require_whole("dilation", dilation)
    require_kernel_size(kernel_size)
    require_choice("the padding", padding, PADDINGS)
    require_choice("the padding mode", padding_mode, PADDING_MODES)
    require_choice("the activation", activation, tuple(ACTIVATIONS))
    k, md = kernel_size, m * d
    pad = pad_amount(k, padding, dilation)
    geometry = f"stride={stride}, padding={pad}"
    if dilation != 1:
        geometry += f", dilation={dilation}"
    if pad and padding_mode != "zeros":
        geometry += f", padding_mode={padding_mode!r}"
    act = ACTIVATIONS[activation]
    which = [] if d == 1 else [f"            # (filter j sees input channel j // {d})"]
    lines = [
        *_docstring(m, n, k, d, stride, dilation, padding, padding_mode, batch_norm, activation),
        "from collections import OrderedDict",
        "",
        "import torch",
        "import torch.nn as nn",
        "",
        "",
        "def conv_dw() -> nn.Sequential:",
        "    return nn.Sequential(",
        "        OrderedDict(",
        f"            # depthwise: groups={m}, so each of the {md} filters sees one input channel",
        *which,
        f"            depthwise=nn.Conv2d({m}, {md}, {k}, {geometry}, groups={m}, bias=False),",
        *_norm_and_act("depthwise", md, batch_norm, act),
        f"            # pointwise: a 1×1 convolution mixes the {md} maps into {n} outputs",
        f"            pointwise=nn.Conv2d({md}, {n}, 1, bias=False),",
        *_norm_and_act("pointwise", n, batch_norm, act),
        "        )",
        "    )",
        "",
        "",
        "def load_weights(block: nn.Sequential, depthwise, pointwise) -> nn.Sequential:",
        f'    """Copy kernels ({md}, {k}, {k}) and pointwise weights ({n}, {md}; row n = output n) in."""',
        "    with torch.no_grad():",
        "        dw = torch.as_tensor(depthwise, dtype=torch.float32)",
        "        pw = torch.as_tensor(pointwise, dtype=torch.float32)",
        f"        block.depthwise.weight.copy_(dw.reshape({md}, 1, {k}, {k}))",
        f"        block.pointwise.weight.copy_(pw.reshape({n}, {md}, 1, 1))",
        "    return block",
    ]
    if (depthwise is None) != (pointwise is None):
        raise ValueError("give both the depthwise kernels and the pointwise weights, or neither")
    if depthwise is not None and pointwise is not None:
        lines += _weights_source(depthwise, pointwise, md, n, k)
    return "\n".join(lines) + "\n"


def _docstring(
    m: int,
    n: int,
    k: int,
    d: int,
    stride: int,
    dilation: int,
    padding: str,
    padding_mode: str,
    batch_norm: bool,
    activation: str,
) -> list[str]:
    pads = "'valid' padding (none)" if padding == "valid" else f"'same' padding ({padding_mode})"
    lines = [
        f'"""Depthwise separable block: {m} → {n} channels, {k}×{k} depthwise, depth multiplier {d}.',
        "",
        f"Stride {stride}, dilation {dilation}, {pads}, activation: {activation}.",
    ]
    if batch_norm:
        lines += [
            "",
            "BatchNorm: call block.train() so that each BatchNorm2d normalises every channel with this",
            "image's own mean and (biased) variance, with γ = 1, β = 0 and eps = 1e-5, as the page does.",
            "In eval mode BatchNorm uses its running statistics instead, which start at mean 0, var 1.",
        ]
    return [*lines, '"""', ""]


def _norm_and_act(stage: str, channels: int, batch_norm: bool, act: str | None) -> list[str]:
    lines = [f"            {stage}_bn=nn.BatchNorm2d({channels}, eps={BN_EPS}),"] if batch_norm else []
    return lines + ([f"            {stage}_act={act},"] if act else [])


def weight_constants(depthwise: np.ndarray, pointwise: np.ndarray, md: int, n: int, k: int) -> list[str]:
    """Source lines defining DEPTHWISE ``(M·d, K, K)`` and POINTWISE ``(N, M·d)``, the page's exact
    float32 numbers: shared by the PyTorch and the Keras writers."""
    dw = np.asarray(depthwise, dtype=np.float32)
    pw = np.asarray(pointwise, dtype=np.float32)
    if dw.shape != (md, k, k):
        raise ValueError(f"the depthwise kernels must have shape {(md, k, k)}, not {dw.shape}")
    if pw.shape != (n, md):
        raise ValueError(f"the pointwise weights must have shape {(n, md)}, not {pw.shape}")
    if not (np.isfinite(dw).all() and np.isfinite(pw).all()):
        raise ValueError("the weights must be finite numbers to be written out")
    kernels = ",\n".join(
        "    [\n" + "".join(f"        {_row(row)},\n" for row in kernel) + "    ]" for kernel in dw
    )
    rows = "".join(f"    {_row(row)},\n" for row in pw)
    return [
        "",
        "",
        f"# The page's depthwise kernels, ({md}, {k}, {k}): DEPTHWISE[j] makes depthwise map j.",
        f"DEPTHWISE = [\n{kernels},\n]",
        f"# The page's pointwise weights P, ({n}, {md}): row n says how output n mixes the maps.",
        f"POINTWISE = [\n{rows}]",
        "",
        "",
    ]


def _weights_source(depthwise: np.ndarray, pointwise: np.ndarray, md: int, n: int, k: int) -> list[str]:
    return [
        *weight_constants(depthwise, pointwise, md, n, k),
        "def page_block() -> nn.Sequential:",
        '    """conv_dw() with the page\'s weights, in training mode (BatchNorm uses this image\'s',
        '    statistics). Use: block = page_block(); y = block(x) for x of shape (1, M, H, W)."""',
        "    return load_weights(conv_dw(), DEPTHWISE, POINTWISE).train()",
    ]


def _row(values: np.ndarray) -> str:
    return "[" + ", ".join(_float32(v) for v in values) + "]"


def _float32(value: np.float32) -> str:
    """The shortest decimal that reads back as exactly this float32 (through float64, safely)."""
    if value == 0 or 1e-4 <= abs(value) < 1e7:
        return np.format_float_positional(value, unique=True, trim="-")
    return np.format_float_scientific(value, unique=True, trim="-")


# --------------------------------------------------------------------------- the snippet's bugs, run


def seed_output_side(height: int, stride: int) -> int:
    """Side of a map from the blog post's 3×3 depthwise conv without padding: ⌊(H − 3)/s⌋ + 1."""
    return (height - 3) // stride + 1


def same_output_side(height: int, stride: int) -> int:
    """Side with 'same' padding (``padding=1`` for 3×3): ⌈H/s⌉."""
    return ceil(height / stride)


DEMOS = (  # (input_channel, output_channel, stride, image side)
    (3, 8, 1, 14),
    (32, 64, 1, 14),
    (512, 512, 1, 14),
    (32, 32, 2, 112),
)


def seed_bug_demos(demos: Sequence[tuple[int, int, int, int]] = DEMOS) -> list[tuple[str, str]]:
    """Run the blog post's snippet and report what PyTorch really did: ``[(call, what happened)]``.

    The first entry runs it exactly as printed (no import); the others with ``import torch.nn as nn``
    prepended, each building ``conv_dw(…)`` and passing one zero image through it layer by layer, so
    an error names the layer that raised it. Messages are PyTorch's own, captured on the first call
    (about 0.4 s) and remembered for the process after that.
    """
    return list(_run_demos(tuple(tuple(demo) for demo in demos)))


@cache
def _run_demos(demos: tuple[tuple[int, int, int, int], ...]) -> tuple[tuple[str, str], ...]:
    import torch
    import torch.nn as nn

    results = []
    bare: dict = {}
    exec(SEED_SNIPPET, bare)  # as printed: defining works, calling needs nn
    call = "conv_dw(32, 64, 1)  # as printed, without the import"
    try:
        bare["conv_dw"](32, 64, 1)
        results.append((call, "built without error"))
    except Exception as err:
        results.append((call, f"{type(err).__name__}: {err}"))
    namespace: dict = {"nn": nn}
    exec(SEED_SNIPPET, namespace)
    for m, n, s, h in demos:
        call = f"conv_dw({m}, {n}, {s})(torch.zeros(1, {m}, {h}, {h}))"
        try:
            block = namespace["conv_dw"](m, n, s)
        except Exception as err:
            results.append((call, f"building it raises {type(err).__name__}: {err}"))
            continue
        x = torch.zeros(1, m, h, h)
        with torch.no_grad():
            for index, layer in enumerate(block):
                try:
                    x = layer(x)
                except Exception as err:
                    what = f"layer {index}, {_short(layer)}, raises {type(err).__name__}: {err}"
                    results.append((call, what))
                    break
            else:
                side = same_output_side(h, s)
                right = (1, n, side, side)
                results.append((call, f"runs and returns shape {tuple(x.shape)}; the right shape is {right}"))
    return tuple(results)


def _short(layer: object) -> str:
    """``BatchNorm2d(32)``, ``Conv2d(32, 64, 3)`` or the class name: enough to find it in the snippet."""
    name = type(layer).__name__
    if hasattr(layer, "num_features"):
        return f"{name}({layer.num_features})"
    if hasattr(layer, "kernel_size"):
        return f"{name}({layer.in_channels}, {layer.out_channels}, {layer.kernel_size[0]})"
    return name
