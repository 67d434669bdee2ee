"""How close a depthwise separable layer can come to a standard kernel, read off singular values.

For input channel m, a separable layer with multiplier d makes the N × K² matrix of filters
``K[:, m]`` as ``Σ_r P[:, m·d+r] ⊗ K̂[m·d+r]``: rank ≤ d. :func:`dsviz.ops.separable_approximation`
takes the rank-d truncated SVD of each channel's matrix, which is the best possible in the Frobenius
norm (Eckart–Young): its squared error is the sum of the squared singular values it leaves out.
So the whole error curve against d, and the d at which it reaches 0, come from one SVD per channel.
"""

from __future__ import annotations

import numpy as np

FLOAT32_EPS = float(np.finfo(np.float32).eps)


def singular_values(kernel: np.ndarray) -> np.ndarray:
    """``(M, min(N, K²))``: the singular values of each input channel's N × K² filter matrix,
    largest first (float64)."""
    out, channels = kernel.shape[:2]
    per_channel = np.asarray(kernel, np.float64).transpose(1, 0, 2, 3).reshape(channels, out, -1)
    return np.linalg.svd(per_channel, compute_uv=False)


def tolerance(s: np.ndarray, shape: tuple[int, ...]) -> float:
    """Singular values below this are float32 rounding: ``σ_max · max(N, K²) · ε₃₂`` (NumPy's
    ``matrix_rank`` rule, with float32's ε since the kernels are float32)."""
    out, _, size, _ = shape
    return float(s.max(initial=0.0)) * max(out, size * size) * FLOAT32_EPS


def channel_ranks(kernel: np.ndarray) -> np.ndarray:
    """``(M,)``: each channel's number of filters that are not combinations of the others."""
    s = singular_values(kernel)
    return (s > tolerance(s, kernel.shape)).sum(axis=1)


def exact_multiplier(kernel: np.ndarray) -> int:
    """The smallest d whose best approximation is exact (to float32 rounding): the largest rank."""
    return int(channel_ranks(kernel).max(initial=0))


def discarded_error(s: np.ndarray, d: int) -> float:
    """Frobenius norm of what the rank-d truncation of every channel leaves out: √Σ_m Σ_{i>d} s²."""
    return float(np.sqrt((s[:, d:] ** 2).sum()))


def relative_errors(kernel: np.ndarray, most: int) -> np.ndarray:
    """``(most,)``: the best approximation's relative error ‖K − K_d‖ / ‖K‖ (Frobenius) for
    d = 1 … ``most`` (0 for a zero kernel)."""
    s = singular_values(kernel)
    total = float(np.sqrt((s**2).sum()))
    return np.array([discarded_error(s, d) / total if total else 0.0 for d in range(1, most + 1)])


def relative_error(target: np.ndarray, approximation: np.ndarray) -> float:
    """``‖target − approximation‖ / ‖target‖`` (Frobenius, float64), 0 for a zero target."""
    target = np.asarray(target, np.float64)
    norm = float(np.linalg.norm(target))
    return float(np.linalg.norm(target - approximation)) / norm if norm else 0.0
