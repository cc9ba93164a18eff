"""Tell graphics (screenshots, diagrams, logos) from photographs, which decides lossless or
lossy encoding."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops

# Graphics are recognised by their neighbours: in screenshots and diagrams most adjacent pixels
# are exactly equal (flat runs survive resampling), while in photographs sensor noise and
# gradients make them differ by a little almost everywhere. Measured on the test generators at
# the size sent: screenshots 0.87-0.89 equal / 0.05 slightly different, a screenshot holding a
# photo 0.77 / 0.19, photos 0.15-0.50 equal / 0.50-0.85 slightly different.
MIN_EQUAL_SHARE = 0.3
EQUAL_TO_SLIGHT_RATIO = 2.0

OPAQUE = 128
"""Pixels at least this opaque count when telling a transparent photo from a graphic."""
_OPAQUE_MASK = [255 if value >= OPAQUE else 0 for value in range(256)]
"""As a lookup table, made once."""
_PARTLY_MASK = [255 if OPAQUE <= value < 255 else 0 for value in range(256)]
"""Opaque enough to count, but not fully: where resampling rounds the colour (below)."""


@dataclass(frozen=True, slots=True)
class Neighbours:
    """Shares of horizontally adjacent pixel pairs that are equal, and that differ by 1-8."""

    equal: float
    slight: float

    @property
    def graphic(self) -> bool:
        return self.equal >= MIN_EQUAL_SHARE and self.equal >= EQUAL_TO_SLIGHT_RATIO * self.slight

    def describe(self) -> str:
        return f"{self.equal:.0%} of neighbouring pixels equal, {self.slight:.0%} slightly apart"


def neighbours(image: Image.Image) -> Neighbours:
    """Compare each pixel with its right neighbour; for RGBA only where both are opaque, so
    a clear background cannot make a photo look flat.

    Where both are only partly opaque, a difference of one level counts as equal: Pillow
    resamples RGBA premultiplied, and dividing the alpha back out rounds a flat colour under
    an alpha gradient to ±1 (at most 255 / (2 × 128) levels for alpha ≥ 128), which made a
    flat graphic with a soft fade measure as a photo (52% equal, 32% slightly apart) and go
    lossy."""
    if image.width < 2:
        return Neighbours(1.0, 0.0)
    grey = image.convert("L") if image.mode != "L" else image
    box_left, box_right = (0, 0, grey.width - 1, grey.height), (1, 0, grey.width, grey.height)
    difference = ImageChops.difference(grey.crop(box_left), grey.crop(box_right))
    if image.mode != "RGBA":
        histogram = difference.histogram()
        return _shares(histogram[0], sum(histogram[1:9]), sum(histogram))
    alpha = image.getchannel("A")
    both = ImageChops.darker(alpha.crop(box_left), alpha.crop(box_right))
    counted = difference.histogram(both.point(_OPAQUE_MASK))
    partly = difference.histogram(both.point(_PARTLY_MASK))
    equal = counted[0] + partly[1]
    slight = sum(counted[1:9]) - partly[1]
    return _shares(equal, slight, sum(counted))


def _shares(equal: int, slight: int, total: int) -> Neighbours:
    if total == 0:  # nothing opaque (a mask, a faint overlay) or one column: exact
        return Neighbours(1.0, 0.0)
    return Neighbours(equal / total, slight / total)
