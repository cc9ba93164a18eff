"""Dragging an image out of the window onto a file manager or another program: the image is
written as a file to a private folder of this run (removed at exit), and the drag carries its
file:// URL (`text/uri-list`) for file managers and the pixels (`image/png`) for programs that
take pictures. What travels is what was sent (see `visiondesk/imaging/export_file.py`).

A drag starts only once the pointer has moved `QApplication.startDragDistance()` with the left
button down, so a click (preview, selection) stays a click; it offers a copy and nothing else,
so dropping never takes an attachment away. An attachment card dropped back onto its own window
is ignored (`OWN_CARD`: it is there already); a sent image dropped onto the window attaches as
a copy, like any file.
"""

from __future__ import annotations

import atexit
import functools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QObject, QPoint, Qt, QUrl
from PySide6.QtGui import QDrag, QImage, QMouseEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from visiondesk.config.paths import cache_dir
from visiondesk.imaging.export_file import ExportFolder
from visiondesk.ui.sources import OWN_CARD
from visiondesk.ui.widgets.thumbnails import thumbnail_pixmap

if TYPE_CHECKING:
    from visiondesk.domain import PreparedImage


@functools.cache
def drag_folder() -> ExportFolder:
    """The run's folder for dragged images, made on the first drag and removed at exit."""
    folder = ExportFolder(cache_dir() / "dragged")
    atexit.register(folder.close)
    return folder


def image_mime(
    image: PreparedImage, card: int | None = None, when: datetime | None = None
) -> QMimeData:
    """What a drag of `image` carries: the URL of the file written for it and its pixels;
    `card` marks an attachment card's own drag (by its attachment id)."""
    path = drag_folder().write(image, when or datetime.now())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    mime.setImageData(QImage(str(path)))
    if card is not None:
        mime.setData(OWN_CARD, QByteArray(str(card).encode("ascii")))
    return mime


class ImageDrag(QObject):
    """Lets `widget` drag out `image`, or the one `image()` returns (None: nothing now), when
    `allowed(press position)` says the press may start one. An event filter, so the widget
    keeps its own handling of clicks; with `claim_press` a press that may start a drag is not
    passed on (a view that would otherwise begin panning with it). It lives as long as the
    widget. No signals."""

    def __init__(
        self,
        widget: QWidget,
        image: PreparedImage | Callable[[], PreparedImage | None],
        card: int | None = None,
        allowed: Callable[[QPoint], bool] | None = None,
        claim_press: bool = False,
    ) -> None:
        super().__init__(widget)
        self.widget = widget
        self.image = image if callable(image) else lambda: image
        self.card = card
        self.allowed = allowed
        self.claim_press = claim_press
        self.pressed: QPoint | None = None
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not isinstance(event, QMouseEvent) or watched is not self.widget:
            return False
        position = event.position().toPoint()
        if kind == QEvent.Type.MouseButtonPress:
            left = event.button() == Qt.MouseButton.LeftButton
            may = self.allowed is None or self.allowed(position)
            self.pressed = position if left and may and self._draggable() else None
            return self.claim_press and self.pressed is not None
        if kind == QEvent.Type.MouseButtonRelease:
            self.pressed = None
        elif kind == QEvent.Type.MouseMove and self.pressed is not None:
            if not event.buttons() & Qt.MouseButton.LeftButton:
                self.pressed = None
            elif (position - self.pressed).manhattanLength() >= QApplication.startDragDistance():
                self.pressed = None
                self.start()
                return True
        return False

    def _draggable(self) -> bool:
        image = self.image()
        return image is not None and image.url is None

    def start(self) -> Qt.DropAction:
        """Drag the image now (blocks until it is dropped or given up); what the target did."""
        image = self.image()
        if image is None or image.url is not None:
            return Qt.DropAction.IgnoreAction
        drag = QDrag(self.widget)
        drag.setMimeData(image_mime(image, self.card))
        picture = thumbnail_pixmap(image, 96)
        drag.setPixmap(picture)
        size = picture.deviceIndependentSize()
        drag.setHotSpot(QPoint(int(size.width() / 2), int(size.height() / 2)))
        if isinstance(self.widget, QAbstractButton):
            self.widget.setDown(False)  # the release goes to the drop, not to the button
        return drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)
