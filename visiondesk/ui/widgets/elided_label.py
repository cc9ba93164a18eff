"""A one-line label that gives up width with an ellipsis instead of being cut mid-word: the
status bar's connection and token lines in a narrow window (800 px at 2× scale), where Qt
would otherwise clip one under the other. The whole text stays the label's text (and its
accessible value) and shows as its tooltip while it is shortened."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

SMALLEST = 48
"""Logical pixels a label keeps however narrow the window: room for a word and the ellipsis."""


class ElidedLabel(QLabel):
    """Plain text on one line, elided at the right when the room runs out.

    Signals: none (QLabel's)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), SMALLEST), hint.height())

    @property
    def elided(self) -> bool:
        """True while the label shows less than its text."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self) -> str:
        """What the label draws now (its text, or the start of it and "…")."""
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def setText(self, text: str) -> None:
        super().setText(text)
        self._follow()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._follow()

    def _follow(self) -> None:
        self.setToolTip(self.text() if self.elided else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())
        painter.end()
