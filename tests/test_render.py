"""dsviz.render and dsviz.style: colour mapping, robust limits, tile layout and encoding.

References are independent of dsviz: Plotly's own colour scale definition (the ColorBrewer RdBu stops),
NumPy percentiles, hand-computed block means, CIE L* computed here, and Pillow decoding the JPEG bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from plotly.colors import get_colorscale, sample_colorscale

from dsviz import render, style
from dsviz.render import Scale

RDBU_NEUTRAL = (247, 247, 247)  # ColorBrewer RdBu's middle class: the colour of 0 on a diverging scale
RDBU_BLUE_END = (5, 48, 97)  # RdBu_r at 0
RDBU_RED_END = (103, 0, 31)  # RdBu_r at 1


def plotly_colour(scale: str, at: float) -> tuple[int, ...]:
    rgb = sample_colorscale(get_colorscale(scale), [at], colortype="tuple")[0]
    return tuple(round(c * 255) for c in rgb)


def cie_lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of sRGB uint8 colours ``(..., 3)``."""
    c = rgb.astype(np.float64) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    y = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


# ---- style ------------------------------------------------------------------------------------------


def test_reference_colours_are_what_plotly_defines() -> None:
    # guards the constants above: they come from Plotly's RdBu_r definition, not from dsviz
    assert plotly_colour(style.DIVERGING, 0.5) == RDBU_NEUTRAL
    assert plotly_colour(style.DIVERGING, 0.0) == RDBU_BLUE_END
    assert plotly_colour(style.DIVERGING, 1.0) == RDBU_RED_END


@pytest.mark.parametrize("scale", [style.DIVERGING, style.SEQUENTIAL])
def test_lut_is_uint8_rgb_table(scale: str) -> None:
    table = style.lut(scale)
    assert table.dtype == np.uint8
    assert table.shape == (style.LUT_SIZE, 3)
    assert style.LUT_SIZE >= 256  # at least 8 bits of shades
    assert tuple(table[0]) == plotly_colour(scale, 0.0)
    assert tuple(table[-1]) == plotly_colour(scale, 1.0)


def test_diverging_lut_gets_lighter_towards_the_middle() -> None:
    lightness = cie_lightness(style.lut(style.DIVERGING))
    middle = (len(lightness) - 1) / 2
    brightest = int(lightness.argmax())
    assert abs(brightest - middle) <= 0.5 + 1e-9, (brightest, middle)
    assert (np.diff(lightness[: brightest + 1]) >= -1e-9).all()  # blue end → middle: lighter and lighter
    assert (np.diff(lightness[brightest:]) <= 1e-9).all()  # middle → red end: darker and darker
    assert lightness[brightest] > 95  # white-ish


def test_sequential_lut_is_a_gray_ramp_from_black() -> None:
    table = style.lut(style.SEQUENTIAL).astype(int)
    assert tuple(table[0]) == (0, 0, 0)
    assert (np.abs(table - table[:, :1]) <= 2).all()  # gray: channels (nearly) equal
    assert (np.diff(table[:, 0]) >= 0).all()


def test_symmetric_limit() -> None:
    assert style.symmetric_limit(np.array([-3.0, 2.0]), np.array([[1.5]])) == 3.0
    assert style.symmetric_limit(np.zeros((4, 4))) == 1.0
    assert style.symmetric_limit() == 1.0


def test_robust_limit_ignores_one_huge_outlier() -> None:
    rng = np.random.default_rng(0)
    values = rng.uniform(-1, 1, (200, 300)).astype(np.float32)
    values[17, 42] = 1e6
    limit, clipped = style.robust_limit(values)
    expected = np.percentile(np.abs(values), 99.5)
    assert clipped is True
    assert limit == pytest.approx(expected, rel=0.02)
    assert 0.98 < limit < 1.0


def test_robust_limit_on_uniform_data_is_the_max() -> None:
    values = np.full((50, 60), -0.25, np.float32)
    assert style.robust_limit(values) == (pytest.approx(0.25), False)
    ramp = np.linspace(-2, 2, 101)  # few values: the 99.5th percentile is still below the max
    limit, clipped = style.robust_limit(ramp)
    assert limit <= 2.0
    assert clipped == (limit < 2.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("q", [0.0, 50.0, 99.5, 100.0])
def test_upper_percentile_is_numpys_percentile_to_the_last_bit(dtype, q: float) -> None:
    """The one-partition percentile gives the very float np.percentile gives (its linear method),
    for sizes from 1 value to a 256² sample, with ties and with spreads of many magnitudes."""
    rng = np.random.default_rng(7)
    for size in [1, 2, 3, 10, 199, 200, 201, 4096, 65_536]:
        for spread in (1e-3, 1.0, 1e4):
            values = np.abs(rng.standard_normal(size) * spread).astype(dtype)
            for sample in (values, np.round(values, 1)):  # the rounded copy has many ties
                assert style.upper_percentile(sample, q) == float(np.percentile(sample, q))


def test_robust_limit_on_zeros_is_one() -> None:
    assert style.robust_limit(np.zeros((8, 8))) == (1.0, False)


@pytest.mark.parametrize("fill", [np.inf, -np.inf, np.nan])
def test_robust_limit_is_a_usable_number_when_values_overflowed(fill: float) -> None:
    """Maps from huge custom weights overflow float32 to ±inf: the scale must still be finite."""
    values = np.full((30, 30), fill, np.float32)
    values[:3] = 0.5
    limit, _ = style.robust_limit(values)
    assert np.isfinite(limit) and limit > 0
    limit, _ = style.robust_limit(np.full((4, 4), fill, np.float32))
    assert np.isfinite(limit) and limit > 0


# ---- colourise --------------------------------------------------------------------------------------


def test_zero_is_the_neutral_middle_colour() -> None:
    """design.md: on a diverging scale white always means 0 — exactly the scale's middle colour."""
    for limit in (1.0, 0.003, 250.0):
        out = render.colourise(np.zeros((2, 3), np.float32), Scale.signed(limit))
        assert out.shape == (2, 3, 3) and out.dtype == np.uint8
        assert tuple(int(c) for c in out[0, 0]) == RDBU_NEUTRAL, limit


@pytest.mark.parametrize("limit", [1.0, 0.003, 250.0])
def test_limits_are_the_end_colours_and_beyond_clips(limit: float) -> None:
    values = np.array([[limit, -limit, 10 * limit, -10 * limit, np.float32(1e30), -np.float32(1e30)]])
    out = render.colourise(values.astype(np.float32), Scale.signed(limit, clipped=True))
    assert [tuple(c) for c in out[0]] == [RDBU_RED_END, RDBU_BLUE_END] * 3


def test_colourise_is_sign_symmetric() -> None:
    """+v and −v sit at mirror-image positions of the table (so a symmetric map looks symmetric)."""
    table = [tuple(c) for c in style.lut(style.DIVERGING)]
    values = np.linspace(0, 1, 41)[1:]
    pos = render.colourise(values[None], Scale.signed(1.0))[0]
    neg = render.colourise(-values[None], Scale.signed(1.0))[0]
    n = len(table)
    for v, p, q in zip(values, pos, neg, strict=True):
        i = [k for k, c in enumerate(table) if c == tuple(p)]
        j = [k for k, c in enumerate(table) if c == tuple(q)]
        assert any(a + b == n - 1 for a in i for b in j), (v, i, j)


def test_colourise_never_fails_on_non_finite_values() -> None:
    values = np.array([[np.inf, -np.inf, np.nan, 0.5]], np.float32)
    out = render.colourise(values, Scale.signed(1.0))
    assert tuple(out[0, 0]) == RDBU_RED_END
    assert tuple(out[0, 1]) == RDBU_BLUE_END
    for limit in (np.inf, np.nan):  # a scale whose limit itself overflowed
        out = render.colourise(values, Scale.signed(limit))
        assert out.shape == (1, 4, 3)


def test_unit_scale_maps_0_and_1_to_black_and_white() -> None:
    out = render.colourise(np.array([[0.0, 1.0, -0.5, 2.0]]), Scale.unit())
    table = style.lut(style.SEQUENTIAL)
    assert [tuple(c) for c in out[0]] == [
        tuple(table[0]),
        tuple(table[-1]),
        tuple(table[0]),
        tuple(table[-1]),
    ]


def test_colourise_is_monotone_in_value_on_the_unit_scale() -> None:
    out = render.colourise(np.linspace(0, 1, 300)[None], Scale.unit())[0, :, 0].astype(int)
    assert (np.diff(out) >= 0).all()


# ---- tiles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("height", "width"), [(32, 48), (64, 64), (5, 200), (200, 7)])
def test_tile_size_is_map_plus_bar_and_title(height: int, width: int) -> None:
    values = np.random.default_rng(1).normal(size=(height, width)).astype(np.float32)
    scale = Scale.signed(1.0)
    with_bar = render.tile(values, "R · sobel-x", scale)
    bar = render.colour_bar(height, scale)
    assert bar.size == (render.BAR_WIDTH + render.LABEL_WIDTH, height)
    assert with_bar.height == height + render.TITLE_HEIGHT
    assert with_bar.width == width + bar.width + 2  # 2 px gap between map and bar
    plain = render.tile(values, "x", scale, bar=False)
    assert plain.size == (width, height + render.TITLE_HEIGHT)


def test_tile_pixels_are_the_map_colours() -> None:
    values = np.zeros((10, 12), np.float32)
    values[:, 6:] = 1.0
    picture = np.asarray(render.tile(values, "t", Scale.signed(1.0), bar=False))
    body = picture[render.TITLE_HEIGHT :]
    assert tuple(body[5, 9]) == RDBU_RED_END
    np.testing.assert_array_equal(body[:, :6], np.broadcast_to(body[0, 0], (10, 6, 3)))


def test_titles_with_symbols_the_builtin_font_lacks_still_render() -> None:
    image = render.tile(np.zeros((8, 8)), "R · sobel 5×5 − 2", Scale.signed(1.0))
    assert image.mode == "RGB"
    assert render.ascii_title("R · a×b − c·d") == "R: axb - c:d"


def test_display_size_includes_partial_edge_blocks() -> None:
    values = np.arange(25, dtype=np.float64).reshape(5, 5)
    out = render.display_size(values, 2)  # step 3: blocks of rows/cols 0-2 and 3-4
    expected = [
        [values[:3, :3].mean(), values[:3, 3:].mean()],
        [values[3:, :3].mean(), values[3:, 3:].mean()],
    ]
    np.testing.assert_allclose(out, expected)


def test_display_size_keeps_small_maps() -> None:
    values = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert render.display_size(values, 4) is values or np.array_equal(render.display_size(values, 4), values)


def test_display_size_block_averages_exactly() -> None:
    values = np.array(
        [
            [1, 3, 10, 20, 0, 8],
            [5, 7, 30, 40, 4, 4],
            [-1, 1, 2, 2, 9, 9],
            [-3, 3, 2, 2, 9, 9],
        ],
        dtype=np.float32,
    )
    out = render.display_size(values, 3)  # longer side 6 > 3: 2×2 blocks
    expected = np.array([[(1 + 3 + 5 + 7) / 4, (10 + 20 + 30 + 40) / 4, (0 + 8 + 4 + 4) / 4], [0, 2, 9]])
    np.testing.assert_allclose(out, expected)


@pytest.mark.parametrize(("height", "width", "side"), [(1024, 683, 320), (640, 640, 320), (683, 1024, 256)])
def test_display_size_keeps_aspect_and_fits(height: int, width: int, side: int) -> None:
    out = render.display_size(np.ones((height, width), np.float32), side)
    assert max(out.shape) <= side
    assert out.shape[0] / out.shape[1] == pytest.approx(height / width, rel=0.02)
    assert max(out.shape) > side // 2  # not shrunk more than needed
    np.testing.assert_allclose(out, 1.0)


def test_encode_is_jpeg_of_the_tiles_size() -> None:
    picture = render.tile(np.random.default_rng(2).normal(size=(40, 50)), "map", Scale.signed(2.0))
    data = render.encode(picture)
    assert data[:3] == b"\xff\xd8\xff"
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "JPEG"
    assert decoded.size == picture.size
    # close to the original (quality 88, no chroma subsampling)
    error = np.abs(np.asarray(decoded.convert("RGB"), int) - np.asarray(picture, int)).mean()
    assert error < 8


@pytest.mark.parametrize("size", [1, 3, 5, 7, 9, 11])
def test_kernel_tile_draws_every_size(size: int) -> None:
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, size // 2] = 1.0
    if size > 1:
        kernel[0, 0] = -1.0
    image = render.kernel_tile(kernel, f"sobel {size}×{size}", Scale.signed(1.0))
    assert image.mode == "RGB"
    assert image.height >= size * 12 + render.TITLE_HEIGHT  # every cell at least 12 px
    assert image.width > image.height - render.TITLE_HEIGHT  # cells + colour bar
    grid = np.asarray(image)[render.TITLE_HEIGHT :]
    cell = (image.height - render.TITLE_HEIGHT) // size
    # a corner pixel of each cell is free of the written number: it shows the cell's colour
    centre = size // 2
    assert tuple(grid[centre * cell + 1, centre * cell + 1]) == RDBU_RED_END
    if size > 1:
        assert tuple(grid[1, 1]) == RDBU_BLUE_END
        zero = grid[cell * (size - 1) + 1, 1].astype(int)  # a zero weight: the neutral colour
        assert (np.abs(zero - RDBU_NEUTRAL) <= 2).all(), zero


def test_photo_tile_keeps_pixels() -> None:
    rgb = np.zeros((3, 4, 5), np.float32)
    rgb[0] = 1.0  # pure red
    image = render.photo(rgb, "input")
    assert image.size == (5, 4 + render.TITLE_HEIGHT)
    assert tuple(np.asarray(image)[render.TITLE_HEIGHT + 1, 1]) == (255, 0, 0)
    gray = render.photo(np.full((1, 4, 5), 0.5, np.float32), "gray")
    assert tuple(np.asarray(gray.convert("RGB"))[render.TITLE_HEIGHT + 1, 1]) == (128, 128, 128)


# ---- sizes: one zoom per view, every tile of a stage equally wide -----------------------------------


@pytest.mark.parametrize(
    ("height", "width", "zoom"),
    [(1024, 683, 1 / 4), (640, 640, 1 / 2), (321, 100, 1 / 2), (320, 320, 1), (160, 40, 1), (16, 16, 10),
     (16, 64, 3), (17, 17, 10), (159, 159, 2), (64, 48, 3)],
)  # fmt: skip
def test_zoom_for(height: int, width: int, zoom: float) -> None:
    assert render.zoom_for(height, width) == pytest.approx(zoom)


@settings(max_examples=300, deadline=None)
@given(long=st.integers(16, 4096), ratio=st.floats(1, 4))
def test_zoom_for_draws_every_input_between_least_and_box(long: int, ratio: float) -> None:
    short = max(16, round(long / ratio))
    for height, width in ((long, short), (short, long)):
        zoom = render.zoom_for(height, width)
        assert zoom == 1 or 1 / zoom == round(1 / zoom) or zoom == round(zoom)  # 1/n or n
        shown_w, shown_h = render.canvas_for(height, width, zoom)
        assert 160 <= max(shown_w, shown_h) <= 320, (height, width, zoom)


def test_canvas_for_is_width_then_height() -> None:
    assert render.canvas_for(100, 30, 1.0) == (30, 100)
    assert render.canvas_for(1000, 701, 1 / 4) == (176, 250)  # partial edge blocks count
    assert render.canvas_for(16, 20, 10.0) == (200, 160)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="zoom"):
            render.canvas_for(10, 10, bad)


def ink_box(picture: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, width, height) of the pixels that are not the white canvas."""
    rows, cols = np.nonzero((picture != 255).any(axis=-1))
    return cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1


@pytest.mark.parametrize(("height", "width"), [(64, 48), (512, 512), (16, 16), (300, 1000)])
def test_a_stride_2_map_is_drawn_half_size_centred_on_the_inputs_canvas(height: int, width: int) -> None:
    zoom = render.zoom_for(height, width)
    canvas = render.canvas_for(height, width, zoom)
    half = np.full((-(-height // 2), -(-width // 2)), 1.0, np.float32)  # ceil(H/2) × ceil(W/2), all red
    picture = render.tile(half, "out", Scale.signed(1.0), zoom=zoom, canvas=canvas, bar=False)
    assert picture.size == (canvas[0], canvas[1] + render.TITLE_HEIGHT)
    body = np.asarray(picture)[render.TITLE_HEIGHT :]
    left, top, shown_w, shown_h = ink_box(body)
    expected_w, expected_h = render.canvas_for(*half.shape, zoom)
    assert (shown_w, shown_h) == (expected_w + 2, expected_h + 2)  # the map and its 1 px grey frame
    assert abs(shown_w / canvas[0] - 0.5) < 0.05 and abs(shown_h / canvas[1] - 0.5) < 0.05  # looks half
    assert abs((left + shown_w / 2) - canvas[0] / 2) <= 1 and abs((top + shown_h / 2) - canvas[1] / 2) <= 1
    assert tuple(body[top, left]) == render.FRAME
    assert tuple(body[top + shown_h // 2, left + shown_w // 2]) == RDBU_RED_END


def test_every_tile_of_a_stage_has_the_same_size() -> None:
    """Different titles, scales (tiny, huge, saturated, unit) and strides: one width, one height."""
    rng = np.random.default_rng(3)
    height, width = 200, 150
    zoom = render.zoom_for(height, width)
    canvas = render.canvas_for(height, width, zoom)
    cases = [
        (rng.normal(size=(200, 150)), "R", Scale.unit()),
        (rng.normal(size=(100, 75)) * 1e-7, "G · far too long to fit above this tile", Scale.signed(1.2e-7)),
        (rng.normal(size=(50, 38)) * 1e4, "B · sobel 5×5 − huge", Scale.signed(12345.678, clipped=True)),
        (rng.normal(size=(100, 75)), "x", Scale.signed(-0.000123, clipped=True)),
    ]  # fmt: skip
    sizes = {render.tile(v, t, s, zoom=zoom, canvas=canvas).size for v, t, s in cases}
    assert sizes == {(canvas[0] + render.GAP + render.BAR_WIDTH + render.LABEL_WIDTH, canvas[1] + 20)}


def test_shrinking_averages_blocks_instead_of_skipping_pixels() -> None:
    """Columns alternating +1/−1 average to 0 (white): taking every 2nd pixel would paint all red."""
    stripes = np.tile(np.array([1.0, -1.0], np.float32), (64, 32))  # (64, 64)
    body = np.asarray(render.tile(stripes, "s", Scale.signed(1.0), zoom=0.5, bar=False))[20:]
    assert body.shape == (32, 32, 3)
    assert (body == RDBU_NEUTRAL).all()


def test_enlarging_draws_each_value_as_a_square() -> None:
    values = np.random.default_rng(4).normal(size=(16, 16)).astype(np.float32)
    scale = Scale.signed(2.0)
    body = np.asarray(render.tile(values, "s", scale, zoom=10.0, bar=False))[20:]
    assert body.shape == (160, 160, 3)
    np.testing.assert_array_equal(body, render.colourise(values, scale).repeat(10, 0).repeat(10, 1))


def test_a_map_larger_than_its_canvas_is_never_cropped() -> None:
    picture = render.tile(np.zeros((30, 40)), "t", Scale.signed(1.0), canvas=(20, 20), bar=False)
    assert picture.size == (40, 30 + render.TITLE_HEIGHT)


def title_ink(picture: Image.Image) -> np.ndarray:
    """Columns of the title row that hold any dark ink."""
    return (np.asarray(picture.convert("L"))[: render.TITLE_HEIGHT] < 160).any(axis=0)


def test_size_note_is_written_at_the_right_of_the_title() -> None:
    values = np.zeros((128, 96), np.float32)
    with_note = render.tile(values, "t", Scale.signed(1.0))
    without = render.tile(values, "t", Scale.signed(1.0), size_note=False)
    right = slice(with_note.width - 60, with_note.width)
    assert title_ink(with_note)[right].any() and not title_ink(without)[right].any()
    # the note is the map's W×H: the same title row as a tile titled by hand with note "96×128"
    by_hand = render.titled(
        Image.new("RGB", (96, 128)), "t", render.colour_bar(128, Scale.signed(1.0)), note="96×128"
    )
    np.testing.assert_array_equal(np.asarray(with_note)[:20], np.asarray(by_hand)[:20])


def test_long_titles_are_cut_with_an_ellipsis_and_never_touch_the_note() -> None:
    title = "G · a very long title that cannot possibly fit"
    text = render._fit(title, render.TITLE_SIZE, 100)
    assert text.endswith(render.printable("…")) and render.font(render.TITLE_SIZE).getlength(text) <= 100
    picture = render.tile(np.zeros((16, 16)), title, Scale.signed(1.0), zoom=10.0)
    ink = title_ink(picture)
    note_left = picture.width - 2 - render.font(render.NOTE_SIZE).getlength(render.printable("16×16"))
    gap = ink[int(note_left) - 6 : int(note_left) - 1]
    assert not gap.any()  # white space between the cut title and the note


def test_photo_takes_the_same_zoom() -> None:
    rgb = np.zeros((3, 64, 48), np.float32)
    rgb[0, :, ::2] = 1.0  # red every other column: halves average to 0.5
    half = render.photo(rgb, "input", zoom=0.5)
    assert half.size == (24, 32 + render.TITLE_HEIGHT)
    assert tuple(np.asarray(half)[render.TITLE_HEIGHT + 5, 5]) == (128, 0, 0)
    grey = np.random.default_rng(5).uniform(size=(1, 16, 16)).astype(np.float32)
    big = np.asarray(render.photo(grey, "g", zoom=10.0).convert("L"))[render.TITLE_HEIGHT :]
    assert big.shape == (160, 160)
    np.testing.assert_array_equal(big, (grey[0] * 255 + 0.5).astype(np.uint8).repeat(10, 0).repeat(10, 1))


def test_block_mean_of_colour_pixels() -> None:
    pixels = np.arange(5 * 4 * 3, dtype=np.float32).reshape(5, 4, 3)
    out = render.block_mean(pixels, 2)
    assert out.shape == (3, 2, 3)
    np.testing.assert_allclose(out[2, 1], pixels[4:, 2:].mean(axis=(0, 1)))


# ---- numbers and labels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.0, "-1"), (-2.0, "-2"), (0.035, ".035"), (-0.12, "-.12"),
     (12.345, "12.3"), (255.0, "255"), (1e4, "1e4"), (-9999.5, "-1e4"), (1e-7, "1e-7"),
     (12345.678, "1.23e4"), (0.0625, ".0625"), (-0.00123, "-.00123"), (1e30, "1e30"),
     (float("nan"), "nan"), (float("-inf"), "-inf")],
)  # fmt: skip
def test_compact_numbers(value: float, text: str) -> None:
    assert render.compact(value) == text


def test_compact_digits_and_leading_zero() -> None:
    assert render.compact(0.514, zero=True) == "0.514"
    assert render.compact(-0.514, 2) == "-.51"
    assert render.compact(12345.678, 1) == "1e4"


HARD_KERNELS = [
    np.array([[1e4, -9999.5, 1e-7], [0.0625, -1, 0], [2, 12345.678, -0.035]]),
    np.array([[-1.23456e-7, 3.3e-5, -0.00123], [1e30, -1e30, 7], [0.5, -0.25, 1 / 3]]),
    np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256,
    np.random.default_rng(6).normal(size=(7, 7)) * 1e3,
    np.random.default_rng(7).normal(size=(11, 11)),
]


def cells(image: Image.Image, span: int) -> tuple[np.ndarray, int]:
    grid = np.asarray(image)[render.TITLE_HEIGHT :]
    cell = grid.shape[0] // span
    return grid[: span * cell, : span * cell], cell


@pytest.mark.parametrize("kernel", HARD_KERNELS)
def test_kernel_numbers_stay_inside_their_cells(kernel: np.ndarray) -> None:
    """The first and last column and row of every cell hold only the cell's own colour: no digit of
    this cell (or a neighbour's) crosses into them."""
    kernel = kernel.astype(np.float32)
    scale = Scale.signed(float(np.abs(kernel).max()))
    grid, cell = cells(render.kernel_tile(kernel, "custom", scale), kernel.shape[0])
    colours = render.colourise(kernel, scale)
    for (i, j), _ in np.ndenumerate(kernel):
        block = grid[i * cell : (i + 1) * cell, j * cell : (j + 1) * cell]
        for edge in (block[0], block[-1], block[:, 0], block[:, -1]):
            assert (edge == colours[i, j]).all(), (i, j, kernel[i, j])
        assert (block != colours[i, j]).any(), (i, j)  # and the number is written


@pytest.mark.parametrize(
    "scale",
    [Scale.signed(1.234e-7, True), Scale.signed(12345.678, True), Scale.signed(-9999.5, True),
     Scale.unit(), Scale.signed(9.99e-11, True), Scale.signed(1e30, True), Scale.signed(0.514, True),
     Scale(-3e5, 1e-9, "gray")],
)  # fmt: skip
def test_colour_bar_labels_are_never_cut_off(scale: Scale) -> None:
    bar = np.asarray(render.colour_bar(160, scale).convert("L"))
    assert (bar[:, -2:] == 255).all()  # the last two columns stay blank: no label reaches the edge
    assert (bar[:, render.BAR_WIDTH + 3 :] < 128).any()  # labels are drawn


def test_saturation_marks_use_the_label_font() -> None:
    texts, size = render._tick_texts([(0.514, "≥"), (0.0, ""), (-0.514, "≤")], render.LABEL_WIDTH - 3)
    assert size == render.LABEL_SIZE
    assert texts[0] == render.printable("≥0.514") and texts[2] == render.printable("≤-0.514")


@pytest.mark.parametrize("height", [1, 2, 5, 64, 257, 513])
@pytest.mark.parametrize("scale", [Scale.signed(0.37), Scale(0.0, 12.0, style.SEQUENTIAL, True)])
def test_the_bar_runs_through_the_whole_scale_top_to_bottom(height: int, scale: Scale) -> None:
    """Row y of the bar is the scale's colour of the value at that height (high at the top, low at
    the bottom), within one LUT step; its ends are the scale's ends and 0 is the neutral middle."""
    bar = np.asarray(render.colour_bar(height, scale))[:, : render.BAR_WIDTH]  # (H, BAR, 3)
    assert (bar == bar[:, :1]).all()  # every row one colour across the bar
    table = style.lut(scale.colours)
    values = np.linspace(scale.high, scale.low, height)
    wanted = np.rint((values - scale.low) * (style.LUT_SIZE - 1) / (scale.high - scale.low)).astype(int)
    for colour, k in zip(bar[:, 0], wanted, strict=True):
        near = table[max(k - 1, 0) : k + 2]
        assert (near == colour).all(axis=1).any()
    assert (bar[0, 0] == table[-1]).all()
    assert (bar[-1, 0] == table[0 if height > 1 else -1]).all()
    if height % 2 and height > 1 and scale.low < 0 < scale.high:
        assert (bar[height // 2, 0] == table[(style.LUT_SIZE - 1) // 2]).all()  # white at 0


def test_a_short_bar_leaves_out_labels_that_would_overlap() -> None:
    ink_rows = (np.asarray(render.colour_bar(20, Scale.signed(1.0)).convert("L"))[:, 14:] < 128).any(axis=1)
    assert ink_rows[:12].any() and not ink_rows[16:].any()  # only the top label


# ---- dilated kernels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "dilation"), [(3, 2), (3, 4), (5, 3), (11, 4)])
def test_dilated_kernel_is_drawn_on_its_true_grid_with_holes(size: int, dilation: int) -> None:
    kernel = np.linspace(-1, 1, size * size, dtype=np.float32).reshape(size, size)
    scale = Scale.signed(1.0)
    image = render.kernel_tile(kernel, "k", scale, dilation=dilation)
    span = dilation * (size - 1) + 1
    grid, cell = cells(image, span)
    assert image.height - render.TITLE_HEIGHT == span * cell and cell >= 8
    assert image.width <= 420  # a sensible tile even for 11×11 at δ = 4 (41 cells a side)
    colours = render.colourise(kernel, scale)
    for i in range(span):
        for j in range(span):
            x, y = j * cell, i * cell
            if i % dilation == 0 and j % dilation == 0:  # a tap: framed, filled with its colour
                assert tuple(grid[y, x]) == render.FRAME
                assert tuple(grid[y + 2, x + 2]) == tuple(colours[i // dilation, j // dilation])
            else:  # a hole: white, with a grey dot in the middle
                assert tuple(grid[y + 1, x + 1]) == (255, 255, 255)
                assert tuple(grid[y + cell // 2, x + cell // 2]) == render.HOLE


def test_dilation_1_is_the_plain_kernel() -> None:
    kernel = np.eye(3, dtype=np.float32)
    plain = render.kernel_tile(kernel, "k", Scale.signed(1.0))
    same = render.kernel_tile(kernel, "k", Scale.signed(1.0), dilation=1)
    np.testing.assert_array_equal(np.asarray(plain), np.asarray(same))


# ---- fonts ----------------------------------------------------------------------------------------------


def test_the_font_draws_the_symbols_when_dejavu_is_installed() -> None:
    if not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists():
        pytest.skip("no DejaVu Sans on this machine")
    assert render.has_symbols()
    assert render.printable("R · 5×5 − 1") == "R · 5×5 − 1"


def test_without_dejavu_titles_fall_back_to_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    render.font.cache_clear()
    render.has_symbols.cache_clear()
    monkeypatch.setattr(render, "FONT_FILE", "no-such-font.ttf")
    try:
        assert not render.has_symbols()  # Pillow's built-in Aileron has no × or −
        assert render.printable("R · 5×5 − 1 ≥ 2") == "R: 5x5 - 1 >= 2"
        image = render.tile(np.zeros((16, 16)), "R · sobel 5×5", Scale.signed(1.0, True), zoom=10.0)
        assert image.mode == "RGB"
    finally:
        monkeypatch.undo()
        render.font.cache_clear()
        render.has_symbols.cache_clear()
        render.colour_bar.cache_clear()


def test_a_scale_from_zero_marks_saturation_only_at_its_top() -> None:
    """A never-negative map (a blur) drawn 0 → L: values above L saturate, none below 0 do, so the
    bottom label is the plain "0" whether or not the top is clipped."""
    clipped = np.asarray(render.colour_bar(120, render.Scale(0.0, 2.0, style.SEQUENTIAL, clipped=True)))
    plain = np.asarray(render.colour_bar(120, render.Scale(0.0, 2.0, style.SEQUENTIAL)))
    np.testing.assert_array_equal(clipped[-20:], plain[-20:])  # the bottom label: no "≤"
    assert not np.array_equal(clipped[:20], plain[:20])  # the top label: "≥2"


# ---- rows: several tiles as one image ------------------------------------------------------------------


def test_a_row_places_tiles_on_the_jpeg_grid_tops_aligned_and_pads_on_the_right() -> None:
    colours = [(200, 0, 0), (0, 150, 0), (0, 0, 220)]
    tiles = [
        Image.new("RGB", size, c) for size, c in zip([(50, 30), (21, 44), (50, 30)], colours, strict=True)
    ]
    offsets = render.row_offsets([t.width for t in tiles])
    assert offsets[0] == 0 and all(x % 8 == 0 for x in offsets)
    assert all(b - a >= w + render.ROW_GAP for a, b, w in zip(offsets, offsets[1:], [50, 21], strict=False))
    picture = np.asarray(render.row(tiles, width=400))
    assert picture.shape == (44, 400, 3)  # as tall as the tallest tile, padded to the width asked
    for tile, x, colour in zip(tiles, offsets, colours, strict=True):
        np.testing.assert_array_equal(
            picture[: tile.height, x : x + tile.width], np.broadcast_to(colour, (tile.height, tile.width, 3))
        )
    assert (picture[30:, offsets[0]] == 255).all()  # below a shorter tile: the canvas colour
    assert (picture[:, render.row_width([t.width for t in tiles]) :] == 255).all()  # the padding
    assert render.row(tiles).width == render.row_width([t.width for t in tiles])


def test_a_tile_on_a_row_keeps_its_pixels_through_a_second_jpeg_encoding() -> None:
    """Tiles are JPEG; a row decodes and encodes them again. On the 8 px grid the second encoding
    changes nothing a reader could see (no new blocks, the same quantisation)."""
    rng = np.random.default_rng(5)
    values = rng.normal(size=(96, 80)).astype(np.float32)
    tile = render.tile(values, "output 3", Scale.signed(1.5))
    once = Image.open(io.BytesIO(render.encode(tile))).convert("RGB")
    sheet = render.row([once, once, once], width=1000)
    twice = Image.open(io.BytesIO(render.encode(sheet))).convert("RGB")
    x = render.row_offsets([once.width] * 3)[1]
    again = np.asarray(twice)[: once.height, x : x + once.width].astype(int)
    assert np.abs(again - np.asarray(once).astype(int)).mean() < 1.0


@settings(max_examples=60, deadline=None)
@given(
    text=st.sampled_from(["output 3", "≥.035", "−1.00", "blur of gray", "16×16", "δ=2: 5×5", "Ay|…"]),
    size=st.sampled_from([6, 9, 11, 12, 14, 22]),
    anchor=st.sampled_from(["lm", "la", "ld", "mm", "rm", None]),
    fill=st.sampled_from(["black", "white", render.NOTE_INK]),
    x=st.integers(-8, 150),
    y=st.integers(-8, 50),
    seed=st.integers(0, 2**16),
)
def test_write_draws_what_imagedraw_text_draws(text, size, anchor, fill, x, y, seed) -> None:
    """The cached text stamp equals Pillow's own text drawing pixel for pixel, on any background and
    also where the text is cut by the picture's edge."""
    background = np.random.default_rng(seed).integers(0, 256, (60, 200, 3), dtype=np.uint8)
    by_pillow, by_stamp = Image.fromarray(background), Image.fromarray(background)
    ImageDraw.Draw(by_pillow).text((x, y), text, fill=fill, font=render.font(size), anchor=anchor)
    render.write(by_stamp, (x, y), text, size, fill, anchor)
    np.testing.assert_array_equal(np.asarray(by_stamp), np.asarray(by_pillow))
