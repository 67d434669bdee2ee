"""Tests for dsviz.images and dsviz.patterns: every fixture is made in memory with Pillow."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fakes import with_png_size
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

from dsviz import images, patterns
from dsviz.images import ImageError, load_image, load_sample

RED = (255, 0, 0)


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def gradient(w: int, h: int) -> Image.Image:
    """A smooth RGB test picture with distinct channels, so orientation and channels show."""
    x = np.linspace(0, 255, w)[None, :] * np.ones((h, 1))
    y = np.linspace(0, 255, h)[:, None] * np.ones((1, w))
    rgb = np.stack([x, y, 255 - x], axis=-1).round().astype(np.uint8)
    return Image.fromarray(rgb)


def grow(px: np.ndarray, k: int) -> np.ndarray:
    """Each pixel of ``px`` (H, W, …) as a k×k block: tiny test patterns made big enough to load."""
    return px.repeat(k, axis=0).repeat(k, axis=1)


def check_image(a: np.ndarray, channels: int, h: int, w: int) -> None:
    assert a.shape == (channels, h, w)
    assert a.dtype == np.float32
    assert a.flags.c_contiguous
    assert a.min() >= 0 and a.max() <= 1


def refusal(data, match: str | None = None) -> str:
    return refusal_at(data, 1024, match)


def refusal_at(data, max_side: int, match: str | None = None) -> str:
    with pytest.raises(ImageError, match=match) as info:
        load_image(data, max_side=max_side)
    assert isinstance(info.value, ValueError)
    return str(info.value)


# --- Formats and modes ---


@pytest.mark.parametrize(
    ("fmt", "kw", "tol"),
    [
        ("PNG", {}, 0),
        ("JPEG", {"quality": 95}, 0.03),
        ("WEBP", {"lossless": True}, 0),
        ("WEBP", {"quality": 90}, 0.05),
        ("BMP", {}, 0),
        ("TIFF", {}, 0),
        ("TIFF", {"compression": "tiff_lzw"}, 0),
        ("GIF", {}, 0),
    ],
)
def test_pure_red_in_every_format(fmt: str, kw: dict, tol: float) -> None:
    a = load_image(encode(Image.new("RGB", (32, 24), RED), fmt, **kw))
    check_image(a, 3, 24, 32)
    np.testing.assert_allclose(a[0], 1, atol=tol)
    np.testing.assert_allclose(a[1:], 0, atol=tol)


def test_rgb_values_are_exact_for_lossless_files() -> None:
    im = gradient(40, 30)
    a = load_image(encode(im, "PNG"))
    np.testing.assert_array_equal(a, np.moveaxis(np.asarray(im), -1, 0) / np.float32(255))


def test_grayscale_sources_give_one_channel() -> None:
    im = Image.fromarray(np.add.outer(np.arange(16) * 4, np.arange(20) * 6).astype(np.uint8))
    for fmt in ("PNG", "JPEG", "BMP", "TIFF"):
        a = load_image(encode(im, fmt))
        check_image(a, 1, 16, 20)
        np.testing.assert_allclose(a[0], np.asarray(im) / 255, atol=0.03)


def test_one_bit_image() -> None:
    im = Image.fromarray(np.indices((16, 24)).sum(axis=0) % 2 == 0)  # mode "1"
    assert im.mode == "1"
    for fmt in ("PNG", "BMP", "TIFF"):
        a = load_image(encode(im, fmt))
        check_image(a, 1, 16, 24)
        np.testing.assert_array_equal(a[0], np.asarray(im, dtype=np.float32))


def palette_image() -> Image.Image:
    """32×16, palette red except one 8×8 block of index 1 (blue) at column 8."""
    index = np.zeros((2, 4), np.uint8)
    index[0, 1] = 1
    im = Image.fromarray(grow(index, 8), "P")
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    return im


def test_palette_image() -> None:
    a = load_image(encode(palette_image(), "PNG"))
    check_image(a, 3, 16, 32)
    np.testing.assert_array_equal(a[:, 0, 0], [1, 0, 0])
    np.testing.assert_array_equal(a[:, 0, 8], [0, 0, 1])


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_transparency_becomes_white(fmt: str) -> None:
    a = load_image(encode(palette_image(), fmt, transparency=1))
    np.testing.assert_allclose(a[:, 0, 0], [1, 0, 0])
    np.testing.assert_allclose(a[:, 0, 8], [1, 1, 1])  # the transparent index


def test_rgba_is_composited_on_white() -> None:
    px = np.zeros((2, 3, 4), np.uint8)
    px[0, 0] = (255, 0, 0, 0)  # invisible red → white
    px[0, 1] = (255, 0, 0, 255)  # opaque red
    px[0, 2] = (0, 0, 0, 255)  # opaque black
    px[1, :] = (0, 0, 0, 51)  # 20 % black over white → 0.8
    for fmt in ("PNG", "WEBP", "TIFF"):
        kw = {"lossless": True} if fmt == "WEBP" else {}
        a = load_image(encode(Image.fromarray(grow(px, 8), "RGBA"), fmt, **kw))
        check_image(a, 3, 16, 24)
        a = a[:, ::8, ::8]
        np.testing.assert_allclose(a[:, 0, 0], [1, 1, 1], atol=1e-6)
        np.testing.assert_allclose(a[:, 0, 1], [1, 0, 0], atol=1e-6)
        np.testing.assert_allclose(a[:, 0, 2], [0, 0, 0], atol=1e-6)
        np.testing.assert_allclose(a[:, 1], 0.8, atol=1e-6)


def test_gray_with_alpha() -> None:
    px = np.array([[[0, 0], [0, 255], [100, 255]]], np.uint8)  # (1, 3, 2): L and A
    a = load_image(encode(Image.fromarray(grow(px, 16), "LA"), "PNG"))
    check_image(a, 1, 16, 48)
    np.testing.assert_allclose(a[0, 0, ::16], [1, 0, 100 / 255], atol=1e-6)


def test_every_mode_converts_to_a_working_mode() -> None:
    for mode in ("PA", "La", "RGBa", "RGBX", "CMYK", "YCbCr", "HSV", "I", "I;16", "F"):
        im = images._working_mode(Image.new(mode, (3, 2)))
        assert im.mode in ("L", "LA", "RGB", "RGBA", "F")


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_sixteen_bit_gray_uses_the_full_range(fmt: str) -> None:
    px = np.array([[65535, 32768, 0, 255]], np.uint16)
    a = load_image(encode(Image.fromarray(grow(px, 16)), fmt))
    check_image(a, 1, 16, 64)
    np.testing.assert_allclose(a[0, 0, ::16], [1, 32768 / 65535, 0, 255 / 65535], atol=1e-6)


def test_thirty_two_bit_int_tiff() -> None:
    px = np.array([[65535, 0]], np.int32)
    a = load_image(encode(Image.fromarray(grow(px, 16)), "TIFF"))
    np.testing.assert_allclose(a[0, 0, ::16], [1, 0])


def test_float_tiff_in_unit_range_is_kept_and_other_ranges_are_stretched() -> None:
    px = grow(np.array([[0.0, 0.25, 1.0]], np.float32), 16)
    np.testing.assert_allclose(load_image(encode(Image.fromarray(px), "TIFF"))[0], px)
    px = np.array([[-10.0, 0.0, 30.0, np.nan]], np.float32)
    a = load_image(encode(Image.fromarray(grow(px, 16)), "TIFF"))
    check_image(a, 1, 16, 64)
    np.testing.assert_allclose(a[0, 0, ::16], [0, 0.25, 1, 0.25])


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk(fmt: str) -> None:
    px = np.zeros((1, 3, 4), np.uint8)
    px[0, 1] = (0, 255, 255, 0)  # red
    px[0, 2] = (0, 0, 0, 255)  # black
    big = Image.fromarray(grow(px, 16), "CMYK")
    a = load_image(encode(big, fmt, **({"quality": 100} if fmt == "JPEG" else {})))
    check_image(a, 3, 16, 48)
    a = a[:, 8::16, 8::16]
    tol = 0.05 if fmt == "JPEG" else 0
    np.testing.assert_allclose(a[:, 0, 0], [1, 1, 1], atol=tol)
    np.testing.assert_allclose(a[:, 0, 1], [1, 0, 0], atol=tol)
    np.testing.assert_allclose(a[:, 0, 2], [0, 0, 0], atol=tol)


def test_animated_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (20, 16), c) for c in (RED, (0, 255, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    a = load_image(data)
    check_image(a, 3, 16, 20)
    np.testing.assert_allclose(a[:, 0, 0], [1, 0, 0])


@pytest.mark.parametrize(("fmt", "kw"), [("WEBP", {"lossless": True}), ("PNG", {})])
def test_animated_webp_and_apng_give_their_first_frame(fmt: str, kw: dict) -> None:
    frames = [Image.new("RGB", (20, 16), c) for c in (RED, (0, 255, 0))]
    a = load_image(encode(frames[0], fmt, save_all=True, append_images=frames[1:], **kw))
    np.testing.assert_allclose(a[:, 0, 0], [1, 0, 0])


def test_phone_camera_mpo_jpeg() -> None:
    im = gradient(40, 30)
    data = encode(im, "MPO", save_all=True, append_images=[gradient(40, 30)])
    assert Image.open(io.BytesIO(data)).format == "MPO"
    check_image(load_image(data), 3, 30, 40)


def test_avif_when_pillow_supports_it() -> None:
    if "AVIF" not in images._formats():
        pytest.skip("this Pillow has no AVIF support")
    a = load_image(encode(gradient(40, 30), "AVIF", quality=90))
    check_image(a, 3, 30, 40)
    np.testing.assert_allclose(a, load_image(encode(gradient(40, 30), "PNG")), atol=0.06)


def with_orientation(im: Image.Image, orientation: int, fmt: str) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(im, fmt, exif=exif)


def test_exif_orientation_6_turns_a_landscape_image_upright() -> None:
    im = gradient(40, 20)
    for fmt in ("JPEG", "PNG", "WEBP"):
        check_image(load_image(with_orientation(im, 6, fmt)), 3, 40, 20)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow(orientation: int) -> None:
    data = with_orientation(gradient(24, 16), orientation, "PNG")
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    np.testing.assert_array_equal(
        load_image(data), np.moveaxis(np.asarray(expected), -1, 0) / np.float32(255)
    )


def test_grayscale_option_uses_pillow_luma() -> None:
    im = gradient(30, 20)
    a = load_image(encode(im, "PNG"), grayscale=True)
    check_image(a, 1, 20, 30)
    np.testing.assert_allclose(a[0], np.asarray(im.convert("L")) / 255, atol=1 / 255 + 1e-6)
    jpeg = load_image(encode(im, "JPEG", quality=95), grayscale=True)  # decoded as luma directly
    np.testing.assert_allclose(jpeg[0], a[0], atol=0.03)
    gray = load_image(encode(im.convert("L"), "PNG"), grayscale=True)
    check_image(gray, 1, 20, 30)


# --- Downscaling ---


def test_downscale_keeps_aspect_and_respects_max_side() -> None:
    data = encode(gradient(300, 100), "PNG")
    check_image(load_image(data, max_side=64), 3, 21, 64)
    check_image(load_image(data, max_side=300), 3, 100, 300)
    tall = encode(gradient(100, 400), "PNG")
    check_image(load_image(tall, max_side=100), 3, 100, 25)


def test_never_upscales() -> None:
    check_image(load_image(encode(gradient(30, 20), "PNG"), max_side=1024), 3, 20, 30)


def test_large_jpeg_is_reduced_and_still_looks_right() -> None:
    im = gradient(2400, 1600)
    a = load_image(encode(im, "JPEG", quality=90), max_side=300)
    check_image(a, 3, 200, 300)
    expected = im.resize((300, 200), Image.Resampling.LANCZOS)
    np.testing.assert_allclose(a, np.moveaxis(np.asarray(expected), -1, 0) / 255, atol=0.03)


@settings(max_examples=60, deadline=None)
@given(w=st.integers(1, 400), h=st.integers(1, 400), max_side=st.integers(1, 500))
def test_target_size_property(w: int, h: int, max_side: int) -> None:
    tw, th = images._target_size((w, h), max_side)
    assert 1 <= tw <= w and 1 <= th <= h
    if max(w, h) <= max_side:
        assert (tw, th) == (w, h)
    else:
        assert max(tw, th) == max_side
        scale = max_side / max(w, h)  # aspect kept: each side is scaled alike, then rounded
        assert abs(tw - w * scale) <= 0.5 or tw == 1
        assert abs(th - h * scale) <= 0.5 or th == 1


@settings(max_examples=40, deadline=None)
@given(w=st.integers(1, 120), h=st.integers(1, 120), max_side=st.integers(1, 130))
def test_loaded_shape_property(w: int, h: int, max_side: int) -> None:
    tw, th = images._target_size((w, h), max_side)
    shows = min(tw, th) >= 16 and max(w, h) <= 4 * min(w, h)  # the rule, written independently
    data = encode(gradient(w, h), "PNG")
    if not shows:
        refusal_at(data, max_side, f"{w}×{h} px")
        return
    a = load_image(data, max_side=max_side)
    assert a.shape == (3, th, tw)
    assert max(a.shape[1:]) <= max_side


# --- Size and shape limits: at least 16 px a side at the working resolution, at most 4:1 ---


def test_limits_are_exported() -> None:
    assert images.MIN_SIDE == 16 and images.MAX_ASPECT == 4


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
@pytest.mark.parametrize(("w", "h"), [(16, 16), (16, 64), (64, 16), (400, 100), (100, 400), (17, 68)])
def test_shapes_at_the_limits_load(fmt: str, w: int, h: int) -> None:
    check_image(load_image(encode(gradient(w, h), fmt)), 3, h, w)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
@pytest.mark.parametrize(("w", "h"), [(15, 16), (16, 15), (15, 15), (1, 1), (15, 60)])
def test_fifteen_pixels_is_too_small(fmt: str, w: int, h: int) -> None:
    message = refusal(encode(gradient(w, h), fmt), "at least 16 px on each side")
    assert f"This image is {w}×{h} px;" in message  # W×H, as people say it
    assert "working resolution (1024 px)" in message and "larger image" in message
    assert "Raise" not in message  # images are never enlarged: a higher resolution would not help


@pytest.mark.parametrize(
    ("w", "h", "ratio"), [(401, 100, "4.01:1"), (100, 401, "4.01:1"), (65, 16, "4.06:1")]
)
def test_just_over_four_to_one_is_refused(w: int, h: int, ratio: str) -> None:
    message = refusal(encode(gradient(w, h), "PNG"), "crop it first")
    assert f"This image is {w}×{h} px ({ratio}); dsviz shows images up to 4:1" in message


def test_a_ratio_that_rounds_to_four_is_written_with_more_digits() -> None:
    message = refusal(encode(gradient(1025, 256), "PNG"), "crop")
    assert "(4.004:1)" in message


def test_tiny_and_thin_uploads_say_both_problems() -> None:
    message = refusal(encode(gradient(3, 200), "PNG"))
    assert message.startswith("This image is 3×200 px; dsviz needs at least 16 px on each side")
    assert "no more than 4:1 (this one is 66.7:1)" in message and "Raise" not in message
    assert "1×1 px" in refusal(encode(Image.new("RGB", (1, 1)), "PNG"))


def test_the_short_side_is_checked_at_the_working_resolution() -> None:
    data = encode(gradient(100, 30), "PNG")  # 3.3:1, but 30 px shrinks below 16 at small resolutions
    message = refusal_at(data, 32, "Raise the working resolution to 52 px or more")
    assert "100×30 px, only 32×10 px at the working resolution (32 px)" in message
    refusal_at(data, 51, "Raise the working resolution to 52 px")
    check_image(load_image(data, max_side=52), 3, 16, 52)  # the advice is exactly enough
    check_image(load_image(encode(gradient(400, 100), "PNG"), max_side=64), 3, 16, 64)  # 4:1 at 64 px


@settings(max_examples=200, deadline=None)
@given(w=st.integers(16, 3000), h=st.integers(16, 3000), max_side=st.integers(1, 1024))
def test_advice_to_raise_the_resolution_is_right(w: int, h: int, max_side: int) -> None:
    """The suggested resolution is the smallest that works, and it is given only when one exists."""
    try:
        images.check_shape(w, h, max_side)
    except ImageError as e:
        if "Raise" in str(e):
            need = int(str(e).split("resolution to ")[1].split(" px")[0])
            assert need > max_side
            images.check_shape(w, h, need)  # works
            with pytest.raises(ImageError):
                images.check_shape(w, h, need - 1)  # and one less does not
        else:
            assert max(w, h) > 4 * min(w, h)  # only thin images get no resolution advice
            with pytest.raises(ImageError):
                images.check_shape(w, h, max(w, h))


def test_a_huge_thin_image_is_refused_from_its_header_before_decoding() -> None:
    png = encode(Image.new("L", (1, 1)), "PNG")
    # a 20000×100 header on 1 px of data: decoding would fail as "damaged"; the shape is refused first
    message = refusal(with_png_size(png, 20_000, 100))
    assert "20000×100 px" in message and "200:1" in message and "damaged" not in message


def test_sizes_in_messages_are_the_upright_picture() -> None:
    """A phone photo stored sideways (EXIF orientation 6) is named as it is shown: W×H upright."""
    for fmt in ("JPEG", "PNG"):
        message = refusal(with_orientation(gradient(200, 30), 6, fmt), "crop")
        assert "This image is 30×200 px (6.67:1)" in message, fmt


@pytest.mark.parametrize("max_side", [64, 128, 192, 256, 384, 512, 768, 1024])
def test_every_pattern_passes_the_shape_rule_at_every_resolution(max_side: int) -> None:
    for name in patterns.PATTERNS:
        assert load_sample(name, max_side=max_side).shape == (3, max_side, max_side)


def test_patterns_smaller_than_the_minimum_are_refused() -> None:
    with pytest.raises(ImageError, match="at least 16 px"):
        load_sample("checkerboard", max_side=15)


# --- Sources ---


class FakeUploadedFile(io.BytesIO):
    """Stands in for streamlit's UploadedFile, a BytesIO subclass."""

    name = "photo.png"


class Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        chunk = self._buf.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def test_every_kind_of_source(tmp_path: Path) -> None:
    data = encode(gradient(24, 16), "PNG")
    path = tmp_path / "picture.png"
    path.write_bytes(data)
    consumed = FakeUploadedFile(data)
    consumed.read()  # already read by someone else: we start again from the beginning
    sources = [data, bytearray(data), memoryview(data), str(path), path, consumed]
    sources += [io.BufferedReader(Unseekable(data)), path.open("rb")]
    expected = load_image(data)
    for source in sources:
        np.testing.assert_array_equal(load_image(source), expected)


def test_bad_sources(tmp_path: Path) -> None:
    refusal(tmp_path / "missing.png", "Cannot read the file")
    refusal(tmp_path, "Cannot read the file")
    (tmp_path / "notes.txt").write_text("hello")
    with (tmp_path / "notes.txt").open() as text_mode:
        refusal(text_mode, "text")
    with pytest.raises(TypeError):
        load_image(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_side"):
        load_image(encode(gradient(4, 4), "PNG"), max_side=0)


def test_files_over_the_byte_limit_are_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = encode(gradient(64, 64), "PNG")
    monkeypatch.setattr(images, "MAX_BYTES", len(data) - 1)
    path = tmp_path / "big.png"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data), io.BufferedReader(Unseekable(data))):
        assert "MB" in refusal(source, "dsviz accepts files up to")


def test_image_digest() -> None:
    d = images.image_digest(b"abc")
    assert d == images.image_digest(b"abc") != images.image_digest(b"abd")
    assert len(d) == 16 and int(d, 16) >= 0


# --- Refusals ---


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("photo.png", encode(gradient(4, 4), "PNG"))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"hello", "text file"),
        ("héllo wörld\n".encode() * 50, "text file"),
        (b"<!DOCTYPE html>\n<html><body><img src='x.png'></body></html>", "web page"),
        (b"\n  <html lang='en'><head></head></html>", "web page"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10"/>', "SVG"),
        (b'<?xml version="1.0"?>\n<!-- x -->\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b'<?xml version="1.0"?>\n<note/>', "XML"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (zip_bytes(), "zip"),
        (b"\x1f\x8b\x08\x00" + bytes(20), "gzip"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42", "video"),
        (b"8BPS\x00\x01" + bytes(30), "Photoshop"),
        (bytes(range(256)) * 4, "not an image dsviz can read"),
    ],
)
def test_non_images_are_refused_with_a_reason(data: bytes, match: str) -> None:
    message = refusal(data, match)
    if data:
        assert "PNG, JPEG" in message  # and says what would work


def test_unsupported_image_formats_are_named() -> None:
    assert "ICO" in refusal(encode(gradient(16, 16), "ICO"), "does not read")
    assert "TGA" in refusal(encode(gradient(16, 16), "TGA"), "does not read")


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")  # Pillow's, for cut TIFFs
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP"])
def test_truncated_files_are_refused(fmt: str) -> None:
    data = encode(gradient(64, 48), fmt)
    assert "damaged" in refusal(data[: len(data) // 2])
    assert "damaged" in refusal(data[:40])  # cut inside the header


def test_large_jpegs_are_decoded_at_reduced_scale() -> None:
    im = images._open(encode(gradient(2400, 1600), "JPEG"))
    images._decode(im, 300, grayscale=False)
    assert im.size == (300, 200)  # libjpeg decoded at 1/8 scale: no 2400×1600 buffer existed


def test_corrupt_image_data_is_refused() -> None:
    data = bytearray(encode(gradient(64, 48), "PNG"))
    data[60:80] = bytes(20)  # inside the compressed pixel data
    refusal(bytes(data), "damaged")


def test_decompression_bombs_are_refused_from_the_header() -> None:
    png = encode(Image.new("L", (1, 1)), "PNG")
    # 10 gigapixels: far past Pillow's own limit, so Image.open refuses it before we can look.
    assert "100000 × 100000" in refusal(with_png_size(png, 100_000, 100_000), "too large")
    # 64 megapixels: under Pillow's limit, over ours.
    assert "8000 × 8000" in refusal(with_png_size(png, 8000, 8000), "megapixels")
    assert "40000 × 10" in refusal(with_png_size(png, 40_000, 10), "per side")
    gif = bytearray(encode(Image.new("L", (1, 1)), "GIF"))
    gif[6:10] = struct.pack("<HH", 65535, 65535)
    assert "65535 × 65535" in refusal(bytes(gif), "too large")
    refusal(with_png_size(png, 0, 10))


def test_check_size_refuses_empty_dimensions() -> None:
    with pytest.raises(ImageError, match="impossible"):
        images._check_size((0, 10))


# --- Fuzzing: anything either loads as a valid image or raises ImageError ---


# Pillow warns (UserWarning) about the broken TIFF headers that fuzzing produces; that is fine.
fuzz = pytest.mark.filterwarnings("ignore::UserWarning")


def assert_loads_or_refuses(data: bytes) -> None:
    try:
        a = load_image(data, max_side=64)
    except ImageError:
        return
    assert a.ndim == 3 and a.shape[0] in (1, 3) and max(a.shape[1:]) <= 64
    assert a.dtype == np.float32 and np.isfinite(a).all() and 0 <= a.min() <= a.max() <= 1


PREFIXES = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"BM", b"II*\x00", b"RIFF"]


@fuzz
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=600))
def test_arbitrary_bytes_load_or_raise_image_error(prefix: bytes, body: bytes) -> None:
    assert_loads_or_refuses(prefix + body)


SMALL_FILES = [
    encode(gradient(20, 16), fmt, **kw)
    for fmt, kw in [
        ("PNG", {}),
        ("JPEG", {}),
        ("GIF", {}),
        ("BMP", {}),
        ("TIFF", {}),
        ("WEBP", {"quality": 80}),
    ]
]


@fuzz
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, len(SMALL_FILES) - 1),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
    cut=st.integers(1, 10_000),
)
def test_damaged_real_files_load_or_raise_image_error(which: int, edits: list, cut: int) -> None:
    data = bytearray(SMALL_FILES[which])
    for pos, value in edits:
        data[pos % len(data)] = value
    assert_loads_or_refuses(bytes(data[: max(1, len(data) - cut % len(data))]))


# --- Samples and patterns ---


@pytest.mark.parametrize("name", images.sample_names())
@pytest.mark.parametrize("max_side", [64, 100, 128, 192, 256, 384, 512, 768, 1024])
def test_every_sample_loads(name: str, max_side: int) -> None:
    a = load_sample(name, max_side=max_side)
    assert a.ndim == 3 and a.shape[0] == 3 and max(a.shape[1:]) <= max_side
    check_image(a, 3, *a.shape[1:])
    assert a.std() > 0.05  # a real picture, not a blank
    g = load_sample(name, max_side=max_side, grayscale=True)
    check_image(g, 1, *a.shape[1:])


def test_sample_registry() -> None:
    names = images.sample_names()
    assert names[:4] == ["astronaut", "rocket", "coffee", "chelsea"]
    assert set(names) == set(images.PHOTOS) | set(patterns.PATTERNS)
    assert {"checkerboard", "rings", "stripes-0", "stripes-45", "stripes-90", "text"} <= set(names)
    assert images.DEFAULT_SAMPLE in names
    assert images.sample_label("astronaut") == "Astronaut (NASA, public domain)"
    for name in names:
        assert name == name.lower() and " " not in name  # safe in a URL
        assert images.sample_label(name)
    with pytest.raises(ImageError, match="no sample called"):
        load_sample("mona-lisa")
    with pytest.raises(ImageError):
        images.sample_label("mona-lisa")


def test_sample_files_are_small_licensed_and_512_px() -> None:
    files = {p.name: p for p in images.SAMPLE_DIR.iterdir()}
    licence = files.pop("LICENSE.md").read_text()
    assert set(files) == {f"{name}.jpg" for name in images.PHOTOS}
    assert sum(p.stat().st_size for p in files.values()) < 400_000
    for name in files:
        assert f"`{name}`" in licence
        with Image.open(files[name]) as im:
            assert max(im.size) <= 512


def test_photos_are_never_enlarged() -> None:
    assert load_sample("astronaut", max_side=2048).shape == (3, 512, 512)
    assert load_sample("chelsea", max_side=1000).shape == (3, 300, 451)


def test_patterns_are_deterministic_squares() -> None:
    for name in patterns.PATTERNS:
        a = load_sample(name, max_side=33)
        check_image(a, 3, 33, 33)
        np.testing.assert_array_equal(a, load_sample(name, max_side=33))
    with pytest.raises(ValueError):
        patterns.make_pattern("nope", 10)


def test_pattern_contents() -> None:
    board = patterns.checkerboard(16)[0]
    assert board[0, 0] != board[0, 2] and board[0, 0] == board[2, 2]
    horizontal = patterns.stripes(64, 0)[0]
    assert np.ptp(horizontal, axis=1).max() == 0  # constant along each row
    vertical = patterns.stripes(64, 90)[0]
    assert np.ptp(vertical, axis=0).max() < 1e-6  # constant down each column
    shapes = patterns.shapes(64)
    assert all(shapes[c].max() == 1 for c in range(3))  # one shape in each channel


def test_core_has_no_ui_or_skimage_imports() -> None:
    for module in (images, patterns):
        source = Path(module.__file__).read_text()
        assert "streamlit" not in source and "skimage" not in source
