"""Turn what was dropped or pasted (files, folders, URLs, bitmaps) into image sources."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData
from PySide6.QtGui import QImage

IMAGE_SUFFIXES = {
    ".png",
    ".jpg",
    ".jpeg",
    ".webp",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".heic",
    ".heif",
    ".avif",
}
MAX_FOLDER_IMAGES = 50


def sources_from_mime(mime: QMimeData) -> list[tuple[str | bytes, str]]:
    """(source, label) pairs: local files (a folder brings its images), https URLs, bitmaps."""
    found: list[tuple[str | bytes, str]] = []
    if mime.hasUrls():
        for url in mime.urls():
            if url.isLocalFile():
                found += sources_from_path(Path(url.toLocalFile()))
            elif url.scheme() in ("https", "http"):
                found.append((url.toString(), url.toString()))
    if not found and mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            found.append((png_bytes(image), "pasted image"))
    if not found and mime.hasText():
        text = mime.text().strip()
        if text.startswith(("https://", "http://")) and " " not in text and "\n" not in text:
            found.append((text, text))
        elif text.startswith("file://"):
            found += sources_from_path(Path(text.removeprefix("file://")))
    return found


def sources_from_path(path: Path) -> list[tuple[str | bytes, str]]:
    if path.is_dir():
        images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        return [(str(p), str(p)) for p in images[:MAX_FOLDER_IMAGES]]
    return [(str(path), str(path))]


def png_bytes(image: QImage) -> bytes:
    """A pasted bitmap as PNG bytes (lossless: screenshots keep their text sharp)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; runtime wants str
    buffer.close()
    return bytes(data.data())
