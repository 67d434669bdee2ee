"""Hostile files made in memory, shared by the image-loader and app tests."""

import io
import struct
import zlib

from PIL import Image


def with_png_size(png: bytes, width: int, height: int) -> bytes:
    """Rewrite the IHDR width and height of a real PNG (and fix its CRC): a lying header."""
    data = bytearray(png)
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def png_bomb(width: int, height: int) -> bytes:
    """A real 8×8 PNG whose header claims ``width × height``: a decompression bomb's signature."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return with_png_size(buffer.getvalue(), width, height)
