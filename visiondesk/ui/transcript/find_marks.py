"""A find's highlights in the transcript: which messages have a match, which match is current,
and which messages still have to be drawn with them. Those in sight are drawn at once, the
others a few at a time in the loop's spare turns, so typing a letter never waits for a whole
conversation to be drawn again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

if TYPE_CHECKING:
    from visiondesk.workspace.finding import Hit

LATER_CHUNK = 4
"""Messages out of sight drawn with their highlights per loop turn."""


class FindMarks(QObject):
    """The transcript's highlights; `draw(id)` draws a built message again (it asks `query_for`
    and `current`), `in_sight(id)` says whether it is built and shows in the view."""

    def __init__(
        self, parent: QObject, draw: Callable[[int], None], in_sight: Callable[[int], bool]
    ) -> None:
        super().__init__(parent)
        self._draw = draw
        self._in_sight = in_sight
        self.query = ""
        """The find's search whose matches are highlighted ("" for none)."""
        self.current: Hit | None = None
        self._marked: frozenset[int] = frozenset()  # the messages with a match
        self._due: set[int] = set()  # messages out of sight whose highlights are not drawn
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self._draw_later)

    def query_for(self, item_id: int) -> str:
        """The search to highlight in this message ("" if it has no match); it is drawn now."""
        self._due.discard(item_id)
        return self.query if item_id in self._marked else ""

    def mark(self, query: str, hits: Sequence[Hit], current: Hit | None, built: list[int]) -> None:
        """New highlights: only the built messages (`built`, in order) whose highlights change
        are drawn again."""
        marked = frozenset(hit.item_id for hit in hits)
        if query == self.query:
            redraw = set(marked ^ self._marked)
            redraw.update(hit.item_id for hit in (self.current, current) if hit is not None)
        else:
            redraw = set(marked | self._marked)
        self.query, self.current, self._marked = query, current, marked
        now = current.item_id if current is not None else None
        for item_id in built:
            if item_id not in redraw:
                continue
            if item_id == now or self._in_sight(item_id):
                self._draw(item_id)
            else:
                self._due.add(item_id)
        if self._due:
            self._later.start()

    def _draw_later(self) -> None:
        for item_id in sorted(self._due, reverse=True)[:LATER_CHUNK]:  # the newest first
            self._due.discard(item_id)
            self._draw(item_id)
        if self._due:
            self._later.start()
