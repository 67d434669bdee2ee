"""Figures built as plain dicts (dsviz.plotspec) are figures Plotly accepts: every spec the pixel page
draws passes Plotly's own validator, named colour scales are resolved as Plotly resolves them, and
typed arrays decode to the numbers put in."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from dsviz import explain, plotspec
from ui import pixel

RNG = np.random.default_rng(3)
X = RNG.standard_normal((2, 20, 17))
KERNELS = RNG.standard_normal((4, 3, 3))
WEIGHTS = RNG.standard_normal((5, 4))
GEOMETRIES = [
    {"stride": 1, "dilation": 1, "padding": "same", "padding_mode": "zeros"},
    {"stride": 2, "dilation": 2, "padding": "same", "padding_mode": "reflect"},
    {"stride": 1, "dilation": 1, "padding": "valid", "padding_mode": "zeros"},
]


def valid(spec: plotspec.Spec) -> go.Figure:
    """Plotly's validator on the spec (it raises on any unknown property or bad value)."""
    return go.Figure(spec.to_dict())


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_pixel_figures_pass_plotlys_validator(geometry: dict) -> None:
    e = explain.output_pixel(X, KERNELS, WEIGHTS, row=0, col=3, **geometry)
    valid(pixel.map_grids(e, 1, "Sobel x of G"))
    valid(pixel.mix_grids(WEIGHTS, e.depthwise, ["a", "b", "c", "d"]))
    window = explain.window_frames(X[0], KERNELS[0], crop=(0, 0, 12), **geometry)
    figure = valid(pixel.window_animation(window, "slides", (0, 0)))
    assert len(figure.frames) == len(window.frames)
    got = figure.layout.coloraxis.colorscale
    want = go.Figure(layout={"coloraxis": {"colorscale": "RdBu_r"}}).layout.coloraxis.colorscale
    assert [c for _, c in got] == [c for _, c in want]
    np.testing.assert_allclose([at for at, _ in got], [at for at, _ in want])


def test_subplots_are_make_subplots_layout() -> None:
    want = make_subplots(1, 3, subplot_titles=["a", "b", "c"], horizontal_spacing=0.1).to_dict()["layout"]
    got = plotspec.subplots(3, titles=("a", "b", "c"), spacing=0.1)
    assert got == want
    got["xaxis"]["title"] = "changed"  # a fresh copy each time: the cached layout is untouched
    assert "title" not in plotspec.subplots(3, titles=("a", "b", "c"), spacing=0.1)["xaxis"]


def test_typed_arrays_decode_to_the_numbers() -> None:
    values = np.array([[1.5, np.nan], [-2.0, 1e-30]])
    spec = plotspec.typed(values)
    decoded = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=spec["dtype"]).reshape(2, 2)
    np.testing.assert_array_equal(decoded, values)
    assert spec["shape"] == "2, 2"
