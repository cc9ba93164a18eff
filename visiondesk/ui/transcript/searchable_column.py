"""The transcript's find (Ctrl+F) side: highlight the matches in the messages built, and show
a match by building the messages down to it — or, far from what is built, around it alone —
then scrolling its very line into sight once laid out. The transcript view builds on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from visiondesk.ui.transcript.find_marks import FindMarks

if TYPE_CHECKING:
    from collections.abc import Sequence

    from visiondesk.ui.transcript.rows import Row
    from visiondesk.workspace import Transcript as TranscriptModel
    from visiondesk.workspace.finding import Hit
    from visiondesk.workspace.transcript import Item

CHUNK = 12
"""Messages built at a time, above or below what is built, as the person scrolls."""
JUMP = 2 * CHUNK
"""A find's match further than this from what is built is shown by building the messages
around it alone; those between are built in chunks as the person scrolls towards them."""


class SearchableColumn(QScrollArea):
    """A scroll area of message rows that a find can mark and reveal. The rows, the ids not
    built yet and the building itself are the subclass's (the transcript view).

    Signals: none of its own."""

    rows: dict[int, Row]
    _model: TranscriptModel | None
    _older: list[int]
    _newer: list[int]
    _stick: bool
    _anchor: tuple[QWidget, int] | None
    _restoring: bool
    _flush_timer: QTimer
    _newer_timer: QTimer
    _queued: list[int]
    rows_layout: QVBoxLayout

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks = FindMarks(self, self._redraw, self._in_sight)
        self._revealing: Hit | None = None  # a match to keep in sight as the page lays out
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setSingleShot(True)
        self._reveal_timer.setInterval(0)
        self._reveal_timer.timeout.connect(self._scroll_to_match)

    # What the building side provides.
    def _show(self, item: Item) -> None:
        raise NotImplementedError

    def _flush(self) -> None:
        raise NotImplementedError

    def _build_older(self) -> None:
        raise NotImplementedError

    def _insert(self, item_id: int, index: int) -> None:
        raise NotImplementedError

    # Building below what is built: only a jump to a far match leaves messages unbuilt there.

    def _near_bottom(self) -> None:
        bar = self.verticalScrollBar()
        if self._newer and bar.value() > bar.maximum() - self.viewport().height():
            self._newer_timer.start()

    def _build_newer(self) -> None:
        """A chunk below what is built (after a jump to a find's match)."""
        chunk, self._newer = self._newer[:CHUNK], self._newer[CHUNK:]
        for item_id in chunk:
            self._insert(item_id, self.rows_layout.count() - 1)

    def _jump(self, item_id: int) -> None:
        """Build the messages around this one alone, the rest left for a scroll either way."""
        order = [item.id for item in self._model.items] if self._model is not None else []
        if item_id not in order:
            return
        for row in self.rows.values():
            self.rows_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows.clear()
        self._queued.clear()
        start = max(0, order.index(item_id) - CHUNK // 2)
        self._older, self._newer = order[:start], order[start + CHUNK :]
        for built in order[start : start + CHUNK]:
            self._insert(built, self.rows_layout.count() - 1)

    def mark(self, query: str, hits: Sequence[Hit], current: Hit | None) -> None:
        """Highlight a find's matches, the current one distinctly ("" for none)."""
        if current != self._revealing:
            self._revealing = None
        built = [item.id for item in self._model.items] if self._model is not None else []
        self.marks.mark(query, hits, current, [i for i in built if i in self.rows])

    @property
    def query(self) -> str:
        """The find's search whose matches are highlighted ("" for none)."""
        return self.marks.query

    def _redraw(self, item_id: int) -> None:
        item = self._model.item(item_id) if self._model is not None else None
        if item is not None:
            self._show(item)

    def _in_sight(self, item_id: int) -> bool:
        row, top = self.rows.get(item_id), self.verticalScrollBar().value()
        return row is not None and row.y() + row.height() > top > row.y() - self.viewport().height()

    def first_in_sight(self) -> int | None:
        """The id of the first message built that shows in the view (None if none is)."""
        top = self.verticalScrollBar().value()
        for item_id, row in sorted(self.rows.items(), key=lambda pair: pair[1].y()):
            if row.y() + row.height() > top:
                return item_id
        return None

    def reveal(self, hit: Hit) -> None:
        """Build the messages down to the match (or, far from what is built, around it alone)
        and scroll it into sight once laid out."""
        self._flush_timer.stop()
        self._flush()
        older, newer, wanted = self._older, self._newer, hit.item_id
        far_above = wanted in older and len(older) - older.index(wanted) > JUMP
        if far_above or (wanted in newer and newer.index(wanted) >= JUMP):
            self._jump(wanted)
        while self._older and hit.item_id in self._older:
            self._build_older()
        while self._newer and hit.item_id in self._newer:
            self._build_newer()
        self._stick = False
        self._anchor = None
        self._revealing = hit
        self._reveal_timer.start()

    def _scroll_to_match(self) -> None:
        hit = self._revealing
        row = self.rows.get(hit.item_id) if hit is not None else None
        label = row.label(hit.part, hit.block) if row is not None and hit is not None else None
        page = self.widget()
        if label is None or page is None:
            return
        from visiondesk.ui.theme import colours, is_dark  # a find's, after the first paint
        from visiondesk.ui.transcript.match_place import match_line

        line = match_line(label, colours(is_dark(self.palette())).current)
        top, height = line if line is not None else (0, min(label.height(), 40))
        point = label.mapTo(page, QPoint(0, label.contentsRect().top() + top))
        margin = min(self.viewport().height() // 3, 80)
        bar = self.verticalScrollBar()
        self._restoring = True
        self.ensureVisible(point.x(), point.y() + height // 2, 0, height // 2 + margin)
        self._restoring = False
        self._stick = bar.value() >= bar.maximum() - 4 and not self._newer
