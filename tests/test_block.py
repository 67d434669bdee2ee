"""dsviz.block: the typed block computes what torch computes, its settings round-trip, and every
combination of valid settings gives a block (kernel fallbacks always land on a kernel that exists)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dsviz import kernels
from dsviz.block import (
    CUSTOM,
    SETTINGS,
    Block,
    block_from,
    block_settings,
    custom_key,
    input_spec,
    kernel_key,
    resolve_kernel,
)
from dsviz.checks import KERNEL_SIZES
from dsviz.inputs import channel_colours, channel_labels


def rgb_channels(copies: int = 0) -> tuple[tuple[str, ...], tuple[int | None, ...]]:
    return channel_labels(3, copies), channel_colours(3, copies)


def torch_block(x: np.ndarray, block: Block) -> np.ndarray:
    """An independent computation: F.pad + grouped F.conv2d, F.batch_norm in training mode, relu."""
    dw = block.depthwise
    t = torch.tensor(x, dtype=torch.float64)[None]
    pad = dw.dilation * (dw.kernel_size - 1) // 2 if dw.padding == "same" else 0
    if pad:
        mode = "constant" if dw.padding_mode == "zeros" else dw.padding_mode
        t = F.pad(t, (pad, pad, pad, pad), mode=mode)
    k = torch.tensor(block.kernel_array(), dtype=torch.float64)[:, None]
    y = F.conv2d(t, k, stride=dw.stride, dilation=dw.dilation, groups=block.m)

    def finish(y: torch.Tensor) -> torch.Tensor:
        if block.batch_norm:
            y = F.batch_norm(y, None, None, training=True, eps=1e-5)
        return {"none": y, "relu": F.relu(y), "relu6": F.relu6(y)}[block.activation]

    w = torch.tensor(block.weights(), dtype=torch.float64)[:, :, None, None]
    return finish(F.conv2d(finish(y), w))[0].numpy()


def block_values() -> st.SearchStrategy[dict]:
    """Random valid settings of the block group (kernel names at every K, custom grids, extremes)."""

    def build(draw: st.DrawFn) -> dict:
        values = {}
        for key in ("pg_k", "pg_stride", "pg_dil", "pg_padding", "pg_pad", "pg_d", "pg_shared", "pg_n"):
            values[key] = draw(st.sampled_from(SETTINGS[key].examples()))
        values["pg_bn"] = draw(st.booleans())
        values["pg_act"] = draw(st.sampled_from(SETTINGS["pg_act"].examples()))
        values["pg_pw"] = draw(st.sampled_from(SETTINGS["pg_pw"].examples()))
        for channel in range(6):
            for slot in range(values["pg_d"]):
                values[kernel_key(channel, slot)] = draw(
                    st.sampled_from(SETTINGS[kernel_key(0, 0)].examples())
                )
                size = draw(st.sampled_from([values["pg_k"], values["pg_k"], 3]))  # sometimes a stale size
                numbers = st.floats(-9, 9, allow_nan=False, width=32)
                values[custom_key(channel, slot)] = tuple(
                    draw(st.lists(numbers, min_size=size**2, max_size=size**2))
                )
        return values

    return st.composite(build)()


@settings(max_examples=40, deadline=None)
@given(block_values(), st.sampled_from([0, 1]), st.booleans(), st.integers(0, 2**16))
def test_any_valid_settings_give_a_block_that_computes_what_torch_does(
    values: dict, copies: int, gray: bool, seed: int
) -> None:
    labels, colours = (
        (channel_labels(1, copies), channel_colours(1, copies)) if gray else rgb_channels(copies)
    )
    block, _ = block_from(values, labels, colours)
    assert block.maps == len(labels) * values["pg_d"]
    assert block.kernel_array().shape == (block.maps, values["pg_k"], values["pg_k"])
    assert block.weights().shape == (values["pg_n"], block.maps)
    span = block.depthwise.dilation * (block.depthwise.kernel_size - 1) + 1
    x = np.random.default_rng(seed).random((len(labels), span + 9, span + 6), dtype=np.float32)
    mode, pad = block.depthwise.padding_mode, block.depthwise.padding == "same"
    if pad and mode in ("reflect", "circular") and span // 2 >= min(x.shape[1:]) - (mode == "reflect"):
        return  # refused by ops with a message (tested in test_ops)
    got = block.run(x)
    want = torch_block(x, block)
    # rounding scales with the sums before the activation clips them (ReLU6 hides a sum of 300)
    raw = torch_block(x, dataclasses.replace(block, activation="none"))
    scale = max(1.0, float(np.abs(raw).max()))
    np.testing.assert_allclose(got, want, atol=2e-4 * scale, rtol=1e-4)


@settings(max_examples=60, deadline=None)
@given(block_values(), st.sampled_from([0, 2]))
def test_block_settings_round_trip(values: dict, copies: int) -> None:
    labels, colours = rgb_channels(copies)
    block, _ = block_from(values, labels, colours)
    again, notes = block_from(block_settings(block), labels, colours)
    assert again == block
    assert not notes
    link = SETTINGS.format(block_settings(block))  # …and through the link text
    parsed, notices = SETTINGS.parse(link)
    assert not notices
    assert block_from(parsed, labels, colours)[0] == block


@pytest.mark.parametrize("size", list(KERNEL_SIZES))
@pytest.mark.parametrize("name", list(kernels.DEPTHWISE))
def test_every_kernel_name_resolves_at_every_size(name: str, size: int) -> None:
    """?pg_k=1&pg_dw0=scharr-y once crashed: Scharr fell back to Sobel, which has no 1×1 form."""
    resolved = resolve_kernel(name, size)
    assert size in kernels.DEPTHWISE[resolved].sizes
    block, notes = block_from({"pg_k": size, "pg_dw0": name, "pg_shared": True}, *rgb_channels())
    assert block.kernel_array().shape == (3, size, size)
    assert [k.name for k in block.depthwise.kernels] == [resolved] * 3
    assert bool(notes) == (resolved != name)


def test_kernel_choices_stay_with_their_channel_when_d_changes() -> None:
    """Bug: choices were keyed by slot number, so d = 2 moved G's kernel to R's second slot."""
    values = {"pg_dw1": "emboss", "pg_dw2": "box"}
    one, _ = block_from(values, *rgb_channels())
    two, _ = block_from(values | {"pg_d": 2}, *rgb_channels())
    assert [k.name for k in one.depthwise.kernels] == ["sobel-x", "emboss", "box"]
    assert [k.name for k in two.depthwise.kernels[::2]] == ["sobel-x", "emboss", "box"]
    assert two.map_labels()[2] == "Emboss of G"


def test_custom_numbers_of_the_wrong_length_are_noted_and_replaced() -> None:
    values = {"pg_dw0": CUSTOM, custom_key(0, 0): (1.0,) * 9, "pg_k": 5}
    block, notes = block_from(values, *rgb_channels())
    assert block.kernel_array()[0].sum() == 1 and block.kernel_array()[0, 2, 2] == 1  # the 5×5 identity
    (note,) = notes
    assert note.key == custom_key(0, 0) and "9 numbers" in note.why and "25" in note.why


def test_grayscale_photo_has_one_channel_and_no_colour() -> None:
    spec = input_spec({"chan": "gray", "copies": 2})
    labels, colours = spec.channels(1)
    assert labels == ("gray", "gray (blur)", "gray (Sobel x)")
    assert colours == (None, None, None)
    assert spec.channels(3)[0][:3] == ("R", "G", "B")


def test_upload_spec_is_named_by_digest() -> None:
    assert input_spec({}, "abc").ref == "upload:abc"
    assert input_spec({"img": "rings"}).ref == "sample:rings"


def test_blocks_are_hashable_cache_keys() -> None:
    a, _ = block_from({"pg_n": 4}, *rgb_channels())
    b, _ = block_from({"pg_n": 4}, *rgb_channels())
    assert hash(a) == hash(b) and a == b
    assert (
        a.depthwise == block_from({"pg_n": 5}, *rgb_channels())[0].depthwise
    )  # N leaves the depthwise stage


def test_composed_kernel_equals_the_block_without_bn() -> None:
    block, _ = block_from({"pg_d": 2, "pg_n": 5, "pg_pw": "random"}, *rgb_channels())
    x = np.random.default_rng(0).random((3, 20, 17), dtype=np.float32)
    composed = torch.tensor(block.composed())
    direct = F.conv2d(torch.tensor(x)[None], composed, padding=1)[0].numpy()
    np.testing.assert_allclose(block.run(x), direct, atol=1e-4)


def test_cost_matches_the_formula() -> None:
    block, _ = block_from({"pg_d": 2, "pg_n": 5, "pg_stride": 2, "pg_k": 5}, *rgb_channels())
    sep = block.cost(30, 21)
    grid = 15 * 11  # ⌈30/2⌉ × ⌈21/2⌉
    assert sep.depthwise.mult_adds == 25 * 3 * 2 * grid
    assert sep.pointwise.mult_adds == 3 * 2 * 5 * grid
    assert sep.standard.mult_adds == 25 * 3 * 5 * grid


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"pg_bn": True, "pg_act": "relu6", "pg_d": 2, "pg_stride": 2, "pg_n": 5},
        {"pg_pad": "reflect", "pg_dil": 2, "pg_k": 5, "pg_bn": True, "pg_act": "relu", "pg_pw": "random"},
        {
            "pg_padding": "valid",
            "pg_k": 7,
            "pg_dw0": "custom",
            "pg_custom0": tuple(float(i) for i in range(49)),
        },
    ],
)
def test_exported_code_run_on_the_pages_image_draws_the_page(values: dict) -> None:
    """What is drawn is what is exported: the Playground's image (the default sample) through the
    generated page_block() equals the cached stages the page draws."""
    from ui import stages

    spec = input_spec({})
    block, _ = block_from(values, *rgb_channels())
    namespace: dict = {}
    exec(block.code(), namespace)
    image = stages.channels(spec)  # (3, H, W), the page's input
    with torch.no_grad():
        exported = namespace["page_block"]()(torch.from_numpy(np.array(image))[None])[0].numpy()
    drawn = stages.outputs(spec, block)
    np.testing.assert_allclose(exported, drawn, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(drawn).max())))


def test_minus_zero_in_custom_numbers_is_plain_zero() -> None:
    """Found by the long fuzz: -0 typed in a grid printed "-0.0" in the code, but a link writes it as
    "0", so the reopened view's code differed. -0.0 and 0.0 compute alike; the block holds 0.0."""
    values = {"pg_k": 1, "pg_dw0": "custom", "pg_custom0": (-0.0,), "pg_pw": "custom", "pg_n": 1}
    values["pg_pwc"] = (-0.0, 1.0, -0.0)
    rgb = ("R", "G", "B"), (0, 1, 2)
    block, _ = block_from(values, *rgb)
    again, _ = block_from(values | {"pg_custom0": (0.0,), "pg_pwc": (0.0, 1.0, 0.0)}, *rgb)
    assert block.code() == again.code()
    assert all(math.copysign(1.0, x) == 1.0 for x in block.depthwise.kernels[0].numbers)
