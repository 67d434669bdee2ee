"""The block's controls, for any page that lets the student change it, and the current block.

``depthwise_controls`` and ``pointwise_controls`` draw widgets only (their values go to
``ui.settings``); ``current_block`` builds the :class:`~dsviz.block.Block` those values describe
on the picture's channels. A page that only reads the block calls ``current_block`` alone.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from dsviz.block import CUSTOM, Block, block_from, custom_key, kernel_key
from dsviz.cost import Convention
from dsviz.registry import Notice
from ui import editor, settings, style
from ui.image import Picture

GEOMETRY = ("pg_k", "pg_stride", "pg_dil", "pg_padding", "pg_pad", "pg_d")
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


def depthwise_controls(picture: Picture) -> None:
    """K, stride, dilation, padding, d, and one kernel picker per channel and slot."""
    with style.row():
        for key in GEOMETRY:
            disabled = key == "pg_pad" and settings.value("pg_padding") == "valid"
            settings.control(key, disabled=disabled)
    shared = settings.control("pg_shared")
    d = settings.value("pg_d")
    owners = ["all channels"] if shared else list(picture.labels)
    with style.row():
        for channel, owner, r in [(i, owner, r) for i, owner in enumerate(owners) for r in range(d)]:
            settings.control(kernel_key(channel, r), label=kernel_title(owner, r, d))
    substitutions()


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


def pointwise_controls() -> None:
    """N, the weights preset, batch norm and the activation."""
    with style.row():
        for key in ("pg_n", "pg_pw", "pg_bn", "pg_act"):
            settings.control(key)


def custom_weight_editor(block: Block) -> None:
    if block.pointwise.preset == CUSTOM:
        editor.grid(
            "pg_pwc",
            block.weights(),
            title="Pointwise weights P (one row per output, one column per depthwise map)",
            rows=[f"out {n}" for n in range(block.n)],
            columns=block.map_labels(),
        )


def cost_convention() -> Convention:
    """How the cost card counts: MACs or FLOPs, bias, BN numbers."""
    with style.row():
        unit = settings.control("pg_unit")
        bias = settings.control("pg_bias")
        bn = settings.control("pg_bnp")
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
