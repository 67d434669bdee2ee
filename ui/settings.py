"""Every setting's widget, its value in the session and its place in the link — one mechanism for all.

The chosen values live in ``st.session_state[STATE]``, which Streamlit keeps for the whole session:
widgets come and go as pages change, the values stay. A widget is seeded from that store when it
appears and writes back to it when it changes. The link is written once, at the end of every run,
from the values the current page uses (defaults left out), so switching pages never carries one
page's parameters into another's link. The link itself is read once per session, at its first run,
through the registry's strict parsers: a deep link to any page, on a freshly started server, opens
that page with its settings, and every value it could not use is named in a notice.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dsviz.block import CUSTOM, SETTINGS, Block, custom_key, kernel_key
from dsviz.registry import MAX_RAW, Choice, Flag, Integer, Notice, Numbers

STATE = "_dsviz_settings"  # key → chosen value
NOTICES = "_dsviz_notices"  # Notice or str, shown at the top of the page
IN_LINK = "_dsviz_in_link"  # key → value the current run's page puts in the link
LINK_READ = "_dsviz_link_read"
MAX_LINK_NUMBERS = 1024  # custom grids with more numbers are not put in a link (it would be unwieldy)


def _store() -> dict[str, Any]:
    return st.session_state.setdefault(STATE, {})


def start_run() -> None:
    """Call first in every run: reads the link on a session's first run, and starts a new link."""
    if not st.session_state.get(LINK_READ):
        st.session_state[LINK_READ] = True
        raw = {key: st.query_params.get(key, "") for key in st.query_params}  # repeated key: the last
        values, notices = SETTINGS.parse(raw)
        _store().update(values)
        st.session_state[NOTICES] = notices
    store = _store()
    for key in SETTINGS.settings:  # a widget the user just changed holds the newest value
        if key in st.session_state and SETTINGS[key].valid(st.session_state[key]):
            store[key] = st.session_state[key]
    st.session_state[IN_LINK] = {}


def value(key: str) -> Any:
    """The chosen value of ``key``, or its default."""
    return _store().get(key, SETTINGS[key].default)


def values(*groups: str) -> dict[str, Any]:
    """Every setting of these groups (all groups when none are named): chosen or default."""
    return {key: value(key) for key in SETTINGS.keys(*groups)}


def choose(key: str, chosen: Any) -> None:
    """Set ``key`` (the widget showing it follows on its next appearance)."""
    _store()[key] = chosen
    if key in st.session_state and chosen is not None:
        st.session_state[key] = chosen


def in_link(key: str, chosen: Any) -> None:
    """Put ``key=chosen`` into this run's link (a default is left out when it is written)."""
    st.session_state.setdefault(IN_LINK, {})[key] = chosen


def use(*groups: str) -> None:
    """This page's link holds these groups' values."""
    for key in SETTINGS.keys(*groups):
        in_link(key, value(key))


BLOCK_KEYS = ("pg_k", "pg_stride", "pg_dil", "pg_padding", "pg_pad", "pg_d", "pg_shared")
BLOCK_KEYS += ("pg_n", "pg_pw", "pg_bn", "pg_act")


def use_block(block: Block) -> None:
    """This page's link describes ``block``: the chosen values of the keys it really uses (the
    kernels of its M channels, or of channel 0 when one kernel serves all), and the custom numbers in
    effect — the same link whichever page draws the block."""
    for key in BLOCK_KEYS:
        in_link(key, value(key))
    dw = block.depthwise
    owners = 1 if value("pg_shared") else block.m
    for j, choice in enumerate(dw.kernels[: owners * dw.multiplier]):
        channel, slot = divmod(j, dw.multiplier)
        in_link(kernel_key(channel, slot), value(kernel_key(channel, slot)))
        if choice.name == CUSTOM:
            in_link(custom_key(channel, slot), choice.numbers)
    if block.pointwise.preset == CUSTOM:
        in_link("pg_pwc", block.pointwise.numbers)


def control(key: str, *, label: str | None = None, options: list[Any] | None = None, **kwargs: Any) -> Any:
    """The widget for setting ``key``: a selectbox for names, a slider for numbers, a toggle for flags.

    Its session-state key is the setting's key. ``options`` may narrow a choice's options.
    """
    setting = SETTINGS[key]
    label = label or setting.label
    kwargs.setdefault("help", setting.help)
    allowed = options if options is not None else list(setting.examples())
    # Always seed from the store: on another page Streamlit makes a new widget under the same key, and
    # it would start from its own default (the store already holds the newest value, see start_run).
    st.session_state[key] = value(key) if value(key) in allowed else setting.default
    if isinstance(setting, Choice):
        chosen = st.selectbox(label, allowed, key=key, format_func=setting.label_of, **kwargs)
    elif isinstance(setting, Integer) and setting.steps:
        chosen = st.select_slider(label, allowed, key=key, **kwargs)
    elif isinstance(setting, Integer):
        chosen = st.slider(label, min(allowed), max(allowed), key=key, **kwargs)
    elif isinstance(setting, Flag):
        chosen = st.toggle(label, key=key, **kwargs)
    else:
        raise TypeError(f"{key} has no widget: use ui.editor for {type(setting).__name__}")
    _store()[key] = chosen
    in_link(key, chosen)
    return chosen


def write_link() -> None:
    """Make the URL hold exactly this run's link (only when it changed: each write is a message)."""
    want = {}
    for key, chosen in st.session_state.get(IN_LINK, {}).items():
        setting = SETTINGS[key]
        if chosen is None or chosen == setting.default:
            continue
        if isinstance(setting, Numbers) and len(chosen) > MAX_LINK_NUMBERS:
            continue
        want[key] = setting.format(chosen)
    if want != {key: st.query_params.get(key) for key in st.query_params}:
        st.query_params.from_dict(want)


def notify(message: str | Notice) -> None:
    """A notice for the top of the page (shown until dismissed)."""
    notices = st.session_state.setdefault(NOTICES, [])
    if message not in notices:
        notices.append(message)


def show_notices() -> None:
    """One warning listing every link value that was not used, with a button to dismiss it."""
    notices = st.session_state.get(NOTICES)
    if not notices:
        return
    with st.container(border=True):
        listed = [str(n) for n in notices if isinstance(n, Notice)]
        other = [str(n) for n in notices if not isinstance(n, Notice)]
        if listed:
            st.warning("Some settings in the link could not be used: " + ", ".join(listed) + ".", icon="⚠️")
        for text in other:
            st.warning(text, icon="⚠️")
        if st.button("Dismiss", key="notice_dismiss"):
            st.session_state[NOTICES] = []
            st.rerun()


def reset() -> None:
    """Every setting back to its default (a button callback): widgets, custom grids, notices, link.
    Kept: the last good upload, so a reset does not throw the student's photo away."""
    _store().clear()
    for key in list(st.session_state):
        if key in SETTINGS:
            default = SETTINGS[key].default
            if default is None:
                del st.session_state[key]
            else:
                st.session_state[key] = default
        elif isinstance(key, str) and key.startswith("grid:"):
            del st.session_state[key]
    st.session_state[NOTICES] = []


assert MAX_LINK_NUMBERS <= MAX_RAW // 20  # a written grid always reads back within the parser's limit
