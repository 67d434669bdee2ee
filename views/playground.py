"""Playground: the whole depthwise separable block working on one image.

Input channels → d K×K filters per channel (depthwise) → an N×(M·d) mix (pointwise) → outputs,
with the live cost of that block next to the standard convolution it replaces.
"""

import streamlit as st

from dsviz import codegen, equations, figures
from ui import controls, costcard, gallery, image, settings, stages

picture = image.sidebar()
block = controls.current_block(picture)
spec, data = picture.spec, picture.data

st.title("Playground: one depthwise separable block")
st.markdown(
    "A depthwise separable convolution **filters each input channel on its own** (depthwise), then "
    "**mixes the channels** with a 1×1 convolution (pointwise). Move any control: every picture and "
    "number below follows."
)
shared = settings.control("pg_scale") == "shared"
summary = st.empty()  # filled in at the end, once the cost is known: the headline stays on top

st.header("1 · Input", divider="gray")
with st.container():
    head, input_tiles = stages.input_tiles(spec, picture.labels, data=data)
    cols = st.columns([1.2, 3])
    cols[0].image(head, width="stretch")
    with cols[1]:
        st.markdown(f"{image.describe(picture)}: the input feature map $F$ of size $H × W × M$.")
        gallery.gallery(input_tiles, min(picture.m, 4))

st.header("2 · Depthwise: d filters per input channel", divider="gray")
with st.container():
    st.latex(equations.DEPTHWISE)
    controls.depthwise_controls(picture)
    controls.custom_kernel_editors(block)
    try:
        sep = block.cost(picture.height, picture.width)
        dw_tiles = stages.depthwise_tiles(spec, block, shared, data=data)
    except ValueError as err:  # e.g. a kernel wider than the image, or a padding the image cannot give
        st.error(f"This depthwise layer cannot run on a {picture.width}×{picture.height} px image: {err}")
        st.stop()
    labels = tuple(k.label() for k in block.depthwise.kernels)
    k_tiles = stages.kernel_tiles(block.depthwise, labels, shared)
    gallery.channel_rows(input_tiles, k_tiles, dw_tiles, block.d)

st.header("3 · Pointwise: mix the channels", divider="gray")
with st.container():
    st.latex(equations.POINTWISE)
    controls.pointwise_controls()
    controls.custom_weight_editor(block)
    weights = block.weights()
    rows = [f"out {i}" for i in range(block.n)]
    title = f"pointwise weights P ({block.n}×{block.maps})"
    st.plotly_chart(figures.weights_heatmap(weights, rows, block.map_labels(), title), key="pg_weights_fig")
    try:
        out_tiles = stages.output_tiles(spec, block, shared, data=data)
    except ValueError as err:
        st.error(f"The pointwise stage cannot run with these numbers: {err}")
        st.stop()
    gallery.gallery(out_tiles, gallery.per_row(len(out_tiles)))

st.header("4 · Cost: separable vs standard", divider="gray")
with st.container():
    st.latex(equations.STANDARD)
    convention = controls.cost_convention()
    costcard.render(sep, convention, "pg")
    costcard.measure((picture.m, picture.height, picture.width), sep, "pg")
summary.info(costcard.headline(sep, convention), icon=":material/calculate:")

with st.expander("The cost formulas, as usually written and corrected", key="pg_formulas"):
    st.latex(equations.COST_STANDARD)
    st.latex(equations.COST_SEPARABLE)
    st.latex(equations.RATIO)

with st.expander("This block in PyTorch", key="pg_code"):
    dw = block.depthwise
    code = codegen.pytorch_block(
        block.m,
        block.n,
        dw.kernel_size,
        stride=dw.stride,
        dilation=dw.dilation,
        multiplier=dw.multiplier,
        padding_mode=dw.padding_mode,
        batch_norm=block.batch_norm,
        activation=block.activation,
    )
    st.code(code, language="python")
    st.download_button("Download conv_dw.py", code, "conv_dw.py", "text/x-python", key="pg_code_download")
    st.markdown("**The blog post's version, and its three bugs:**")
    st.code(codegen.SEED_SNIPPET, language="python")
    st.markdown("\n".join(f"{i}. {bug}" for i, bug in enumerate(codegen.SEED_BUGS, start=1)))
