"""Presentation mode: larger text for a projector, kept in the link, on every page."""

from __future__ import annotations

import io

import pytest
from apptest import PAGES, open_page, trouble, widget
from PIL import Image

from dsviz.block import block_from, input_spec
from dsviz.inputs import channel_colours, channel_labels
from ui import stages, style


@pytest.mark.parametrize("page", PAGES)
def test_presentation_mode_enlarges_text_on_every_page(page: str) -> None:
    at = open_page(page, query={"present": "true"})
    assert not trouble(at)
    assert widget(at, "present").value is True
    assert any(h.proto.body == style.PRESENTATION_CSS for h in at.get("html"))
    assert at.query_params.get("present") == "true"
    plain = open_page(page)
    assert not any("html { font-size" in h.proto.body for h in plain.get("html"))


def widths(tiles: list[bytes]) -> set[int]:
    return {Image.open(io.BytesIO(t)).width for t in tiles}


def test_presentation_tiles_are_drawn_smaller_so_the_browser_enlarges_their_text() -> None:
    """The browser fits each tile to its column: a narrower tile in a wider column (3 per row, not 4)
    shows its fixed-size title and bar labels larger."""
    spec = input_spec({"pg_stride": 2})
    block, _ = block_from({"pg_stride": 2}, channel_labels(3, 0), channel_colours(3, 0))
    normal = stages.output_tiles(spec, block, False, box=style.BOX)
    big = stages.output_tiles(spec, block, False, box=style.PRESENTATION_BOX)
    (w_normal,), (w_big,) = widths(normal), widths(big)  # every tile of a stage equally wide
    assert w_big < w_normal
    column_normal, column_big = 1 / style.per_row_for(8, False), 1 / style.per_row_for(8, True)
    assert column_big / w_big > 1.5 * column_normal / w_normal  # text at least 1.5× larger on screen
