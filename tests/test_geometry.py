"""geometry.py against the output shapes PyTorch actually produces."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dsviz.geometry import effective_kernel, output_size, pad_amount

PADDINGS = st.one_of(st.sampled_from(["same", "valid"]), st.integers(0, 6))


def torch_length(size: int, kernel_size: int, stride: int, pad: int, dilation: int) -> int:
    """Output length along one axis, as torch computes it (raises RuntimeError if nothing is left)."""
    out = F.conv2d(
        torch.zeros(1, 1, size, 1),
        torch.zeros(1, 1, kernel_size, 1),
        stride=(stride, 1),
        padding=(pad, 0),
        dilation=(dilation, 1),
    )
    return out.shape[2]


@settings(max_examples=150, deadline=None)
@given(
    size=st.integers(1, 40),
    kernel_size=st.integers(1, 11),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 4),
    padding=PADDINGS,
)
def test_output_size_matches_torch(size, kernel_size, stride, dilation, padding):
    if padding == "same" and kernel_size % 2 == 0:
        with pytest.raises(ValueError, match="odd"):
            output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
        return
    # "same" = symmetric dilation·(K−1)/2 on each side (design.md), i.e. torch's padding=K//2 scaled
    same = dilation * (kernel_size - 1) // 2
    pad = same if padding == "same" else 0 if padding == "valid" else padding
    try:
        expected = torch_length(size, kernel_size, stride, pad, dilation)
    except RuntimeError:
        with pytest.raises(ValueError, match="empty"):
            output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
        return
    got = output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    assert got == expected


@settings(max_examples=100, deadline=None)
@given(
    size=st.integers(1, 60),
    kernel_size=st.sampled_from([1, 3, 5, 7, 9, 11]),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 4),
)
def test_same_padding_gives_ceil_size_over_stride(size, kernel_size, stride, dilation):
    got = output_size(size, kernel_size, stride=stride, padding="same", dilation=dilation)
    assert got == math.ceil(size / stride)
    assert 2 * pad_amount(kernel_size, "same", dilation) == dilation * (kernel_size - 1)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 40),
    kernel_size=st.sampled_from([1, 3, 5, 7, 9, 11]),
    dilation=st.integers(1, 4),
)
def test_same_padding_matches_torch_same_at_stride_1(size, kernel_size, dilation):
    # torch's own padding="same" (stride 1 only) is an independent definition
    out = F.conv2d(
        torch.zeros(1, 1, size, 3),
        torch.zeros(1, 1, kernel_size, kernel_size),
        padding="same",
        dilation=dilation,
    )
    assert output_size(size, kernel_size, padding="same", dilation=dilation) == out.shape[2]


@settings(max_examples=60, deadline=None)
@given(kernel_size=st.integers(1, 11), dilation=st.integers(1, 4))
def test_effective_kernel_is_smallest_valid_input(kernel_size, dilation):
    span = effective_kernel(kernel_size, dilation)
    assert torch_length(span, kernel_size, 1, 0, dilation) == 1
    if span > 1:
        with pytest.raises(RuntimeError):
            torch_length(span - 1, kernel_size, 1, 0, dilation)
        with pytest.raises(ValueError):
            output_size(span - 1, kernel_size, padding="valid", dilation=dilation)
    assert output_size(span, kernel_size, padding="valid", dilation=dilation) == 1


@pytest.mark.parametrize("padding", [0, 1, 4])
def test_pad_amount_int_and_valid(padding):
    assert pad_amount(3, padding) == padding
    assert pad_amount(3, "valid", dilation=3) == 0


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"size": 0, "kernel_size": 3}, "size"),
        ({"size": 5, "kernel_size": 0}, "kernel size"),
        ({"size": 5, "kernel_size": 3, "stride": 0}, "stride"),
        ({"size": 5, "kernel_size": 3, "dilation": 0}, "dilation"),
        ({"size": 5, "kernel_size": 4, "padding": "same"}, "odd"),
        ({"size": 5, "kernel_size": 3, "padding": -1}, "padding"),
        ({"size": 5, "kernel_size": 3, "padding": "full"}, "padding"),
        ({"size": 5, "kernel_size": 3, "padding": 1.5}, "padding"),
        ({"size": 5, "kernel_size": 3, "padding": True}, "padding"),
        ({"size": 5, "kernel_size": 3, "padding": None}, "padding"),
        ({"size": 2, "kernel_size": 3, "padding": "valid"}, "empty"),
        ({"size": 4, "kernel_size": 3, "padding": "valid", "dilation": 2}, "empty"),
    ],
)
def test_output_size_rejects_bad_arguments(kwargs, word):
    with pytest.raises(ValueError) as info:
        output_size(**kwargs)
    assert word in str(info.value).lower()
