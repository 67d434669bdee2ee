"""``dsviz bench``: time a layer, or measure this machine's roofline, from the command line.

    dsviz bench block --in 32 --out 64 --kernel 3 --size 56 [--stride 2] [--json]
    dsviz bench machine [--json]

``block`` times the standard convolution, the depthwise and the pointwise stage and the whole block
(interleaved rounds, after a warm-up; see :mod:`dsviz.sweep`) and prints the median and the
interquartile range in ms, and the GMAC/s, of each. ``machine`` prints the peak MAC rate (a large
matrix product) and the copy bandwidth (a large memcpy), the roofline's two roofs. torch loads inside
the run functions only: ``dsviz cost …`` must stay quick to start.
"""

from __future__ import annotations

import argparse
import json

STAGES = ("standard", "depthwise", "pointwise", "separable")
MAX_SIZE = 1024  # px a side: a larger layer would take minutes per round on a laptop
MAX_CHANNELS = 2048
MAX_ROUNDS = 100


def register_bench(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser("bench", help="time a layer, or measure this machine's roofline")
    kinds = bench.add_subparsers(dest="bench", required=True, metavar="{block,machine}")
    block = kinds.add_parser(
        "block", help="median and IQR ms, and GMAC/s, of each stage and the standard conv"
    )
    block.add_argument("--in", dest="m", type=int, required=True, metavar="M", help="input channels")
    block.add_argument("--out", dest="n", type=int, required=True, metavar="N", help="output channels")
    block.add_argument("--kernel", type=int, required=True, metavar="K", help="kernel size (odd)")
    block.add_argument("--size", type=int, required=True, metavar="S", help="input height and width (px)")
    block.add_argument("--stride", type=int, default=1, metavar="s")
    block.add_argument("--rounds", type=int, default=9, metavar="R", help="timed rounds (default 9)")
    block.add_argument("--json", action="store_true", help="print one JSON object")
    block.set_defaults(run=run_bench)
    machine = kinds.add_parser("machine", help="peak GMAC/s (matrix product) and copy GB/s (memcpy)")
    machine.add_argument("--json", action="store_true", help="print one JSON object")
    machine.set_defaults(run=run_machine)


def _check(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be {low}–{high}, not {value}")


def run_bench(args: argparse.Namespace) -> str:
    """The ``bench block`` command: bad arguments raise ValueError before anything is timed."""
    _check("--in", args.m, 1, MAX_CHANNELS)
    _check("--out", args.n, 1, MAX_CHANNELS)
    _check("--size", args.size, 1, MAX_SIZE)
    _check("--rounds", args.rounds, 1, MAX_ROUNDS)
    from dsviz import sweep  # here, not at the top: torch loads only for this command

    point = sweep.Point(args.m, args.n, args.kernel, args.size, args.stride)
    point.cost()  # ValueError for an even K, a stride < 1 or an empty output, before any timing
    result = sweep.time_point(point, args.rounds)
    row = sweep.summary(result)
    if args.json:
        return json.dumps(row, indent=2)
    return block_text(row)


def block_text(row: dict) -> str:
    stages = row["stages"]
    lines = [
        f"{row['in_channels']} → {row['out_channels']} channels, {row['kernel_size']}×{row['kernel_size']} "
        f"kernel, {row['size']}×{row['size']} px input, stride {row['stride']} (batch 1, float32); medians "
        f"of {row['repeats']} interleaved rounds",
        f"{'':<10} {'median ms':>10} {'IQR ms':>17} {'GMAC/s':>8} {'MACs':>14}",
    ]
    for name in STAGES:
        s = stages[name]
        iqr = f"{s['q1_ms']:.3f}–{s['q3_ms']:.3f}"
        lines.append(f"{name:<10} {s['median_ms']:>10.3f} {iqr:>17} {s['gmacs']:>8.2f} {s['mult_adds']:>14,}")
    lines.append(
        f"The MAC count promises {row['promised_speedup']:.2f}× (standard ÷ separable MACs); measured: "
        f"{row['measured_speedup']:.2f}× (median standard ms ÷ median separable ms; quartiles allow "
        f"{row['speedup_low']:.2f}–{row['speedup_high']:.2f}×)."
    )
    return "\n".join(lines)


def run_machine(args: argparse.Namespace) -> str:
    from dsviz import roofline  # torch loads only for this command

    machine = roofline.measure()
    row = {
        "peak_gmacs": machine.peak_gmacs,
        "bandwidth_gbs": machine.bandwidth_gbs,
        "balance_macs_per_byte": machine.balance,
        "matmul_size": roofline.MATMUL_SIZE,
        "copy_megabytes": roofline.COPY_MEGABYTES,
    }
    if args.json:
        return json.dumps(row, indent=2)
    return (
        f"peak {machine.peak_gmacs:.1f} GMAC/s (float32 {roofline.MATMUL_SIZE}×{roofline.MATMUL_SIZE} matrix "
        f"product)\ncopy {machine.bandwidth_gbs:.1f} GB/s ({roofline.COPY_MEGABYTES} MB, bytes read + "
        "written)\n"
        f"balance point {machine.balance:.2f} MACs per byte"
    )
