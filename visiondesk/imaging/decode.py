"""Decode only as many pixels as the target needs, upright and in a mode the encoders take.

The order matters for speed and memory: read the header, refuse bombs, let the JPEG decoder
scale in the DCT (`draft`), `reduce()` by an integer factor, resample once at the final size,
and only then rotate and convert colour, on the small image. Other formats (PNG among them)
have no scaled decode in Pillow: they are decoded whole, then take the same `reduce()` and
resample, all through Pillow's public API.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PIL import Image, UnidentifiedImageError

from visiondesk.domain import Detail
from visiondesk.errors import ImageError
from visiondesk.imaging import sizing
from visiondesk.imaging.models import VisionRule
from visiondesk.imaging.pixels import drop_opaque_alpha, normalise_mode, to_srgb
from visiondesk.imaging.sniff import Sniffed

if TYPE_CHECKING:
    from visiondesk.imaging.marks import Marks

# The pipeline enforces its own, configurable pixel limit right after reading the header
# (see `open_image`), so Pillow's global guard would only refuse 200 MP phone photos.
Image.MAX_IMAGE_PIXELS = None

# Only the reader for what the bytes are is imported: `Image.init()` would import all of
# Pillow's ~45 plugins (about 60 ms of a command-line `prepare` that handles one PNG).
_PLUGINS: dict[str, tuple[str, ...]] = {
    "image/png": ("PNG",),
    "image/jpeg": ("JPEG", "MPO"),  # a phone's multi-picture JPEG opens as MPO
    "image/gif": ("GIF",),
    "image/webp": ("WEBP",),
    "image/bmp": ("BMP", "DIB"),
    "image/tiff": ("TIFF",),
    "image/heic": ("HEIF",),
    "image/avif": ("AVIF", "HEIF"),
}
_MODULES = {
    "PNG": "PngImagePlugin",
    "JPEG": "JpegImagePlugin",
    "MPO": "MpoImagePlugin",
    "GIF": "GifImagePlugin",
    "WEBP": "WebPImagePlugin",
    "BMP": "BmpImagePlugin",
    "DIB": "BmpImagePlugin",
    "TIFF": "TiffImagePlugin",
    "AVIF": "AvifImagePlugin",
}


@functools.cache
def heif_available() -> bool:
    """HEIC (and AVIF where Pillow lacks it) come from the optional pillow-heif plugin; without
    it those files get a clear refusal. Imported on the first HEIC or AVIF only."""
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - depends on the installation
        return False
    pillow_heif.register_heif_opener()
    if "AVIF" not in Image.OPEN and hasattr(pillow_heif, "register_avif_opener"):
        pillow_heif.register_avif_opener()
    return True


@functools.cache
def _formats(mime: str | None) -> tuple[str, ...]:
    """Pillow's names of the readers for this kind of file, each imported (which registers
    it); only those, so a PNG is never tried as anything else."""
    wanted = _PLUGINS.get(mime or "", ())
    for name in wanted:
        module = _MODULES.get(name)
        if module is not None:
            with contextlib.suppress(ImportError):  # e.g. a Pillow built without AVIF
                importlib.import_module(f"PIL.{module}")
    if "HEIF" in wanted:
        heif_available()
    return tuple(name for name in wanted if name in Image.OPEN)


# EXIF orientation → the transpose that makes the picture upright (as ImageOps.exif_transpose).
_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION_TAG = 0x0112


@dataclass(slots=True)
class Decoded:
    """An upright image at the size to send, with what the person should know about it."""

    image: Image.Image
    original_size: tuple[int, int]  # upright
    original_format: str
    plan: sizing.SizePlan
    lossy_source: bool
    notes: list[str] = field(default_factory=list)


def open_image(data: bytes, label: str, sniffed: Sniffed, max_pixels: int) -> Image.Image:
    """Read only the header; refuse anything over `max_pixels` before a pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Corrupt EXIF data": still worth a try
            image = Image.open(io.BytesIO(data), formats=_formats(sniffed.mime))
    except UnidentifiedImageError:
        raise ImageError(
            label, f"looks like a {sniffed.kind} but is damaged or truncated"
        ) from None
    except Exception as exc:
        raise ImageError(
            label, f"looks like a {sniffed.kind} but is damaged or truncated ({_why(exc)})"
        ) from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError(label, f"has no pixels ({width}×{height})")
    if width * height > max_pixels:
        raise ImageError(
            label,
            f"is {width}×{height} ({width * height / 1e6:.0f} megapixels), over the limit of "
            f"{max_pixels / 1e6:.0f} megapixels; refused before decoding "
            "(possible decompression bomb)",
        )
    return image


def decode(
    data: bytes,
    label: str,
    sniffed: Sniffed,
    rule: VisionRule,
    detail: Detail,
    max_pixels: int,
    crop: Crop | None = None,
    marks: Marks | None = None,
) -> Decoded:
    """Decode `data` (or the `crop` of it, in upright pixels) to the size `rule` and `detail`
    call for, with `marks` (in upright pixels too) drawn on; every failure is an ImageError."""
    image = open_image(data, label, sniffed, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about odd but readable files
            decoded = _decode(image, rule, detail, crop, marks or None)
    except MemoryError:
        image.close()
        raise ImageError(label, "is too large to decode in the memory available") from None
    except Exception as exc:
        image.close()
        raise ImageError(label, f"is damaged or truncated ({_why(exc)})") from None
    if decoded.image is not image:  # the source is done with unless it needed no change
        image.close()
    return decoded


def _decode(
    image: Image.Image, rule: VisionRule, detail: Detail, crop: Crop | None, marks: Marks | None
) -> Decoded:
    notes: list[str] = []
    fmt = image.format or "unknown"
    frames = getattr(image, "n_frames", 1)
    if frames > 1 and fmt != "MPO":
        notes.append(f"animated {fmt} ({frames} frames): first frame sent")
    draft = fmt in ("JPEG", "MPO") and marks is None
    if not draft:
        # No scaled decode to ask for: every pixel is decoded anyway, and only then has a PNG
        # read an eXIf chunk that follows its pixels (the orientation below).
        image.load()
    orientation = _orientation(image)
    width, height = image.size
    turned = orientation in (5, 6, 7, 8)
    upright = (height, width) if turned else (width, height)
    region = _checked_crop(crop, upright)
    cropped = region != (0, 0, *upright)
    plan = sizing.plan(rule, detail, region[2] - region[0], region[3] - region[1])
    if plan.note:
        notes.append(plan.note)
    final = (plan.width, plan.height)
    if cropped:
        # Decode the whole picture at the scale the crop needs, then cut the crop out of it.
        scale = plan.width / (region[2] - region[0])
        final = (max(1, round(upright[0] * scale)), max(1, round(upright[1] * scale)))
        notes.append(
            f"cropped to {region[2] - region[0]}×{region[3] - region[1]} at "
            f"({region[0]}, {region[1]})"
        )
    target = (final[1], final[0]) if turned else final
    icc = image.info.get("icc_profile")
    if marks is not None:
        return _decode_marked(image, orientation, region, plan, marks, notes)

    if draft:
        # DCT scaling: the decoder produces a 1/2, 1/4 or 1/8 image no smaller than `target`.
        image.draft(image.mode if image.mode in ("RGB", "L") else None, target)
        image.load()
    lossy = fmt in ("JPEG", "MPO", "HEIF", "AVIF")  # WebP can be either: the content decides
    image = normalise_mode(image)
    image = shrink(image, target)
    if orientation in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[orientation])
        notes.append(f"rotated upright per EXIF orientation {orientation}")
    if cropped:
        factor = image.width / upright[0]
        left, top, right, bottom = (round(edge * factor) for edge in region)
        image = image.crop((left, top, right, bottom))
        image = image.resize((plan.width, plan.height), Image.Resampling.LANCZOS)
    image, colour_note = to_srgb(image, icc)
    if colour_note:
        notes.append(colour_note)
    image = drop_opaque_alpha(image)
    image.info = {}  # nothing from the source (EXIF, XMP, comments, ICC) may ride along
    return Decoded(image, upright, fmt, plan, lossy, notes)


def _decode_marked(
    image: Image.Image,
    orientation: int,
    region: Crop,
    plan: sizing.SizePlan,
    marks: Marks,
    notes: list[str],
) -> Decoded:
    """The way with marks: every pixel decoded (no DCT scaling), turned upright, cropped and
    brought to sRGB, then marked, and only then shrunk, so a redacted pixel never reaches the
    resampling, the encoder, the cache or an upload."""
    from visiondesk.imaging import marks as marking  # ImageDraw and fonts: only when marked

    fmt = image.format or "unknown"
    image.load()
    icc = image.info.get("icc_profile")
    image = normalise_mode(image)
    if orientation in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[orientation])
        notes.append(f"rotated upright per EXIF orientation {orientation}")
    upright = image.size
    if region != (0, 0, *upright):
        image = image.crop(region)
    image, colour_note = to_srgb(image, icc)
    if colour_note:
        notes.append(colour_note)
    sent = (plan.width, plan.height)
    region_size = image.size
    image = marking.apply(image, marks, sent, origin=(region[0], region[1]))  # a new image
    notes.extend(marking.describe(marks, region_size, sent))
    image = drop_opaque_alpha(shrink(image, sent))
    image.info = {}
    lossy = fmt in ("JPEG", "MPO", "HEIF", "AVIF")
    return Decoded(image, upright, fmt, plan, lossy, notes)


def upright_image(data: bytes, label: str, max_pixels: int) -> Image.Image:
    """Every pixel of `data`, decoded, turned upright per EXIF, in L/RGB/RGBA and sRGB, with
    nothing of the source's metadata: the picture marks and redactions are drawn on. Every
    failure is an ImageError."""
    from visiondesk.imaging.sniff import sniff

    image = open_image(data, label, sniff(data[:512]), max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.load()
            orientation = _orientation(image)
            icc = image.info.get("icc_profile")
            upright = normalise_mode(image)
            if orientation in _TRANSPOSE:
                upright = upright.transpose(_TRANSPOSE[orientation])
            upright, _note = to_srgb(upright, icc)
    except MemoryError:
        image.close()
        raise ImageError(label, "is too large to decode in the memory available") from None
    except Exception as exc:
        image.close()
        raise ImageError(label, f"is damaged or truncated ({_why(exc)})") from None
    if upright is not image:
        image.close()
    upright.info = {}
    return upright


Crop = tuple[int, int, int, int]
"""left, top, right, bottom in pixels of the upright original."""


def _checked_crop(crop: Crop | None, upright: tuple[int, int]) -> Crop:
    if crop is None:
        return (0, 0, *upright)
    left, top = max(0, crop[0]), max(0, crop[1])
    right, bottom = min(upright[0], crop[2]), min(upright[1], crop[3])
    if right - left < 1 or bottom - top < 1:
        return (0, 0, *upright)
    return (left, top, right, bottom)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block is no reason to refuse the picture
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


REDUCING_GAP = 1.0
"""`reduce()` by the largest integer factor that stays at least this many times the target."""
FINAL_FILTER = Image.Resampling.BILINEAR
"""The last step shrinks by less than 2× (after `reduce()`), where Pillow's scale-aware bilinear
still averages every source pixel. Measured on the 4K screenshot (benchmarks/pipeline.py,
"final resample"): 37 dB PSNR against LANCZOS from the full pixels (LANCZOS after reduce: 39 dB)
at half LANCZOS's time, and about 0.7× its lossless bytes, since LANCZOS's ringing around text
adds colours."""


def shrink(
    image: Image.Image, target: tuple[int, int], resample: Image.Resampling = FINAL_FILTER
) -> Image.Image:
    """Integer `reduce()` (a box average over every pixel, cheap) down to within
    REDUCING_GAP× the target, then one resample to the exact size: Pillow's own two-step
    `resize(reducing_gap=…)`, which also resamples RGBA premultiplied, once.

    Every source goes this way, lossless ones too: a 4K screenshot is reduced 2× before the
    final filter runs on a quarter of the pixels.
    """
    if image.size == target:
        return image
    return image.resize(target, resample, reducing_gap=REDUCING_GAP)


def _why(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:200]
