"""Cost lab: the cost formulas in general and filled in, the reduction ratio against N and K, the
counting conventions side by side, and — on demand — what this server measures against what the MAC
count promises, with this machine's roofline to say why."""

import streamlit as st

from dsviz import equations
from ui import controls, image, settings
from ui import costlab as page

picture = image.sidebar()
block = controls.current_block(picture)

st.title("Cost lab: what the formula promises, what the machine does")
st.markdown(
    "A depthwise separable block needs several times fewer multiply-adds than the standard convolution it "
    "replaces. This page counts them exactly for the block you built (on the Playground), shows how the "
    "saving grows with N and K, how the same layer is counted in different ways, and then **times** "
    "standard and separable layers on this server to see how much of the promise a real machine keeps."
)
controls.substitutions()
bias = settings.control("cl_bias")
try:
    sep = block.cost(picture.height, picture.width, bias=bias)
except ValueError as err:  # e.g. a kernel wider than the image under 'valid' padding
    st.error(f"This block cannot run on a {picture.width}×{picture.height} px image: {err}")
    st.stop()
dw = sep.depthwise
st.caption(
    f"{image.describe(picture)}; the block: M = {block.m}, d = {block.d}, N = {block.n}, K = "
    f"{dw.kernel_size}, stride {dw.stride}, dilation {dw.dilation}, '{dw.padding}' padding "
    "(set on the Playground)."
)

st.header("1 · The formulas, in general and for this block", divider="gray")
st.markdown("The three convolutions, output pixel by output pixel (indices from 0):")
for form in (equations.STANDARD, equations.DEPTHWISE, equations.POINTWISE):
    st.latex(form)
with st.expander("What the symbols mean", key="cl_legend"):
    st.markdown(equations.LEGEND)
    st.latex(equations.PADDED_INPUT)
    st.latex(equations.OUTPUT_SIZE)
st.markdown("Their costs in multiply-adds, counted from the output size $H' \\times W'$:")
st.latex(equations.cost_equations(square=False)[0])
st.latex(page.GROUPED)
st.latex(equations.cost_equations(square=False)[1])
st.latex(equations.RATIO)
st.markdown("**With this block's numbers:**")
st.latex(equations.filled_output_size(dw))
st.latex(equations.filled_costs(sep))
st.latex(equations.filled_ratio(sep))

st.header("2 · The ratio against N and K", divider="gray")
lines = page.curves(sep)
st.plotly_chart(page.ratio_figure(sep, lines), key="cl_ratio_fig")
st.caption(
    "Exact: separable MACs ÷ standard MACs, each counted from its output size with this block's M, d, "
    "stride, dilation, padding and image; lower is cheaper. The star is this block. The y axis is "
    "logarithmic, and so is the x axis of the left chart."
)
st.markdown(page.agreement(sep, lines))

st.header("3 · One layer, counted several ways", divider="gray")
st.dataframe(page.conventions(sep), column_config=page.CONVENTION_COLUMNS, key="cl_conventions")
st.caption(
    "This block's convolutions as nn.Conv2d modules, batch 1, "
    + ("each with a bias. " if bias else "without bias (as the exported block). ")
    + "The tools' rows apply each tool's counting rule for a convolution as its source states it (fvcore, "
    "torchinfo, ptflops), without running them; torch's FlopCounterMode is checked in this app's tests. A "
    "BatchNorm or activation after a convolution is counted differently by each tool and left out here."
)
st.markdown(page.conventions_words(sep))

st.header("4 · Measured, not promised", divider="gray")
st.markdown(
    "Standard, depthwise and pointwise convolutions are timed on this server over a small sweep: "
    f"{page.grid_words()} for the M, input size and stride you choose (from a few seconds to about 20)."
)
cols = st.columns(3)
chosen = []
for col, key in zip(cols, ("cl_m", "cl_size", "cl_stride"), strict=True):
    with col:
        chosen.append(settings.control(key))
page.measured(page.plan_of(*chosen))
