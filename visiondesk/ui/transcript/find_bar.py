"""The find bar above the transcript (Ctrl+F), as browsers have it: a field, the count in
words ("3 of 12", "No matches"), previous and next, close.

Enter and Shift+Enter in the field go to the next and previous match, Esc closes; the buttons
take no focus, so typing goes on in the field.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class FindBar(QFrame):
    """Find in the open conversation.

    Signals: `query_changed(str)` — the search as typed; `next_requested()`,
    `previous_requested()` — Enter / Shift+Enter or ↓ / ↑; `close_requested()` — Esc or ✕.
    """

    query_changed = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find-bar")
        self.setAccessibleName("Find in conversation")
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Find in conversation")
        self.field.setAccessibleName("Find in conversation")
        self.field.setClearButtonEnabled(True)
        self.field.textChanged.connect(self.query_changed)
        self.field.installEventFilter(self)
        self.count = QLabel(self)
        self.count.setAccessibleName("Matches")
        self.count.setMinimumWidth(self.count.fontMetrics().horizontalAdvance("No matches 00"))
        self.previous_button = self._button("↑", "Previous match (Shift+Enter, Shift+F3)")
        self.previous_button.clicked.connect(self.previous_requested)
        self.next_button = self._button("↓", "Next match (Enter, F3)")
        self.next_button.clicked.connect(self.next_requested)
        self.close_button = self._button("✕", "Close (Esc)")
        self.close_button.setAccessibleName("Close find")
        self.close_button.clicked.connect(self.close_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 2, 16, 2)
        layout.addStretch(1)
        layout.addWidget(self.field, 3)
        layout.addWidget(self.count)
        for button in (self.previous_button, self.next_button, self.close_button):
            layout.addWidget(button)
        self.show_count("", found=False)
        self.hide()

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    @property
    def query(self) -> str:
        return self.field.text()

    def open(self) -> None:
        """Show the bar with the focus in its field, what it held selected (typing replaces it)."""
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def show_count(self, words: str, found: bool) -> None:
        """The count in words; ↑ and ↓ only when there is a match to go to."""
        self.count.setText(words)
        self.previous_button.setEnabled(found)
        self.next_button.setEnabled(found)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                (self.previous_requested if shift else self.next_requested).emit()
                return True
            if key == Qt.Key.Key_Escape:
                self.close_requested.emit()
                return True
        return super().eventFilter(watched, event)
