"""Pick the encoding per content and write bytes that carry no metadata.

Screenshots, line art, text and transparency go out as PNG (lossless, and usually small because
of large flat areas); photos as JPEG or WebP, which are many times smaller at no visible cost.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageChops

# Graphics are recognised by their neighbours: in screenshots and diagrams most adjacent pixels
# are exactly equal (flat runs survive resampling), while in photographs sensor noise and
# gradients make them differ by a little almost everywhere. Measured on the test generators at
# the size sent: screenshots 0.87-0.89 equal / 0.05 slightly different, a screenshot holding a
# photo 0.77 / 0.19, photos 0.15-0.50 equal / 0.50-0.85 slightly different.
MIN_EQUAL_SHARE = 0.3
EQUAL_TO_SLIGHT_RATIO = 2.0


@dataclass(frozen=True, slots=True)
class Encoded:
    data: bytes
    mime: str
    kind: str  # "graphic", "photo" or "transparent", for the person's notes


def neighbour_stats(image: Image.Image) -> tuple[float, float]:
    """Shares of horizontally adjacent pixel pairs that are equal, and that differ by 1-8."""
    if image.width < 2:
        return 1.0, 0.0
    grey = image.convert("L") if image.mode != "L" else image
    left = grey.crop((0, 0, grey.width - 1, grey.height))
    right = grey.crop((1, 0, grey.width, grey.height))
    histogram = ImageChops.difference(left, right).histogram()
    total = max(1, sum(histogram))
    return histogram[0] / total, sum(histogram[1:9]) / total


def looks_like_graphic(image: Image.Image, lossy_source: bool) -> bool:
    """Screenshots, diagrams, text: keep lossless. JPEG sources are photos by definition."""
    if lossy_source:
        return False
    equal, slight = neighbour_stats(image)
    return equal >= MIN_EQUAL_SHARE and equal >= EQUAL_TO_SLIGHT_RATIO * slight


def encode(image: Image.Image, *, lossy_source: bool, photo_mime: str, quality: int) -> Encoded:
    if image.mode == "RGBA":
        return Encoded(encode_png(image), "image/png", "transparent")
    if looks_like_graphic(image, lossy_source):
        return Encoded(encode_png(image), "image/png", "graphic")
    if photo_mime == "image/webp":
        return Encoded(encode_webp(image, quality), "image/webp", "photo")
    return Encoded(encode_jpeg(image, quality), "image/jpeg", "photo")


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    flatten_onto_white(image).save(
        buffer, format="JPEG", quality=quality, optimize=True, subsampling="4:2:0"
    )
    return buffer.getvalue()


def encode_webp(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=quality, method=4)
    return buffer.getvalue()


THUMBNAIL_SIDE = 192


def make_thumbnail(image: Image.Image) -> bytes:
    """A small PNG for the window (made here, in the worker, not on the UI thread)."""
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def flatten_onto_white(image: Image.Image) -> Image.Image:
    """JPEG has no alpha; transparent areas become white (not black, as a bare convert does)."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background
