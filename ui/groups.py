"""The groups page's pieces: the g control, its drawings (cached), the cost table and sentences."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dsviz import diagrams, figures, groups
from dsviz.cost import ConvCost
from dsviz.words import count
from ui import settings
from ui.memo import memo
from ui.stages import TILES


def choose_groups(m: int) -> int:
    """g over the divisors of M (a stored g that does not divide M falls to the next divisor below)."""
    allowed = groups.divisors(m)
    if len(allowed) == 1:
        st.markdown("**g = 1**")
        st.caption("With one input channel, a standard and a depthwise convolution are the same layer.")
        return 1
    below = max(g for g in allowed if g <= settings.value("gr_g"))
    return settings.control("gr_g", label=f"Groups g (divisors of M = {m})", options=allowed, fallback=below)


@memo(TILES)
def connection_svg(inputs: tuple[str, ...], outputs: tuple[str, ...], g: int) -> str:
    return diagrams.connections(list(inputs), list(outputs), g)


@memo(TILES)
def weight_svg(m: int, c: int, g: int, kernel_size: int) -> str:
    return diagrams.weight_tensor(m, c, g, kernel_size)


@memo(TILES)
def cost_figure(steps: tuple[groups.Step, ...], standard: ConvCost, g: int) -> go.Figure:
    """The MACs and parameters against g (:func:`dsviz.figures.groups_cost`), built once per
    setting for the whole server: Plotly takes ~7 ms to build it here, and Streamlit only reads it."""
    return figures.groups_cost(list(steps), standard, g)


def cost_table(steps: list[groups.Step], kernel_size: int) -> None:
    rows = [
        {
            "g": s.groups,
            "weight shape": f"({s.layer.out_channels}, {s.layer.in_channels // s.groups}, {kernel_size}, "
            f"{kernel_size})",
            "inputs per output": s.layer.in_channels // s.groups,
            "K×K layer MACs": s.layer.mult_adds,
            "K×K layer weights": s.layer.params,
            "+ pointwise MACs": s.mult_adds,
            "+ pointwise weights": s.params,
        }
        for s in steps
    ]
    numbers = {key: st.column_config.NumberColumn(format="localized") for key in rows[0]}
    del numbers["weight shape"]
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config=numbers, key="gr_table")


def times(a: int, b: int) -> str:
    """``a`` as a multiple of ``b``, in words that stay true either side of 1."""
    if a == b:
        return "exactly as many as"
    ratio = a / b
    return f"{ratio:.3g}× as many as" if ratio > 1 else f"{ratio:.3g}× (1/{b / a:.3g}) of"


def cost_sentences(step: groups.Step, first: groups.Step, block: groups.Step, standard: ConvCost) -> str:
    """What the chosen g costs, against g = 1 and against the standard convolution M → N."""
    g, m, layer = step.groups, step.layer.in_channels, step.layer
    share = "the same as" if g == 1 else f"exactly 1/{g} of"
    lines = [
        f"At **g = {g}** the K×K layer needs **{layer.mult_adds:,} MACs** and **{layer.params:,} weights**: "
        f"{share} the standard K×K layer with the same outputs (g = 1: {first.layer.mult_adds:,} MACs), "
        f"because each output reads {count(m // g, 'channel')} of the {m}."
    ]
    if g > 1:
        lines.append(
            f"The pointwise stage after it adds the same {step.pointwise.mult_adds:,} MACs at every g, so "
            f"the pair costs less than g = 1's pair, but not {g} times less."
        )
    lines.append(
        f"The block (g = M, the star) needs {block.mult_adds:,} MACs: "
        f"{times(block.mult_adds, standard.mult_adds)} the standard K×K convolution M → N "
        f"({standard.mult_adds:,} MACs) that it replaces."
    )
    return " ".join(lines)


def trade_off(m: int) -> str:
    """What g buys and costs, in words true for every M, d, N, K the page allows."""
    if m == 1:
        return (
            "With one input channel there is nothing to group: every g is 1, and a standard, a grouped and "
            "a depthwise convolution are one and the same layer. Add filtered copies or a colour image in "
            "the sidebar to see the spectrum."
        )
    return (
        "**What g buys:** the K×K layer's MACs and weights fall exactly g-fold, because each output reads "
        "M/g channels instead of M.\n\n"
        "**What g costs:** channels in different groups never meet in this layer, and stacking more "
        "layers with the same groups does not change that. At g = M each output sees one channel: it can "
        "blur, sharpen or find edges within that channel, but it cannot combine one channel with another "
        "(red with green, an edge map with the photo).\n\n"
        "**Why a pointwise convolution follows:** a 1×1 convolution mixes all M·d maps into each of its N "
        "outputs. It is where the channels meet, and it has no K×K window: M·d·N MACs per pixel, K² times "
        "fewer than a K×K convolution between the same channels."
    )
