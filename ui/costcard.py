"""The live cost card: the standard convolution M → N next to depthwise + pointwise, exactly counted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dsviz import cost, equations, figures
from ui import state

UNITS = ("MACs", "FLOPs")
BN_COUNTS = ("none", "trainable", "stored")
BN_LABELS = {"none": "no BN params", "trainable": "BN γ, β", "stored": "BN γ, β, mean, var"}


@st.cache_data(max_entries=64, show_spinner=False)
def separable(
    m: int, n: int, k: int, height: int, width: int, d: int, stride: int, dilation: int
) -> cost.SeparableCost:
    """Layers are built with bias and BN so the counting convention alone decides what is counted."""
    return cost.separable_cost(
        m, n, k, height, width, multiplier=d, stride=stride, dilation=dilation, bias=True, batch_norm=True
    )


def _convention(prefix: str) -> cost.Convention:
    cols = st.columns(3)
    with cols[0]:
        unit = state.select("Count compute in", UNITS, "MACs", f"{prefix}_unit", help="FLOPs = 2 × MACs")
    with cols[1]:
        bias = state.switch("Count bias params", False, f"{prefix}_bias")
    with cols[2]:
        bn = state.select("BN params", BN_COUNTS, "none", f"{prefix}_bnp", format_func=BN_LABELS.get)
    return cost.Convention(unit=unit, bias=bias, batch_norm=bn)


def _table(sep: cost.SeparableCost, conv: cost.Convention) -> pd.DataFrame:
    rows = {
        "depthwise": sep.depthwise,
        "pointwise": sep.pointwise,
        "standard": sep.standard,
    }
    table = pd.DataFrame(
        {
            conv.unit: [c.compute(conv) for c in rows.values()],
            "params": [c.counted_params(conv) for c in rows.values()],
            "output (KB, float32)": [round(c.activation_bytes / 1024, 1) for c in rows.values()],
            "MACs per byte moved": [round(float(c.arithmetic_intensity), 2) for c in rows.values()],
        },
        index=list(rows),
    )
    table.loc["separable (dw + pw)"] = [
        sep.depthwise.compute(conv) + sep.pointwise.compute(conv),
        sep.depthwise.counted_params(conv) + sep.pointwise.counted_params(conv),
        None,
        None,
    ]
    return table.loc[["depthwise", "pointwise", "separable (dw + pw)", "standard"]]


def render(sep: cost.SeparableCost, prefix: str) -> None:
    """The card: headline sentence, metrics, per-stage table, bar chart, and the filled-in formulas."""
    conv = _convention(prefix)
    cmp = sep.compare(conv)
    compute_x = cmp.standard_compute / cmp.separable_compute
    params_x = cmp.standard_params / cmp.separable_params
    st.markdown(
        f"#### {compute_x:.1f}× fewer {conv.unit}, {params_x:.1f}× fewer parameters\n"
        f"Depthwise + pointwise needs **{cmp.separable_compute:,}** {conv.unit} where the standard "
        f"{sep.standard.kernel_size}×{sep.standard.kernel_size} convolution from "
        f"{sep.standard.in_channels} to {sep.standard.out_channels} channels needs "
        f"**{cmp.standard_compute:,}**."
    )
    cols = st.columns(3)
    cols[0].metric(f"standard ({conv.unit})", f"{cmp.standard_compute:,}")
    cols[1].metric(
        f"separable ({conv.unit})",
        f"{cmp.separable_compute:,}",
        f"−{cmp.saved_compute:,}",
        delta_color="inverse",
    )
    cols[2].metric("ratio separable / standard", f"{float(cmp.compute_ratio):.4f}")
    st.dataframe(_table(sep, conv), width="stretch")
    bars = {
        "standard": {"standard conv": sep.standard.compute(conv)},
        "separable": {"depthwise": sep.depthwise.compute(conv), "pointwise": sep.pointwise.compute(conv)},
    }
    st.plotly_chart(figures.cost_bars(bars, conv.unit), key=f"{prefix}_costbars")
    st.latex(equations.filled_costs(sep))
    st.latex(equations.filled_ratio(sep))
    if not sep.seed_is_exact:
        st.caption(
            "The seed's 1/N + 1/D_K² assumes depth multiplier 1 and one group; with these settings the "
            "exact ratio above differs from it."
        )
    st.caption(f"Counted — {conv.describe()}. Output sizes assume float32 (4 bytes per value).")
