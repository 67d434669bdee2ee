"""Page parts that rerun alone: a control's move redraws the parts it changes, not the whole app.

A page wraps a stage's results in :func:`live` (a keyed ``st.fragment``) and draws the stage's
controls itself; a control's callback names the parts its move changes (:func:`rerun`,
``ui.controls.rerun_stages``) and Streamlit reruns only those. The controls are not sent again (the
browser already shows their new values), and a pointwise change leaves the depthwise stage as it
is. A move that changes the controls themselves (d adds kernel pickers) reruns the whole app. When
a part reruns alone, app.py does not run, so the part does what app.py's run would have done around
it: take the widget's new value into the settings, keep the safety net, write the link and redraw
the sidebar's copy of it. A change that raises a new notice (a value that does not fit) reruns the
whole app, whose top shows the notices.

Why: a class of 40 on one server pays for every element of every rerun (benchmarks/classroom.py),
and the browser redraws every element it is sent: a cached K move that re-sent the Playground's
stages 2-4 with their 17 controls settled in 0.46 s in Chromium, without the controls in 0.22 s
(benchmarks/app_speed.py's keypress row).
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.errors import StreamlitInvalidLayoutContextError

from ui import settings

P = ParamSpec("P")
R = TypeVar("R")

SAFETY_NET = (
    "Something went wrong while drawing this page. The settings you just chose may be unusual: "
    "try changing them back. (Details are in the server log.)"
)
_LINK_BOX = "_dsviz_link_box"  # the sidebar placeholder that shows this view's link
# The link and a Copy button as plain HTML, not st.code: st.code's copy icon comes with Streamlit's
# syntax highlighter, a 1.5 MB script every new session downloaded and spent ~0.6 s evaluating
# (benchmarks/browser_trace.py open). One click handler for the page, installed once; the clipboard
# API needs a secure context (https or localhost), so on a classroom's http://<ip> it falls back to
# selecting the text and the older copy command.
LINK_HTML = """<div class="dsviz-link" style="font-size: 0.875rem">
<div id="dsviz-link-label" style="opacity: 0.7; margin-bottom: 0.25rem">Link to this view:</div>
<div id="dsviz-link" aria-labelledby="dsviz-link-label" style="font-family: monospace; font-size: 0.8rem;
 overflow-wrap: anywhere; padding: 0.5rem 0.75rem; border-radius: 0.5rem;
 background: rgba(128, 132, 149, 0.1)">{url}</div>
<button type="button" id="dsviz-copy" style="margin-top: 0.25rem; padding: 0.2rem 0.75rem;
 border: 1px solid rgba(49, 51, 63, 0.3); border-radius: 0.5rem; background: transparent;
 color: inherit; font: inherit; cursor: pointer">Copy the link</button>
<span id="dsviz-copied" role="status" style="margin-left: 0.5rem; opacity: 0.7"></span>
</div>
<script>
if (!window.dsvizCopyLink) {{
  window.dsvizCopyLink = true;
  document.addEventListener("click", async (event) => {{
    if (!event.target.closest("#dsviz-copy")) return;
    const link = document.getElementById("dsviz-link");
    const range = document.createRange();
    range.selectNodeContents(link);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    try {{
      await navigator.clipboard.writeText(link.textContent);
    }} catch {{
      document.execCommand("copy");
    }}
    document.getElementById("dsviz-copied").textContent = "Copied";
    setTimeout(() => {{ document.getElementById("dsviz-copied").textContent = ""; }}, 2000);
  }});
}}
</script>"""


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
    url = html.escape(settings.link_url(), quote=True)
    st.session_state[_LINK_BOX].html(LINK_HTML.format(url=url), unsafe_allow_javascript=True)


def rerun(keys: Sequence[str]) -> None:
    """From a control's callback: rerun only the parts named ``keys`` (their :func:`live` keys), in
    place of the whole app."""
    st.rerun(list(keys))


def live(key: str) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """A decorator: the part as a fragment named ``key`` that keeps the settings, the link and the
    safety net when it reruns alone. Inside the app's run it is an ordinary call."""
    return functools.partial(_live, key=key)


def _live(part: Callable[P, R], key: str) -> Callable[P, R | None]:
    @st.fragment(key=key)
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


def drawn_while_open(label: str, key: str, **kwargs: Any) -> DeltaGenerator | None:
    """An expander whose contents are drawn only while it is open: the expander, or None while it is
    closed. Opening or closing it reruns the script (Streamlit 1.67's ``on_change="rerun"``: the
    page, or the page part it sits in), and the keyed expander stays as the reader left it. A closed
    expander's contents are otherwise sent and drawn on every run all the same: 48 kernel pickers
    (:func:`ui.controls.pickers_box`), or the Playground's cost formulas, whose KaTeX Chromium
    typeset again on every N move."""
    box = st.expander(label, key=key, on_change="rerun", **kwargs)
    return box if box.open else None
