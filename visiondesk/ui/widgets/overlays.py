"""What is drawn over or above the window's content: the history-damage banner and the
highlight while something is dragged over the window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QFrame):
    """A line above the transcript when part of the history could not be read: what was lost,
    in one sentence, and the ways out.

    Signals: `export_requested()`, `check_requested()`, `repair_requested()`,
    `restore_requested()`.
    """

    export_requested = Signal()
    check_requested = Signal()
    repair_requested = Signal()
    restore_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("History problem")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        export = QPushButton("Export what can be read", self)
        export.clicked.connect(self.export_requested)
        check = QPushButton("Check history", self)
        check.clicked.connect(self.check_requested)
        self.repair = QPushButton("Repair", self)
        self.repair.setToolTip(
            "Rebuild the history from everything that can be read; the damaged file is kept"
        )
        self.repair.clicked.connect(self.repair_requested)
        self.restore = QPushButton("Restore from a backup…", self)
        self.restore.setToolTip("Replace the history with a backup made by File → Back up history")
        self.restore.clicked.connect(self.restore_requested)
        row = QHBoxLayout(self)
        row.addWidget(self.text, 1)
        row.addWidget(export)
        row.addWidget(check)
        row.addWidget(self.repair)
        row.addWidget(self.restore)
        self.hide()

    def enable(self, enabled: bool) -> None:
        """Repair and Restore wait for an answer, a batch or one of them under way."""
        self.repair.setEnabled(enabled)
        self.restore.setEnabled(enabled)

    def show_damage(self, damage: str) -> None:
        self.text.setText(damage)
        self.setVisible(bool(damage))


class DropHighlight(QLabel):
    """Covers the window while something is dragged over it, so a person sees where it goes."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__("Drop to attach", parent)
        self.setStyleSheet(
            "background: rgba(40, 120, 220, 60); border: 3px dashed palette(highlight);"
            "font-size: 20pt; font-weight: bold; color: palette(highlight);"
        )
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()
