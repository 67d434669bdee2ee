"""The roofline of this machine: how fast it can multiply-add, how fast it can move bytes, and where a
layer sits between the two.

A stage that does ``I`` MACs per byte it moves can run at most at ``min(peak, I × bandwidth)`` MAC/s:
below the *balance point* ``I < peak / bandwidth`` the bytes would take longer than the arithmetic
(memory-bound), above it the arithmetic would (compute-bound). "Few MACs per byte" means memory-bound
only relative to that balance point, which is a property of the machine, so both roofs are measured
here rather than assumed. A stage far below its roof is limited by neither: by the kernel's
implementation (per-call overhead, poor vectorisation), which only a measurement can reveal.

Nothing is measured on import; :func:`measure` takes ~0.3 s, so callers cache its result (the machine
does not change while a process runs).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Progress = Callable[[float, str], None]  # (fraction done in [0, 1], what is running now)

MATMUL_SIZE = 1024  # (n × n) @ (n × n) float32: n³ ≈ 1.07 G MACs, ~20 ms at 50 GMAC/s
COPY_MEGABYTES = 64  # much larger than any cache here, so the copy runs at memory bandwidth
REPEATS = 5


@dataclass(frozen=True)
class Machine:
    """This machine's two roofs.

    ``peak_gmacs``: GMAC/s (10⁹ float32 multiply-accumulates per second) of a large matrix product, the
    fastest arithmetic PyTorch does here. ``bandwidth_gbs``: GB/s (10⁹ bytes per second, bytes read +
    bytes written, as :attr:`dsviz.cost.ConvCost.bytes_moved` counts them) of a large array copy.
    """

    peak_gmacs: float
    bandwidth_gbs: float

    @property
    def balance(self) -> float:
        """MACs per byte at which the two roofs meet: below it a stage is memory-bound."""
        return self.peak_gmacs / self.bandwidth_gbs


@dataclass(frozen=True)
class Placement:
    """One stage on the roofline: what it could reach and what it reached.

    ``intensity``: MACs per byte moved; ``attainable_gmacs = min(peak, intensity × bandwidth)``;
    ``measured_gmacs`` and ``measured_gbs`` from its timing; ``memory_bound``: intensity below the
    machine's balance point (the roofline's verdict, not a measurement of what limits it).
    """

    intensity: float
    attainable_gmacs: float
    measured_gmacs: float
    measured_gbs: float
    memory_bound: bool

    @property
    def fraction(self) -> float:
        """Measured ÷ attainable MAC rate (1 = on the roof)."""
        return self.measured_gmacs / self.attainable_gmacs


def _best_seconds(run: Callable[[], object], repeats: int) -> float:
    """Fastest of ``repeats`` timed calls after one untimed warm-up (noise only ever slows a roof down)."""
    run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def peak_gmacs(size: int = MATMUL_SIZE, repeats: int = REPEATS) -> float:
    """GMAC/s of a float32 ``(size × size) @ (size × size)`` matrix product (``size³`` MACs)."""
    import torch  # here, not at the top: the Playground imports this module long before it times

    generator = torch.Generator().manual_seed(0)
    a = torch.rand(size, size, generator=generator)
    b = torch.rand(size, size, generator=generator)
    out = torch.empty(size, size)  # preallocated: time the arithmetic, not page faults
    seconds = _best_seconds(lambda: torch.mm(a, b, out=out), repeats)
    return size**3 / seconds / 1e9


def bandwidth_gbs(megabytes: int = COPY_MEGABYTES, repeats: int = REPEATS) -> float:
    """GB/s of copying a float32 array of ``megabytes`` MB into another, counting bytes read + written."""
    source = np.ones(megabytes * 2**20 // 4, dtype=np.float32)
    target = np.zeros_like(source)  # both touched before timing: no page faults inside the timed copy
    seconds = _best_seconds(lambda: np.copyto(target, source), repeats)
    return 2 * source.nbytes / seconds / 1e9


def measure(progress: Progress | None = None) -> Machine:
    """Both roofs of this machine (~0.3 s). ``progress(fraction, text)`` is told what runs next."""
    report = progress or (lambda fraction, text: None)
    report(0.0, f"Timing a {MATMUL_SIZE}×{MATMUL_SIZE} matrix product (this machine's peak MAC rate)…")
    peak = peak_gmacs()
    report(0.6, f"Copying {COPY_MEGABYTES} MB (this machine's memory bandwidth)…")
    bandwidth = bandwidth_gbs()
    report(1.0, "Roofline measured")
    return Machine(peak_gmacs=peak, bandwidth_gbs=bandwidth)


def place(machine: Machine, mult_adds: int, bytes_moved: int, milliseconds: float) -> Placement:
    """Put a stage that does ``mult_adds`` MACs and moves ``bytes_moved`` bytes in ``milliseconds`` on
    this machine's roofline."""
    if mult_adds <= 0 or bytes_moved <= 0 or milliseconds <= 0:
        raise ValueError("a stage on the roofline needs positive MACs, bytes and time")
    intensity = mult_adds / bytes_moved  # MACs per byte
    return Placement(
        intensity=intensity,
        attainable_gmacs=min(machine.peak_gmacs, intensity * machine.bandwidth_gbs),
        measured_gmacs=mult_adds / milliseconds / 1e6,  # MACs per ms ÷ 10⁶ = GMAC/s
        measured_gbs=bytes_moved / milliseconds / 1e6,
        memory_bound=intensity < machine.balance,
    )
