"""The crop tool of the image preview: a rectangle drawn over the picture, with corner handles
to resize it, kept within the picture until applied or cleared."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem


class _Handle(QGraphicsRectItem):
    """A corner of the crop frame: drag it to resize the frame (same size at any zoom)."""

    SIZE = 10.0

    def __init__(self, frame: CropFrame) -> None:
        half = self.SIZE / 2
        super().__init__(-half, -half, self.SIZE, self.SIZE, frame)
        self.frame = frame
        self.setBrush(QColor("white"))
        self.setPen(QPen(QColor(30, 110, 220), 1.5))
        flags = QGraphicsItem.GraphicsItemFlag
        self.setFlag(flags.ItemIgnoresTransformations)
        self.setFlag(flags.ItemIsMovable)
        self.setFlag(flags.ItemSendsGeometryChanges)
        self.setCursor(Qt.CursorShape.SizeAllCursor)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change is QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.frame.corner_moved(self)
        return super().itemChange(change, value)


class CropFrame(QGraphicsRectItem):
    """The crop rectangle: it stays drawn, with corner handles, until applied or cleared."""

    def __init__(self, bounds: QRectF, changed: Callable[[QRectF], None]) -> None:
        super().__init__()
        self.bounds = bounds
        self.changed = changed
        pen = QPen(QColor(30, 110, 220), 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(QColor(30, 110, 220, 40))
        self.handles = [_Handle(self) for _ in range(4)]
        self._placing = False
        self.setZValue(1)
        self.hide()

    def place(self, rect: QRectF) -> None:
        """Show the frame on `rect` (within the picture), its handles on the corners."""
        rect = rect.normalized().intersected(self.bounds)
        self.setRect(rect)
        self._placing = True
        corners = (rect.topLeft(), rect.topRight(), rect.bottomRight(), rect.bottomLeft())
        for handle, corner in zip(self.handles, corners, strict=True):
            handle.setPos(corner)
        self._placing = False
        self.show()
        self.changed(rect)

    def corner_moved(self, handle: _Handle) -> None:
        if self._placing:
            return
        index = self.handles.index(handle)
        opposite = self.handles[(index + 2) % 4].pos()
        self.place(QRectF(handle.pos(), opposite))
