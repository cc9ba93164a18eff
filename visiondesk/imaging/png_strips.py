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
from collections.abc import Generator, Iterator
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
_ZLIB_HEADER = b"\x78\x01"


@dataclass(frozen=True, slots=True)
class Shrunk:
    image: Image.Image
    neighbours: content.Neighbours
    """Counted band by band as the image was made, on the core the last band waits for."""


@dataclass(frozen=True, slots=True)
class _Header:
    mode: str
    width: int
    height: int
    first_idat: int
    """Where the first IDAT chunk starts in the file."""


def shrink_png(
    data: bytes,
    factor: tuple[int, int],
    target: tuple[int, int],
    resample: Image.Resampling,
) -> Shrunk | None:
    """`data` decoded, `reduce()`d by `factor` and resampled to `target` with `resample`, or
    None when this PNG is not one this module handles or is damaged."""
    try:
        header = _read(data)
        if header is None or header.width * header.height < MIN_PIXELS:
            return None
        width, height = header.width, header.height
        if target[0] > width or target[1] > height:
            return None
        stride = 1 + width * len(header.mode)
        rows = max(factor[1], STRIP_BYTES // stride // factor[1] * factor[1])
        streams = _in_thread(_inflate(data, header.first_idat, stride, rows, height))
        strips = _in_thread(_unfilter(streams, header.mode, width, stride))
        try:
            return _shrink(strips, header.mode, (width, height), factor, target, resample)
        finally:
            strips.close()  # stops both workers, whatever happened
    except Exception:  # damaged data: the usual decoder fails on it with the right words
        return None


def exif(data: bytes) -> bytes | None:
    """The PNG's eXIf chunk as Pillow's `info["exif"]` holds it, found by skipping from chunk
    to chunk: Pillow's own `getexif()` decodes every pixel first, since eXIf may follow them."""
    for kind, body in _chunks(data):
        if kind == b"eXIf":
            return b"Exif\x00\x00" + bytes(body)
    return None


def _chunks(data: bytes, position: int = len(_SIGNATURE)) -> Iterator[tuple[bytes, memoryview]]:
    """Each chunk's type and body from `position`, up to IEND or a truncated chunk."""
    if not data.startswith(_SIGNATURE):
        return
    view = memoryview(data)
    while position + 8 <= len(data):
        (length,) = struct.unpack_from(">I", data, position)
        kind = bytes(view[position + 4 : position + 8])
        if kind == b"IEND" or position + 12 + length > len(data):
            return
        yield kind, view[position + 8 : position + 8 + length]
        position += 12 + length


def _read(data: bytes) -> _Header | None:
    """The header of a PNG this module handles, else None. Reads up to the first IDAT only."""
    mode, width, height = "", 0, 0
    position = len(_SIGNATURE)
    for kind, body in _chunks(data):
        if kind == b"IHDR" and len(body) >= 13:
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            if depth != 8 or interlace or colour not in _MODES:
                return None
            mode = _MODES[colour]
        elif kind in _REFUSED_CHUNKS:
            return None
        elif kind == b"IDAT":
            return _Header(mode, width, height, position) if mode else None
        position += 12 + len(body)
    return None


def _idat(data: bytes, position: int) -> Iterator[memoryview]:
    """The IDAT bodies from `position`, one at a time (a file of millions of empty chunks must
    not become a list of millions of views). IDAT chunks are consecutive."""
    for kind, body in _chunks(data, position):
        if kind != b"IDAT":
            return
        if body:
            yield body


def _zlib_header(header: bytes) -> bool:
    """A deflate stream's two-byte zlib header with a window PNG allows and no preset
    dictionary, which the raw inflate below skips."""
    method, flags = header[0], header[1]
    return (
        method & 0x0F == 8
        and method >> 4 <= 7
        and (method << 8 | flags) % 31 == 0
        and not flags & 0x20
    )


def _inflate(
    data: bytes, first_idat: int, stride: int, rows: int, height: int
) -> Iterator[tuple[int, bytearray]]:
    """The filtered scanlines, `rows` at a time, each strip already wrapped as a zlib stream
    of stored blocks behind room for the row above (see `_unfilter`), so the copy happens here
    and not on the busiest thread.

    Raw inflate skips the zlib header and its Adler-32 (a third of the inflate); a damaged
    stream still fails. Output is bounded per call, so a flat image (1000:1) never inflates
    all at once, and it stops at the image's last row, as Pillow does. A stream that ends
    before it raises ValueError: Pillow decides what such a file gives."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    layout = _Layout(stride)
    strip = _Strip(layout, rows * stride)
    left = height * stride
    header = b""
    for body in _idat(data, first_idat):
        if len(header) < 2:
            taken = 2 - len(header)
            header += bytes(body[:taken])
            body = body[taken:]
            if len(header) == 2 and not _zlib_header(header):
                raise ValueError("not a zlib stream PNG allows")
        pending: bytes | memoryview = body
        while pending and left and not inflater.eof:  # past the end: the Adler-32, unread
            out = inflater.decompress(pending, min(_MAX_STORED, strip.room, left))
            pending = inflater.unconsumed_tail
            left -= len(out)
            strip.add(out)
            if not strip.room or not left:
                yield strip.done()
                strip = _Strip(layout, rows * stride)
        if not left:
            return
    rest = memoryview(inflater.flush())[:left]
    while rest:
        take = min(_MAX_STORED, strip.room)
        out, rest = bytes(rest[:take]), rest[take:]
        left -= len(out)
        strip.add(out)
        if not strip.room:
            yield strip.done()
            strip = _Strip(layout, rows * stride)
    if left:
        raise ValueError("the image data ends early")
    if strip.have:
        yield strip.done()


class _Layout:
    """Where a strip's stream keeps the row above: right after the zlib header, in stored
    blocks of its own (a row wider than a block spans several), zeros until `_unfilter`
    writes the row in."""

    def __init__(self, stride: int) -> None:
        self.stride = stride
        self.head: list[bytes] = [_ZLIB_HEADER]
        self.slots: list[tuple[int, int, int]] = []
        """(offset in the stream, first byte, end) of the row above, per block."""
        offset = len(_ZLIB_HEADER)
        for begin in range(0, stride, _MAX_STORED):
            room = bytes(min(_MAX_STORED, stride - begin))
            self.head += _block(room)
            self.slots.append((offset + 5, begin, begin + len(room)))
            offset += 5 + len(room)


class _Strip:
    """One strip's stream being built: the layout's head, then the strip's rows."""

    def __init__(self, layout: _Layout, size: int) -> None:
        self.layout = layout
        self.parts: list[bytes] = list(layout.head)
        self.have = 0
        self.room = size
        """Bytes of rows still to come in this strip."""

    def add(self, data: bytes) -> None:
        if data:
            self.parts += _block(data)
            self.have += len(data)
            self.room -= len(data)

    def done(self) -> tuple[int, bytearray]:
        """The strip's row count (with the row above) and its stream."""
        return 1 + self.have // self.layout.stride, bytearray().join(self.parts)


def _block(data: bytes) -> tuple[bytes, bytes]:
    """One stored deflate block (not the final one): inflate only copies it."""
    return struct.pack("<BHH", 0, len(data), len(data) ^ 0xFFFF), data


def _working(mode: str) -> str:
    """The mode strips are shrunk in: RGBA premultiplied ("RGBa"), as Pillow resamples it."""
    return "RGBa" if mode == "RGBA" else mode


def _unfilter(
    streams: Generator[tuple[int, bytearray]], mode: str, width: int, stride: int
) -> Iterator[Image.Image]:
    """Each strip unfiltered by Pillow's own PNG decoder. A strip's filters refer to the row
    above it, so each stream starts with that row, unfiltered (filter type 0; zeros above
    the first, as PNG defines); it becomes the strip image's row 0. The streams have no final
    block or checksum: the decoder stops at the strip's last row. RGBA leaves premultiplied,
    converted here where the work is lighter."""
    slots = _Layout(stride).slots
    working = _working(mode)
    above = b""
    try:
        for rows, stream in streams:
            if above:
                row = b"\x00" + above
                for offset, begin, end in slots:
                    stream[offset : offset + end - begin] = row[begin:end]
            image = Image.frombytes(mode, (width, rows), stream, "zip", mode)
            above = image.crop((0, rows - 1, width, rows)).tobytes()
            yield image if working == mode else image.convert(working)
    finally:
        streams.close()  # the inflate worker stops too, even when a strip failed


def _shrink(
    strips: Iterator[Image.Image],
    mode: str,
    size: tuple[int, int],
    factor: tuple[int, int],
    target: tuple[int, int],
    resample: Image.Resampling,
) -> Shrunk:
    """Reduce each strip, resample its rows horizontally (rows are independent), then resample
    vertically every output band whose rows, with the filter's reach, are all there: the two
    passes in the order Pillow's `resize()` takes them on a whole image.

    RGBA arrives premultiplied ("RGBa") and is converted back band by band: Pillow's own
    `resize()` of an RGBA image would convert the whole source for every band."""
    working = _working(mode)
    reduced_size = (-(-size[0] // factor[0]), -(-size[1] // factor[1]))
    across = Image.new(working, (target[0], reduced_size[1]))
    """The reduced rows, already resampled horizontally."""
    output = Image.new(mode, target)
    scale = reduced_size[1] / target[1]
    reach = _SUPPORT[resample] * max(scale, 1.0)
    done_rows = 0  # rows of `across` filled
    done_out = 0  # output rows made
    counts = content.Counts(0, 0, 0)
    for strip in strips:
        if factor == (1, 1):  # row 0, the one above, lands on the same pixels already there
            part, top = strip, done_rows - 1
        else:
            part, top = strip.reduce(factor, box=(0, 1, size[0], strip.height)), done_rows
        if part.width != target[0]:
            part = part.resize((target[0], part.height), resample)
        across.paste(part, (0, top))
        done_rows = top + part.height
        complete = done_rows >= reduced_size[1]
        # Output row j reads reduced rows below (j + 0.5) * scale + reach + 0.5.
        ready = target[1] if complete else int((done_rows - 0.5 - reach) / scale - 0.5)
        if ready > done_out:
            band = across.resize(
                (target[0], ready - done_out),
                resample,
                box=(0, done_out * scale, target[0], ready * scale),
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


def _in_thread(items: Iterator[T], depth: int = 3) -> Generator[T]:
    """Iterate `items` on a worker thread up to `depth` ahead of the caller, so the two
    overlap. A worker's exception is raised here; leaving early (or `close()`) stops the
    worker and waits for it."""
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
        failure = None  # no cycle through the traceback's frames: they hold `items`

    worker = threading.Thread(target=work, name="png-strips", daemon=True)
    worker.start()
    ended = False
    try:
        while True:
            item, failure = handoff.get()
            if item is _END:
                ended = True
                if failure is not None:
                    try:
                        raise failure
                    finally:
                        failure = None  # as in the worker
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while not ended:  # take what the worker still hands over, so it never blocks
            ended = handoff.get()[0] is _END
        worker.join()
