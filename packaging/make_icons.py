"""Render the app icon from resources/visiondesk.svg to PNG sizes, .ico (Windows) and .icns
(macOS). Run after changing the SVG:  QT_QPA_PLATFORM=offscreen python packaging/make_icons.py"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def main() -> int:
    QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(RESOURCES / "visiondesk.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        image.save(str(RESOURCES / "icons" / f"{size}.png"))
    largest = Image.open(RESOURCES / "icons" / "512.png")
    largest.save(RESOURCES / "visiondesk.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    largest.save(RESOURCES / "visiondesk.icns")
    print("icons written to", RESOURCES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
