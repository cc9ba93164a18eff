"""One compare column: a header saying what its model saw and what the answer cost, then its
questions and answers, newest at the bottom."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.render import render_blocks
from visiondesk.render.incremental import BlockRenderer
from visiondesk.ui.compare.headers import ColumnHeader
from visiondesk.ui.theme import Colours
from visiondesk.ui.widgets.markdown_view import MarkdownView
from visiondesk.workspace.comparing import ColumnStatus, ColumnTurn, CompareColumn

BLIND_NAMES = "ABCD"


class TurnView(QWidget):
    """A question of the column and its answer (with the error, if it ended in one)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = QLabel(self)
        self.question.setObjectName("question")
        self.question.setWordWrap(True)
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answer = MarkdownView(self)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        for label in (self.question, self.status):  # a server's or a person's words, as text
            label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.addWidget(self.question)
        layout.addWidget(self.answer)
        layout.addWidget(self.status)
        self.renderer = BlockRenderer()
        self._shown: tuple[str, ColumnStatus, str, bool] | None = None
        """What was drawn last: the same again draws nothing."""

    def show_turn(self, turn: ColumnTurn, scheme: Colours, dark: bool) -> None:
        running = turn.status.running
        shown = (turn.answer, turn.status, turn.error + turn.waiting, dark)
        if shown == self._shown:
            return
        self._shown = shown
        self.question.setText(turn.prompt)
        text = turn.answer or ("…" if running else "")
        blocks = (
            self.renderer.blocks(text, dark, streaming=True)
            if running
            else render_blocks(text, dark)
        )
        self.answer.show_blocks(blocks, scheme)
        said = {
            ColumnStatus.PREPARING: turn.waiting or "Preparing the images…",
            ColumnStatus.STREAMING: turn.waiting,
            ColumnStatus.DONE: turn.error,  # an answer the history could not keep says so
            ColumnStatus.FAILED: turn.error,
            ColumnStatus.STOPPED: "Stopped; the answer so far is kept.",
        }[turn.status]
        self.status.setText(said)
        self.status.setProperty("failed", turn.status is ColumnStatus.FAILED)
        self.status.setVisible(bool(said))


class ColumnView(QFrame):
    """A compare column. Signals: `stop_requested()`, `retry_requested()`,
    `regenerate_requested()`, `close_requested()`, `keep_requested()` (go on with this column
    alone),
    `pick_requested()` (blind mode: this answer is the better one)."""

    keep_requested = Signal()
    regenerate_requested = Signal()
    stop_requested = Signal()
    retry_requested = Signal()
    close_requested = Signal()
    pick_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare-column")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(self)
        self.title.setObjectName("column-title")
        self.title.setWordWrap(True)
        self.seen = QLabel(self)
        self.seen.setObjectName("seen")
        self.seen.setWordWrap(True)
        self.totals = QLabel(self)
        self.totals.setObjectName("totals")
        self.totals.setWordWrap(True)
        for label in (self.title, self.seen, self.totals):  # model and file names: text only
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.stop_button = QPushButton("Stop", self)
        self.retry_button = QPushButton("Retry", self)
        self.pick_button = QPushButton("This one is better", self)
        self.regenerate_button = QPushButton("Regenerate", self)
        self.regenerate_button.setToolTip("A new answer to this column's last question")
        self.keep_button = QPushButton("Keep", self)
        self.keep_button.setToolTip("Go on with this column alone, as one conversation")
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close this column (its conversation stays in the history)")
        self.stop_button.clicked.connect(self.stop_requested)
        self.retry_button.clicked.connect(self.retry_requested)
        self.pick_button.clicked.connect(self.pick_requested)
        self.keep_button.clicked.connect(self.keep_requested)
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        self.close_button.clicked.connect(self.close_requested)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        buttons = (
            self.pick_button,
            self.stop_button,
            self.retry_button,
            self.regenerate_button,
            self.keep_button,
            self.close_button,
        )
        for button in buttons:
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.area = QScrollArea(self)
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page = QWidget(self.area)
        self.turns_layout = QVBoxLayout(page)
        self.turns_layout.setContentsMargins(4, 4, 4, 4)
        self.turns_layout.addStretch(1)
        self.area.setWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addWidget(self.seen)
        layout.addWidget(self.totals)
        layout.addWidget(self.area, 1)
        self.turn_views: list[TurnView] = []
        self.scheme: Colours | None = None
        self._follow = True
        bar = self.area.verticalScrollBar()
        bar.rangeChanged.connect(lambda _low, high: bar.setValue(high) if self._follow else None)
        bar.valueChanged.connect(lambda value: self._followed(value))

    def _followed(self, value: int) -> None:
        """Following the end while the person has not scrolled up."""
        self._follow = value >= self.area.verticalScrollBar().maximum() - 4

    def show_column(
        self, column: CompareColumn, header: ColumnHeader, scheme: Colours, dark: bool
    ) -> None:
        if scheme is not self.scheme:
            self.scheme = scheme
            self.setStyleSheet(
                f"QLabel#column-title {{ font-weight: bold; }}"
                f" QLabel#seen, QLabel#totals {{ color: {scheme.muted}; }}"
                f" QLabel#question {{ background: {scheme.bubble}; border-radius: 6px;"
                f" padding: 4px 6px; }}"
                f" QLabel#status[failed='true'] {{ color: {scheme.error}; }}"
                f" QLabel#status {{ color: {scheme.muted}; }}"
            )
        self.title.setText(header.title)
        self.setAccessibleName(f"Compare column {header.title}")
        self.seen.setText(header.seen)
        self.seen.setVisible(bool(header.seen))
        self.totals.setText(header.totals)
        self.totals.setVisible(bool(header.totals))
        last = column.last
        self.stop_button.setVisible(column.running)
        self.retry_button.setVisible(last is not None and last.status.retryable)
        self.pick_button.setVisible(header.can_pick)
        self.keep_button.setVisible(not column.running and not header.hidden)
        self.close_button.setEnabled(header.closable)
        self.close_button.setToolTip(
            "Close this column (its conversation stays in the history)"
            if header.closable
            else "The other column is still answering: Stop it, or Keep one once it is done"
        )
        done = last is not None and last.status is ColumnStatus.DONE
        self.regenerate_button.setVisible(done and not header.hidden)
        while len(self.turn_views) < len(column.turns):
            view = TurnView(self.area.widget())
            self.turns_layout.insertWidget(self.turns_layout.count() - 1, view)
            self.turn_views.append(view)
        while len(self.turn_views) > len(column.turns):
            self.turn_views.pop().deleteLater()
        for view, turn in zip(self.turn_views, column.turns, strict=True):
            view.show_turn(turn, scheme, dark)

    def plain_text(self) -> str:
        parts = [self.title.text(), self.seen.text(), self.totals.text()]
        for view in self.turn_views:
            parts += [view.question.text(), view.answer.plain_text(), view.status.text()]
        return "\n".join(part for part in parts if part)
