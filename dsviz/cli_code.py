"""``dsviz code``: a depthwise separable block as PyTorch or Keras 3 source — the code the "Code &
downloads" page shows, for any layer size and without the page's weights (there is no image here)."""

from __future__ import annotations

import argparse

from dsviz.checks import ACTIVATIONS, PADDING_MODES

FRAMEWORKS = ("pytorch", "keras")


def register_code(commands: argparse._SubParsersAction) -> None:
    code = commands.add_parser("code", help="a depthwise separable block as PyTorch or Keras code")
    code.add_argument("--in", dest="m", type=int, required=True, metavar="M", help="input channels")
    code.add_argument("--out", dest="n", type=int, required=True, metavar="N", help="output channels")
    code.add_argument("--kernel", type=int, required=True, metavar="K", help="depthwise kernel size")
    code.add_argument("--stride", type=int, default=1, metavar="s")
    code.add_argument("--dilation", type=int, default=1, metavar="δ")
    code.add_argument("--depth-multiplier", type=int, default=1, metavar="d", help="filters per channel")
    code.add_argument("--padding", choices=("same", "valid"), default="same")
    code.add_argument("--padding-mode", choices=PADDING_MODES, default="zeros")
    code.add_argument("--bn", action="store_true", help="BatchNorm after each stage")
    code.add_argument("--act", choices=ACTIVATIONS, default="none", help="activation after each stage")
    code.add_argument("--framework", choices=FRAMEWORKS, default="pytorch")
    code.set_defaults(run=run_code)


def run_code(args: argparse.Namespace) -> str:
    for name, value in (("--in", args.m), ("--out", args.n), ("--depth-multiplier", args.depth_multiplier)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}")
    from dsviz.block import layer  # here, not at the top: torch loads only for this command

    block = layer(
        args.m,
        args.n,
        args.kernel,
        stride=args.stride,
        dilation=args.dilation,
        multiplier=args.depth_multiplier,
        padding=args.padding,
        padding_mode=args.padding_mode,
        batch_norm=args.bn,
        activation=args.act,
    )
    code = block.code(weights=False) if args.framework == "pytorch" else block.keras_code(weights=False)
    return code.rstrip("\n")
