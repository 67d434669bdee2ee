"""Load images safely, and the built-in samples the app opens with.

Every image leaves this module as float32 ``(C, H, W)`` in [0, 1] — the layout of a PyTorch
tensor without the batch axis — with ``C = 3`` for colour and ``C = 1`` for grey. Uploads come
from strangers, so anything that is not a readable picture of a sensible size is refused with an
:class:`ImageError` whose message a student can act on; no Pillow exception ever escapes.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image

from dsviz import sniff
from dsviz.patterns import make_pattern

MAX_BYTES = 50 * 1024 * 1024  # largest file accepted (50 MB)
MAX_PIXELS = 50_000_000  # largest width × height accepted, checked from the header
MAX_DIMENSION = 30_000  # largest width or height accepted
MIN_SIDE = 16  # shortest side accepted, in px at the working resolution (a 3×3 kernel needs room)
MAX_ASPECT = 4.0  # longest side ÷ shortest side accepted (4:1 either way), from the file's own size
# Formats we decode. A whitelist keeps Pillow's rarer decoders (and EPS, which runs
# Ghostscript) away from uploads. MPO is how Pillow names many phone-camera JPEGs.
FORMATS = ("PNG", "JPEG", "MPO", "WEBP", "BMP", "TIFF", "GIF", "AVIF")
SUPPORTED = "PNG, JPEG, WebP, BMP, TIFF or GIF"
LUMA = (0.299, 0.587, 0.114)  # ITU-R 601 weights, as Pillow's "L" mode

Source = bytes | bytearray | memoryview | str | os.PathLike | IO[bytes]


class ImageError(ValueError):
    """The file cannot be used as an image; the message says why, in plain words."""


# --- Reading bytes and sniffing what they are ---


def image_digest(data: bytes) -> str:
    """Short sha256 of the file's bytes: a cheap, stable cache key for an upload."""
    return hashlib.sha256(data).hexdigest()[:16]


def _too_big(n_bytes: int) -> ImageError:
    mb = 1024 * 1024
    return ImageError(
        f"This file is {n_bytes / mb:.0f} MB; dsviz accepts files up to {MAX_BYTES // mb} MB. "
        "Please upload a smaller copy of the picture."
    )


def _read_bytes(source: Source) -> bytes:
    """All the bytes of ``source``, refusing oversized files before reading them when possible."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise _too_big(path.stat().st_size)
            data = path.read_bytes()
        except OSError as e:
            raise ImageError(f"Cannot read the file {str(path)!r}: {e.strerror or e}.") from e
    elif hasattr(source, "read"):
        data = _read_stream(source)
    else:
        raise TypeError(f"expected bytes, a path or a binary file object, not {type(source)}")
    if len(data) > MAX_BYTES:
        raise _too_big(len(data))
    if not data:
        raise ImageError("This file is empty (0 bytes): maybe the upload or download did not finish.")
    return data


def _read_stream(stream: IO[bytes]) -> bytes:
    """Read a file-like object from its start (as ``Image.open`` does), at most MAX_BYTES + 1."""
    try:
        size = stream.seek(0, io.SEEK_END) if stream.seekable() else None
        if size is None or size <= MAX_BYTES:
            if size is not None:
                stream.seek(0)
            data = stream.read(MAX_BYTES + 1)
    except (OSError, ValueError) as e:
        raise ImageError(f"Cannot read the uploaded file: {e}.") from e
    if size is not None and size > MAX_BYTES:
        raise _too_big(size)
    if isinstance(data, str):
        raise ImageError("This is text, not an image (the file was opened in text mode).")
    return bytes(data)


def _not_an_image(what: str) -> ImageError:
    return ImageError(f"This is not an image: it looks like {what}. Please upload a {SUPPORTED} file.")


# --- Opening, checking and decoding ---


def _formats() -> tuple[str, ...]:
    """The whitelisted formats this Pillow build can open (AVIF support is optional)."""
    Image.init()
    return tuple(f for f in FORMATS if f in Image.OPEN)


def _header_size(data: bytes) -> tuple[int, int] | None:
    """Width and height read from the header alone, without Pillow's own size limit.

    Only used to word the refusal of an image so large that ``Image.open`` itself refuses it.
    """
    for fmt in _formats():
        factory, accept = Image.OPEN[fmt]
        try:
            accepted = accept is None or accept(data[:16])
            if accepted and not isinstance(accepted, str):
                with factory(io.BytesIO(data), "") as im:  # header only: no pixels decoded
                    return im.size
        except Exception:
            continue
    return None


def _check_size(size: tuple[int, int] | None) -> None:
    """Refuse absurd or huge images from their header, before any pixel is decoded."""
    if size is None:
        raise ImageError(f"This image is too large to open safely (over {MAX_PIXELS / 1e6:g} megapixels).")
    w, h = size
    if w <= 0 or h <= 0:
        raise ImageError(f"This image claims to be {w} × {h} pixels, which is impossible.")
    if w > MAX_DIMENSION or h > MAX_DIMENSION:
        raise ImageError(
            f"This image is too large: {w} × {h} pixels. dsviz accepts at most {MAX_DIMENSION} "
            "pixels per side. Please upload a smaller copy."
        )
    if w * h > MAX_PIXELS:
        raise ImageError(
            f"This image is too large: {w} × {h} pixels ({w * h / 1e6:,.0f} megapixels). "
            f"dsviz accepts up to {MAX_PIXELS / 1e6:g} megapixels. Please upload a smaller copy."
        )


def _open(data: bytes) -> Image.Image:
    """Identify the format and read the header (lazily: no pixels are decoded here)."""
    try:
        im = Image.open(io.BytesIO(data), formats=_formats())
    except Image.DecompressionBombError as e:
        _check_size(_header_size(data))  # raises, with the dimensions when we can read them
        raise ImageError("This image is too large to open safely.") from e
    except Exception as e:
        raise _unidentified(data) from e
    _check_size(im.size)
    return im


def _unidentified(data: bytes) -> ImageError:
    """The clearest refusal for bytes no whitelisted decoder recognises."""
    try:
        with Image.open(io.BytesIO(data)) as im:  # any format, header only, never decoded
            fmt = im.format
    except Exception:
        fmt = None
    if fmt and fmt not in FORMATS:
        return ImageError(
            f"This is an image in {fmt} format, which dsviz does not read. Please convert it to {SUPPORTED}."
        )
    if sniff.looks_like_text(data):
        return _not_an_image("a text file")
    for magic, name in sniff.IMAGE_SIGNATURES:
        if data.startswith(magic) and (name != "WebP" or data[8:12] == b"WEBP"):
            return ImageError(
                f"This looks like a {name} file, but it is damaged or incomplete, so it cannot be "
                "opened. Try saving or downloading it again."
            )
    return ImageError(
        f"This file is not an image dsviz can read, or it is damaged. Please upload a {SUPPORTED} file."
    )


def _target_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """Fit ``size`` inside ``max_side`` × ``max_side`` keeping the aspect ratio; never enlarge."""
    w, h = size
    scale = max_side / max(w, h)
    if scale >= 1:
        return w, h
    return max(1, round(w * scale)), max(1, round(h * scale))


def _ratio(long: int, short: int) -> str:
    """``long / short`` (> MAX_ASPECT) as "7.5:1", with digits enough never to read as "4:1"."""
    if long >= 100 * short:
        return f"{long / short:,.0f}:1"
    for digits in range(3, 10):
        text = f"{long / short:.{digits}g}"
        if float(text) > MAX_ASPECT:
            return f"{text}:1"
    return f"{long / short}:1"


def _resolution_needed(width: int, height: int) -> int | None:
    """The smallest working resolution at which the short side reaches MIN_SIDE (None: never)."""
    long, short = max(width, height), min(width, height)
    if short < MIN_SIDE:
        return None  # images are never enlarged: no resolution helps
    side = max(MIN_SIDE, int((MIN_SIDE - 0.5) * long / short))  # at or just below the answer
    while min(_target_size((width, height), side)) < MIN_SIDE:
        side += 1
    return side


def _too_small(width: int, height: int, max_side: int, ratio: str) -> ImageError:
    """The refusal of an image whose short side is under MIN_SIDE px at the working resolution."""
    shown_w, shown_h = _target_size((width, height), max_side)
    need = None if ratio else _resolution_needed(width, height)
    if need is not None:
        advice = f"Raise the working resolution to {need} px or more, or upload a larger image."
    elif ratio:
        advice = f"Please upload a larger image, no more than {MAX_ASPECT:g}:1 (this one is {ratio})."
    else:
        advice = "Please upload a larger image."
    at = f"at the working resolution ({max_side} px)"
    if (shown_w, shown_h) == (width, height):
        problem = f"{width}×{height} px; dsviz needs at least {MIN_SIDE} px on each side {at}"
    else:
        problem = f"{width}×{height} px, only {shown_w}×{shown_h} px {at}; dsviz needs {MIN_SIDE} px a side"
    return ImageError(f"This image is {problem}. {advice}")


def check_shape(width: int, height: int, max_side: int) -> None:
    """Refuse an image too small or too thin to show: raises :class:`ImageError`, else returns.

    The short side must be at least ``MIN_SIDE`` px at the working resolution (after shrinking to
    ``max_side``; images are never enlarged), and ``long / short`` at most ``MAX_ASPECT`` (of the
    file's own size, so the answer is the same at every resolution). Sizes are W×H, as people say.
    """
    long, short = max(width, height), min(width, height)
    ratio = _ratio(long, short) if long > MAX_ASPECT * short else ""
    if min(_target_size((width, height), max_side)) < MIN_SIDE:
        raise _too_small(width, height, max_side, ratio)
    if ratio:
        raise ImageError(
            f"This image is {width}×{height} px ({ratio}); dsviz shows images up to {MAX_ASPECT:g}:1: "
            "please crop it first."
        )


def _bit_depth(im: Image.Image, default: int) -> int:
    """Bits per sample from a TIFF header (12-bit data in 16-bit files), else ``default``."""
    tags = getattr(im, "tag_v2", None)
    bits = tags.get(258) if tags is not None else None
    bits = bits[0] if isinstance(bits, tuple) and bits else bits
    return bits if isinstance(bits, int) and 1 <= bits <= default else default


def _to_float_image(im: Image.Image) -> Image.Image:
    """High-bit-depth and float images → mode "F" already scaled to [0, 1].

    16-bit images are divided by their real maximum (65535 for 16 bits), not clipped to 255.
    A float image has no fixed white level, so values outside [0, 1] are stretched to fit.
    """
    a = np.asarray(im).astype(np.float64)
    fits_16_bits = im.mode == "I" and a.size > 0 and a.min() >= 0 and a.max() <= 65535
    if im.mode.startswith("I;16") or fits_16_bits:
        a /= 2 ** _bit_depth(im, 16) - 1
    else:
        a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
        lo, hi = (a.min(), a.max()) if a.size else (0.0, 1.0)
        if lo < 0 or hi > 1:
            a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    return Image.fromarray(np.clip(a, 0, 1).astype(np.float32), mode="F")


def _working_mode(im: Image.Image) -> Image.Image:
    """Convert any mode to one of L, LA, RGB, RGBA or F, the modes resizing handles well."""
    mode = im.mode
    if mode in ("L", "LA", "RGB", "RGBA"):
        return im
    if mode.startswith("I") or mode == "F":
        return _to_float_image(im)
    if mode == "1":
        return im.convert("L")
    if mode in ("P", "PA"):  # palette: keep transparency so it can be composited on white
        has_alpha = mode == "PA" or "transparency" in im.info
        return im.convert("RGBA" if has_alpha else "RGB")
    if mode in ("La", "RGBa"):
        return im.convert(mode.upper())
    return im.convert("RGB")  # CMYK, YCbCr, RGBX, LAB, HSV


_TRANSPOSE = {  # EXIF orientation → the transpose that undoes it (as ImageOps.exif_transpose)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation tag (1 = upright); broken EXIF data is ignored, not fatal."""
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) else 1


def _upright_size(im: Image.Image) -> tuple[int, int]:
    """(W, H) as the picture will stand, from the header: EXIF read only if already parsed (a PNG
    would decode every pixel to find a late EXIF chunk)."""
    turned = "exif" in im.info and _orientation(im) in (5, 6, 7, 8)  # a quarter turn swaps W and H
    return (im.height, im.width) if turned else im.size


def _decode(im: Image.Image, max_side: int, grayscale: bool) -> Image.Image:
    """Decode fully (so truncation shows up here), shrink, and turn upright."""
    target = _target_size(im.size, max_side)
    # JPEG can decode at 1/2, 1/4 or 1/8 scale: a 50-megapixel photo never exists in memory.
    im.draft("L" if grayscale else im.mode, target)
    im.load()
    orientation = _orientation(im)
    im = _working_mode(im)
    if im.size != target:
        im = im.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if orientation in _TRANSPOSE:  # after shrinking: rotating the small image is cheaper
        im = im.transpose(_TRANSPOSE[orientation])
    return im


def _to_array(im: Image.Image, grayscale: bool) -> np.ndarray:
    """Pillow image (L, LA, RGB, RGBA or F) → float32 (C, H, W) in [0, 1], alpha on white."""
    a = np.asarray(im, dtype=np.float32)
    if im.mode != "F":
        a = a / 255
    a = a[..., None] if a.ndim == 2 else a  # (H, W, bands)
    if im.mode in ("LA", "RGBA"):
        alpha = a[..., -1:]
        a = a[..., :-1] * alpha + (1 - alpha)  # composite on a white background
    chw = np.moveaxis(a, -1, 0)  # (C, H, W)
    if grayscale and chw.shape[0] == 3:
        chw = _luma(chw)
    return np.ascontiguousarray(np.clip(chw, 0, 1), dtype=np.float32)


def _luma(rgb: np.ndarray) -> np.ndarray:
    """(3, H, W) → (1, H, W): the ITU-R 601 weighted sum, the same grey as Pillow's "L" mode."""
    return np.tensordot(np.asarray(LUMA, dtype=np.float32), rgb, axes=1)[None]


def load_image(source: Source, *, max_side: int = 1024, grayscale: bool = False) -> np.ndarray:
    """Load ``source`` (bytes, a path or a binary file object) as float32 ``(C, H, W)`` in [0, 1].

    ``C`` is 3 for colour and 1 for grey sources or when ``grayscale`` is set (ITU-R 601 luma).
    The image is shrunk, keeping its aspect ratio, so that ``max(H, W) <= max_side``; it is never
    enlarged. Raises :class:`ImageError` (a ``ValueError``) for anything unusable, including images
    under ``MIN_SIDE`` px on a side at that resolution or thinner than ``MAX_ASPECT``:1 (see
    :func:`check_shape`).
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1 pixel (got {max_side})")
    data = _read_bytes(source)
    what = sniff.what_it_looks_like(data)
    if what is not None:
        raise _not_an_image(what)
    im = _open(data)
    try:
        with im:
            check_shape(*_upright_size(im), max_side)  # from the header, before any pixel is decoded
            small = _decode(im, max_side, grayscale)
            return _to_array(small, grayscale)
    except ImageError:
        raise
    except MemoryError as e:
        raise ImageError("This image is too large to decode in the memory available.") from e
    except Exception as e:  # OSError, SyntaxError, ValueError, struct.error, … from any decoder
        kind = f"{im.format} image" if im.format else "image"
        raise ImageError(
            f"This {kind} file is damaged or incomplete, so it cannot be decoded ({e}). "
            "Try saving or downloading it again."
        ) from e


# --- Built-in samples ---

SAMPLE_DIR = Path(__file__).parent / "samples"
PHOTOS = ("astronaut", "rocket", "coffee", "chelsea")  # SAMPLE_DIR/<name>.jpg; credits in LICENSE.md
SAMPLES: dict[str, str] = {  # stable name (used in URLs) → label shown to people
    "astronaut": "Astronaut (NASA, public domain)",
    "rocket": "Rocket launch (SpaceX, public domain)",
    "coffee": "Coffee (Rachel Michetti, CC0)",
    "chelsea": "Chelsea the cat (Stefan van der Walt, CC0)",
    "checkerboard": "Checkerboard (sharp edges)",
    "rings": "Rings (zone plate: aliasing under stride)",
    "stripes-0": "Stripes, horizontal (0°)",
    "stripes-45": "Stripes, diagonal (45°)",
    "stripes-90": "Stripes, vertical (90°)",
    "text": "Text (fine strokes)",
    "shapes": "RGB shapes (one shape per colour channel)",
}
DEFAULT_SAMPLE = "astronaut"


def sample_names() -> list[str]:
    """All sample names, photos first, in display order."""
    return list(SAMPLES)


def sample_label(name: str) -> str:
    """Human label for a sample, with credit for photos (e.g. "Astronaut (NASA, public domain)")."""
    if name not in SAMPLES:
        raise ImageError(f"There is no sample called {name!r}. Choose one of: {', '.join(SAMPLES)}.")
    return SAMPLES[name]


def load_sample(name: str, *, max_side: int = 512, grayscale: bool = False) -> np.ndarray:
    """A built-in sample as float32 ``(C, H, W)`` in [0, 1], at most ``max_side`` per side.

    Photos are stored at 512 px and never enlarged; patterns are drawn at ``max_side`` × ``max_side``.
    """
    sample_label(name)  # refuses unknown names
    if name in PHOTOS:
        return load_image(SAMPLE_DIR / f"{name}.jpg", max_side=max_side, grayscale=grayscale)
    check_shape(max_side, max_side, max_side)
    rgb = make_pattern(name, max_side)  # (3, max_side, max_side)
    return np.ascontiguousarray(_luma(rgb), dtype=np.float32) if grayscale else rgb
