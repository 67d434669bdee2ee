"""ui.gallery: one image per row of tiles, equally wide rows, alt text, and rows cached by plain values."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dsviz import render
from dsviz.block import block_from, input_spec
from dsviz.inputs import channel_colours, channel_labels
from ui import gallery, stages, style


def size(picture: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(picture)).size


def fitted(width: int, height: int) -> tuple[int, int]:
    """A row's size as sent: Streamlit would shrink a wider one, so the gallery shrinks it first."""
    if width <= gallery.MAX_WIDTH:
        return width, height
    return gallery.MAX_WIDTH, round(height * gallery.MAX_WIDTH / width)


def test_rows_wider_than_streamlit_keeps_are_shrunk_alike() -> None:
    """d = 4 and K = 11: a channel row is ~3000 px; every row comes out MAX_WIDTH wide, equally tall."""
    _, inputs, kernels, maps, _ = view({"pg_d": 4, "pg_k": 11})
    rows = gallery.channel_row_images(inputs, kernels, maps, 4)
    assert len({size(picture) for picture, _ in rows}) == 1
    assert size(rows[0][0])[0] == gallery.MAX_WIDTH


def view(query: dict):
    spec = input_spec(query)
    block, _ = block_from(query, channel_labels(3, 0), channel_colours(3, 0))
    _, inputs = stages.input_tiles(spec, channel_labels(3, 0))
    labels = tuple(k.label() for k in block.depthwise.kernels)
    kernels = stages.kernel_tiles(block.depthwise, labels, False)
    maps = stages.depthwise_tiles(spec, block, False)
    outputs = stages.output_tiles(spec, block, False)
    return block, inputs, kernels, maps, outputs


@pytest.mark.parametrize(("n", "per_row"), [(8, 4), (9, 4), (3, 4), (64, 6), (5, 3), (1, 2)])
def test_a_gallery_is_one_image_per_row_all_equally_wide(n: int, per_row: int) -> None:
    _, _, _, _, outputs = view({"pg_n": n})
    rows = gallery.gallery_rows(outputs, per_row)
    assert len(rows) == -(-n // per_row)
    tile_w, tile_h = size(outputs[0])
    assert {size(picture) for picture, _ in rows} == {fitted(render.row_width([tile_w] * per_row), tile_h)}
    assert rows[0][1] == (f"outputs 0–{min(n, per_row) - 1}" if n > 1 else "outputs 0")
    last = n - 1 - (n - 1) % per_row
    assert rows[-1][1] in (f"outputs {last}–{n - 1}", f"outputs {last}")


def test_a_row_holds_the_tiles_themselves() -> None:
    _, _, _, _, outputs = view({"pg_n": 6})
    picture = np.asarray(
        Image.open(io.BytesIO(gallery.gallery_rows(outputs, 4)[1][0])).convert("RGB")
    ).astype(int)
    tile = np.asarray(Image.open(io.BytesIO(outputs[5])).convert("RGB")).astype(int)
    x = render.row_offsets([tile.shape[1]] * 4)[1]
    assert np.abs(picture[:, x : x + tile.shape[1]] - tile).mean() < 1.0  # output 5 is the 2nd of row 2
    assert (picture[:, render.row_width([tile.shape[1]] * 2) + 8 :] >= 250).all()  # then only canvas


@pytest.mark.parametrize("d", [1, 2])
def test_channel_rows_are_the_channel_then_its_kernels_and_maps(d: int) -> None:
    block, inputs, kernels, maps, _ = view({"pg_d": d, "pg_stride": 2})
    rows = gallery.channel_row_images(inputs, kernels, maps, d)
    assert len(rows) == 3
    widths = [size(inputs[0])[0]] + [size(kernels[0])[0], size(maps[0])[0]] * d
    assert {size(picture)[0] for picture, _ in rows} == {fitted(render.row_width(widths), 1)[0]}
    name = block.depthwise.kernels[0].label()
    if d == 1:
        assert rows[0][1] == f"channel R: its kernel {name} and the depthwise map it makes"
    else:
        assert rows[0][1].startswith(f"channel R: its kernels {name}, ")
    # the map tile sits at its offset, as wide as the channel tile (drawn half size inside it)
    assert size(maps[0]) == size(inputs[0])


def test_a_cached_rerun_composes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    _, inputs, kernels, maps, outputs = view({"pg_n": 7, "pg_k": 5})
    first = gallery.gallery_rows(outputs, 4), gallery.channel_row_images(inputs, kernels, maps, 1)
    monkeypatch.setattr(render, "row", lambda *a, **k: pytest.fail("composed again"))
    again = gallery.gallery_rows(outputs, 4), gallery.channel_row_images(inputs, kernels, maps, 1)
    assert all(a is b for a, b in zip(first, again, strict=True))
    with pytest.raises(BaseException, match="composed again"):
        gallery.gallery_rows(outputs, 3)  # another width is another set of rows


def test_plain_lists_of_tiles_are_keyed_by_their_bytes() -> None:
    _, _, _, _, outputs = view({"pg_n": 5})
    plain = list(outputs)
    rows = gallery.gallery_rows(plain, 2)
    assert gallery.gallery_rows(list(outputs), 2) is rows
    assert [alt for _, alt in rows] == ["tiles 1–2", "tiles 3–4", "tiles 5"]


def test_presentation_rows_are_narrower_so_the_browser_enlarges_their_text() -> None:
    spec = input_spec({})
    block, _ = block_from({}, channel_labels(3, 0), channel_colours(3, 0))
    normal = stages.output_tiles(spec, block, False, box=style.BOX)
    big = stages.output_tiles(spec, block, False, box=style.PRESENTATION_BOX)
    w_normal = size(gallery.gallery_rows(normal, style.per_row_for(8, False))[0][0])[0]
    w_big = size(gallery.gallery_rows(big, style.per_row_for(8, True))[0][0])[0]
    assert w_big < w_normal  # in the same column width, a presentation row's text is drawn larger


def test_one_more_output_draws_one_tile_and_composes_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """N → N + 1 keeps outputs 0…N − 1 (output n depends on row n of P alone): their tiles and the full
    rows are reused, only the new tile is drawn and only the last row composed. Each reused tile is
    the tile a fresh drawing makes."""
    query = {"img": "coffee", "pg_pw": "random", "pg_bn": True, "pg_act": "relu6", "pg_n": 9}
    stages.ARRAYS.clear()
    stages.TILES.clear()
    _, _, _, _, before = view(query)
    rows_before = gallery.gallery_rows(before, 4)
    drawn, composed = [], []
    tile, row = render.tile, render.row
    monkeypatch.setattr(render, "tile", lambda *a, **k: drawn.append(a[1]) or tile(*a, **k))
    monkeypatch.setattr(render, "row", lambda *a, **k: composed.append(len(a[0])) or row(*a, **k))
    block, _, _, _, after = view(query | {"pg_n": 10})
    rows_after = gallery.gallery_rows(after, 4)
    assert drawn == ["output 9"] and composed == [2], (drawn, composed)  # outputs 8 and 9
    assert after[:9] == before[:9] and rows_after[:2] == rows_before[:2]

    spec = input_spec(query)
    _, height, width = stages.photo(spec.ref, spec.resolution, spec.grayscale).shape
    maps = stages.outputs(spec, block)
    stages.TILES.clear()  # drawn afresh: the same bytes
    z = stages.zoom(spec)
    fresh = [
        stages.map_tile(m, f"output {n}", None, z, render.canvas_for(height, width, z))
        for n, m in enumerate(maps)
    ]
    assert fresh == list(after)
