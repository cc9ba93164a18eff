"""The conversation: one widget per message in a reading column (≤ 760 px, centred); only
what is near the viewport is built. Reopening a long conversation builds the newest messages
at once; older ones are built in chunks above them as the person scrolls up, the view staying
where it was. A streaming answer re-renders only itself, at most 20 times a second. A find
(Ctrl+F) highlights its matches in the messages built; to show a match far from them it builds
the messages around it alone, and those between follow in chunks as the person scrolls.

Signals: `action_requested(TranscriptAction, int)` — an action on a turn, by turn id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.transcript.copying import copied
from visiondesk.ui.transcript.searchable_column import CHUNK, SearchableColumn

if TYPE_CHECKING:
    from visiondesk.ui.transcript.rows import Row
    from visiondesk.workspace import Transcript as TranscriptModel
    from visiondesk.workspace.transcript import Item, Turn

COLUMN_WIDTH = 760
RENDER_INTERVAL_MS = 50
"""A streaming answer re-renders at most 20 times a second, whatever the token rate."""
FIRST = 24
"""Messages built before the first paint; older ones follow in chunks of CHUNK when the view
comes within a screen of the top."""


class TranscriptView(SearchableColumn):
    action_requested = Signal(object, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Transcript")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        # The column wraps; never a sideways scroll.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        page = QWidget(self)
        page.setObjectName("page")
        self.column = QWidget(page)
        self.column.setMaximumWidth(COLUMN_WIDTH)
        self.rows_layout = QVBoxLayout(self.column)
        self.rows_layout.setContentsMargins(16, 12, 16, 12)
        self.rows_layout.setSpacing(10)
        self.rows_layout.addStretch(1)
        centred = QHBoxLayout(page)
        centred.setContentsMargins(0, 0, 0, 0)
        centred.addStretch(1)
        centred.addWidget(self.column, 100)
        centred.addStretch(1)
        self.setWidget(page)
        self._model: TranscriptModel | None = None
        self.rows: dict[int, Row] = {}
        self._queued: list[int] = []  # ids: each row is built from the value current then
        self._older: list[int] = []
        self._newer: list[int] = []  # after a jump to a find's match: not built below it
        self._dirty: set[int] = set()
        self._stick = True
        self._anchor: tuple[QWidget, int] | None = None
        """While older messages are built above the view: a message in sight and its offset
        from the view's top, kept as the page grows above it."""
        self._restoring = False
        self._versioned: set[int] = set()
        """The answers whose ‹ › were last drawn with versions."""
        self.renders = 0
        self._flush_timer = self._timer(0, self._flush)
        self._older_timer = self._timer(0, self._build_older)
        self._newer_timer = self._timer(0, self._build_newer)
        self._stream_timer = self._timer(RENDER_INTERVAL_MS, self._render_dirty)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(lambda value: self._follow(value))
        bar.valueChanged.connect(lambda _value: self._near_top())
        bar.valueChanged.connect(lambda _value: self._near_bottom())
        bar.rangeChanged.connect(lambda _low, _high: self._keep_bottom())

    def _timer(self, interval: int, slot: object) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        return timer

    def mirror(self, model: TranscriptModel) -> None:
        self._model = model
        model.added.connect(self._added)
        model.changed.connect(self._changed)
        model.appended.connect(lambda turn, _text: self._stream(turn))
        model.removed.connect(self._removed)
        model.replaced.connect(self._replaced)
        model.reset.connect(self._reset)
        for signal in (model.added, model.changed, model.removed):
            signal.connect(lambda _item: self._show_versions())
        self._reset()

    # Building ------------------------------------------------------------------------------

    def _added(self, item: Item) -> None:
        self._queued.append(item.id)
        self._flush_timer.start()

    def _flush(self) -> None:
        queued, self._queued = self._queued, []
        if self._newer:  # after a jump to a find's match: a new message shows the end again
            if queued:
                self._reset()
            return
        if not self.rows and not self._older and len(queued) > FIRST:
            self._older, queued = queued[:-FIRST], queued[-FIRST:]
            # once laid out, the range changes and `_near_top` sees whether the screen needs more
        for item_id in queued:
            self._insert(item_id, self.rows_layout.count() - 1)

    def _near_top(self) -> None:
        if self._older and self.verticalScrollBar().value() < self.viewport().height():
            self._older_timer.start()

    def _build_older(self) -> None:
        """A chunk above what is built, keeping what the person reads in place."""
        bar = self.verticalScrollBar()
        first = self.rows_layout.itemAt(0)
        top = first.widget() if first is not None else None
        if not self._stick and self._anchor is None and top is not None:
            self._anchor = (top, self._page_y(top) - bar.value())
        chunk, self._older = self._older[-CHUNK:], self._older[:-CHUNK]
        for item_id in reversed(chunk):
            self._insert(item_id, 0)

    def _page_y(self, widget: QWidget) -> int:
        page = self.widget()
        return widget.mapTo(page, QPoint(0, 0)).y() if page is not None else 0

    def finish_building(self) -> None:
        """Build every message now (text access and tests need them all)."""
        self._flush_timer.stop()
        self._flush()
        while self._older:
            self._build_older()
        while self._newer:
            self._build_newer()
        self._older_timer.stop()
        self._newer_timer.stop()

    @property
    def complete(self) -> bool:
        """Whether everything near the viewport is built (older messages wait for a scroll)."""
        bar, screen = self.verticalScrollBar(), self.viewport().height()
        above = bool(self._older) and bar.value() < screen
        below = bool(self._newer) and bar.value() > bar.maximum() - screen
        return not self._queued and not above and not below

    @property
    def unbuilt(self) -> int:
        return len(self._queued) + len(self._older) + len(self._newer)

    def _insert(self, item_id: int, index: int) -> None:
        """Build the row of the item's current value (it may have changed since it was queued)."""
        item = self._model.item(item_id) if self._model is not None else None
        if item is None:
            return
        # Loaded with the first message: the message widgets (and Markdown behind them) are
        # most of the transcript's import time, and an empty window shows without them.
        from visiondesk.ui.transcript.rows import build_row

        row = build_row(item, self.column)
        row.action_requested.connect(lambda action, turn_id: self._act(action, turn_id))
        self.rows[item.id] = row
        self.rows_layout.insertWidget(index, row)
        self._show(item)

    def _show(self, item: Item) -> None:
        row = self.rows.get(item.id)
        if row is None:
            return
        if row.draw(item, self.palette(), self.marks.query_for(item.id), self.marks.current):
            self.renders += 1
        if row is not None and self._model is not None:
            row.show_versions(self._model.versions_at(item.id))

    def _show_versions(self) -> None:
        """Only the last exchange switches versions: each built answer's ‹ › follows (those
        with versions now or at the last call: a long conversation costs nothing more)."""
        shown = self._model.versions_shown() if self._model is not None else {}
        for item_id in set(shown) | self._versioned:
            row = self.rows.get(item_id)
            if row is not None:
                row.show_versions(shown.get(item_id))  # None: one version
        self._versioned = set(shown)

    # Following the model -------------------------------------------------------------------

    def _changed(self, item: Item) -> None:
        self._dirty.discard(item.id)
        self._show(item)

    def _stream(self, turn: Turn) -> None:
        self._dirty.add(turn.id)
        if not self._stream_timer.isActive():
            self._stream_timer.start()

    def _render_dirty(self) -> None:
        model = self._model
        for turn_id in list(self._dirty):
            turn = model.turn(turn_id) if model is not None else None
            if turn is not None:
                self._show(turn)
        self._dirty.clear()

    def _removed(self, item: Item) -> None:
        for pending in (self._queued, self._older, self._newer):
            if item.id in pending:
                pending.remove(item.id)
        row = self.rows.pop(item.id, None)
        if row is not None:
            row.deleteLater()

    def _replaced(self, old: Item, new: Item) -> None:
        """Another item in the same place (a version shown, a delete, an Undo)."""
        for pending in (self._queued, self._older):
            if old.id in pending:
                pending[pending.index(old.id)] = new.id
        self._dirty.discard(old.id)
        row = self.rows.pop(old.id, None)
        if row is not None:
            index = self.rows_layout.indexOf(row)
            row.deleteLater()
            self._insert(new.id, index)
        self._show_versions()

    def _reset(self) -> None:
        for row in self.rows.values():
            row.deleteLater()
        self.rows.clear()
        self._older.clear()
        self._newer.clear()
        self._dirty.clear()
        self._revealing = None
        self._queued = [item.id for item in self._model.items] if self._model is not None else []
        self._stick = True
        self._flush()

    def changeEvent(self, event: QEvent) -> None:
        """Follow light/dark (the system's or Settings'): draw every built message again."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for item in self._model.items if self._model is not None else ():
                if item.id in self.rows:
                    self._show(item)

    def _follow(self, value: int) -> None:
        if not self._restoring:  # the person scrolled
            self._stick = value >= self.verticalScrollBar().maximum() - 4 and not self._newer
            self._anchor = None
            self._revealing = None

    def _keep_bottom(self) -> None:
        bar = self.verticalScrollBar()
        if self._revealing is not None:  # a find's match keeps in sight as the page grows
            self._anchor = None
            self._scroll_to_match()
        elif self._stick:
            bar.setValue(bar.maximum())
        elif self._anchor is not None:  # older messages grew the page above the view
            widget, offset = self._anchor
            self._restoring = True
            bar.setValue(self._page_y(widget) - offset)
            self._restoring = False
        self._near_top()  # laid out: does the screen need more?
        self._near_bottom()

    # Actions -------------------------------------------------------------------------------

    def _act(self, action: TranscriptAction, turn_id: int) -> None:
        turn = self._model.turn(turn_id) if self._model is not None else None
        if not copied(action, turn, self.rows.get(turn_id)):
            self.action_requested.emit(action, turn_id)

    def copy_text(self, turn_id: int) -> None:
        """The answer's Markdown source."""
        turn = self._model.turn(turn_id) if self._model is not None else None
        copied(TranscriptAction.COPY, turn, None)

    def toPlainText(self) -> str:
        """Every message's text, status and action labels, in order."""
        self.finish_building()
        texts = []
        for item in self._model.items if self._model is not None else ():
            row = self.rows.get(item.id)
            if row is not None:
                texts.append(row.plain_text())
        return "\n".join(texts)
