"""Inside one pixel: every product and sum behind one output position of the current block.

The numbers are computed plainly by dsviz.explain (loops and indexing, no torch) and compared with
the block's own cached stages (dsviz.ops, torch): they must agree.
"""

import inspect

import numpy as np
import streamlit as st

from dsviz import equations, explain
from dsviz.block import BN_EPS
from ui import controls, image, pixel, settings, stages

picture = image.sidebar()
block = controls.current_block(picture)
spec, data = picture.spec, picture.data
dw = block.depthwise

st.title("Inside one pixel")
st.markdown(
    "One output pixel of the block, taken apart. Each depthwise map multiplies the **K×K patch** its "
    "kernel covers by the kernel and adds the products; the pointwise stage multiplies those M·d sums "
    "by one row of **P** per output and adds again. Change the block on the Playground: the numbers "
    "here follow."
)
try:
    x = stages.channels(spec, data=data)  # (M, H, W)
    maps = stages.depthwise_maps(spec, block, data)  # (M·d, H', W') after BN and the activation
    outputs = stages.outputs(spec, block, data=data)  # (N, H', W')
except ValueError as err:  # e.g. a kernel wider than the image, or a padding the image cannot give
    st.error(f"This block cannot run on a {picture.width}×{picture.height} px image: {err}")
    st.stop()
out_height, out_width = outputs.shape[1:]
controls.substitutions()
st.caption(
    f"{image.describe(picture)}; K = {dw.kernel_size}, stride {dw.stride}, dilation {dw.dilation}, "
    f"'{dw.padding}' padding ({dw.padding_mode}); output maps {out_width}×{out_height}."
)
row, col = pixel.position(out_height, out_width)
kernels, weights = block.kernel_array(), block.weights()  # (M·d, K, K), (N, M·d)
e = explain.output_pixel(x, kernels, weights, row=row, col=col, **dw.geometry())
labels = block.map_labels()
taps = e.taps
st.markdown(
    f"Output **(row k = {row}, column l = {col})** reads input rows {taps[0, 0, 0]} … {taps[-1, 0, 0]} "
    f"and columns {taps[0, 0, 1]} … {taps[0, -1, 1]} (taps {dw.dilation} px apart; padding p = {e.pad} "
    f"per side): {int(e.padded.sum())} of its {e.padded.size} taps fall outside the image."
)

st.header("1 · The sliding window", divider="gray")
j_anim = settings.control("px_anim", options=range(block.maps), format_func=lambda j: f"{j}: {labels[j]}")
channel = x[j_anim // block.d]  # (H, W): the input channel map j filters
window = explain.window_frames(
    channel, kernels[j_anim], crop=pixel.crop_around(e, channel.shape), **dw.geometry()
)
st.plotly_chart(
    pixel.window_animation(window, f"{labels[j_anim]}: the kernel slides in raster order", (row, col)),
    key="px_window_fig",
)

st.header("2 · Depthwise: patch × kernel, summed", divider="gray")
st.latex(equations.DEPTHWISE)
st.latex(equations.PADDED_INPUT)
for j in pixel.chosen_maps(labels):
    st.plotly_chart(pixel.map_grids(e, j, labels[j]), key=f"px_grid{j}")

dw_stats, pw_stats = {}, {}
if block.batch_norm:
    dw_mean, dw_var, pw_mean, pw_var = pixel.statistics(spec, block, data=data)
    dw_stats, pw_stats = {"mean": dw_mean, "var": dw_var}, {"mean": pw_mean, "var": pw_var}
dw_done = explain.finish(e.depthwise, eps=BN_EPS, activation=block.activation, **dw_stats)
pixel.finish_note(block, "depthwise")
pixel.show_table(pixel.steps_table(dw_done, maps[:, row, col], labels, "Σ patch × kernel"), key="px_dw_table")

st.header("3 · Pointwise: a weighted sum of the maps", divider="gray")
st.latex(equations.POINTWISE)
st.plotly_chart(pixel.mix_grids(weights, dw_done.after, labels), key="px_mix_fig")
mixed = weights @ dw_done.after  # (N,)
pw_done = explain.finish(mixed, eps=BN_EPS, activation=block.activation, **pw_stats)
outs = [f"out {n}" for n in range(block.n)]
pixel.finish_note(block, "pointwise")
pixel.show_table(pixel.steps_table(pw_done, outputs[:, row, col], outs, "Σ P × Ĝ"), key="px_pw_table")

st.header("4 · Check", divider="gray")
gap = max(
    float(np.abs(dw_done.after - maps[:, row, col]).max()),
    float(np.abs(pw_done.after - outputs[:, row, col]).max()),
)
scale = max(1.0, float(np.abs(outputs[:, row, col]).max()), float(np.abs(maps[:, row, col]).max()))
if gap <= 1e-4 * scale * pixel.rounding_gain(weights, dw_stats, pw_stats, BN_EPS):
    st.success(
        f"These hand-written sums agree with the block's own computation (PyTorch, float32) at this pixel: "
        f"largest difference {gap:.1e}, float32 rounding.",
        icon=":material/check_circle:",
    )
else:
    st.error(f"The hand-written sums and the block's computation differ by up to {gap:.3g} at this pixel.")

with st.expander("Show the code", key="px_code"):
    st.code(inspect.getsource(explain.output_pixel), language="python")
    st.code(inspect.getsource(explain.Geometry.taps), language="python")
