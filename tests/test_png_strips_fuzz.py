"""Adversarial PNGs for the streamed decode (png_strips), written byte by byte.

Its contract: a PNG it accepts comes out as `decode.shrink()` of Pillow's full decode, but for
a level of rounding; the neighbours it counts are those of the image it returns; damaged or odd
input returns None (never an exception, a hang or a thread left running) and `prepare()` then
raises ImageError or succeeds; `exif()` finds an eXIf chunk wherever it is and never raises.

The PNGs are made here, so every layout can be tried: IDAT in 1-byte and empty chunks, every
zlib level, strategy, window and flush, every filter type, strips of a few rows (STRIP_BYTES
patched), reduce factors (1,1) to (3,3). Rows are written as the filter byte and the image's
bytes unfiltered: whatever Pillow's own decoder makes of them is the reference.

Most examples are small, with MIN_PIXELS patched to 0: the same code runs as on a 2 MP image,
a hundred times faster. Set VISIONDESK_FUZZ_EXAMPLES for a long run.

The tests after "Bugs found here" each pin a bug this file found, fixed since.
"""

from __future__ import annotations

import gc
import io
import os
import random
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from tests import images
from tests.png_shrinking import classic, streamed, strip_threads, wait_for_no_strip_threads
from visiondesk.domain import ApiMode, Detail
from visiondesk.errors import ImageError
from visiondesk.imaging import content, png_strips, policy_for, prepare
from visiondesk.imaging.content import neighbours
from visiondesk.imaging.decode import FINAL_FILTER, reduce_factor
from visiondesk.imaging.sizing import tile_size

EXAMPLES = int(os.environ.get("VISIONDESK_FUZZ_EXAMPLES", "30"))
HIGH = policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH)
LOW = policy_for(ApiMode.CHAT, "gpt-4o", Detail.LOW)
"""Fits 512×512: small PNGs still go through png_strips when MIN_PIXELS is patched to 0."""

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {"L": 0, "RGB": 2, "RGBA": 6}
EXIF = (
    b"MM\x00*\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00"
)
"""A big-endian TIFF block with one tag: orientation 6."""
THREAD_TIMEOUT = 5.0


# A PNG writer, with correct CRCs.


def chunk(kind: bytes, body: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + body))
    return struct.pack(">I", len(body)) + kind + body + crc


def header(size: tuple[int, int], mode: str) -> bytes:
    return chunk(b"IHDR", struct.pack(">IIBBBBB", *size, 8, COLOUR_TYPES[mode], 0, 0, 0))


def scanlines(image: Image.Image, filters: list[int]) -> bytes:
    """Each row as filter byte `filters[y % len(filters)]` then the image's row as it is."""
    data = image.tobytes()
    stride = image.width * len(image.mode)
    return b"".join(
        bytes([filters[y % len(filters)]]) + data[y * stride : (y + 1) * stride]
        for y in range(image.height)
    )


def pieces(stream: bytes, sizes: list[int]) -> list[bytes]:
    """`stream` cut after each of `sizes` bytes (0: an empty chunk), the rest in one."""
    parts, position = [], 0
    for size in sizes:
        parts.append(stream[position : position + size])
        position += size
    if position < len(stream):
        parts.append(stream[position:])
    return parts


def png(
    size: tuple[int, int],
    mode: str,
    idat: list[bytes],
    before: bytes = b"",
    after: bytes = b"",
    tail: bytes = b"",
) -> bytes:
    body = b"".join(chunk(b"IDAT", part) for part in idat)
    return SIGNATURE + header(size, mode) + before + body + after + chunk(b"IEND", b"") + tail


def simple_png(image: Image.Image, filters: list[int] | None = None, level: int = 6) -> bytes:
    stream = zlib.compress(scanlines(image, filters or [0]), level)
    return png(image.size, image.mode, [stream])


# What the stream is compared with, and how.


def largest_difference(image: Image.Image, expected: Image.Image) -> int:
    """The largest difference in any channel; RGBA compared premultiplied, as resampled."""
    if image.mode == "RGBA":
        image, expected = image.convert("RGBa"), expected.convert("RGBa")
    bands = ImageChops.difference(image, expected).split()
    return max(int(band.getextrema()[1]) for band in bands)  # type: ignore[arg-type]


def changed_share(image: Image.Image, expected: Image.Image) -> float:
    bands = ImageChops.difference(image, expected).split()
    return max(sum(band.histogram()[1:]) for band in bands) / (image.width * image.height)


@pytest.fixture(autouse=True)
def no_thread_outlives_a_test() -> Iterator[None]:
    yield
    # shrink_png joins its workers before it returns, without help from the collector.
    wait_for_no_strip_threads(THREAD_TIMEOUT)


# Valid PNGs in every layout: the pixels of decoding then shrinking.


@dataclass(frozen=True)
class Case:
    data: bytes
    mode: str
    size: tuple[int, int]
    target: tuple[int, int]
    strip_bytes: int
    limit: int
    """The largest difference allowed: none where only reduce() runs, else a rounding."""


MODES = st.sampled_from(["L", "RGB", "RGBA"])
FACTORS = st.sampled_from([(1, 1), (2, 2), (3, 2), (1, 3), (2, 1), (3, 3)])
STRATEGIES = st.sampled_from(
    [zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED]
)


def picture(mode: str, size: tuple[int, int], kind: str, seed: int) -> Image.Image:
    rng = random.Random(seed)
    if kind == "noise":
        image = Image.frombytes(mode, size, rng.randbytes(len(mode) * size[0] * size[1]))
    elif kind == "gradient":
        grey = Image.linear_gradient("L").resize(size).rotate(seed % 360)
        image = Image.merge("RGB", (grey, grey.transpose(Image.Transpose.ROTATE_180), grey))
        image = image.convert(mode)
        if mode == "RGBA":
            image.putalpha(grey)
    else:  # flat
        image = Image.new(mode, size, tuple(rng.randrange(256) for _ in mode))
    if mode == "RGBA" and kind != "gradient":
        alpha = rng.choice([0, 255, rng.randrange(1, 255)])  # clear, opaque or in between
        image.putalpha(alpha)
    return image


@st.composite
def valid_pngs(draw: st.DrawFn) -> Case:
    mode = draw(MODES)
    factor = draw(FACTORS)
    target = (draw(st.integers(16, 110)), draw(st.integers(12, 80)))
    reduce_only = mode == "RGBA" and factor != (1, 1)  # see test_rgba_reduced_then_resampled
    # A size that reduce_factor() maps to `factor`: the extra pixels leave a partial reduce
    # block (fewer than the factor) or call for a resample (more).
    extra = [0 if reduce_only else draw(st.integers(0, side - 1)) for side in target]
    size = (target[0] * factor[0] + extra[0], target[1] * factor[1] + extra[1])
    assert reduce_factor(size, target) == factor
    image = picture(
        mode,
        size,
        draw(st.sampled_from(["flat", "noise", "gradient"])),
        draw(st.integers(0, 2**16)),
    )
    filters = draw(st.lists(st.integers(0, 4), min_size=1, max_size=6))
    rows = scanlines(image, filters)

    compressor = zlib.compressobj(
        draw(st.integers(-1, 9)),
        zlib.DEFLATED,
        draw(st.integers(9, 15)),
        draw(st.integers(1, 9)),
        draw(STRATEGIES),
    )
    flush_every = draw(st.sampled_from([0, 0, 97, 5000]))
    stream = b""
    step = flush_every or len(rows)
    for start in range(0, len(rows), step):
        stream += compressor.compress(rows[start : start + step])
        if flush_every:
            stream += compressor.flush(
                draw(st.sampled_from([zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH]))
            )
    stream += compressor.flush()
    stream += draw(st.sampled_from([b"", b"\x00", b"trailing garbage after the Adler-32"]))

    layout = draw(st.sampled_from(["one", "every", "random"]))
    if layout == "one":
        idat = [stream]
    elif layout == "every":  # 1-byte chunks and up, at most a few thousand of them
        every = max(draw(st.sampled_from([1, 2, 3, 7, 64])), len(stream) // 4000)
        idat = pieces(stream, [2, *[every] * (len(stream) // every)])
    else:  # zero-length chunks among tiny ones; the first holds the zlib header
        sizes = draw(st.lists(st.integers(0, 40), max_size=30))
        idat = pieces(stream, [draw(st.integers(2, 5)), *sizes])

    before = draw(
        st.sampled_from([b"", chunk(b"tEXt", b"Comment\x00before"), chunk(b"eXIf", EXIF)])
    )
    after = draw(
        st.sampled_from(
            [
                b"",
                chunk(b"tEXt", b"Comment\x00after"),
                chunk(b"eXIf", EXIF),
                chunk(b"tEXt", b"a\x00b") + chunk(b"IDAT", b"\xff" * 9),  # a second IDAT run
            ]
        )
    )
    tail = draw(st.sampled_from([b"", b"\x00" * 7, chunk(b"IDAT", b"\xff" * 9)]))
    data = png(size, mode, idat, before, after, tail)

    stride = 1 + size[0] * len(mode)
    strip_bytes = draw(st.sampled_from([1, stride, 2 << 20])) + stride * draw(st.integers(0, 9))
    reduced = (-(-size[0] // factor[0]), -(-size[1] // factor[1]))
    if reduced == target:  # reduce() only: exact, but for RGBA's round trip to premultiplied
        limit = 1 if mode == "RGBA" and factor == (1, 1) else 0
    else:  # a resample: each band rounds apart from the whole (premultiplied: twice)
        limit = 2 if mode == "RGBA" else 1
    return Case(data, mode, size, target, strip_bytes, limit)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=valid_pngs())
def test_every_layout_gives_the_pixels_of_decoding_then_shrinking(case: Case) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(png_strips, "MIN_PIXELS", 0)
        patch.setattr(png_strips, "STRIP_BYTES", case.strip_bytes)
        result = streamed(case.data, case.target)
        assert strip_threads() == []

    assert result is not None
    expected = classic(case.data, case.target)
    assert (result.image.mode, result.image.size) == (expected.mode, case.target)
    assert largest_difference(result.image, expected) <= case.limit
    assert result.neighbours == neighbours(result.image)


# The same at full size, without patching MIN_PIXELS.


@pytest.mark.parametrize(
    ("mode", "filters", "level", "every", "target"),
    [
        ("L", [0], 6, 1, (667, 333)),  # 1-byte IDAT chunks; reduce 3×3, partial blocks
        ("RGB", [0, 1, 2, 3, 4], 1, 65536, (1001, 500)),  # every filter, across strips
        ("RGBA", [4, 3, 2], 0, 1000, (1336, 668)),  # stored blocks; Paeth, average, up
    ],
)
def test_full_size_pngs_in_odd_layouts(
    mode: str, filters: list[int], level: int, every: int, target: tuple[int, int]
) -> None:
    size = (2003, 1001)
    grey = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGBA", (grey, grey.rotate(90), grey.rotate(180), grey)).convert(mode)
    stream = zlib.compress(scanlines(image, filters), level)
    if every == 1:
        assert len(stream) < 60_000  # so many chunks stay quick
    data = png(size, mode, pieces(stream, [2, *[every] * (len(stream) // every)]))

    result = streamed(data, target)

    assert result is not None
    expected = classic(data, target)
    assert largest_difference(result.image, expected) <= (2 if mode == "RGBA" else 1)
    assert result.neighbours == neighbours(result.image)


@pytest.mark.parametrize("alpha", [0, 255])
def test_fully_clear_and_fully_opaque_rgba(alpha: int) -> None:
    image = images.screenshot(2000, 1100, seed=3).convert("RGBA")
    image.putalpha(alpha)  # clear pixels keep their colours in the file
    data = images.encode(image, "PNG", compress_level=1)

    result = streamed(data, (1396, 768))

    assert result is not None
    expected = classic(data, (1396, 768))
    assert largest_difference(result.image, expected) <= 2
    assert result.neighbours == neighbours(result.image)
    if alpha == 0:
        assert result.neighbours == content.Neighbours(1.0, 0.0)  # nothing opaque to compare


@pytest.mark.parametrize("first", [0, 1])
def test_a_first_idat_too_short_for_the_zlib_header(first: int) -> None:
    image = images.screenshot(2000, 1100, seed=4)
    stream = zlib.compress(scanlines(image, [0]))
    data = png(image.size, "RGB", pieces(stream, [first, 1, 0, 5]))

    result = streamed(data, (1396, 768))  # None is allowed: Pillow decodes it

    if result is not None:
        assert largest_difference(result.image, classic(data, (1396, 768))) <= 1
    assert prepare(data, HIGH, cache=None).width == 1396


def test_leaving_early_stops_every_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The consumer fails on its second band (here: counting neighbours) while both workers
    still have strips to hand over: it returns None and neither is left waiting."""
    bands = 0

    def failing_count(image: Image.Image) -> content.Counts:
        nonlocal bands
        bands += 1
        if bands == 2:
            raise RuntimeError("the consumer stops here")
        return content.Counts(0, 0, 0)

    monkeypatch.setattr(content, "count", failing_count)
    monkeypatch.setattr(png_strips, "STRIP_BYTES", 20_000)
    data = simple_png(images.screenshot(2000, 1100, seed=5), level=1)

    assert streamed(data, (1396, 768)) is None
    assert bands == 2
    assert strip_threads() == []


# Damaged input: None, never an exception, a hang or a thread; prepare() words it.


def _bases() -> list[bytes]:
    rng = random.Random(7)
    bases = []
    for mode, size in [("L", (700, 420)), ("RGB", (641, 433)), ("RGBA", (600, 451))]:
        image = picture(mode, size, "gradient", rng.randrange(360))
        stream = zlib.compress(scanlines(image, [1, 4, 0, 2, 3]), 6)
        cut = pieces(stream, [2, *[len(stream) // 5] * 4])
        bases.append(png(size, mode, cut, after=chunk(b"eXIf", EXIF)))
    return bases


BASES = _bases()


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["truncate", "flip", "overwrite", "cut", "length", "size"]))
        index = draw(st.integers(8, len(data) - 1)) if len(data) > 8 else 8
        if action == "truncate":
            del data[index:]
        elif action == "flip" and index < len(data):
            data[index] ^= 1 << draw(st.integers(0, 7))
        elif action == "overwrite":
            data[index : index + 4] = draw(st.binary(min_size=1, max_size=8))
        elif action == "cut":
            del data[index : index + draw(st.integers(1, 300))]
        elif action == "length":  # a chunk's length field: 0, odd or huge
            found = data.find(b"IDAT", index - 4)
            if found > 4:
                data[found - 4 : found] = struct.pack(
                    ">I", draw(st.sampled_from([0, 1, 2**31 - 1, 2**32 - 1]))
                )
        elif action == "size" and len(data) >= 33:  # IHDR says more or other pixels; CRC fixed
            width, height = struct.unpack(">II", data[16:24])
            scale = draw(st.sampled_from([(2, 1), (1, 3), (5, 4), (1, 0)]))
            width, height = width * scale[0] + scale[1], height + scale[1]
            data[16:24] = struct.pack(">II", width & 0xFFFFFFFF, height & 0xFFFFFFFF)
            data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@settings(
    max_examples=max(1, EXAMPLES // 2),  # each one also runs prepare()
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=damaged())
def test_damage_returns_none_or_a_picture_and_prepare_words_it(data: bytes) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(png_strips, "MIN_PIXELS", 0)
        patch.setattr(png_strips, "STRIP_BYTES", 20_000)
        size = struct.unpack(">II", data[16:24]) if len(data) >= 24 else (1, 1)
        target = (max(1, min(size[0], 257)), max(1, min(size[1], 191)))  # small, as prepare
        factor = reduce_factor(size, target)

        result = png_strips.shrink_png(data, factor, target, FINAL_FILTER)

        if result is not None:
            assert result.image.size == target
            assert result.neighbours == neighbours(result.image)
        problem: ImageError | None = None
        try:
            prepare(data, LOW, cache=None)
        except ImageError as error:
            problem = error
        assert problem is None or problem.reason
        wait_for_no_strip_threads(THREAD_TIMEOUT)
    found = png_strips.exif(data)
    assert found is None or found.startswith(b"Exif\x00\x00")


@pytest.mark.parametrize("filter_type", [5, 255])
def test_an_unknown_filter_type_goes_to_the_usual_decoder(filter_type: int) -> None:
    image = images.screenshot(2000, 1100, seed=6)
    data = simple_png(image, [0, 1, 2, 3, 4, 0, 0, filter_type], level=1)

    assert streamed(data, (1396, 768)) is None
    with pytest.raises(ImageError):
        prepare(data, HIGH, cache=None)


@pytest.mark.parametrize(
    ("size", "rows"),
    [
        ((20_000, 110), 3),  # the header claims 110 rows, the stream holds 3
        ((30_000, 80), 80),  # valid, but a row (stride) over 64 KB: a stored block's limit
    ],
)
def test_very_wide_pngs(size: tuple[int, int], rows: int) -> None:
    stream = zlib.compress(b"\x00" * (1 + 3 * size[0]) * rows)
    data = png(size, "RGB", [stream])
    target = tile_size(*size)

    result = streamed(data, target)

    if rows < size[1]:
        assert result is None
    else:
        assert result is None or largest_difference(result.image, classic(data, target)) <= 1
    assert prepare(data, HIGH, cache=None).width == target[0]  # Pillow pads the missing rows


def test_a_huge_header_with_tiny_data() -> None:
    data = png((70_000, 70_000), "RGBA", [zlib.compress(b"\x00" * 280_001)])

    assert png_strips.shrink_png(data, (68, 91), (1024, 768), FINAL_FILTER) is None
    with pytest.raises(ImageError, match="megapixels"):
        prepare(data, HIGH, cache=None)


# eXIf, wherever it is.


@pytest.mark.parametrize(
    "where",
    ["before the IDATs", "after the IDATs", "after ten thousand chunks", "after IEND"],
)
def test_exif_is_found_wherever_pillow_finds_it(where: str) -> None:
    image = picture("RGB", (300, 200), "gradient", 1)
    stream = zlib.compress(scanlines(image, [0]))
    exif = chunk(b"eXIf", EXIF)
    many = [stream[:2], *([b""] * 10_000), stream[2:]]
    data = {
        "before the IDATs": png(image.size, "RGB", [stream], before=exif),
        "after the IDATs": png(image.size, "RGB", [stream], after=exif),
        "after ten thousand chunks": png(image.size, "RGB", many, after=exif),
        "after IEND": png(image.size, "RGB", [stream], tail=exif),
    }[where]

    found = png_strips.exif(data)

    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        assert found == opened.info.get("exif")
    assert (found is None) == (where == "after IEND")


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(
    chunks=st.lists(
        st.tuples(
            st.sampled_from([b"IHDR", b"IDAT", b"eXIf", b"IEND", b"tEXt", b"\x00\x00\x00\x00"]),
            st.binary(max_size=40),
            st.sampled_from([None, 0, 2**32 - 1]),  # the body's length, or a false one
        ),
        max_size=8,
    ),
    cut=st.integers(0, 400),
)
def test_exif_never_raises(chunks: list[tuple[bytes, bytes, int | None]], cut: int) -> None:
    data = SIGNATURE
    for kind, body, length in chunks:
        written = chunk(kind, body)
        if length is not None:
            written = struct.pack(">I", length) + written[4:]
        data += written
    found = png_strips.exif(data[: max(0, len(data) - cut)])

    assert found is None or found.startswith(b"Exif\x00\x00")


# Bugs found here (each fixed in png_strips): each test states the contract it broke.


def _bad_filter_png() -> bytes:
    """A valid zlib stream whose second row has filter type 5: Pillow's unfilter refuses the
    first strip while the inflate thread still has strips to hand over."""
    rng = random.Random(8)
    image = Image.frombytes("L", (2000, 1000), rng.randbytes(2_000_000))
    return simple_png(image, [0, 5, *[0] * 998], level=1)


def test_a_bad_filter_type_leaves_no_thread_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(png_strips, "STRIP_BYTES", 64 << 10)  # 31 strips; 2 MB strips at 4K
    data = _bad_filter_png()
    gc.disable()  # what the collector would free is the bug: keep it from hiding it
    try:
        assert streamed(data, (1000, 500)) is None
        wait_for_no_strip_threads(timeout=0.5)
    finally:
        gc.enable()


def test_the_process_exits_after_a_bad_filter_type() -> None:
    script = textwrap.dedent(
        r"""
        import faulthandler, gc, random, struct, zlib
        from PIL import Image
        from visiondesk.imaging import png_strips

        def chunk(kind, body):
            crc = struct.pack(">I", zlib.crc32(kind + body))
            return struct.pack(">I", len(body)) + kind + body + crc

        noise = random.Random(8).randbytes(2000 * 1000)
        filters = [0, 5] + [0] * 998  # row 1: filter type 5
        n = 2000
        rows = b"".join(bytes([f]) + noise[y * n : y * n + n] for y, f in enumerate(filters))
        header = struct.pack(">IIBBBBB", 2000, 1000, 8, 0, 0, 0, 0)
        data = (
            b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b"")
        )
        png_strips.STRIP_BYTES = 64 << 10
        gc.disable()  # as a long-lived app may go a while between collections
        assert png_strips.shrink_png(data, (2, 2), (1000, 500), Image.Resampling.BILINEAR) is None
        faulthandler.dump_traceback_later(1.0, exit=True)  # exit code 1 if exiting hangs
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert done.returncode == 0, done.stderr[-2000:]


def _short_by_one_row(end_stream: bool) -> tuple[bytes, tuple[int, int]]:
    """2048×1536 (sent at 1024×768, reduced 2×2) whose zlib stream holds 1535 rows."""
    size = (2048, 1536)
    image = picture("L", size, "gradient", 2)
    rows = scanlines(image, [0])[: -(size[0] + 1)]
    compressor = zlib.compressobj(6)
    stream = compressor.compress(rows) + compressor.flush(
        zlib.Z_FINISH if end_stream else zlib.Z_SYNC_FLUSH
    )
    return png(size, "L", [stream]), tile_size(*size)


def test_a_stream_cut_short_is_refused_like_pillow_does() -> None:
    data, target = _short_by_one_row(end_stream=False)
    with pytest.raises(OSError, match="truncated"):
        classic(data, target)

    assert streamed(data, target) is None
    with pytest.raises(ImageError):
        prepare(data, HIGH, cache=None)


def test_a_stream_ending_a_row_early_gives_pillows_picture() -> None:
    data, target = _short_by_one_row(end_stream=True)

    result = streamed(data, target)

    assert result is None or largest_difference(result.image, classic(data, target)) <= 1


def test_rows_past_the_declared_height_change_nothing() -> None:
    size, target = (2000, 1000), (666, 333)  # reduce 3×3: the last block holds one row
    rows = scanlines(Image.new("L", size, 10), [0]) + (b"\x00" + b"\xff" * 2000) * 2
    data = png(size, "L", [zlib.compress(rows)])

    result = streamed(data, target)

    assert result is None or largest_difference(result.image, classic(data, target)) <= 1


def test_a_zlib_header_pillow_refuses_is_refused() -> None:
    image = images.screenshot(2000, 1100, seed=9)
    stream = bytearray(zlib.compress(scanlines(image, [0])))
    stream[0:2] = b"\x88\x1c"  # deflate, CINFO 8 (a 64 KB window), FCHECK valid
    data = png(image.size, "RGB", [bytes(stream)])
    with pytest.raises(OSError, match="broken data stream"):
        classic(data, (1396, 768))

    assert streamed(data, (1396, 768)) is None


def test_a_photo_differs_only_on_a_small_share_of_pixels() -> None:
    size = (2400, 1600)
    target = tile_size(*size)  # (1152, 768): reduced 2×2, then resampled
    data = images.encode(images.photo(*size, seed=3), "PNG", compress_level=1)

    result = streamed(data, target)

    assert result is not None
    expected = classic(data, target)
    assert largest_difference(result.image, expected) <= 1
    assert changed_share(result.image, expected) <= 0.05


def test_rgba_reduced_then_resampled_is_within_two_levels() -> None:
    size = (2400, 1600)
    target = tile_size(*size)
    data = images.encode(images.cutout(*size, seed=4), "PNG", compress_level=1)

    result = streamed(data, target)

    assert result is not None
    assert largest_difference(result.image, classic(data, target)) <= 2


def test_empty_idat_chunks_take_no_more_memory_than_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(png_strips, "MIN_PIXELS", 0)
    image = Image.new("L", (64, 64), 9)
    stream = zlib.compress(scanlines(image, [0]))
    data = png(image.size, "L", [stream[:2], *([b""] * 15_000), stream[2:]])  # 180 KB

    tracemalloc.start()
    try:
        result = png_strips.shrink_png(data, (2, 2), (32, 32), FINAL_FILTER)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert result is not None
    assert peak < len(data)
