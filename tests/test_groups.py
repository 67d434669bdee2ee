"""Standard → grouped → depthwise: the grouped layer against torch, its cost against FlopCounterMode,
its drawings against the connections they claim, and the page under AppTest."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from apptest import open_page, trouble, widget
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from dsviz import charts, diagrams, figures, groups, ops
from dsviz.block import block_from
from dsviz.cost import conv_cost, separable_cost

PAGE = "views/groups.py"
SVG = "{http://www.w3.org/2000/svg}"


def test_divisors() -> None:
    assert groups.divisors(1) == [1]
    assert groups.divisors(12) == [1, 2, 3, 4, 6, 12]
    assert groups.divisors(7) == [1, 7]


@settings(max_examples=25, deadline=None)
@given(
    m=st.sampled_from([1, 2, 3, 4, 6, 12]),
    d=st.integers(1, 3),
    k=st.sampled_from([1, 3, 5]),
    stride=st.integers(1, 2),
    dilation=st.integers(1, 2),
    data=st.data(),
)
def test_grouped_layer_is_each_kernel_on_its_groups_mean(m, d, k, stride, dilation, data) -> None:
    """Independent reference: output j = kernel j convolved (torch, one channel) with the mean of the
    channels of j's group."""
    g = data.draw(st.sampled_from(groups.divisors(m)))
    rng = np.random.default_rng(m * 100 + d * 10 + k)
    x = rng.standard_normal((m, 13, 11)).astype(np.float32)
    kernels = rng.standard_normal((m * d, k, k)).astype(np.float32)
    got = ops.standard(x, groups.grouped_kernel(kernels, m, g), groups=g, stride=stride, dilation=dilation)
    per = m // g
    for j in range(m * d):
        group = j // (m * d // g)
        mean = torch.from_numpy(x[group * per : (group + 1) * per].mean(axis=0))[None, None]
        kernel = torch.from_numpy(kernels[j])[None, None]
        want = F.conv2d(mean, kernel, stride=stride, dilation=dilation, padding=dilation * (k // 2))
        np.testing.assert_allclose(got[j], want[0, 0].numpy(), rtol=1e-4, atol=1e-4)


def test_at_g_equal_m_the_grouped_layer_is_the_depthwise_stage() -> None:
    block, _ = block_from({"pg_d": 2, "pg_stride": 2, "pg_k": 5}, ("R", "G", "B"), (0, 1, 2))
    x = np.random.default_rng(0).random((3, 20, 24)).astype(np.float32)
    kernels = block.kernel_array()
    grouped = ops.standard(x, groups.grouped_kernel(kernels, 3, 3), groups=3, **block.depthwise.geometry())
    np.testing.assert_array_equal(grouped, block.depthwise.run(x))


@pytest.mark.parametrize(
    ("m", "d", "n", "k", "stride", "dilation", "padding"),
    [
        (3, 1, 8, 3, 1, 1, "same"),
        (12, 2, 16, 5, 2, 1, "same"),
        (6, 3, 4, 3, 1, 2, "valid"),
        (4, 1, 1, 7, 2, 2, "same"),
    ],
)
def test_spectrum_cost_is_what_torch_counts(m, d, n, k, stride, dilation, padding) -> None:
    """MACs against FlopCounterMode (FLOPs = 2·MACs) and weights against numel(), at every g."""
    h, w = 24, 20
    steps = groups.spectrum(m, d, n, k, h, w, stride=stride, padding=padding, dilation=dilation)
    assert [s.groups for s in steps] == groups.divisors(m)
    pad = dilation * (k // 2) if padding == "same" else 0
    for step in steps:
        layer = torch.nn.Conv2d(m, m * d, k, stride, pad, dilation, groups=step.groups, bias=False)
        mix = torch.nn.Conv2d(m * d, n, 1, bias=False)
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            y = layer(torch.zeros(1, m, h, w))
            layer_flops = counter.get_total_flops()
            mix(y)
        assert step.layer.mult_adds * 2 == layer_flops
        assert step.mult_adds * 2 == counter.get_total_flops()
        assert step.layer.params == layer.weight.numel()
        assert step.params == layer.weight.numel() + mix.weight.numel()
    block = separable_cost(m, n, k, h, w, multiplier=d, stride=stride, padding=padding, dilation=dilation)
    assert steps[-1].mult_adds == block.depthwise.mult_adds + block.pointwise.mult_adds  # the star
    standard = conv_cost(m, n, k, h, w, stride=stride, padding=padding, dilation=dilation)
    assert standard.mult_adds == block.standard.mult_adds


@pytest.mark.parametrize(("m", "c", "g"), [(3, 3, 1), (3, 6, 3), (12, 24, 4), (1, 2, 1), (24, 96, 24)])
def test_drawings_show_exactly_the_connections(m: int, c: int, g: int) -> None:
    pairs = groups.connections(m, c, g)
    assert len(pairs) == c * (m // g)
    inputs = [f"ch <{i}> & co" for i in range(m)]  # labels are escaped, the SVG stays well formed
    wiring = ET.fromstring(diagrams.connections(inputs, [f"out {j}" for j in range(c)], g))
    assert len(wiring.findall(f"{SVG}line")) == len(pairs)
    assert wiring.find(f"{SVG}title").text.startswith(f"{g} group")
    tensor = ET.fromstring(diagrams.weight_tensor(m, c, g, 3))
    fills = [r.get("fill") for r in tensor.findall(f"{SVG}rect")]
    assert len(fills) == c * m and sum(f != diagrams.EMPTY for f in fills) == len(pairs)
    assert f"({c}, {m // g}, 3, 3)" in tensor.find(f"{SVG}title").text


def test_output_titles_name_the_channels_an_output_sees() -> None:
    kernels = ["Sobel x", "Blur", "Laplacian", "Emboss"]
    assert groups.output_titles(kernels[:2], ["R", "G"], 2) == ["Sobel x of R", "Blur of G"]
    assert groups.output_titles(kernels, ["R", "G", "B", "Y"], 2)[3] == "Emboss of mean(ch 2–3)"


def test_log_ticks_cover_the_range_with_readable_labels() -> None:
    for low, high in [(216, 2592), (1.5e6, 4.6e7), (7, 7)]:
        ticks = figures.log_ticks(low, high)
        assert min(ticks) <= low and max(ticks) >= high
    assert [charts.si(v) for v in (500, 2000, 5e6, 1e9)] == ["500", "2k", "5M", "1G"]


# ---- the page -------------------------------------------------------------------------------------------


def page_text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_page_numbers_follow_every_widget() -> None:
    at = open_page(PAGE, state={"copies": 3})  # M = 12
    assert not trouble(at)
    slider = widget(at, "gr_g")
    assert slider.options == [str(g) for g in groups.divisors(12)]
    for key, value in (("gr_g", 4), ("pg_k", 5), ("pg_d", 2), ("pg_n", 16), ("gr_g", 12)):
        widget(at, key).set_value(value).run()
        assert not trouble(at)
    steps = groups.spectrum(12, 2, 16, 5, 256, 256)
    text = page_text(at)
    assert f"**{steps[-1].layer.mult_adds:,} MACs**" in text and "exactly 1/12 of" in text
    assert "(24, 1, 5, 5)" in text
    table = at.dataframe[0].value
    assert list(table["K×K layer MACs"]) == [s.layer.mult_adds for s in steps]
    assert at.query_params["gr_g"] == "12"


def test_a_g_that_does_not_divide_m_falls_to_a_divisor_and_says_so() -> None:
    at = open_page(PAGE, query={"gr_g": "4"})  # M = 3: divisors 1, 3
    assert not trouble(at)
    assert widget(at, "gr_g").value == 3
    assert "gr_g=4" in " ".join(w.value for w in at.warning)


def test_one_channel_has_no_spectrum() -> None:
    at = open_page(PAGE, state={"chan": "gray"})
    assert not trouble(at)
    assert widget(at, "gr_g") is None
    assert "nothing to group" in page_text(at)


def test_separable_costing_more_is_said() -> None:
    """N = 1, K = 1: the block costs more than the standard 1×1 convolution it replaces."""
    at = open_page(PAGE, query={"pg_k": "1", "pg_n": "1"})
    assert not trouble(at)
    assert re.search(r"needs [\d,]+ MACs: [\d.]+× as many as the standard", page_text(at))


def test_the_maps_sheet_downloads_as_a_png() -> None:
    at = open_page(PAGE, query={"gr_g": "3"})
    at.button(key="gr_sheet").click().run()
    assert not trouble(at)
    assert [b.proto.label for b in at.get("download_button")] == ["Download maps.png"]
