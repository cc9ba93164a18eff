"""Marks drawn onto pixels: the minimum width after the shrink, and redactions that replace."""

from __future__ import annotations

import random

import pytest
from PIL import Image

from visiondesk.imaging.marks import (
    Arrow,
    Callout,
    Ellipse,
    Marks,
    Pen,
    Rectangle,
    Redact,
    RedactKind,
    Text,
    apply,
    drawn_width,
    effective_width,
)


def noise(size: tuple[int, int], seed: int = 7) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


def pixels(image: Image.Image) -> list[tuple[int, ...]]:
    """Every pixel as a tuple (also for L images)."""
    bands = len(image.getbands())
    data = image.tobytes()
    return [tuple(data[i : i + bands]) for i in range(0, len(data), bands)]


def colours(image: Image.Image) -> set[tuple[int, ...]]:
    return {tuple(pixel) for pixel in pixels(image)}


def test_a_stroke_is_widened_to_stay_two_pixels_after_the_shrink() -> None:
    # 4000 → 1000: a 3 px stroke would be 0.75 px as sent, so it is drawn 8 px wide.
    assert drawn_width(3, (4000, 3000), (1000, 750)) == 8
    assert effective_width(3, (4000, 3000), (1000, 750)) == 2.0
    # Wide enough already: drawn as asked.
    assert drawn_width(12, (4000, 3000), (1000, 750)) == 12
    assert effective_width(12, (4000, 3000), (1000, 750)) == 3.0
    # No shrink: a 1 px stroke is still drawn at the 2 px minimum.
    assert drawn_width(1, (800, 600), (800, 600)) == 2


def test_a_drawn_rectangle_survives_the_shrink() -> None:
    image = Image.new("RGB", (4000, 3000), (255, 255, 255))
    marked = apply(image, Marks((Rectangle((1000, 1000, 3000, 2000), width=1),)), (1000, 750))
    sent = marked.resize((1000, 750), Image.Resampling.BILINEAR)
    # The left edge, now 2 px wide as sent, is still solid red somewhere along it.
    row = pixels(sent.crop((245, 375, 256, 376)))
    assert any(pixel[0] > 200 and pixel[1] < 80 for pixel in row), row


def test_solid_redaction_leaves_none_of_the_original() -> None:
    image = noise((200, 100))
    box = (20, 10, 120, 70)
    before = colours(image.crop(box))
    marked = apply(image, Marks((Redact(box),)), image.size)
    assert colours(marked.crop(box)) == {(0, 0, 0)}
    assert not before & colours(marked.crop(box))
    # Outside the box nothing changed.
    assert marked.crop((120, 0, 200, 100)).tobytes() == image.crop((120, 0, 200, 100)).tobytes()


@pytest.mark.parametrize("kind", [RedactKind.PIXELATE, RedactKind.BLUR])
def test_pixelate_and_blur_change_every_pixel_of_the_region(kind: RedactKind) -> None:
    image = noise((200, 160))
    box = (40, 40, 160, 120)
    marked = apply(image, Marks((Redact(box, kind),)), image.size)
    original, changed = image.crop(box), marked.crop(box)
    same = sum(a == b for a, b in zip(pixels(original), pixels(changed), strict=True))
    assert same < 0.01 * original.width * original.height
    # Far fewer distinct colours than noise has: the detail is gone, not just shifted.
    assert len(colours(changed)) < len(colours(original)) // 4


def test_a_redaction_in_crop_coordinates_is_shifted_by_the_crop_origin() -> None:
    image = noise((100, 100))
    crop = image.crop((50, 50, 100, 100))
    marked = apply(crop, Marks((Redact((60, 60, 70, 70)),)), crop.size, origin=(50, 50))
    assert colours(marked.crop((10, 10, 20, 20))) == {(0, 0, 0)}
    assert marked.getpixel((25, 25)) == crop.getpixel((25, 25))


def test_every_kind_of_mark_draws_on_grey_and_rgba_images() -> None:
    marks = Marks(
        (
            Arrow((10, 10), (90, 60)),
            Rectangle((5, 5, 50, 40)),
            Ellipse((50, 20, 95, 95)),
            Pen(((10, 80), (30, 70), (60, 90))),
            Callout(3, (70, 30)),
            Text((10, 50), "here"),
            Redact((0, 0, 10, 10)),
        )
    )
    for mode in ("L", "RGBA", "RGB"):
        image = Image.new(
            mode, (100, 100), 200 if mode == "L" else (200, 200, 200, 255)[: len(mode)]
        )
        marked = apply(image, marks, (100, 100))
        assert marked.mode in ("RGB", "RGBA")
        assert (230, 30, 30) in {pixel[:3] for pixel in colours(marked)}
        assert image.getpixel((0, 0)) != marked.getpixel((0, 0))
