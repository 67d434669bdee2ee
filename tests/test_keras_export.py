"""The Keras 3 code the page shows runs and computes what the page draws: the generated text is executed
on Keras's torch backend (no TensorFlow needed) and compared with ``Block.run`` on the same image, across
stride, dilation, depth multiplier, BN, activation, padding mode and odd/even image sizes. One test pins
why the code pads explicitly: Keras's own ``padding="same"`` gives other numbers at stride 2."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before Keras is imported: it reads this once

import numpy as np
import pytest

from dsviz.block import Block, block_from
from dsviz.images import load_sample
from dsviz.inputs import channel_colours, channel_labels
from dsviz.keras_export import keras_block

keras = pytest.importorskip("keras", reason="keras is not installed (pip install -r requirements-dev.txt)")
# Once Keras is imported, Streamlit's script runner calls keras.backend.clear_session() after every
# run (streamlit/runtime/scriptrunner/script_runner.py, _clean_problem_modules): a gc.collect() and a
# torch._dynamo reset, ~1 s here. Pytest imports this module while collecting, so every AppTest run of
# the suite paid it: test_every_page_widget_value_runs took 10 s alone and 78-94 s in the full run.
# The app never imports Keras, and these tests keep no session to clear.
keras.backend.clear_session = lambda *args, **kwargs: None
# Keras's torch backend converts tensors with np.array(x), which NumPy 2 warns about: not our code's doing
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept:DeprecationWarning")

RGB = channel_labels(3, 0), channel_colours(3, 0)
GRAY = channel_labels(1, 0), channel_colours(1, 0)
SIZES = {"odd": (13, 11), "even": (12, 10)}  # (H, W); stride 2 on an even side is where TF's 'same' differs


def make_block(channels=RGB, **values) -> Block:
    block, notes = block_from({"pg_n": 5, **values}, *channels)
    assert not notes
    return block


def run(source: str) -> dict:
    namespace: dict = {}
    exec(source, namespace)  # the very text the page displays
    return namespace


def keras_run(model, x: np.ndarray) -> np.ndarray:
    """``(M, H, W)`` → ``(N, H', W')`` through a channels-last Keras model, BN on this image's statistics."""
    y = model(x[None].transpose(0, 2, 3, 1), training=True)  # (1, H', W', N)
    return keras.ops.convert_to_numpy(y)[0].transpose(2, 0, 1)


def image(size: str, m: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((m, *SIZES[size]), dtype=np.float32)


def check(block: Block, x: np.ndarray) -> float:
    """Run the generated code's ``page_block()`` on x and compare with the page; the max |difference|."""
    theirs = keras_run(run(keras_block(block))["page_block"](), x)
    ours = block.run(x)
    assert theirs.shape == ours.shape
    scale = max(1.0, float(np.abs(ours).max()))
    np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-4 * scale)
    return float(np.abs(theirs - ours).max())


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("d", [1, 2])
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("stride", [1, 2])
def test_geometry(stride: int, dilation: int, d: int, size: str) -> None:
    block = make_block(pg_stride=stride, pg_dil=dilation, pg_d=d, pg_bn=True, pg_act="relu")
    check(block, image(size))


@pytest.mark.parametrize("activation", ["none", "relu", "relu6"])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_batch_norm_and_activation(batch_norm: bool, activation: str) -> None:
    # 'emboss' and a scaled mix push outputs past 6, so relu6's clip is exercised too
    values = {"pg_d": 2, "pg_stride": 2, "pg_bn": batch_norm, "pg_act": activation, "pg_dw1": "emboss"}
    block = make_block(**values, pg_pw="custom", pg_pwc=tuple(np.linspace(-9, 9, 5 * 6)))
    x = image("even") * 4
    if activation == "relu6" and not batch_norm:
        assert block.run(x).max() == 6  # the clip happens
    check(block, x)


@pytest.mark.parametrize(("stride", "size"), [(1, "odd"), (2, "odd"), (2, "even")])
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_padding_modes(mode: str, stride: int, size: str) -> None:
    # K = 5 pads 2 px: replicate ≠ numpy's 'symmetric' and circular wraps more than one row
    block = make_block(pg_k=5, pg_pad=mode, pg_stride=stride, pg_d=2, pg_bn=True, pg_act="relu6")
    check(block, image(size))


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("stride", [1, 2])
def test_valid_padding(stride: int, size: str) -> None:
    values = {"pg_k": 5, "pg_padding": "valid", "pg_pad": "reflect", "pg_stride": stride, "pg_dil": 2}
    block = make_block(**values, pg_bn=True, pg_act="relu", pg_pw="random")
    source = keras_block(block)
    assert 'name="pad"' not in source and "def pad_" not in source  # 'valid' pads nothing in any mode
    check(block, image(size))


def test_a_real_photo_in_gray_and_in_colour() -> None:
    for channels, gray in ((RGB, False), (GRAY, True)):
        x = load_sample("astronaut", max_side=64, grayscale=gray)  # (M, 64, 64)
        block = make_block(channels, pg_stride=2, pg_d=2, pg_bn=True, pg_act="relu6", pg_pw="random")
        check(block, x)


def test_kernel_size_1_needs_no_padding() -> None:
    kernels = {"pg_dw0": "custom", "pg_custom0": (2.0,), "pg_dw0_1": "custom", "pg_custom0_1": (-0.5,)}
    block = make_block(pg_k=1, pg_stride=2, pg_d=2, pg_shared=True, pg_bn=True, **kernels)
    assert 'name="pad"' not in keras_block(block)
    check(block, image("even"))


def test_keras_same_padding_gives_other_numbers_at_stride_2() -> None:
    """Why the code pads explicitly: TensorFlow's 'same' pads max((⌈H/s⌉ − 1)·s + K − H, 0) pixels in all,
    the odd one after the image: 3×3 at stride 2 pads 1 and 1 on H = 13 but 0 and 1 on H = 12."""
    pad_layer, valid = '            layers.ZeroPadding2D(1, name="pad"),\n', 'padding="valid",\n'
    for stride, size in ((1, "even"), (2, "odd"), (2, "even")):
        block = make_block(pg_stride=stride)  # 3×3, no BN, no activation: only the padding differs
        source = keras_block(block)
        assert pad_layer in source and source.count(valid) == 1
        keras_same = source.replace(pad_layer, "").replace(valid, 'padding="same",\n')
        x = image(size)
        theirs = keras_run(run(keras_same)["page_block"](), x)
        ours = block.run(x)
        assert theirs.shape == ours.shape  # always the same size…
        if (stride, size) != (2, "even"):  # …and the same numbers where TF pads 1 px on both sides
            np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-5)
        else:  # …but a grid shifted by one pixel at stride 2 on an even side (4.2 apart for ±2.8 maps)
            assert np.abs(theirs - ours).max() > 0.5 * np.abs(ours).max()
            check(block, x)  # while the generated code is right there


def test_weights_are_written_exactly_in_keras_layouts() -> None:
    numbers = tuple(float(v) for v in np.random.default_rng(1).normal(size=9).astype(np.float32) / 3)
    block = make_block(pg_d=2, pg_dw1="custom", pg_custom1=numbers, pg_pw="random")
    model = run(keras_block(block))["page_block"]()
    dw = model.get_layer("depthwise").get_weights()[0]  # (K, K, M, d)
    pw = model.get_layer("pointwise").get_weights()[0]  # (1, 1, M·d, N)
    assert dw.shape == (3, 3, 3, 2) and pw.shape == (1, 1, 6, 5)
    kernels = block.kernel_array()  # (M·d, K, K); map j filters channel j // d
    for j in range(block.maps):
        np.testing.assert_array_equal(dw[:, :, j // 2, j % 2], kernels[j])  # bit for bit
    np.testing.assert_array_equal(pw[0, 0], block.weights().T)


def test_layers_follow_the_block() -> None:
    block = make_block(pg_d=2, pg_bn=True, pg_act="relu6", pg_pad="circular")
    source = keras_block(block, weights=False)
    assert "DEPTHWISE" not in source and "page_block" not in source
    model = run(source)["conv_dw"]()
    kinds = [type(layer).__name__ for layer in model.layers]
    stage = ["BatchNormalization", "ReLU"]
    assert kinds == ["Lambda", "DepthwiseConv2D", *stage, "Conv2D", *stage]
    assert all(layer.epsilon == 1e-5 for layer in model.layers if hasattr(layer, "epsilon"))
    assert model.get_layer("depthwise_act").max_value == 6
    assert model.get_layer("depthwise").padding == "valid" and "SeparableConv2D" not in source
    plain = run(keras_block(make_block(), weights=False))["conv_dw"]()
    assert [type(layer).__name__ for layer in plain.layers] == ["ZeroPadding2D", "DepthwiseConv2D", "Conv2D"]


def test_the_header_says_why_padding_is_explicit_and_what_training_means() -> None:
    source = keras_block(make_block(pg_bn=True, pg_stride=2))
    assert "asymmetrically at stride 2" in source
    assert "training=True" in source
    compile(source, "conv_dw.py", "exec")


def test_unknown_settings_are_refused() -> None:
    block = make_block()
    odd = Block(block.channels, block.colours, block.depthwise, block.pointwise, False, "gelu")
    with pytest.raises(ValueError, match="activation"):
        keras_block(odd)
