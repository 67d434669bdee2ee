"""Small SVG drawings of a grouped convolution: which inputs feed which outputs, and its weight tensor.

SVG, not a raster or a Plotly figure: a few kilobytes, crisp on a projector, text the browser can
enlarge and read aloud (each drawing has a ``<title>``). Colours are Okabe & Ito's colour-blind-safe
palette, one per group, repeating after seven groups (neighbouring groups always differ).
"""

from __future__ import annotations

from html import escape

from dsviz.charts import FONT, svg
from dsviz.groups import connections as pairs
from dsviz.groups import group_of
from dsviz.words import count

GROUP_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#555555")
EMPTY = "#eeeeee"


def group_colour(group: int) -> str:
    return GROUP_COLOURS[group % len(GROUP_COLOURS)]


def connections(inputs: list[str], outputs: list[str], groups: int) -> str:
    """Inputs on the left, outputs on the right, a line for every pair in the same group."""
    m, c = len(inputs), len(outputs)
    row = 24.0
    height = max(m, c) * row + 30
    left, right, width = 150.0, 330.0, 460.0

    def y(index: int, count: int) -> float:  # spread each side over the same height
        return 30 + (index + 0.5) * (height - 30) / count

    body = [
        f'<text x="{left}" y="16" text-anchor="end" font-size="13" {FONT}>input channels ({m})</text>',
        f'<text x="{right}" y="16" font-size="13" {FONT}>outputs ({c})</text>',
    ]
    for i, j in pairs(m, c, groups):
        body.append(
            f'<line x1="{left + 6}" y1="{y(i, m):.1f}" x2="{right - 6}" y2="{y(j, c):.1f}" '
            f'stroke="{group_colour(group_of(j, c, groups))}" stroke-opacity="0.7" stroke-width="1.4"/>'
        )
    for side, names, x, anchor, dx in ((m, inputs, left, "end", -10), (c, outputs, right, "start", 10)):
        for index, name in enumerate(names):
            g = group_of(index, side, groups)
            cy = y(index, side)
            body.append(f'<circle cx="{x}" cy="{cy:.1f}" r="5" fill="{group_colour(g)}"/>')
            body.append(
                f'<text x="{x + dx}" y="{cy + 4:.1f}" text-anchor="{anchor}" font-size="12" {FONT}>'
                f"{escape(name)}</text>"
            )
    title = f"{count(groups, 'group')}: each of the {c} outputs sees {m // groups} of the {m} inputs"
    return svg(width, height, title, body, fluid=False)


def weight_tensor(m: int, c: int, groups: int, kernel_size: int) -> str:
    """The weight tensor ``(C, M/g, K, K)`` laid out as a C × M grid of K×K slices: a row is one
    output's filter; a filled square is a slice that exists (its group's colour), an empty one a pair
    of channels this layer never connects."""
    cell = max(6.0, min(36.0, 440.0 / max(m, c)))
    top, side = 34.0, 70.0
    width, height = max(side + m * cell + 10, 220), top + c * cell + 10
    body = [
        f'<text x="{side}" y="14" font-size="13" {FONT}>input channel →</text>',
        f'<text x="4" y="{top + 12}" font-size="13" {FONT}>output ↓</text>',
    ]
    for j in range(c):
        g = group_of(j, c, groups)
        for i in range(m):
            fill = group_colour(g) if group_of(i, m, groups) == g else EMPTY
            body.append(
                f'<rect x="{side + i * cell:.1f}" y="{top + j * cell:.1f}" width="{cell - 1:.1f}" '
                f'height="{cell - 1:.1f}" fill="{fill}"/>'
            )
    title = (
        f"weight tensor ({c}, {m // groups}, {kernel_size}, {kernel_size}): {c * (m // groups)} filled "
        f"{kernel_size}×{kernel_size} slices of the {c * m} a standard convolution has"
    )
    return svg(width, height, title, body, fluid=False)
