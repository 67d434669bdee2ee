"""What a file is, from its first bytes: so a refusal can say "this is a PDF", not just "bad file".

Used by :mod:`dsviz.images` before any decoder sees an upload.
"""

from __future__ import annotations

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (Word, Excel and PowerPoint files are zip archives too)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%!PS", "a PostScript / EPS document"),
    (b"8BPS", "a Photoshop document (PSD)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Microsoft Office document"),
    (b"ID3", "an MP3 audio file"),
    (b"\x1a\x45\xdf\xa3", "a video (WebM / MKV)"),
)
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}


def what_it_looks_like(data: bytes) -> str | None:
    """What a non-image file looks like, from its first bytes (``None`` if it is not obvious)."""
    for magic, what in MAGIC:
        if data.startswith(magic):
            return what
    if data[:4] == b"RIFF" and data[8:12] in (b"WAVE", b"AVI "):
        return "a WAV audio file" if data[8:12] == b"WAVE" else "an AVI video"
    if data[4:8] == b"ftyp":
        if data[8:12] in HEIC_BRANDS:
            return "an HEIC photo (the iPhone format), which dsviz cannot read: share it as JPEG"
        if data[8:12] not in (b"avif", b"avis", b"mif1", b"msf1"):
            return "a video or audio file (MP4 / MOV)"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head and head.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg")):
        return "an SVG drawing (a vector graphic, not pixels): export it as PNG first"
    if head.startswith(b"<") and any(tag in head for tag in (b"<html", b"<!doctype html", b"<body")):
        return (
            "a web page (HTML), not the picture on it: right-click the picture itself and "
            "choose 'Save image as…'"
        )
    if head.startswith(b"<?xml"):
        return "an XML document"
    return None


def looks_like_text(data: bytes) -> bool:
    """True for plain text: valid UTF-8, no NUL bytes, almost no control characters."""
    head = data[:4096]
    try:
        chars = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:  # a multi-byte character cut at the end is fine
            return False
        chars = head[: e.start].decode("utf-8")
    controls = sum(1 for c in chars if ord(c) < 32 and c not in "\t\r\n\f")
    return bool(chars) and controls <= len(chars) // 100


IMAGE_SIGNATURES = (  # first bytes of the formats we read: to say "damaged" rather than "not an image"
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"RIFF", "WebP"),
)
