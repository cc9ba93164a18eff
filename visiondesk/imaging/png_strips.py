"""Decode a large PNG in strips on three threads, shrinking each strip as soon as it exists.

A PNG decode is two sequential steps, inflate and unfilter, and Pillow runs both, then the
shrink, one after the other on one core. Here the three overlap, each on its own thread, one
strip apart: inflate (zlib-ng, raw: the filtered bytes are checked by unfiltering them), then
unfilter (Pillow's own PNG "zip" decoder, fed each strip as a stored zlib stream behind the row
above it), then `reduce()` and the final resample, band by band, into the image sent, counting
its neighbouring pixels on the way (content.py). All three release the GIL. The pixels are
those of `shrink()` after a full decode, but for a level of rounding on a few (each band's box
has float edges); the full-size picture is never held in memory at once. Measured in
benchmarks/pipeline.py ("prepare ÷ decode").

Only the common case takes this way: 8-bit grey, RGB or RGBA, not interlaced, no palette, no
transparent colour key, not animated, at least MIN_PIXELS. Anything else, or any error,
returns None and the caller decodes it the usual way (which also words the error).
"""

from __future__ import annotations

import queue
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, TypeVar

from PIL import Image

from visiondesk.imaging import content

try:  # zlib-ng inflates 2.5× faster than the system zlib (benchmarks/pipeline.py)
    from zlib_ng import zlib_ng as zlib
except ImportError:  # pragma: no cover - a build without the wheel
    import zlib  # type: ignore[no-redef]

MIN_PIXELS = 2_000_000
"""Below this the threads cost more than they save. Screenshots shrunk 1.8×, streamed against
decoded then shrunk (median of 15): 0.7 MP 9.8 / 7.3 ms, 1.3 MP 13.5 / 12.8 ms, 2.1 MP
20.2 / 21.4 ms, 3.7 MP 35.8 / 39.0 ms; the 4K screenshot (reduced 2×, then resampled)
37 / 66 ms."""
STRIP_BYTES = 2 << 20
"""About this many filtered bytes per strip. Measured on the 4K screenshot (median of 15):
1 MB 41 ms, 2 MB 36-39 ms, 4 MB 38-40 ms, 8 MB 46 ms (too few strips to overlap)."""

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MODES: Final = {0: "L", 2: "RGB", 6: "RGBA"}
"""PNG colour type → Pillow mode, for the types handled here (8 bits per sample)."""
_REFUSED_CHUNKS: Final = frozenset({b"tRNS", b"acTL", b"PLTE"})
"""A colour key, an animation or a palette: left to Pillow's full decoder."""
_MAX_STORED = 0xFFFF


@dataclass(frozen=True, slots=True)
class Shrunk:
    image: Image.Image
    neighbours: content.Neighbours
    """Counted band by band as the image was made, on the core the last band waits for."""


def shrink_png(
    data: bytes,
    factor: tuple[int, int],
    target: tuple[int, int],
    resample: Image.Resampling,
) -> Shrunk | None:
    """`data` decoded, `reduce()`d by `factor` and resampled to `target` with `resample`, or
    None when this PNG is not one this module handles or is damaged."""
    header = _read(data)
    if header is None:
        return None
    mode, width, height, idat = header
    if width * height < MIN_PIXELS or target[0] > width or target[1] > height:
        return None
    stride = 1 + width * len(mode)
    rows = max(factor[1], STRIP_BYTES // stride // factor[1] * factor[1])
    streams = _in_thread(_inflate(idat, stride, rows))
    strips = _in_thread(_unfilter(streams, mode, width, stride, _working(mode)))
    try:
        return _shrink(strips, mode, (width, height), factor, target, resample)
    except Exception:  # damaged data: the usual decoder fails on it with the right words
        return None


def exif(data: bytes) -> bytes | None:
    """The PNG's eXIf chunk as Pillow's `info["exif"]` holds it, found by skipping from chunk
    to chunk: Pillow's own `getexif()` decodes every pixel first, since eXIf may follow them."""
    for kind, body in _chunks(data):
        if kind == b"eXIf":
            return b"Exif\x00\x00" + bytes(body)
    return None


def _chunks(data: bytes) -> Iterator[tuple[bytes, memoryview]]:
    """Each chunk's type and body, up to IEND or a truncated chunk."""
    if not data.startswith(_SIGNATURE):
        return
    view = memoryview(data)
    position = len(_SIGNATURE)
    while position + 8 <= len(data):
        (length,) = struct.unpack_from(">I", data, position)
        kind = bytes(view[position + 4 : position + 8])
        if kind == b"IEND" or position + 12 + length > len(data):
            return
        yield kind, view[position + 8 : position + 8 + length]
        position += 12 + length


def _read(data: bytes) -> tuple[str, int, int, list[memoryview]] | None:
    """The mode, size and IDAT bodies of a PNG this module handles, else None."""
    mode, width, height = "", 0, 0
    idat: list[memoryview] = []
    for kind, body in _chunks(data):
        if kind == b"IHDR" and len(body) >= 13:
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            if depth != 8 or interlace or colour not in _MODES:
                return None
            mode = _MODES[colour]
        elif kind in _REFUSED_CHUNKS:
            return None
        elif kind == b"IDAT":
            if not idat and not _zlib_header(body):
                return None
            idat.append(body)
        elif idat:
            break  # IDAT chunks are consecutive; nothing after them changes the pixels
    return (mode, width, height, idat) if mode and idat else None


def _zlib_header(body: memoryview) -> bool:
    """A deflate stream's two-byte zlib header without a preset dictionary (as PNG requires),
    which the raw inflate below skips."""
    if len(body) < 2:
        return False
    method, flags = body[0], body[1]
    return method & 0x0F == 8 and (method << 8 | flags) % 31 == 0 and not flags & 0x20


def _inflate(idat: list[memoryview], stride: int, rows: int) -> Iterator[tuple[int, bytearray]]:
    """The filtered scanlines, `rows` at a time (with the row above: see `_unfilter`), each
    strip already wrapped as a zlib stream
    of stored blocks (see `_unfilter`), so the copy happens here and not on the busiest
    thread. Raw inflate skips the zlib header and its Adler-32 (a third of the inflate); a
    damaged stream still fails. Output is bounded per call, so a flat image (1000:1) never
    inflates all at once."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = rows * stride
    above = _block(bytes(stride))  # filled in by _unfilter
    parts: list[bytes] = [_ZLIB_HEADER, *above]
    have = 0
    for index, body in enumerate(idat):
        pending: bytes | memoryview = body[2:] if index == 0 else body
        while pending and not inflater.eof:  # past the end: the Adler-32, unread
            out = inflater.decompress(pending, min(_MAX_STORED, size - have))
            pending = inflater.unconsumed_tail
            if out:
                parts += _block(out)
                have += len(out)
            if have == size:
                yield 1 + have // stride, bytearray().join(parts)
                parts, have = [_ZLIB_HEADER, *above], 0
    rest = inflater.flush()
    whole = (have + len(rest)) // stride * stride - have
    for start in range(0, max(0, whole), _MAX_STORED):
        chunk = rest[start : min(start + _MAX_STORED, whole)]
        parts += _block(chunk)
        have += len(chunk)
        if have == size:
            yield 1 + have // stride, bytearray().join(parts)
            parts, have = [_ZLIB_HEADER, *above], 0
    if have >= stride:
        yield 1 + have // stride, bytearray().join(parts)


_ZLIB_HEADER = b"\x78\x01"
_ABOVE = len(_ZLIB_HEADER) + 5
"""Where the row above starts in each strip's stream: after the header and a block header."""


def _block(data: bytes) -> tuple[bytes, bytes]:
    """One stored deflate block (not the final one): inflate only copies it."""
    return struct.pack("<BHH", 0, len(data), len(data) ^ 0xFFFF), data


def _working(mode: str) -> str:
    """The mode strips are shrunk in: RGBA premultiplied ("RGBa"), as Pillow resamples it."""
    return "RGBa" if mode == "RGBA" else mode


def _unfilter(
    streams: Iterator[tuple[int, bytearray]], mode: str, width: int, stride: int, working: str
) -> Iterator[Image.Image]:
    """Each strip unfiltered by Pillow's own PNG decoder. A strip's filters refer to the row
    above it, so each stream starts with that row, unfiltered (filter type 0; zeros above
    the first, as PNG defines); it becomes the strip image's row 0. The streams have no final
    block or checksum: the decoder stops at the strip's last row."""
    above = b""
    for rows, stream in streams:
        if above:
            stream[_ABOVE + 1 : _ABOVE + stride] = above
        image = Image.frombytes(mode, (width, rows), stream, "zip", mode)
        above = image.crop((0, rows - 1, width, rows)).tobytes()
        yield image if working == mode else image.convert(working)


def _shrink(
    strips: Iterator[Image.Image],
    mode: str,
    size: tuple[int, int],
    factor: tuple[int, int],
    target: tuple[int, int],
    resample: Image.Resampling,
) -> Shrunk:
    """Reduce each strip into one reduced image, and resample every output row band whose
    source rows (with the filter's reach) are already there.

    RGBA arrives premultiplied ("RGBa", converted strip by strip on the unfilter thread) and
    is converted back band by band: Pillow's own `resize()` of an RGBA image would convert the
    whole reduced image for every band."""
    working = _working(mode)
    reduced_size = (-(-size[0] // factor[0]), -(-size[1] // factor[1]))
    reduced = Image.new(working, reduced_size)
    output = Image.new(mode, target)
    scale = reduced_size[1] / target[1]
    reach = _SUPPORT[resample] * max(scale, 1.0)
    done_rows = 0  # reduced rows filled
    done_out = 0  # output rows made
    counts = content.Counts(0, 0, 0)
    for strip in strips:
        if factor == (1, 1):  # row 0, the one above, lands on the same pixels already there
            reduced.paste(strip, (0, done_rows - 1))
            done_rows += strip.height - 1
        else:
            part = strip.reduce(factor, box=(0, 1, size[0], strip.height))  # row 0: above
            reduced.paste(part, (0, done_rows))
            done_rows += part.height
        complete = done_rows >= reduced_size[1]
        # Output row j reads reduced rows below (j + 0.5) * scale + reach + 0.5.
        ready = target[1] if complete else int((done_rows - 0.5 - reach) / scale - 0.5)
        if ready > done_out:
            band = reduced.resize(
                (target[0], ready - done_out),
                resample,
                box=(0, done_out * scale, reduced_size[0], ready * scale),
            )
            if working != mode:
                band = band.convert(mode)
            output.paste(band, (0, done_out))
            counts += content.count(band)
            done_out = ready
    if done_rows < reduced_size[1]:
        raise ValueError("the image data ends early")
    return Shrunk(output, counts.shares())


_SUPPORT: Final = {
    Image.Resampling.NEAREST: 0.5,
    Image.Resampling.BOX: 0.5,
    Image.Resampling.BILINEAR: 1.0,
    Image.Resampling.HAMMING: 1.0,
    Image.Resampling.BICUBIC: 2.0,
    Image.Resampling.LANCZOS: 3.0,
}
"""Each filter's reach in source pixels at scale 1 (Pillow's Resample.c)."""

_END: Final = object()
T = TypeVar("T")


def _in_thread(items: Iterator[T], depth: int = 3) -> Iterator[T]:
    """Iterate `items` on a worker thread up to `depth` ahead of the caller, so the two
    overlap. A worker's exception is raised here; leaving early stops the worker."""
    handoff: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(depth)
    stop = threading.Event()

    def work() -> None:
        failure: BaseException | None = None
        try:
            for item in items:
                if stop.is_set():
                    break
                handoff.put((item, None))
            close = getattr(items, "close", None)
            if close is not None:
                close()
        except BaseException as exc:  # handed over to the caller, raised there
            failure = exc
        handoff.put((_END, failure))

    worker = threading.Thread(target=work, name="png-strips", daemon=True)
    worker.start()
    ended = False
    try:
        while True:
            item, failure = handoff.get()
            if item is _END:
                ended = True
                if failure is not None:
                    raise failure
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while not ended:  # take what the worker still hands over, so it never blocks
            ended = handoff.get()[0] is _END
        worker.join()
