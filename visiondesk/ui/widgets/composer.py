"""Where the question is typed: Enter sends, Shift+Enter makes a new line, Esc stops; pasting
an image or a file attaches it instead of inserting text."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from visiondesk.ui.sources import carries_sources


class Composer(QPlainTextEdit):
    """Signals: `send_requested()` (Enter), `stop_requested()` (Esc), `attach_requested(mime)`
    (images or files pasted); its text is mirrored into the workspace by the presenter."""

    send_requested = Signal()
    stop_requested = Signal()
    attach_requested = Signal(QMimeData)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Question")
        self.setPlaceholderText(
            "Ask about the images…  Drop, paste (Ctrl+V) or open (Ctrl+O) images; Enter sends,"
            " Shift+Enter for a new line, Esc stops"
        )
        self.setTabChangesFocus(True)
        self.setMaximumHeight(84)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.send_requested.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.stop_requested.emit()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return carries_sources(source) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if carries_sources(source):
            self.attach_requested.emit(source)
            return
        super().insertFromMimeData(source)
