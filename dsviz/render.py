"""Server-side colour mapping: a 2-D map → a titled image tile with its own colour bar.

Galleries of feature maps are sent to the browser as images, not heatmaps: 16 maps of 256² as Plotly
heatmap JSON are ~7 MB, as images a few hundred KB. Each tile carries the colour bar and its limits
drawn in, so a picture is never shown without its scale.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from dsviz.style import DIVERGING, LUT_SIZE, SEQUENTIAL, lut

BAR_WIDTH = 10  # px of the colour bar, beside the map
LABEL_WIDTH = 48  # px for the bar's tick labels
TITLE_HEIGHT = 20


@dataclass(frozen=True)
class Scale:
    """How values map to colours: ``[low, high]`` through a named colour scale."""

    low: float
    high: float
    colours: str
    clipped: bool = False  # values beyond [low, high] exist and are drawn at the end colours

    @classmethod
    def signed(cls, limit: float, clipped: bool = False) -> Scale:
        """Zero-centred diverging scale ``[−limit, limit]``."""
        return cls(-limit, limit, DIVERGING, clipped)

    @classmethod
    def unit(cls) -> Scale:
        """The photo's own range ``[0, 1]`` on a grey ramp."""
        return cls(0.0, 1.0, SEQUENTIAL)


def colourise(values: np.ndarray, scale: Scale) -> np.ndarray:
    """``(H, W)`` floats → ``(H, W, 3)`` uint8 through the scale's lookup table."""
    span = scale.high - scale.low or 1.0
    with np.errstate(over="ignore", invalid="ignore"):  # overflowed maps: handled just below
        index = (values - scale.low) * ((LUT_SIZE - 1) / span)
    np.nan_to_num(index, copy=False, nan=(LUT_SIZE - 1) / 2)  # NaN → middle; ±inf → clipped to the ends
    np.clip(index, 0, LUT_SIZE - 1, out=index)
    return lut(scale.colours)[np.rint(index).astype(np.intp)]  # rint: +v and −v mirror exactly


@cache
def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _label(value: float) -> str:
    return f"{value:.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.1e}"


def ascii_title(text: str) -> str:
    """Pillow's built-in font has no ×, · or − glyphs: write x, : and -."""
    return text.replace("×", "x").replace(" · ", ": ").replace("·", ":").replace("−", "-")


@lru_cache(maxsize=256)  # with a shared scale every tile of a stage has the same bar: draw it once
def colour_bar(height: int, scale: Scale) -> Image.Image:
    """A vertical bar (high at the top) with its top, middle and bottom values written beside it."""
    ramp = np.linspace(scale.high, scale.low, height)[:, None].repeat(BAR_WIDTH, axis=1)
    strip = Image.new("RGB", (BAR_WIDTH + LABEL_WIDTH, height), "white")
    strip.paste(Image.fromarray(colourise(ramp, scale)), (0, 0))
    draw = ImageDraw.Draw(strip)
    font = _font(11)
    middle = (scale.low + scale.high) / 2
    beyond = (">=", "<=") if scale.clipped else ("", "")  # ASCII: the built-in font has no ≥
    ticks = (
        (beyond[0] + _label(scale.high), 0, "la"),
        (_label(middle), height // 2, "lm"),
        (beyond[1] + _label(scale.low), height, "ld"),
    )
    for text, y, anchor in ticks:
        draw.text((BAR_WIDTH + 3, y), text, fill="black", font=font, anchor=anchor)
    return strip


def tile(values: np.ndarray, title: str, scale: Scale, *, bar: bool = True) -> Image.Image:
    """A map with its title above and (optionally) its colour bar to the right. values ``(H, W)``."""
    picture = Image.fromarray(colourise(values, scale))
    return titled(picture, title, colour_bar(picture.height, scale) if bar else None)


def titled(picture: Image.Image, title: str, bar: Image.Image | None = None) -> Image.Image:
    """Put ``title`` above ``picture`` and ``bar`` (if any) to its right."""
    extra = bar.width + 2 if bar is not None else 0
    canvas = Image.new("RGB", (picture.width + extra, picture.height + TITLE_HEIGHT), "white")
    canvas.paste(picture, (0, TITLE_HEIGHT))
    if bar is not None:
        canvas.paste(bar, (picture.width + 2, TITLE_HEIGHT))
    draw = ImageDraw.Draw(canvas)
    draw.text((2, TITLE_HEIGHT // 2), ascii_title(title), fill="black", font=_font(15), anchor="lm")
    return canvas


def photo(image: np.ndarray, title: str) -> Image.Image:
    """The colour (3, H, W) or grey (1, H, W) photo in [0, 1], titled."""
    pixels = np.clip(np.moveaxis(image, 0, -1) * 255 + 0.5, 0, 255).astype(np.uint8)
    return titled(Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels), title)


def encode(picture: Image.Image) -> bytes:
    """JPEG, quality 88, no chroma subsampling: ~4× smaller than PNG for these maps and encoded in
    under a millisecond (PNG takes ~15 ms per 256² tile), which is what keeps a slider move fast."""
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=88, subsampling=0)
    return buffer.getvalue()


def display_size(values: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink a ``(H, W)`` map by whole-block means until its longer side is ≤ ``max_side``.

    Block means, not every n-th pixel: skipping pixels would alias fine stripes into false patterns.
    """
    step = -(-max(values.shape) // max_side)
    if step <= 1:
        return values
    height, width = (values.shape[0] // step) * step, (values.shape[1] // step) * step
    blocks = values[:height, :width].reshape(height // step, step, width // step, step)
    return blocks.mean(axis=(1, 3))


def cell_text(value: float, decimals: int, whole: bool) -> str:
    """Short text for a kernel cell: ``-1`` for whole numbers, else ``.035`` / ``-.12`` (no leading 0)."""
    if whole:
        return str(int(value))
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        return "0"
    return text.replace("0.", ".", 1) if abs(value) < 1 else text


def kernel_tile(kernel: np.ndarray, title: str, scale: Scale, *, cell: int = 0) -> Image.Image:
    """A K×K kernel as coloured cells with its numbers written in, plus a colour bar."""
    size = kernel.shape[0]
    cell = cell or max(30, 132 // size)  # ≥ 30 px: room for a number like "-0.12" in every cell
    cells = colourise(kernel, scale).repeat(cell, axis=0).repeat(cell, axis=1)
    picture = Image.fromarray(cells)
    draw = ImageDraw.Draw(picture)
    font = _font(max(10, min(cell // 3, 18)))
    limit = max(abs(scale.low), abs(scale.high))
    whole = bool(np.all(kernel == np.round(kernel)))
    decimals = 2 if limit >= 0.5 else 3
    for (i, j), value in np.ndenumerate(kernel):
        ink = "white" if abs(value) > 0.6 * limit else "black"  # readable on dark cells
        centre = (j * cell + cell // 2, i * cell + cell // 2)
        draw.text(centre, cell_text(float(value), decimals, whole), fill=ink, font=font, anchor="mm")
    return titled(picture, title, colour_bar(picture.height, scale))
