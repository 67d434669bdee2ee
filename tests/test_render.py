"""dsviz.render and dsviz.style: colour mapping, robust limits, tile layout and encoding.

References are independent of dsviz: Plotly's own colour scale definition (the ColorBrewer RdBu stops),
NumPy percentiles, hand-computed block means, CIE L* computed here, and Pillow decoding the JPEG bytes.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
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
