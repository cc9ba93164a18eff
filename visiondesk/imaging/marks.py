"""Mark-up and redaction as values, and drawing them onto an image's pixels (Pillow, no Qt).

Every coordinate is in pixels of the upright original: after EXIF orientation, before any crop
or shrink, so a mark stays put when the crop or the model changes. Marks are drawn on those
pixels but sized for what the model sees: a stroke is drawn at least as wide as needs to stay
MIN_SENT_WIDTH px after the image is shrunk to the size sent (`drawn_width`).

Redactions replace pixels before anything is encoded, cached or uploaded. SOLID leaves nothing
of the original; PIXELATE keeps one average per block; BLUR keeps a smoothed version, and blur
can be partly reversed for text (deconvolution, or matching candidate strings blurred alike):
only SOLID is safe for text.
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from visiondesk.marks import (
    BLACK,
    MARK_RED,
    MIN_SENT_WIDTH,
    Arrow,
    Box,
    Callout,
    Colour,
    Drawing,
    Ellipse,
    Mark,
    Marks,
    Pen,
    Point,
    Rectangle,
    Redact,
    RedactKind,
    Size,
    Text,
)

__all__ = [
    "BLACK",
    "MARK_RED",
    "MIN_SENT_WIDTH",
    "Arrow",
    "Callout",
    "Ellipse",
    "Mark",
    "Marks",
    "Pen",
    "Rectangle",
    "Redact",
    "RedactKind",
    "Text",
    "apply",
    "describe",
    "drawn_width",
    "effective_width",
]

Ink = int | tuple[int, ...]
PIXEL_BLOCK_SENT = 8
"""A pixelated block is at least this many pixels wide as sent, so it stays coarse."""
BLUR_RADIUS_SENT = 8
"""The Gaussian radius of a blur, in pixels as sent (at least a third of the region's side)."""


def _scale(original_size: Size, sent_size: Size) -> float:
    """Sent pixels per original pixel (the larger axis ratio: never under-sizes a stroke)."""
    return max(sent_size[0] / max(1, original_size[0]), sent_size[1] / max(1, original_size[1]))


def drawn_width(width: int, original_size: Size, sent_size: Size) -> int:
    """The width to draw in original pixels: `width`, or wider where the shrink to
    `sent_size` would leave it under MIN_SENT_WIDTH px."""
    scale = _scale(original_size, sent_size)
    return max(width, math.ceil(MIN_SENT_WIDTH / scale - 1e-9), 1)


def effective_width(width: int, original_size: Size, sent_size: Size) -> float:
    """How wide a stroke of `width` original pixels is in the image the model gets."""
    return round(drawn_width(width, original_size, sent_size) * _scale(original_size, sent_size), 1)


_KIND_WORDS = {
    RedactKind.SOLID: "solid fill",
    RedactKind.PIXELATE: "pixelated",
    RedactKind.BLUR: "blurred",
}


def describe(marks: Marks, original_size: Size, sent_size: Size) -> list[str]:
    """The person's notes: what was redacted and how wide the strokes are as sent."""
    notes: list[str] = []
    redactions = marks.redactions
    if redactions:
        kinds = sorted({_KIND_WORDS[r.kind] for r in redactions})
        count = len(redactions)
        notes.append(
            f"{count} region{'s' if count != 1 else ''} redacted ({', '.join(kinds)}) "
            "before encoding"
        )
        if any(r.kind is RedactKind.BLUR for r in redactions):
            notes.append("blur can be reversed for text: use a solid fill to hide text")
    drawings = marks.drawings
    if drawings:
        widths = sorted({effective_width(d.width, original_size, sent_size) for d in drawings})
        count = len(drawings)
        shown = ", ".join(f"{w:g}" for w in widths)
        notes.append(f"{count} mark{'s' if count != 1 else ''} drawn, {shown} px wide as sent")
    return notes


def clipped(box: Box, size: Size) -> Box | None:
    """`box` within an image of `size`, or None when nothing of it is inside."""
    left, top = max(0, box[0]), max(0, box[1])
    right, bottom = min(size[0], box[2]), min(size[1], box[3])
    if right <= left or bottom <= top:
        return None
    return (left, top, right, bottom)


def apply(image: Image.Image, marks: Marks, sent_size: Size, origin: Point = (0, 0)) -> Image.Image:
    """`image` (the upright original, or its crop whose top-left is `origin` in original
    pixels) with `marks` on it, for an image that will be shrunk to `sent_size`: redactions
    first, on the pixels, then the drawings. Returns a new image in RGB, RGBA or L."""
    image = image.copy()
    if marks.drawings and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    scale = _scale(image.size, sent_size)
    for redact in marks.redactions:
        box = clipped(_shift(redact.box, origin), image.size)
        if box is not None:
            _redact(image, redact, box, scale)
    draw = ImageDraw.Draw(image)
    for mark in marks.drawings:
        width = drawn_width(mark.width, image.size, sent_size)
        _draw(draw, mark, origin, width, _ink(mark.colour, image.mode))
    return image


def _redact(image: Image.Image, redact: Redact, box: Box, scale: float) -> None:
    region_w, region_h = box[2] - box[0], box[3] - box[1]
    if redact.kind is RedactKind.SOLID:
        image.paste(_ink(redact.colour, image.mode), box)
        return
    region = image.crop(box)
    if redact.kind is RedactKind.PIXELATE:
        # A box average per block (not a sampled pixel: no original pixel survives as it was),
        # blown up again with NEAREST into flat blocks.
        block = max(2, math.ceil(PIXEL_BLOCK_SENT / scale), min(region_w, region_h) // 8)
        small = region.resize(
            (max(1, region_w // block), max(1, region_h // block)), Image.Resampling.BOX
        )
        region = small.resize(region.size, Image.Resampling.NEAREST)
    else:
        radius = max(BLUR_RADIUS_SENT / scale, min(region_w, region_h) / 3)
        region = region.filter(ImageFilter.GaussianBlur(radius))
    image.paste(region, box)


def _draw(draw: ImageDraw.ImageDraw, mark: Drawing, origin: Point, width: int, ink: Ink) -> None:
    if isinstance(mark, Arrow):
        start, end = _at(mark.start, origin), _at(mark.end, origin)
        draw.line((start, end), fill=ink, width=width)
        angle = math.atan2(end[1] - start[1], end[0] - start[0])
        head = width * 4
        wings = [
            (end[0] - head * math.cos(angle + s), end[1] - head * math.sin(angle + s))
            for s in (0.45, -0.45)
        ]
        draw.polygon([end, *wings], fill=ink)
    elif isinstance(mark, Rectangle):
        draw.rectangle(_box(mark.box, origin), outline=ink, width=width)
    elif isinstance(mark, Ellipse):
        draw.ellipse(_box(mark.box, origin), outline=ink, width=width)
    elif isinstance(mark, Pen):
        points = [_at(p, origin) for p in mark.points]
        if len(points) == 1:
            points.append(points[0])
        draw.line(points, fill=ink, width=width, joint="curve")
    elif isinstance(mark, Callout):
        x, y = _at(mark.point, origin)
        radius = width * 4
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
        font = ImageFont.load_default(size=radius * 1.2)
        draw.text((x, y), str(mark.number), fill=_contrast(mark.colour), font=font, anchor="mm")
    else:
        font = ImageFont.load_default(size=width * 5)
        draw.text(_at(mark.point, origin), mark.text, fill=ink, font=font)


def _shift(box: Box, origin: Point) -> Box:
    return (box[0] - origin[0], box[1] - origin[1], box[2] - origin[0], box[3] - origin[1])


def _box(box: Box, origin: Point) -> Box:
    """An inclusive box for ImageDraw (whose right and bottom edges are drawn)."""
    left, top, right, bottom = _shift(box, origin)
    return (min(left, right), min(top, bottom), max(left, right) - 1, max(top, bottom) - 1)


def _at(point: Point, origin: Point) -> Point:
    return (point[0] - origin[0], point[1] - origin[1])


def _ink(colour: Colour, mode: str) -> Ink:
    if mode == "L":
        return round(0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2])
    return (*colour, 255) if mode == "RGBA" else colour


def _contrast(colour: Colour) -> Colour:
    light = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2] > 150
    return BLACK if light else (255, 255, 255)
