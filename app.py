"""dsviz — the router: page config, the page list in sections, the link, and the safety net.

Adding a page is one line in PAGES. Page scripts live in views/, not pages/: in Streamlit 1.67 a
pages/ folder beside the entry script switches the server to legacy multipage mode, where a first
deep link runs the page without this router.
"""

import importlib
import threading

import streamlit as st

from dsviz import memory
from ui import parts, settings, style

st.set_page_config(page_title="dsviz — depthwise separable convolution", page_icon="🔬", layout="wide")


@st.cache_resource
def tune_allocator() -> bool:
    """Once per server: reuse freed blocks, or big results page-fault afresh (see dsviz.memory)."""
    return memory.keep_freed_memory()


tune_allocator()


@st.cache_resource
def import_torch_in_the_background() -> threading.Thread:
    """Once per server: torch takes 2-5 s to import, so it starts now, while the first page draws its
    sidebar and input (which need no torch); the first convolution waits for the import to end."""
    thread = threading.Thread(target=importlib.import_module, args=("dsviz.ops",), daemon=True)
    thread.start()
    return thread


import_torch_in_the_background()

PAGES = {
    "Start here": [st.Page("views/lesson.py", title="Lesson", icon=":material/school:")],
    "See it": [
        st.Page("views/playground.py", title="Playground", icon=":material/science:", default=True),
        st.Page("views/pixel.py", title="Inside one pixel", icon=":material/grid_on:"),
        st.Page("views/groups.py", title="Standard → grouped → depthwise", icon=":material/view_module:"),
    ],
    "Understand it": [
        st.Page("views/equivalence.py", title="Equivalence & expressivity", icon=":material/functions:"),
    ],
    "Count it": [
        st.Page("views/costlab.py", title="Cost lab", icon=":material/speed:"),
        st.Page("views/mobilenet.py", title="MobileNet", icon=":material/account_tree:"),
    ],
    "Use it": [
        st.Page("views/code.py", title="Code & downloads", icon=":material/code:"),
    ],
}

page = st.navigation(PAGES)
notices = st.container()  # on top, but filled last: the page's own widgets may add notices
try:
    settings.start_run()
    parts.make_link_box()
    style.page_css()
    with st.sidebar:
        if settings.control("present"):
            style.presentation()
    page.run()
except Exception:  # the last line of defence: a message on the page, the traceback in the server log
    parts.safety_net(f"page {page.title}")
finally:  # also after st.stop(), which raises a BaseException
    settings.write_link()
    parts.link_box()
    with notices:
        settings.show_notices()
    settings.end_run()
