"""How the app looks beyond Streamlit's theme: presentation mode for a projector."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui import settings

# Streamlit sizes text in rem: a larger root font enlarges every label, caption, number and heading.
PRESENTATION_CSS = "<style>html { font-size: 21px; }</style>"
BOX = 320  # px: the longest side a map is drawn at (its title text is drawn at a fixed size)
PRESENTATION_BOX = 200  # smaller maps, fewer per row: the browser enlarges them, text included
PRESENTATION_ZOOM = 1.5  # SVG charts: their text is 11-14 px, a little under the page's 21 px there
ROWS_KEY = "dsviz_rows_"  # the boxes that hold rows of tiles (ui.gallery.draw)
# On a phone a row of 3-6 tiles shrunk to the screen's width leaves each title and bar label a few
# pixels tall: there a row keeps at least 560 px (140 px a tile at four a row) and its own box
# scrolls sideways.
ROWS_CSS = (
    f"<style>@media (max-width: 640px) {{ [class*='st-key-{ROWS_KEY}'] {{ overflow-x: auto; }} "
    f"[class*='st-key-{ROWS_KEY}'] img {{ min-width: 560px; }} }}</style>"
)


def row() -> DeltaGenerator:
    """Controls or numbers side by side, sharing the width, on new lines where the page is narrow:
    one flex container, where ``st.columns(n)`` makes n + 1 blocks — and a page part's rerun sends
    every block again and the browser draws it again (scripting, mostly React rendering the part's
    elements, was ~2/3 of Chromium's main thread in a cached keypress of 0.5 s: browser_trace.py)."""
    return st.container(horizontal=True, gap="small")


def presenting() -> bool:
    return bool(settings.value("present"))


def presentation() -> None:
    st.html(PRESENTATION_CSS)


def page_css() -> None:
    """The app's own CSS, for every page (a style-only st.html takes no space)."""
    st.html(ROWS_CSS)


def map_box() -> int:
    """The longest side maps are drawn at, in image pixels."""
    return PRESENTATION_BOX if presenting() else BOX


def per_row(count: int) -> int:
    return per_row_for(count, presenting())


def per_row_for(count: int, presenting: bool) -> int:
    """Tiles per row: four on a laptop (six only for very large N, where the page would get very
    long); two or three on a projector, so each is drawn larger."""
    if presenting:
        return 2 if count <= 4 else 3
    return 4 if count <= 32 else 6


def svg(markup: str) -> None:
    """An inline SVG chart (``dsviz.charts``): inline, not an image, so its hover titles and text
    reach the reader. Through markdown: ``st.html`` sanitizes SVG away entirely (Streamlit 1.67).
    On a projector it is drawn larger, its text with it (never wider than the column)."""
    if presenting():
        markup = f'<div style="zoom: {PRESENTATION_ZOOM}">{markup}</div>'
    st.markdown(markup, unsafe_allow_html=True)
