"""Page parts that rerun alone: a slider inside one redraws that part, not the whole app.

A page wraps a stage in :func:`live` (``st.fragment``). When the student moves a widget of that
stage, Streamlit reruns only the part: app.py does not run, so the part itself does what app.py's
run would have done around it — take the widget's new value into the settings, keep the safety
net, write the link and redraw the sidebar's copy of it. A change that raises a new notice (a value
that does not fit) reruns the whole app, whose top shows the notices.

Why: a pointwise change must not re-send the input and depthwise stages, and a class of 40 on one
server pays for every element of every rerun (see benchmarks/classroom.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st
from streamlit.errors import StreamlitInvalidLayoutContextError

from ui import settings

P = ParamSpec("P")
R = TypeVar("R")

SAFETY_NET = (
    "Something went wrong while drawing this page. The settings you just chose may be unusual: "
    "try changing them back. (Details are in the server log.)"
)
_LINK_BOX = "_dsviz_link_box"  # the sidebar placeholder that shows this view's link


def safety_net(where: str) -> None:
    """The last line of defence, inside an ``except Exception``: the traceback goes to the server
    log, the student sees a plain message."""
    logging.getLogger("dsviz").exception("%s failed", where)
    st.error(SAFETY_NET)


def make_link_box() -> None:
    """The sidebar's place for this view's link: made by the app's run before the page is drawn, so
    a page part can redraw it (Streamlit lets a fragment write only to containers that exist)."""
    st.session_state[_LINK_BOX] = st.sidebar.empty()


def link_box() -> None:
    """The sidebar's copy box with this view's link as it stands."""
    with st.session_state[_LINK_BOX].container():
        st.caption("Link to this view — copy it with the icon at its right:")
        st.code(settings.link_url(), language=None, wrap_lines=True)


def live(part: Callable[P, R]) -> Callable[P, R | None]:
    """``part`` as a fragment that keeps the settings, the link and the safety net when it reruns
    alone. Inside the app's run it is an ordinary call."""

    @st.fragment
    @functools.wraps(part)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
        if settings.app_running():
            try:
                return part(*args, **kwargs)
            finally:  # a part may redraw the box alone only if the app's run saw it write there
                link_box()
        settings.take_widget_changes()
        before = settings.notice_count()
        try:
            try:
                return part(*args, **kwargs)
            except StreamlitInvalidLayoutContextError:
                raise
            except Exception:
                safety_net(f"page part {part.__qualname__}")
                return None
            finally:  # also after st.stop() in the part
                if settings.notice_count() > before:
                    st.rerun()  # the whole app: the notices are drawn at its top
                settings.write_link()
                link_box()
        except StreamlitInvalidLayoutContextError:  # Streamlit lost the part's place outside it
            st.rerun()  # the whole app, which draws everything afresh

    return run
