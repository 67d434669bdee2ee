"""``dsviz code``: the CLI prints the code the Code page shows (without the page's weights), for any
layer size; loaded with a block's weights it computes that block. Random blocks (hypothesis over K,
stride, dilation, d, N, BN and activation) through the generated Keras code equal the page's output."""

from __future__ import annotations

import contextlib
import io
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before Keras is imported: it reads this once

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dsviz.__main__ import main
from dsviz.block import block_from, layer
from dsviz.geometry import effective_kernel
from dsviz.inputs import channel_colours, channel_labels

RGB = channel_labels(3, 0), channel_colours(3, 0)


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["code", *args])
    return status, out.getvalue(), err.getvalue()


def page_block(**values):
    block, notes = block_from(values, *RGB)
    assert all(isinstance(note, str) for note in notes)  # at K = 1 a kernel may be replaced: fine here
    return block


def test_cli_prints_the_pages_code_without_weights() -> None:
    block = page_block(pg_k=5, pg_stride=2, pg_d=2, pg_n=6, pg_bn=True, pg_act="relu6")
    args = ["--in", "3", "--out", "6", "--kernel", "5", "--stride", "2", "--depth-multiplier", "2"]
    status, out, _ = cli(*args, "--bn", "--act", "relu6")
    assert status == 0
    page = block.code()
    assert page.startswith(out.rstrip("\n").rsplit('"""', 1)[0])  # the page adds its numbers after
    assert "def conv_dw" in out and "DEPTHWISE" not in out  # no weights without an image
    status, keras_out, _ = cli(*args, "--bn", "--act", "relu6", "--framework", "keras")
    assert status == 0 and "DepthwiseConv2D" in keras_out and "ZeroPadding2D(2," in keras_out


def test_cli_code_loaded_with_a_blocks_weights_computes_that_block() -> None:
    block = page_block(pg_k=3, pg_dil=2, pg_n=4, pg_bn=True, pg_act="relu")
    _, out, _ = cli("--in", "3", "--out", "4", "--kernel", "3", "--dilation", "2", "--bn", "--act", "relu")
    namespace: dict = {}
    exec(out, namespace)
    module = namespace["load_weights"](namespace["conv_dw"](), block.kernel_array(), block.weights())
    x = np.random.default_rng(1).random((3, 17, 15), dtype=np.float32)
    module.train()  # BN on this image's statistics, as the page
    with torch.no_grad():
        theirs = module(torch.from_numpy(x)[None])[0].numpy()
    np.testing.assert_allclose(theirs, block.run(x), rtol=1e-4, atol=1e-4)


def test_cli_any_size_and_clear_errors() -> None:
    status, out, _ = cli("--in", "512", "--out", "1024", "--kernel", "3")
    assert status == 0
    assert layer(512, 1024, 3).code(weights=False).rstrip("\n") == out.rstrip("\n")
    for bad in (["--in", "0", "--out", "3", "--kernel", "3"], ["--in", "3", "--out", "3", "--kernel", "4"]):
        status, out, err = cli(*bad)
        assert status == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err


keras = pytest.importorskip("keras", reason="keras is not installed (pip install -r requirements-dev.txt)")


@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept:DeprecationWarning")
@settings(max_examples=12, deadline=None)
@given(
    k=st.sampled_from([1, 3, 5]),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    d=st.integers(1, 3),
    n=st.integers(1, 9),
    bn=st.booleans(),
    act=st.sampled_from(["none", "relu", "relu6"]),
    even=st.booleans(),
)
def test_random_blocks_through_keras_equal_the_page(k, stride, dilation, d, n, bn, act, even) -> None:
    block = page_block(pg_k=k, pg_stride=stride, pg_dil=dilation, pg_d=d, pg_n=n, pg_bn=bn, pg_act=act)
    side = effective_kernel(k, dilation) + 2 * stride + (0 if even else 1)
    x = np.random.default_rng(k * 7 + n).random((3, side + 1, side), dtype=np.float32)
    namespace: dict = {}
    exec(block.keras_code(), namespace)
    y = namespace["page_block"]()(x[None].transpose(0, 2, 3, 1), training=True)
    theirs = keras.ops.convert_to_numpy(y)[0].transpose(2, 0, 1)
    ours = block.run(x)
    np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(ours).max())))
