"""Pick the encoding per content and write bytes that carry no metadata.

Graphics (screenshots, line art, text, logos) stay lossless: WebP lossless where the server
decodes WebP (a fraction of the PNG's bytes for the same pixels), PNG elsewhere. Photos go
lossy: JPEG or WebP. Transparency is kept; a photo with alpha goes lossy too (WebP with alpha,
or flattened onto white JPEG where the server lacks WebP), because lossless alpha photos are
megabytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

# WebPImagePlugin by name registers the WEBP writer: a format Pillow has not registered makes
# `save` import all ~45 plugins (60 ms of a command-line `prepare`); JPEG and PNG come with
# Pillow's preinit.
from PIL import Image, WebPImagePlugin  # noqa: F401

from visiondesk.imaging.content import neighbours

# Lossless WebP and PNG settings, chosen by benchmarks/pipeline.py ("lossless settings"): encode
# time plus the base64 bytes' time on a 10 Mbit/s uplink, on two 4K screenshots at the size sent
# (a flat UI with text, a dense code editor), with preparing each within 2× of decoding it.
# libwebp's method 1 costs what method 0 costs on few colours (flat UI, text, diagrams: ~15 ms
# for a third fewer bytes) but 4-5× as much on many (~90 ms where resampling blended thousands
# of colours: dense text in many colours, a photo inside a screenshot, shapes scaled down), where
# method 0 (~15-20 ms, 5-30% more bytes) sends sooner. Counting up to FEW_COLOURS colours tells
# the two apart for 1-3 ms (Pillow stops counting at the limit).
FEW_COLOURS = 4096
LOSSLESS_METHOD_FEW_COLOURS = 1
LOSSLESS_METHOD_MANY_COLOURS = 0
LOSSLESS_EFFORT = 0
PNG_LEVEL = 3
"""zlib level for PNG (servers without WebP). Levels 1-3 (zlib's greedy matching) beat 4-9 on
the flat screenshot in both time and bytes (24 ms / 160 KB against 43 ms / 178 KB at level 6)
and lose ~5% of the bytes on the dense one for ~40% less time: level 3 is the cheapest single
level for both."""
WEBP_MAX_SIDE = 16383
"""libwebp's limit; gpt-5.6's `original` detail keeps sides up to 65,535 px, so taller images
go the way they would to a server without WebP."""


@dataclass(frozen=True, slots=True)
class Encoded:
    data: bytes
    mime: str
    kind: str  # "graphic", "photo", "transparent graphic", "transparent photo"
    why: str = ""
    """How it was encoded and why, for the person's notes."""


def encode(
    image: Image.Image,
    *,
    lossy_source: bool,
    photo_mime: str,
    quality: int,
    webp: bool = False,
) -> Encoded:
    """`webp`: the server decodes WebP, so graphics go as lossless WebP and transparent photos
    as lossy WebP with alpha."""
    too_large = webp and max(image.size) > WEBP_MAX_SIDE
    webp = webp and not too_large
    stats = None if lossy_source else neighbours(image)
    graphic = stats is not None and stats.graphic
    reason = stats.describe() if stats is not None else "a lossy (camera) source"
    alpha = image.mode == "RGBA"
    kind = ("transparent " if alpha else "") + ("graphic" if graphic else "photo")
    data: bytes
    if graphic and webp:
        data, mime, how = encode_webp_lossless(image), "image/webp", "lossless"
    elif graphic:
        data, mime, how = encode_png(image), "image/png", "lossless"
    elif alpha and webp:
        data, mime = encode_webp(image, quality), "image/webp"
        how = f"quality {quality}, alpha kept losslessly"
    elif alpha:
        data, mime = encode_jpeg(image, quality), "image/jpeg"
        how = f"quality {quality}, flattened onto white"
    elif photo_mime == "image/webp" and not too_large:
        data, mime, how = encode_webp(image, quality), "image/webp", f"quality {quality}"
    else:
        data, mime, how = encode_jpeg(image, quality), "image/jpeg", f"quality {quality}"
    why = f"{how} — {kind}: {reason}"
    if too_large and (graphic or alpha):
        why += f"; WebP holds at most {WEBP_MAX_SIDE} px a side"
    elif not webp and (graphic or alpha):
        why += "; this server is not known to decode WebP"
    return Encoded(data, mime, kind, why)


def encode_png(image: Image.Image, level: int = PNG_LEVEL) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=level)
    return buffer.getvalue()


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    flatten_onto_white(image).save(
        buffer, format="JPEG", quality=quality, optimize=True, subsampling="4:2:0"
    )
    return buffer.getvalue()


def encode_webp(image: Image.Image, quality: int) -> bytes:
    """Lossy WebP; an alpha channel is kept, itself losslessly (libwebp's alpha_quality 100)."""
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=quality, method=4)
    return buffer.getvalue()


def encode_webp_lossless(
    image: Image.Image, method: int | None = None, effort: int = LOSSLESS_EFFORT
) -> bytes:
    """Exactly the PNG's pixels, including the colour under fully transparent ones (`exact`);
    `method` None: the one for the image's colours (`lossless_method`)."""
    if method is None:
        method = lossless_method(image)
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", lossless=True, quality=effort, method=method, exact=True)
    return buffer.getvalue()


def lossless_method(image: Image.Image) -> int:
    """libwebp's method for `image`: 1 for few colours, 0 for many (see FEW_COLOURS)."""
    few = image.getcolors(FEW_COLOURS) is not None
    return LOSSLESS_METHOD_FEW_COLOURS if few else LOSSLESS_METHOD_MANY_COLOURS


THUMBNAIL_SIDE = 192


def make_thumbnail(image: Image.Image) -> bytes:
    """A small PNG for the window (made here, in the worker, not on the UI thread), from the
    already reduced image and without copying it first."""
    scale = min(THUMBNAIL_SIDE / image.width, THUMBNAIL_SIDE / image.height, 1.0)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
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
