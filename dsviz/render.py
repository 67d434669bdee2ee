"""Server-side colour mapping: a 2-D map → a titled image tile with its own colour bar.

Galleries of feature maps are sent to the browser as images, not heatmaps: 16 maps of 256² as Plotly
heatmap JSON are ~7 MB, as images a few hundred KB. Each tile carries the colour bar and its limits
drawn in, so a picture is never shown without its scale.

Sizes: the browser scales every image to its column's width, so tiles that should read alike must
be equally wide in pixels. One ``zoom`` (display pixels per input pixel, from :func:`zoom_for`) is
used for every map of a view, and each map is centred on a canvas of the input's displayed size
(:func:`canvas_for`): at stride 2 the output is drawn half as large, inside a tile as wide as the rest.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import simplejpeg
from PIL import Image, ImageDraw, ImageFont

from dsviz.style import DIVERGING, LUT_SIZE, SEQUENTIAL, lut

BAR_WIDTH = 10  # px of the colour bar, beside the map
LABEL_WIDTH = 56  # px for the bar's tick labels: fixed, so every tile of a stage is equally wide
GAP = 2  # px between the map and its colour bar
TITLE_HEIGHT = 20
TITLE_SIZE, NOTE_SIZE, LABEL_SIZE = 14, 12, 11  # font sizes, px
FONT_FILE = "DejaVuSans.ttf"  # has × · − ≥ ≤ δ; Pillow finds it in the system font folders
CANVAS = "white"
FRAME = (150, 150, 150)  # around a map smaller than its canvas, and around dilated kernel taps
HOLE = (190, 190, 190)  # the dot at a position a dilated kernel skips
NOTE_INK = (90, 90, 90)  # the map's W×H, at the right of its title

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


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
        index = np.subtract(values, scale.low)  # a new array, in the values' float type
        index *= (LUT_SIZE - 1) / span
    np.clip(index, 0, LUT_SIZE - 1, out=index)  # ±inf → the ends; NaN stays NaN
    np.rint(index, out=index)  # rint: +v and −v mirror exactly
    nan = np.isnan(index)
    if nan.any():
        index[nan] = (LUT_SIZE - 1) / 2  # NaN → the middle colour
    return lut(scale.colours).take(index.astype(np.intp), axis=0)  # (H, W, 3)


# --- Fonts and text ---


@cache
def font(size: int) -> Font:
    """DejaVu Sans at ``size`` px when the system has it, else Pillow's built-in scalable font."""
    try:
        return ImageFont.truetype(FONT_FILE, size)
    except OSError:
        return ImageFont.load_default(size=size)


@cache
def has_symbols() -> bool:
    """Whether :func:`font` draws × · − ≥ ≤ δ … (Pillow's built-in Aileron lacks all but ·)."""
    probe = font(TITLE_SIZE)
    missing = np.asarray(probe.getmask("\ue000"))  # a private-use code point: the "no glyph" box
    return not any(np.array_equal(np.asarray(probe.getmask(c)), missing) for c in "×·−≥≤δ…")


def ascii_title(text: str) -> str:
    """For a font without ×, ·, −, ≥, ≤, δ or …: write x, :, -, >=, <=, d and ..."""
    for symbol, plain in (("×", "x"), (" · ", ": "), ("·", ":"), ("−", "-"), ("≥", ">="), ("≤", "<=")):
        text = text.replace(symbol, plain)
    return text.replace("δ", "d").replace("…", "...")


def printable(text: str) -> str:
    """``text`` as the loaded font can draw it."""
    return text if has_symbols() else ascii_title(text)


def compact(value: float, digits: int = 3, *, zero: bool = False) -> str:
    """A number in few characters: ``digits`` significant digits, short exponents, and no 0 before
    the point unless ``zero``: ``-1``, ``.035``, ``12.3``, ``1.23e4``, ``-1e4`` (−9999.5), ``1e-7``.
    """
    if not math.isfinite(value):
        return str(value)  # nan, inf, -inf
    text = f"{value:.{digits}g}"
    if float(text) == 0:
        return "0"  # also "-0"
    mantissa, _, exponent = text.partition("e")
    if not zero and mantissa.lstrip("-").startswith("0."):
        mantissa = mantissa.replace("0.", ".", 1)
    return mantissa + (f"e{int(exponent)}" if exponent else "")


@lru_cache(maxsize=8192)
def text_width(text: str, size: int) -> float:
    """Width (px) of ``text`` in :func:`font` at ``size`` px. Cached: a page draws the same titles,
    notes and numbers again and again, and FreeType measures each in tens of microseconds."""
    return font(size).getlength(text)


@lru_cache(maxsize=8192)
def _glyphs(text: str, size: int, anchor: str | None) -> tuple[Image.Image, int, int]:
    """``text`` rendered once as a coverage mask ("L", 255 = ink) and where its top-left corner lies
    relative to the anchor point: ``(mask, left, top)``."""
    left, top, right, bottom = font(size).getbbox(text, anchor=anchor)
    mask = Image.new("L", (max(right - left, 1), max(bottom - top, 1)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, fill=255, font=font(size), anchor=anchor)
    return mask, left, top


Ink = str | tuple[int, int, int]  # a colour name or RGB


def write(
    picture: Image.Image, xy: tuple[int, int], text: str, size: int, fill: Ink, anchor: str | None = None
) -> None:
    """``ImageDraw.text(xy, text, fill, font(size), anchor)``, pixel for pixel (both blend ``fill``
    through the same coverage mask), with the text rendered once per (text, size, anchor): tiles
    repeat their titles, notes and colour-bar numbers, and rendering was ~10 % of a classroom's
    server time (py-spy). ``xy`` is whole pixels, as every caller here gives."""
    mask, left, top = _glyphs(text, size, anchor)
    picture.paste(fill, (xy[0] + left, xy[1] + top), mask)


def _fit(text: str, size: int, width: float) -> str:
    """``text`` as the font draws it at ``size`` px, cut short with "…" if longer than ``width`` px."""
    text, dots = printable(text), printable("…")
    if text_width(text, size) <= width:
        return text
    for end in range(len(text) - 1, 0, -1):
        if text_width(short := text[:end].rstrip() + dots, size) <= width:
            return short
    return ""


# --- Sizes: one zoom for every map of a view ---


def zoom_for(height: int, width: int, box: int = 320, least: int = 160) -> float:
    """Display pixels per input pixel for an input of ``height × width``.

    ``1/step`` (whole-block means) when the longer side exceeds ``box``; a whole factor ``n`` (pixels
    drawn as n×n squares) when it is under ``least``, so a 16×16 input is drawn 160 px; else 1.
    """
    side = max(height, width)
    if side > box:
        return 1 / math.ceil(side / box)
    if side < least:
        return float(max(1, min(math.ceil(least / side), box // side)))
    return 1.0


def _steps(zoom: float) -> tuple[int, int]:
    """``zoom`` → (shrink step, enlarge factor), one of them 1: zooms are 1/n or n."""
    if not (math.isfinite(zoom) and zoom > 0):
        raise ValueError(f"zoom must be a positive number (got {zoom})")
    return (max(1, round(1 / zoom)), 1) if zoom < 1 else (1, max(1, round(zoom)))


def canvas_for(height: int, width: int, zoom: float) -> tuple[int, int]:
    """``(width, height)`` (Pillow order) of a ``height × width`` map drawn at ``zoom``."""
    step, factor = _steps(zoom)
    return -(-width // step) * factor, -(-height // step) * factor


def block_mean(values: np.ndarray, step: int) -> np.ndarray:
    """``(H, W, …)`` → ``(⌈H/step⌉, ⌈W/step⌉, …)``: the mean of each step×step block (edge blocks
    are partial). Means, not every n-th pixel: skipping pixels would alias fine stripes."""
    if step <= 1:
        return values
    height, width, rest = values.shape[0], values.shape[1], values.shape[2:]
    rows, cols = -(-height // step), -(-width // step)
    padded = values.astype(np.result_type(values.dtype, np.float32), copy=False)
    if (rows * step, cols * step) != (height, width):  # zeros beyond the edge add nothing to a sum
        padded = np.zeros((rows * step, cols * step, *rest), padded.dtype)
        padded[:height, :width] = values
    # Whole-array adds of strided slices, not .sum(axis): NumPy sums a short axis element by element
    # (~6× slower at step 4). Same order of additions, so the same floats for steps under 8.
    by_rows = padded.reshape(rows, step, cols * step, *rest)
    across = by_rows[:, 0].copy()  # (rows, W', …)
    for i in range(1, step):
        across += by_rows[:, i]
    by_cols = across.reshape(rows, cols, step, *rest)
    sums = by_cols[:, :, 0].copy()  # (rows, cols, …)
    for j in range(1, step):
        sums += by_cols[:, :, j]
    row_n = np.minimum(step, height - np.arange(rows) * step)  # pixels in each block row: step or fewer
    col_n = np.minimum(step, width - np.arange(cols) * step)
    counts = np.outer(row_n, col_n).reshape(rows, cols, *(1 for _ in rest))
    return (sums / counts).astype(sums.dtype)


def display_size(values: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink a ``(H, W)`` map by whole-block means until its longer side is ≤ ``max_side``."""
    return block_mean(values, -(-max(values.shape) // max_side))


def _zoomed(pixels: np.ndarray, factor: int) -> np.ndarray:
    """``(H, W, 3)`` → ``(H·f, W·f, 3)``: each pixel an f×f square (nearest neighbour)."""
    return pixels if factor == 1 else pixels.repeat(factor, axis=0).repeat(factor, axis=1)


def _on_canvas(picture: Image.Image, canvas: tuple[int, int] | None) -> Image.Image:
    """``picture`` centred on a white ``canvas`` (W, H), framed in grey when smaller; never cropped."""
    if canvas is None or picture.size == canvas:
        return picture
    width, height = max(canvas[0], picture.width), max(canvas[1], picture.height)
    board = Image.new("RGB", (width, height), CANVAS)
    left, top = (width - picture.width) // 2, (height - picture.height) // 2
    board.paste(picture, (left, top))
    if left and top:  # room for a 1 px frame: the map's edge shows even where its values are 0
        box = (left - 1, top - 1, left + picture.width, top + picture.height)
        ImageDraw.Draw(board).rectangle(box, outline=FRAME)
    return board


# --- Colour bars and titles ---


def _tick_texts(ticks: list[tuple[float, str]], width: int) -> tuple[list[str], int]:
    """Bar labels (value, prefix) that all fit ``width`` px, written alike, and their font size: the
    most digits that fit (3 with a leading 0, 3, 2, 1), and a smaller font only as a last resort."""
    for digits, zero in ((3, True), (3, False), (2, False), (1, False)):
        texts = [printable(prefix + compact(value, digits, zero=zero)) for value, prefix in ticks]
        if max(text_width(t, LABEL_SIZE) for t in texts) <= width:
            return texts, LABEL_SIZE
    size = LABEL_SIZE
    while size > 6 and max(text_width(t, size) for t in texts) > width:
        size -= 1
    return texts, size


@lru_cache(maxsize=64)
def _ramp(height: int, colours: str) -> Image.Image:
    """The bar itself, ``(height, BAR_WIDTH)``: the whole colour scale from its top (LUT end) to its
    bottom, evenly. The same for every scale of these colours, so drawn once per height, not once
    per map (a map on its own scale has a bar of its own: the labels differ, the ramp does not)."""
    index = np.rint(np.linspace(LUT_SIZE - 1, 0, height)).astype(np.intp)  # (H,)
    return Image.fromarray(np.ascontiguousarray(np.repeat(lut(colours)[index][:, None], BAR_WIDTH, axis=1)))


@lru_cache(maxsize=256)  # with a shared scale every tile of a stage has the same bar: draw it once
def colour_bar(height: int, scale: Scale) -> Image.Image:
    """A vertical bar (high at the top) with its top, middle and bottom values written beside it.

    A saturated scale (``clipped``) reads "≥ top" and "≤ bottom". Labels that would overlap on a
    short bar are left out, middle first.
    """
    strip = Image.new("RGB", (BAR_WIDTH + LABEL_WIDTH, height), "white")
    strip.paste(_ramp(height, scale.colours), (0, 0))
    above = "≥" if scale.clipped else ""
    below = "≤" if scale.clipped and scale.low < 0 else ""  # a scale from 0 saturates only at its top
    line = LABEL_SIZE + 3
    ticks = [(scale.high, above, 0, "la"), (scale.low, below, height, "ld")]  # (value, prefix, y, anchor)
    if height >= 3 * line:
        ticks.insert(1, ((scale.low + scale.high) / 2, "", height // 2, "lm"))
    ticks = ticks if height >= 2 * line else ticks[:1]
    texts, size = _tick_texts([(value, prefix) for value, prefix, _, _ in ticks], LABEL_WIDTH - 3)
    for (_, _, y, anchor), text in zip(ticks, texts, strict=True):
        write(strip, (BAR_WIDTH + 3, y), text, size, "black", anchor)
    return strip


def titled(
    picture: Image.Image, title: str, bar: Image.Image | None = None, *, note: str = ""
) -> Image.Image:
    """Put ``title`` above ``picture``, ``note`` (grey, e.g. "128×128") at the title's right end and
    ``bar`` (if any) to the picture's right. A title too long for the tile is cut with "…"."""
    extra = bar.width + GAP if bar is not None else 0
    canvas = Image.new("RGB", (picture.width + extra, picture.height + TITLE_HEIGHT), "white")
    canvas.paste(picture, (0, TITLE_HEIGHT))
    if bar is not None:
        canvas.paste(bar, (picture.width + GAP, TITLE_HEIGHT))
    note_text = _fit(note, NOTE_SIZE, canvas.width // 2)
    room = canvas.width - 4 - (text_width(note_text, NOTE_SIZE) + 8 if note else 0)
    write(canvas, (2, TITLE_HEIGHT // 2), _fit(title, TITLE_SIZE, int(room)), TITLE_SIZE, "black", "lm")
    if note:
        write(canvas, (canvas.width - 2, TITLE_HEIGHT // 2), note_text, NOTE_SIZE, NOTE_INK, "rm")
    return canvas


# --- Tiles ---


def tile(
    values: np.ndarray,
    title: str,
    scale: Scale,
    *,
    zoom: float = 1.0,
    canvas: tuple[int, int] | None = None,
    size_note: bool = True,
    bar: bool = True,
) -> Image.Image:
    """A ``(H, W)`` map drawn at ``zoom``, centred on a white ``canvas`` (W, H: the input's displayed
    size, from :func:`canvas_for`), its title above, its W×H written at the right of the title (when
    ``size_note``) and its colour bar, as tall as the canvas, to the right."""
    step, factor = _steps(zoom)
    pixels = _zoomed(colourise(block_mean(values, step), scale), factor)  # (H', W', 3)
    picture = _on_canvas(Image.fromarray(pixels), canvas)
    note = f"{values.shape[1]}×{values.shape[0]}" if size_note else ""
    return titled(picture, title, colour_bar(picture.height, scale) if bar else None, note=note)


def photo(image: np.ndarray, title: str, *, zoom: float = 1.0, size_note: bool = False) -> Image.Image:
    """The colour ``(3, H, W)`` or grey ``(1, H, W)`` photo in [0, 1] at ``zoom``, titled."""
    step, factor = _steps(zoom)
    small = block_mean(np.moveaxis(image, 0, -1), step)  # (H', W', C)
    pixels = _zoomed(np.clip(small * 255 + 0.5, 0, 255).astype(np.uint8), factor)
    picture = Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    return titled(picture, title, note=f"{image.shape[2]}×{image.shape[1]}" if size_note else "")


def encode(picture: Image.Image) -> bytes:
    """JPEG, quality 88, no chroma subsampling: ~4× smaller than PNG for these maps and encoded in
    under a millisecond (PNG takes ~15 ms per 256² tile), which is what keeps a slider move fast.

    libjpeg-turbo through simplejpeg, not Pillow's encoder: it lets go of Python's GIL while it
    works, so on a 2-core server one session's encoding runs beside another's Python. (Pillow holds
    the GIL: JPEG encoding was 18 % of the GIL's time with 20 students, benchmarks/classroom.py. A
    1612×340 row: 5.4 → 4.5 ms; two threads encoding at once took 1.94× one thread's time with
    Pillow, 1.29× with simplejpeg. Same size and quality: 169 kB, PSNR 38.9 / 38.8 dB.)"""
    if picture.mode == "L":
        pixels = np.asarray(picture)[..., None]  # (H, W, 1)
        return simplejpeg.encode_jpeg(pixels, quality=88, colorspace="GRAY", colorsubsampling="Gray")
    pixels = np.asarray(picture if picture.mode == "RGB" else picture.convert("RGB"))  # (H, W, 3)
    return simplejpeg.encode_jpeg(pixels, quality=88, colorspace="RGB", colorsubsampling="444")


def decode(data: bytes) -> Image.Image:
    r"""An :func:`encode`\ d picture's RGB pixels, decoded without holding the GIL."""
    return Image.fromarray(simplejpeg.decode_jpeg(data, colorspace="RGB"))  # (H, W, 3)


def encoded_size(data: bytes) -> tuple[int, int]:
    r"""(width, height) of an :func:`encode`\ d picture, from its header alone."""
    height, width, _, _ = simplejpeg.decode_jpeg_header(data)
    return width, height


# --- Kernels ---


def kernel_cell(span: int) -> int:
    """Cell size (px) for a kernel drawn on a ``span × span`` grid: 40 px up to 8 cells (room for
    ".00285" at a readable size: a 7×7 Gaussian or Laplacian has such numbers), then smaller so the
    grid stays ~330 px (a dilated 11×11 at δ = 4 spans 41 cells)."""
    return 40 if span <= 8 else max(8, 330 // span)


def _cell_texts(kernel: np.ndarray, cell: int) -> tuple[list[str], int] | None:
    """The kernel's numbers and one font size that fits each in a cell, or None when no readable one
    does."""
    start = max(10, min(cell // 3, 18))
    for digits in (3, 2, 1):
        texts = [compact(float(v), digits) for v in kernel.ravel()]
        widest = sorted(set(texts), key=lambda t: text_width(t, start))[-3:]  # the rest are narrower
        for size in range(start, 6, -1):
            if size <= cell - 2 and max(text_width(t, size) for t in widest) <= cell - 4:
                return texts, size
    return None


def kernel_tile(
    kernel: np.ndarray, title: str, scale: Scale, *, cell: int = 0, dilation: int = 1
) -> Image.Image:
    """A K×K kernel as coloured cells with its numbers written in, plus a colour bar.

    With ``dilation`` δ > 1 it is drawn on its true ``δ·(K−1)+1`` grid: the K² taps coloured, framed
    and numbered, the positions it skips left white with a grey dot. Numbers are left out only when
    cells are too small to hold them readably (the colours and the bar still give the values).
    """
    size, step = kernel.shape[0], max(1, int(dilation))
    span = step * (size - 1) + 1
    cell = cell or kernel_cell(span)
    colours = colourise(kernel, scale)  # (K, K, 3)
    grid = np.full((span, span, 3), 255, np.uint8)
    grid[::step, ::step] = colours  # (span, span, 3): taps in place, holes white
    picture = Image.fromarray(_zoomed(grid, cell))
    if step > 1:
        _draw_holes(ImageDraw.Draw(picture), span, step, cell)
    _draw_numbers(picture, kernel, scale, cell, step)
    note = printable(f"δ={step}: {span}×{span}") if step > 1 else ""
    return titled(picture, title, colour_bar(picture.height, scale), note=note)


def _draw_holes(draw: ImageDraw.ImageDraw, span: int, step: int, cell: int) -> None:
    """Grey dots where a dilated kernel has no weight, and a frame around each tap."""
    radius = max(1, cell // 10)
    for i in range(span):
        for j in range(span):
            x, y = j * cell, i * cell
            if i % step or j % step:
                cx, cy = x + cell // 2, y + cell // 2
                draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=HOLE)
            else:
                draw.rectangle((x, y, x + cell - 1, y + cell - 1), outline=FRAME)


def _draw_numbers(picture: Image.Image, kernel: np.ndarray, scale: Scale, cell: int, step: int) -> None:
    """Each weight written in its cell, white on dark colours; one font size for the whole kernel."""
    fitted = _cell_texts(kernel, cell)
    if fitted is None:
        return
    texts, size = fitted
    limit = max(abs(scale.low), abs(scale.high))
    for ((i, j), value), text in zip(np.ndenumerate(kernel), texts, strict=True):
        ink = "white" if abs(value) > 0.6 * limit else "black"  # readable on dark cells
        centre = (j * step * cell + cell // 2, i * step * cell + cell // 2)
        write(picture, centre, text, size, ink, "mm")


# --- Rows: several tiles as one image ---

ROW_GAP = 16  # px between the tiles of a row (about Streamlit's column gap at a laptop's width)
JPEG_BLOCK = 8  # JPEG codes 8×8 blocks: tiles placed on that grid re-encode almost unchanged


def row_offsets(widths: list[int], gap: int = ROW_GAP) -> list[int]:
    """The left edge of each tile of a row: ``gap`` px apart, each on the JPEG block grid (so a tile
    decoded from JPEG and encoded again in the row keeps its 8×8 blocks: no visible second loss)."""
    offsets, x = [], 0
    for width in widths:
        offsets.append(x)
        x = -(-(x + width + gap) // JPEG_BLOCK) * JPEG_BLOCK
    return offsets


def row_width(widths: list[int], gap: int = ROW_GAP) -> int:
    """Width (px) of a row of tiles of these widths, as :func:`row` places them."""
    return row_offsets(widths, gap)[-1] + widths[-1] if widths else 0


def row(pictures: list[Image.Image], width: int = 0, gap: int = ROW_GAP) -> Image.Image:
    """``pictures`` side by side, tops aligned, on the canvas colour, at least ``width`` px wide (a
    last, shorter row of a gallery padded on the right, so every row of a stage scales alike)."""
    offsets = row_offsets([p.width for p in pictures], gap)
    full = max(width, row_width([p.width for p in pictures], gap))
    board = Image.new("RGB", (full, max(p.height for p in pictures)), CANVAS)
    for picture, x in zip(pictures, offsets, strict=True):
        board.paste(picture if picture.mode == "RGB" else picture.convert("RGB"), (x, 0))  # no copy if RGB
    return board


# --- Sheets ---

SHEET_MARGIN = 16
HEADING_SIZE = 22


def sheet(sections: list[tuple[str, list[Image.Image]]], title: str, per_row: int = 4) -> Image.Image:
    """One picture of a whole view, to download: ``title`` on top, then each section's heading and
    its tiles in rows of ``per_row`` (tiles keep their own titles and colour bars)."""
    width = max(
        (SHEET_MARGIN + sum(t.width + SHEET_MARGIN for t in tiles[i : i + per_row]))
        for _, tiles in sections
        for i in range(0, len(tiles), per_row)
    )
    heading = HEADING_SIZE + SHEET_MARGIN
    height = heading + SHEET_MARGIN
    for _, tiles in sections:
        rows = [tiles[i : i + per_row] for i in range(0, len(tiles), per_row)]
        height += heading + sum(max(t.height for t in row) + SHEET_MARGIN for row in rows)
    canvas = Image.new("RGB", (max(width, 400), height), "white")
    draw = ImageDraw.Draw(canvas)
    draw.text((SHEET_MARGIN, SHEET_MARGIN), title, fill="black", font=font(HEADING_SIZE))
    y = heading + SHEET_MARGIN
    for name, tiles in sections:
        draw.text((SHEET_MARGIN, y), name, fill=(60, 60, 60), font=font(HEADING_SIZE - 4))
        y += heading
        for i in range(0, len(tiles), per_row):
            x = SHEET_MARGIN
            row = tiles[i : i + per_row]
            for t in row:
                canvas.paste(t, (x, y))
                x += t.width + SHEET_MARGIN
            y += max(t.height for t in row) + SHEET_MARGIN
    return canvas


def png(picture: Image.Image) -> bytes:
    """PNG: lossless, for a download (on screen, tiles are JPEG: see :func:`encode`)."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
