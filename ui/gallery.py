"""Rows of tiles: a gallery of maps, and the channel → kernel → map rows of the depthwise stage.

Each row is one image, composed on the server (:func:`dsviz.render.row`): a browser draws a page of
160 maps as ~40 images instead of 160, and Streamlit handles and serves each image once. Every tile
keeps its own title and colour bar; each row image says in its alt text what it shows. All rows of
a stage are equally wide in pixels (a last, shorter row is padded with the canvas colour), so the
browser scales them alike and their text reads at one size. Composed rows are cached in the tiles'
byte-bounded cache, keyed by the plain values that named the tiles (:class:`ui.stages.Tiles`), so a
rerun that draws the same tiles composes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import streamlit as st
from PIL import Image
from streamlit.errors import StreamlitAPIException

from dsviz import render
from ui import stages, style

Row = tuple[bytes, str]  # (the encoded row image, its alt text)
# Streamlit shrinks (bilinear, and encodes again) every image wider than this, on every run: a row is
# made at most this wide here, once, by area means (no aliasing). (A page column is narrower still: the
# browser shrinks it further, as it shrank each tile in a column before.)
MAX_WIDTH = 1460


def gallery(tiles: list[bytes], per_row: int, name: str = "") -> None:
    """Tiles in rows of ``per_row``, one image per row (every tile carries its own title and colour
    bar); as wide as ``per_row`` tiles even when the last row, or the only one, has fewer. ``name``
    (e.g. "worked kernels") says what the tiles are in each row's alt text; tiles from
    :mod:`ui.stages` say it themselves."""
    draw(gallery_rows(tiles, per_row, name))


SATURATION = (
    "Colour bars: a map with negative values is drawn white at 0, red positive, blue negative; a map "
    "that is never negative runs from black at 0 to white. A bar reading ≥ L / ≤ −L saturates the "
    "strongest 0.5 % of the values, so one bright edge does not wash out every other detail."
)


def channel_rows(inputs: list[bytes], kernels: list[bytes], maps: list[bytes], d: int) -> None:
    """One row per input channel: the channel, then each of its d kernels and the map it makes."""
    st.caption("Each row: an input channel, then its kernel(s) and the depthwise map(s) they make.")
    # One image per row, the tiles at their own pixel widths: the browser scales every tile of the
    # row alike, so the kernels' and the maps' titles and bar labels read at one size.
    draw(channel_row_images(inputs, kernels, maps, d))


def draw(rows: tuple[Row, ...]) -> None:
    """The row images, in a box of their own: on a phone the rows keep a readable width and the box
    scrolls sideways, not the page (:data:`ui.style.ROWS_CSS`). The box's key comes from the rows'
    content, so a rerun that draws the same rows keeps the same box."""
    box = hashlib.blake2b(repr([alt for _, alt in rows]).encode(), digest_size=8)
    for picture, _ in rows:
        box.update(picture[-64:])  # the tail of a JPEG differs when its pixels do
    try:
        container = st.container(key=f"{style.ROWS_KEY}{box.hexdigest()}")
    except StreamlitAPIException:  # the very same rows twice on one page: the second box is plain
        container = st.container()
    with container:
        for picture, alt in rows:
            st.image(picture, width="stretch", output_format="JPEG", alt=alt)


# --- composing (cached) ------------------------------------------------------------------------------


def gallery_rows(tiles: Sequence[bytes], per_row: int, name: str = "") -> tuple[Row, ...]:
    """The rows :func:`gallery` draws: (image, alt text) each."""
    if not tiles:
        return ()
    key = ("gallery.rows", _key(tiles), per_row, name)
    return stages.TILES.get_or_compute(key, lambda: _gallery_rows(tiles, per_row, name))


def channel_row_images(
    inputs: Sequence[bytes], kernels: Sequence[bytes], maps: Sequence[bytes], d: int
) -> tuple[Row, ...]:
    """The rows :func:`channel_rows` draws: (image, alt text) each."""
    key = ("gallery.channel_rows", _key(inputs), _key(kernels), _key(maps), d)
    return stages.TILES.get_or_compute(key, lambda: _channel_rows(inputs, kernels, maps, d))


def _key(tiles: Sequence[bytes]) -> tuple:
    """Plain values naming ``tiles``: those of :class:`ui.stages.Tiles`, else a digest of the bytes."""
    key = getattr(tiles, "key", None)
    if key is not None:
        return key
    digest = hashlib.blake2b(digest_size=16)
    for tile in tiles:
        digest.update(len(tile).to_bytes(8, "little"))
        digest.update(tile)
    return ("digest", len(tiles), digest.hexdigest())


def _encode(picture: Image.Image) -> bytes:
    """A row as JPEG, shrunk to :data:`MAX_WIDTH` if wider (every row of a stage is equally wide, so
    all shrink alike)."""
    if picture.width > MAX_WIDTH:
        height = round(picture.height * MAX_WIDTH / picture.width)
        picture = picture.resize((MAX_WIDTH, height), Image.Resampling.BOX)  # area means, fast
    return render.encode(picture)


def _gallery_rows(tiles: Sequence[bytes], per_row: int, name: str) -> tuple[Row, ...]:
    sizes = [render.encoded_size(t) for t in tiles]  # (width, height), read from the JPEG headers alone
    starts = range(0, len(tiles), per_row)
    widest = max(w for w, _ in sizes)
    width = max(
        [render.row_width([widest] * per_row)]
        + [render.row_width([w for w, _ in sizes[i : i + per_row]]) for i in starts]
    )
    titles = getattr(tiles, "titles", ())
    name = name or getattr(tiles, "name", "tiles")
    rows = [tiles[i : i + per_row] for i in starts]  # plain lists of the tiles' bytes
    return tuple(
        (_row(row, width), _alt(name, titles[i : i + len(row)], i, len(row)))
        for i, row in zip(starts, rows, strict=True)
    )


def _row(tiles: list[bytes], width: int) -> bytes:
    """One row image, cached by its tiles' content: a gallery that gained a tile (N → N + 1 keeps
    outputs 0…N − 1, see :func:`ui.stages.map_tile`) composes only its last row again."""
    key = ("gallery.row", _key(tiles), width)
    return stages.TILES.get_or_compute(
        key, lambda: _encode(render.row([render.decode(t) for t in tiles], width))
    )


def _channel_rows(
    inputs: Sequence[bytes], kernels: Sequence[bytes], maps: Sequence[bytes], d: int
) -> tuple[Row, ...]:
    channels = getattr(inputs, "titles", ()) or tuple(f"{c}" for c in range(len(inputs)))
    names = getattr(kernels, "titles", ()) or tuple(f"{j}" for j in range(len(kernels)))
    rows, alts = [], []
    decoded: dict[int, Image.Image] = {}  # a kernel drawn for several channels is one bytes object

    def picture(tile: bytes) -> Image.Image:
        if id(tile) not in decoded:
            decoded[id(tile)] = render.decode(tile)
        return decoded[id(tile)]

    for c, tile in enumerate(inputs):
        pictures = [picture(tile)]
        for j in range(c * d, (c + 1) * d):
            pictures += [picture(kernels[j]), picture(maps[j])]
        rows.append(pictures)
        mine = [names[j] for j in range(c * d, (c + 1) * d)]
        if d == 1:
            alts.append(f"channel {channels[c]}: its kernel {mine[0]} and the depthwise map it makes")
        else:
            alts.append(
                f"channel {channels[c]}: its kernels {', '.join(mine)} and the depthwise maps they make"
            )
    width = max(render.row_width([p.width for p in r]) for r in rows)
    return tuple((_encode(render.row(r, width)), alt) for r, alt in zip(rows, alts, strict=True))


def _alt(name: str, titles: Sequence[str], start: int, count: int) -> str:
    """What a gallery row shows: "outputs 0–3" for numbered titles, else the tiles' titles."""
    if not titles:
        return f"{name} {start + 1}–{start + count}" if count > 1 else f"{name} {start + 1}"
    numbered = [re.fullmatch(r"(.*\D) ?(\d+)", t) for t in titles]
    if all(numbered) and len({m[1] for m in numbered}) == 1:
        first, last = numbered[0][2], numbered[-1][2]
        return f"{name} {first}–{last}" if len(titles) > 1 else f"{name} {first}"
    return f"{name}: {', '.join(titles)}"
