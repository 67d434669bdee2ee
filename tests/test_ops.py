"""Every op in dsviz.ops against an independent reference: torch.nn.functional.conv2d on NCHW batch-1
tensors (plus F.pad for the non-zero padding modes), torch.nn.BatchNorm2d, and plain NumPy loops."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dsviz import ops

MODES = ("zeros", "reflect", "replicate", "circular")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- the reference ---------------------------------------------------------------------------------


def torch_conv(x, weight, *, stride=1, pad=0, dilation=1, groups=1, mode="zeros", bias=None):
    """F.conv2d on a contiguous NCHW batch of one; ``pad`` pixels each side in ``mode``."""
    batch = torch.tensor(np.asarray(x, dtype=np.float32))[None]
    if mode != "zeros" and pad:
        batch = F.pad(batch, (pad, pad, pad, pad), mode=mode)
        pad = 0
    weight = torch.tensor(np.asarray(weight, dtype=np.float32))
    bias = None if bias is None else torch.tensor(np.asarray(bias, dtype=np.float32))
    out = F.conv2d(batch, weight, bias, stride=stride, padding=pad, dilation=dilation, groups=groups)
    return out[0].numpy()


def pad_of(padding, kernel_size, dilation):
    """design.md: "same" is symmetric dilation·(K−1)/2 per side (odd K); "valid" is 0."""
    if padding == "same":
        return dilation * (kernel_size - 1) // 2
    return 0 if padding == "valid" else padding


def assert_close(actual, expected, rel=1e-4):
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=rel * scale)


def uniform(rng, *shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


@st.composite
def geometries(draw, odd_only=True):
    """A random image size and convolution geometry; many are invalid on purpose."""
    return {
        "height": draw(st.integers(1, 40)),
        "width": draw(st.integers(1, 40)),
        "size": draw(st.sampled_from([1, 3, 5, 7])),
        "stride": draw(st.integers(1, 4)),
        "dilation": draw(st.integers(1, 4)),
        "padding": draw(st.one_of(st.sampled_from(["same", "valid"]), st.integers(0, 5))),
        "mode": draw(st.sampled_from(MODES)),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def conv_kwargs(g):
    return {
        "stride": g["stride"],
        "padding": g["padding"],
        "dilation": g["dilation"],
        "padding_mode": g["mode"],
    }


def torch_kwargs(g):
    pad = pad_of(g["padding"], g["size"], g["dilation"])
    return {"stride": g["stride"], "pad": pad, "dilation": g["dilation"], "mode": g["mode"]}


def check_against(reference, op):
    """If torch refuses the configuration, dsviz must raise ValueError; otherwise they must agree."""
    try:
        expected = reference()
    except (RuntimeError, ValueError) as err:
        note(f"torch refuses: {err}")
        event("torch refuses the configuration")
        with pytest.raises(ValueError):
            op()
        return None
    event("torch accepts the configuration")
    out = op()
    assert_close(out, expected)
    return out


# ---- depthwise ---------------------------------------------------------------------------------------


@SETTINGS
@given(g=geometries(), channels=st.integers(1, 6), d=st.sampled_from([1, 2, 3]))
def test_depthwise_matches_torch(g, channels, d):
    rng = np.random.default_rng(g["seed"])
    x = uniform(rng, channels, g["height"], g["width"])
    kernels = uniform(rng, channels * d, g["size"], g["size"])
    out = check_against(
        lambda: torch_conv(x, kernels[:, None], groups=channels, **torch_kwargs(g)),
        lambda: ops.depthwise(x, kernels, **conv_kwargs(g)),
    )
    if out is not None and g["padding"] == "same":
        assert out.shape == (
            channels * d,
            math.ceil(g["height"] / g["stride"]),
            math.ceil(g["width"] / g["stride"]),
        )


@SETTINGS
@given(
    channels=st.integers(1, 4),
    d=st.sampled_from([1, 2, 3]),
    height=st.integers(1, 30),
    width=st.integers(1, 30),
    size=st.sampled_from([1, 3, 5, 7]),
    dilation=st.integers(1, 4),
    mode=st.sampled_from(MODES),
    seed=st.integers(0, 2**32 - 1),
)
def test_depthwise_same_matches_torch_same_padding(channels, d, height, width, size, dilation, mode, seed):
    """At stride 1 torch has its own padding="same" (nn.Conv2d, any padding mode): an independent
    definition."""
    rng = np.random.default_rng(seed)
    x = uniform(rng, channels, height, width)
    kernels = uniform(rng, channels * d, size, size)

    @torch.no_grad()  # importing dsviz leaves autograd on: a module's weights require grad
    def reference():
        conv = torch.nn.Conv2d(
            channels, channels * d, size, padding="same", dilation=dilation, groups=channels,
            bias=False, padding_mode=mode,
        )  # fmt: skip
        conv.weight.copy_(torch.tensor(kernels[:, None]))
        return conv(torch.tensor(x)[None])[0].numpy()

    out = check_against(reference, lambda: ops.depthwise(x, kernels, dilation=dilation, padding_mode=mode))
    if out is not None:
        assert out.shape == (channels * d, height, width)


def test_depthwise_channel_order_is_input_j_over_d():
    rng = np.random.default_rng(0)
    channels, d = 3, 2
    x = uniform(rng, channels, 5, 7)
    kernels = np.zeros((channels * d, 3, 3), np.float32)
    kernels[:, 1, 1] = np.arange(1, channels * d + 1)  # kernel j is (j+1) × identity
    out = ops.depthwise(x, kernels)
    for j in range(channels * d):
        np.testing.assert_allclose(out[j], (j + 1) * x[j // d], rtol=1e-6)


def test_depthwise_is_cross_correlation_with_symmetric_same_padding():
    x = np.arange(1, 1 + 2 * 6 * 8, dtype=np.float32).reshape(2, 6, 8)
    corner = np.zeros((2, 3, 3), np.float32)
    corner[:, 0, 0] = 1  # cross-correlation: out[i, j] = x[i − 1, j − 1]
    out = ops.depthwise(x, corner)
    expected = np.zeros_like(x)
    expected[:, 1:, 1:] = x[:, :-1, :-1]
    np.testing.assert_array_equal(out, expected)
    centre = np.zeros((2, 3, 3), np.float32)
    centre[:, 1, 1] = 1  # symmetric padding: stride 2 samples the even pixels (TensorFlow: the odd ones)
    np.testing.assert_array_equal(ops.depthwise(x, centre, stride=2), x[:, ::2, ::2])


def test_depthwise_rejects_kernel_count_not_a_multiple():
    with pytest.raises(ValueError, match="multiple"):
        ops.depthwise(np.ones((3, 5, 5)), np.ones((4, 3, 3)))


# ---- pointwise ---------------------------------------------------------------------------------------


@SETTINGS
@given(
    channels=st.integers(1, 12),
    out_channels=st.integers(1, 12),
    height=st.integers(1, 30),
    width=st.integers(1, 30),
    with_bias=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_pointwise_matches_1x1_conv(channels, out_channels, height, width, with_bias, seed):
    rng = np.random.default_rng(seed)
    y = uniform(rng, channels, height, width)
    weights = uniform(rng, out_channels, channels)
    bias = uniform(rng, out_channels) if with_bias else None
    expected = torch_conv(y, weights[:, :, None, None], bias=bias)
    assert_close(ops.pointwise(y, weights, bias), expected)


@SETTINGS
@given(
    g=geometries(), channels=st.integers(1, 4), d=st.sampled_from([1, 2, 3]), out_channels=st.integers(1, 6)
)
def test_pointwise_on_depthwise_strided_output(g, channels, d, out_channels):
    rng = np.random.default_rng(g["seed"])
    x = uniform(rng, channels, g["height"], g["width"])
    kernels = uniform(rng, channels * d, g["size"], g["size"])
    weights, bias = uniform(rng, out_channels, channels * d), uniform(rng, out_channels)
    try:
        maps = ops.depthwise(x, kernels, **conv_kwargs(g))
    except ValueError:
        assume(False)
    expected = torch_conv(np.ascontiguousarray(maps), weights[:, :, None, None], bias=bias)
    assert_close(ops.pointwise(maps, weights, bias), expected)
    assert_close(ops.pointwise(maps, weights), expected - bias[:, None, None])


@pytest.mark.parametrize("layout", ["read-only", "reversed", "read-only reversed", "broadcast", "fortran"])
def test_odd_memory_layouts_work_without_warnings(layout):
    rng = np.random.default_rng(1)
    base = uniform(rng, 4, 9, 11)
    kernels, weights, bias = uniform(rng, 8, 3, 3), uniform(rng, 5, 4), uniform(rng, 5)
    full_kernel = uniform(rng, 6, 2, 3, 3)
    y = {
        "read-only": base.copy(),
        "reversed": base[:, ::-1],
        "read-only reversed": base.copy()[::-1, :, ::-1],
        "broadcast": np.broadcast_to(base[:1], base.shape),
        "fortran": np.asfortranarray(base),
    }[layout]
    for arr in (y, weights, bias, kernels, full_kernel):
        if "read-only" in layout:
            arr.setflags(write=False)
    before = np.array(y, copy=True)
    contiguous = np.ascontiguousarray(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mixed = ops.pointwise(y, weights, bias)
        filtered = ops.depthwise(y, kernels, padding_mode="reflect")
        grouped = ops.standard(y, full_kernel, groups=2, padding_mode="circular")
    assert_close(mixed, torch_conv(contiguous, weights[:, :, None, None], bias=bias))
    assert_close(filtered, torch_conv(contiguous, kernels[:, None], pad=1, groups=4, mode="reflect"))
    assert_close(grouped, torch_conv(contiguous, full_kernel, pad=1, groups=2, mode="circular"))
    np.testing.assert_array_equal(y, before)  # inputs are never written


@pytest.mark.parametrize(
    ("weights", "bias", "word"),
    [
        (np.ones((2, 3)), None, "column"),
        (np.ones(4), None, "axes"),
        (np.ones((2, 4)), np.ones(3), "bias"),
        (np.ones((2, 4)), np.ones((2, 1)), "must have 1 axis, "),
        (np.full((2, 4), np.nan), None, "finite"),
        (np.ones((2, 4)), np.array([1.0, np.inf]), "finite"),
    ],
)
def test_pointwise_rejects_bad_weights(weights, bias, word):
    with pytest.raises(ValueError, match=word):
        ops.pointwise(np.ones((4, 5, 6)), weights, bias)


# ---- standard / grouped ------------------------------------------------------------------------------


@SETTINGS
@given(
    g=geometries(),
    groups=st.integers(1, 4),
    per_group_in=st.integers(1, 3),
    per_group_out=st.integers(1, 3),
)
def test_standard_grouped_matches_torch(g, groups, per_group_in, per_group_out):
    rng = np.random.default_rng(g["seed"])
    channels, out_channels = groups * per_group_in, groups * per_group_out
    x = uniform(rng, channels, g["height"], g["width"])
    kernel = uniform(rng, out_channels, per_group_in, g["size"], g["size"])
    check_against(
        lambda: torch_conv(x, kernel, groups=groups, **torch_kwargs(g)),
        lambda: ops.standard(x, kernel, groups=groups, **conv_kwargs(g)),
    )


@SETTINGS
@given(g=geometries(), channels=st.integers(1, 6), d=st.sampled_from([1, 2, 3]), full=st.booleans())
def test_standard_groups_1_and_groups_m(g, channels, d, full):
    rng = np.random.default_rng(g["seed"])
    x = uniform(rng, channels, g["height"], g["width"])
    groups = 1 if full else channels
    kernel = uniform(rng, channels * d, channels // groups, g["size"], g["size"])
    out = check_against(
        lambda: torch_conv(x, kernel, groups=groups, **torch_kwargs(g)),
        lambda: ops.standard(x, kernel, groups=groups, **conv_kwargs(g)),
    )
    if out is not None and not full:  # groups = M is exactly depthwise
        assert_close(ops.depthwise(x, kernel[:, 0], **conv_kwargs(g)), out)


# ---- compose -----------------------------------------------------------------------------------------


@SETTINGS
@given(
    g=geometries(),
    channels=st.integers(1, 5),
    d=st.sampled_from([1, 2, 3]),
    out_channels=st.integers(1, 6),
)
def test_composed_kernel_equals_depthwise_then_pointwise(g, channels, d, out_channels):
    rng = np.random.default_rng(g["seed"])
    x = uniform(rng, channels, g["height"], g["width"])
    kernels = uniform(rng, channels * d, g["size"], g["size"])
    weights = uniform(rng, out_channels, channels * d)
    composed = ops.compose(kernels, weights, d)
    assert composed.shape == (out_channels, channels, g["size"], g["size"])
    check_against(
        lambda: torch_conv(x, composed, **torch_kwargs(g)),  # torch's standard conv of the composed kernel
        lambda: ops.standard(x, composed, **conv_kwargs(g)),
    )
    try:
        separable = ops.pointwise(ops.depthwise(x, kernels, **conv_kwargs(g)), weights)
    except ValueError:
        with pytest.raises(ValueError):
            ops.standard(x, composed, **conv_kwargs(g))
        return
    assert_close(ops.standard(x, composed, **conv_kwargs(g)), separable)


@SETTINGS
@given(
    channels=st.integers(1, 4),
    d=st.sampled_from([1, 2, 3]),
    out_channels=st.integers(1, 4),
    size=st.sampled_from([1, 3, 5]),
    seed=st.integers(0, 2**32 - 1),
)
def test_compose_formula_by_loops(channels, d, out_channels, size, seed):
    rng = np.random.default_rng(seed)
    kernels = uniform(rng, channels * d, size, size)
    weights = uniform(rng, out_channels, channels * d)
    composed = ops.compose(kernels, weights, d)
    for n in range(out_channels):
        for m in range(channels):
            if d == 1:  # K[n, m] = P[n, m] · K̂[m]
                expected = weights[n, m] * kernels[m]
            else:  # K[n, m] = Σ_r P[n, m·d + r] · K̂[m·d + r]
                expected = sum(weights[n, m * d + r] * kernels[m * d + r] for r in range(d))
            np.testing.assert_allclose(composed[n, m], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("kernels", "weights", "d"),
    [
        (np.ones((3, 3, 3)), np.ones((2, 4)), 1),  # weights width ≠ kernel count
        (np.ones((3, 3, 3)), np.ones((2, 3)), 2),  # 3 kernels do not split into pairs
        (np.ones((3, 3, 3)), np.ones((2, 3)), 0),
        (np.ones((3, 3, 3)), np.ones((2, 3)), 1.5),  # not a whole number (3 % 1.5 == 0)
        (np.ones((4, 3, 3)), np.ones((2, 4)), "2"),
    ],
)
def test_compose_rejects_bad_arguments(kernels, weights, d):
    with pytest.raises(ValueError):
        ops.compose(kernels, weights, d)


# ---- separable approximation -------------------------------------------------------------------------


def approximation_error(kernel, d):
    kernels, weights = ops.separable_approximation(kernel, d)
    return float(np.linalg.norm(kernel - ops.compose(kernels, weights, d)))


def discarded_energy(kernel, d):
    """sqrt(Σ discarded σ²) over every input channel's N × K² matrix (Eckart–Young), by np.linalg.svd."""
    total = 0.0
    for m in range(kernel.shape[1]):
        s = np.linalg.svd(kernel[:, m].reshape(kernel.shape[0], -1).astype(np.float64), compute_uv=False)
        total += float(np.sum(s[d:] ** 2))
    return math.sqrt(total)


separable_shapes = st.tuples(
    st.integers(1, 5),  # M
    st.integers(1, 6),  # N
    st.sampled_from([1, 3, 5]),  # K
    st.sampled_from([1, 2, 3]),  # d
    st.integers(0, 2**32 - 1),
)


@SETTINGS
@given(shape=separable_shapes)
def test_separable_approximation_recovers_a_separable_kernel(shape):
    channels, out_channels, size, d, seed = shape
    rng = np.random.default_rng(seed)
    kernel = ops.compose(uniform(rng, channels * d, size, size), uniform(rng, out_channels, channels * d), d)
    kernels, weights = ops.separable_approximation(kernel, d)
    assert kernels.shape == (channels * d, size, size)
    assert weights.shape == (out_channels, channels * d)
    assert_close(ops.compose(kernels, weights, d), kernel)


@SETTINGS
@given(shape=separable_shapes)
def test_separable_approximation_is_optimal(shape):
    channels, out_channels, size, d, seed = shape
    rng = np.random.default_rng(seed)
    kernel = uniform(rng, out_channels, channels, size, size)
    kernels, weights = ops.separable_approximation(kernel, d)
    assert kernels.shape == (channels * d, size, size)
    assert weights.shape == (out_channels, channels * d)
    error = approximation_error(kernel, d)
    tol = 1e-4 * max(1.0, float(np.linalg.norm(kernel)))
    assert error == pytest.approx(discarded_energy(kernel, d), abs=tol)
    for _ in range(10):  # random separable candidates, and small perturbations of the answer
        candidate = ops.compose(
            uniform(rng, channels * d, size, size), uniform(rng, out_channels, channels * d), d
        )
        assert np.linalg.norm(kernel - candidate) >= error - tol
        nearby = ops.compose(
            kernels + 0.01 * uniform(rng, *kernels.shape), weights + 0.01 * uniform(rng, *weights.shape), d
        )
        assert np.linalg.norm(kernel - nearby) >= error - tol


@SETTINGS
@given(
    channels=st.integers(1, 4),
    out_channels=st.integers(1, 12),
    size=st.sampled_from([1, 3]),
    seed=st.integers(0, 2**32 - 1),
)
def test_separable_error_shrinks_with_d(channels, out_channels, size, seed):
    rng = np.random.default_rng(seed)
    kernel = uniform(rng, out_channels, channels, size, size)
    full_rank = min(out_channels, size * size)
    errors = [approximation_error(kernel, d) for d in range(1, full_rank + 3)]
    tol = 1e-5 * max(1.0, float(np.linalg.norm(kernel)))
    assert all(later <= earlier + tol for earlier, later in itertools.pairwise(errors))
    assert all(e < tol * 10 for e in errors[full_rank - 1 :])
    if full_rank > 1:
        assert errors[0] > tol * 10  # a random kernel is not separable with d = 1


def test_separable_approximation_rejects_bad_depth_multiplier():
    for d in (0, -1, 1.5, None, "2"):
        with pytest.raises(ValueError):
            ops.separable_approximation(np.ones((2, 3, 3, 3)), d)


# ---- batch norm and activation -----------------------------------------------------------------------


@SETTINGS
@given(
    channels=st.integers(1, 12),
    height=st.integers(1, 20),
    width=st.integers(1, 20),
    eps=st.floats(1e-6, 1e-1),
    seed=st.integers(0, 2**32 - 1),
)
def test_batch_norm_matches_torch_eval(channels, height, width, eps, seed):
    rng = np.random.default_rng(seed)
    y = uniform(rng, channels, height, width) * 5
    gamma, beta, mean = uniform(rng, channels), uniform(rng, channels), uniform(rng, channels)
    var = rng.uniform(0, 3, channels).astype(np.float32)
    var[0] = 0.0  # a zero variance is legal: ε keeps the division finite
    bn = torch.nn.BatchNorm2d(channels, eps=eps).eval()
    with torch.no_grad():  # importing dsviz leaves autograd on: γ and β require grad
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
        bn.running_mean.copy_(torch.tensor(mean))
        bn.running_var.copy_(torch.tensor(var))
        expected = bn(torch.tensor(y)[None])[0].numpy()
    assert_close(ops.batch_norm(y, gamma, beta, mean, var, eps), expected)


@pytest.mark.parametrize(
    ("stats", "eps", "word"),
    [
        ((np.ones(3), np.ones(3), np.ones(3), -np.ones(3)), 1e-5, "var"),
        ((np.ones(3),) * 4, 0.0, "ε"),
        ((np.ones(3),) * 4, float("nan"), "ε"),
        ((np.ones(3),) * 4, "0.1", "ε"),
        ((np.ones(2),) * 4, 1e-5, "one per map"),
        ((np.ones(3), np.ones(3), np.array([0, np.nan, 0]), np.ones(3)), 1e-5, "finite"),
    ],
)
def test_batch_norm_rejects_bad_arguments(stats, eps, word):
    with pytest.raises(ValueError, match=word):
        ops.batch_norm(np.ones((3, 4, 4)), *stats, eps=eps)


@pytest.mark.parametrize(
    ("kind", "reference"),
    [("none", lambda t: t), ("relu", torch.relu), ("relu6", F.relu6)],
)
def test_activation_matches_torch(kind, reference):
    y = np.random.default_rng(2).uniform(-10, 10, (3, 17, 13)).astype(np.float32)
    y[0, 0, :3] = [0.0, 6.0, -0.0]
    out = ops.activation(y, kind)
    np.testing.assert_array_equal(out, reference(torch.tensor(y)).numpy())
    assert out.shape == y.shape


@pytest.mark.parametrize("kind", ["gelu", "ReLU", "", None, 6])
def test_unknown_activation_raises(kind):
    with pytest.raises(ValueError, match="activation"):
        ops.activation(np.ones((1, 2, 2)), kind)


# ---- bad arguments -----------------------------------------------------------------------------------

X = np.ones((3, 12, 10), np.float32)
K3 = np.ones((3, 3, 3), np.float32)


def with_bad(arr, index, value):
    arr = np.array(arr, dtype=np.float32)
    arr[index] = value
    return arr


def test_nan_in_the_image_propagates_exactly_as_in_torch():
    """Images are not scanned (a full extra pass); a bad pixel spoils exactly the outputs it touches."""
    x = with_bad(X, (1, 2, 3), np.nan)
    x = with_bad(x, (0, 5, 5), np.inf)
    ours = ops.depthwise(x, K3, stride=2)
    theirs = F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(K3)[:, None], stride=2, padding=1, groups=3)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs[0].numpy()))
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(theirs[0].numpy()))
    assert np.isnan(ours).any() and np.isfinite(ours).any()


BAD_CALLS = {
    "kernel count": (lambda: ops.depthwise(X, np.ones((5, 3, 3))), "multiple"),
    "NaN kernel": (lambda: ops.depthwise(X, with_bad(K3, (2, 1, 1), np.nan)), "finite"),
    "inf kernel": (lambda: ops.standard(X, with_bad(np.ones((2, 3, 3, 3)), (1, 2, 0, 0), np.inf)), "finite"),
    "even K same": (lambda: ops.depthwise(X, np.ones((3, 4, 4))), "odd"),
    "even K valid": (lambda: ops.depthwise(X, np.ones((3, 2, 2)), padding="valid"), "odd"),
    "K 13": (lambda: ops.depthwise(np.ones((3, 30, 30)), np.ones((3, 13, 13))), "11"),
    "non-square kernel": (lambda: ops.depthwise(X, np.ones((3, 3, 5))), "square"),
    "stride 0": (lambda: ops.depthwise(X, K3, stride=0), "stride"),
    "stride 5": (lambda: ops.depthwise(X, K3, stride=5), "stride"),
    "stride 2.0": (lambda: ops.depthwise(X, K3, stride=2.0), "stride"),
    "stride 1.5": (lambda: ops.depthwise(X, K3, stride=1.5), "stride"),
    "dilation 0": (lambda: ops.depthwise(X, K3, dilation=0), "dilation"),
    "dilation 5": (lambda: ops.depthwise(X, K3, dilation=5), "dilation"),
    "dilation 2.0": (lambda: ops.standard(X, np.ones((2, 3, 3, 3)), dilation=2.0), "dilation"),
    "padding mode": (lambda: ops.depthwise(X, K3, padding_mode="mirror"), "padding mode"),
    "padding -1": (lambda: ops.depthwise(X, K3, padding=-1), "padding"),
    "padding full": (lambda: ops.depthwise(X, K3, padding="full"), "padding"),
    "padding 1e6": (lambda: ops.depthwise(X, K3, padding=10**6), "padding"),
    "padding 1e6 replicate": (
        lambda: ops.depthwise(X, K3, padding=10**6, padding_mode="replicate"),
        "padding",
    ),
    "reflect too wide": (
        lambda: ops.depthwise(X[:, :3], np.ones((3, 7, 7)), padding_mode="reflect"),
        "reflect",
    ),
    "reflect int pad": (lambda: ops.depthwise(X, K3, padding=10, padding_mode="reflect"), "reflect"),
    "circular too wide": (
        lambda: ops.depthwise(X[:, :2, :2], K3, padding=3, padding_mode="circular"),
        "circular",
    ),
    "valid too big": (lambda: ops.depthwise(X[:, :4], np.ones((3, 5, 5)), padding="valid"), "empty"),
    "valid dilated": (lambda: ops.depthwise(X[:, :8], K3, padding="valid", dilation=4), "empty"),
    "2-D image": (lambda: ops.depthwise(X[0], K3[:1]), "axes"),
    "4-D image": (lambda: ops.depthwise(X[None], K3), "axes"),
    "empty image": (lambda: ops.depthwise(np.ones((3, 0, 5)), K3), "empty"),
    "empty kernels": (lambda: ops.depthwise(X, np.ones((0, 3, 3))), "empty"),
    "no channels": (lambda: ops.depthwise(np.ones((0, 5, 5)), K3), "empty"),
    "groups 2 of 3": (lambda: ops.standard(X, np.ones((2, 1, 3, 3)), groups=2), "groups"),
    "groups 3 of 4 out": (lambda: ops.standard(X, np.ones((4, 1, 3, 3)), groups=3), "groups"),
    "groups 0": (lambda: ops.standard(X, np.ones((3, 3, 3, 3)), groups=0), "groups"),
    "groups wrong width": (lambda: ops.standard(X, np.ones((3, 3, 3, 3)), groups=3), "group"),
    "groups 1.5": (lambda: ops.standard(X, np.ones((3, 3, 3, 3)), groups=1.5), "groups"),
    "string image": (lambda: ops.depthwise("image.png", K3), "array"),
    "string kernels": (lambda: ops.depthwise(X, "sobel"), "array"),
    "string weights": (lambda: ops.pointwise(X, "identity"), "array"),
    "None image": (lambda: ops.standard(None, np.ones((2, 3, 3, 3))), "axes"),
    "ragged list": (lambda: ops.depthwise([[[1, 2], [3]]], K3[:1]), "array"),
}


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_arguments_raise_readable_value_error(case):
    call, word = BAD_CALLS[case]
    with pytest.raises(ValueError) as info:
        call()
    assert word in str(info.value).lower()


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 12),
    st.sampled_from([1.0, 2.0, 10**6, 10**18]),
    st.floats(),
    st.text(max_size=6),
)
junk_shapes = hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=6)
junk_arrays = st.one_of(
    hnp.arrays(
        st.sampled_from([np.float32, np.float64]),
        junk_shapes,
        elements=st.one_of(st.floats(-10, 10, width=32), st.sampled_from([np.nan, np.inf])),
    ),
    hnp.arrays(np.int64, junk_shapes, elements=st.integers(-5, 5)),
)


@st.composite
def junk_calls(draw):
    """Mostly plausible arrays, so that the junk in the other arguments reaches torch."""

    def sometimes_junk(plausible):
        return plausible if draw(st.integers(0, 9)) < 7 else draw(st.one_of(junk_arrays, scalars))

    channels, d, groups = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.sampled_from(["1", "M"]))
    size = draw(st.sampled_from([1, 3, 5]))
    shape = (channels, draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    x = draw(hnp.arrays(np.float32, shape, elements=st.floats(-10, 10, width=32)))
    kernel = np.ones((channels * d, 1 if groups == "M" else channels, size, size))
    return {
        "x": sometimes_junk(x),
        "kernels": sometimes_junk(kernel[:, 0]),
        "kernel": sometimes_junk(kernel),
        "groups": channels if groups == "M" else 1 if draw(st.booleans()) else draw(scalars),
        "stride": draw(st.one_of(st.integers(1, 4), scalars)),
        "padding": draw(st.one_of(st.sampled_from(["same", "valid"]), scalars)),
        "dilation": draw(st.one_of(st.integers(1, 4), scalars)),
        "padding_mode": draw(st.one_of(st.sampled_from(MODES), scalars)),
    }


@settings(max_examples=300, deadline=None)
@given(args=junk_calls())
def test_junk_arguments_only_ever_raise_value_error(args):
    kwargs = {k: args[k] for k in ("stride", "padding", "dilation", "padding_mode")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. NumPy's overflow warning when a huge float64 becomes float32
        for call in (
            lambda: ops.depthwise(args["x"], args["kernels"], **kwargs),
            lambda: ops.standard(args["x"], args["kernel"], groups=args["groups"], **kwargs),
        ):
            try:
                out = call()
            except ValueError:
                continue
            assert isinstance(out, np.ndarray) and out.ndim == 3


# ---- messages: English that agrees with its numbers; image sizes as width×height px ---------------------

WIDE = np.ones((3, 3, 200), np.float32)  # (M, H, W): 200 px wide, 3 px high
ONE_NAN = with_bad(K3, (1, 1, 1), np.nan)

MESSAGES = {
    "one bad value": (
        lambda: ops.depthwise(X, ONE_NAN),
        "1 value in the depthwise kernels is not a finite number",
    ),
    "many bad values": (
        lambda: ops.depthwise(X, np.full((3, 3, 3), np.nan)),
        "27 values in the depthwise kernels are not finite numbers",
    ),
    "one group": (
        lambda: ops.standard(X[:1], np.ones((1, 2, 3, 3))),
        "with 1 group, each kernel sees 1 input channel, but",
    ),
    "one map": (lambda: ops.pointwise(X[:1], np.ones((2, 3))), "there is 1 map to mix"),
    "one depthwise kernel": (lambda: ops.depthwise(X[:2], K3[:1]), "there is 1 depthwise kernel for 2 input"),
    "one axis": (lambda: ops.batch_norm(X, *[np.ones((3, 1))] * 4), "must have 1 axis, but"),
    "one value each": (lambda: ops.batch_norm(X[:1], *[np.ones(2)] * 4), "needs 1 value each of γ"),
    "reflect, wide image": (
        lambda: ops.depthwise(WIDE, np.ones((3, 7, 7)), padding_mode="reflect"),
        "at least 4 px wide and 4 px high, but it is 200×3 px",
    ),
    "valid, wide image": (
        lambda: ops.depthwise(WIDE, np.ones((3, 5, 5)), padding="valid"),
        "a 5×5 kernel spans 5 px, but the image is 200×3 px",
    ),
    "non-square kernel": (lambda: ops.depthwise(X, np.ones((3, 3, 5))), "3 rows and 5 columns"),
}


@pytest.mark.parametrize("case", list(MESSAGES))
def test_messages_agree_with_their_numbers(case):
    call, text = MESSAGES[case]
    with pytest.raises(ValueError) as info:
        call()
    assert text in str(info.value)


@pytest.mark.parametrize("case", list(BAD_CALLS) + list(MESSAGES))
def test_messages_have_no_optional_plurals(case):
    call = {**BAD_CALLS, **MESSAGES}[case][0]
    with pytest.raises(ValueError) as info:
        call()
    assert "(s)" not in str(info.value)
