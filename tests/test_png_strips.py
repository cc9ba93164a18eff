"""The streamed PNG decode: the pixels of decoding then shrinking, or None and the usual
decoder, never a wrong picture."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops

from tests import images
from tests.png_shrinking import classic, streamed, strip_threads
from visiondesk.domain import ApiMode, Detail
from visiondesk.errors import ImageError
from visiondesk.imaging import png_strips, policy_for, prepare
from visiondesk.imaging.content import neighbours

HIGH = policy_for(ApiMode.CHAT, "gpt-4o", Detail.HIGH)


def equal_but_for_rounding(image: Image.Image, expected: Image.Image) -> bool:
    """Each band is resampled from a box whose float edges can differ in the last bit from the
    whole image's, which moves a few pixels by one level. RGBA is compared premultiplied, as
    Pillow resamples it (a level of alpha on a nearly clear pixel swings its colour), where
    the two roundings can add up to two levels."""
    limit = 1
    if image.mode == "RGBA":
        image, expected, limit = image.convert("RGBa"), expected.convert("RGBa"), 2
    difference = ImageChops.difference(image, expected)
    bands = difference.split()
    highest = max(band_range(band)[1] for band in bands)
    changed = max(sum(band.histogram()[1:]) for band in bands)
    return highest <= limit and changed <= image.width * image.height // 20


def band_range(image: Image.Image) -> tuple[float, float]:
    low, high = image.getextrema()
    assert isinstance(low, int | float) and isinstance(high, int | float)
    return low, high


@pytest.mark.parametrize(
    ("mode", "size", "target"),
    [
        ("RGB", (3840, 2160), (1365, 768)),  # reduce 2×2, then bilinear
        ("RGBA", (2561, 1441), (1364, 767)),  # odd sizes: the last reduce block is partial
        ("L", (2000, 3001), (511, 767)),  # reduce 3×3
        ("RGB", (2100, 1000), (1600, 762)),  # no reduce, resample only
    ],
)
def test_same_pixels_as_decoding_then_shrinking(
    mode: str, size: tuple[int, int], target: tuple[int, int]
) -> None:
    picture = images.screenshot(*size, seed=5)
    if mode == "RGBA":
        picture = images.transparent(*size, seed=6)
    data = images.encode(picture.convert(mode), "PNG")

    result = streamed(data, target)

    assert result is not None
    expected = classic(data, target)
    assert result.image.mode == expected.mode
    assert result.image.size == target
    assert equal_but_for_rounding(result.image, expected)
    assert result.neighbours == neighbours(result.image)


def test_a_flat_image_inflating_a_thousandfold_still_streams() -> None:
    data = images.encode(Image.new("RGB", (4000, 3000), (40, 90, 200)), "PNG")
    assert len(data) < 100_000

    result = streamed(data, (1024, 768))

    assert result is not None
    assert result.image.getpixel((512, 384)) == (40, 90, 200)


@pytest.mark.parametrize(
    "make",
    [
        lambda im: _interlaced(im),
        lambda im: images.encode(im.convert("P"), "PNG"),
        lambda im: images.encode(im.convert("I;16"), "PNG"),
        lambda im: images.encode(im, "PNG", transparency=(1, 2, 3)),
        lambda im: images.encode(im, "PNG", save_all=True, append_images=[im]),
    ],
    ids=["interlaced", "palette", "16-bit", "colour key", "animated"],
)
def test_pngs_it_does_not_handle_go_to_the_usual_decoder(
    make: Callable[[Image.Image], bytes],
) -> None:
    data = make(images.screenshot(2000, 1200, seed=8))

    assert streamed(data, (1280, 768)) is None
    if data[8 + 8 + 12] == 0:  # Pillow reads all but the forged interlaced one
        assert prepare(data, HIGH, cache=None).width == 1280


def _interlaced(image: Image.Image) -> bytes:
    """Pillow cannot write Adam7; the IHDR flag alone is enough to be turned away."""
    data = bytearray(images.encode(image, "PNG"))
    data[8 + 8 + 12] = 1  # IHDR's interlace byte, then the chunk's CRC
    data[8 + 8 + 13 : 8 + 8 + 17] = zlib.crc32(data[12 : 8 + 8 + 13]).to_bytes(4, "big")
    return bytes(data)


def test_a_damaged_stream_returns_none_and_leaves_no_thread_behind() -> None:
    data = bytearray(images.encode(images.screenshot(2400, 1400, seed=9), "PNG"))
    middle = len(data) // 2
    data[middle : middle + 400] = bytes(400)

    assert streamed(bytes(data), (1316, 768)) is None
    assert strip_threads() == []
    with pytest.raises(ImageError):
        prepare(bytes(data), HIGH, cache=None)


def test_a_truncated_png_returns_none_and_prepare_says_why() -> None:
    data = images.encode(images.screenshot(2400, 1400, seed=10), "PNG")
    cut = data[: len(data) * 2 // 3]

    assert streamed(cut, (1316, 768)) is None
    assert strip_threads() == []
    with pytest.raises(ImageError, match="truncated"):
        prepare(cut, HIGH, cache=None)


def test_exif_orientation_is_read_without_decoding_and_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90° clockwise to view
    data = images.encode(images.screenshot(3000, 1000, seed=11), "PNG", exif=exif.tobytes())

    assert png_strips.exif(data) is not None
    prepared = prepare(data, HIGH, cache=None)

    assert (prepared.original_width, prepared.original_height) == (1000, 3000)
    assert prepared.width is not None and prepared.height is not None
    assert prepared.width < prepared.height
    assert any("rotated upright" in note for note in prepared.notes)
