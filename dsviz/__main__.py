"""Command line: ``dsviz cost conv|separable|mobilenet-v1|mobilenet-v2 ...`` (installed), or
``python -m dsviz ...``.

Each top-level command registers itself in :data:`COMMANDS`; each leaf command stores a ``run``
function that returns the text to print. Bad arguments and ``ValueError``s from the cost model exit
with status 2 and one line on stderr (no traceback): a student typed something impossible, which is
not a crash. :func:`main` returns the exit status (it never raises ``SystemExit``), so both
``sys.exit(main())`` below and the ``dsviz`` console script that pip writes use it as is.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from fractions import Fraction

from dsviz.cli_bench import register_bench
from dsviz.cli_code import register_code
from dsviz.cost import PAPER, ConvCost, Convention, conv_cost, separable_cost
from dsviz.mobilenet import BLOCKS, STEM, LayerRow, Network, mobilenet_v1
from dsviz.mobilenet_v2 import ALPHAS, RESOLUTIONS, mobilenet_v2, paper_rounding, truncated_millions


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line (argparse prints the whole usage block first)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see --help)\n")


def one_line(message: object) -> str:
    return " ".join(str(message).split())


# --------------------------------------------------------------------------- formatting


def number(value: object) -> str:
    """Thousands separators for ints, 4 significant digits for floats, text as is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str) -> str:
    """Aligned text table; ``align`` has one letter per column: "l" (text) or "r" (numbers)."""
    cells = [list(headers)] + [[number(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(row, widths, align, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def shape(height: int, width: int, channels: int) -> str:
    return f"{height}×{width}×{channels}"


def describe_conv(cost: ConvCost) -> str:
    padding = f"'{cost.padding}'" if isinstance(cost.padding, str) else f"{cost.padding}-pixel"
    return (
        f"{cost.kernel_size}×{cost.kernel_size} kernel, stride {cost.stride}, {padding} padding, "
        f"dilation {cost.dilation}, groups {cost.groups}, {'with' if cost.bias else 'no'} bias"
    )


def counted(bias: bool) -> str:
    """What the numbers count: the paper's convention, plus biases when the layers have them."""
    return f"Counted — {Convention(bias=bias).describe()}."


# --------------------------------------------------------------------------- cost commands


def layer_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``cost conv`` and ``cost separable``."""
    parser.add_argument("--in", dest="in_channels", type=int, required=True, metavar="M")
    parser.add_argument("--out", dest="out_channels", type=int, required=True, metavar="N")
    parser.add_argument("--kernel", type=int, required=True, metavar="K", help="kernel size K")
    parser.add_argument("--size", type=int, required=True, metavar="H", help="input height")
    parser.add_argument("--width", type=int, metavar="W", help="input width (default: H)")
    parser.add_argument("--stride", type=int, default=1, metavar="S")
    parser.add_argument("--groups", type=int, default=1, metavar="G")
    parser.add_argument("--dilation", type=int, default=1, metavar="D")
    parser.add_argument("--padding", type=padding_value, default="same", help="same|valid|P")
    parser.add_argument("--bias", action="store_true", help="the convolutions have a bias")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def padding_value(text: str) -> str | int:
    if text in ("same", "valid"):
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"padding must be 'same', 'valid' or a whole number, not {text!r}"
        ) from None


def layer_options(args: argparse.Namespace) -> dict[str, object]:
    size = {"height": args.size, "width": args.size if args.width is None else args.width}
    geometry = {"stride": args.stride, "padding": args.padding, "dilation": args.dilation}
    return {**size, **geometry, "groups": args.groups, "bias": args.bias}


def run_conv(args: argparse.Namespace) -> str:
    cost = conv_cost(args.in_channels, args.out_channels, args.kernel, **layer_options(args))
    if args.json:
        return json.dumps({"command": "cost conv", "convention": PAPER.describe(), **cost.as_dict()})
    rows = [
        ("mult-adds (MACs)", cost.mult_adds, ""),
        ("FLOPs (= 2 × MACs)", cost.flops, ""),
        ("params", cost.params, "weights + biases" if cost.bias else "weights"),
        ("output activations", cost.activation_bytes, "bytes (float32)"),
        ("bytes moved", cost.bytes_moved, "input + weights + output"),
        ("MACs per byte moved", float(cost.arithmetic_intensity), "arithmetic intensity"),
    ]
    return "\n".join(
        [
            f"Convolution {cost.in_channels} → {cost.out_channels} channels: {describe_conv(cost)}",
            f"input {shape(cost.height, cost.width, cost.in_channels)} → output "
            f"{shape(cost.out_height, cost.out_width, cost.out_channels)} (H×W×C)",
            "",
            table(("quantity", "count", "note"), rows, "lrl"),
            "",
            counted(args.bias),
        ]
    )


def run_separable(args: argparse.Namespace) -> str:
    sep = separable_cost(
        args.in_channels,
        args.out_channels,
        args.kernel,
        multiplier=args.multiplier,
        **layer_options(args),
    )
    if args.json:
        return json.dumps({"command": "cost separable", "convention": PAPER.describe(), **sep.as_dict()})
    dw, pw, std = sep.depthwise, sep.pointwise, sep.standard
    out = shape(pw.out_height, pw.out_width, pw.out_channels)

    def stage(name: str, conv: str, cost: ConvCost) -> tuple[object, ...]:
        output = shape(cost.out_height, cost.out_width, cost.out_channels)
        memory = (cost.activation_bytes, float(cost.arithmetic_intensity))
        return (name, conv, output, cost.mult_adds, cost.params, *memory)

    k = f"{dw.kernel_size}×{dw.kernel_size}"
    rows = [
        stage("depthwise", f"{k}, groups {dw.groups}", dw),
        stage("pointwise", "1×1", pw),
        (
            "separable",
            "dw + pw",
            out,
            sep.mult_adds,
            sep.params,
            dw.activation_bytes + pw.activation_bytes,
            "",
        ),
        stage("standard", f"{k}, groups {std.groups}", std),
        ("saved", "standard − separable", "", sep.saved_mult_adds, sep.saved_params, "", ""),
    ]
    headers = ("stage", "conv", "output (H×W×C)", "MACs", "params", "output bytes", "MACs/byte")
    n, kk = std.out_channels, std.kernel_size**2
    usual = (
        f"the usual formula 1/N + 1/D_K² = 1/{n} + 1/{kk} = {sep.usual_ratio} ≈ {float(sep.usual_ratio):.4f}"
    )
    if sep.usual_is_exact:
        usual += " — exact here"
    else:
        usual += (
            f" — not exact here; with depth multiplier d = {sep.multiplier} and standard groups "
            f"g = {std.groups} the exact ratio is g·d·(1/N + 1/D_K²) = {sep.closed_form_ratio}"
        )
    return "\n".join(
        [
            f"Depthwise separable {dw.in_channels} → {pw.out_channels} channels (depth multiplier "
            f"{sep.multiplier}) vs the standard convolution it replaces: {describe_conv(std)}",
            f"input {shape(dw.height, dw.width, dw.in_channels)} → output {out} (H×W×C)",
            "",
            table(headers, rows, "lllrrrr"),
            "",
            f"MACs separable / standard = {sep.ratio} ≈ {float(sep.ratio):.4f} "
            f"({float(sep.reduction):.2f}× fewer); params ratio ≈ {float(sep.params_ratio):.4f}",
            usual,
            counted(args.bias),
        ]
    )


PAPER_RESOLUTION = 224
TABLE_6_ALPHAS = (Fraction(1), Fraction(3, 4), Fraction(1, 2), Fraction(1, 4))
TABLE_7_RESOLUTIONS = (224, 192, 160, 128)
TYPO = "*"  # marks the row whose stride Table 1 misprints


def run_mobilenet(args: argparse.Namespace) -> str:
    net = mobilenet_v1(args.alpha, args.resolution, full_conv=args.full_conv)
    if args.json:
        return json.dumps({"command": "cost mobilenet-v1", **net.as_dict()})

    def stride(row: LayerRow) -> str:
        return f"{row.stride}{TYPO}" if row.name in ("block13_dw", "block13_conv") else f"{row.stride} "

    return "\n".join(
        [
            f"{net.name} — Howard et al. 2017, 'same' padding",
            *mobilenet_sources(net),
            "",
            layer_table(net, stride=stride),
            f"{TYPO} stride 1: Table 1 prints s2 for the last depthwise layer (Conv dw, 7×7×1024), a typo — "
            "the table's own sizes for that layer are 7×7 in and 7×7 out.",
            "",
            *totals(net),
            *table_2_note(net),
            "",
            *counted_mobilenet(net, millions(net.mult_adds)),
        ]
    )


RESIDUAL = "+"  # marks the rows whose block adds its input to their output


def run_mobilenet_v2(args: argparse.Namespace) -> str:
    net = mobilenet_v2(args.alpha, args.resolution)
    if args.json:
        return json.dumps({"command": "cost mobilenet-v2", **net.as_dict()})
    return "\n".join(
        [
            f"{net.name} — Sandler et al. 2018, 'same' padding",
            *mobilenet_v2_sources(net),
            "",
            layer_table(net, name=lambda row: f"{row.name}{RESIDUAL if row.residual else ''}"),
            f"{RESIDUAL} the block's input is added to this layer's output (stride 1, as many channels out "
            "as in): a residual connection, not counted as mult-adds.",
            "",
            *totals(net),
            "",
            *counted_mobilenet(net, truncated_millions(net.mult_adds)),
            paper_rounding(net),
        ]
    )


def mobilenet_v2_sources(net: Network) -> list[str]:
    """Where the layers and the widths come from."""
    lines = [
        "Layers: the paper's Table 2 — conv 3×3 s2, 17 inverted residual blocks (1×1 expand, 3×3 "
        "depthwise, 1×1 linear projection), conv 1×1, average pool, FC; ReLU6 after every conv but the "
        "projections."
    ]
    if net.alpha != 1:
        lines.append(
            f"Width multiplier α = {float(net.alpha):g}: widths c·α rounded as the reference "
            "implementation does (_make_divisible: nearest multiple of 8, at least 8, never 10% below); "
            f"the last conv has {last_channels(net)} channels (the paper scales it only for "
            "α > 1: 1280 for α ≤ 1)."
        )
    if float(net.alpha) not in ALPHAS or net.resolution not in RESOLUTIONS:
        lines.append(
            f"The paper trains α ∈ {{{', '.join(f'{a:g}' for a in ALPHAS)}}} at resolutions "
            f"{', '.join(map(str, RESOLUTIONS))}; this model is not one of those."
        )
    return lines


def last_channels(net: Network) -> int:
    return next(row.output_shape[2] for row in net if row.type == "last1x1")


def layer_table(
    net: Network,
    *,
    name: Callable[[LayerRow], str] = lambda row: row.name,
    stride: Callable[[LayerRow], str] = lambda row: f"{row.stride} ",
) -> str:
    """One line per layer and a total; ``name`` and ``stride`` may add a footnote mark."""
    headers = (
        "layer",
        "type",
        "stride",
        "input (H×W×C)",
        "output (H×W×C)",
        "MACs",
        "params",
        "output bytes",
        "MACs/byte",
    )
    rows: list[tuple[object, ...]] = [
        (
            name(r),
            r.type,
            stride(r),
            shape(*r.input_shape),
            shape(*r.output_shape),
            r.mult_adds,
            r.params,
            r.activation_bytes,
            float(r.arithmetic_intensity),
        )
        for r in net
    ]
    output_bytes = sum(r.activation_bytes for r in net)
    rows.append(("total", "", "", "", "", net.mult_adds, net.params, output_bytes, ""))
    return table(headers, rows, "llrllrrrr")


def totals(net: Network) -> list[str]:
    """The totals in words, then the breakdown by layer type (v1's Table 2)."""
    shares = [
        (
            s.type,
            s.layers,
            s.mult_adds,
            f"{float(s.mult_adds_share):.2%}",
            s.params,
            f"{float(s.params_share):.2%}",
        )
        for s in net.breakdown()
    ]
    return [
        f"Total: {net.mult_adds:,} MACs ({net.mult_adds / 1e6:.1f} million), "
        f"{net.params:,} params ({net.params / 1e6:.2f} million)",
        "",
        table(("type", "layers", "MACs", "MACs %", "params", "params %"), shares, "lrrrrr"),
    ]


def counted_mobilenet(net: Network, printed: str) -> list[str]:
    """What is counted, and FLOPs vs MACs; ``printed`` is the MACs in millions as the paper prints them."""
    return [
        f"Counted — {PAPER.describe()} (the paper's convention).",
        f"FLOPs = 2 × MACs = {2 * net.mult_adds:,}. Many papers print mult-adds under the name "
        f'"FLOPs", so "{printed}M FLOPs" quoted for this model is usually its {printed} million MACs.',
    ]


def millions(count: int) -> str:
    """569 for 568,740,352; 5.6 for 5,634,575: as the paper rounds its millions."""
    value = count / 1e6
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def mobilenet_sources(net: Network) -> list[str]:
    """Where each number comes from in the paper, and what is not the paper's."""
    if net.full_conv:
        layers = (
            "Layers: Table 1's, each depthwise + pointwise pair replaced by one standard 3×3 conv "
            "with the same channels and stride (the paper's Table 4, 'Conv MobileNet')."
        )
    else:
        layers = "Layers: the paper's Table 1 (1.0 MobileNet-224), with a typo corrected (*)."
    lines = [layers]
    scaled = []
    if net.alpha != 1:
        scaled.append(f"width multiplier α = {float(net.alpha):g}")
    if net.resolution != PAPER_RESOLUTION:
        rho = Fraction(net.resolution, PAPER_RESOLUTION)
        scaled.append(
            f"resolution {net.resolution} (ρ = {net.resolution}/{PAPER_RESOLUTION} ≈ {float(rho):.3f})"
        )
    if scaled:
        if net.resolution == PAPER_RESOLUTION and net.alpha in TABLE_6_ALPHAS:
            where = "this model is a row of Table 6"
        elif net.alpha == 1 and net.resolution in TABLE_7_RESOLUTIONS:
            where = "this model is a row of Table 7"
        else:
            where = "this model is in neither"
        lines.append(
            f"Scaled by {' and '.join(scaled)}: α and ρ results are the paper's Tables 6–7, not Table 1. "
            "Table 6 varies α (1, 0.75, 0.5, 0.25) at 224, Table 7 the resolution (224, 192, 160, 128) "
            f"at α = 1; {where}."
        )
    if net.alpha != 1:
        channels = [STEM[0], *(out for out, _ in BLOCKS)]
        floored = sum(int(c * net.alpha) < 8 for c in channels)
        effect = (
            f"here it raises {floored} of the 14 widths (stem and blocks) to 8"
            if floored
            else "it changes nothing here"
        )
        lines.append(
            "Channels are max(int(c·α), 8): the floor of 8 is TF-slim's min_depth, not the paper's "
            f"(which scales by α alone); {effect}."
        )
    return lines


def table_2_note(net: Network) -> list[str]:
    """The breakdown is the paper's Table 2 for 1.0 MobileNet-224, which has one misprint."""
    if net.full_conv or net.alpha != 1 or net.resolution != PAPER_RESOLUTION:
        return []
    return [
        "Compare Table 2: it prints 1.19% for the conv 3×3 mult-adds where 1.91% is right (with 1.91% "
        "its column adds up to 100%, to rounding)."
    ]


def register_cost(commands: argparse._SubParsersAction) -> None:
    cost = commands.add_parser("cost", help="exact mult-adds (MACs) and params")
    kinds = cost.add_subparsers(
        dest="kind", required=True, metavar="{conv,separable,mobilenet-v1,mobilenet-v2}"
    )

    conv = kinds.add_parser("conv", help="one standard or grouped convolution")
    layer_arguments(conv)
    conv.set_defaults(run=run_conv)

    sep = kinds.add_parser("separable", help="depthwise + pointwise vs the standard convolution")
    layer_arguments(sep)
    sep.add_argument("--multiplier", type=int, default=1, metavar="d", help="depth multiplier")
    sep.set_defaults(run=run_separable)

    net = kinds.add_parser("mobilenet-v1", help="MobileNet v1 layer by layer (Howard et al. 2017)")
    net.add_argument("--alpha", type=float, default=1.0, metavar="A", help="width multiplier α (Table 6)")
    net.add_argument("--resolution", type=int, default=224, metavar="R", help="input R×R×3 (Table 7)")
    net.add_argument("--full-conv", action="store_true", help="standard 3×3 instead of dw + pw (Table 4)")
    net.add_argument("--json", action="store_true", help="print one JSON object")
    net.set_defaults(run=run_mobilenet)

    v2 = kinds.add_parser("mobilenet-v2", help="MobileNet v2 layer by layer (Sandler et al. 2018)")
    v2.add_argument("--alpha", type=float, default=1.0, metavar="A", help="width multiplier α (0.35–1.4)")
    v2.add_argument("--resolution", type=int, default=224, metavar="R", help="input R×R×3 (96–224)")
    v2.add_argument("--json", action="store_true", help="print one JSON object")
    v2.set_defaults(run=run_mobilenet_v2)


EXAMPLES = """commands:
  cost conv           one standard or grouped convolution
  cost separable      depthwise + pointwise vs the standard convolution it replaces
  cost mobilenet-v1   MobileNet v1 layer by layer (Howard et al. 2017)
  cost mobilenet-v2   MobileNet v2 layer by layer (Sandler et al. 2018)
  code                a depthwise separable block as PyTorch or Keras 3 code
  bench block         time standard vs depthwise, pointwise and the block on this machine
  bench machine       this machine's peak MAC rate and copy bandwidth (its roofline)

examples:
  {prog} cost conv --in 3 --out 64 --kernel 3 --size 224
  {prog} cost separable --in 32 --out 64 --kernel 3 --size 112 --json
  {prog} cost mobilenet-v1 --alpha 0.5 --resolution 160
  {prog} cost mobilenet-v2 --alpha 1.4 --json
  {prog} code --in 32 --out 64 --kernel 3 --stride 2 --bn --act relu6 --framework keras
"""

# Later commands add a register_... function here.
Register = Callable[[argparse._SubParsersAction], None]
COMMANDS: tuple[Register, ...] = (register_cost, register_code, register_bench)


def program_name() -> str:
    """What the user typed: ``dsviz`` (the installed console script) or ``python -m dsviz``."""
    return "dsviz" if os.path.basename(sys.argv[0]) == "dsviz" else "python -m dsviz"


def build_parser() -> Parser:
    prog = program_name()
    parser = Parser(
        prog=prog,
        description="dsviz: see and count depthwise separable convolution.",
        epilog=EXAMPLES.format(prog=prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{cost,code,bench}")
    for register in COMMANDS:
        register(commands)
    return parser


READER_GONE = 141  # 128 + SIGPIPE (13): what a shell reports for cat, seq or yes in the same place


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (``argv`` defaults to ``sys.argv[1:]``) and return the exit status.

    0: done (``--help`` included); 2: bad arguments, with one line on stderr; 141: the reader of
    stdout went away first (``dsviz cost mobilenet-v1 | head -3``) — quietly, no traceback. 141 is
    the status of any Unix filter killed by SIGPIPE there: it says the output was cut short (a
    truncated ``--json`` is not a success), and ``set -o pipefail`` treats dsviz as it treats ``cat``.
    """
    try:
        try:
            return run(argv)
        finally:
            sys.stdout.flush()  # write everything now, so a closed pipe is caught here, not at exit
    except SystemExit as done:  # argparse exits for --help and for bad arguments
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    except BrokenPipeError:
        discard_stdout()
        return READER_GONE


def discard_stdout() -> None:
    """Point stdout at devnull, as the Python docs advise for SIGPIPE ("Note on SIGPIPE" in the
    ``signal`` module): the interpreter flushes stdout once more at exit, and what is still buffered
    would raise BrokenPipeError again there, as an "Exception ignored" message on stderr."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no real file behind stdout: nothing to flush later
        pass


def run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        text = args.run(args)
    except ValueError as error:
        parser.exit(2, f"{parser.prog}: error: {one_line(error)}\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
