"""dsviz.inputs.stack_filtered: the photo stacked with 3×3-filtered copies, checked against a direct
torch.nn.functional computation (F.pad replicate + grouped conv2d on a contiguous NCHW batch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dsviz.inputs import FILTER_BANK, MAX_COPIES, channel_colours, channel_labels, stack_filtered
from dsviz.kernels import DEPTHWISE, depthwise_kernel


def torch_filtered(photo: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Every channel of ``photo`` (C, H, W) cross-correlated with one 3×3 kernel, replicate borders."""
    channels = photo.shape[0]
    batch = torch.tensor(photo, dtype=torch.float64)[None]
    batch = F.pad(batch, (1, 1, 1, 1), mode="replicate")
    weight = torch.tensor(kernel, dtype=torch.float64)[None, None].repeat(channels, 1, 1, 1)
    return F.conv2d(batch, weight, groups=channels)[0].numpy()


@pytest.fixture(scope="module")
def rgb() -> np.ndarray:
    return np.random.default_rng(0).random((3, 17, 23), dtype=np.float32)


def test_filter_bank_names_exist_at_3x3() -> None:
    assert len(FILTER_BANK) == MAX_COPIES == 7
    for name in FILTER_BANK:
        assert 3 in DEPTHWISE[name].sizes


@pytest.mark.parametrize("copies", range(MAX_COPIES + 1))
def test_shape_labels_and_values(rgb: np.ndarray, copies: int) -> None:
    x, labels = stack_filtered(rgb, copies)
    assert x.shape == (3 * (1 + copies), 17, 23)
    assert x.dtype == np.float32
    assert len(labels) == len(x)
    assert labels[:3] == ["R", "G", "B"]
    np.testing.assert_array_equal(x[:3], rgb)  # the photo itself, untouched
    for i, (name, word) in enumerate(list(FILTER_BANK.items())[:copies]):
        block = slice(3 * (i + 1), 3 * (i + 2))
        expected = torch_filtered(rgb.astype(np.float64), depthwise_kernel(name, 3).astype(np.float64))
        np.testing.assert_allclose(x[block], expected, rtol=1e-5, atol=1e-5, err_msg=name)
        for c, colour in enumerate("RGB"):
            assert labels[3 * (i + 1) + c] == f"{colour} ({word})"
    assert len(set(labels)) == len(labels)  # every channel has its own name


def test_channel_order_is_copy_major(rgb: np.ndarray) -> None:
    """R, G, B, R (blur), G (blur), B (blur), R (Sobel x), …: copy i of channel c sits at 3·(1 + i) + c."""
    _, labels = stack_filtered(rgb, 3)
    assert [label.split(" ")[0] for label in labels] == ["R", "G", "B"] * 4
    red_only = np.zeros_like(rgb)
    red_only[0] = rgb[0]
    y, _ = stack_filtered(red_only, 3)
    for block in range(4):
        assert np.abs(y[3 * block]).max() > 0
        np.testing.assert_array_equal(y[3 * block + 1], 0)
        np.testing.assert_array_equal(y[3 * block + 2], 0)


def test_replicate_borders_keep_a_blurred_flat_photo_flat() -> None:
    flat = np.full((3, 9, 9), 0.6, np.float32)
    x, _ = stack_filtered(flat, 1)  # copy 1 is the Gaussian blur
    assert next(iter(FILTER_BANK)) == "gaussian"
    np.testing.assert_allclose(x[3:], 0.6, rtol=1e-5)  # no dark frame from zero padding


def test_grayscale_photo(rgb: np.ndarray) -> None:
    gray = rgb[:1]
    x, labels = stack_filtered(gray, 4)
    assert x.shape == (5, 17, 23)
    assert labels[0] == "gray"
    assert labels[1:] == ["gray (blur)", "gray (Sobel x)", "gray (Sobel y)", "gray (Laplacian)"]
    assert len(labels) == 5
    np.testing.assert_array_equal(x[0], gray[0])
    for i, name in enumerate(list(FILTER_BANK)[:4]):
        expected = torch_filtered(gray.astype(np.float64), depthwise_kernel(name, 3).astype(np.float64))
        np.testing.assert_allclose(x[1 + i : 2 + i], expected, rtol=1e-5, atol=1e-5)


def test_non_square_and_tiny_photos(rgb: np.ndarray) -> None:
    tiny = rgb[:, :2, :3]
    x, _ = stack_filtered(tiny, MAX_COPIES)
    assert x.shape == (24, 2, 3)
    expected = torch_filtered(
        tiny.astype(np.float64), depthwise_kernel(list(FILTER_BANK)[-1], 3).astype(np.float64)
    )
    np.testing.assert_allclose(x[-3:], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("copies", [-1, MAX_COPIES + 1, 100])
def test_copies_out_of_range_raise(rgb: np.ndarray, copies: int) -> None:
    with pytest.raises(ValueError):
        stack_filtered(rgb, copies)


@pytest.mark.parametrize("copies", range(MAX_COPIES + 1))
def test_colours_follow_the_photo_not_the_channel_count(copies: int) -> None:
    """A grayscale photo with 2 copies has M = 3 channels, none of them red, green or blue."""
    assert channel_colours(1, copies) == (None,) * (1 + copies)
    assert channel_colours(3, copies) == (0, 1, 2) * (1 + copies)
    assert len(channel_labels(3, copies)) == len(channel_colours(3, copies))
