"""The mark-up canvas: the upright picture fitted to the widget, the marks drawn over it with
QPainter (close to what Pillow draws into the image sent), and the mouse and keys that edit
them. Coordinates held are original pixels; the canvas scales only to draw and to read the
mouse."""

from __future__ import annotations

import math
from enum import Enum

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QInputDialog, QWidget

from visiondesk.mark_edits import MarkHistory, bounds, hit, moved, next_callout, resized
from visiondesk.marks import (
    Arrow,
    Callout,
    Colour,
    Ellipse,
    Mark,
    Marks,
    Pen,
    Point,
    Rectangle,
    Redact,
    RedactKind,
    Text,
)


class Tool(Enum):
    SELECT = "Select"
    ARROW = "Arrow"
    RECTANGLE = "Rectangle"
    ELLIPSE = "Ellipse"
    PEN = "Pen"
    CALLOUT = "Callout"
    TEXT = "Text"
    REDACT = "Redact"


class MarkupCanvas(QWidget):
    """Draws and edits the marks of one picture.

    Signals: `marks_changed()` — an edit (the history holds the new marks); `selection_changed()`.
    """

    marks_changed = Signal()
    selection_changed = Signal()

    def __init__(self, picture: QImage, original: tuple[int, int], history: MarkHistory) -> None:
        super().__init__()
        self.picture = picture
        self.original = original
        self.history = history
        self.tool = Tool.RECTANGLE
        self.colour: Colour = (230, 30, 30)
        self.stroke_width = 4
        self.redact_kind = RedactKind.SOLID
        self.selected: int | None = None
        self._start: Point | None = None
        self._last: Point | None = None
        self._draft: Mark | None = None
        self._dragging = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 240)
        self.setAccessibleName("Picture to mark up")

    # Geometry: the picture fitted, centred; `scale` is widget px per original px.
    def _fit(self) -> tuple[float, QPointF]:
        w, h = self.original
        scale = min(self.width() / max(1, w), self.height() / max(1, h))
        offset = QPointF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2)
        return scale, offset

    def to_original(self, point: QPoint | QPointF) -> Point:
        scale, offset = self._fit()
        x = (point.x() - offset.x()) / scale
        y = (point.y() - offset.y()) / scale
        return (
            max(0, min(self.original[0], round(x))),
            max(0, min(self.original[1], round(y))),
        )

    def to_widget(self, point: Point) -> QPointF:
        scale, offset = self._fit()
        return QPointF(offset.x() + point[0] * scale, offset.y() + point[1] * scale)

    # Painting.
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale, offset = self._fit()
        target = QRectF(offset.x(), offset.y(), self.original[0] * scale, self.original[1] * scale)
        painter.drawImage(target, self.picture)
        marks = list(self.history.marks.items)
        if self._draft is not None:
            marks.append(self._draft)
        for mark in marks:
            self._paint(painter, mark, scale)
        if self.selected is not None and self.selected < len(self.history.marks.items):
            left, top, right, bottom = bounds(self.history.marks.items[self.selected])
            a, b = self.to_widget((left, top)), self.to_widget((right, bottom))
            painter.setPen(QPen(QColor(30, 140, 255), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(a, b).adjusted(-4, -4, 4, 4))
        painter.end()

    def _paint(self, painter: QPainter, mark: Mark, scale: float) -> None:
        if isinstance(mark, Redact):
            a, b = self.to_widget(mark.box[:2]), self.to_widget(mark.box[2:])
            brush = QBrush(QColor(*mark.colour))
            if mark.kind is not RedactKind.SOLID:
                brush = QBrush(QColor(90, 90, 90), Qt.BrushStyle.DiagCrossPattern)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.fillRect(QRectF(a, b), brush)
            return
        colour = QColor(*mark.colour)
        pen = QPen(colour, max(1.0, mark.width * scale))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if isinstance(mark, Rectangle | Ellipse):
            rect = QRectF(self.to_widget(mark.box[:2]), self.to_widget(mark.box[2:])).normalized()
            if isinstance(mark, Rectangle):
                painter.drawRect(rect)
            else:
                painter.drawEllipse(rect)
        elif isinstance(mark, Arrow):
            start, end = self.to_widget(mark.start), self.to_widget(mark.end)
            painter.drawLine(start, end)
            angle = math.atan2(end.y() - start.y(), end.x() - start.x())
            head = mark.width * 4 * scale
            wings = [
                QPointF(end.x() - head * math.cos(angle + s), end.y() - head * math.sin(angle + s))
                for s in (0.45, -0.45)
            ]
            painter.setBrush(colour)
            painter.drawPolygon(QPolygonF([end, *wings]))
        elif isinstance(mark, Pen):
            points = [self.to_widget(p) for p in mark.points]
            painter.drawPolyline(QPolygonF(points))
        elif isinstance(mark, Callout):
            centre, radius = self.to_widget(mark.point), mark.width * 4 * scale
            painter.setBrush(colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(centre, radius, radius)
            painter.setPen(QColor("white"))
            font = painter.font()
            font.setPixelSize(max(6, round(radius * 1.2)))
            painter.setFont(font)
            box = QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(mark.number))
        elif isinstance(mark, Text):
            font = painter.font()
            font.setPixelSize(max(6, round(mark.width * 5 * scale)))
            painter.setFont(font)
            at = self.to_widget(mark.point)
            painter.drawText(QPointF(at.x(), at.y() + font.pixelSize()), mark.text)

    # Editing with the mouse.
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() is not Qt.MouseButton.LeftButton:
            return
        self.setFocus()
        point = self.to_original(event.position())
        self._start = self._last = point
        self._dragging = False
        if self.tool is Tool.SELECT:
            scale, _ = self._fit()
            self.select(hit(self.history.marks, point, 6 / max(scale, 1e-6)))
        elif self.tool is Tool.CALLOUT:
            number = next_callout(self.history.marks)
            self._add(Callout(number, point, self.colour, self.stroke_width))
            self._start = None
        elif self.tool is Tool.TEXT:
            self._start = None
            text, ok = QInputDialog.getText(self, "Text", "Text to put on the picture:")
            if ok and text.strip():
                self._add(Text(point, text.strip()[:500], self.colour, self.stroke_width))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._start is None:
            return
        point = self.to_original(event.position())
        if self.tool is Tool.SELECT:
            if self.selected is not None and self._last is not None:
                self._draft = None
                mark = self.history.marks.items[self.selected]
                dx, dy = point[0] - self._last[0], point[1] - self._last[1]
                if dx or dy:
                    items = list(self.history.marks.items)
                    items[self.selected] = moved(mark, dx, dy)
                    if self._dragging:  # the same drag: still one undo step
                        self.history.amend(Marks(tuple(items)))
                    else:
                        self.history.push(Marks(tuple(items)))
                        self._dragging = True
                    self.marks_changed.emit()
            self._last = point
        else:
            self._draft = self._shape(self._start, point, self._draft)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() is not Qt.MouseButton.LeftButton or self._start is None:
            return
        point = self.to_original(event.position())
        if self.tool is not Tool.SELECT:
            mark = self._shape(self._start, point, self._draft)
            self._draft = None
            if mark is not None and _has_size(mark):
                self._add(mark)
        self._start = None
        self.update()

    def _shape(self, start: Point, end: Point, draft: Mark | None) -> Mark | None:
        box = (
            min(start[0], end[0]),
            min(start[1], end[1]),
            max(start[0], end[0]),
            max(start[1], end[1]),
        )
        c, w = self.colour, self.stroke_width
        match self.tool:
            case Tool.ARROW:
                return Arrow(start, end, c, w)
            case Tool.RECTANGLE:
                return Rectangle(box, c, w)
            case Tool.ELLIPSE:
                return Ellipse(box, c, w)
            case Tool.REDACT:
                return Redact(box, self.redact_kind)
            case Tool.PEN:
                points = draft.points if isinstance(draft, Pen) else (start,)
                return Pen((*points, end), c, w)
        return None

    def _add(self, mark: Mark) -> None:
        self.history.add(mark)
        self.select(len(self.history.marks.items) - 1)
        self.marks_changed.emit()
        self.update()

    def select(self, index: int | None) -> None:
        if index != self.selected:
            self.selected = index
            self.selection_changed.emit()
        self.update()

    # Editing by keyboard.
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        count = len(self.history.marks.items)
        if key == Qt.Key.Key_Tab and count:
            self.select(0 if self.selected is None else (self.selected + 1) % count)
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected is not None:
            self.history.remove_at(self.selected)
            self.select(None)
            self.marks_changed.emit()
            return
        steps = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        if key in steps and self.selected is not None:
            step = 10 if mods & Qt.KeyboardModifier.ControlModifier else 1
            dx, dy = steps[Qt.Key(key)]
            mark = self.history.marks.items[self.selected]
            edit = resized if mods & Qt.KeyboardModifier.ShiftModifier else moved
            self.history.replace_at(self.selected, edit(mark, dx * step, dy * step))
            self.marks_changed.emit()
            self.update()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab cycles through the marks while there are any (Esc and the buttons stay reachable
        with Ctrl+Tab / the mnemonic keys)."""
        return False if self.history.marks.items else super().focusNextPrevChild(next)


def _has_size(mark: Mark) -> bool:
    left, top, right, bottom = bounds(mark)
    return right - left >= 2 or bottom - top >= 2
