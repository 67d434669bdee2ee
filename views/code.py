"""Code & downloads: the current block as PyTorch and Keras 3 code that computes exactly what the
pages draw, the blog post's snippet beside the fixed one, and every download in one place."""

from functools import partial

import streamlit as st

from dsviz.block import layer
from ui import controls, costcard, downloads, explainers, image, settings

picture = image.sidebar()
block = controls.current_block(picture)
spec, data = picture.spec, picture.data

st.title("Code & downloads")
st.markdown(
    "The block on the Playground, written out as code you can copy: with this page's weights it "
    "computes the very maps the pages draw. Below it, the blog post's snippet and what was wrong with it, "
    "and every download."
)
controls.substitutions()

st.header("1 · This block as code", divider="gray")
framework = settings.control("cd_fw")
explainers.block_code(block, framework, "cd")
try:
    gap = downloads.exported_gap(spec, block, data=data)
except ValueError as err:  # a block the image cannot run (a kernel wider than the image)
    st.error(f"This block cannot run on a {picture.width}×{picture.height} px image: {err}")
else:
    within = "exactly" if gap == 0 else f"to within {gap:.1e} (float32 rounding)"
    st.success(
        f"Checked just now: the PyTorch code for this block, run on this page's {picture.width}×"
        f"{picture.height} px input, gives the drawn outputs {within}. The Keras code is checked the same "
        "way in the test suite (the app itself does not depend on Keras).",
        icon=":material/check_circle:",
    )
st.caption(
    "The same code without the weights, for any layer size: `python -m dsviz code --in M --out N "
    "--kernel K [--stride s] [--dilation δ] [--depth-multiplier d] [--bn] [--act relu] "
    "--framework pytorch|keras`."
)

st.header("2 · The blog post's snippet, and the fixed one", divider="gray")
left, right = st.columns(2)
with left:
    st.markdown("**As printed**, with its three bugs:")
    explainers.seed_snippet()
with right:
    st.markdown("**Fixed**, for 32 → 64 channels (any size: `python -m dsviz code`):")
    st.code(layer(32, 64, 3, batch_norm=True, activation="relu").code(weights=False), language="python")
explainers.seed_runs()

st.header("3 · Downloads", divider="gray")
st.markdown("**This view**")
cols = st.columns(3)
with cols[0]:
    sections = partial(downloads.playground_sections, picture, block)  # drawn only on demand
    downloads.offer_sheet(sections, downloads.title_of(picture, block), "cd_sheet")
with cols[1]:
    st.download_button(
        "Download the settings (.json)",
        downloads.settings_file("Code & downloads"),
        "dsviz-settings.json",
        "application/json",
        key="cd_settings_download",
        help="Every setting of this view; upload it below (or on any machine) to open the same view.",
    )
with cols[2]:
    sep = block.cost(picture.height, picture.width)
    st.download_button(
        "Download the cost table (.csv)",
        costcard.cost_csv(sep, controls.convention_value()),
        "cost.csv",
        "text/csv",
        key="cd_cost_download",
    )
downloads.restore_from_upload()

st.markdown("**MobileNet as a PyTorch program**")
net, alpha, side, full = downloads.chosen_network()
name = f"mobilenet_{net}_{alpha}_{side}{'_full' if full else ''}.pt2"
st.caption(
    f"MobileNet {net} at α = {alpha}, ρ = {side}{', full convolutions' if full else ''} (chosen on the "
    "MobileNet page), as a `torch.export` file: `torch.export.load(path).module()` runs it without dsviz. "
    "Its weights are untrained (PyTorch's default initialisation, seed 0): it is the architecture, "
    "for counting and for your own training."
)
if st.button(f"Prepare {name}", key="cd_net"):
    with st.spinner("Exporting with torch.export (several seconds on this server) …"):
        program = downloads.network_file(net, alpha, side, full)
    st.download_button(f"Download {name}", program, name, "application/octet-stream", key="cd_net_download")
