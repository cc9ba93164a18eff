"""Large PNGs through Pillow's public API: decoded whole, `reduce()`d, resampled once.

The contract: what `prepare()` sends is the picture's own pixels shrunk as Pillow's whole-image
`resize(target, BILINEAR, reducing_gap=1.0)` shrinks them (the same reduce-then-resample, done
by Pillow in one call), within a level or two of rounding, in every PNG mode and layout, upright
per its EXIF orientation; damaged or truncated files end in an ImageError that says so, and
nothing else escapes.

The reference is always the image the PNG was made from, never Pillow's decode of the file, so
a wrong decode, mode conversion or orientation fails here. Files Pillow cannot write (16-bit
RGB/RGBA, interlaced, odd IDAT layouts, real Sub/Up/Average filters) come from png_files.
"""

from __future__ import annotations

import io
import os
import random
import struct
import tracemalloc
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from tests import images
from tests import png_files as pf
from visiondesk.domain import ApiMode, Detail, PreparedImage
from visiondesk.errors import ImageError
from visiondesk.imaging import ImagePolicy, encode, policy_for, prepare
from visiondesk.imaging.sizing import tile_size

EXAMPLES = int(os.environ.get("VISIONDESK_FUZZ_EXAMPLES", "20"))
HIGH = policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH)
NO_WEBP = policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH, accepts_webp=False)
LOW = policy_for(ApiMode.CHAT, "gpt-4o", Detail.LOW)
"""Fits 512×512: the fuzzed PNGs are small and still shrunk."""


def outcome(data: bytes, policy: ImagePolicy) -> PreparedImage | ImageError:
    """What prepare() gives: the prepared image, or the ImageError it raised (nothing else)."""
    try:
        return prepare(data, policy, cache=None)
    except ImageError as error:
        return error


def reference(source: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Pillow's own whole-image shrink of the source pixels: integer reduce(), then bilinear."""
    return source.resize(size, Image.Resampling.BILINEAR, reducing_gap=1.0)


def sent(prepared: PreparedImage) -> Image.Image:
    assert prepared.mime in ("image/webp", "image/png"), prepared.notes  # lossless
    image = Image.open(io.BytesIO(prepared.data))
    image.load()
    return image


def largest_difference(image: Image.Image, expected: Image.Image) -> int:
    """The largest difference in any channel. RGBA is compared premultiplied, as it is
    resampled: on a nearly clear pixel one level of alpha swings the colour."""
    assert image.size == expected.size
    if expected.mode == "RGBA" or image.mode == "RGBA":
        image, expected = image.convert("RGBA").convert("RGBa"), expected.convert("RGBa")
    elif image.mode != expected.mode:
        image = image.convert(expected.mode)
    bands = ImageChops.difference(image, expected).split()
    return max(_high(band) for band in bands)


def changed_share(image: Image.Image, expected: Image.Image) -> float:
    image = image.convert(expected.mode)
    bands = ImageChops.difference(image, expected).split()
    return max(sum(band.histogram()[1:]) for band in bands) / (image.width * image.height)


def _high(band: Image.Image) -> int:
    high = band.getextrema()[1]
    assert isinstance(high, int)
    return high


# Every mode, at full size, against the source's whole-image resize.


def _rgba(size: tuple[int, int]) -> Image.Image:
    return images.transparent(*size, seed=6)


def _screenshot(size: tuple[int, int]) -> Image.Image:
    return images.screenshot(*size, seed=5)


@dataclass(frozen=True)
class ModeCase:
    name: str
    make: Callable[[tuple[int, int]], tuple[Image.Image, bytes]]
    """The 8-bit picture the file shows (the reference is made from it), and the file."""
    size: tuple[int, int]


def _pillow_png(picture: Image.Image) -> tuple[Image.Image, bytes]:
    return picture, images.encode(picture, "PNG")


def _palette(size: tuple[int, int]) -> tuple[Image.Image, bytes]:
    picture = _screenshot(size).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return picture.convert("RGB"), images.encode(picture, "PNG")


def _keyed_palette(size: tuple[int, int]) -> tuple[Image.Image, bytes]:
    """A palette whose entry 0 is clear (a tRNS colour key)."""
    picture = _rgba(size).convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    picture.info["transparency"] = 0
    return picture.convert("RGBA"), images.encode(picture, "PNG", transparency=0)


def _grey16(size: tuple[int, int]) -> tuple[Image.Image, bytes]:
    picture = _screenshot(size).convert("L")
    sixteen = picture.convert("I").point(lambda value: value * 257).convert("I;16")
    return picture, images.encode(sixteen, "PNG")


def _written(
    source: Callable[[tuple[int, int]], Image.Image], **options: object
) -> Callable[[tuple[int, int]], tuple[Image.Image, bytes]]:
    def make(size: tuple[int, int]) -> tuple[Image.Image, bytes]:
        picture = source(size)
        return picture, pf.png(picture, level=1, **options)  # type: ignore[arg-type]

    return make


def _grey(size: tuple[int, int]) -> Image.Image:
    return _screenshot(size).convert("L")


MODE_CASES = [
    ModeCase("L, reduced 2×2", lambda s: _pillow_png(_grey(s)), (2000, 3001)),
    ModeCase("RGB", lambda s: _pillow_png(_screenshot(s)), (3840, 2160)),
    ModeCase("RGB, no reduce", lambda s: _pillow_png(_screenshot(s)), (2100, 1000)),
    ModeCase("RGBA, odd size", lambda s: _pillow_png(_rgba(s)), (2561, 1441)),
    ModeCase("palette", _palette, (1700, 960)),
    ModeCase("palette with a clear entry", _keyed_palette, (1700, 960)),
    ModeCase("16-bit grey", _grey16, (1700, 960)),
    ModeCase("16-bit RGB", _written(_screenshot, depth=16, filters=(0, 1, 2, 3)), (1700, 960)),
    ModeCase("16-bit RGBA", _written(_rgba, depth=16, filters=(2, 3)), (1700, 961)),
    ModeCase("interlaced RGB", _written(_screenshot, interlace=True, filters=(1, 3)), (1701, 959)),
    ModeCase("interlaced RGBA", _written(_rgba, interlace=True), (1700, 960)),
    ModeCase("interlaced grey", _written(_grey, interlace=True, filters=(3,)), (1201, 1700)),
]  # fmt: skip
PNG_ENCODED = {"RGB", "RGBA, odd size", "16-bit RGBA"}
"""Where the PNG encoder (servers without WebP) is checked as well; the decode is checked on
every case."""


def policy_for_size(size: tuple[int, int], webp: bool) -> ImagePolicy:
    """High detail for the 4K-class files; low detail (fit 512) for the smaller ones, so they
    are reduced 3×3 too and the writer's pure-Python passes stay quick."""
    if max(size) >= 2000:
        return HIGH if webp else NO_WEBP
    return LOW if webp else policy_for(ApiMode.CHAT, "gpt-4o", Detail.LOW, accepts_webp=False)


CASES = [
    pytest.param(case, policy_for_size(case.size, webp), id=f"{case.name}-{name}")
    for case in MODE_CASES
    for name, webp in (("webp", True), ("png", False))
    if webp or case.name in PNG_ENCODED
]


@pytest.mark.parametrize(("case", "policy"), CASES)
def test_a_large_png_is_sent_as_the_whole_image_resize_of_its_pixels(
    case: ModeCase, policy: ImagePolicy
) -> None:
    source, data = case.make(case.size)

    prepared = prepare(data, policy, cache=None)

    target = tile_size(*case.size) if policy.detail == Detail.HIGH else _fit_512(case.size)
    assert (prepared.width, prepared.height) == target
    assert (prepared.original_width, prepared.original_height) == case.size
    image = sent(prepared)
    expected = reference(source, target)
    clear = source.mode == "RGBA" and source.getchannel("A").getextrema() != (255, 255)
    assert (image.mode == "RGBA") == clear  # alpha kept where something is see-through
    assert largest_difference(image, expected) <= 2
    assert changed_share(image, expected) <= 0.05
    assert any(note.startswith("downscaled") for note in prepared.notes)


def _fit_512(size: tuple[int, int]) -> tuple[int, int]:
    scale = 512 / max(size)
    return round(size[0] * scale), round(size[1] * scale)


def test_a_flat_png_inflating_a_thousandfold_keeps_its_colour() -> None:
    data = images.encode(Image.new("RGB", (4000, 3000), (40, 90, 200)), "PNG")
    assert len(data) < 100_000

    image = sent(prepare(data, HIGH, cache=None))

    assert image.size == tile_size(4000, 3000)
    assert image.getcolors() == [(image.width * image.height, (40, 90, 200))]


@pytest.mark.parametrize("alpha", [0, 255])
def test_fully_clear_and_fully_opaque_rgba(alpha: int) -> None:
    source = images.screenshot(2000, 1100, seed=3).convert("RGBA")
    source.putalpha(alpha)  # clear pixels keep their colours in the file
    data = images.encode(source, "PNG", compress_level=1)

    prepared = prepare(data, HIGH, cache=None)

    image = sent(prepared)
    expected = reference(source, (1396, 768))
    if alpha == 255:
        assert image.mode == "RGB"  # an opaque alpha channel is not sent
        assert largest_difference(image, expected.convert("RGB")) <= 1
    else:
        assert image.mode == "RGBA" and image.getchannel("A").getextrema() == (0, 0)
        # The colour under clear pixels is kept (lossless WebP's `exact`).
        assert largest_difference(image.convert("RGB"), expected.convert("RGB")) <= 1


# Orientation: an eXIf chunk wherever Pillow reads it.


def _with_exif(where: str, source: Image.Image) -> bytes:
    exif = pf.chunk(b"eXIf", pf.EXIF_ORIENTATION_6)
    many = (2, *[0] * 10_000)  # the zlib header, then ten thousand empty IDAT chunks
    return {
        "before the pixels": pf.png(source, before=exif, level=1),
        "after the pixels": pf.png(source, after=exif, level=1),
        "after ten thousand IDAT chunks": pf.png(source, idat_sizes=many, after=exif, level=1),
        "after IEND": pf.png(source, tail=exif, level=1),
    }[where]


@pytest.mark.parametrize(
    "where",
    ["before the pixels", "after the pixels", "after ten thousand IDAT chunks", "after IEND"],
)
def test_exif_orientation_is_applied_wherever_pillow_reads_it(where: str) -> None:
    source = images.screenshot(1800, 600, seed=11)
    data = _with_exif(where, source)

    prepared = prepare(data, LOW, cache=None)

    image = sent(prepared)
    if where == "after IEND":  # not part of the file: nothing to apply
        assert (prepared.original_width, prepared.original_height) == (1800, 600)
        assert largest_difference(image, reference(source, image.size)) <= 2
        return
    assert (prepared.original_width, prepared.original_height) == (600, 1800)
    assert any("rotated upright per EXIF orientation 6" in note for note in prepared.notes)
    upright = source.transpose(Image.Transpose.ROTATE_270)  # 90° clockwise
    assert largest_difference(image, reference(upright, image.size)) <= 2


def test_a_first_idat_too_short_for_the_zlib_header() -> None:
    source = images.screenshot(2000, 1100, seed=4)
    data = pf.png(source, idat_sizes=(1, 0, 1, 0, 5), level=1)

    image = sent(prepare(data, HIGH, cache=None))

    assert largest_difference(image, reference(source, (1396, 768))) <= 2


@pytest.mark.parametrize(
    ("mode", "filters", "level", "every"),
    [
        ("L", (0,), 6, 1),  # one-byte IDAT chunks
        ("RGB", (0, 1, 2, 3), 1, 65536),  # every filter, chunks across rows
        ("RGBA", (3, 2), 0, 1000),  # stored deflate blocks
    ],
)
def test_full_size_pngs_in_odd_layouts(
    mode: str, filters: tuple[int, ...], level: int, every: int
) -> None:
    size = (2003, 1001)
    grey = Image.linear_gradient("L").resize(size)
    source = Image.merge("RGBA", (grey, grey.rotate(90), grey.rotate(180), grey)).convert(mode)
    rows = pf.scanlines(source, filters)
    stream = zlib.compress(rows, level)
    if every == 1:
        assert len(stream) < 60_000  # so many chunks stay quick
    data = pf.assemble(size, mode, pf.pieces(stream, [2, *[every] * (len(stream) // every)]))

    prepared = prepare(data, LOW, cache=None)

    image = sent(prepared)
    assert largest_difference(image, reference(source, image.size)) <= 2


def test_empty_idat_chunks_take_no_more_memory_than_the_file() -> None:
    source = Image.new("L", (1024, 1024), 9)
    data = pf.png(source, idat_sizes=(2, *[0] * 15_000))  # 180 KB of chunk headers

    tracemalloc.start()
    try:
        prepared = prepare(data, LOW, cache=None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert prepared.width == 512
    assert peak < 2 * len(data) + 1_000_000


# Damaged and truncated files: an ImageError that says so.


def _screenshot_png() -> bytes:
    return images.encode(images.screenshot(2400, 1400, seed=10), "PNG")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_a_truncated_png_says_it_is_truncated(keep: float) -> None:
    data = _screenshot_png()

    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare(data[: int(len(data) * keep)], HIGH, cache=None)


@pytest.mark.parametrize("where", [0.3, 0.6])
def test_damaged_pixel_data_is_an_image_error(where: float) -> None:
    data = bytearray(_screenshot_png())
    middle = int(len(data) * where)
    data[middle : middle + 400] = bytes(400)

    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare(bytes(data), HIGH, cache=None)


def test_a_damaged_header_checksum_is_an_image_error() -> None:
    data = bytearray(_screenshot_png())
    data[29] ^= 0xFF  # IHDR's CRC

    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare(bytes(data), HIGH, cache=None)


@pytest.mark.parametrize("filter_type", [5, 255])
def test_an_unknown_filter_type_is_an_image_error(filter_type: int) -> None:
    source = images.screenshot(2000, 1100, seed=6)
    rows = bytearray(pf.scanlines(source, (0,)))
    stride = 1 + 3 * source.width
    rows[700 * stride] = filter_type
    data = pf.assemble(source.size, "RGB", [zlib.compress(bytes(rows), 1)])

    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare(data, HIGH, cache=None)


def test_a_zlib_header_pillow_refuses_is_an_image_error() -> None:
    source = images.screenshot(2000, 1100, seed=9)
    stream = bytearray(zlib.compress(pf.scanlines(source, (0,))))
    stream[0:2] = b"\x88\x1c"  # deflate, CINFO 8 (a 64 KB window PNG does not allow)
    data = pf.assemble(source.size, "RGB", [bytes(stream)])

    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare(data, HIGH, cache=None)


def _short_by_one_row(end_stream: bool) -> bytes:
    """2048×1536 whose zlib stream holds 1535 rows."""
    source = Image.linear_gradient("L").resize((2048, 1536))
    rows = pf.scanlines(source, (0,))[: -(2048 + 1)]
    compressor = zlib.compressobj(6)
    flush = zlib.Z_FINISH if end_stream else zlib.Z_SYNC_FLUSH
    stream = compressor.compress(rows) + compressor.flush(flush)
    return pf.assemble(source.size, "L", [stream])


def test_a_stream_cut_short_is_an_image_error() -> None:
    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare(_short_by_one_row(end_stream=False), HIGH, cache=None)


def test_a_stream_ending_a_row_early_is_refused_or_sent_whole() -> None:
    result = outcome(_short_by_one_row(end_stream=True), HIGH)

    if isinstance(result, ImageError):
        assert "damaged or truncated" in result.reason
    else:
        assert (result.width, result.height) == tile_size(2048, 1536)


def test_rows_past_the_declared_height_change_nothing() -> None:
    source = Image.new("L", (2000, 1000), 10)
    rows = pf.scanlines(source, (0,)) + (b"\x00" + b"\xff" * 2000) * 2
    data = pf.assemble(source.size, "L", [zlib.compress(rows)])

    image = sent(prepare(data, HIGH, cache=None))

    assert image.convert("L").getcolors() == [(image.width * image.height, 10)]


@pytest.mark.parametrize(("size", "rows"), [((20_000, 110), 3), ((30_000, 80), 80)])
def test_very_wide_pngs(size: tuple[int, int], rows: int) -> None:
    """A header claiming 110 rows over a stream of 3, and rows wider than 64 KB."""
    stream = zlib.compress(b"\x00" * (1 + 3 * size[0]) * rows)
    data = pf.assemble(size, "RGB", [stream])

    result = outcome(data, HIGH)

    if isinstance(result, ImageError):
        assert rows < size[1] and "damaged or truncated" in result.reason
    else:
        assert result.width == tile_size(*size)[0]


def test_a_huge_header_with_tiny_data_is_refused_before_decoding() -> None:
    data = pf.assemble((70_000, 70_000), "RGBA", [zlib.compress(b"\x00" * 280_001)])

    with pytest.raises(ImageError, match="megapixels"):
        prepare(data, HIGH, cache=None)


def test_a_failure_after_decoding_is_an_image_error_and_the_next_image_prepares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The content test fails (a bug, a full disk in a plugin…): this image's ImageError, the
    thumbnail worker is not left busy, and the next preparation succeeds."""

    def failing(image: Image.Image) -> object:
        raise RuntimeError("the content test stops here")

    data = images.encode(images.screenshot(2000, 1100, seed=5), "PNG")
    with monkeypatch.context() as patch:
        patch.setattr(encode, "neighbours", failing)
        with pytest.raises(ImageError, match="could not be encoded"):
            prepare(data, HIGH, cache=None)

    assert prepare(data, HIGH, cache=None).width == 1396


# Fuzzing the public path: valid PNGs in every layout, then damaged ones.


MODES = st.sampled_from(["L", "RGB", "RGBA"])
STRATEGIES = st.sampled_from(
    [zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED]
)


def picture(mode: str, size: tuple[int, int], kind: str, seed: int) -> Image.Image:
    """A graphic (so it is sent losslessly and compared exactly): random colour blocks, text,
    or a gradient in 16 steps."""
    rng = random.Random(seed)
    if kind == "blocks":
        side = rng.randrange(8, 40)
        small = (-(-size[0] // side), -(-size[1] // side))
        noise = Image.frombytes(mode, small, rng.randbytes(len(mode) * small[0] * small[1]))
        image = noise.resize((small[0] * side, small[1] * side), Image.Resampling.NEAREST)
        image = image.crop((0, 0, *size))
    elif kind == "text":
        image = images.screenshot(*size, seed=seed).convert(mode)
    else:  # gradient
        grey = Image.linear_gradient("L").resize(size).rotate(seed % 360).point(lambda v: v & 0xF0)
        image = Image.merge("RGB", (grey, grey.transpose(Image.Transpose.ROTATE_180), grey))
        image = image.convert(mode)
    if mode == "RGBA":
        alpha = rng.choice([0, 255, rng.randrange(1, 255), -1])  # clear, opaque, between, varied
        if alpha >= 0:
            image.putalpha(alpha)
        else:
            image.putalpha(Image.linear_gradient("L").resize(size).rotate(seed % 90))
    return image


@dataclass(frozen=True)
class Written:
    data: bytes
    source: Image.Image
    description: str


@st.composite
def valid_pngs(draw: st.DrawFn) -> Written:
    mode = draw(MODES)
    depth = draw(st.sampled_from([8, 8, 16]))
    interlace = draw(st.booleans())
    # Sides around LOW's 512: no reduce, reduce 2 or 3, partial reduce blocks.
    size = (draw(st.integers(300, 1100)), draw(st.integers(200, 800)))
    kind = draw(st.sampled_from(["blocks", "text", "gradient"]))
    source = picture(mode, size, kind, draw(st.integers(0, 2**16)))
    filters = draw(st.lists(st.sampled_from([0, 1, 2, 3]), min_size=1, max_size=6))
    builder = pf.interlaced_scanlines if interlace else pf.scanlines
    rows = builder(source, filters, depth)

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

    layout = draw(st.sampled_from(["one", "every", "random"]))
    if layout == "one":
        idat = [stream]
    elif layout == "every":  # small chunks, at most a few thousand of them
        every = max(draw(st.sampled_from([1, 2, 7, 64])), len(stream) // 4000)
        idat = pf.pieces(stream, [2, *[every] * (len(stream) // every)])
    else:  # empty chunks among tiny ones
        idat = pf.pieces(stream, [draw(st.integers(0, 5)), *draw(st.lists(st.integers(0, 40)))])
    before = draw(st.sampled_from([b"", pf.chunk(b"tEXt", b"Comment\x00before")]))
    after = draw(st.sampled_from([b"", pf.chunk(b"tEXt", b"Comment\x00after")]))
    tail = draw(st.sampled_from([b"", b"\x00" * 7, pf.chunk(b"IDAT", b"\xff" * 9)]))
    data = pf.assemble(
        size, mode, idat, depth=depth, interlace=interlace, before=before, after=after, tail=tail
    )
    described = f"{mode} {depth}-bit {size} {kind} interlace={interlace} filters={filters}"
    return Written(data, source, described)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(written=valid_pngs())
def test_every_layout_is_sent_as_the_whole_image_resize_of_its_pixels(written: Written) -> None:
    prepared = prepare(written.data, LOW, cache=None)

    assert prepared.width is not None and prepared.height is not None
    source = written.source
    expected = reference(source, (prepared.width, prepared.height))
    image = sent(prepared)
    assert largest_difference(image, expected) <= 2, written.description


def _bases() -> list[bytes]:
    rng = random.Random(7)
    bases = []
    for mode, size, depth, interlace in [
        ("L", (700, 420), 8, False),
        ("RGB", (641, 433), 16, False),
        ("RGBA", (600, 451), 8, True),
    ]:
        source = picture(mode, size, "gradient", rng.randrange(360))
        exif = pf.chunk(b"eXIf", pf.EXIF_ORIENTATION_6)
        sizes = (2, 4000, 4000, 4000)
        layout = {"filters": (1, 3, 0, 2), "idat_sizes": sizes, "after": exif}
        bases.append(pf.png(source, depth=depth, interlace=interlace, **layout))  # type: ignore[arg-type]
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
        elif action == "size" and len(data) >= 33:  # IHDR says other pixels; CRC fixed
            width, height = struct.unpack(">II", data[16:24])
            scale = draw(st.sampled_from([(2, 1), (1, 3), (5, 4), (1, 0)]))
            width, height = width * scale[0] + scale[1], height + scale[1]
            data[16:24] = struct.pack(">II", width & 0xFFFFFFFF, height & 0xFFFFFFFF)
            data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=damaged())
def test_damage_ends_in_an_image_error_or_a_whole_picture(data: bytes) -> None:
    result = outcome(data, LOW)

    if isinstance(result, ImageError):
        assert result.reason
        return
    assert result.width is not None and result.height is not None
    assert 1 <= result.width <= 512 and 1 <= result.height <= 512
    with Image.open(io.BytesIO(result.data)) as image:
        assert image.size == (result.width, result.height)


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(
    chunks=st.lists(
        st.tuples(
            st.sampled_from([b"IHDR", b"IDAT", b"eXIf", b"IEND", b"tEXt", b"PLTE", b"\x00" * 4]),
            st.binary(max_size=40),
            st.sampled_from([None, 0, 2**32 - 1]),  # the body's length, or a false one
        ),
        max_size=8,
    ),
    cut=st.integers(0, 400),
)
def test_chunk_soup_is_an_image_error(
    chunks: list[tuple[bytes, bytes, int | None]], cut: int
) -> None:
    data = pf.SIGNATURE + pf.header((40, 30), "RGB")
    for kind, body, length in chunks:
        written = pf.chunk(kind, body)
        if length is not None:
            written = struct.pack(">I", length) + written[4:]
        data += written
    data = data[: max(8, len(data) - cut)]

    result = outcome(data, LOW)

    if isinstance(result, ImageError):
        assert result.reason
    else:
        assert (result.width, result.height) == (40, 30)
