"""Small charts as SVG text: the pointwise weight matrix and the cost bars.

Why not Plotly here: these two charts sit on the Playground, whose first page would then load
Plotly's JavaScript (4.7 MB; a test page with one Plotly chart opened 1.6 s later than without, on
the 2-core machine) and redraw two charts on every rerun (benchmarks/browser_trace.py). An SVG is
a few kilobytes, crisp on a projector, and its text can be enlarged and read aloud: the chart has
a ``<title>`` and ``aria-label``, and every cell or bar segment a ``<title>`` that the browser
shows on hover, as Plotly's hover did — up to :data:`HOVER_CELLS_UP_TO` cells. A larger weight grid
(N = 64 outputs of 48 maps: 3,072 cells) has its cells as one image inside the SVG: a hover title per
cell made a 0.5 MB chart that Chromium parsed and built as ~6,000 elements on every pointwise rerun.

Colours: the weights use the app's zero-centred diverging scale (``dsviz.style.DIVERGING``, the
same lookup table as the map tiles) with a colour bar; the bars use Okabe & Ito's colour-blind-safe
part colours and are labelled, so colour never carries the meaning alone.
"""

from __future__ import annotations

import base64
import math
from html import escape

import numpy as np
from PIL import Image

from dsviz.render import Scale, colourise, png
from dsviz.style import DIVERGING, LUT_SIZE, lut, symmetric_limit

FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
CHAR = 0.6  # a character's width in ems, for laying out labels (DejaVu Sans averages ~0.55)
NUMBERS_UP_TO = 400  # write the values into the cells when there are at most this many…
NUMBER_ROWS_UP_TO = 24  # …and the rows are few enough for the cells to be tall
HOVER_CELLS_UP_TO = 1024  # a hover title per cell up to this many; beyond, the cells are one image
# Okabe & Ito: grey, orange and blue stay apart under deuteranopia and protanopia (tests/test_colourblind).
PART_COLOURS = {"standard conv": "#6b6b6b", "depthwise": "#E69F00", "pointwise": "#0072B2"}


def svg(width: float, height: float, title: str, body: list[str], *, fluid: bool = True) -> str:
    """An SVG titled for screen readers. ``fluid``: inline, it shrinks to its container's width
    (``viewBox``); else it has a fixed size (an image: ``dsviz.diagrams``)."""
    size = (
        f'style="width:100%;max-width:{width:.0f}px;height:auto"'
        if fluid
        else f'width="{width:.0f}" height="{height:.0f}"'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" {size} '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR


def hex_colour(rgb: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb))


def diverging_colours(values: np.ndarray, limit: float) -> list[str]:
    """Each value's colour on the diverging scale ``[−limit, limit]``, as the map tiles colour theirs
    (values beyond ±limit take the end colours)."""
    return [hex_colour(rgb) for rgb in colourise(values, Scale.signed(limit)).reshape(-1, 3)]


def ink_on(colour: str) -> str:
    """Black or white text, whichever reads on ``colour`` (by its luminance)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white"


def number(value: float) -> str:
    """``0.25``, ``-1.00`` with a true minus sign, as the cells print it."""
    return f"{value:.2f}".replace("-", "−")


def weights_grid(weights: np.ndarray, rows: list[str], columns: list[str], title: str) -> str:
    """An ``(N, C)`` matrix as a grid of cells on a zero-centred diverging scale, with a colour bar:
    one row per output (``rows``), one column per map it mixes (``columns``)."""
    n, c = weights.shape
    limit = symmetric_limit(weights)
    numbers = weights.size <= NUMBERS_UP_TO and n <= NUMBER_ROWS_UP_TO
    cell_w, cell_h = (46.0, 24.0) if numbers else (max(8.0, min(30.0, 720 / c)), max(6.0, min(22.0, 520 / n)))
    label_size = 12.0 if cell_h >= 14 else 9.0
    left = max(text_width(r, label_size) for r in rows) + 12
    below = min(max(text_width(col, label_size) for col in columns), 220) * 0.72 + 16  # labels at 45°
    top = 46.0  # the title, then the colour bar's name above the grid
    grid_w, grid_h = c * cell_w, n * cell_h
    bar_h = min(max(grid_h, 96.0), 240.0)  # tall enough for its three labels even at N = 1
    bar_x = left + grid_w + 18
    if bar_h > grid_h + 10:  # a bar taller than the grid reaches down to the column labels: beside them
        labels_end = left + (c - 0.5) * cell_w + (below - 16)  # the last 45° label's right end
        bar_x = max(bar_x, labels_end + 12)
    width = max(bar_x + 70, text_width(title, 14) + 16)
    height = max(top + grid_h + below, top + bar_h + 8)
    body = [f'<text x="4" y="18" font-size="14" font-weight="bold" {FONT}>{escape(title)}</text>']
    for i in range(n):
        body.append(
            f'<text x="{left - 6}" y="{top + (i + 0.5) * cell_h + label_size * 0.35:.1f}" text-anchor="end" '
            f'font-size="{label_size:g}" {FONT}>{escape(rows[i])}</text>'
        )
    if weights.size <= HOVER_CELLS_UP_TO:
        body += hover_cells(weights, limit, rows, columns, (left, top, cell_w, cell_h), numbers)
    else:
        body += cells_image(colourise(weights, Scale.signed(limit)), left, top, cell_w, cell_h)
    for j, name in enumerate(columns):
        x, y = left + (j + 0.5) * cell_w, top + grid_h + 10
        body.append(
            f'<text x="{x:.1f}" y="{y:.1f}" transform="rotate(45 {x:.1f} {y:.1f})" '
            f'font-size="{label_size:g}" {FONT}>{escape(name)}</text>'
        )
    body += colour_bar(bar_x, top, bar_h, limit, "weight")
    return svg(width, height, title, body)


def hover_cells(
    weights: np.ndarray,
    limit: float,
    rows: list[str],
    columns: list[str],
    at: tuple[float, float, float, float],
    numbers: bool,
) -> list[str]:
    """One ``<rect>`` per weight with its hover title (and its value written in, if ``numbers``),
    row by row; ``at``: the grid's left, top, and a cell's width and height."""
    left, top, cell_w, cell_h = at
    n, c = weights.shape
    colours = diverging_colours(weights, limit)
    body = []
    for i in range(n):
        y = top + i * cell_h
        for j in range(c):
            x, fill, value = left + j * cell_w, colours[i * c + j], float(weights[i, j])
            tip = f"{rows[i]} ← {columns[j]}: weight {value:.4f}"
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w - 1:.1f}" height="{cell_h - 1:.1f}" '
                f'fill="{fill}"><title>{escape(tip)}</title></rect>'
            )
            if numbers:
                body.append(
                    f'<text x="{x + cell_w / 2 - 0.5:.1f}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="middle" '
                    f'font-size="11" fill="{ink_on(fill)}" {FONT}>{number(value)}</text>'
                )
    return body


def cells_image(rgb: np.ndarray, x: float, y: float, cell_w: float, cell_h: float) -> list[str]:
    """An ``(N, C, 3)`` grid of cell colours as one image at (x, y): one PNG pixel per cell, drawn
    without smoothing to ``cell_w`` × ``cell_h`` each, then a white line right of and below every
    cell: the same cells and 1-unit gaps as the hover cells, in two elements instead of 2 N C."""
    n, c = rgb.shape[:2]
    encoded = base64.b64encode(png(Image.fromarray(np.ascontiguousarray(rgb)))).decode()
    right, bottom = x + c * cell_w, y + n * cell_h
    gaps = [f"M{x + j * cell_w - 0.5:.1f} {y:.1f}V{bottom:.1f}" for j in range(1, c + 1)]
    gaps += [f"M{x:.1f} {y + i * cell_h - 0.5:.1f}H{right:.1f}" for i in range(1, n + 1)]
    return [
        f'<image x="{x:.1f}" y="{y:.1f}" width="{c * cell_w:.1f}" height="{n * cell_h:.1f}" '
        f'preserveAspectRatio="none" style="image-rendering:pixelated" '
        f'href="data:image/png;base64,{encoded}"/>',
        f'<path d="{"".join(gaps)}" stroke="white" stroke-width="1"/>',
    ]


def colour_bar(x: float, y: float, height: float, limit: float, name: str) -> list[str]:
    """A vertical bar from +limit (top) through 0 to −limit (bottom), its ends and 0 labelled."""
    table = lut(DIVERGING)
    stops = "".join(
        f'<stop offset="{k / 8:.3f}" stop-color="{hex_colour(table[round((1 - k / 8) * (LUT_SIZE - 1))])}"/>'
        for k in range(9)
    )
    ticks = ((0.0, number(limit)), (0.5, "0"), (1.0, number(-limit)))
    return [
        f'<defs><linearGradient id="wbar" x1="0" y1="0" x2="0" y2="1">{stops}</linearGradient></defs>',
        f'<text x="{x}" y="{y - 6}" font-size="11" {FONT}>{escape(name)}</text>',
        f'<rect x="{x}" y="{y}" width="12" height="{height:.1f}" fill="url(#wbar)" stroke="#999"/>',
        *(
            f'<text x="{x + 16}" y="{y + at * height + 4:.1f}" font-size="11" {FONT}>{label}</text>'
            for at, label in ticks
        ),
    ]


def nice_ticks(high: float, most: int = 6) -> list[float]:
    """0 and round steps (1, 2 or 5 × 10^k) up to at least ``high``: at most ``most`` + 1 ticks."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    return [k * step for k in range(math.ceil(high / step - 1e-9) + 1)]


def si(value: float) -> str:
    """``2000000`` → ``2M``, ``500`` → ``500``."""
    for size, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def cost_bars(stages: dict[str, dict[str, int]], unit: str) -> str:
    """Horizontal stacked bars on one linear axis from 0: ``{"standard": {"standard conv": n},
    "separable": {"depthwise": a, "pointwise": b}}``. Each bar ends with its total; a part is named
    inside its segment where the name fits, and in the legend and its hover text always."""
    totals = {bar: sum(parts.values()) for bar, parts in stages.items()}
    ticks = nice_ticks(max(totals.values()))
    left, axis_w, bar_h, gap, top = 90.0, 560.0, 30.0, 14.0, 8.0
    scale = axis_w / ticks[-1]
    plot_h = len(stages) * (bar_h + gap)
    body = []
    for k, (bar, parts) in enumerate(stages.items()):
        y, x = top + k * (bar_h + gap), left
        body.append(
            f'<text x="{left - 8}" y="{y + bar_h / 2 + 4:.1f}" text-anchor="end" font-size="13" {FONT}>'
            f"{escape(bar)}</text>"
        )
        for part, value in parts.items():
            w, colour = value * scale, PART_COLOURS.get(part, "#999999")
            tip = f"{bar} · {part}: {value:,} {unit}"
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.2f}" height="{bar_h}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            label = f"{part}: {value:,}"
            if text_width(label, 11) + 8 <= w:
                body.append(
                    f'<text x="{x + 4:.1f}" y="{y + bar_h / 2 + 4:.1f}" font-size="11" '
                    f'fill="{ink_on(colour)}" {FONT}>{escape(label)}</text>'
                )
            x += w
        body.append(
            f'<text x="{x + 6:.1f}" y="{y + bar_h / 2 + 4:.1f}" font-size="12" {FONT}>{totals[bar]:,}</text>'
        )
    axis_y = top + plot_h
    body.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + axis_w}" y2="{axis_y}" stroke="#444"/>')
    for t in ticks:
        x = left + t * scale
        body.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#444"/>')
        body.append(
            f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="11" {FONT}>{si(t)}</text>'
        )
    body.append(
        f'<text x="{left + axis_w / 2}" y="{axis_y + 32}" text-anchor="middle" font-size="12" {FONT}>'
        f"{escape(unit)}</text>"
    )
    x = left
    for part in dict.fromkeys(p for parts in stages.values() for p in parts):  # the stack's order
        colour = PART_COLOURS.get(part, "#999999")
        body.append(f'<rect x="{x}" y="{axis_y + 42}" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{x + 16}" y="{axis_y + 52}" font-size="12" {FONT}>{escape(part)}</text>')
        x += 16 + text_width(part, 12) + 18
    words = "; ".join(f"{bar} {total:,} {unit}" for bar, total in totals.items())
    return svg(left + axis_w + 120, axis_y + 62, f"Cost bars: {words}", body)
