"""The block's controls, for any page that lets the student change it, and the current block.

``depthwise_controls`` and ``pointwise_controls`` draw widgets only (their values go to
``ui.settings``); ``current_block`` builds the :class:`~dsviz.block.Block` those values describe
on the picture's channels. A page that only reads the block calls ``current_block`` alone. A page
that draws each stage's results as a part of its own (``ui.parts``) passes the parts' keys: a
control's move then reruns the parts it changes (:func:`stages_changed`), not the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dsviz.block import CUSTOM, MAX_MULTIPLIER, Block, block_from, custom_key, kernel_key
from dsviz.cost import Convention
from dsviz.inputs import MAX_CHANNELS
from dsviz.registry import Notice
from ui import editor, settings, style
from ui.image import Picture
from ui.parts import drawn_while_open, rerun

GEOMETRY = ("pg_k", "pg_stride", "pg_dil", "pg_padding", "pg_pad", "pg_d")
POINTWISE = ("pg_n", "pg_pw", "pg_bn", "pg_act")
CONVENTION = ("pg_unit", "pg_bias", "pg_bnp")
# The block's stages in page order: a move changes its own stage and every one after it (the
# outputs mix the depthwise maps; the cost counts both).
STAGES = ("depthwise", "pointwise", "cost")
# Moves that change the controls themselves: the pad's state ('valid' has none), the kernel pickers.
RESHAPING = ("pg_padding", "pg_d", "pg_shared")
INLINE_PICKERS = 12  # kernel pickers drawn on the page; more go in an expander (pickers_box)
PICKERS_OPEN = "dsviz_kernel_pickers"  # that expander's key: whether it is open
KERNELS = frozenset(kernel_key(c, r) for c in range(MAX_CHANNELS) for r in range(MAX_MULTIPLIER))
Parts = Mapping[str, str]  # stage → the key of the page part (ui.parts.live) that draws its results
_SUBSTITUTED = "_dsviz_substituted"  # this run's sentences on kernels missing at K


def current_block(picture: Picture) -> Block:
    """The block the settings describe on this picture's channels; it also goes into the link.
    Substitutions are said where the kernels are shown (:func:`substitutions`)."""
    block, notes = block_from(settings.values("block"), picture.labels, picture.colours)
    for note in notes:
        if isinstance(note, Notice):  # stored numbers that do not fit: say so with the link notices
            settings.notify(note)
    st.session_state[_SUBSTITUTED] = [note for note in notes if not isinstance(note, Notice)]
    settings.use_block(block)
    return block


def substitutions() -> None:
    """The kernels this block uses in place of one chosen ("Sobel x has no 1×1 form: …")."""
    for note in st.session_state.get(_SUBSTITUTED, []):
        st.caption(note)


def depthwise_controls(picture: Picture, parts: Parts | None = None) -> None:
    """K, stride, dilation, padding, d, and one kernel picker per channel and slot. (The kernels
    used in place of one chosen are said with the results: :func:`substitutions`.)"""
    with style.row():
        for key in GEOMETRY:
            disabled = key == "pg_pad" and settings.value("pg_padding") == "valid"
            settings.control(key, disabled=disabled, **_reruns(key, parts))
    shared = settings.control("pg_shared", **_reruns("pg_shared", parts))
    d = settings.value("pg_d")
    owners = ["all channels"] if shared else list(picture.labels)
    box = pickers_box(len(owners), d)
    if box is None:
        return
    with box, style.row():
        for channel, owner, r in [(i, owner, r) for i, owner in enumerate(owners) for r in range(d)]:
            key = kernel_key(channel, r)
            settings.control(key, label=kernel_title(owner, r, d), **_reruns(key, parts))


def pickers_box(owners: int, d: int) -> DeltaGenerator | None:
    """Where the kernel pickers go: on the page, or, when there are more than
    :data:`INLINE_PICKERS`, in an expander that draws them only while it is open (None: closed).
    Each channel's row in the results shows its kernels anyway, and 48 pickers (24 channels,
    d = 2) drawn on every whole-page run were 0.7-1 s of Chromium's scripting when the heavy view
    of benchmarks/app_speed.py opened (CDP Performance metrics: 2.7-2.9 s → 1.8-2.2 s). The
    choices stay in the settings and the link either way."""
    count = owners * d
    if count <= INLINE_PICKERS:
        return st.container()
    per = f" × {d} kernels each" if d > 1 else ""
    label = f"Choose the kernels: {count} pickers ({owners} channels{per})"
    return drawn_while_open(label, PICKERS_OPEN, icon=":material/tune:")


def stages_changed(key: str, before: Any, after: Any, chosen: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The stages a move of ``key`` from ``before`` to ``after`` changes, in page order; None when it
    changes the controls themselves, which only a run of the whole page draws: d, shared and padding
    (:data:`RESHAPING`), a choice to or from custom numbers (a grid comes or goes), K with a custom
    kernel or N with custom weights (a grid changes size). ``chosen``: the block's settings."""
    if key in RESHAPING or CUSTOM in (before, after):
        return None
    if key == "pg_k" and any(chosen.get(k) == CUSTOM for k in KERNELS):
        return None
    if key == "pg_n" and chosen["pg_pw"] == CUSTOM:
        return None
    first = "cost" if key in CONVENTION else "pointwise" if key in POINTWISE else "depthwise"
    return STAGES[STAGES.index(first) :]


def rerun_stages(key: str, parts: Parts) -> None:
    """A control's callback: rerun the parts of the stages its move changes; returning without a
    rerun of its own, it lets Streamlit rerun the whole page."""
    changed = stages_changed(key, settings.value(key), st.session_state[key], settings.values("block"))
    if changed is not None:
        rerun([parts[stage] for stage in changed])


def _reruns(key: str, parts: Parts | None) -> dict[str, Any]:
    """The widget arguments that make a move of ``key`` rerun only the parts it changes."""
    return {} if parts is None else {"on_change": rerun_stages, "args": (key, parts)}


def kernel_title(owner: str, slot: int, d: int) -> str:
    return f"Kernel for {owner}" + (f" (#{slot + 1} of {d})" if d > 1 else "")


def custom_kernel_editors(block: Block) -> None:
    """A grid for every custom kernel in use (channel 0's only, when one kernel serves all)."""
    dw = block.depthwise
    owners = 1 if settings.value("pg_shared") else block.m
    for j, choice in enumerate(dw.kernels[: owners * dw.multiplier]):
        if choice.name != CUSTOM:
            continue
        channel, slot = divmod(j, dw.multiplier)
        owner = "all channels" if owners == 1 else block.channels[channel]
        size = dw.kernel_size
        editor.grid(
            custom_key(channel, slot),
            np.array(choice.numbers, dtype=np.float32).reshape(size, size),
            title=kernel_title(owner, slot, dw.multiplier),
            rows=[f"row {i + 1}" for i in range(size)],
            columns=[f"col {i + 1}" for i in range(size)],
        )


def pointwise_controls(parts: Parts | None = None) -> None:
    """N, the weights preset, batch norm and the activation."""
    with style.row():
        for key in POINTWISE:
            settings.control(key, **_reruns(key, parts))


def custom_weight_editor(block: Block) -> None:
    if block.pointwise.preset == CUSTOM:
        editor.grid(
            "pg_pwc",
            block.weights(),
            title="Pointwise weights P (one row per output, one column per depthwise map)",
            rows=[f"out {n}" for n in range(block.n)],
            columns=block.map_labels(),
        )


def cost_convention(parts: Parts | None = None) -> Convention:
    """How the cost card counts: MACs or FLOPs, bias, BN numbers."""
    with style.row():
        unit, bias, bn = (settings.control(key, **_reruns(key, parts)) for key in CONVENTION)
    return Convention(unit=unit, bias=bias, batch_norm=bn)


def convention_value() -> Convention:
    """The cost convention chosen on the Playground, for a page that counts without its widgets."""
    settings.use("cost")
    return Convention(
        unit=settings.value("pg_unit"), bias=settings.value("pg_bias"), batch_norm=settings.value("pg_bnp")
    )


def receptive_field(block: Block) -> str:
    """Where a depthwise output pixel looks: its window, its taps, its step."""
    dw = block.depthwise
    span = dw.dilation * (dw.kernel_size - 1) + 1
    taps = f": {dw.kernel_size}×{dw.kernel_size} taps {dw.dilation} px apart" if dw.dilation > 1 else ""
    return (
        f"Each depthwise output pixel reads a {span}×{span} px window of its channel (its receptive "
        f"field{taps}); the window moves {dw.stride} px from one output pixel to the next."
    )
