"""Grabbing pixels with Qt, shared by `visiondesk capture` and (later) the window's overlay.

Regions are in the virtual desktop's physical pixels (`visiondesk.regions`): each QScreen's
top-left corner as the display places it and its size in device pixels, so a 2× screen of
1440×900 logical pixels is 2880×1800 here. A region across screens is put together from each
screen's part; what no screen shows is black. Exact at whole scale factors (1×, 2×).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QScreen

from visiondesk.regions import Rect

_APP: list[QGuiApplication] = []
"""The application this module made, kept alive for the process (Qt wants exactly one)."""


class GrabError(RuntimeError):
    """The display gave no pixels (a window that is gone, a compositor that refuses)."""


def application() -> QGuiApplication:
    """The running Qt application, or a plain QGuiApplication made for grabbing (no window)."""
    running = QGuiApplication.instance()
    if isinstance(running, QGuiApplication):
        return running
    _APP.append(QGuiApplication(["visiondesk"]))
    return _APP[-1]


def physical(screen: QScreen) -> Rect:
    """Where `screen` is on the virtual desktop, in physical pixels."""
    geometry, ratio = screen.geometry(), screen.devicePixelRatio()
    width, height = round(geometry.width() * ratio), round(geometry.height() * ratio)
    return Rect(geometry.x(), geometry.y(), width, height)


def screens() -> list[Rect]:
    """Every screen in the order Qt lists them (the primary one is not always first)."""
    return [physical(screen) for screen in application().screens()]


def grab_region(region: Rect) -> QImage:
    """The pixels of `region`, from every screen that shows part of it."""
    application()
    image = QImage(region.width, region.height, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    try:
        for screen in QGuiApplication.screens():
            place = physical(screen)
            part = region.intersection(place)
            if part is not None:
                pixels, source = _grab_part(screen, place, part)
                painter.drawImage(QPoint(part.x - region.x, part.y - region.y), pixels, source)
    finally:
        painter.end()
    return image


def _grab_part(screen: QScreen, place: Rect, part: Rect) -> tuple[QImage, QRect]:
    """`part` of `screen` (at `place`): grabWindow takes logical pixels from the screen's
    corner and gives device pixels, so grab the logical pixels around it and say where in the
    result the part lies."""
    ratio = screen.devicePixelRatio()
    left, top = math.floor((part.x - place.x) / ratio), math.floor((part.y - place.y) / ratio)
    right = math.ceil((part.right - place.x) / ratio)
    bottom = math.ceil((part.bottom - place.y) / ratio)
    pixels = screen.grabWindow(0, left, top, right - left, bottom - top).toImage()
    if pixels.isNull():
        raise GrabError(f"the display gave no pixels for {part}")
    pixels.setDevicePixelRatio(1.0)
    offset = QPoint(part.x - place.x - round(left * ratio), part.y - place.y - round(top * ratio))
    return pixels, QRect(offset.x(), offset.y(), part.width, part.height)


def grab_window(window: int) -> QImage:
    """A window's own pixels (without the frame the window manager draws), by its id."""
    pixels = application().primaryScreen().grabWindow(window).toImage()
    if pixels.isNull() or pixels.width() == 0:
        raise GrabError(f"the display gave no pixels for window {window:#x}")
    pixels.setDevicePixelRatio(1.0)
    return pixels


def png_bytes(image: QImage) -> bytes:
    """The image as PNG, encoded by Qt (Pillow belongs to imaging/)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's stubs say the format is bytes; the binding takes only a str.
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise GrabError("Qt could not encode the capture as PNG")
    buffer.close()
    return bytes(data.data())
