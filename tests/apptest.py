"""Open any page of the app under ``streamlit.testing.v1.AppTest``, and read what it shows.

    at = open_page("views/playground.py", query={"pg_k": "5"}, state={"pg_n": 4})

A fresh AppTest is a fresh session: its first run goes through app.py (router, link, safety net)
exactly as a first page load does. Widget values, defaults and allowed values come from the settings
registry (``dsviz.block.SETTINGS``), never from copies kept here.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from dsviz.block import SETTINGS
from dsviz.registry import Numbers
from ui.settings import IN_LINK

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
DEFAULT_PAGE = "views/playground.py"
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "views").glob("*.py"))
# the pages that draw the block from the settings (and so say which kernel replaced one missing at K)
BLOCK_PAGES = [p for p in PAGES if "current_block(" in (ROOT / p).read_text(encoding="utf-8")]
SAFETY_NET = "Something went wrong"
WIDGET_KINDS = ("selectbox", "select_slider", "slider", "toggle", "checkbox", "radio", "number_input")


class PageTest(AppTest):
    """AppTest that shows the whole page after every run, as the browser does.

    A control's move on the Playground reruns only the page parts it changes (``ui.parts``): the
    browser keeps the rest of the page, but AppTest's tree then holds only the parts that ran. After
    such a run the app runs once more, as a whole and unchanged, so the tree is the page the student
    sees. (``test_parts.py`` checks the parts' run itself, and that it draws what the whole page's
    run draws.)"""

    def _run(self, widget_state=None, timeout=None) -> AppTest:
        before = run_link(self)
        super()._run(widget_state, timeout)
        if only_parts_ran(self, before):
            super()._run(None, timeout)
        return self


def run_link(at: AppTest) -> dict | None:
    """The current run's link dict, which every run of app.py makes anew (ui.settings.start_run);
    None before the first run."""
    return at.session_state.get(IN_LINK)


def only_parts_ran(at: AppTest, before: dict | None) -> bool:
    """Whether the last run ran page parts alone (ui.parts), not app.py: its link dict is still
    ``before``, :func:`run_link` taken before the run."""
    return before is not None and run_link(at) is before


def open_page(
    page: str = DEFAULT_PAGE,
    query: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    timeout: float = 90,
    *,
    whole_page: bool = True,
) -> AppTest:
    """A new session opened on ``page`` with the link ``query`` and widget values ``state``: a
    :class:`PageTest`, or with ``whole_page=False`` a plain AppTest, whose tree after a move holds
    only what the move sent."""
    at = (PageTest if whole_page else AppTest)(APP, default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = str(value)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    if page != DEFAULT_PAGE:
        at.switch_page(page).run()
    return at


def trouble(at: AppTest, *, allow_errors: bool = False) -> list[str]:
    """Exceptions, the safety net, and (unless allowed) any st.error."""
    found = [f"exception: {e.value}" for e in at.exception]
    for err in at.error:
        if SAFETY_NET in err.value or not allow_errors:
            found.append(f"error: {err.value}")
    return found


def widgets(at: AppTest, area: str = "main") -> list:
    """Every keyed widget of a settings key, in ``area`` ("main" or "sidebar")."""
    root = getattr(at, area)
    return [w for kind in WIDGET_KINDS for w in root.get(kind) if w.key in SETTINGS]


def widget(at: AppTest, key: str):
    for kind in WIDGET_KINDS:
        for w in at.get(kind):
            if w.key == key:
                return w
    return None


def other_values(w) -> list[Any]:
    """Every other allowed value of a widget's setting (its extremes for a long range)."""
    setting = SETTINGS[w.key]
    assert not isinstance(setting, Numbers)
    values = list(setting.examples())
    if len(values) > 12:  # a long numeric range: both ends and one inside
        values = [values[0], values[len(values) // 2], values[-1]]
    return [v for v in values if v != w.value]


def notices(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def sidebar_link(at: AppTest) -> str:
    """The link the sidebar's copy box shows (ui.parts.link_box), as text."""
    (box,) = [e.proto.body for e in at.sidebar.get("html") if 'id="dsviz-link"' in e.proto.body]
    (url,) = re.findall(r'<div id="dsviz-link"[^>]*>([^<]*)</div>', box)
    return html.unescape(url)
