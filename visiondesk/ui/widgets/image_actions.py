"""Copy an image and save it as a file, from the preview's buttons and from the right-click (or
Menu key) menu of every thumbnail, so what a drag does is never mouse-only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from visiondesk.imaging.export_file import export_bytes, save_name

if TYPE_CHECKING:
    from visiondesk.domain import PreparedImage

COPY = "Copy image"
SAVE = "Save image as…"


def copy_image(image: PreparedImage) -> None:
    """The picture as it is sent, onto the clipboard (to paste into a chat or a document)."""
    data, _extension = export_bytes(image)
    QGuiApplication.clipboard().setImage(QImage.fromData(data))


def save_image_as(image: PreparedImage, parent: QWidget | None) -> tuple[Path | None, str]:
    """Ask where, then write the bytes that are sent, in their own format: the path written
    (None if the person cancelled or it failed) and a line saying what happened."""
    start = str(Path.home() / save_name(image, datetime.now()))
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save image as", start)
    if not chosen:
        return None, ""
    path = Path(chosen)
    try:
        path.write_bytes(image.data)
    except OSError as error:
        return None, f"Could not save {path.name}: {error.strerror or error}"
    return path, f"Saved {path.name} ({len(image.data):,} bytes)."


def add_image_actions(menu: QMenu, image: PreparedImage | None, parent: QWidget) -> None:
    """The "Copy image" and "Save image as…" of `image` (off when there are no bytes: an image the
    server downloads from its URL, or one still being prepared)."""
    has_bytes = image is not None and image.url is None
    copy = menu.addAction(COPY)
    copy.setEnabled(has_bytes)
    save = menu.addAction(SAVE)
    save.setEnabled(has_bytes)
    if image is not None and has_bytes:
        copy.triggered.connect(lambda: copy_image(image))
        save.triggered.connect(lambda: _save_and_say(image, parent))


def _save_and_say(image: PreparedImage, parent: QWidget) -> None:
    path, said = save_image_as(image, parent)
    if path is None and said:
        QMessageBox.warning(parent, "Save image as", said)


class ImageMenu(QObject):
    """The right-click (or Menu key) menu of a thumbnail: "Open large" when `preview` is given,
    then "Copy image" and "Save image as…". An event filter on `widget`, living as long as it;
    `menu` is the menu last opened (a test or a screen reader can find it). No signals."""

    def __init__(
        self,
        widget: QWidget,
        image: PreparedImage | Callable[[], PreparedImage | None],
        preview: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(widget)
        self.widget = widget
        self.image = image if callable(image) else lambda: image
        self.preview = preview
        self.menu: QMenu | None = None
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget and isinstance(event, QContextMenuEvent):
            self.open(event.globalPos())
            return True
        return False

    def open(self, where: QPoint) -> QMenu:
        if self.menu is not None:
            self.menu.deleteLater()  # one menu at a time
        menu = QMenu(self.widget)
        if self.preview is not None:
            menu.addAction("Open large").triggered.connect(self.preview)
        add_image_actions(menu, self.image(), self.widget)
        menu.popup(where)
        self.menu = menu
        return menu
