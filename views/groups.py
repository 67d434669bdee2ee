"""Standard → grouped → depthwise: one control, g, takes a K×K convolution from mixing every input
channel into every output (g = 1) to filtering each channel on its own (g = M)."""

import streamlit as st

from dsviz import groups
from dsviz.cost import conv_cost
from dsviz.words import count
from ui import controls, downloads, gallery, image, settings, stages, style
from ui import groups as page

picture = image.sidebar()
block = controls.current_block(picture)
spec, data = picture.spec, picture.data
dw = block.depthwise

st.title("Standard → grouped → depthwise")
st.markdown(
    "A grouped convolution splits the input channels and the outputs into **g** equal groups; each "
    "output sees only the channels of its own group. **g = 1** is a standard convolution, **g = M** a "
    "depthwise one. Here the K×K layer has M·d outputs, like the block's depthwise stage, and the "
    "block's pointwise stage follows it: at g = M the pair *is* the depthwise separable block."
)
cols = st.columns(4)
for col, key in zip(cols[:3], ("pg_k", "pg_d", "pg_n"), strict=True):
    with col:
        settings.control(key)
with cols[3]:
    g = page.choose_groups(block.m)
m, c, k = block.m, block.maps, dw.kernel_size
st.caption(
    f"{image.describe(picture)}; M = {m}, d = {block.d}, so M·d = {c} outputs; K = {k}, stride "
    f"{dw.stride}, dilation {dw.dilation}, '{dw.padding}' padding ({dw.padding_mode}); stride, dilation "
    "and padding are set on the Playground."
)
controls.substitutions()
geometry = {"stride": dw.stride, "padding": dw.padding, "dilation": dw.dilation}
try:
    steps = groups.spectrum(m, block.d, block.n, k, picture.height, picture.width, **geometry)
    maps_titles = tuple(groups.output_titles([kc.label() for kc in dw.kernels], list(picture.labels), g))
    tiles = stages.grouped_tiles(spec, dw, g, maps_titles, box=style.map_box(), data=data)
except ValueError as err:  # e.g. a kernel wider than the image, or a padding the image cannot give
    st.error(f"This layer cannot run on a {picture.width}×{picture.height} px image: {err}")
    st.stop()
step = next(s for s in steps if s.groups == g)

st.header("1 · The weight tensor: which channels meet", divider="gray")
per = m // g
st.markdown(
    f"With **g = {g}**, the {m} input channels and {c} outputs fall into {count(g, 'group')} of "
    f"{count(per, 'input channel')} and {count(c // g, 'output')}. Each output's filter has one K×K slice "
    f"per input channel of its group: the weight tensor is **({c}, {per}, {k}, {k})**, "
    f"{step.layer.params:,} weights."
)
left, right = st.columns(2)
with left:
    st.image(page.weight_svg(m, c, g, k))
    st.caption("The weight tensor as a grid: a row is one output's filter; a filled square is a K×K slice.")
with right:
    st.image(page.connection_svg(tuple(picture.labels), tuple(f"out {j}" for j in range(c)), g))
    st.caption("Each line is one K×K slice: an input channel feeding an output. Colours: the groups.")

st.header("2 · The outputs on your image", divider="gray")
st.caption(
    "So that you can see which channels an output mixes, output j uses the block's kernel j on every "
    "channel of its group, averaged (a trained layer learns a different slice for each). At g = M each "
    "output is the block's depthwise map. Drawn before batch norm and the activation. " + gallery.SATURATION
)
gallery.gallery(tiles, style.per_row(len(tiles)))
sheet = ((f"Outputs of the grouped layer, g = {g}", tuple(tiles)),)
title = f"dsviz · {image.describe(picture)} · g = {g}, K = {k}, d = {block.d}"
downloads.offer_sheet(lambda: sheet, title, "gr_sheet")  # the tiles are drawn already

st.header("3 · What g costs", divider="gray")
standard = conv_cost(m, block.n, k, picture.height, picture.width, **geometry)  # what the block replaces
st.markdown(page.cost_sentences(step, steps[0], steps[-1], standard))
st.plotly_chart(page.cost_figure(tuple(steps), standard, g), key="gr_cost_fig")
st.caption(
    "Counted: multiply–adds (MACs) of the convolutions and their weights; no bias, batch norm or "
    "activation. Both axes are logarithmic."
)
page.cost_table(steps, k)

st.header("4 · What g buys, and what it costs", divider="gray")
st.markdown(page.trade_off(m))
