"""A word-wrapped label that remembers its height at each width.

Qt's QLabel lays its whole text out again each time a layout asks its height for a width, and
the transcript's layout asks every label of the conversation on each pass: while an answer
streamed, every earlier answer was laid out again 20 times a second, so each answer in a
conversation streamed slower than the one before. The height only changes with the text, the
font, the style or the margins, and each of those forgets what was remembered.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel

_WIDTHS = 8
"""Heights kept, the latest widths: a layout pass asks for a few (its minimum, its hint, its
own), and the view's width changes when its scroll bar comes and goes."""


class SizedLabel(QLabel):
    """A QLabel whose `heightForWidth` is computed once per width and text.

    Signals: those of QLabel."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[call-overload]
        self._heights: dict[int, int] = {}
        self.layouts = 0
        """Times its text was laid out to find a height (tests count them)."""

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = super().heightForWidth(width)
            self.layouts += 1
            if len(self._heights) >= _WIDTHS:
                del self._heights[next(iter(self._heights))]  # the oldest
            self._heights[width] = height
        return height

    def setText(self, text: str) -> None:
        self._heights.clear()
        super().setText(text)

    def setWordWrap(self, on: bool) -> None:
        self._heights.clear()
        super().setWordWrap(on)

    def setContentsMargins(self, *margins: int) -> None:  # type: ignore[override]
        self._heights.clear()
        super().setContentsMargins(*margins)

    def changeEvent(self, event: QEvent) -> None:
        self._heights.clear()  # font, style, anything that may change the layout
        super().changeEvent(event)
