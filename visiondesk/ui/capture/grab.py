"""Grabbing pixels with Qt, shared by `visiondesk capture` and the window's capture overlay.

Regions are in the virtual desktop's physical pixels (`visiondesk.regions`): each QScreen's
top-left corner as the display places it and its size in device pixels, so a 2× screen of
1440×900 logical pixels is 2880×1800 here. A region across screens is put together from each
screen's part; what no screen shows is black.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QScreen

from visiondesk.regions import Rect

_APP: list[QGuiApplication] = []
"""The application this module made, kept alive for the process (Qt wants exactly one)."""


class GrabError(RuntimeError):
    """The display gave no pixels (a window that is gone, a compositor that refuses)."""


@dataclass(frozen=True)
class FrozenScreen:
    """One screen as it was when the capture began: its pixels, and where it is both in Qt's
    logical desktop (where its overlay goes) and in physical pixels (where windows are).
    Each screen keeps its own scale, so screens of mixed scales map exactly."""

    image: QImage
    logical: QRect
    physical: Rect

    @property
    def ratio(self) -> float:
        """Physical pixels per logical pixel on this screen."""
        return self.image.width() / max(1, self.logical.width())


@dataclass(frozen=True)
class Frozen:
    """The desktop as it was: every screen, and the top-level windows (physical pixels,
    topmost first; empty where they cannot be listed)."""

    screens: tuple[FrozenScreen, ...]
    windows: tuple[Rect, ...] = ()

    def windows_on(self, screen: FrozenScreen) -> list[Rect]:
        """The windows' visible parts on `screen`, in its image's pixels, topmost first."""
        place = screen.physical
        parts = (window.intersection(place) for window in self.windows)
        return [
            Rect(part.x - place.x, part.y - place.y, part.width, part.height)
            for part in parts
            if part is not None
        ]


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
                source = QRect(part.x - place.x, part.y - place.y, part.width, part.height)
                target = QPoint(part.x - region.x, part.y - region.y)
                painter.drawImage(target, grab_screen(screen), source)
    finally:
        painter.end()
    return image


def freeze_screens() -> tuple[FrozenScreen, ...]:
    """Every screen's pixels, each at its own scale."""
    return tuple(
        FrozenScreen(grab_screen(screen), screen.geometry(), physical(screen))
        for screen in application().screens()
    )


def grab_screen(screen: QScreen) -> QImage:
    """All of `screen` in its device pixels. Whole screens, because grabWindow takes a part in
    logical pixels and rounds it at fractional scales (1.25×, 1.5×); the whole one is exact."""
    pixels = screen.grabWindow(0).toImage()
    if pixels.isNull():
        raise GrabError(f"the display gave no pixels for the screen {screen.name()!r}")
    pixels.setDevicePixelRatio(1.0)
    return pixels


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
