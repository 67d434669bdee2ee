"""The server: ``streamlit run streamlit_app.py`` serves the app (app.py) and warms it as it starts.

``streamlit run app.py`` works too, but runs nothing before the first visitor, who then waits for
torch's import and the default view (ui.warm). Streamlit runs this file as an ASGI app (``st.App``):
its lifespan starts the warm-up in a thread, so the server answers at once and is warm seconds later.
"""

import threading
from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def warm_at_start(_app):
    from ui.warm import warm_up

    threading.Thread(target=warm_up, name="dsviz-warm-up", daemon=True).start()
    yield


app = st.App("app.py", lifespan=warm_at_start)
