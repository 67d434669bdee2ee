"""dsviz depthwise + pointwise against the plain PyTorch way, timed in one run.

The plain way is what most people write: ``F.conv2d(x, w, groups=M)`` on a batch-1 NCHW tensor, then a
1×1 ``F.conv2d``. It is timed twice — in a fresh interpreter with the default allocator (as a user has
it) and in this process, which calls ``dsviz.memory.keep_freed_memory()`` first, as the app does (freed
memory kept for reuse, see ``dsviz/memory.py``), so the table separates what the layout buys from what
the allocator buys.

Prints the median time of each and the ratios, then the peak extra memory of each dsviz stage
relative to the size of that stage's output (each measured in a fresh process).

    python benchmarks/ops_speed.py            # the full grid (a few minutes)
    python benchmarks/ops_speed.py --quick    # the headline cell and a few others
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_VALUES = 64 * 2**20  # skip cells whose input exceeds 64 M values
HEADLINE = (3, 16, 1024, 3)  # M, N, side, K: an RGB photo at 1024², 16 outputs
# K = 11, where NCHW leaves its fast path (dsviz.ops.channels_last_is_faster): the Playground's
# largest view (24 channels of 1024 px) and the default photo
K11 = [(24, 64, 1024, 11), (3, 16, 256, 11)]


def grid(quick: bool) -> list[tuple[int, int, int, int]]:
    if quick:
        return [HEADLINE, (3, 16, 256, 3), (32, 32, 256, 3), (256, 256, 64, 3), (32, 32, 1024, 7), *K11]
    cells = [
        (m, n, side, k)
        for m in (3, 32, 256)
        for n in (3, 32, 256)
        for side in (64, 256, 1024)
        for k in (3, 7)
    ]
    return [HEADLINE] + [c for c in cells if c[0] * c[2] ** 2 <= MAX_VALUES] + K11


def inputs(m: int, n: int, side: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    image = rng.random((m, side, side), dtype=np.float32)  # (M, H, W)
    kernels = rng.standard_normal((m, k, k), dtype=np.float32)  # (M, K, K)
    weights = rng.standard_normal((n, m), dtype=np.float32)  # (N, M)
    return image, kernels, weights


def median_ms(run: Callable[[], object], budget_s: float = 0.6) -> float:
    """Median wall time of ≥ 3 (≤ 15) calls after one warm-up call.

    Not dsviz.timing.median_ms: the plain way is also timed in an interpreter that must never touch
    dsviz, so that nothing there can have tuned the allocator."""
    run()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < 3 or (len(times) < 15 and time.perf_counter() - start < budget_s):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def plain_way(image: np.ndarray, kernels: np.ndarray, weights: np.ndarray) -> Callable[[], object]:
    x = torch.from_numpy(image)[None]  # (1, M, H, W), NCHW
    w_dw = torch.from_numpy(kernels)[:, None]  # (M, 1, K, K)
    w_pw = torch.from_numpy(weights)[:, :, None, None]  # (N, M, 1, 1)
    pad = kernels.shape[-1] // 2

    def run() -> torch.Tensor:
        with torch.no_grad():
            y = F.conv2d(x, w_dw, padding=pad, groups=x.shape[1])
            return F.conv2d(y, w_pw)

    return run


def dsviz_way(image: np.ndarray, kernels: np.ndarray, weights: np.ndarray) -> Callable[[], object]:
    from dsviz import ops

    return lambda: ops.pointwise(ops.depthwise(image, kernels), weights)


def time_plain(cells: list[tuple[int, int, int, int]]) -> list[float]:
    return [median_ms(plain_way(*inputs(*cell))) for cell in cells]


def time_plain_fresh(cells: list[tuple[int, int, int, int]]) -> list[float]:
    """The plain way in an interpreter that never imported dsviz (default allocator)."""
    out = subprocess.run(
        [sys.executable, __file__, "--plain-only", json.dumps(cells)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def peak_extra_ratio(cell: tuple[int, int, int, int], stage: str) -> float:
    """(peak resident memory during one call − before − output) / output, in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory", json.dumps([cell, stage])],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout)


def _resident_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure_memory(cell: tuple[int, int, int, int], stage: str) -> float:
    from dsviz import ops

    image, kernels, weights = inputs(*cell)
    small = inputs(cell[0], cell[1], 16, cell[3])
    ops.pointwise(ops.depthwise(small[0], small[1]), small[2])  # load torch's kernels first
    maps = ops.depthwise(image, kernels) if stage == "pointwise" else None
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak-RSS mark to now
    before = _resident_kb("VmRSS")
    result = ops.pointwise(maps, weights) if stage == "pointwise" else ops.depthwise(image, kernels)
    extra = _resident_kb("VmHWM") - before - result.nbytes / 1024
    return extra / (result.nbytes / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few cells instead of the whole grid")
    parser.add_argument("--plain-only", help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_only:  # the default allocator: this process must not call keep_freed_memory
        print(json.dumps(time_plain([tuple(c) for c in json.loads(args.plain_only)])))
        return
    from dsviz import memory

    memory.keep_freed_memory()  # as the app does; process-wide, so only after the --plain-only exit
    if args.memory:
        cell, stage = json.loads(args.memory)
        print(measure_memory(tuple(cell), stage))
        return
    report(grid(args.quick))


def report(cells: list[tuple[int, int, int, int]]) -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; times are medians in ms")
    fresh = time_plain_fresh(cells)  # a child process: main()'s allocator tuning does not reach it
    same_tuned = time_plain(cells)
    ours = [median_ms(dsviz_way(*inputs(*cell))) for cell in cells]
    header = "   M    N  side  K | plain (fresh)  plain (tuned alloc)  dsviz | ×fresh  ×tuned"
    print(header + "\n" + "-" * len(header))
    for cell, a, b, c in zip(cells, fresh, same_tuned, ours, strict=True):
        m, n, side, k = cell
        print(f"{m:4d} {n:4d} {side:5d} {k:2d} | {a:13.2f} {b:20.2f} {c:6.2f} | {a / c:6.1f} {b / c:7.1f}")
    worst_fresh = min(a / c for a, c in zip(fresh, ours, strict=True))
    worst_tuned = min(b / c for b, c in zip(same_tuned, ours, strict=True))
    print(f"\nheadline {HEADLINE}: {fresh[0] / ours[0]:.1f}× faster than the plain way (target ≥ 10×)")
    print(f"slowest cell: {worst_fresh:.2f}× vs plain (fresh), {worst_tuned:.2f}× vs plain (tuned alloc)")
    print("\npeak extra memory / output size, per dsviz stage (target ≤ 3):")
    for cell in (HEADLINE, (32, 32, 1024, 7), (256, 256, 256, 3)):
        ratios = {stage: peak_extra_ratio(cell, stage) for stage in ("depthwise", "pointwise")}
        print(f"  {cell}: " + ", ".join(f"{s} {r:.2f}" for s, r in ratios.items()))


if __name__ == "__main__":
    main()
