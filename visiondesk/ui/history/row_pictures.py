"""The sidebar's pictures: each conversation's first image, decoded and cut to a square off the
UI thread, once: kept by the digest of the stored bytes (which never change), so a list shown
again (after a send, a rename, a search) has its pictures at once."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, TypeVar

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QImage, QPainter

CHUNK = 32
"""Pictures decoded per trip to a worker thread: the top rows show first."""
T = TypeVar("T")
KEPT = 2000
"""Pictures kept decoded (about 25 KB each at 2×)."""


class Pictures(Protocol):
    """What the pictures are read from (the workspace's library)."""

    def first_images(self) -> dict[int, str]: ...
    def picture(self, digest: str) -> bytes: ...


class RowPictures:
    def __init__(self, source: Pictures) -> None:
        self.source = source
        self.covers: dict[int, str] = {}
        """Conversation id → the digest of its first image, as last read."""
        self._decoded: OrderedDict[tuple[str, int], QImage] = OrderedDict()

    def known(self, pixels: int) -> dict[int, QImage]:
        """The pictures already decoded at `pixels` a side, by conversation id."""
        found = {}
        for conversation_id, digest in self.covers.items():
            image = self._decoded.get((digest, pixels))
            if image is not None and not image.isNull():
                found[conversation_id] = image
        return found

    async def load(
        self,
        order: list[int],
        pixels: int,
        ratio: float,
        shown: Callable[[dict[int, QImage]], None],
    ) -> None:
        """Read which image each conversation starts with, then decode the ones not kept yet
        in the list's `order` (conversation ids, top first), a chunk at a time in a worker
        thread, telling `shown` after each."""
        self.covers = await _in_thread(self.source.first_images)
        shown(self.known(pixels))
        digests = (self.covers.get(conversation_id) for conversation_id in order)
        wanted = dict.fromkeys(d for d in digests if d and (d, pixels) not in self._decoded)
        missing = list(wanted)
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            decoded = await _in_thread(_decode, self.source, chunk, pixels, ratio)
            for digest, image in decoded.items():
                self._decoded[(digest, pixels)] = image  # a null one: never tried again
            while len(self._decoded) > KEPT:
                self._decoded.popitem(last=False)
            shown(self.known(pixels))


def _in_thread(work: Callable[..., T], *args: object) -> asyncio.Future[T]:
    """`work` on the loop's worker threads. Not `asyncio.to_thread`: a list shown before the
    loop runs (at start-up, or a test's step) starts this job where no loop is running yet."""
    return asyncio.get_event_loop().run_in_executor(None, work, *args)


def _decode(source: Pictures, digests: list[str], pixels: int, ratio: float) -> dict[str, QImage]:
    """In a worker thread (QImage needs no GUI thread): each picture as a centred square."""
    decoded = {}
    for digest in digests:
        image = QImage.fromData(source.picture(digest))
        if not image.isNull():
            image = image.scaled(
                pixels,
                pixels,
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
            left, top = (image.width() - pixels) // 2, (image.height() - pixels) // 2
            image = _rounded(image.copy(left, top, pixels, pixels), pixels / 10)
            image.setDevicePixelRatio(ratio)
        decoded[digest] = image
    return decoded


def _rounded(square: QImage, radius: float) -> QImage:
    """The corners cut here, once, so painting a row is one plain image draw."""
    rounded = QImage(square.size(), QImage.Format.Format_ARGB32_Premultiplied)
    rounded.fill(Qt.GlobalColor.transparent)
    painter = QPainter(rounded)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(square))
    painter.drawRoundedRect(QRectF(square.rect()), radius, radius)
    painter.end()
    return rounded
