"""The live cost card: the standard convolution M → N next to depthwise + pointwise, exactly counted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dsviz import cost, equations, figures, timing
from ui import state

UNITS = ("MACs", "FLOPs")
BN_COUNTS = ("none", "trainable", "stored")
INTENSITY_HELP = "Arithmetic intensity: MACs ÷ (input + weights + output bytes). Low means memory-bound."
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


def _row(layers: list[cost.ConvCost], conv: cost.Convention) -> dict[str, float]:
    moved = sum(c.bytes_moved for c in layers)  # input + weights + output of each layer
    return {
        conv.unit: sum(c.compute(conv) for c in layers),
        "params": sum(c.counted_params(conv) for c in layers),
        "output bytes": sum(c.activation_bytes for c in layers),
        "MACs per byte moved": sum(c.mult_adds for c in layers) / moved,
    }


def _table(sep: cost.SeparableCost, conv: cost.Convention) -> pd.DataFrame:
    """One row per stage, both stages together, and the standard convolution."""
    rows = {
        "depthwise": [sep.depthwise],
        "pointwise": [sep.pointwise],
        "separable (dw + pw)": [sep.depthwise, sep.pointwise],
        "standard": [sep.standard],
    }
    return pd.DataFrame.from_dict({name: _row(layers, conv) for name, layers in rows.items()}, orient="index")


def headline(sep: cost.SeparableCost, conv: cost.Convention) -> str:
    """One sentence for the top of a page: how much the factorisation saves here."""
    cmp = sep.compare(conv)
    return (
        f"**{cmp.standard_compute / cmp.separable_compute:.1f}× fewer {conv.unit}** than a standard "
        f"convolution ({cmp.separable_compute:,} vs {cmp.standard_compute:,}) and "
        f"**{cmp.standard_params / cmp.separable_params:.1f}× fewer weights** ({cmp.separable_params:,} vs "
        f"{cmp.standard_params:,}) for this layer — details in section 4."
    )


def render(sep: cost.SeparableCost, prefix: str) -> cost.Convention:
    """The card: headline sentence, metrics, per-stage table, bar chart, and the filled-in formulas.
    Returns the counting convention the reader chose."""
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
        f"-{cmp.saved_compute:,} ({-float(1 - cmp.compute_ratio):.0%})",  # ASCII "-": Streamlit reads it
        delta_color="inverse",
    )
    cols[2].metric("ratio separable / standard", f"{float(cmp.compute_ratio):.4f}")
    st.dataframe(
        _table(sep, conv),
        width="stretch",
        column_config={
            conv.unit: st.column_config.NumberColumn(format="localized"),
            "params": st.column_config.NumberColumn(format="localized"),
            "output bytes": st.column_config.NumberColumn(format="localized", help="float32"),
            "MACs per byte moved": st.column_config.NumberColumn(format="%.2f", help=INTENSITY_HELP),
        },
    )
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
    return conv


def _speed_words(speedup: float) -> str:
    return f"{speedup:.1f}× faster" if speedup >= 1 else f"{1 / speedup:.1f}× slower"


def measure(shape: tuple[int, int, int], sep: cost.SeparableCost, prefix: str) -> None:
    """On demand: time both forms on this server, and say why the speed-up trails the MAC ratio."""
    std, dw = sep.standard, sep.depthwise
    settings = (shape, std.out_channels, std.kernel_size, sep.multiplier, std.stride, std.dilation)
    slot = f"_{prefix}_timing"
    if st.button("Time both on this server", key=f"{prefix}_time", help="Median of 7 interleaved runs"):
        with st.spinner("Timing…"):
            result = timing.time_layer(
                shape,
                std.out_channels,
                std.kernel_size,
                multiplier=sep.multiplier,
                stride=std.stride,
                dilation=std.dilation,
            )
        st.session_state[slot] = (settings, result)
    stored = st.session_state.get(slot)
    if not stored or stored[0] != settings:
        st.caption("The MAC count predicts the speed-up; press the button to see what this machine does.")
        return
    result = stored[1]
    st.markdown(
        f"**Measured here:** standard {result.standard_ms:.2f} ms · separable {result.separable_ms:.2f} ms "
        f"(depthwise {result.depthwise_ms:.2f} + pointwise {result.pointwise_ms:.2f}) → "
        f"**{_speed_words(result.speedup)}**, where the MAC count promises **{float(sep.reduction):.1f}× "
        "faster**."
    )
    promised = float(sep.reduction)
    if result.speedup < 0.8 * promised:
        why = (
            f"Why the gap: the depthwise stage does {float(dw.arithmetic_intensity):.2f} MACs per byte it "
            f"reads and writes, the standard convolution {float(std.arithmetic_intensity):.2f}. With so "
            "little arithmetic per byte, the separable block waits on memory rather than on multiplications, "
            "so its fewer MACs do not turn into proportionally less time."
        )
    else:
        why = (
            "Here the separable block keeps (or beats) its promise: with few input channels the standard "
            "convolution cannot keep the processor's vector units busy either. The gap usually opens as M "
            "grows — add filtered copies in the sidebar and time again."
        )
    st.caption(f"{why} (Both forms run through the same dsviz/PyTorch code; median of 7 interleaved runs.)")
