"""Widgets whose values live in the URL, so a copied link reopens the same view.

Streamlit's ``bind="query-params"`` syncs a keyed widget with the URL parameter of the same name, but
drops an invalid value silently (and, for a selectbox, writes its shown label rather than the value).
These wrappers check the URL value first and, when it is invalid, leave a notice (shown by
``show_notices``) saying what was ignored and what was used instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

_NOTICES = "_url_notices"
_BOUND_DEFAULTS: dict[str, Any] = {}  # key → default of every widget bound with bind="query-params"
_SEEN = "_url_checked"


def check_url_value(key: str, valid: Callable[[str], bool], fallback: object) -> None:
    """Record a notice once per session for an invalid ``?key=value``."""
    raw = st.query_params.get(key)
    seen = st.session_state.setdefault(_SEEN, set())
    if raw is None or (key, raw) in seen:
        return
    seen.add((key, raw))
    if not valid(raw):
        st.session_state.setdefault(_NOTICES, []).append(f"`{key}={raw}` (used {fallback})")


def _in_options(options: Sequence[Any]) -> Callable[[str], bool]:
    names = {str(o) for o in options}
    return lambda raw: raw in names


def select(label: str, options: Sequence[Any], default: Any, key: str, **kwargs: Any) -> Any:
    """A selectbox whose *name* (not its shown label) lives in ``?key=``.

    Streamlit's ``bind`` would put the ``format_func`` label in the URL, so names are synced by hand:
    the URL seeds the widget once per session, and every run writes the current name back (and
    removes it when it is the default, to keep links short).
    """
    options = list(options)
    names = [str(o) for o in options]
    if st.session_state.get(key) not in options:  # first run, or the options changed under it
        raw = st.query_params.get(key)
        check_url_value(key, lambda r: r in names, default)
        st.session_state[key] = options[names.index(raw)] if raw in names else default
    value = st.selectbox(label, options, key=key, **kwargs)
    write_url(key, value, default)
    return value


def write_url(key: str, value: object, default: object) -> None:
    """Put ``?key=value`` in the URL (only when it changes), or remove it when value is the default."""
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(value):
        st.query_params[key] = str(value)


def steps(label: str, options: Sequence[Any], default: Any, key: str, **kwargs: Any) -> Any:
    """A select-slider (discrete steps) bound to ``?key=``."""
    check_url_value(key, _in_options(options), default)
    return st.select_slider(label, options, key=key, bind="query-params", **_initial(key, default), **kwargs)


def integer(label: str, low: int, high: int, default: int, key: str, **kwargs: Any) -> int:
    """An integer slider ``low…high`` bound to ``?key=``."""

    def valid(raw: str) -> bool:
        return raw.lstrip("-").isdigit() and low <= int(raw) <= high

    check_url_value(key, valid, default)
    return st.slider(label, low, high, key=key, bind="query-params", **_initial(key, default), **kwargs)


def switch(label: str, default: bool, key: str, **kwargs: Any) -> bool:
    """A toggle bound to ``?key=true|false``."""
    check_url_value(key, lambda raw: raw.lower() in ("true", "false"), default)
    return st.toggle(label, key=key, bind="query-params", **_initial(key, default), **kwargs)


def _initial(key: str, default: Any) -> dict[str, Any]:
    """``value=default`` for a bound widget's first appearance only: once the session holds its value
    (for instance after ``reset``), passing a default too would make Streamlit warn about two sources."""
    _BOUND_DEFAULTS[key] = default
    return {} if key in st.session_state else {"value": default}


def show_notices() -> None:
    """One warning listing every link setting that was ignored, with a button to dismiss it."""
    notices = st.session_state.get(_NOTICES)
    if not notices:
        return
    with st.container(border=True):
        st.warning(
            "Some settings in the link were not valid and were replaced by defaults: " + ", ".join(notices),
            icon="⚠️",
        )
        if st.button("Dismiss", key="url_notice_dismiss"):
            st.session_state[_NOTICES] = []
            st.rerun()


def reset() -> None:
    """Forget every setting (widgets, custom grids, link notices): the next run shows the default view.

    URL-bound widgets are set back to their defaults (Streamlit then drops their parameter, and
    refuses to let it be deleted directly); everything else is deleted from the session and the URL.
    Kept: the last good upload, so a reset does not throw the student's photo away.
    """
    keep = {"_good_upload", "_bad_upload", "upload"}
    for key in [k for k in st.session_state if k not in keep]:
        if key in _BOUND_DEFAULTS:
            st.session_state[key] = _BOUND_DEFAULTS[key]
        else:
            del st.session_state[key]
    for key in [k for k in st.query_params if k not in _BOUND_DEFAULTS]:
        del st.query_params[key]
