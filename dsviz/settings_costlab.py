"""Settings of the "Cost lab" page (keys ``cl_…``, group "costlab"): added to the one registry,
:data:`dsviz.block.SETTINGS`, so the link, the widgets and the fuzz see them.

The formulas, curves and conventions follow the current block; ``cl_bias`` gives its convolutions a
bias for the counting table. The others describe the timing sweep: one input-channel count M, one
resolution and one stride for a 3 × 3 grid of N and K, ranges that keep the whole sweep under ~20 s on
a 2-core machine (M = 64 at 56 px is the slowest).
"""

from __future__ import annotations

from dsviz.registry import Flag, Integer, Setting

COSTLAB_SETTINGS: tuple[Setting, ...] = (
    Integer(
        "cl_m",
        32,
        "Input channels M of the timed layers",
        "costlab",
        help="Every layer of the sweep maps M input channels to N outputs (N = 8, 32, 128).",
        options=(8, 16, 32, 64),
        widget="steps",
    ),
    Integer(
        "cl_size",
        56,
        "Input size of the timed layers (px a side)",
        "costlab",
        help="Each timed layer runs on an S×S input, batch 1, float32.",
        options=(16, 28, 56),
        widget="steps",
    ),
    Integer(
        "cl_stride",
        1,
        "Stride of the timed layers",
        "costlab",
        help="Stride 2 gives a quarter of the output pixels, so a quarter of the MACs.",
        options=(1, 2),
        widget="steps",
    ),
    Flag(
        "cl_bias",
        False,
        "Convolutions with bias",
        "costlab",
        help="Count this block's convolutions as if each had a bias (nn.Conv2d's default, bias=True): "
        "some tools then count one addition per output value.",
    ),
)
