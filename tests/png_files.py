"""PNG files written byte by byte for the decode tests, so every layout Pillow's writer never
makes can be tried: 16-bit RGB and RGBA, Adam7 interlacing, each filter type, IDAT chunks of
any size (empty ones too), any zlib setting, chunks before and after the pixels.

The pixels always come from an 8-bit Pillow image (16-bit samples are its values × 257), and
the filters are applied for real (Sub, Up and Average, with ImageChops on the scanline bytes),
so what a correct decoder reads back is exactly that image.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

from PIL import Image, ImageChops

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {"L": 0, "RGB": 2, "RGBA": 6}
NONE, SUB, UP, AVERAGE = 0, 1, 2, 3
ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
"""Each pass's first column, first row, column step and row step."""
EXIF_ORIENTATION_6 = (
    b"MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00"
)
"""A big-endian TIFF block with one tag: orientation 6 (turn 90° clockwise to view)."""


def chunk(kind: bytes, body: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + body))
    return struct.pack(">I", len(body)) + kind + body + crc


def header(size: tuple[int, int], mode: str, depth: int = 8, interlace: bool = False) -> bytes:
    fields = struct.pack(">IIBBBBB", *size, depth, COLOUR_TYPES[mode], 0, 0, int(interlace))
    return chunk(b"IHDR", fields)


def samples(image: Image.Image, depth: int) -> Image.Image:
    """The image's scanline bytes (no filter byte) as an "L" image one byte per column."""
    data = image.tobytes()
    width = image.width * len(image.mode)
    grey = Image.frombytes("L", (width, image.height), data)
    if depth == 8:
        return grey
    # 16 bits: each sample v becomes the big-endian pair (v, v), which is v × 257.
    return Image.frombytes(
        "L", (2 * width, image.height), Image.merge("LA", (grey, grey)).tobytes()
    )


def scanlines(image: Image.Image, filters: Sequence[int], depth: int = 8) -> bytes:
    """Each row filtered with `filters[y % len(filters)]`, behind its filter byte."""
    raw = samples(image, depth)
    step = len(image.mode) * depth // 8  # bytes per pixel: Sub and Average reach this far left
    left = Image.new("L", raw.size)
    left.paste(raw.crop((0, 0, raw.width - step, raw.height)), (step, 0))
    up = Image.new("L", raw.size)
    up.paste(raw.crop((0, 0, raw.width, raw.height - 1)), (0, 1))
    filtered = {
        NONE: raw.tobytes(),
        SUB: ImageChops.subtract_modulo(raw, left).tobytes(),
        UP: ImageChops.subtract_modulo(raw, up).tobytes(),
        AVERAGE: ImageChops.subtract_modulo(raw, ImageChops.add(left, up, scale=2.0)).tobytes(),
    }
    stride = raw.width
    rows = []
    for y in range(raw.height):
        kind = filters[y % len(filters)]
        rows.append(bytes([kind]) + filtered[kind][y * stride : (y + 1) * stride])
    return b"".join(rows)


def interlaced_scanlines(image: Image.Image, filters: Sequence[int], depth: int = 8) -> bytes:
    """The seven Adam7 passes one after the other, each filtered as its own small image."""
    bands = [band.tobytes() for band in image.split()]
    width, height = image.size
    out = []
    for x0, y0, dx, dy in ADAM7:
        columns, rows = len(range(x0, width, dx)), len(range(y0, height, dy))
        if not columns or not rows:
            continue  # an empty pass has no scanlines at all
        parts = [
            Image.frombytes(
                "L",
                (columns, rows),
                b"".join(
                    band[y * width + x0 : (y + 1) * width : dx] for y in range(y0, height, dy)
                ),
            )
            for band in bands
        ]
        sub = parts[0] if image.mode == "L" else Image.merge(image.mode, parts)
        out.append(scanlines(sub, filters, depth))
    return b"".join(out)


def pieces(stream: bytes, sizes: Sequence[int]) -> list[bytes]:
    """`stream` cut after each of `sizes` bytes (0: an empty chunk), the rest in one."""
    parts, position = [], 0
    for size in sizes:
        parts.append(stream[position : position + size])
        position += size
    if position < len(stream):
        parts.append(stream[position:])
    return parts


def png(
    image: Image.Image,
    *,
    depth: int = 8,
    interlace: bool = False,
    filters: Sequence[int] = (NONE,),
    level: int = 6,
    idat_sizes: Sequence[int] = (),
    before: bytes = b"",
    after: bytes = b"",
    tail: bytes = b"",
) -> bytes:
    """`image` (L, RGB or RGBA) as a PNG file: `before` and `after` are chunks around the
    IDATs, `tail` bytes after IEND."""
    rows = (interlaced_scanlines if interlace else scanlines)(image, filters, depth)
    return assemble(
        image.size,
        image.mode,
        pieces(zlib.compress(rows, level), idat_sizes),
        depth=depth,
        interlace=interlace,
        before=before,
        after=after,
        tail=tail,
    )


def assemble(
    size: tuple[int, int],
    mode: str,
    idat: Sequence[bytes],
    *,
    depth: int = 8,
    interlace: bool = False,
    before: bytes = b"",
    after: bytes = b"",
    tail: bytes = b"",
) -> bytes:
    body = b"".join(chunk(b"IDAT", part) for part in idat)
    start = SIGNATURE + header(size, mode, depth, interlace)
    return start + before + body + after + chunk(b"IEND", b"") + tail
