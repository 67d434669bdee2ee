"""The PyTorch block the app shows runs, computes what the page draws (checked against an independent
torch.nn.functional computation) and costs what dsviz.cost says; the blog post's snippet really has the
bugs it is shown with."""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from dsviz import codegen, cost, ops
from dsviz.geometry import effective_kernel

SEED_FILE = Path("/work/shared/seed/depthwise-separable-convolution.md")


def run(source: str) -> dict:
    namespace: dict = {}
    exec(source, namespace)  # the very text the page displays
    return namespace


def build(**kwargs) -> torch.nn.Sequential:
    return run(codegen.pytorch_block(**kwargs))["conv_dw"]()


def reference(x, dw, pw, *, stride, dilation, padding, mode, batch_norm, activation):
    """The block written with torch.nn.functional only: (1, M, H, W) → (1, N, H', W')."""
    m, k = x.shape[1], dw.shape[-1]
    pad = dilation * (k - 1) // 2 if padding == "same" else 0
    if mode != "zeros" and pad:
        x = F.pad(x, (pad, pad, pad, pad), mode=mode)
        pad = 0
    y = F.conv2d(x, dw[:, None], stride=stride, padding=pad, dilation=dilation, groups=m)
    for stage in ("depthwise", "pointwise"):
        if stage == "pointwise":
            y = F.conv2d(y, pw[:, :, None, None])
        if batch_norm:  # training mode: this image's mean and biased variance, γ = 1, β = 0
            y = F.batch_norm(y, None, None, training=True, eps=1e-5)
        if activation == "relu":
            y = F.relu(y)
        elif activation == "relu6":
            y = F.relu6(y)
    return y


@settings(max_examples=30, deadline=None)
@given(
    m=st.integers(1, 3),
    n=st.integers(1, 6),
    k=st.sampled_from([1, 3, 5, 7, 9, 11]),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 4),
    d=st.integers(1, 4),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    padding=st.sampled_from(["same", "valid"]),
    batch_norm=st.booleans(),
    activation=st.sampled_from(["none", "relu", "relu6"]),
    extra=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    seed=st.integers(0, 2**16),
)
def test_generated_block_is_the_page_block(
    m, n, k, stride, dilation, d, mode, padding, batch_norm, activation, extra, seed
) -> None:
    rng = np.random.default_rng(seed)
    span = effective_kernel(k, dilation)
    h, w = span + stride + extra[0], span + stride + extra[1]  # ≥ 2 output pixels, reflect-safe
    x = torch.from_numpy(rng.normal(size=(1, m, h, w)).astype(np.float32))
    dw = rng.normal(size=(m * d, k, k)).astype(np.float32)
    pw = rng.normal(size=(n, m * d)).astype(np.float32)
    settings_ = {
        "stride": stride,
        "dilation": dilation,
        "padding": padding,
        "batch_norm": batch_norm,
        "activation": activation,
    }
    source = codegen.pytorch_block(
        m, n, k, multiplier=d, padding_mode=mode, depthwise=dw, pointwise=pw, **settings_
    )
    namespace = run(source)
    block = namespace["page_block"]()
    assert block.training  # BatchNorm on this image's statistics, as the page draws it
    np.testing.assert_array_equal(block.depthwise.weight.detach().numpy()[:, 0], dw)  # written exactly
    np.testing.assert_array_equal(block.pointwise.weight.detach().numpy()[:, :, 0, 0], pw)
    with torch.no_grad():
        theirs = block(x)
        ours = reference(x, torch.from_numpy(dw), torch.from_numpy(pw), mode=mode, **settings_)
    assert theirs.shape == ours.shape
    np.testing.assert_allclose(theirs.numpy(), ours.numpy(), rtol=1e-4, atol=1e-4)

    expected = cost.separable_cost(
        m, n, k, h, w, multiplier=d, stride=stride, dilation=dilation, padding=padding
    )
    assert theirs.shape == (1, n, expected.pointwise.out_height, expected.pointwise.out_width)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        block(x)
    assert counter.get_total_flops() == 2 * expected.mult_adds
    conv_params = block.depthwise.weight.numel() + block.pointwise.weight.numel()
    assert conv_params == expected.params
    bn_params = 2 * (m * d + n) if batch_norm else 0  # γ and β of each BatchNorm2d
    assert sum(p.numel() for p in block.parameters()) == expected.params + bn_params


@settings(max_examples=15, deadline=None)
@given(
    m=st.integers(1, 3),
    n=st.integers(1, 5),
    k=st.sampled_from([1, 3, 5]),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    d=st.integers(1, 3),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
def test_block_without_bn_equals_dsviz_ops(m, n, k, stride, dilation, d, mode) -> None:
    block = build(
        in_channels=m,
        out_channels=n,
        kernel_size=k,
        stride=stride,
        dilation=dilation,
        multiplier=d,
        padding_mode=mode,
        batch_norm=False,
        activation="none",
    )
    x = np.random.default_rng(0).random((m, 13, 11), dtype=np.float32)
    with torch.no_grad():
        theirs = block(torch.from_numpy(x)[None])[0].numpy()
    depthwise, pointwise = block.depthwise.weight.detach().numpy(), block.pointwise.weight.detach().numpy()
    maps = ops.depthwise(x, depthwise[:, 0], stride=stride, dilation=dilation, padding_mode=mode)
    ours = ops.pointwise(maps, pointwise[:, :, 0, 0])
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_layers_follow_mobilenets_order() -> None:
    block = build(in_channels=3, out_channels=8, kernel_size=3, multiplier=2, activation="relu6")
    kinds = [type(layer).__name__ for layer in block]
    assert kinds == ["Conv2d", "BatchNorm2d", "ReLU6", "Conv2d", "BatchNorm2d", "ReLU6"]
    assert block.depthwise_bn.num_features == 6 and block.pointwise_bn.num_features == 8  # bug 3, fixed
    assert block.depthwise.padding == (1, 1)  # bug 2, fixed: maps keep their size
    assert block.depthwise.out_channels == 6 and block.depthwise.groups == 3  # bug 1, fixed
    plain = build(in_channels=3, out_channels=8, kernel_size=3, batch_norm=False, activation="none")
    assert [type(layer).__name__ for layer in plain] == ["Conv2d", "Conv2d"]


def test_valid_padding_has_none() -> None:
    block = build(in_channels=2, out_channels=3, kernel_size=5, dilation=2, padding="valid")
    assert block.depthwise.padding == (0, 0)
    assert block(torch.zeros(1, 2, 20, 20)).shape == (1, 3, 12, 12)  # 20 − 2·4 = 12


def test_batch_norm_mode_is_documented_in_the_code() -> None:
    text = codegen.pytorch_block(3, 8, 3)
    assert "block.train()" in text and "running statistics" in text and "eps = 1e-5" in text
    assert "BatchNorm" not in codegen.pytorch_block(3, 8, 3, batch_norm=False).split('"""')[1]


def test_generated_code_compiles() -> None:
    text = codegen.pytorch_block(3, 8, 5, multiplier=2, depthwise=np.ones((6, 5, 5)), pointwise=np.eye(8, 6))
    compile(text, "conv_dw.py", "exec")
    assert "MobileNet's choice" not in text


@pytest.mark.parametrize(
    "kwargs",
    [
        {"padding": "full"},
        {"padding_mode": "mirror"},
        {"activation": "gelu"},
        {"kernel_size": 4},
        {"multiplier": 0},
        {"depthwise": np.ones((3, 3, 3))},  # pointwise missing
        {"depthwise": np.ones((2, 3, 3)), "pointwise": np.ones((8, 3))},  # wrong shape
        {"depthwise": np.full((3, 3, 3), np.nan), "pointwise": np.ones((8, 3))},
    ],
)
def test_bad_settings_raise_value_error(kwargs: dict) -> None:
    args = {"in_channels": 3, "out_channels": 8, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError):
        codegen.pytorch_block(**args)


@pytest.mark.parametrize("value", [0.1, 1 / 3, -2.5e-8, 3.0e38, 1e-45, 123456789.0, -0.0, 7.0])
def test_weights_are_written_exactly(value: float) -> None:
    dw = np.full((1, 1, 1), value, np.float32)
    pw = np.full((1, 1), value, np.float32)
    block = run(codegen.pytorch_block(1, 1, 1, depthwise=dw, pointwise=pw))["page_block"]()
    assert block.depthwise.weight.item() == dw.item()
    assert block.pointwise.weight.item() == pw.item()


# ---- the blog post's snippet -------------------------------------------------------------------------


def test_seed_snippet_is_the_blog_posts_exactly() -> None:
    if not SEED_FILE.exists():
        pytest.skip("the blog post is not in this checkout")
    printed = SEED_FILE.read_text().split("```python\n")[1].split("\n```")[0]
    assert printed == codegen.SEED_SNIPPET


def buggy() -> dict:
    namespace: dict = {}
    exec("import torch.nn as nn\n" + codegen.SEED_SNIPPET, namespace)
    return namespace


def test_without_the_import_the_snippet_cannot_be_called() -> None:
    namespace: dict = {}
    exec(codegen.SEED_SNIPPET, namespace)
    with pytest.raises(NameError, match="'nn' is not defined"):
        namespace["conv_dw"](32, 32, 1)


def test_conv_dw_32_64_builds_then_fails_at_the_first_batchnorm() -> None:
    block = buggy()["conv_dw"](32, 64, 1)  # building works: 64 = 2 filters per channel
    assert block[0].weight.shape == (64, 1, 3, 3)
    x = block[0](torch.zeros(1, 32, 14, 14))
    assert x.shape == (1, 64, 12, 12)
    with pytest.raises(RuntimeError, match="running_mean should contain 64 elements not 32"):
        block[1](x)
    with pytest.raises(RuntimeError):
        block(torch.zeros(1, 32, 14, 14))
    # and were BN right, the pointwise conv would still expect 32 channels
    with pytest.raises(RuntimeError):
        block[3](x)


def test_conv_dw_fails_to_build_when_channels_do_not_divide() -> None:
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        buggy()["conv_dw"](3, 8, 1)


def test_conv_dw_512_runs_with_the_wrong_shape() -> None:
    block = buggy()["conv_dw"](512, 512, 1)
    with torch.no_grad():
        assert block(torch.zeros(1, 512, 14, 14)).shape == (1, 512, 12, 12)


def test_second_batchnorm_has_input_channel_features() -> None:
    block = buggy()["conv_dw"](32, 64, 1)
    assert block[4].num_features == 32  # follows a conv with 64 outputs


@pytest.mark.parametrize("stride", [1, 2, 3, 4])
def test_missing_padding_sizes_match_torch(stride: int) -> None:
    for h in range(3, 40):
        conv = torch.nn.Conv2d(1, 1, 3, stride)
        fixed = torch.nn.Conv2d(1, 1, 3, stride, padding=1)
        x = torch.zeros(1, 1, h, h)
        assert conv(x).shape[-1] == codegen.seed_output_side(h, stride) == (h - 3) // stride + 1
        assert fixed(x).shape[-1] == codegen.same_output_side(h, stride) == -(-h // stride)
        shrink = codegen.same_output_side(h, stride) - codegen.seed_output_side(h, stride)
        assert shrink == {1: 2, 2: 1}.get(stride, shrink)  # the bug text: 2 px at stride 1, 1 px at 2


def test_bug_texts_numbers_are_torchs() -> None:
    text = codegen.SEED_BUGS[1]
    numbers = re.findall(r"112 → (\d+) instead of (\d+)", text)
    assert numbers == [("110", "112"), ("55", "56")]
    conv = buggy()["conv_dw"](4, 4, 1)[0]
    for (got, right), stride in zip(numbers, (1, 2), strict=True):
        conv.stride = (stride, stride)
        assert conv(torch.zeros(1, 4, 112, 112)).shape[-1] == int(got)
        assert codegen.same_output_side(112, stride) == int(right)
    assert "output_channel / input_channel" in codegen.SEED_BUGS[0]
    assert "BatchNorm2d(output_channel)" in codegen.SEED_BUGS[2]
    assert "import torch.nn as nn" in codegen.SEED_MISSING_IMPORT


def test_seed_bug_demos_report_what_torch_did() -> None:
    demos = dict(codegen.seed_bug_demos())
    assert len(demos) == 5
    bare = demos["conv_dw(32, 64, 1)  # as printed, without the import"]
    assert bare == "NameError: name 'nn' is not defined"
    assert demos["conv_dw(3, 8, 1)(torch.zeros(1, 3, 14, 14))"] == (
        "building it raises ValueError: out_channels must be divisible by groups"
    )
    assert demos["conv_dw(32, 64, 1)(torch.zeros(1, 32, 14, 14))"] == (
        "layer 1, BatchNorm2d(32), raises RuntimeError: running_mean should contain 64 elements not 32"
    )
    assert demos["conv_dw(512, 512, 1)(torch.zeros(1, 512, 14, 14))"] == (
        "runs and returns shape (1, 512, 12, 12); the right shape is (1, 512, 14, 14)"
    )
    assert demos["conv_dw(32, 32, 2)(torch.zeros(1, 32, 112, 112))"] == (
        "runs and returns shape (1, 32, 55, 55); the right shape is (1, 32, 56, 56)"
    )
