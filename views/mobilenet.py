"""MobileNet: v1 and v2 layer by layer, with the width multiplier α and the resolution ρ — where the
mult-adds and the weights of a whole network go, counted exactly."""

import streamlit as st

from ui import mobilenet as page

st.title("MobileNet, layer by layer")
st.markdown(
    "MobileNet stacks depthwise separable blocks into a whole image classifier. Pick a network, its width "
    "multiplier **α** (every layer's channels × α) and its input resolution **ρ** (ρ×ρ px): every layer's "
    "shapes, mult-adds and weights below are counted exactly, and set beside what the papers print."
)
choice = page.choose()
net = page.network(choice)

left, right, _ = st.columns([1, 1, 2])
left.metric("Mult-adds (MACs)", f"{net.mult_adds:,}")
right.metric("Params (weights)", f"{net.params:,}")
st.markdown(page.convention(choice, net))

st.header("1 · The layers", divider="gray")
st.caption(
    "Shapes are H×W×C, as in the papers' tables; 'same' padding. MACs are counted from each layer's output "
    "size; output bytes are the layer's float32 output; MACs/byte divides the MACs by the bytes the layer "
    "moves (input, weights and output, each once): low for depthwise layers, high for 1×1 convs. The last "
    "line is the network's total."
)
page.show_layer_table(choice)

st.header("2 · Where the mult-adds go", divider="gray")
st.plotly_chart(page.layer_bars(choice), key="mn_bars")
st.caption(
    "Both charts count on a logarithmic scale: each labelled power of ten is 10× the one before it. The "
    "global average pool is left out (no mult-adds, no weights). Hover a bar for its type and exact numbers."
)

st.header("3 · By layer type", divider="gray")
st.caption(
    "As the v1 paper's Table 2, for the chosen network: each layer type's total and its share of the "
    "network's. The global average pool has no mult-adds and no weights."
)
page.breakdown(choice, net)

st.header("4 · What α and ρ change", divider="gray")
st.markdown(page.scaling_note(choice, net))
st.subheader("MobileNet v1: accuracy against cost (the paper's Tables 6–7)")
st.plotly_chart(page.sweep_figure(), key="mn_sweep")
page.sweep_table()
st.caption(
    "ImageNet top-1 accuracy as published in the paper (not measured here); the mult-adds and params "
    "beside it are ours, counted exactly for the same α and ρ, next to the paper's printed millions."
)

st.header("5 · Open a layer in the Playground", divider="gray")
page.open_in_playground(net)

with st.expander("Show the code", key="mn_code"):
    st.code(page.source(choice.net), language="python")
