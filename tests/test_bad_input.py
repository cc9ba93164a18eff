"""Bad input ends in an ImageError naming the file and the reason, and nothing else escapes."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from tests import images
from visiondesk.errors import ImageError
from visiondesk.imaging import ImagePolicy, prepare

POLICY = ImagePolicy()


def refuse(source: bytes | Path | str, match: str, policy: ImagePolicy = POLICY) -> ImageError:
    with pytest.raises(ImageError, match=match) as caught:
        prepare(source, policy, cache=None)
    return caught.value


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    error = refuse(path, "empty")
    assert error.source == str(path)
    assert str(path) in str(error)


def test_zero_bytes_from_the_clipboard() -> None:
    refuse(b"", "pasted image: is empty")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    refuse(tmp_path / "nope.png", "does not exist")
    refuse(tmp_path, "is a folder")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP"])
def test_truncated_file(tmp_path: Path, fmt: str) -> None:
    data = images.encode(images.photo(640, 480), fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) // 2])
    error = refuse(path, "cut")
    assert error.source == str(path)
    assert error.reason  # a reason a person can read


def test_text_file_with_an_image_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("Shopping list: milk, eggs, bread\n")
    refuse(path, r"notes\.png: is not an image .* text file")


def test_pdf_with_an_image_name(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
    refuse(path, r"scan\.jpg: is a PDF: its pages are sent as images .* --pages")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"8BPS\x00\x01" + b"\x00" * 64, "Photoshop"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"\x00\x00\x01\x00\x01\x00\x10\x10" + b"\x00" * 64, "icon"),
        (bytes(range(256)) * 4, "unrecognised"),
    ],
)
def test_unsupported_formats(data: bytes, kind: str) -> None:
    refuse(data, kind)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = images.png_header_only(40_000, 40_000)  # 1.6 gigapixels in a few hundred bytes
    tracemalloc.start()
    error = refuse(bomb, "decompression bomb")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "40000×40000" in error.reason
    assert peak < 20 * 2**20  # refused from the header: the pixels were never decoded


def test_the_pixel_limit_is_configurable() -> None:
    data = images.encode(images.photo(400, 300), "PNG")
    refuse(data, "over the limit", ImagePolicy(max_pixels=100_000))
    assert prepare(data, ImagePolicy(max_pixels=120_000), cache=None).width == 400


def test_plain_http_urls_are_refused() -> None:
    refuse("http://example.com/cat.png", "only https")


def test_a_failed_download_names_the_url() -> None:
    def fail(url: str) -> bytes:
        raise ImageError(url, "could not be downloaded (HTTP 404)")

    policy = ImagePolicy(keep_urls=False)
    with pytest.raises(ImageError, match="HTTP 404"):
        prepare("https://example.com/x.png", policy, fetch=fail, cache=None)
