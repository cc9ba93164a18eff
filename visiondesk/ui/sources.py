"""Turn what was dropped or pasted (files, folders, URLs, bitmaps) into image sources."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QUrl
from PySide6.QtGui import QImage

from visiondesk.formats import IMAGE_SUFFIXES

MAX_FOLDER_IMAGES = 50
# File managers put copied files here too (PCManFM, Nautilus, Caja: "copy\nfile:///…"; KDE).
COPIED_FILES = ("x-special/gnome-copied-files", "application/x-kde-cutselection")
OWN_CARD = "application/x-visiondesk-attachment"
"""Marks the drag of an attachment card (ui/widgets/image_drag.py): dropped back onto the
window it brings nothing, since the card is there already (a sent image attaches as a copy)."""


def sources_from_mime(mime: QMimeData) -> list[tuple[str | bytes, str]]:
    """(source, label) pairs: local files (a folder brings its images), https URLs, bitmaps."""
    found: list[tuple[str | bytes, str]] = []
    if own_card(mime):
        return found
    urls = mime.urls() if mime.hasUrls() else _copied_files(mime)
    for url in urls:
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
        else:
            for line in text.splitlines():
                if line.startswith("file://"):
                    found += sources_from_path(Path(QUrl(line.strip()).toLocalFile()))
    return found


def own_card(mime: QMimeData) -> bool:
    """Whether this is an attachment card's own drag (its URL would read as text, too)."""
    return mime.hasFormat(OWN_CARD)


def carries_sources(mime: QMimeData) -> bool:
    """Whether a paste or drop is for the attachments rather than text (cheap: no file read);
    not a card's own drag, which the window refuses."""
    if own_card(mime):
        return False
    if mime.hasImage() or mime.hasUrls() or _copied_files(mime):
        return True
    text = mime.text().strip() if mime.hasText() else ""
    if "\n" not in text and " " not in text and text.startswith(("https://", "http://")):
        return True
    return bool(text) and all(line.startswith("file://") for line in text.splitlines())


def _copied_files(mime: QMimeData) -> list[QUrl]:
    """The files a file manager copied: its own format's lines after "copy" or "cut"."""
    for kind in COPIED_FILES:
        if mime.hasFormat(kind):
            lines = bytes(mime.data(kind).data()).decode("utf-8", "replace").splitlines()
            return [QUrl(line) for line in lines if "://" in line]
    return []


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
