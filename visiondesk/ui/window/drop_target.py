"""The main window as a drop target: images, files and URLs dropped anywhere on it are
attached (the whole window highlights while they hover); plain text goes into the question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow

from visiondesk.ui.sources import carries_sources, own_card

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from visiondesk.ui.widgets.composer import Composer
    from visiondesk.ui.widgets.overlays import DropHighlight


class DropTarget(QMainWindow):
    """Mixed into the main window, which provides the parts named below."""

    attach_requested: SignalInstance
    composer: Composer
    drop_highlight: DropHighlight

    def focus_composer(self) -> None:
        raise NotImplementedError

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if own_card(mime):
            return  # an attachment card let go over its own window: it is here already
        if carries_sources(mime) or mime.hasText():
            event.acceptProposedAction()
            self.drop_highlight.cover()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_highlight.hide()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_highlight.hide()
        mime = event.mimeData()
        if own_card(mime):
            return
        if carries_sources(mime) or not mime.hasText():
            self.attach_requested.emit(mime)
        else:  # plain text goes into the question
            self.composer.insertPlainText(mime.text())
        self.focus_composer()
        event.acceptProposedAction()
