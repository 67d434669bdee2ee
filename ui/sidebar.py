"""The sidebar every page shares: which image, at what resolution, with how many input channels."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from dsviz import images
from dsviz.inputs import MAX_COPIES, channel_names
from ui import state
from ui.pipeline import InputSpec, photo

RESOLUTIONS = (64, 128, 192, 256, 384, 512, 768, 1024)
DEFAULT_RESOLUTION = 256
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
_GOOD_UPLOAD = "_good_upload"  # (file_id, digest, bytes) of the last upload that decoded
_BAD_UPLOAD = "_bad_upload"  # (file_id, message) of the last one that did not


class Sidebar(NamedTuple):
    inputs: InputSpec
    data: bytes | None  # upload bytes, None for a built-in sample
    channels: int  # M


def render() -> Sidebar:
    """Draw the sidebar; the result is also kept in ``st.session_state["sidebar"]`` for pages."""
    with st.sidebar:
        st.header("Image")
        sample = state.select(
            "Built-in image",
            images.sample_names(),
            images.DEFAULT_SAMPLE,
            "img",
            format_func=images.sample_label,
        )
        upload = st.file_uploader("…or upload your own", type=UPLOAD_TYPES, key="upload")
        resolution = state.steps(
            "Working resolution (longest side, px)", RESOLUTIONS, DEFAULT_RESOLUTION, "res"
        )
        colour = state.select(
            "Photo channels",
            ["rgb", "gray"],
            "rgb",
            "chan",
            format_func={"rgb": "RGB (3 channels)", "gray": "Grayscale (1 channel)"}.get,
        )
        copies = state.integer(
            "Extra filtered copies of the photo",
            0,
            MAX_COPIES,
            0,
            "copies",
            help="More input channels than the photo has: the photo is stacked with fixed 3×3-filtered "
            "versions of itself (blur, Sobel x, Sobel y, Laplacian, …), so M = C × (1 + copies).",
        )
        ref, data = _source(sample, upload, resolution, colour == "gray")
        m = len(channel_names(1 if colour == "gray" else 3)) * (1 + copies)
        st.caption(f"**M = {m}** input channels")
        st.button("Reset every setting", key="reset_all", on_click=state.reset, help="The default view")
    result = Sidebar(InputSpec(ref, resolution, colour == "gray", copies), data, m)
    st.session_state["sidebar"] = result
    return result


def current() -> Sidebar:
    """The sidebar's values for this run (``render`` runs first, in app.py)."""
    return st.session_state["sidebar"]


def _source(sample: str, upload, resolution: int, grayscale: bool) -> tuple[str, bytes | None]:
    """The image to use: a good upload, else the last good one, else the sample. Never raises."""
    fallback = st.session_state.get(_GOOD_UPLOAD)
    if upload is not None:
        bad = st.session_state.get(_BAD_UPLOAD)
        if bad and bad[0] == upload.file_id:
            st.error(bad[1])
        else:
            data = upload.getvalue()
            digest = images.image_digest(data)
            try:
                photo(f"upload:{digest}", resolution, grayscale, data)  # decode once, cached
                st.session_state[_GOOD_UPLOAD] = fallback = (upload.file_id, digest, data)
            except images.ImageError as err:
                st.session_state[_BAD_UPLOAD] = (upload.file_id, f"{upload.name}: {err}")
                st.error(f"{upload.name}: {err}")
    if upload is not None and fallback is not None:
        keep = "your upload" if fallback[0] == upload.file_id else "your previous upload"
        st.caption(f"Showing {keep} (uploads are not part of a shared link).")
        return f"upload:{fallback[1]}", fallback[2]
    if upload is not None:
        st.caption("Showing the built-in image instead.")
    return f"sample:{sample}", None
