"""A small dialog to write a longer text: Edit & resend a question, a conversation's
instructions. Opened window-modal with `open()`; nothing here knows what the text is for."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class TextDialog(QDialog):
    """Signals: `text_requested(str)` — the person pressed the main button with this text."""

    text_requested = Signal(str)

    def __init__(
        self,
        title: str,
        explanation: str,
        text: str,
        button: str,
        parent: QWidget | None = None,
        placeholder: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        label = QLabel(explanation, self)
        label.setWordWrap(True)
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName(title)
        self.editor.setPlainText(text)
        self.editor.setPlaceholderText(placeholder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.main_button = buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self.resize(520, 260)
        self.editor.setFocus()

    def _accept(self) -> None:
        self.text_requested.emit(self.editor.toPlainText())
        self.accept()
