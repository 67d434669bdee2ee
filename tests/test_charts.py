"""The SVG charts (dsviz.charts): what each shape and label says, read back from the SVG itself."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from PIL import Image

from dsviz import charts
from dsviz.style import DIVERGING, LUT_SIZE, lut

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def cells(root: ET.Element) -> list[ET.Element]:
    """The grid's cells: the rects that carry a hover title (the colour bar's rect has none)."""
    return [r for r in root.iter(f"{{{NS['s']}}}rect") if r.find("s:title", NS) is not None]


def test_weights_grid_has_one_cell_per_weight_coloured_on_the_zero_centred_scale() -> None:
    weights = np.array([[1.0, -0.5, 0.0], [0.25, 0.0, -2.0]])
    root = parse(charts.weights_grid(weights, ["a", "b"], ["x", "y", "z"], "P"))
    found = cells(root)
    assert len(found) == weights.size
    table = lut(DIVERGING)
    limit = 2.0  # the largest |weight|: the ends of the scale
    for rect, value in zip(found, weights.ravel(), strict=True):
        at = round((value / limit + 1) / 2 * (LUT_SIZE - 1))  # independent of charts' own mapping
        assert rect.get("fill") == "#{:02x}{:02x}{:02x}".format(*table[at])
    zero = found[2].get("fill")
    assert zero == "#{:02x}{:02x}{:02x}".format(*table[(LUT_SIZE - 1) // 2])  # 0 is the neutral middle
    assert found[5].get("fill") == "#{:02x}{:02x}{:02x}".format(*table[0])  # −2: the blue end
    tips = [r.find("s:title", NS).text for r in found]
    assert tips[1] == "a ← y: weight -0.5000"


def test_weights_grid_prints_values_and_labels_its_colour_bar() -> None:
    weights = np.array([[0.5, -0.25]])
    svg = charts.weights_grid(weights, ["out 0"], ["R", "G"], "P (1×2)")
    texts = [t.text for t in parse(svg).iter(f"{{{NS['s']}}}text")]
    assert "0.50" in texts and "−0.25" in texts  # the cells, with a true minus sign
    assert {"0", "−0.50"} <= set(texts) and "weight" in texts  # the bar: ±limit and 0
    bar = next(r for r in parse(svg).iter(f"{{{NS['s']}}}rect") if r.get("fill") == "url(#wbar)")
    assert float(bar.get("height")) >= 90  # one row of cells: its labels still do not overlap
    assert texts.count("P (1×2)") == 1


@pytest.mark.parametrize("n", [1, 2, 8])
def test_the_colour_bar_clears_the_column_labels(n: int) -> None:
    """Few rows: the bar is taller than the grid and reaches down to the 45° column labels, so it
    stands right of their far end (a long name once ran into the bar's "−1.00" at N = 1)."""
    columns = ["Sobel x of gray", "Gaussian blur of gray"]
    root = parse(charts.weights_grid(np.eye(n, 2), [f"{i}: out" for i in range(n)], columns, "P"))
    bar = next(r for r in root.iter(f"{{{NS['s']}}}rect") if r.get("fill") == "url(#wbar)")
    bar_x, bar_bottom = float(bar.get("x")), float(bar.get("y")) + float(bar.get("height"))
    for label in (t for t in root.iter(f"{{{NS['s']}}}text") if t.text in columns):
        x, y = float(label.get("x")), float(label.get("y"))
        reach = charts.text_width(label.text, float(label.get("font-size"))) * 0.71  # cos 45°
        assert bar_bottom < y or bar_x > x + reach, (label.text, bar_x, x + reach)


def test_weights_grid_leaves_numbers_out_when_the_cells_are_too_many() -> None:
    weights = np.linspace(-1, 1, 40 * 24).reshape(40, 24)
    rows, columns = [f"o{i}" for i in range(40)], [f"m{j}" for j in range(24)]
    root = parse(charts.weights_grid(weights, rows, columns, "P"))
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert len(cells(root)) == weights.size <= charts.HOVER_CELLS_UP_TO
    assert "0.50" not in texts  # no cell numbers; the hover titles keep every value


@pytest.mark.parametrize("shape", [(64, 48), (64, 96), (33, 40)])
def test_a_large_weights_grid_is_one_image_of_its_cells(shape: tuple[int, int]) -> None:
    """Beyond HOVER_CELLS_UP_TO cells: one PNG pixel per weight, on the same zero-centred scale as
    the hover cells, placed where they would be; the chart stays small (N = 64 of 96 maps was
    0.85 MB of SVG with a hover title per cell)."""
    n, c = shape
    weights = np.random.default_rng(n * c).normal(size=shape)
    weights[0, 0] = 0.0
    rows, columns = [f"out {i}" for i in range(n)], [f"map {j}" for j in range(c)]
    svg = charts.weights_grid(weights, rows, columns, "P")
    root = parse(svg)
    assert not cells(root) and len(svg) < 100_000
    (image,) = root.iter(f"{{{NS['s']}}}image")
    href = image.get("href")
    assert href.startswith("data:image/png;base64,")
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1]))).convert("RGB"))
    assert pixels.shape == (n, c, 3)
    table, limit = lut(DIVERGING), np.abs(weights).max()
    at = np.round((weights / limit + 1) / 2 * (LUT_SIZE - 1)).astype(int)  # independent of charts
    assert np.array_equal(pixels, table[at])
    assert (pixels[0, 0] == table[(LUT_SIZE - 1) // 2]).all()  # 0 is the neutral middle
    # Where the hover grid would be: right of the row labels, below the title, cells of one size.
    hover = parse(charts.weights_grid(weights[:1, :1], rows[:1], columns[:1], "P"))
    assert float(image.get("y")) == float(cells(hover)[0].get("y"))
    width, height = float(image.get("width")), float(image.get("height"))
    assert width / c == pytest.approx(max(8.0, min(30.0, 720 / c)), abs=0.01)
    assert height / n == pytest.approx(max(6.0, min(22.0, 520 / n)), abs=0.01)
    assert "pixelated" in image.get("style")  # each weight a crisp block, not a blur
    labels = {t.text for t in root.iter(f"{{{NS['s']}}}text")}
    assert {"out 0", f"out {n - 1}", "map 0", f"map {c - 1}", "weight"} <= labels


def test_labels_are_escaped() -> None:
    svg = charts.weights_grid(np.ones((1, 1)), ["<b>&"], ["'\""], "a < b")
    root = parse(svg)
    assert "<b>&" in [t.text for t in root.iter(f"{{{NS['s']}}}text")]


def bars(root: ET.Element) -> dict[str, float]:
    """Bar segment widths by their hover title's part name."""
    return {r.find("s:title", NS).text.split(":")[0]: float(r.get("width")) for r in cells(root)}


@settings(max_examples=30, deadline=None)
@given(hs.integers(1, 10**9), hs.integers(0, 10**9), hs.integers(0, 10**9))
def test_cost_bars_are_drawn_to_one_linear_scale(standard: int, dw: int, pw: int) -> None:
    stages = {"standard": {"standard conv": standard}, "separable": {"depthwise": dw, "pointwise": pw}}
    root = parse(charts.cost_bars(stages, "MACs"))
    ticks = charts.nice_ticks(max(standard, dw + pw))
    assert ticks[0] == 0 and ticks[-1] >= max(standard, dw + pw) and len(ticks) <= 7
    # the axis: its tick marks, at 0 and at the last tick's value
    marks = [float(line.get("x1")) for line in root.iter(f"{{{NS['s']}}}line")][1:]
    scale = (marks[-1] - marks[0]) / ticks[-1]
    for (part, width), value in zip(bars(root).items(), (standard, dw, pw), strict=True):
        assert width == pytest.approx(value * scale, rel=1e-3, abs=0.01), part
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert f"{standard:,}" in texts and f"{dw + pw:,}" in texts  # each bar ends with its total


def test_cost_bars_say_the_totals_in_their_title() -> None:
    stages = {"standard": {"standard conv": 900}, "separable": {"depthwise": 20, "pointwise": 80}}
    root = parse(charts.cost_bars(stages, "FLOPs"))
    assert root.get("aria-label") == "Cost bars: standard 900 FLOPs; separable 100 FLOPs"
    assert [charts.si(v) for v in (500, 2000, 5e6, 1e9)] == ["500", "2k", "5M", "1G"]
