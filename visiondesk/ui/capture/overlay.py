"""The capture overlay: the frozen screen, dimmed, over the whole desktop; the person drags a
region (its size in pixels beside it) or works by keyboard, and the pixels come from the frozen
grab, so what lands is exactly what was on the screen when Capture was pressed.

Geometry: the overlay covers the virtual desktop in logical pixels; the frozen image is in
physical pixels. One ratio maps the two (the frozen image's width over the overlay's), which is
exact on one screen at any scale and on several screens of the same scale; screens of mixed
scales are mapped with the ratio of the first (said in the README).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from visiondesk.regions import Rect

DIM = QColor(0, 0, 0, 130)
ACCENT = QColor(30, 140, 255)
LABEL_PADDING = QSize(12, 6)
MIN_DRAG = 3
"""A press and release closer than this (logical px) is a click: the screen under it."""


class CaptureOverlay(QWidget):
    """A frameless window over the desktop showing `frozen` dimmed.

    Signals: `region_chosen(Rect)` — the chosen part, in physical pixels of `frozen`;
    `cancel_requested()` — Esc. Keys: Enter takes the selection (or the screen under the
    pointer), arrows move it by 1 px (Ctrl: 10), Shift+arrows resize it.
    """

    region_chosen = Signal(object)
    cancel_requested = Signal()

    def __init__(self, frozen: QImage, desktop: QRect, screens: list[QRect] | None = None) -> None:
        super().__init__(
            None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("VisionDesk — capture")
        self.setAccessibleName("Capture: drag a region, Enter takes it, Esc cancels")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.frozen = frozen
        self.desktop = desktop
        self.screens = screens or [desktop]
        """The screens in the overlay's own coordinates (logical), for a click and Enter."""
        self.setGeometry(desktop)
        self.selection: QRect | None = None
        """The region in the overlay's logical pixels."""
        self._anchor: QPoint | None = None

    @property
    def ratio(self) -> float:
        """Physical pixels per logical pixel."""
        return self.frozen.width() / max(1, self.desktop.width())

    def chosen(self) -> Rect | None:
        """The selection in physical pixels of `frozen`, or None."""
        if self.selection is None or self.selection.isEmpty():
            return None
        r, s = self.ratio, self.selection
        left, top = round(s.x() * r), round(s.y() * r)
        right, bottom = round((s.x() + s.width()) * r), round((s.y() + s.height()) * r)
        right, bottom = min(right, self.frozen.width()), min(bottom, self.frozen.height())
        return Rect(left, top, max(1, right - left), max(1, bottom - top))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        target = QRectF(0, 0, self.width(), self.height())
        painter.drawImage(target, self.frozen, QRectF(self.frozen.rect()))
        selection = self.selection
        if selection is None or selection.isEmpty():
            painter.fillRect(self.rect(), DIM)
            self._hint(painter, "Drag a region · click: this screen · Enter: take · Esc: cancel")
            return
        for part in _around(self.rect(), selection):
            painter.fillRect(part, DIM)
        painter.setPen(QPen(ACCENT, 2))
        painter.drawRect(selection.adjusted(0, 0, -1, -1))
        chosen = self.chosen()
        if chosen is not None:
            label = f"{chosen.width} × {chosen.height} px"
            place = selection.bottomLeft() + QPoint(0, 6)
            if place.y() + 24 > self.height():
                place = selection.topLeft() - QPoint(0, 28)
            box = QRect(place, painter.fontMetrics().boundingRect(label).size() + LABEL_PADDING)
            painter.fillRect(box, QColor(0, 0, 0, 200))
            painter.setPen(QColor("white"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        painter.end()

    def _hint(self, painter: QPainter, text: str) -> None:
        painter.setPen(QColor("white"))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() is Qt.MouseButton.LeftButton:
            self._anchor = event.position().toPoint()
            self.selection = QRect(self._anchor, self._anchor)
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._anchor is not None:
            self.selection = _between(self._anchor, event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() is not Qt.MouseButton.LeftButton or self._anchor is None:
            return
        end = event.position().toPoint()
        moved = (end - self._anchor).manhattanLength()
        self._anchor = None
        if moved < MIN_DRAG:
            self.selection = self._screen_at(end)
        self._take()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape:
            self.cancel_requested.emit()
            self.close()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.selection is None or self.selection.isEmpty():
                self.selection = self._screen_at(self.mapFromGlobal(self.cursor().pos()))
            self._take()
            return
        steps = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        if key not in steps:
            super().keyPressEvent(event)
            return
        step = 10 if mods & Qt.KeyboardModifier.ControlModifier else 1
        dx, dy = steps[Qt.Key(key)]
        current = self.selection or QRect(self.width() // 4, self.height() // 4, 200, 150)
        if mods & Qt.KeyboardModifier.ShiftModifier:
            grown = current.adjusted(0, 0, dx * step, dy * step)
            if grown.width() >= 1 and grown.height() >= 1:
                current = grown
        else:
            current = current.translated(dx * step, dy * step)
        self.selection = current.intersected(self.rect())
        self.update()

    def _screen_at(self, point: QPoint) -> QRect:
        return next((s for s in self.screens if s.contains(point)), self.screens[0])

    def _take(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            return
        self.region_chosen.emit(chosen)
        self.close()


def _between(start: QPoint, end: QPoint) -> QRect:
    """The region a drag from `start` to `end` covers (`end` itself not included)."""
    left, top = min(start.x(), end.x()), min(start.y(), end.y())
    return QRect(left, top, abs(end.x() - start.x()), abs(end.y() - start.y()))


def _around(whole: QRect, hole: QRect) -> list[QRect]:
    """The parts of `whole` outside `hole` (four bands), which are dimmed."""
    top = QRect(whole.left(), whole.top(), whole.width(), hole.top() - whole.top())
    bottom = QRect(whole.left(), hole.bottom() + 1, whole.width(), whole.bottom() - hole.bottom())
    left = QRect(whole.left(), hole.top(), hole.left() - whole.left(), hole.height())
    right = QRect(hole.right() + 1, hole.top(), whole.right() - hole.right(), hole.height())
    return [r for r in (top, bottom, left, right) if not r.isEmpty()]
