"""dsviz — the router: page config, the shared sidebar, and the page list.

Adding a page is one line in PAGES.
"""

import logging

import streamlit as st

from ui import sidebar, state

st.set_page_config(page_title="dsviz — depthwise separable convolution", page_icon="🔬", layout="wide")

PAGES = [
    st.Page("views/playground.py", title="Playground", icon=":material/science:", default=True),
]

page = st.navigation(PAGES)
sidebar.render()
notices = st.container()  # on top, but filled last: the page's own widgets may add link notices
try:
    page.run()
except Exception:  # the last line of defence: a message on the page, the traceback in the server log
    logging.getLogger("dsviz").exception("page %s failed", page.title)
    st.error(
        "Something went wrong while drawing this page. The settings you just chose may be unusual: "
        "try changing them back. (Details are in the server log.)"
    )
finally:  # also after st.stop(), which raises a BaseException
    with notices:
        state.show_notices()
