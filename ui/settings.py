"""Every setting's widget, its value in the session and its place in the link — one mechanism for all.

The chosen values live in ``st.session_state[STATE]``, which Streamlit keeps for the whole session:
widgets come and go as pages change, the values stay. Every run seeds each widget from that store,
and the next run's start takes back any widget the student changed in between. The link is written
once, at the end of every run, from the values the current page uses (defaults left out), so
switching pages never carries one page's parameters into another's link. The link itself is read
once per session, at its first run, through the registry's strict parsers: a deep link to any page,
on a freshly started server, opens that page with its settings, and every value it could not use
is named in a notice.
"""

from __future__ import annotations

from typing import Any
from urllib import parse

import streamlit as st

from dsviz.block import CUSTOM, SETTINGS, Block, custom_key, kernel_key
from dsviz.registry import MAX_RAW, Integer, Notice, Numbers, describe_ints

STATE = "_dsviz_settings"  # key → chosen value
NOTICES = "_dsviz_notices"  # Notices, shown at the top of the page until dismissed
IN_LINK = "_dsviz_in_link"  # key → value the current run's page puts in the link
LINK_READ = "_dsviz_link_read"
SEEDS = "_dsviz_seeds"  # key → the value its widget was given this run (a different one: the user's)
MAX_LINK_NUMBERS = 1024  # custom grids with more numbers are not put in a link (it would be unwieldy)
# A written link must open again: it stays under every server's limit on a request line (nginx in
# deploy/nginx.conf: 64 KB; Streamlit's own web server: ~128 KB), custom grids left out if need be.
MAX_LINK_CHARS = 60_000
LEFT_OUT = "_dsviz_left_out"  # this run: custom grids the link cannot carry
APP_RUN = "_dsviz_app_run"  # True from app.py's start to its end: a page part running alone sees False


def _store() -> dict[str, Any]:
    return st.session_state.setdefault(STATE, {})


def start_run() -> None:
    """Call first in every run: reads the link on a session's first run, and starts a new link."""
    if not st.session_state.get(LINK_READ):
        st.session_state[LINK_READ] = True
        raw = {key: st.query_params.get_all(key) for key in st.query_params}  # a repeated key: a list
        values, notices = SETTINGS.parse(raw)
        _store().update(values)
        st.session_state[NOTICES] = notices
    take_widget_changes()
    st.session_state[IN_LINK] = {}
    st.session_state[APP_RUN] = True


def end_run() -> None:
    """Call last in every run of app.py: a page part that reruns alone after this knows it is alone."""
    st.session_state[APP_RUN] = False


def app_running() -> bool:
    """True during a run of the whole app; False while a page part (:mod:`ui.parts`) reruns alone."""
    return st.session_state.get(APP_RUN, True)


def take_widget_changes() -> None:
    """Into the store: every widget value the student changed since its widget was seeded. A value
    taken becomes the seed: a page part that reruns alone (ui.parts) does not draw the widget again,
    and a move back to the value it was drawn with is a change too."""
    store, seeds = _store(), st.session_state.setdefault(SEEDS, {})
    # One read of the state, not two lookups for each of the ~230 settings: each lookup takes
    # Streamlit's session lock, and a missing key raises inside it (18 % of a cached K move's
    # GIL time, py-spy). The copy holds the ~40 values the session has.
    state = st.session_state.to_dict()
    for key in SETTINGS.settings:  # a widget the user just changed holds the newest value
        if key not in state:
            continue
        shown = state[key]
        if (key not in seeds or shown != seeds[key]) and SETTINGS[key].valid(shown):
            store[key] = seeds[key] = shown


def value(key: str) -> Any:
    """The chosen value of ``key``, or its default."""
    return _store().get(key, SETTINGS[key].default)


def values(*groups: str) -> dict[str, Any]:
    """Every setting of these groups (all groups when none are named): chosen or default."""
    store = _store()  # once: each session-state lookup costs Streamlit a lock and a widget check
    return {key: store.get(key, SETTINGS[key].default) for key in SETTINGS.keys(*groups)}


def choose(key: str, chosen: Any) -> None:
    """Set ``key`` from outside a widget (a custom grid's numbers)."""
    _store()[key] = chosen


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


def control(
    key: str,
    *,
    label: str | None = None,
    options: list[Any] | None = None,
    fallback: Any = None,
    **kwargs: Any,
) -> Any:
    """The widget for setting ``key``, drawn as its registry entry says; its session-state key is the
    setting's key.

    ``options`` may narrow the allowed values on this page (a row inside this output); a chosen value
    outside them is replaced by ``fallback`` (else the default), with a notice unless it was the
    default anyway.
    """
    setting = SETTINGS[key]
    label = label or setting.label
    kwargs.setdefault("help", setting.help)
    allowed = list(options) if options is not None else list(setting.examples())
    stored = value(key)
    if stored not in allowed:
        used = fallback if fallback is not None else setting.default
        if stored != setting.default:  # a choice that does not fit here: replaced, and said so
            listed = ", ".join(map(setting.format, allowed))  # plain words: no list brackets
            why = f"not one of {describe_ints(allowed) if isinstance(setting, Integer) else listed} here"
            notify(Notice(key, setting.format(stored), why, setting.format(used)))
            _store()[key] = used
        stored = used
    # Always seed from the store: on another page Streamlit makes a new widget under the same key, and
    # it would start from its own default (the store already holds the newest value, see start_run).
    st.session_state[key] = st.session_state.setdefault(SEEDS, {})[key] = stored
    chosen = _draw(setting, label, allowed, key, kwargs)
    in_link(key, value(key))  # a fallback the student did not choose stays out of the store and link
    return chosen


def _draw(setting: Any, label: str, allowed: list[Any], key: str, kwargs: dict[str, Any]) -> Any:
    widget = setting.widget if isinstance(setting, Integer) else type(setting).__name__
    if widget == "Choice":
        return st.selectbox(label, allowed, key=key, format_func=setting.label_of, **kwargs)
    if widget == "select":
        return st.selectbox(label, allowed, key=key, **kwargs)
    if widget == "steps":
        return st.select_slider(label, allowed, key=key, **kwargs)
    if widget == "slider":
        return st.slider(label, min(allowed), max(allowed), key=key, **kwargs)
    if widget == "number":
        return int(st.number_input(label, min(allowed), max(allowed), step=1, key=key, **kwargs))
    if widget == "Flag":
        return st.toggle(label, key=key, **kwargs)
    raise TypeError(f"{setting.key} has no widget: use ui.editor for {type(setting).__name__}")


def link_values(*, most_numbers: int | None = MAX_LINK_NUMBERS) -> tuple[dict[str, str], list[str]]:
    """This run's link so far as ``{key: text}`` (defaults left out), and the custom grids left out for
    having more than ``most_numbers`` numbers (None: keep every grid, as a settings file does)."""
    want, left_out = {}, []
    for key, chosen in st.session_state.get(IN_LINK, {}).items():
        setting = SETTINGS[key]
        if chosen is None or chosen == setting.default:
            continue
        if isinstance(setting, Numbers) and most_numbers is not None and len(chosen) > most_numbers:
            left_out.append(key)
            continue
        want[key] = setting.format(chosen)
    return want, left_out


def restore(raw: dict[str, list[str]]) -> None:
    """Every setting from ``raw`` (a settings file: key → texts, read by the link's strict parsers);
    what is missing is the default, what cannot be used is named in a notice."""
    values, notices = SETTINGS.parse(raw)
    _store().clear()
    _store().update(values)
    st.session_state[NOTICES] = notices


def link_url() -> str:
    """The whole link to this view (for the sidebar's copy box): the app's address and this run's link."""
    want, _ = link_values()
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:  # no browser behind this session (a test, a bare run): a relative link
        base = ""
    return f"{base}?{parse.urlencode(want)}" if want else base or "?"


def write_link() -> None:
    """Make the URL hold exactly this run's link (only when it changed: each write is a message)."""
    want, left_out = link_values()
    # The last grids (in the registry's order) leave first: a fixed order, so that the link of the view
    # this link opens (the grids left out are the default numbers there) is this link again.
    grids = [key for key in SETTINGS.settings if key in want and isinstance(SETTINGS[key], Numbers)]
    while grids and len(parse.urlencode(want)) > MAX_LINK_CHARS:
        key = grids.pop()
        del want[key]
        left_out.append(key)
    st.session_state[LEFT_OUT] = left_out
    # get_all: a repeated key (?pg_k=5&pg_k=7) is rewritten to the one value in use
    if {key: [raw] for key, raw in want.items()} != {
        key: st.query_params.get_all(key) for key in st.query_params
    }:
        st.query_params.from_dict(want)


def notify(message: Notice) -> None:
    """A notice for the top of the page (shown until dismissed)."""
    notices = st.session_state.setdefault(NOTICES, [])
    if message not in notices:
        notices.append(message)


def notice_count() -> int:
    return len(st.session_state.get(NOTICES, []))


def show_notices() -> None:
    """One warning listing every link value that was not used, with a button to dismiss it; and,
    for this run only, the custom grids this view's link leaves out."""
    left_out = [SETTINGS[key].label for key in st.session_state.get(LEFT_OUT, [])]
    if left_out:
        st.warning(
            f"This view's link leaves out {', '.join(left_out)}: too many numbers for a link. Whoever "
            "opens the link gets the default numbers there.",
            icon="🔗",
        )
    notices = st.session_state.get(NOTICES)
    if not notices:
        return
    with st.container(border=True):
        listed = ", ".join(str(n) for n in notices)
        st.warning(f"Some settings in the link could not be used: {listed}.", icon="⚠️")
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
