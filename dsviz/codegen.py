"""The PyTorch module for the block on screen, written out as source code a student can copy.

It is the seed's ``conv_dw`` with its three bugs fixed (see ``SEED_BUGS``) and the current settings
filled in. ``tests/test_codegen.py`` executes the text and checks it against ``dsviz.ops`` and
``dsviz.cost``, so what is shown is what runs.
"""

from __future__ import annotations

from dsviz.checks import PADDING_MODES, require_choice
from dsviz.geometry import pad_amount

SEED_BUGS = (
    "The depthwise conv must output input_channel maps (groups=input_channel keeps one filter per "
    "channel), not output_channel.",
    "padding=1 is missing, so every 3×3 depthwise map shrinks by 2 pixels.",
    "The second BatchNorm follows the pointwise conv, so it needs output_channel features.",
)

SEED_SNIPPET = """def conv_dw(input_channel, output_channel, stride):
    return nn.Sequential(
        nn.Conv2d(input_channel, output_channel, 3, stride, groups=input_channel, bias=False),
        nn.BatchNorm2d(input_channel),
        nn.ReLU(inplace=True),

        nn.Conv2d(input_channel, output_channel, 1, stride=1, bias=False),
        nn.BatchNorm2d(input_channel),
        nn.ReLU(inplace=True),
    )"""

_ACTIVATIONS = {"none": None, "relu": "nn.ReLU(inplace=True)", "relu6": "nn.ReLU6(inplace=True)"}


def pytorch_block(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    *,
    stride: int = 1,
    dilation: int = 1,
    multiplier: int = 1,
    padding_mode: str = "zeros",
    batch_norm: bool = True,
    activation: str = "relu",
) -> str:
    """Source of ``conv_dw()`` returning the depthwise separable block with these settings."""
    require_choice("the padding mode", padding_mode, PADDING_MODES)
    m, n, k, d = in_channels, out_channels, kernel_size, multiplier
    pad = pad_amount(k, "same", dilation)
    extras = ""
    if dilation != 1:
        extras += f", dilation={dilation}"
    if padding_mode != "zeros":
        extras += f", padding_mode={padding_mode!r}"
    act = _ACTIVATIONS[activation]
    lines = [
        "import torch.nn as nn",
        "",
        "",
        "def conv_dw() -> nn.Sequential:",
        f'    """Depthwise separable block: {m} → {n} channels, {k}×{k} depthwise, stride {stride}."""',
        "    return nn.Sequential(",
        f"        # depthwise: groups={m}, so each of the {m * d} filters sees one input channel",
        f"        nn.Conv2d({m}, {m * d}, {k}, stride={stride}, padding={pad}{extras}, "
        f"groups={m}, bias=False),",
    ]
    lines += _norm_and_act(m * d, batch_norm, act)
    lines += [
        "        # pointwise: a 1×1 convolution mixes the channels",
        f"        nn.Conv2d({m * d}, {n}, 1, bias=False),",
    ]
    lines += _norm_and_act(n, batch_norm, act)
    lines.append("    )")
    return "\n".join(lines) + "\n"


def _norm_and_act(channels: int, batch_norm: bool, act: str | None) -> list[str]:
    lines = [f"        nn.BatchNorm2d({channels}),"] if batch_norm else []
    return lines + ([f"        {act},"] if act else [])
