"""A prepared image as a file of its own, for "Save image as…" and for dragging it out of the
window: a name that is safe on every file system, and PNG or JPEG bytes that any program opens.

What is exported is what was (or will be) sent — the prepared bytes, crop and redaction applied,
at the size the model sees — never the original, which may hold what was redacted and may be
gone. Names come from outside (file names, URLs, stored labels), so they are made inert here.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
import time
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from PIL import Image

from visiondesk.atomic_files import write_atomically
from visiondesk.formats import IMAGE_SUFFIXES
from visiondesk.imaging.encode import encode_png

if TYPE_CHECKING:
    from visiondesk.domain import PreparedImage

PASTED = "pasted image"
"""The label of a pasted bitmap (ui/sources.py): it is named after the time instead."""
FALLBACK = "image"
MAX_STEM = 120
"""Characters of the name before its extension (file systems allow 255 bytes)."""
KEPT = ("image/png", "image/jpeg")
"""Formats written as they were sent; any other (WebP, GIF) becomes a PNG of the same pixels."""
STALE_SECONDS = 24 * 3600
"""Folders of earlier runs older than this are removed (a run that crashed left them)."""
_RESERVED = re.compile(r'[<>:"/\\|?*]')
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)


def safe_stem(text: str) -> str:
    """A file name without its extension made from any text: no path separators, control or
    invisible formatting characters (a right-to-left override could disguise the extension), no
    characters Windows refuses, no leading dot (hidden) or trailing dot or space, no device
    name (CON, NUL…), at most MAX_STEM characters; FALLBACK when nothing is left."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in text
        if unicodedata.category(c) != "Cf"
    )
    kept = _RESERVED.sub("_", kept)
    kept = " ".join(kept.split())[:MAX_STEM]
    kept = kept.lstrip(". ").rstrip(". ")
    if kept.split(".")[0].upper() in _DEVICES:
        kept = f"_{kept}"
    return kept or FALLBACK


def export_name(label: str, extension: str, when: datetime) -> str:
    """The file name for an image labelled `label` (a path, a URL, "pasted image") saved as
    `extension`: the original's name with the new extension ("harbour.heic" sent as JPEG is
    "harbour.jpg"), or "screenshot 2026-12-02 16-40.png" for a pasted one, at `when`."""
    if label == PASTED:
        return f"screenshot {when:%Y-%m-%d %H-%M}.{extension}"
    name = unquote(label.split("?", 1)[0].split("#", 1)[0]) if "://" in label else label
    name = re.split(r"[/\\]", name.rstrip("/\\"))[-1]
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and f".{suffix.lower()}" in IMAGE_SUFFIXES:
        name = stem
    return f"{safe_stem(name)}.{extension}"


def export_extension(image: PreparedImage) -> str:
    """The extension its file gets: PNG and JPEG keep theirs, anything else becomes a PNG."""
    return image.extension if image.mime in KEPT else "png"


def export_bytes(image: PreparedImage) -> tuple[bytes, str]:
    """The bytes to write and their extension: PNG and JPEG as they were sent; other formats
    as a lossless PNG of the very pixels sent (the first frame of a GIF)."""
    if image.mime in KEPT:
        return image.data, image.extension
    with Image.open(io.BytesIO(image.data)) as picture:
        picture.seek(0)
        frame = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    return encode_png(frame), "png"


def save_name(image: PreparedImage, when: datetime) -> str:
    """The name "Save image as…" proposes: the sent bytes keep their own format."""
    return export_name(image.label, image.extension, when)


class ExportFolder:
    """A private folder of this run for the files dragged out of the window: made on first use
    under `parent` (0700), removed by `close` (at exit); folders that earlier runs left behind
    are removed when it is made. Each image gets a folder named by its content, so two images
    with the same name never overwrite each other and the same image is written once."""

    def __init__(self, parent: Path) -> None:
        self.parent = parent
        self._folder: Path | None = None

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _sweep(self.parent)
            self._folder = Path(tempfile.mkdtemp(prefix="run-", dir=self.parent))
        return self._folder

    def write(self, image: PreparedImage, when: datetime) -> Path:
        """The image as a file named for a person (see `export_name`), written atomically."""
        if image.url is not None:
            raise ValueError(f"{image.label} is sent as a URL: there are no bytes to write")
        name = export_name(image.label, export_extension(image), when)
        target = self.folder / image.upload_key()[:16] / name
        if target.is_file():  # written whole (a rename) by an earlier drag: not converted again
            return target
        data, _extension = export_bytes(image)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        # The folder keeps others out; the file has the person's usual mode (0666 less the
        # umask), because a file manager copies the mode along and a dropped 0600 file surprises.
        write_atomically(target, data, private=False)
        return target

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _sweep(parent: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for entry in parent.glob("run-*"):
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
