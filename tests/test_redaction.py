"""Redaction is real: what `prepare` encodes holds no pixel of a redacted region.

Every check decodes the bytes the pipeline produced (what would be cached and uploaded) and
maps the region to the size sent.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image

from tests import images
from visiondesk.cli import main
from visiondesk.imaging import ImagePolicy, PreparedCache, prepare, prepare_bytes
from visiondesk.imaging.marks import Marks, Rectangle, Redact, RedactKind

REGION = (900, 700, 600, 400)  # x, y, w, h in a 3000×2000 picture, sent at 1152×768


def secret_picture() -> tuple[Image.Image, set[tuple[int, int, int]]]:
    """Flat grey with a block of noise at REGION in colours nothing else has (never grey)."""
    x, y, w, h = REGION
    rng = random.Random(22)
    noise = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    picture = Image.new("RGB", (3000, 2000), (128, 128, 128))
    picture.paste(noise, (x, y))
    secret = {c for c in pixels(noise) if not c[0] == c[1] == c[2]}
    return picture, secret


def pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    data = image.convert("RGB").tobytes()
    return [(data[i], data[i + 1], data[i + 2]) for i in range(0, len(data), 3)]


def sent_box(
    region: tuple[int, int, int, int], scale: float, inset: int
) -> tuple[int, int, int, int]:
    """The region (x, y, w, h) as a box in the sent image, `inset` px in from its edges,
    where the resampling blends it with its neighbours."""
    x, y, w, h = region
    return (
        round(x * scale) + inset,
        round(y * scale) + inset,
        round((x + w) * scale) - inset,
        round((y + h) * scale) - inset,
    )


def test_the_sent_bytes_hold_no_pixel_of_the_redacted_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    picture, secret = secret_picture()
    source = tmp_path / "secret.png"
    picture.save(source)
    out = tmp_path / "out"
    argv = ["prepare", "--json", "--no-webp", "--out", str(out), "--redact", "900,700,600,400"]
    assert main([*argv, str(source)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["redacted"] == 1
    assert line["sent"]["mime"] == "image/png"
    assert any("1 region redacted (solid fill)" in note for note in line["notes"])
    [written] = out.iterdir()
    with Image.open(written) as sent:
        assert sent.size == (1152, 768)
        every = pixels(sent)
        inside = pixels(sent.crop(sent_box(REGION, 1152 / 3000, 1)))
    assert not secret & set(every)  # not one of the noise's colours anywhere
    assert set(inside) == {(0, 0, 0)}


def test_without_redact_the_same_picture_shows_its_noise(tmp_path: Path) -> None:
    """The check above can fail: unredacted, the region sent is anything but black."""
    picture, _ = secret_picture()
    prepared = prepare_bytes(images.encode(picture, "PNG"), ImagePolicy(), "a.png", cache=None)
    with Image.open(io.BytesIO(prepared.data)) as sent:
        inside = pixels(sent.crop(sent_box(REGION, 1152 / 3000, 1)))
    assert (0, 0, 0) not in set(inside)


def test_a_jpeg_takes_its_regions_after_exif_orientation(
    photo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Stored 2400×1800 with orientation 6: upright 1800×2400, sent 768×1024 as JPEG.
    out = tmp_path / "out"
    argv = ["prepare", "--json", "--out", str(out), "--redact", "0,0,1800,300"]
    assert main([*argv, str(photo_path)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["sent"]["mime"] == "image/jpeg" and line["redacted"] == 1
    [written] = out.iterdir()
    with Image.open(written) as sent:
        assert sent.size == (768, 1024)
        band = pixels(sent.crop((0, 0, 768, 120)))  # the top 128 rows, less JPEG's edge
        below = pixels(sent.crop((0, 140, 768, 1024)))
    assert max(max(c) for c in band) <= 16  # black within JPEG's error
    assert sum(max(c) > 40 for c in below) > 0.9 * len(below)  # the photo is still there


@pytest.mark.parametrize(
    ("region", "why"),
    [
        ("0,0,2400,100", "0,0,2400,100 is outside the image (1800×2400 after EXIF orientation)"),
        ("-1,0,10,10", "-1,0,10,10 is outside the image"),
        ("1790,2390,11,10", "1790,2390,11,10 is outside the image"),
    ],
)
def test_a_region_outside_the_image_exits_2_with_one_line(
    photo_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    region: str,
    why: str,
) -> None:
    out = tmp_path / "out"
    code = main(["prepare", "--json", "--out", str(out), f"--redact={region}", str(photo_path)])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [message] = captured.err.splitlines()
    assert message.startswith(f"visiondesk prepare: {photo_path}: --redact {why}")
    assert not out.exists() or not list(out.iterdir())  # nothing written


def test_an_empty_region_exits_2_with_one_line(
    photo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["prepare", "--redact", "10,10,0,5", str(photo_path)]) == 2
    [message] = capsys.readouterr().err.splitlines()
    assert message == (
        "visiondesk prepare: --redact 10,10,0,5 is an empty region "
        "(width and height must be at least 1)"
    )


def test_redactions_land_in_crop_coordinates_of_the_original() -> None:
    picture, secret = secret_picture()
    data = images.encode(picture, "PNG")
    policy = ImagePolicy(formats=frozenset({"image/png", "image/jpeg"}))
    # Crop the noise's surroundings; the redaction is given in the whole picture's pixels.
    crop = (800, 600, 1600, 1200)
    marks = Marks((Redact((900, 700, 1500, 1100)),))
    prepared = prepare_bytes(data, policy, "a.png", cache=None, crop=crop, marks=marks)
    with Image.open(io.BytesIO(prepared.data)) as sent:
        assert sent.size == (800, 600)  # no shrink: fits the tile rule
        assert set(pixels(sent.crop((100, 100, 700, 500)))) == {(0, 0, 0)}
        assert not secret & set(pixels(sent))
        assert sent.getpixel((50, 50)) == (128, 128, 128)


@pytest.mark.parametrize("kind", [RedactKind.PIXELATE, RedactKind.BLUR])
def test_pixelate_and_blur_change_the_region_sent(kind: RedactKind) -> None:
    picture, _ = secret_picture()
    x, y, w, h = REGION
    marks = Marks((Redact((x, y, x + w, y + h), kind),))
    policy = ImagePolicy(formats=frozenset({"image/png", "image/jpeg"}))
    data = images.encode(picture, "PNG")
    prepared = prepare_bytes(data, policy, "a.png", cache=None, marks=marks)
    plain = prepare_bytes(data, policy, "a.png", cache=None)
    with Image.open(io.BytesIO(prepared.data)) as sent, Image.open(io.BytesIO(plain.data)) as raw:
        box = sent_box(REGION, 1152 / 3000, 1)
        changed, before = pixels(sent.crop(box)), pixels(raw.crop(box))
    same = sum(a == b for a, b in zip(changed, before, strict=True))
    assert same < 0.01 * len(before)
    if kind is RedactKind.BLUR:
        assert any("blur can be reversed for text" in note for note in prepared.notes)


def test_marks_have_their_own_cache_entry_and_no_marks_are_the_unmarked_image() -> None:
    data = images.encode(images.screenshot(1600, 1000), "PNG")
    policy, cache = ImagePolicy(), PreparedCache()
    plain = prepare_bytes(data, policy, "a.png", cache=cache)
    assert prepare_bytes(data, policy, "a.png", cache=cache, marks=Marks()).data == plain.data
    marked = prepare_bytes(data, policy, "a.png", cache=cache, marks=Marks((Redact((0, 0, 9, 9)),)))
    assert marked.data != plain.data
    assert len(cache) == 2
    # Preparing afresh, without marks, gives the same bytes as ever (and as the cache held).
    assert prepare_bytes(data, policy, "a.png", cache=None).data == plain.data


def test_a_drawn_mark_says_how_wide_it_is_as_sent() -> None:
    data = images.encode(Image.new("RGB", (4000, 3000), (255, 255, 255)), "PNG")
    marks = Marks((Rectangle((1000, 1000, 3000, 2000), width=1),))
    prepared = prepare_bytes(data, ImagePolicy(), "a.png", cache=None, marks=marks)
    assert "1 mark drawn, 2 px wide as sent" in prepared.notes
    with Image.open(io.BytesIO(prepared.data)) as sent:
        scale = sent.width / 4000
        row = pixels(sent.crop((round(1000 * scale) - 3, 500, round(1000 * scale) + 4, 501)))
    assert any(r > 200 and g < 80 for r, g, _ in row), row


def test_a_marked_url_is_fetched_and_marked_never_sent_as_a_url() -> None:
    picture, secret = secret_picture()
    data = images.encode(picture, "PNG")
    x, y, w, h = REGION
    marks = Marks((Redact((x, y, x + w, y + h)),))
    prepared = prepare(
        "https://example.com/secret.png", ImagePolicy(), fetch=lambda url: data, marks=marks
    )
    assert prepared.url is None
    with Image.open(io.BytesIO(prepared.data)) as sent:
        assert not secret & set(pixels(sent))
