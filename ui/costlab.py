"""The Cost lab's pieces: ratio curves, the counting conventions table, and the on-demand timing sweep
with its roofline — every sentence written from the numbers it is about.

Figures are plain dict specs (:mod:`dsviz.plotspec`); the sweep is cached in :data:`ui.stages.TILES`
by its plain settings (a :class:`dsviz.sweep.Plan`), so a class asking for the same sweep times it once.
"""

from __future__ import annotations

import math
import threading
from fractions import Fraction

import pandas as pd
import streamlit as st

from dsviz import cost, roofline, sweep, timing
from dsviz.charts import PART_COLOURS, si
from dsviz.checks import KERNEL_SIZES
from dsviz.figures import log_ticks
from dsviz.plotspec import Spec, axis, base_layout, on, subplots
from dsviz.roofline import Progress
from ui import costcard
from ui.memo import memo
from ui.stages import TILES

NS = sweep.NS  # the sweep's grid; a test may narrow it (monkeypatch) for a quick run
KS = sweep.KS
N_CURVE = tuple(range(1, 257))  # N for the ratio-against-N curve
EXACT_COLOUR, USUAL_COLOUR, GENERAL_COLOUR = "#0072B2", "#E69F00", "#009E73"
K_COLOURS = {3: "#E69F00", 5: "#0072B2", 7: "#009E73"}
STAGE_COLOURS = {
    "standard": PART_COLOURS["standard conv"],
    "depthwise": PART_COLOURS["depthwise"],
    "pointwise": PART_COLOURS["pointwise"],
}
GROUPED = (
    r"C_{\mathrm{grouped}} = D_K \cdot D_K \cdot \frac{M}{g} \cdot N \cdot H' \cdot W'"
    r"\qquad (g = 1\text{: standard},\; g = M,\ N = M d\text{: depthwise})"
)
KEEP_SWEEPS = 4  # sweeps kept per session, one per plan
_DONE = "_cl_sweeps"  # session: plan → results of the sweeps this session ran (or found cached)
_SWEEPING = threading.Lock()  # one sweep at a time on this server: two would share the cores and both lie


# --------------------------------------------------------------------------- ratio curves (pure)


def exact_ratio(sep_of: dict[str, object], n: int, k: int) -> float:
    """Separable ÷ standard MACs counted layer by layer (NaN where this geometry gives no output)."""
    try:
        return float(cost.separable_cost(**sep_of, out_channels=n, kernel_size=k).ratio)  # type: ignore[arg-type]
    except ValueError:
        return math.nan


def usual(n: int, k: int) -> Fraction:
    """The formula as usually written: ``1/N + 1/D_K²``."""
    return Fraction(1, n) + Fraction(1, k * k)


def layer_of(sep: cost.SeparableCost) -> dict[str, object]:
    """Everything of this layer but N and K, as keyword arguments of :func:`cost.separable_cost`."""
    std = sep.standard
    return {
        "in_channels": std.in_channels,
        "height": std.height,
        "width": std.width,
        "multiplier": sep.multiplier,
        "stride": std.stride,
        "padding": std.padding,
        "dilation": std.dilation,
    }


def curves(sep: cost.SeparableCost) -> dict[str, list[float]]:
    """The exact ratio and ``1/N + 1/K²`` against N (at this K) and against K (at this N)."""
    layer, k, n = layer_of(sep), sep.standard.kernel_size, sep.standard.out_channels
    ks = list(KERNEL_SIZES)
    return {
        "n_exact": [exact_ratio(layer, x, k) for x in N_CURVE],
        "n_usual": [float(usual(x, k)) for x in N_CURVE],
        "k_exact": [exact_ratio(layer, n, x) for x in ks],
        "k_usual": [float(usual(n, x)) for x in ks],
    }


def agreement(sep: cost.SeparableCost, lines: dict[str, list[float]]) -> str:
    """Whether the exact curves and the usual formula coincide, decided from the plotted numbers."""
    d = sep.multiplier
    exact = lines["n_exact"] + lines["k_exact"]
    closed = lines["n_usual"] + lines["k_usual"]
    pairs = [(e, c) for e, c in zip(exact, closed, strict=True) if not math.isnan(e)]
    worst = max(abs(e - c) / c for e, c in pairs)
    scaled = max(abs(e - d * c) / (d * c) for e, c in pairs)
    points = f"all {len(pairs)} plotted points"
    geometry = (
        f"stride {sep.standard.stride}, dilation {sep.standard.dilation}, '{sep.standard.padding}' padding, "
        f"a {sep.standard.width}×{sep.standard.height} px input"
    )
    if worst < 1e-12:
        return (
            f"**The two curves coincide** at {points}: with depth multiplier d = 1 the exact ratio *is* "
            f"$1/N + 1/D_K^2$, here with {geometry}. Stride, padding, dilation and image size change both "
            "costs by the same number of output pixels, so they cancel in the ratio."
        )
    if scaled < 1e-12:
        return (
            f"**The curves differ**: with depth multiplier d = {d} both stages do d times the work, and the "
            f"exact ratio is $d\\,(1/N + 1/D_K^2)$ = {d}× the usual formula at {points} (here with "
            f"{geometry}). The usual formula is the case d = 1."
        )
    return (
        f"**The curves differ** by up to {worst:.0%} of the usual formula, and from $d\\,(1/N + 1/D_K^2)$ by "
        f"up to {scaled:.0%}, at {points}."
    )


def ratio_figure(sep: cost.SeparableCost, lines: dict[str, list[float]]) -> Spec:
    """Exact separable ÷ standard against N and against K (log y), the usual formula dashed beside it,
    and d·(1/N + 1/K²) dotted when d > 1; the current layer starred."""
    k, n, d = sep.standard.kernel_size, sep.standard.out_channels, sep.multiplier
    layout = subplots(2, titles=(f"against N (K = {k})", f"against K (N = {n})"), spacing=0.12)
    ks = list(KERNEL_SIZES)
    data = []
    for col, (x, exact, closed) in enumerate(
        ((list(N_CURVE), lines["n_exact"], lines["n_usual"]), (ks, lines["k_exact"], lines["k_usual"])), 1
    ):
        series = [
            ("exact (counted layer by layer)", exact, {"color": EXACT_COLOUR, "width": 4}),
            ("1/N + 1/D_K² (as usually written)", closed, {"color": USUAL_COLOUR, "dash": "dash"}),
        ]
        if d > 1:
            scaled = [d * v for v in closed]
            series.append((f"d·(1/N + 1/D_K²), d = {d}", scaled, {"color": GENERAL_COLOUR, "dash": "dot"}))
        for name, values, line in series:
            y = [None if math.isnan(v) else v for v in values]  # a gap: NaN is not valid JSON
            trace = {"type": "scatter", "mode": "lines", "x": x, "y": y, "name": name, "line": line}
            trace |= {"legendgroup": name, "showlegend": col == 1}
            trace["hovertemplate"] = f"{'N' if col == 1 else 'K'} = %{{x}}: %{{y:.4f}}<extra>{name}</extra>"
            data.append(on(trace, col))
        here = n if col == 1 else k
        star = {
            "type": "scatter",
            "mode": "markers",
            "x": [here],
            "y": [float(sep.ratio)],
            "name": "this layer",
        }
        star |= {"marker": {"symbol": "star", "size": 14, "color": EXACT_COLOUR, "line": {"width": 1}}}
        star |= {"showlegend": col == 1, "legendgroup": "this layer"}
        data.append(on(star, col))
    values = [v for key in lines for v in lines[key] if not math.isnan(v)] + [float(sep.ratio)]
    ticks = log_ticks(min(values), max(values) * d)
    for col in (1, 2):  # update, not replace: the subplot layout placed each axis (domain, anchor)
        layout[axis("y", col)] |= {"type": "log", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}
    layout[axis("y", 1)]["title"] = {"text": "separable ÷ standard MACs"}
    layout[axis("x", 1)] |= {"type": "log", "title": {"text": "output channels N"}}
    layout[axis("x", 1)] |= {"tickvals": [1, 2, 4, 8, 16, 32, 64, 128, 256]}
    layout[axis("x", 2)] |= {"title": {"text": "kernel size K"}, "tickvals": ks}
    layout |= {"height": 380, "margin": {"l": 10, "r": 10, "t": 40, "b": 10}}
    layout["legend"] = {"orientation": "h", "y": -0.25}
    return Spec({"data": data, "layout": base_layout() | layout})


# --------------------------------------------------------------------------- counting conventions (pure)


def _bias_adds(layer: cost.ConvCost) -> int:
    """Additions of the bias: one per output value, N·H'·W' (batch 1); 0 without a bias."""
    return layer.out_channels * layer.out_height * layer.out_width if layer.bias else 0


def conventions(sep: cost.SeparableCost) -> pd.DataFrame:
    """The same convolutions counted each way: one row per convention or tool, one column per layer.

    The tools' rules (batch 1, nn.Conv2d modules alone):
    * torch ``FlopCounterMode``: 2 × MACs, bias not counted (checked in tests/test_costlab_page.py).
    * fvcore ``FlopCountAnalysis``: its ``conv_flop_count`` docstring (fvcore/nn/jit_handles.py): "only
      multiplication is counted. Computation for addition and bias is ignored" — flop =
      batch·prod(weight shape)·prod(output spatial shape), i.e. one fused multiply-add is one "flop".
    * torchinfo ``summary`` "Mult-Adds": ``LayerInfo.calculate_macs`` (torchinfo/layer_info.py) adds,
      for a ConvNd, (weight + bias elements) × batch × output pixels: MACs + N·H'·W' with a bias.
    * ptflops ``get_model_complexity_info`` (reports MACs): ``conv_flops_counter_hook``
      (ptflops/pytorch_ops.py) adds ``out_channels × active_elements_count`` for a bias: the same.
    """
    layers = {
        "standard": [sep.standard],
        "depthwise": [sep.depthwise],
        "pointwise": [sep.pointwise],
        "separable (dw + pw)": [sep.depthwise, sep.pointwise],
    }
    with_bias = sep.standard.bias
    rows: dict[str, tuple[str, object]] = {
        "MACs (mult-adds)": (
            "the MobileNet paper's count; bias, BN, ReLU not counted",
            lambda c: c.mult_adds,
        ),
        "FLOPs = 2 × MACs": ("a multiply and an add each", lambda c: c.flops),
        "torch FlopCounterMode": ("FLOPs = 2 × MACs; bias not counted", lambda c: c.flops),
        "fvcore FlopCountAnalysis": (
            "prints 'flops' but counts one multiply-add as one",
            lambda c: c.mult_adds,
        ),
        "torchinfo 'Mult-Adds'": (
            "MACs + one per bias addition" if with_bias else "MACs (a bias would add N·H′·W′)",
            lambda c: c.mult_adds + _bias_adds(c),
        ),
        "ptflops (MACs)": (
            "MACs + one per bias addition" if with_bias else "MACs (a bias would add N·H′·W′)",
            lambda c: c.mult_adds + _bias_adds(c),
        ),
        "params: weights": ("what the MobileNet paper counts", lambda c: c.weights),
    }
    if with_bias:
        rows["params: weights + biases"] = ("N biases per layer", lambda c: c.weights + c.bias_params)
    if sep.standard.batch_norm:
        bias = (lambda c: c.bias_params) if with_bias else (lambda c: 0)
        rows["params: + BN γ, β"] = (
            "what sum(p.numel() for p in m.parameters()) gives",
            lambda c: c.weights + bias(c) + 2 * c.out_channels,
        )
        rows["params: + BN γ, β, mean, var"] = (
            "the numbers a checkpoint stores",
            lambda c: c.weights + bias(c) + 4 * c.out_channels,
        )
    table = {}
    for name, (what, counted) in rows.items():
        table[name] = {"what it counts": what} | {
            column: sum(counted(c) for c in group)  # type: ignore[operator]
            for column, group in layers.items()
        }
    return pd.DataFrame.from_dict(table, orient="index")


def conventions_words(sep: cost.SeparableCost) -> str:
    """What the table shows, from its numbers: one layer, two or more different "FLOPs"."""
    macs, flops = sep.standard.mult_adds, sep.standard.flops
    bias = _bias_adds(sep.standard)
    text = (
        f"The same standard convolution is **{macs:,}** when multiply-adds are counted and **{flops:,}** "
        "when each multiply and each add count: fvcore prints the first and torch's FlopCounterMode the "
        "second, both under the name FLOPs. Many papers (ShuffleNet and EfficientNet among them) also "
        "print mult-adds as “FLOPs”, so check which one a number is before comparing."
    )
    if bias:
        text += (
            f" With a bias, torchinfo and ptflops add one per output value: {bias:,} more, "
            f"{bias / macs:.2%} of the MACs here."
        )
    return text


CONVENTION_COLUMNS = {
    name: st.column_config.NumberColumn(format="localized")
    for name in ("standard", "depthwise", "pointwise", "separable (dw + pw)")
}


# --------------------------------------------------------------------------- the sweep (cached, timed)


@memo(TILES, ignore=("progress",))
def run_sweep(plan: sweep.Plan, progress: Progress | None = None) -> tuple[sweep.Result, ...]:
    """The sweep, once per plan for the whole server; one sweep at a time (others wait their turn)."""
    report = progress or (lambda fraction, text: None)
    if not _SWEEPING.acquire(blocking=False):
        report(0.0, "Waiting for another sweep on this server to finish…")
        _SWEEPING.acquire()
    try:
        return sweep.run(plan, progress)
    finally:
        _SWEEPING.release()


def plan_of(m: int, size: int, stride: int) -> sweep.Plan:
    return sweep.Plan(m=m, size=size, stride=stride, ns=NS, ks=KS)


def grid_words() -> str:
    """The sweep's grid in words: ``N = 8, 32, 128 and K = 3, 5, 7``."""
    return f"N = {', '.join(map(str, NS))} and K = {', '.join(map(str, KS))}"


def sweep_table(results: tuple[sweep.Result, ...]) -> pd.DataFrame:
    """One row per timed layer: medians with IQR (ms), the promise and the measured speed-up, rates."""
    rows = []
    for r in results:
        t = r.timing
        lo, hi = t.speedup_range

        def ms(stage: timing.Stage) -> str:
            return f"{stage.ms.median:.3f} ({stage.ms.q1:.3f}–{stage.ms.q3:.3f})"

        rows.append(
            {
                "K": r.point.k,
                "N": r.point.n,
                "standard ms": ms(t.standard),
                "depthwise ms": ms(t.depthwise),
                "pointwise ms": ms(t.pointwise),
                "separable ms": ms(t.separable),
                "promised ×": t.promised,
                "measured ×": t.speedup,
                "measured range ×": f"{lo:.2f}–{hi:.2f}",
                "standard GMAC/s": t.standard.gmacs,
                "depthwise GMAC/s": t.depthwise.gmacs,
                "pointwise GMAC/s": t.pointwise.gmacs,
            }
        )
    return pd.DataFrame(rows)


SWEEP_COLUMNS = {
    "standard ms": st.column_config.TextColumn(help="Median ms per call (interquartile range), batch 1"),
    "separable ms": st.column_config.TextColumn(help="Depthwise + pointwise, round by round: median (IQR)"),
    "promised ×": st.column_config.NumberColumn(format="%.2f", help="standard MACs ÷ separable MACs"),
    "measured ×": st.column_config.NumberColumn(
        format="%.2f", help="median standard ms ÷ median separable ms"
    ),
    "measured range ×": st.column_config.TextColumn(help="From the worst to the best pairing of quartiles"),
    "standard GMAC/s": st.column_config.NumberColumn(format="%.2f"),
    "depthwise GMAC/s": st.column_config.NumberColumn(format="%.2f"),
    "pointwise GMAC/s": st.column_config.NumberColumn(format="%.2f"),
}


def speedup_figure(results: tuple[sweep.Result, ...]) -> Spec:
    """Measured speed-up (median, quartile range as error bars) against the promised one, log–log,
    with y = x (the promise kept) and y = 1 (as fast as the standard convolution)."""
    data = []
    for k in dict.fromkeys(r.point.k for r in results):
        mine = [r for r in results if r.point.k == k]
        x = [r.timing.promised for r in mine]
        y = [r.timing.speedup for r in mine]
        lo = [r.timing.speedup - r.timing.speedup_range[0] for r in mine]
        hi = [r.timing.speedup_range[1] - r.timing.speedup for r in mine]
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": x,
                "y": y,
                "text": [f"N={r.point.n}" for r in mine],
                "textposition": "middle right",
                "name": f"K = {k}",
                "marker": {"size": 11, "color": K_COLOURS.get(k, "#555555")},
                "error_y": {"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
                "hovertemplate": "promised %{x:.2f}×<br>measured %{y:.2f}×<br>%{text}<extra>K = "
                + f"{k}</extra>",
            }
        )
    values = [r.timing.promised for r in results] + [v for r in results for v in r.timing.speedup_range]
    low, high = min(*values, 1.0) / 1.3, max(*values, 1.0) * 1.3
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": [low, high],
            "y": [low, high],
            "name": "y = x: promise kept",
        }
        | {"line": {"color": "black", "dash": "dash", "width": 1}, "hoverinfo": "skip"}
    )
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": [low, high],
            "y": [1, 1],
            "name": "y = 1: as fast as standard",
        }
        | {"line": {"color": "#999999", "dash": "dot", "width": 1}, "hoverinfo": "skip"}
    )
    ticks = log_ticks(low, high)
    log = {"type": "log", "range": [math.log10(low), math.log10(high)], "tickvals": ticks}
    layout = base_layout() | {
        "height": 460,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": log | {"title": {"text": "promised speed-up (standard ÷ separable MACs)"}},
        "yaxis": log | {"title": {"text": "measured speed-up (standard ÷ separable ms)"}},
        "legend": {"orientation": "h", "y": -0.2},
    }
    return Spec({"data": data, "layout": layout})


def roofline_figure(results: tuple[sweep.Result, ...], machine: roofline.Machine) -> Spec:
    """This machine's roofline (log–log): min(peak, intensity × bandwidth), and every timed stage placed
    by its MACs per byte and its measured GMAC/s."""
    data = []
    spots = []
    for name, colour in STAGE_COLOURS.items():
        x, y, text = [], [], []
        for r in results:
            stage = getattr(r.timing, name)
            spot = stage.place(machine)
            x.append(spot.intensity)
            y.append(spot.measured_gmacs)
            text.append(f"N={r.point.n}, K={r.point.k}: {percent_of(spot)} of its roof")
            spots.append(spot)
        data.append(
            {"type": "scatter", "mode": "markers", "x": x, "y": y, "text": text, "name": name}
            | {"marker": {"size": 10, "color": colour, "line": {"width": 1, "color": "black"}}}
            | {"hovertemplate": "%{x:.2f} MACs/byte, %{y:.2f} GMAC/s<br>%{text}<extra>" + name + "</extra>"}
        )
    low = min(s.intensity for s in spots) / 2
    high = max(max(s.intensity for s in spots) * 2, machine.balance * 4)
    xs = sorted({low, machine.balance, high})
    roof = [min(machine.peak_gmacs, v * machine.bandwidth_gbs) for v in xs]
    data.insert(
        0,
        {"type": "scatter", "mode": "lines", "x": xs, "y": roof, "name": "roofline of this machine"}
        | {
            "line": {"color": "black", "width": 2},
            "hovertemplate": "%{x:.2f} MACs/byte: at most %{y:.1f} GMAC/s",
        },
    )
    rates = [s.measured_gmacs for s in spots] + roof
    y_ticks = log_ticks(min(rates) / 1.5, max(rates) * 1.5)
    x_ticks = log_ticks(low, high)
    layout = base_layout() | {
        "height": 460,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": {"type": "log", "tickvals": x_ticks, "ticktext": [f"{t:g}" for t in x_ticks]}
        | {"title": {"text": "MACs per byte moved (input + weights + output, float32)"}},
        "yaxis": {"type": "log", "tickvals": y_ticks, "ticktext": [si(t) for t in y_ticks]}
        | {"title": {"text": "GMAC/s (measured)"}},
        "legend": {"orientation": "h", "y": -0.2},
    }
    return Spec({"data": data, "layout": layout})


def percent_of(spot: roofline.Placement) -> str:
    return timing.percent(spot.fraction)


def remembered(plan: sweep.Plan) -> tuple[sweep.Result, ...] | None:
    return st.session_state.get(_DONE, {}).get(plan)


def remember(plan: sweep.Plan, results: tuple[sweep.Result, ...]) -> None:
    done = st.session_state.setdefault(_DONE, {})
    done.pop(plan, None)
    done[plan] = results
    while len(done) > KEEP_SWEEPS:
        done.pop(next(iter(done)))


@st.fragment
def measured(plan: sweep.Plan) -> None:
    """Sections 4 and 5: the button, the sweep with a progress bar, then what it measured and why.

    A fragment: pressing the button reruns this part only, and a sweep runs under a server-wide lock,
    so other sessions' reruns go on (they wait only to start a sweep of their own)."""
    if st.button("Run the sweep on this server", key="cl_run", type="primary"):
        bar = st.progress(0.0)
        machine = costcard.machine(lambda fraction, text: bar.progress(fraction, text=text))
        remember(plan, run_sweep(plan, progress=lambda fraction, text: bar.progress(fraction, text=text)))
        bar.empty()
    results = remembered(plan)
    if results is None:
        st.caption(f"{sweep.promise_words(plan)} Press the button to measure what this server does.")
        return
    machine = costcard.machine()
    st.plotly_chart(speedup_figure(results), key="cl_speedup_fig")
    st.caption(
        "Each dot is one layer: its measured speed-up (median standard time ÷ median separable time; the "
        "bar spans the worst to the best pairing of quartiles) against what its MAC count promises. On the "
        "dashed line the promise is kept; below the dotted line the separable block is slower. Both axes "
        "are logarithmic."
    )
    st.dataframe(sweep_table(results), hide_index=True, column_config=SWEEP_COLUMNS, key="cl_table")
    st.caption(
        f"Medians of {results[0].timing.repeats} interleaved rounds after a warm-up, each layer timed whole "
        f"through the same dsviz/PyTorch code the app uses (batch 1, float32, 'same' padding); in brackets "
        "the interquartile range (the middle half of the runs). The separable time is depthwise + "
        "pointwise, round by round."
    )
    st.markdown(sweep.sweep_words(results))

    st.header("5 · Why they differ: this machine's roofline", divider="gray")
    st.plotly_chart(roofline_figure(results, machine), key="cl_roofline_fig")
    st.caption(
        f"{costcard.roofline_words(machine)} Left of the balance point the line rises with the bytes a stage "
        "must move (memory-bound); right of it, it is flat at the peak (compute-bound). A dot far below the "
        "line is limited by neither: by how well the kernel is implemented. Both axes are logarithmic."
    )
    above = sweep.above_roof_words(results, machine)
    if above:
        st.markdown(above)
    for r in sweep.extremes(results):
        which = "smallest" if r.timing.promised == min(x.timing.promised for x in results) else "largest"
        st.markdown(f"**The layer with the {which} promise — {sweep.describe(r.point)}.** ")
        st.markdown(timing.explain(r.timing, machine))
