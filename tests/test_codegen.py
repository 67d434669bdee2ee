"""The PyTorch block the app shows runs, and computes what dsviz.ops and dsviz.cost say it does."""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from dsviz import codegen, cost, ops


def build(**kwargs) -> torch.nn.Sequential:
    namespace: dict = {}
    exec(codegen.pytorch_block(**kwargs), namespace)  # the very text the page displays
    return namespace["conv_dw"]().eval()


@settings(max_examples=25, deadline=None)
@given(
    m=st.integers(1, 4),
    n=st.integers(1, 5),
    k=st.sampled_from([1, 3, 5]),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    d=st.integers(1, 3),
    mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
)
def test_block_equals_dsviz_ops_and_costs(m, n, k, stride, dilation, d, mode) -> None:
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
    depthwise, pointwise = block[0].weight.detach().numpy(), block[1].weight.detach().numpy()
    maps = ops.depthwise(x, depthwise[:, 0], stride=stride, dilation=dilation, padding_mode=mode)
    ours = ops.pointwise(maps, pointwise[:, :, 0, 0])
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)

    expected = cost.separable_cost(m, n, k, 13, 11, multiplier=d, stride=stride, dilation=dilation)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        block(torch.from_numpy(x)[None])
    assert counter.get_total_flops() == 2 * expected.mult_adds
    assert sum(p.numel() for p in block.parameters()) == expected.params


def test_batch_norm_and_activation_follow_each_stage() -> None:
    block = build(in_channels=3, out_channels=8, kernel_size=3, multiplier=2, activation="relu6")
    kinds = [type(layer).__name__ for layer in block]
    assert kinds == ["Conv2d", "BatchNorm2d", "ReLU6", "Conv2d", "BatchNorm2d", "ReLU6"]
    assert block[1].num_features == 6 and block[4].num_features == 8  # the seed's third bug, fixed
    assert block[0].padding == (1, 1)  # the seed's second bug, fixed: maps keep their size


def test_the_seed_snippet_really_has_the_bugs_it_is_shown_with() -> None:
    namespace: dict = {"nn": torch.nn}
    exec(codegen.SEED_SNIPPET, namespace)
    buggy = namespace["conv_dw"](512, 512, 1).eval()
    out = buggy(torch.zeros(1, 512, 14, 14))
    assert out.shape == (1, 512, 12, 12)  # runs, but every map shrank by 2 (missing padding)
    try:
        namespace["conv_dw"](32, 64, 1).eval()(torch.zeros(1, 32, 14, 14))
    except RuntimeError:
        pass  # crashes: BatchNorm2d(32) after a conv that outputs 64 channels
    else:
        raise AssertionError("conv_dw(32, 64, 1) was expected to crash")
