"""The live cost card: the standard convolution M → N next to depthwise + pointwise, exactly counted,
and, on demand, both timed on this server and placed on its roofline.

The counting convention (MACs or FLOPs, bias, BN numbers) is chosen by the caller's own widgets; this
module creates only its own button, keyed ``f"{key}_…"``.
"""

from __future__ import annotations

import threading

import pandas as pd
import streamlit as st

from dsviz import charts, cost, equations, roofline, timing
from dsviz.words import count
from ui import style
from ui.memo import memo
from ui.stages import TILES

INTENSITY_HELP = (
    "Arithmetic intensity: MACs ÷ bytes moved (input + weights + output, float32, each read or written "
    "once). Whether a stage is memory-bound depends on the machine: only below its balance point (peak "
    "MAC rate ÷ memory bandwidth, measured with the timing button below) would memory limit it."
)
TIMING_HELP = (
    "Times the standard convolution, the depthwise and the pointwise stage in interleaved rounds (about "
    "1–2 s; a huge layer is timed on a crop). The first press also measures this machine's roofline."
)
KEEP_RESULTS = 8  # timings kept per session (one per combination of settings)


# --------------------------------------------------------------------------- words (pure)


def ratio_words(standard: int, separable: int, noun: str) -> str:
    """``4.2× fewer MACs`` / ``2.2× more MACs`` / ``the same number of MACs``: the separable count
    against the standard one, following the sign of the difference."""
    if separable == standard:
        return f"the same number of {noun}"
    if separable < standard:
        return f"{timing.times(standard / separable)} fewer {noun}"
    return f"{timing.times(separable / standard)} more {noun}"


def _than(standard: int, separable: int) -> str:
    return "as" if standard == separable else "than"


def params_counted(sep: cost.SeparableCost, conv: cost.Convention) -> list[str]:
    """What the parameter counts include under ``conv`` for these layers: weights, and biases or BN
    numbers only when the convention counts them *and* the layers have them."""
    counted = ["weights"]
    if conv.bias and sep.standard.bias:
        counted.append("biases")
    if sep.standard.batch_norm:
        counted += {"none": [], "trainable": ["BN γ, β"], "stored": ["BN γ, β, running mean/var"]}[
            conv.batch_norm
        ]
    return counted


def params_noun(sep: cost.SeparableCost, conv: cost.Convention) -> str:
    """ "weights" when only weights are counted, "parameters" when biases or BN numbers are too."""
    return "weights" if params_counted(sep, conv) == ["weights"] else "parameters"


def headline(sep: cost.SeparableCost, convention: cost.Convention) -> str:
    """One sentence for the top of a page: what the factorisation saves (or costs) here."""
    cmp = sep.compare(convention)
    unit, noun = convention.unit, params_noun(sep, convention)
    std_c, sep_c, std_p, sep_p = (
        cmp.standard_compute,
        cmp.separable_compute,
        cmp.standard_params,
        cmp.separable_params,
    )
    counted = params_counted(sep, convention)
    what = f": {' + '.join(counted)}" if len(counted) > 1 else ""
    return (
        f"**{ratio_words(std_c, sep_c, unit)}** {_than(std_c, sep_c)} a standard convolution "
        f"({sep_c:,} vs {std_c:,} {unit}) and **{ratio_words(std_p, sep_p, noun)}** ({sep_p:,} vs "
        f"{std_p:,} {noun}{what}) for this layer — details in section 4."
    )


def delta(cmp: cost.Comparison) -> str | int:
    """The separable − standard difference for ``st.metric``: a signed string (ASCII "+" or "-", which
    Streamlit reads for the arrow and colour), or the number 0 (grey, no arrow) when equal."""
    diff = cmp.separable_compute - cmp.standard_compute
    if diff == 0:
        return 0
    return f"{diff:+,} {cmp.convention.unit} ({diff / cmp.standard_compute:+.0%})"


def promise(sep: cost.SeparableCost) -> str:
    """What the MAC count promises, before anything is measured."""
    return (
        f"The MAC count promises {timing.speed_words(float(sep.reduction))} "
        f"({timing.mac_words(float(sep.reduction))}); press the button to measure what this machine does."
    )


def roofline_words(machine: roofline.Machine) -> str:
    return (
        f"This machine's roofline: peak {timing.num(machine.peak_gmacs)} GMAC/s (float32 "
        f"{roofline.MATMUL_SIZE}×{roofline.MATMUL_SIZE} matrix product), memory bandwidth "
        f"{timing.num(machine.bandwidth_gbs)} GB/s (copy of {roofline.COPY_MEGABYTES} MB, bytes read + "
        f"written); balance point {timing.num(machine.balance)} MACs per byte."
    )


def measured_words(t: timing.Timing) -> str:
    """The measured times with their spread, the verdict and the promise, in one line."""
    std, sep, dw, pw = (s.ms for s in (t.standard, t.separable, t.depthwise, t.pointwise))

    def ms(spread: timing.Spread) -> str:
        return f"{spread.median:.2f} ms (IQR {spread.q1:.2f}–{spread.q3:.2f})"

    return (
        f"**Measured here:** standard {ms(std)} · separable {ms(sep)} = depthwise {dw.median:.2f} + "
        f"pointwise {pw.median:.2f} ms (medians of {t.repeats} runs) → **{timing.verdict(t)}**, where the "
        f"MAC count promises **{timing.speed_words(t.promised)}**."
    )


# --------------------------------------------------------------------------- tables (pure)


def _row(layers: list[cost.ConvCost], conv: cost.Convention, noun: str) -> dict[str, float]:
    moved = sum(c.bytes_moved for c in layers)  # input + weights + output of each layer
    return {
        conv.unit: sum(c.compute(conv) for c in layers),
        noun: sum(c.counted_params(conv) for c in layers),
        "output bytes": sum(c.activation_bytes for c in layers),
        "MACs per byte moved": sum(c.mult_adds for c in layers) / moved,
    }


def cost_table(sep: cost.SeparableCost, conv: cost.Convention) -> pd.DataFrame:
    """One row per stage, both stages together, and the standard convolution."""
    noun = params_noun(sep, conv)
    rows = {
        "depthwise": [sep.depthwise],
        "pointwise": [sep.pointwise],
        "separable (dw + pw)": [sep.depthwise, sep.pointwise],
        "standard": [sep.standard],
    }
    return pd.DataFrame.from_dict(
        {name: _row(layers, conv, noun) for name, layers in rows.items()}, orient="index"
    )


def markdown_table(table: pd.DataFrame) -> str:
    """A table of numbers as markdown, right-aligned: integer columns with thousands separators,
    the others to two decimals."""
    whole = [pd.api.types.is_integer_dtype(dtype) for dtype in table.dtypes]
    lines = ["| | " + " | ".join(table.columns) + " |", "|---|" + "---:|" * len(table.columns)]
    for name, row in table.iterrows():
        cells = (f"{v:,.0f}" if is_int else f"{v:,.2f}" for v, is_int in zip(row, whole, strict=True))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@memo(TILES)
def cost_csv(sep: cost.SeparableCost, conv: cost.Convention) -> str:
    """The cost table as CSV, with the counting convention in its first line (a comment). Cached, as
    :func:`cost_markdown`: building the card's two tables was ~10 % of a cached Playground rerun's
    server time (py-spy)."""
    return f"# {conv.describe()}\n" + cost_table(sep, conv).to_csv()


@memo(TILES)
def cost_markdown(sep: cost.SeparableCost, conv: cost.Convention) -> str:
    """The cost table as the card shows it (:func:`markdown_table`), built once per setting."""
    return markdown_table(cost_table(sep, conv))


def timing_table(t: timing.Timing, machine: roofline.Machine) -> pd.DataFrame:
    """One row per timed form: ms (median and IQR), rates, and the place on this machine's roofline."""
    rows = {}
    for stage in t.stages:
        spot = stage.place(machine)
        rows["separable (dw + pw)" if stage.name == "separable" else stage.name] = {
            "median ms": stage.ms.median,
            "IQR ms": f"{stage.ms.q1:.2f}–{stage.ms.q3:.2f}",
            "GMAC/s": stage.gmacs,
            "GB/s": stage.gbs,
            "MACs per byte": spot.intensity,
            "roofline GMAC/s": spot.attainable_gmacs,
            "% of roofline": spot.fraction,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


TIMING_COLUMNS = {
    "median ms": st.column_config.NumberColumn(format="%.3f", help="Milliseconds per call, batch 1, float32"),
    "IQR ms": st.column_config.TextColumn(help="Interquartile range: the middle half of the runs, ms"),
    "GMAC/s": st.column_config.NumberColumn(format="%.2f", help="10⁹ multiply-accumulates per second"),
    "GB/s": st.column_config.NumberColumn(
        format="%.2f", help="10⁹ bytes per second: input + weights + output, each once"
    ),
    "MACs per byte": st.column_config.NumberColumn(format="%.2f", help=INTENSITY_HELP),
    "roofline GMAC/s": st.column_config.NumberColumn(
        format="%.1f", help="min(peak MAC rate, MACs per byte × copy bandwidth) on this machine"
    ),
    "% of roofline": st.column_config.NumberColumn(
        format="percent", help="measured GMAC/s ÷ roofline GMAC/s"
    ),
}


# --------------------------------------------------------------------------- Streamlit


def render(sep: cost.SeparableCost, convention: cost.Convention, key: str) -> None:
    """The card: headline sentence, metrics, per-stage table, bar chart, and the filled-in formulas,
    all counted under the caller's ``convention``."""
    cmp = sep.compare(convention)
    unit, noun = convention.unit, params_noun(sep, convention)
    compute = ratio_words(cmp.standard_compute, cmp.separable_compute, unit)
    params = ratio_words(cmp.standard_params, cmp.separable_params, noun)
    k = sep.standard.kernel_size
    st.markdown(
        f"#### {compute}, {params}\n"
        f"Depthwise + pointwise needs **{cmp.separable_compute:,}** {unit} where the standard {k}×{k} "
        f"convolution from {count(sep.standard.in_channels, 'channel')} to "
        f"{count(sep.standard.out_channels, 'channel')} needs "
        f"**{cmp.standard_compute:,}** {unit}."
    )
    with style.row():
        st.metric(f"standard conv ({unit})", f"{cmp.standard_compute:,}")
        st.metric(
            f"depthwise + pointwise ({unit})",
            f"{cmp.separable_compute:,}",
            delta(cmp),
            delta_color="inverse",  # more compute is the bad direction: red ↑, fewer green ↓
            delta_description="vs standard",
        )
        st.metric(f"separable ÷ standard ({unit})", f"{float(cmp.compute_ratio):.4f}")
    # A markdown table, not st.dataframe: the Playground then needs no data-grid JavaScript (~0.5 s of
    # a new session's opening, benchmarks/app_speed.py). The columns' meanings follow in a caption.
    # in a box of its own that scrolls sideways on a phone, not the page (blank lines: markdown inside)
    table = cost_markdown(sep, convention)
    st.markdown(f'<div style="overflow-x: auto">\n\n{table}\n\n</div>', unsafe_allow_html=True)
    counted = params_counted(sep, convention)
    what = f"{noun.capitalize()}: {' + '.join(counted)}. " if counted != ["weights"] else ""
    st.caption(f"{what}Output bytes: float32, 4 bytes a value. MACs per byte moved: {INTENSITY_HELP}")
    bars = {
        "standard": {"standard conv": sep.standard.compute(convention)},
        "separable": {
            "depthwise": sep.depthwise.compute(convention),
            "pointwise": sep.pointwise.compute(convention),
        },
    }
    style.svg(charts.cost_bars(bars, unit))
    st.latex(equations.filled_costs(sep))
    st.latex(equations.filled_ratio(sep))
    if not sep.usual_is_exact:
        st.caption(
            "The formula as usually written, 1/N + 1/D_K², assumes depth multiplier 1 and one group; with "
            "these settings the exact ratio above differs from it."
        )
    st.caption(f"Counted — {convention.describe()}. Bytes assume float32 (4 bytes per value).")
    st.download_button(
        "Download this table (.csv)", cost_csv(sep, convention), "cost.csv", "text/csv", key=f"{key}_cost_csv"
    )


_MACHINE: list[roofline.Machine] = []
_MEASURING = threading.Lock()


def machine(progress: roofline.Progress | None = None) -> roofline.Machine:
    """This machine's roofline, measured once per server process (the machine does not change).

    Not ``st.cache_resource``: the progress callback draws into the caller's progress bar, and a
    cached function may not draw into an element made outside it (Streamlit replays such calls).
    """
    with _MEASURING:
        if not _MACHINE:
            _MACHINE.append(roofline.measure(progress))
    return _MACHINE[0]


def _settings(shape: tuple[int, int, int], sep: cost.SeparableCost) -> tuple[object, ...]:
    """What a timing depends on: the input shape and the layer's geometry (not its values)."""
    std = sep.standard
    return (shape, std.out_channels, std.kernel_size, sep.multiplier, std.stride, std.padding, std.dilation)


def measure(shape: tuple[int, int, int], sep: cost.SeparableCost, key: str) -> None:
    """On demand: time both forms on this server (``shape`` = (M, H, W) of the input), place each stage
    on this machine's roofline, and say why the speed-up is what it is."""
    std = sep.standard
    settings = _settings(shape, sep)
    slot = f"_{key}_timings"
    results: dict[tuple[object, ...], tuple[timing.Timing, roofline.Machine]] = st.session_state.setdefault(
        slot, {}
    )
    if st.button("Time both on this server", key=f"{key}_time", help=TIMING_HELP):
        with st.spinner("Timing the standard convolution, depthwise and pointwise on this server…"):
            bar = st.progress(0.0)
            roof = machine(lambda fraction, text: bar.progress(fraction, text=text))
            bar.progress(1.0, text="Timing the layer…")
            result = timing.time_layer(
                shape,
                std.out_channels,
                std.kernel_size,
                multiplier=sep.multiplier,
                stride=std.stride,
                padding=std.padding,
                dilation=std.dilation,
            )
            bar.empty()
        results.pop(settings, None)
        results[settings] = (result, roof)
        while len(results) > KEEP_RESULTS:
            results.pop(next(iter(results)))
    if settings not in results:
        st.caption(promise(sep))
        return
    result, roof = results[settings]
    st.markdown(measured_words(result))
    st.dataframe(timing_table(result, roof), width="stretch", column_config=TIMING_COLUMNS)
    st.caption(roofline_words(roof))
    st.markdown(timing.explain(result, roof))
    st.caption(
        f"{result.repeats} interleaved runs of each form through the same dsviz/PyTorch code the app uses "
        "(ms per call, batch 1, float32); the separable time is depthwise + pointwise, run by run."
    )
