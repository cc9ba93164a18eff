"""Small pictures of prepared images, decoded by Qt from the bytes that will be sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap

if TYPE_CHECKING:  # the window shows before the pipeline's types load
    from visiondesk.domain import PreparedImage


def thumbnail(image: PreparedImage, side: int = 96) -> QImage:
    picture = QImage.fromData(image.thumbnail or image.data) if image.data else QImage()
    if picture.isNull():
        placeholder = QImage(side, side, QImage.Format.Format_ARGB32)
        placeholder.fill(Qt.GlobalColor.lightGray)
        return placeholder
    return picture.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def thumbnail_pixmap(image: PreparedImage, side: int = 96) -> QPixmap:
    """Sharp on high-DPI screens: drawn with as many device pixels as the screen has."""
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    pixmap = QPixmap.fromImage(thumbnail(image, round(side * ratio)))
    pixmap.setDevicePixelRatio(ratio)
    return pixmap
