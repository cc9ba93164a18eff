"""The capture overlay: one per screen, each showing its frozen screen dimmed; the person drags
a region (its size in pixels beside it), clicks a window or works by keyboard, and the pixels
come from the frozen grab, so what lands is exactly what was on the screen when Capture was
pressed.

Geometry: an overlay covers its screen in logical pixels; its frozen image is in that screen's
physical pixels. The screen's own ratio maps the two, so screens of mixed scales (a 2× laptop
beside a 1× monitor) are each exact. A region stays on the screen where the drag began.
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
"""A press and release closer than this (logical px) is a click: the window under it."""
HINT = "Drag a region · click a window (Tab: next) · Enter: take · Esc: cancel"


class CaptureOverlay(QWidget):
    """A frameless window over one screen showing `frozen` (that screen's pixels) dimmed.

    Signals: `region_chosen(Rect)` — the chosen part, in physical pixels of `frozen`;
    `cancel_requested()` — Esc. The window under the pointer is outlined; a click takes it
    (where no window is, the screen). Keys: Enter takes the selection (or the outlined window,
    or the screen), Tab / Shift+Tab select the next / previous window, arrows move the
    selection by 1 px (Ctrl: 10), Shift+arrows resize it.
    """

    region_chosen = Signal(object)
    cancel_requested = Signal()

    def __init__(self, frozen: QImage, place: QRect, windows: list[Rect] | None = None) -> None:
        super().__init__(
            None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("VisionDesk — capture")
        self.setAccessibleName("Capture: drag a region, Enter takes it, Esc cancels")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.frozen = frozen
        self.place = place
        """The screen's geometry on Qt's (logical) desktop."""
        self.setGeometry(place)
        self.windows = [self._logical(window) for window in windows or []]
        """The windows' parts on this screen in the overlay's logical pixels, topmost first."""
        self.selection: QRect | None = None
        """The region in the overlay's logical pixels."""
        self.hovered: QRect | None = None
        """The window under the pointer, outlined until a drag begins."""
        self._anchor: QPoint | None = None
        self._cycled = -1

    @property
    def ratio(self) -> float:
        """Physical pixels per logical pixel."""
        return self.frozen.width() / max(1, self.place.width())

    def _logical(self, window: Rect) -> QRect:
        r = self.ratio
        left, top = int(window.x / r), int(window.y / r)
        right, bottom = round(window.right / r), round(window.bottom / r)
        return QRect(left, top, right - left, bottom - top).intersected(
            QRect(0, 0, self.place.width(), self.place.height())
        )

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab select windows (keyPressEvent), not focus: nothing here takes it."""
        return False

    def window_at(self, point: QPoint) -> QRect | None:
        """The topmost window under `point` (logical, the overlay's own coordinates)."""
        return next((window for window in self.windows if window.contains(point)), None)

    def chosen(self) -> Rect | None:
        """The selection in physical pixels of `frozen`, or None."""
        return self._physical(self.selection)

    def _physical(self, selection: QRect | None) -> Rect | None:
        if selection is None or selection.isEmpty():
            return None
        r, s = self.ratio, selection
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
            if self.hovered is None:
                painter.fillRect(self.rect(), DIM)
                self._hint(painter, HINT)
                return
            selection = self.hovered
        for part in _around(self.rect(), selection):
            painter.fillRect(part, DIM)
        painter.setPen(QPen(ACCENT, 2))
        painter.drawRect(selection.adjusted(0, 0, -1, -1))
        chosen = self._physical(selection)
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
        point = event.position().toPoint()
        if self._anchor is not None:
            self.selection = _between(self._anchor, point)
            self.update()
        elif self.selection is None:
            hovered = self.window_at(point)
            if hovered != self.hovered:
                self.hovered = hovered
                self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() is not Qt.MouseButton.LeftButton or self._anchor is None:
            return
        end = event.position().toPoint()
        moved = (end - self._anchor).manhattanLength()
        self._anchor = None
        if moved < MIN_DRAG:
            self.selection = self.window_at(end) or self.rect()
        self._take()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape:
            self.cancel_requested.emit()
            self.close()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.selection is None or self.selection.isEmpty():
                under = self.window_at(self.mapFromGlobal(self.cursor().pos()))
                self.selection = self.hovered or under or self.rect()
            self._take()
            return
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self.windows:
            step = -1 if key == Qt.Key.Key_Backtab else 1
            self._cycled = (self._cycled + step) % len(self.windows)
            self.selection = QRect(self.windows[self._cycled])
            self.update()
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
