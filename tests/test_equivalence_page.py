"""Equivalence & expressivity: depthwise → pointwise equals one standard convolution with the composed
kernel (to float32 rounding, on random blocks with d > 1, stride and dilation), and the page under
AppTest — every widget changed, no trouble, and its numbers equal an independent torch computation."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from apptest import open_page, trouble, widget
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dsviz import filterbank, ops
from dsviz.block import block_from, input_spec
from ui import equivalence, stages

PAGE = "views/equivalence.py"
EPS32 = float(np.finfo(np.float32).eps)


# --------------------------------------------------------------------------- the equivalence itself


def conv64(x: np.ndarray, kernel: np.ndarray, stride: int, dilation: int, pad: int, mode: str) -> np.ndarray:
    """The reference: torch's conv2d in float64. x ``(M, H, W)``, kernel ``(N, M, K, K)``."""
    t = torch.from_numpy(np.asarray(x, np.float64))[None]
    if pad and mode != "zeros":
        t, pad = F.pad(t, (pad,) * 4, mode=mode), 0
    w = torch.from_numpy(np.asarray(kernel, np.float64))
    return F.conv2d(t, w, stride=stride, padding=pad, dilation=dilation)[0].numpy()


@settings(max_examples=20, deadline=None)
@given(
    m=st.integers(1, 4),
    d=st.integers(1, 3),
    n=st.integers(1, 6),
    k=st.sampled_from([1, 3, 5]),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    padding=st.sampled_from(["same", "valid"]),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    seed=st.integers(0, 2**16),
)
def test_depthwise_then_pointwise_is_the_composed_standard_conv(
    m, d, n, k, stride, dilation, padding, mode, seed
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((m, 17, 14)).astype(np.float32)
    kernels = rng.standard_normal((m * d, k, k)).astype(np.float32)
    weights = rng.standard_normal((n, m * d)).astype(np.float32)
    where = {"stride": stride, "padding": padding, "dilation": dilation, "padding_mode": mode}
    separable = ops.pointwise(ops.depthwise(x, kernels, **where), weights)
    standard = ops.standard(x, ops.compose(kernels, weights, d), **where)
    # independent composed kernel, in float64: K[n, m] = Σ_r P[n, m·d + r] K̂[m·d + r]
    composed = np.zeros((n, m, k, k))
    for o in range(n):
        for c in range(m):
            for r in range(d):
                composed[o, c] += float(weights[o, c * d + r]) * kernels[c * d + r].astype(np.float64)
    pad = dilation * (k // 2) if padding == "same" else 0
    want = conv64(x, composed, stride, dilation, pad, mode if padding == "same" else "zeros")
    # float32 rounding: a few ε of the sum of |products| that make each output value
    bound = conv64(np.abs(x), np.abs(composed), stride, dilation, pad, "zeros" if mode == "zeros" else mode)
    tolerance = 8 * (m * d * k * k + m * d) * EPS32 * bound.max()
    assert standard.shape == separable.shape == want.shape
    assert np.abs(standard - want).max() <= tolerance
    assert np.abs(separable - want).max() <= tolerance


def test_the_pages_check_uses_the_block_without_bn_and_activation() -> None:
    values = {"pg_d": 3, "pg_bn": True, "pg_act": "relu", "pg_stride": 2, "pg_dil": 2, "pg_k": 5, "pg_n": 5}
    block, _ = block_from(values, ("R", "G", "B"), (0, 1, 2))
    spec = input_spec({"res": 64})
    largest, peak = equivalence.largest_difference(spec, block, tuple(range(5)))
    assert largest <= 1e-5 * peak
    x = stages.channels(spec)
    with_bn = block.run(x)  # the block as the Playground runs it: BN and ReLU between the stages
    alone = ops.standard(x, block.composed(), **block.depthwise.geometry())
    assert np.abs(with_bn - alone).max() > 0.1 * peak  # not equal: why the page leaves them out


# --------------------------------------------------------------------------- the page

NUMBER = r"([-0-9.,e+]+)"
SLIP = r"(?<![\d.,×])1(?:\*\*)? (?:input |output )?(?:channels|maps|filters|kernels|outputs)\b"


def number(text: str) -> float:
    return float(text.replace(",", ""))


def found(at: AppTest, pattern: str) -> tuple[str, ...]:
    texts = [md.value for md in at.markdown]
    hits = [m.groups() for t in texts if (m := re.search(pattern, t, flags=re.S))]
    assert len(hits) == 1, (pattern, texts)
    return hits[0]


def independent_approximation(kernel: np.ndarray, d: int) -> np.ndarray:
    """Each channel's N × K² filters truncated to rank d with torch's SVD, in float64."""
    n, m, k, _ = kernel.shape
    out = np.zeros(kernel.shape)
    for c in range(m):
        matrix = torch.from_numpy(kernel[:, c].astype(np.float64).reshape(n, k * k))
        u, s, vt = torch.linalg.svd(matrix, full_matrices=False)  # (N, r), (r,), (r, K²)
        out[:, c] = ((u[:, :d] * s[:d]) @ vt[:d]).numpy().reshape(n, k, k)
    return out


def check(at: AppTest, values: dict) -> None:
    """No trouble, and every number the page prints equals a computation made here."""
    assert trouble(at) == []
    v = {"res": 256, "chan": "rgb", "copies": 0, "pg_k": 3, "pg_d": 1, "pg_n": 8} | values
    v |= {"eq_bank": v.get("eq_bank", "gabor"), "eq_d": v.get("eq_d", 1), "eq_out": v.get("eq_out", 0)}
    spec = input_spec(v)
    x = stages.channels(spec)
    m, (height, width) = x.shape[0], x.shape[1:]
    colours = (None,) * m if v["chan"] == "gray" else (0, 1, 2) * (m // 3)
    block, _ = block_from(v, tuple(f"c{i}" for i in range(m)), colours)
    k, n, out = v["pg_k"], v["pg_n"], v["eq_out"]
    # section 1: the largest difference is rounding, and the outputs' size is the reference's
    outputs, largest, peak = found(
        at,
        rf"over (all \d+ outputs|the one output|output \d+) \(([0-9,]+) values\): \*\*{NUMBER}\*\*, "
        rf"where the outputs reach \|{NUMBER}\|",
    )[1:]
    composed = np.einsum("nmr,mrij->nmij", block.weights().astype(np.float64).reshape(n, m, -1),
                         block.kernel_array().astype(np.float64).reshape(m, -1, k, k))  # fmt: skip
    pad = block.depthwise.dilation * (k // 2)
    reference = conv64(x, composed, 1, 1, pad, "zeros")
    assert number(outputs) == reference.size
    assert number(peak) == pytest.approx(np.abs(reference).max(), rel=5e-3)
    assert number(largest) <= 1e-5 * number(peak)
    # section 2: the kernel's error, the image's error, the exact d and the costs
    d = 1 if k == 1 else v["eq_d"]
    target = filterbank.filter_bank(v["eq_bank"], n, colours, k).astype(np.float64)
    approx_kernel = independent_approximation(target, d)
    kernel_error, image_error = found(
        at,
        rf"At \*\*d = {d}\*\* the kernel's relative error .*? is \*\*{NUMBER} %\*\*"
        rf".*?off by \*\*{NUMBER} %\*\*",
    )
    assert number(kernel_error) == pytest.approx(
        100 * np.linalg.norm(target - approx_kernel) / np.linalg.norm(target), rel=2e-3, abs=1e-5
    )
    one = conv64(x, target[out : out + 1], 1, 1, pad, "zeros")
    two = conv64(x, approx_kernel[out : out + 1], 1, 1, pad, "zeros")
    assert number(image_error) == pytest.approx(
        100 * np.linalg.norm(one - two) / np.linalg.norm(one), rel=2e-3, abs=1e-4
    )
    (exact,) = found(at, r"\*\*Exact from d = (\d+)\*\*")
    sigma = [torch.linalg.svdvals(torch.from_numpy(target[:, c].reshape(n, -1))) for c in range(m)]
    top = max(float(s.max()) for s in sigma)
    rank = max(int((s > top * max(n, k * k) * EPS32).sum()) for s in sigma)
    assert int(exact) == max(rank, 1) <= min(n, k * k)
    texts = " ".join(md.value for md in at.markdown)
    pattern = (
        rf"costs {NUMBER} MACs and {NUMBER} weights, against the standard "
        rf"convolution's {NUMBER} MACs and {NUMBER} weights"
    )
    at_d, at_exact = re.findall(pattern, texts)  # the chosen d, then the exact d
    pixels = height * width  # stride 1, "same"
    for (macs, params, std_macs, std_params), dd in ((at_d, d), (at_exact, int(exact))):
        assert number(macs) == pixels * m * dd * (k * k + n)
        assert number(params) == m * dd * (k * k + n)
        assert (number(std_macs), number(std_params)) == (pixels * k * k * m * n, k * k * m * n)


def test_defaults_then_every_widget() -> None:
    at = open_page(PAGE)
    values: dict = {}
    check(at, values)
    changes = [
        ("eq_d", 3), ("eq_bank", "dog"), ("eq_out", 5), ("eq_bank", "random"), ("eq_d", 9),
        ("pg_d", 3), ("pg_n", 3), ("pg_k", 5), ("eq_d", 25), ("eq_bank", "gabor"), ("pg_k", 1),
    ]  # fmt: skip
    for key, value in changes:
        widget(at, key).set_value(value).run()
        values[key] = value
        if key == "pg_n":
            values["eq_out"] = min(values.get("eq_out", 0), value - 1)
        if key == "pg_k" and values.get("eq_d", 1) > value * value:
            values["eq_d"] = value * value
        check(at, values)
    assert widget(at, "eq_d") is None  # K = 1: only d = 1 exists, said in words
    assert any("with K = 1 a depthwise kernel is one number" in md.value for md in at.markdown)


@pytest.mark.parametrize(
    "query, says",
    [
        ({"chan": "gray", "pg_k": "5", "pg_d": "2", "eq_d": "2"}, "One input channel does not make a layer"),
        ({"chan": "gray", "pg_n": "1"}, "with these sizes is a separable one with d = 1, exactly"),
        ({"copies": "2", "res": "64", "pg_n": "12", "eq_bank": "dog", "eq_d": "2"}, "this bank"),
    ],
)
def test_the_text_at_special_settings(query, says) -> None:
    at = open_page(PAGE, query=query)
    values = {key: (value if key in ("chan", "eq_bank") else int(value)) for key, value in query.items()}
    check(at, values)
    assert any(says in md.value for md in at.markdown)
    text = " ".join(e.value for e in [*at.markdown, *at.caption])
    assert not re.findall(SLIP, text)  # "1 outputs": a plural after one
    if query.get("pg_n") == "1":
        assert found(at, r"\*\*Exact from d = (\d+)\*\*") == ("1",)


def test_a_large_layer_checks_one_output(monkeypatch) -> None:
    monkeypatch.setattr(equivalence, "MOST_MACS", 0)
    at = open_page(PAGE, query={"eq_out": "2"})
    assert trouble(at) == []
    assert found(at, r"over (output \d+) \(") == ("output 2",)
    assert any("only output 2 is checked" in c.value for c in at.caption)


def test_the_rounding_sentence_follows_its_numbers() -> None:
    assert "agree to the last bit" in equivalence.rounding_sentence(0.0, 3.0, "all 2 outputs", 10)
    assert "float32 rounding" in equivalence.rounding_sentence(3e-7, 3.0, "all 2 outputs", 10)
    plain = equivalence.rounding_sentence(0.5, 3.0, "output 1", 10)  # never expected: not called rounding
    assert "rounding" not in plain and "agree" not in plain


def test_the_worked_filter_is_the_strongest_channels_weighted_sum() -> None:
    block, _ = block_from({"pg_d": 2, "pg_pw": "random", "pg_n": 4}, ("R", "G", "B"), (0, 1, 2))
    for n in range(4):
        m = equivalence.strongest_channel(block, n)
        weights = np.abs(block.weights()[n]).reshape(3, 2).sum(axis=1)
        assert weights[m] == weights.max()
        assert len(equivalence.worked_tiles(block, n, m)) == block.d + 1
