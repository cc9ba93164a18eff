"""A prepared image as a file of its own (drag-out, "Save image as…"): safe names from any label,
PNG or JPEG bytes of the pixels sent, written into a private folder of the run. No Qt."""

from __future__ import annotations

import io
import os
import time
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from tests import images
from visiondesk.domain import Detail, PreparedImage
from visiondesk.imaging.export_file import (
    MAX_STEM,
    STALE_SECONDS,
    ExportFolder,
    export_bytes,
    export_name,
    safe_stem,
)

WHEN = datetime(2026, 12, 2, 16, 40, 12)


def prepared(
    label: str, fmt: str = "JPEG", mime: str = "image/jpeg", seed: int = 2
) -> PreparedImage:
    extra = {"lossless": True} if fmt == "WEBP" else {}
    data = images.encode(images.photo(80, 60, seed=seed), fmt, **extra)
    return PreparedImage(label, "cd" * 32, 80, 60, fmt, 80, 60, mime, data, Detail.LOW, 85)


@pytest.mark.parametrize(
    ("label", "extension", "expected"),
    [
        ("/home/ann/Pictures/harbour.heic", "jpg", "harbour.jpg"),
        ("/home/ann/shot.PNG", "png", "shot.png"),
        ("pasted image", "png", "screenshot 2026-12-02 16-40.png"),
        ("https://example.com/a/b/cat%20photo.webp?size=large#top", "png", "cat photo.png"),
        ("https://example.com/gallery/", "jpg", "gallery.jpg"),
        ("C:\\Users\\ann\\Desktop\\plan.bmp", "png", "plan.png"),
        ("report.v2", "png", "report.v2.png"),  # not an image suffix: kept
        ("../../.bashrc", "png", "bashrc.png"),  # no climbing out, no hidden file
        ("evil\x07\nname\x00.png", "png", "evil name.png"),  # control characters
        ("invoice\u202egnp.exe.jpg", "jpg", "invoicegnp.exe.jpg"),  # no right-to-left override
        ('a<b>c:"d|e?f*.png', "png", "a_b_c__d_e_f_.png"),  # what Windows refuses
        ("CON.png", "png", "_CON.png"),
        ("nul", "jpg", "_nul.jpg"),
        ("trailing. . .jpg", "jpg", "trailing.jpg"),
        ("", "png", "image.png"),
        ("\x01\x02", "png", "image.png"),
        ("...", "jpg", "image.jpg"),
    ],
)
def test_names_come_from_the_label_and_are_safe(label: str, extension: str, expected: str) -> None:
    assert export_name(label, extension, WHEN) == expected


def test_a_long_name_is_cut_to_what_file_systems_take() -> None:
    name = export_name("/x/" + "é" * 400 + ".jpg", "jpg", WHEN)
    assert name == "é" * MAX_STEM + ".jpg"
    assert len(name.encode("utf-8")) < 255
    assert safe_stem("a" * 500) == "a" * MAX_STEM


def test_png_and_jpeg_are_the_bytes_sent_and_webp_becomes_a_png_of_the_same_pixels() -> None:
    jpeg = prepared("photo.jpg")
    assert export_bytes(jpeg) == (jpeg.data, "jpg")
    webp = prepared("shot.png", "WEBP", "image/webp")
    data, extension = export_bytes(webp)
    assert extension == "png" and data.startswith(b"\x89PNG")
    sent = Image.open(io.BytesIO(webp.data)).convert("RGB")
    written = Image.open(io.BytesIO(data)).convert("RGB")
    assert written.size == sent.size and written.tobytes() == sent.tobytes()


def test_the_folder_is_private_per_run_and_removed_on_close(tmp_path: Path) -> None:
    parent = tmp_path / "dragged"
    stale = parent / "run-crashed"
    stale.mkdir(parents=True)
    (stale / "left.png").write_bytes(b"x")
    old = time.time() - STALE_SECONDS - 60
    os.utime(stale, (old, old))
    recent = parent / "run-other-window"
    recent.mkdir()
    folder = ExportFolder(parent)
    image = prepared("/home/ann/harbour.jpg")
    path = folder.write(image, WHEN)
    assert path.name == "harbour.jpg" and path.read_bytes() == image.data
    assert path.is_relative_to(folder.folder)
    assert (folder.folder.stat().st_mode & 0o077) == 0  # nobody else reaches it
    assert not stale.exists() and recent.exists()  # a crash's leftovers go, a live run's stay
    assert folder.write(image, WHEN) == path  # written once
    other = folder.write(prepared("/elsewhere/harbour.jpg", seed=5), WHEN)
    assert other.name == path.name and other != path and path.exists()  # both kept
    run = folder.folder
    folder.close()
    assert not run.exists() and recent.exists()


def test_an_image_the_server_downloads_has_no_file() -> None:
    url = "https://example.com/cat.png"
    sent = PreparedImage(
        url, "ab" * 32, None, None, None, None, None, "image/png", b"", Detail.AUTO, 85, url=url
    )
    with pytest.raises(ValueError, match="URL"):
        ExportFolder(Path("/nonexistent")).write(sent, WHEN)
