"""Equivalence & expressivity: a depthwise separable block *is* one standard convolution (with a
composed kernel), but only some standard convolutions are such blocks — how close d kernels per
channel come to a real filter bank, and what that costs."""

import inspect

import streamlit as st

from dsviz import approx, filterbank, ops
from ui import controls, gallery, image, settings, style
from ui import equivalence as page

picture = image.sidebar()
block = controls.current_block(picture)
spec, data = picture.spec, picture.data

st.title("Equivalence & expressivity")
st.markdown(
    "Depthwise then pointwise is two linear steps, so together they are one standard convolution: "
    "section 1 builds its kernel and checks it on your image. The reverse holds only for some standard "
    "convolutions: section 2 takes one that is a real filter bank, finds the closest depthwise separable "
    "layer with d kernels per channel, and counts what that closeness costs."
)
cols = st.columns(4)
with cols[0]:
    settings.control("pg_k")
with cols[1]:
    settings.control("pg_d")
with cols[2]:
    settings.control("pg_n")
m, n_out, k, d = block.m, block.n, block.depthwise.kernel_size, block.d
with cols[3]:
    n = settings.control(
        "eq_out",
        label=f"Output shown (of N = {n_out})",
        options=list(range(n_out)),
        fallback=min(settings.value("eq_out"), n_out - 1),
    )
dw = block.depthwise
st.caption(
    f"{image.describe(picture)}; N = {n_out}, K = {k}, d = {d}; stride {dw.stride}, dilation "
    f"{dw.dilation}, '{dw.padding}' padding ({dw.padding_mode}); stride, dilation, padding, the kernels "
    "and the pointwise weights are set on the Playground."
)
controls.substitutions()

st.header("1 · Equivalence: the block is one standard convolution", divider="gray")
st.latex(r"K[n, m] \;=\; \sum_{r=0}^{d-1} P[n,\, m d + r]\; \hat K[m d + r]")
terms = (
    "channel m's one depthwise kernel K̂[m], scaled by the pointwise weight P[n, m]"
    if d == 1
    else f"the sum of channel m's {d} depthwise kernels, each scaled by its pointwise weight P[n, m·d + r]"
)
st.markdown(
    f"Output n's filter for input channel m is {terms}. The grid below holds these filters, one row per "
    f"output and one column per input channel: together they are the kernel of a single standard {k}×{k} "
    "convolution M → N with the same stride, dilation and padding."
)
st.caption(
    "Here the block has no batch norm and no activation between or after the stages. A ReLU between "
    "them is not linear, so no single convolution equals the pair; batch norm with this image's "
    "statistics depends on the image. (An inference-time batch norm is a fixed scale and shift per "
    "map: the scale folds into P, the shift into a bias.)"
    + (
        " The Playground's block has them on: this page leaves them out."
        if block.batch_norm or block.activation != "none"
        else ""
    )
)
try:
    grid = page.composed_grid(block, tuple(f"out {j}" for j in range(n_out)))
    macs = page.standard_macs(block, picture.height, picture.width)
    checked = tuple(range(n_out)) if macs <= page.MOST_MACS else (n,)
    largest, peak = page.largest_difference(spec, block, checked, data=data)
    tiles = page.equivalence_tiles(spec, block, n, style.map_box(), data=data)
except ValueError as err:  # e.g. a kernel wider than the image
    st.error(f"This layer cannot run on a {picture.width}×{picture.height} px image: {err}")
    st.stop()
left, right = st.columns([3, 2])
left.image(grid)
left.caption("Colour: one zero-centred scale for every filter (red positive, blue negative, white 0).")
strongest = page.strongest_channel(block, n)
with right:
    st.markdown(
        f"**One filter, built:** output {n} and input channel {picture.labels[strongest]} (the channel "
        f"output {n} weighs most), K[{n}, {strongest}]: "
        + (
            "the depthwise kernel times its weight."
            if d == 1
            else f"each of the {d} kernels times its weight, summed."
        )
    )
    gallery.gallery(page.worked_tiles(block, n, strongest), min(d + 1, 3))
    labels = block.map_labels()
    st.caption("; ".join(f"kernel {j}: {labels[j]}" for j in range(strongest * d, (strongest + 1) * d)) + ".")
gallery.gallery(tiles, 3)
where = f"output {n}" if len(checked) < n_out else "the one output" if n_out == 1 else f"all {n_out} outputs"
shape = page.block_outputs(spec, block, data)[list(checked)].shape
st.markdown(page.rounding_sentence(largest, peak, where, page.total_values(shape)))
if len(checked) < n_out:
    st.caption(
        f"The standard convolution of all outputs would take {macs:,} MACs here: only output {n} is checked."
    )

st.header("2 · Expressivity: the best separable layer for a real filter bank", divider="gray")
left, right = st.columns(2)
with left:
    name = settings.control("eq_bank")
with right:
    if k == 1:
        d_approx = 1
        st.markdown("**d = 1**: with K = 1 a depthwise kernel is one number, so d = 1 … K² is only 1.")
    else:
        d_approx = settings.control(
            "eq_d",
            label=f"Depth multiplier d (1 … K² = {k * k})",
            options=list(range(1, k * k + 1)),
            fallback=min(settings.value("eq_d"), k * k),
        )
colours = picture.colours
colour = any(c is not None for c in colours)
spatial = {
    "gabor": "an even Gabor filter (a striped blob)",
    "dog": "a first derivative of a Gaussian (an edge)",
}
if name == "random":
    bank_text = (
        "every one of its N × M filters is independent normal noise (seed 0), so no two share a shape."
    )
else:
    colour_text = (
        ", and weighs the colours by its own pattern (luminance, red − green or blue − yellow, in turn), "
        "as the first layer of a trained network does"
        if colour
        else " (a gray photo has no colours to weigh: every channel counts alike)"
    )
    bank_text = f"output n applies {spatial[name]} at angle n·180°/N{colour_text}."
st.markdown(f"The target is a standard {k}×{k} convolution {m} → {n_out}: {bank_text}")
if k == 1:
    st.caption("At K = 1 a filter has no shape: only its weight per channel remains.")
errors, exact = page.error_curve(name, n_out, colours, k)
counts = page.costs(m, n_out, k, picture.height, picture.width, page.geometry(block))
target_grid, approx_grid = page.bank_grids(name, n_out, colours, k, d_approx, picture.labels)
one, two = st.columns(2)
one.image(target_grid)
two.image(approx_grid)
kernel_key = (name, n_out, colours, k, d_approx)
try:
    bank_tiles, image_error = page.bank_tiles(
        spec, kernel_key, page.geometry(block), n, style.map_box(), data=data
    )
except ValueError as err:
    st.error(f"This layer cannot run on a {picture.width}×{picture.height} px image: {err}")
    st.stop()
gallery.gallery(bank_tiles, 3)
label = filterbank.output_label(name, n, n_out, colour, numbered=False)
st.caption(f"Output {n} of the bank: {label}. {gallery.SATURATION}")
st.markdown(
    f"At **d = {d_approx}** the kernel's relative error ‖K − K_d‖ / ‖K‖ is "
    f"**{100 * errors[d_approx - 1]:.3g} %**, "
    f"and output {n} on this image is off by **{100 * image_error:.3g} %** (‖target − approximation‖ / "
    f"‖target‖). The separable layer costs {page.cost_at(counts, d_approx)}."
)
st.plotly_chart(page.error_chart(errors, counts, d_approx, exact), key="eq_error_fig")
st.caption(
    "The error is ‖K − K_d‖ / ‖K‖ in the Frobenius norm (the root of the sum of squares of all "
    "numbers): the best rank-d approximation of each channel's filters leaves out exactly the singular "
    "values beyond the d-th, and no separable layer with that d comes closer (Eckart–Young). "
    "Cost: multiply–adds and weights on "
    f"this {picture.width}×{picture.height} px image, without bias or batch norm; log axis."
)
st.markdown(
    f"**Exact from d = {exact}**: the largest number of independent filters this bank applies to one "
    f"input channel (the error there is {100 * errors[exact - 1]:.2g} %: float32 rounding at most). "
    f"At d = {exact} "
    f"the separable layer costs {page.cost_at(counts, exact)}."
)
st.markdown(page.cannot_represent(m, n_out, k, exact))
ranks = approx.channel_ranks(page.bank(name, n_out, colours, k))
st.caption(page.rank_caption(picture.labels, ranks))

with st.expander("Show the code", key="eq_code"):
    st.code(inspect.getsource(ops.compose), language="python")
    st.code(inspect.getsource(ops.separable_approximation), language="python")
    st.code(inspect.getsource(approx.relative_errors), language="python")
