"""The server's warm-up (ui.warm) fills exactly what the default Playground's first run looks up."""

from __future__ import annotations

from pathlib import Path

from apptest import open_page, trouble
from streamlit.web.server.app_discovery import discover_asgi_app

from ui import stages, warm

ROOT = Path(__file__).resolve().parents[1]


def cached_keys() -> set:
    return set(stages.ARRAYS._items) | set(stages.TILES._items)


def test_the_default_playground_finds_everything_warm() -> None:
    stages.ARRAYS.clear()
    stages.TILES.clear()
    warm.default_playground()
    warmed = cached_keys()
    assert len(warmed) >= 8, warmed  # photo, channels, maps, outputs, their tiles and rows

    at = open_page()  # the Playground at defaults, as a first visitor opens it
    assert not trouble(at)
    assert cached_keys() == warmed, "the first run computed what the warm-up did not"


def test_the_entry_serves_app_py_as_an_asgi_app() -> None:
    """``streamlit run streamlit_app.py`` runs it as an st.App (which is what starts the warm-up)."""
    found = discover_asgi_app(ROOT / "streamlit_app.py")
    assert found.is_asgi_app and found.app_name == "app"
    assert 'st.App("app.py", lifespan=' in (ROOT / "streamlit_app.py").read_text()
