"""The target filter banks and the separable approximation's error: the error of
``ops.separable_approximation`` is exactly the discarded singular values (Eckart–Young), it is exact
at d = the rank, and the banks have the ranks their construction says."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dsviz import approx, filterbank, ops


def frobenius(a: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a, np.float64)))


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(1, 9),
    m=st.integers(1, 4),
    k=st.sampled_from([1, 3, 5]),
    d=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_error_is_the_discarded_singular_values(n, m, k, d, seed) -> None:
    """‖K − compose(approx_d)‖_F = √Σ_m Σ_{i>d} σ_{m,i}², singular values from torch (independent)."""
    kernel = np.random.default_rng(seed).standard_normal((n, m, k, k)).astype(np.float32)
    kernels, weights = ops.separable_approximation(kernel, d)
    got = frobenius(kernel.astype(np.float64) - ops.compose(kernels, weights, d))
    per_channel = torch.from_numpy(kernel.astype(np.float64)).permute(1, 0, 2, 3).reshape(m, n, k * k)
    sigma = torch.linalg.svdvals(per_channel).numpy()  # (M, min(N, K²))
    want = math.sqrt(float((sigma[:, d:] ** 2).sum()))
    assert got == pytest.approx(want, rel=1e-4, abs=1e-5 * frobenius(kernel))
    assert approx.discarded_error(approx.singular_values(kernel), d) == pytest.approx(
        want, rel=1e-9, abs=1e-12
    )
    assert approx.relative_errors(kernel, d)[-1] == pytest.approx(
        want / frobenius(kernel), rel=1e-9, abs=1e-12
    )


def test_the_truncated_svd_beats_other_separable_layers() -> None:
    """Eckart–Young, checked by trying: no random separable pair with the same d comes closer."""
    rng = np.random.default_rng(1)
    kernel = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    best = frobenius(kernel - ops.compose(*ops.separable_approximation(kernel, 2), 2))
    for _ in range(200):
        k_hat, p = rng.standard_normal((4, 3, 3)), rng.standard_normal((6, 4))
        assert frobenius(kernel - ops.compose(k_hat, p, 2)) > best


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(2, 9),
    m=st.integers(1, 3),
    k=st.sampled_from([3, 5]),
    d0=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_exact_at_the_rank_and_not_before(n, m, k, d0, seed) -> None:
    """A kernel made by a separable layer with d0 kernels per channel has rank min(d0, N) (generic
    random factors); the approximation is exact there and not one below."""
    rng = np.random.default_rng(seed)
    kernel = ops.compose(rng.standard_normal((m * d0, k, k)), rng.standard_normal((n, m * d0)), d0)
    rank = min(d0, n)
    assert approx.exact_multiplier(kernel) == rank
    assert list(approx.channel_ranks(kernel)) == [rank] * m
    exact = ops.compose(*ops.separable_approximation(kernel, rank), rank)
    np.testing.assert_allclose(exact, kernel, atol=1e-5 * np.abs(kernel).max())
    errors = approx.relative_errors(kernel, k * k)
    assert errors[rank - 1] < 1e-5
    if rank > 1:
        assert errors[rank - 2] > 1e-6  # one kernel fewer leaves a singular value out
    assert np.all(np.diff(errors) <= 1e-12)  # more kernels per channel never hurt


def test_the_error_curve_ends_at_zero_by_min_n_k2() -> None:
    """Any K×K kernel is separable with d = min(N, K²): one channel's filters are an N × K² matrix."""
    for n, k in ((3, 3), (12, 3), (4, 1), (1, 5)):
        kernel = np.random.default_rng(n * k).standard_normal((n, 2, k, k)).astype(np.float32)
        assert approx.exact_multiplier(kernel) == min(n, k * k)
        assert approx.relative_errors(kernel, k * k)[min(n, k * k) - 1] < 1e-6


def test_relative_error_of_arrays() -> None:
    assert approx.relative_error(np.ones(4), np.zeros(4)) == 1.0
    assert approx.relative_error(np.zeros(4), np.ones(4)) == 0.0
    assert approx.relative_error(np.array([3.0, 4.0]), np.array([3.0, 0.0])) == pytest.approx(0.8)


# --------------------------------------------------------------------------- the banks


@pytest.mark.parametrize("name", list(filterbank.BANKS))
@pytest.mark.parametrize("colours", [(0, 1, 2), (None,), (0, 1, 2, 0, 1, 2)])
def test_bank_shapes(name, colours) -> None:
    for k in (1, 3, 7):
        bank = filterbank.filter_bank(name, 5, colours, k)
        assert bank.shape == (5, len(colours), k, k) and bank.dtype == np.float32
        assert np.isfinite(bank).all() and np.abs(bank).max() > 0


def test_gaussian_derivatives_are_steerable_rank_two() -> None:
    """cos θ ∂x G + sin θ ∂y G: every orientation is a mix of two filters, so d = 2 is exact."""
    for k in (3, 5, 11):
        for colours in ((0, 1, 2), (None,)):
            bank = filterbank.filter_bank("dog", 8, colours, k)
            assert approx.exact_multiplier(bank) == 2
            assert approx.relative_errors(bank, 2)[1] < 1e-6


def test_gabor_and_random_banks_need_more_than_two() -> None:
    for k in (3, 5, 7):
        assert approx.exact_multiplier(filterbank.filter_bank("gabor", 8, (0, 1, 2), k)) > 2
        assert approx.exact_multiplier(filterbank.filter_bank("random", 8, (None,), k)) == min(8, k * k)


def test_one_output_or_one_by_one_is_always_separable() -> None:
    for name in filterbank.BANKS:
        assert approx.exact_multiplier(filterbank.filter_bank(name, 1, (0, 1, 2), 5)) == 1
        assert approx.exact_multiplier(filterbank.filter_bank(name, 8, (0, 1, 2), 1)) == 1


def test_one_input_channel_is_not_always_separable() -> None:
    """M = 1 is no special case: N different filters on the one channel need d = their rank."""
    assert approx.exact_multiplier(filterbank.filter_bank("gabor", 8, (None,), 5)) == 8
    assert approx.relative_errors(filterbank.filter_bank("gabor", 8, (None,), 5), 1)[0] > 0.3


def test_colour_weights_and_labels() -> None:
    weights = filterbank.colour_weights(4, (0, 1, 2, None))
    np.testing.assert_allclose(weights[0, :3], [1 / 3] * 3)
    np.testing.assert_allclose(weights[1], [1, -1, 0, 1])
    np.testing.assert_allclose(weights[2], [-0.5, -0.5, 1, 1])
    np.testing.assert_allclose(weights[3], weights[0])
    assert filterbank.output_label("gabor", 1, 8, True) == "1: 22.5°, R − G"
    assert filterbank.output_label("dog", 2, 8, False, numbered=False) == "45°"
    assert filterbank.output_label("random", 0, 8, True) == "0: random"
    with pytest.raises(ValueError, match="no filter bank"):
        filterbank.filter_bank("sobel", 2, (None,), 3)


def test_gabor_has_no_response_to_a_flat_patch() -> None:
    for k in (3, 5, 9):
        for theta in (0.0, 0.7):
            g = filterbank.gabor(k, theta)
            assert abs(g.sum()) < 1e-9 and np.linalg.norm(g) == pytest.approx(1.0)
