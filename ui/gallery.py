"""Rows of tiles: a gallery of maps, and the channel → kernel → map rows of the depthwise stage."""

from __future__ import annotations

import functools
import io

import streamlit as st
from PIL import Image


def gallery(tiles: list[bytes], per_row: int) -> None:
    """Tiles in rows of ``per_row`` (every tile carries its own title and colour bar)."""
    for start in range(0, len(tiles), per_row):
        cols = st.columns(per_row)
        for col, tile in zip(cols, tiles[start : start + per_row], strict=False):
            col.image(tile, width="stretch")


SATURATION = (
    "Colour bars: a map with negative values is drawn white at 0, red positive, blue negative; a map "
    "that is never negative runs from black at 0 to white. A bar reading ≥ L / ≤ −L saturates the "
    "strongest 0.5 % of the values, so one bright edge does not wash out every other detail."
)


def channel_rows(inputs: list[bytes], kernels: list[bytes], maps: list[bytes], d: int) -> None:
    """One row per input channel: the channel, then each of its d kernels and the map it makes."""
    st.caption("Each row: an input channel, then its kernel(s) and the depthwise map(s) they make.")
    # Columns as wide as the tiles are in pixels: the browser then scales every tile alike, so the
    # kernels' and the maps' titles and bar labels read at one size.
    widths = [_width(inputs[0])] + [_width(kernels[0]), _width(maps[0])] * d
    for channel, tile in enumerate(inputs):
        cols = st.columns(widths)
        cols[0].image(tile, width="stretch")
        for r in range(d):
            j = channel * d + r
            cols[1 + 2 * r].image(kernels[j], width="stretch")
            cols[2 + 2 * r].image(maps[j], width="stretch")


@functools.lru_cache(maxsize=512)  # tiles are the cache's immutable bytes; a bytes object keeps its hash
def _width(tile: bytes) -> int:
    """The encoded image's width in pixels (read from its header)."""
    return Image.open(io.BytesIO(tile)).width
