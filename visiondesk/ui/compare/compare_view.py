"""The compare's columns, arranged for the room there is: side by side for 2–3, a 2×2 grid for
4, and stacked (one under another, the whole scrolling) when the window is too narrow for
columns a person can read."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from visiondesk.ui.compare.column_view import ColumnView

READABLE_WIDTH = 300
"""The narrowest column a person can read an answer in (px); narrower, they stack."""
STACKED_HEIGHT = 420
"""Each column's height when they stack."""


class Arrangement(Enum):
    SIDE_BY_SIDE = "side by side"
    GRID = "grid"
    STACKED = "stacked"


def arrangement_for(columns: int, width: int) -> Arrangement:
    """Side by side while each column gets a readable width; four make a 2×2 grid."""
    across = 2 if columns == 4 else columns
    if width // max(1, across) < READABLE_WIDTH:
        return Arrangement.STACKED
    return Arrangement.GRID if columns == 4 else Arrangement.SIDE_BY_SIDE


class CompareView(QWidget):
    """Signals: `end_requested()` (back to one conversation), `stop_requested(int)`,
    `retry_requested(int)`, `regenerate_requested(int)`, `close_requested(int)`,
    `keep_requested(int)`,
    `pick_requested(int)` (by the column's place); `arrangement_changed(Arrangement)`."""

    keep_requested = Signal(int)
    regenerate_requested = Signal(int)
    end_requested = Signal()
    stop_requested = Signal(int)
    retry_requested = Signal(int)
    close_requested = Signal(int)
    pick_requested = Signal(int)
    arrangement_changed = Signal(Arrangement)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare")
        self.setAccessibleName("Compare")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.tally = QLabel(self)
        self.tally.setObjectName("tally")
        self.tally.setWordWrap(True)
        self.notice = QLabel(self)
        """The window's latest notice (an export, a refusal): the transcript is hidden."""
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        for label in (self.summary, self.tally, self.notice):  # names and messages: as text
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.end_button = QPushButton("End compare", self)
        self.end_button.setToolTip("Back to one conversation (every column stays in the history)")
        self.end_button.clicked.connect(self.end_requested)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.end_button)
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page = QWidget(self.area)
        self.grid = QGridLayout(self.page)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(6)
        self.area.setWidget(self.page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tally)
        layout.addWidget(self.notice)
        layout.addWidget(self.area, 1)
        self.columns: list[ColumnView] = []
        self.arrangement = Arrangement.SIDE_BY_SIDE

    def set_count(self, count: int) -> None:
        """As many column views as the compare has columns (their contents come after)."""
        while len(self.columns) > count:
            view = self.columns.pop()
            self.grid.removeWidget(view)
            view.deleteLater()
        while len(self.columns) < count:
            view = ColumnView(self.page)
            place = len(self.columns)
            view.stop_requested.connect(lambda p=place: self.stop_requested.emit(p))
            view.retry_requested.connect(lambda p=place: self.retry_requested.emit(p))
            view.close_requested.connect(lambda p=place: self.close_requested.emit(p))
            view.pick_requested.connect(lambda p=place: self.pick_requested.emit(p))
            view.keep_requested.connect(lambda p=place: self.keep_requested.emit(p))
            view.regenerate_requested.connect(lambda p=place: self.regenerate_requested.emit(p))
            self.columns.append(view)
        self._arrange(force=True)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self, force: bool = False) -> None:
        arrangement = arrangement_for(len(self.columns), self.area.viewport().width())
        if arrangement is self.arrangement and not force:
            return
        changed = arrangement is not self.arrangement
        self.arrangement = arrangement
        for view in self.columns:
            self.grid.removeWidget(view)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        for place, view in enumerate(self.columns):
            if arrangement is Arrangement.STACKED:
                row, column = place, 0
                view.setMinimumHeight(STACKED_HEIGHT)
            elif arrangement is Arrangement.GRID:
                row, column = divmod(place, 2)
                view.setMinimumHeight(0)
            else:
                row, column = 0, place
                view.setMinimumHeight(0)
            self.grid.addWidget(view, row, column)
            self.grid.setRowStretch(row, 1)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 1)
        if changed:
            self.arrangement_changed.emit(arrangement)
