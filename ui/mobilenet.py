"""The MobileNet page's pieces: the network controls, the cached network and figures, the tables (with
their CSV), and the sentences whose numbers depend on the chosen α and ρ.

The page's settings (``mn_net``, ``mn_alpha``, ``mn_res``, ``mn_full``) live in the registry; each
network narrows α and ρ to the values its paper defines. The layer picker (``mn_layer``) is the page's
own widget: which layer to open in the Playground is not part of the view a link describes.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from fractions import Fraction
from urllib import parse

import pandas as pd
import streamlit as st

from dsviz import netfigures, plotspec
from dsviz.block import MAX_OUT, SETTINGS
from dsviz.cost import Convention
from dsviz.mobilenet import (
    PUBLISHED_SWEEP,
    TABLE_2_PRINTED,
    LayerRow,
    Network,
    mobilenet_v1,
    separable_pairs,
)
from dsviz.mobilenet_v2 import mobilenet_v2, paper_rounding, rounded_millions, truncated_millions
from ui import settings
from ui.memo import memo
from ui.stages import TILES

# The width multipliers and resolutions each paper defines (registry values: α as strings).
ALPHAS = {"v1": ["0.25", "0.5", "0.75", "1.0"], "v2": ["0.35", "0.5", "0.75", "1.0", "1.3", "1.4"]}
RESOLUTIONS = {"v1": [128, 160, 192, 224], "v2": [96, 128, 160, 192, 224]}
BASE = 224  # the papers' reference resolution
NUMBER = st.column_config.NumberColumn(format="localized")


@dataclass(frozen=True)
class Choice:
    """The chosen network, as plain values (the memo key)."""

    net: str  # "v1" | "v2"
    alpha: str  # "0.35", as in the link
    resolution: int
    full_conv: bool  # v1 only


def nearest(allowed: list, stored: object) -> object:
    """The allowed value closest to a stored one that this network does not define (0.25 → 0.35)."""
    return min(allowed, key=lambda v: abs(float(v) - float(stored)))  # type: ignore[arg-type]


def choose() -> Choice:
    """Network, α, ρ (and full convolutions for v1), side by side."""
    cols = st.columns([1.4, 0.8, 1.4, 1.4])
    with cols[0]:
        net = settings.control("mn_net")
    alphas, resolutions = ALPHAS[net], RESOLUTIONS[net]
    with cols[1]:
        alpha = settings.control(
            "mn_alpha", options=alphas, fallback=nearest(alphas, settings.value("mn_alpha"))
        )
    with cols[2]:
        res = settings.control(
            "mn_res", options=resolutions, fallback=nearest(resolutions, settings.value("mn_res"))
        )
    full = False
    if net == "v1":
        with cols[3]:
            full = settings.control("mn_full")
    return Choice(net, alpha, res, full)


@memo(TILES)
def network(choice: Choice) -> Network:
    alpha = Fraction(choice.alpha)  # exact: "0.35" is 7/20
    if choice.net == "v2":
        return mobilenet_v2(alpha, choice.resolution)
    return mobilenet_v1(alpha, choice.resolution, full_conv=choice.full_conv)


def reference(choice: Choice) -> Network:
    """The same network at α = 1.0, ρ = 224: what α and ρ scale."""
    return network(Choice(choice.net, "1.0", BASE, choice.full_conv))


# --------------------------------------------------------------------------- headline


def convention(choice: Choice, net: Network) -> str:
    """What the totals count, in the words of ``dsviz.mobilenet``'s and ``dsviz.mobilenet_v2``'s docstrings,
    and how they become the paper's printed numbers."""
    if choice.net == "v2":
        return paper_rounding(net).replace("\n", "\n\n")
    with_bias = net.counted_params(Convention(bias=True))
    with_bn = net.counted_params(Convention(bias=True, batch_norm="trainable"))
    lines = [
        f"Rounded as the v1 paper prints its counts: {rounded_millions(net.mult_adds)}M mult-adds, "
        f"{rounded_millions(net.params, 1)}M params."
    ]
    for alpha, res, _, macs, params in PUBLISHED_SWEEP:
        if not choice.full_conv and (alpha, res) == (net.alpha, net.resolution):
            table = "Tables 6–7" if (alpha, res) == (1, BASE) else ("Table 6" if res == BASE else "Table 7")
            lines.append(
                f"The paper prints {macs}M and {params}M for this model ({table}): "
                + agreement(net, macs, params)
            )
    lines.append(
        "Counted as in the paper: mult-adds of conv and FC layers only; params = conv and FC weights only "
        f"(no bias, no BatchNorm). With the FC bias: {with_bias:,} params; with BatchNorm's γ and β as "
        f"well: {with_bn:,}, what torch's numel() counts for the real model. Bias additions, BatchNorm, "
        "ReLU and pooling add no mult-adds to the count."
    )
    return "\n\n".join(lines)


def agreement(net: Network, macs: int, params: float) -> str:
    """How the paper's printed millions relate to our exact counts (its rounding is not uniform)."""
    ours = (rounded_millions(net.mult_adds), rounded_millions(net.params, 1))
    if ours == (str(macs), str(params)):
        return "the same."
    if truncated_millions(net.mult_adds) == str(macs) and ours[1] == str(params):
        return (
            f"its {macs}M is our {net.mult_adds:,} cut after the digit, not rounded (that gives {ours[0]}M)."
        )
    return f"not ours rounded ({ours[0]}M, {ours[1]}M)."


# --------------------------------------------------------------------------- the layer table

COLUMNS = ("layer", "type", "stride", "input (H×W×C)", "output (H×W×C)", "MACs", "params", "output bytes")
INTENSITY = "MACs/byte"


def shape(s: tuple[int, int, int]) -> str:
    return "×".join(map(str, s))


@memo(TILES)
def layer_table(choice: Choice) -> pd.DataFrame:
    """One line per layer and a last line of totals (MACs/byte there: all MACs over all bytes moved)."""
    net = network(choice)
    rows: list[LayerRow] = list(net.rows)
    table = pd.DataFrame(
        {
            "layer": [r.name for r in rows] + ["total"],
            "type": [netfigures.type_name(r.type) for r in rows] + [""],
            "stride": pd.array([r.stride for r in rows] + [None], dtype="Int64"),
            "input (H×W×C)": [shape(r.input_shape) for r in rows] + [""],
            "output (H×W×C)": [shape(r.output_shape) for r in rows] + [""],
            "MACs": [r.mult_adds for r in rows] + [net.mult_adds],
            "params": [r.params for r in rows] + [net.params],
            "output bytes": [r.activation_bytes for r in rows] + [sum(r.activation_bytes for r in rows)],
            INTENSITY: [float(r.arithmetic_intensity) for r in rows]
            + [net.mult_adds / sum(r.bytes_moved for r in rows)],
        }
    )
    table.flags.allows_duplicate_labels = False
    return table


@memo(TILES)
def table_csv(choice: Choice) -> bytes:
    # float_format None: each MACs/byte is written as its shortest exact text, so it reads back equal
    return layer_table(choice).to_csv(index=False).encode("utf-8")


def file_name(choice: Choice) -> str:
    full = "_full_conv" if choice.full_conv else ""
    return f"mobilenet_{choice.net}_{choice.alpha}_{choice.resolution}{full}_layers.csv"


def show_layer_table(choice: Choice) -> None:
    config = {key: NUMBER for key in ("MACs", "params", "output bytes")}
    config[INTENSITY] = st.column_config.NumberColumn(format="%.2f")
    st.dataframe(layer_table(choice), hide_index=True, column_config=config, key="mn_table", height=420)
    st.download_button(
        "Download the table (CSV)",
        table_csv(choice),
        file_name=file_name(choice),
        mime="text/csv",
        on_click="ignore",  # a download needs no rerun
        key="mn_csv",
        icon=":material/download:",
    )


# --------------------------------------------------------------------------- by layer type


def breakdown(choice: Choice, net: Network) -> None:
    """The paper's Table 2 for the chosen network; v1 at 1.0-224 beside the printed numbers. The pool
    (no mult-adds, no weights; not in the paper's table) is left out."""
    shares = [s for s in net.breakdown() if s.type != "avgpool"]
    table = pd.DataFrame(
        {
            "type": [netfigures.type_name(s.type) for s in shares],
            "layers": [s.layers for s in shares],
            "MACs": [s.mult_adds for s in shares],
            "% of MACs": [float(s.mult_adds_share) * 100 for s in shares],
            "params": [s.params for s in shares],
            "% of params": [float(s.params_share) * 100 for s in shares],
        }
    )
    config = {
        "MACs": NUMBER,
        "params": NUMBER,
        "% of MACs": st.column_config.NumberColumn(format="%.2f %%"),
        "% of params": st.column_config.NumberColumn(format="%.2f %%"),
    }
    table_2 = choice.net == "v1" and not choice.full_conv and (net.alpha, net.resolution) == (1, BASE)
    if table_2:
        table["paper: % of MACs"] = [TABLE_2_PRINTED[s.type][0] for s in shares]
        table["paper: % of params"] = [TABLE_2_PRINTED[s.type][1] for s in shares]
        for key in ("paper: % of MACs", "paper: % of params"):
            config[key] = st.column_config.NumberColumn(format="%.2f %%")
    st.dataframe(table, hide_index=True, column_config=config, key="mn_breakdown")
    if choice.net == "v1":
        st.markdown(misprint_sentence())
        if not table_2:
            st.caption(
                "The paper's Table 2 is for 1.0 MobileNet-224: choose α = 1.0, ρ = 224 (without full "
                "convolutions) to see its numbers beside ours."
            )


def misprint_sentence() -> str:
    """Table 2's 1.19 %, checked against our exact count (true by construction: computed here)."""
    net = mobilenet_v1()
    first = next(s for s in net.breakdown() if s.type == "conv3x3")
    ours = round(float(first.mult_adds_share) * 100, 2)
    printed = {kind: m for kind, (m, _) in TABLE_2_PRINTED.items()}
    with_ours = sum(printed.values()) - printed["conv3x3"] + ours
    return (
        f"The paper's Table 2 prints **{printed['conv3x3']:.2f} %** of the mult-adds for the first "
        f"(standard) 3×3 conv; our exact count is {first.mult_adds:,} of {net.mult_adds:,} = "
        f"**{ours:.2f} %**, the same digits swapped, and only {ours:.2f} makes the printed column add up "
        f"to 100 % ({with_ours:.2f} by rounding; with {printed['conv3x3']:.2f} it is "
        f"{sum(printed.values()):.2f})."
    )


# --------------------------------------------------------------------------- figures


def title(choice: Choice) -> str:
    full = ", full convolutions" if choice.full_conv else ""
    return f"MobileNet {choice.net}, α = {choice.alpha}, ρ = {choice.resolution}{full}"


@memo(TILES)
def layer_bars(choice: Choice) -> plotspec.Spec:
    return netfigures.layer_bars(network(choice), f"{title(choice)}: where the mult-adds and the weights are")


@memo(TILES)
def sweep_figure() -> plotspec.Spec:
    return netfigures.sweep(sweep_networks())


def sweep_networks() -> list[Network]:
    # str(float(α)) is the registry's text for α: "0.25", "1.0"
    return [network(Choice("v1", str(float(alpha)), res, False)) for alpha, res, *_ in PUBLISHED_SWEEP]


def sweep_table() -> None:
    rows = [
        {
            "α": str(float(alpha)),  # as the page writes it: "1.0"
            "ρ": res,
            "top-1 % (as published)": top1,
            "MACs (paper, M)": macs,
            "MACs (ours, exact)": net.mult_adds,
            "params (paper, M)": params,
            "params (ours, exact)": net.params,
        }
        for net, (alpha, res, top1, macs, params) in zip(sweep_networks(), PUBLISHED_SWEEP, strict=True)
    ]
    config = {key: NUMBER for key in ("MACs (ours, exact)", "params (ours, exact)")}
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config=config, key="mn_sweep_table")


# --------------------------------------------------------------------------- α and ρ


def conv_macs(net: Network) -> int:
    return sum(row.mult_adds for row in net if row.type != "fc")


def fc_macs(net: Network) -> int:
    return sum(row.mult_adds for row in net if row.type == "fc")


def scaling_note(choice: Choice, net: Network) -> str:
    """What α and ρ change, in claims that hold for every α and ρ the page offers (tests check them),
    then this network's own ratio."""
    base = reference(choice)
    alpha = Fraction(choice.alpha)
    expected = alpha**2 * Fraction(choice.resolution, BASE) ** 2
    ratio = Fraction(net.mult_adds, base.mult_adds) / expected
    rho = (
        "**ρ** changes only the sizes of the maps: the params do not depend on ρ at all. Every ρ offered is "
        "a multiple of 32, so after each of the five stride-2 layers the map side is exactly ρ/2 … ρ/32, "
        "and every conv's mult-adds scale by exactly (ρ/224)²; the FC's "
        f"{fc_macs(net):,} mult-adds do not, so below ρ = 224 the total stays a little above (ρ/224)² × "
        "the ρ = 224 count."
    )
    if choice.net == "v1":
        width = (
            "**α** multiplies every width, and exactly so here (every width of v1 is a multiple of 32, so "
            "int(c·α) drops nothing). Layers whose input and output widths both shrink (the 1×1 convs, and "
            "the 3×3 convs of the full-convolution variant) scale by α²; the first conv (3 input channels), "
            "the depthwise convs (one filter per channel) and the FC (1000 classes) by α only. So below "
            "α = 1 the mult-adds and params stay above α² × their α = 1.0 counts."
        )
    else:
        small = network(Choice("v2", "0.35", BASE, False))
        big = network(Choice("v2", "1.0", BASE, False))
        squared = Fraction(7, 20) ** 2
        width = (
            "**α** multiplies every width, then v2 rounds each to a multiple of 8 (at α = 0.35 the first "
            "conv's 32 · 0.35 = 11.2 channels become 16), and it keeps the last 1×1 conv at 1280 channels "
            "for α ≤ 1 (1792 at α = 1.4), so the FC keeps all its 1280 · 1000 = 1,280,000 weights at every "
            "α ≤ 1. The counts therefore do not scale as α²: at α = 0.35 (ρ = 224) the params are "
            f"{float(Fraction(small.params, big.params) / squared):.2f}× α² × the α = 1.0 count, the "
            f"mult-adds {float(Fraction(small.mult_adds, big.mult_adds) / squared):.2f}×."
        )
    here = (
        f"Here: {net.mult_adds:,} mult-adds = **{float(ratio):.3f}** × α²·(ρ/224)² × the α = 1.0, ρ = 224 "
        f"count ({base.mult_adds:,}); {net.params:,} params = {float(Fraction(net.params, base.params)):.3f} "
        f"× its {base.params:,} (α² = {float(alpha**2):.4g})."
    )
    return f"{rho}\n\n{width}\n\n{here}"


# --------------------------------------------------------------------------- into the Playground


def label_of(row: LayerRow) -> str:
    c_in, c_out = row.input_shape[2], row.output_shape[2]
    return f"{row.name} · {netfigures.type_name(row.type)}, {c_in} → {c_out}, stride {row.stride}"


def playground_query(dw: LayerRow, pw: LayerRow) -> dict[str, str]:
    """The Playground's link values for a depthwise separable pair: its K, its stride and its outputs
    (at most the Playground's MAX_OUT), written by the registry so they parse back."""
    values = {"pg_k": dw.kernel_size, "pg_stride": dw.stride, "pg_n": min(pw.output_shape[2], MAX_OUT)}
    return {key: SETTINGS[key].format(value) for key, value in values.items()}


def open_in_playground(net: Network) -> None:
    pairs = separable_pairs(net)
    if not pairs:
        st.info(
            "The full-convolution variant has no depthwise separable layer: turn off “Full convolutions” to "
            "choose one."
        )
        return
    by_name = {row.name: (dw, pw) for dw, pw in pairs for row in (dw, pw)}
    rows = {row.name: row for row in net}
    # the page's own widget: a layer of another network (or none yet) starts at the first stride-2 block
    if st.session_state.get("mn_layer") not in by_name:
        st.session_state["mn_layer"] = next((dw.name for dw, _ in pairs if dw.stride == 2), pairs[0][0].name)
    name = st.selectbox(
        "A depthwise or 1×1 layer (with the other half of its block)",
        list(by_name),
        format_func=lambda n: label_of(rows[n]),
        key="mn_layer",
    )
    dw, pw = by_name[name]
    query = playground_query(dw, pw)
    n = int(query["pg_n"])
    capped = (
        f" (the Playground's maximum; the layer has {pw.output_shape[2]})" if n < pw.output_shape[2] else ""
    )
    st.markdown(
        f"**{dw.name}** ({dw.kernel_size}×{dw.kernel_size} depthwise, stride {dw.stride}) then **{pw.name}** "
        f"(1×1 to {pw.output_shape[2]} channels) form one depthwise separable block: "
        f"[open it in the Playground ↗](./?{parse.urlencode(query)}) with K = {dw.kernel_size}, stride "
        f"{dw.stride} and N = {n}{capped}."
    )
    st.caption(
        f"The Playground runs the block on the photo's channels (3 for a colour photo), not on the layer's "
        f"{dw.input_shape[2]} input channels, and on the photo's size, not {dw.input_shape[0]}×"
        f"{dw.input_shape[1]}: the kind of computation is the layer's, the sizes are not."
    )


@memo(TILES)
def source(net: str) -> str:
    return inspect.getsource(mobilenet_v2 if net == "v2" else mobilenet_v1)
