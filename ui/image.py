"""The image a page works on, chosen in the sidebar: a built-in sample or an upload, its working
resolution, and how many input channels (M) it gives. Pages that show an image call :func:`sidebar`;
the others do not pay for decoding one."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dsviz import images
from dsviz.block import InputSpec, input_spec
from dsviz.words import count
from ui import settings, stages

UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
_GOOD_UPLOAD = "_good_upload"  # (file_id, digest, bytes) of the last upload that decoded
_BAD_UPLOAD = "_bad_upload"  # (file_id, message) of the last one that did not


@dataclass(frozen=True)
class Picture:
    """The chosen input: its spec (a cache key), the upload's bytes (None for a sample), its size,
    and the M channels' labels and colours."""

    spec: InputSpec
    data: bytes | None
    height: int
    width: int
    labels: tuple[str, ...]
    colours: tuple[int | None, ...]

    @property
    def m(self) -> int:
        return len(self.labels)


def sidebar() -> Picture:
    """Draw the image controls in the sidebar and return the picture they choose. Never raises for
    a bad upload: it says why and keeps the previous (or built-in) image."""
    with st.sidebar:
        st.header("Image")
        settings.control("img")
        upload = st.file_uploader("…or upload your own", type=UPLOAD_TYPES, key="upload")
        settings.control("res")
        settings.control("chan")
        settings.control("copies")
        settings.use("image")
        values = settings.values("image")
        digest, data = _upload(upload, values["res"], values["chan"] == "gray")
        spec = input_spec(values, digest)
        picture = _picture(spec, data)
        names = ", ".join(picture.labels[:6]) + ("…" if picture.m > 6 else "")
        st.caption(f"**M = {count(picture.m, 'input channel')}**: {names}")
        if values["chan"] == "rgb" and len(picture.labels) == 1 + values["copies"]:
            st.caption("This photo has a single (gray) channel, so RGB gives one channel too.")
        st.button("Reset every setting", key="reset_all", on_click=settings.reset, help="The default view")
    return picture


def _picture(spec: InputSpec, data: bytes | None) -> Picture:
    _, height, width = stages.photo(spec.ref, spec.resolution, spec.grayscale, data=data).shape
    labels, colours = spec.channels(stages.photo_channels(spec, data))
    return Picture(spec, data, height, width, labels, colours)


def _upload(upload, resolution: int, grayscale: bool) -> tuple[str | None, bytes | None]:
    """The upload to use — this one if it decodes, else the last good one — as (digest, bytes)."""
    fallback = st.session_state.get(_GOOD_UPLOAD)
    if upload is None:
        return None, None
    bad = st.session_state.get(_BAD_UPLOAD)
    if bad and bad[0] == (upload.file_id, resolution):
        st.error(bad[1])
    elif fallback is None or fallback[0] != upload.file_id:  # a new file: hash and decode it once
        data = upload.getvalue()
        digest = images.image_digest(data)
        try:
            stages.photo(f"upload:{digest}", resolution, grayscale, data=data)  # decode once, cached
            st.session_state[_GOOD_UPLOAD] = fallback = (upload.file_id, digest, data)
        except images.ImageError as err:
            st.session_state[_BAD_UPLOAD] = ((upload.file_id, resolution), f"{upload.name}: {err}")
            st.error(f"{upload.name}: {err}")
    if fallback is None:
        st.caption("Showing the built-in image instead.")
        return None, None
    try:  # the last good upload may not fit this resolution (a thin image at 64 px)
        stages.photo(f"upload:{fallback[1]}", resolution, grayscale, data=fallback[2])
    except images.ImageError as err:
        st.error(f"Your previous upload cannot be used at this resolution: {err}")
        st.caption("Showing the built-in image instead.")
        return None, None
    keep = "your upload" if fallback[0] == upload.file_id else "your previous upload"
    st.caption(f"Showing {keep} (uploads are not part of a shared link).")
    return fallback[1], fallback[2]


def describe(picture: Picture) -> str:
    """``M = 3 input channels, each 256×256 px``."""
    return f"M = {count(picture.m, 'input channel')}, each {picture.width}×{picture.height} px"
