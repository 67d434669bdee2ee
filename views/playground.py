"""Playground: the whole depthwise separable block working on one image.

Input channels → one K×K filter per channel (depthwise) → an N×(M·d) mix (pointwise) → outputs,
with the live cost of that block next to the standard convolution it replaces.
"""

import numpy as np
import streamlit as st

from dsviz import codegen, equations, figures, kernels
from dsviz.checks import PADDING_MODES
from dsviz.ops import ACTIVATIONS
from ui import costcard, editor, pipeline, sidebar, state

KERNEL_CHOICES = [*kernels.DEPTHWISE, "custom"]
DEFAULT_CYCLE = ("sobel-x", "sobel-y", "laplacian", "gaussian", "sharpen", "emboss", "outline", "box")
FALLBACK = {"scharr-x": "sobel-x", "scharr-y": "sobel-y"}  # families that exist at fewer sizes
PRESET_CHOICES = [*kernels.POINTWISE, "custom"]


def kernel_label(name: str) -> str:
    return "Custom numbers" if name == "custom" else kernels.DEPTHWISE[name].label


def resolve(name: str, size: int, slot: int) -> tuple[np.ndarray, str]:
    """The kernel for a slot, and its display name; families missing at K fall back, with a note."""
    if name == "custom":
        return editor.matrix(
            f"pg_custom{slot}", kernels.depthwise_kernel("identity", size), label=f"kernel {slot}"
        ), "custom"
    if size not in kernels.DEPTHWISE[name].sizes:
        substitute = FALLBACK.get(name, "identity")
        st.caption(f"{kernel_label(name)} has no {size}×{size} form: using {kernel_label(substitute)}.")
        name = substitute
    return kernels.depthwise_kernel(name, size, seed=slot), name


def depthwise_controls(labels: list[str]) -> pipeline.DepthwiseSpec:
    cols = st.columns(5)
    with cols[0]:
        size = state.steps("Kernel size K", [1, 3, 5, 7, 9, 11], 3, "pg_k")
    with cols[1]:
        stride = state.integer("Stride", 1, 4, 1, "pg_stride")
    with cols[2]:
        dilation = state.integer("Dilation", 1, 4, 1, "pg_dil")
    with cols[3]:
        padding_mode = state.select("Padding ('same')", list(PADDING_MODES), "zeros", "pg_pad")
    with cols[4]:
        d = state.integer("Depth multiplier d", 1, 4, 1, "pg_d", help="Kernels per input channel")
    shared = state.switch("One kernel for all channels", False, "pg_shared")
    owners = ["all channels"] if shared else labels
    slots = [(owner, r) for owner in owners for r in range(d)]
    names, picked = [], []
    cols = st.columns(min(len(slots), 6))
    for i, (owner, r) in enumerate(slots):
        with cols[i % len(cols)]:
            title = f"Kernel for {owner}" + (f" (#{r + 1})" if d > 1 else "")
            choice = state.select(
                title,
                KERNEL_CHOICES,
                DEFAULT_CYCLE[i % len(DEFAULT_CYCLE)],
                f"pg_dw{i}",
                format_func=kernel_label,
            )
            kernel, name = resolve(choice, size, i)
        picked.append(kernel)
        names.append(name)
    in_use = {f"pg_custom{i}" for i, name in enumerate(names) if name == "custom"}
    for key in [k for k in st.query_params if k.startswith("pg_custom") and k not in in_use]:
        editor.forget(key)  # a custom grid no longer shown leaves the link
    if shared:  # the same d kernels for every channel, in PyTorch's order: channel m's maps m·d … m·d+d−1
        picked, names = picked * len(labels), names * len(labels)
    stack = np.stack(picked)  # (M·d, K, K)
    return pipeline.DepthwiseSpec(
        size, stride, dilation, padding_mode, tuple(stack.ravel().tolist()), tuple(names)
    )


def pointwise_controls(width: int, m: int, d: int, map_labels: list[str]) -> pipeline.PointwiseSpec:
    cols = st.columns(4)
    with cols[0]:
        n = state.integer("Output channels N", 1, 64, 8, "pg_n")
    with cols[1]:
        preset = state.select(
            "Weights",
            PRESET_CHOICES,
            kernels.DEFAULT_POINTWISE,
            "pg_pw",
            format_func=lambda p: "Custom numbers" if p == "custom" else kernels.POINTWISE[p].label,
        )
    with cols[2]:
        batch_norm = state.switch(
            "Batch norm",
            False,
            "pg_bn",
            help="Normalise each output with this image's mean and variance (γ = 1, β = 0)",
        )
    with cols[3]:
        activation = state.select(
            "Activation",
            list(ACTIVATIONS),
            "none",
            "pg_act",
            format_func={"none": "none", "relu": "ReLU", "relu6": "ReLU6"}.get,
        )
    if preset == "custom":
        start = kernels.pointwise_weights("identity", n, m, d)
        weights = editor.matrix("pg_pwc", start, label="pointwise weights", columns=map_labels)
    else:
        editor.forget("pg_pwc")
        weights = kernels.pointwise_weights(preset, n, m, d)
        st.caption(kernels.POINTWISE[preset].description)
    st.plotly_chart(
        figures.weights_heatmap(
            weights, [f"out {i}" for i in range(n)], map_labels, f"pointwise weights P ({n}×{width})"
        ),
        key="pg_weights_fig",
    )
    return pipeline.PointwiseSpec(tuple(weights.ravel().tolist()), n, batch_norm, activation)


def gallery(tiles: list[bytes], per_row: int) -> None:
    for start in range(0, len(tiles), per_row):
        cols = st.columns(per_row)
        for col, tile in zip(cols, tiles[start : start + per_row], strict=False):
            col.image(tile, width="stretch")


bar = sidebar.current()
(m, height, width), labels = pipeline.layout(bar.inputs, bar.data)

st.title("Playground: one depthwise separable block")
st.markdown(
    "A depthwise separable convolution **filters each input channel on its own** (depthwise), then "
    "**mixes the channels** with a 1×1 convolution (pointwise). Move any control: every picture and "
    "number below follows."
)
shared_scale = state.select(
    "Colour scale of the maps",
    ["shared", "per-map"],
    "shared",
    "pg_scale",
    format_func={
        "shared": "shared by all maps of a stage (comparable)",
        "per-map": "one per map (detail)",
    }.get,
)

summary = st.empty()  # filled in at the end, once the cost is known: the headline stays on top

st.header("1 · Input", divider="gray")
head, input_tiles = pipeline.input_tiles(bar.inputs, bar.data)
cols = st.columns([1.2, 3])
cols[0].image(head, width="stretch")
with cols[1]:
    st.markdown(
        f"**M = {m}** input channels, each {width}×{height}: the feature map $F$ of size "
        + ("$D_F × D_F × M$." if width == height else "$H × W × M$ (the seed assumes a square $D_F × D_F$).")
    )
    gallery(input_tiles, min(m, 4))

st.header("2 · Depthwise: one filter per channel", divider="gray")
st.latex(equations.DEPTHWISE)
dw = depthwise_controls(labels)
d = len(dw.names) // m
try:
    dw_tiles = pipeline.depthwise_tiles(bar.inputs, dw, shared_scale == "shared", bar.data)
except ValueError as err:  # e.g. a kernel wider than the image, or a stride that leaves nothing
    st.error(f"This depthwise layer cannot run on a {width}×{height} image: {err}")
    st.stop()
k_tiles = pipeline.kernel_tiles(dw, shared_scale == "shared")
st.caption("Each row: an input channel, then its kernel(s) and the depthwise map(s) they make.")
for ch in range(m):
    cols = st.columns([1] + [0.8, 1] * d)
    cols[0].image(input_tiles[ch], width="stretch")
    for r in range(d):
        cols[1 + 2 * r].image(k_tiles[ch * d + r], width="stretch")
        cols[2 + 2 * r].image(dw_tiles[ch * d + r], width="stretch")

st.header("3 · Pointwise: mix the channels", divider="gray")
st.latex(equations.POINTWISE)
map_labels = [f"{labels[j // d]}·{dw.names[j]}" for j in range(m * d)]
pw = pointwise_controls(m * d, m, d, map_labels)
try:
    out_tiles = pipeline.output_tiles(bar.inputs, dw, pw, shared_scale == "shared", bar.data)
except ValueError as err:  # e.g. custom numbers so large that the maps overflow float32
    st.error(f"The pointwise stage cannot run with these numbers: {err}")
    st.stop()
gallery(out_tiles, 4 if len(out_tiles) <= 8 else 6 if len(out_tiles) <= 24 else 8)  # big N: smaller tiles

st.header("4 · Cost: separable vs standard", divider="gray")
st.latex(equations.STANDARD)
sep = costcard.separable(m, pw.out_channels, dw.size, height, width, d, dw.stride, dw.dilation)
convention = costcard.render(sep, "pg")
costcard.measure((m, height, width), sep, "pg")
summary.info(costcard.headline(sep, convention), icon=":material/calculate:")
with st.expander("The seed's cost formulas (corrected)"):
    st.latex(equations.COST_STANDARD)
    st.latex(equations.COST_SEPARABLE)
    st.latex(equations.RATIO)
    st.caption("D_G is the output's side: D_F at stride 1 with 'same' padding, ⌈D_F / stride⌉ otherwise.")

with st.expander("This block in PyTorch (the seed's snippet, corrected)"):
    code = codegen.pytorch_block(
        m,
        pw.out_channels,
        dw.size,
        stride=dw.stride,
        dilation=dw.dilation,
        multiplier=d,
        padding_mode=dw.padding_mode,
        batch_norm=pw.batch_norm,
        activation=pw.activation,
    )
    st.code(code, language="python")
    st.download_button("Download conv_dw.py", code, "conv_dw.py", "text/x-python", key="pg_code_download")
    st.markdown("**The seed's version, and its three bugs:**")
    st.code(codegen.SEED_SNIPPET, language="python")
    st.markdown("\n".join(f"{i}. {bug}" for i, bug in enumerate(codegen.SEED_BUGS, start=1)))
