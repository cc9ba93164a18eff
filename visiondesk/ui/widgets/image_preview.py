"""A large preview of what will be sent, with zoom, pan and fit; drawing a rectangle crops the
attachment to that region (the crop is then prepared at full quality from the original). The
picture drags out as a file while it is all in view (zoomed in, dragging pans it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.ui.widgets.crop_tool import CropFrame
from visiondesk.ui.widgets.image_actions import COPY, SAVE, copy_image, save_image_as
from visiondesk.ui.widgets.image_drag import ImageDrag

if TYPE_CHECKING:
    from visiondesk.domain import PreparedImage

Crop = tuple[int, int, int, int]


class ZoomView(QGraphicsView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAccessibleName("Preview")

    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.25 if event.angleDelta().y() > 0 else 0.8
        self.scale(factor, factor)


class PreviewDialog(QDialog):
    """What will be sent, large. Signals: `crop_requested(crop)` — in upright original pixels,
    or None for the whole image again; `markup_requested()` — open the mark-up editor."""

    crop_requested = Signal(object)
    markup_requested = Signal()

    def __init__(
        self, image: PreparedImage, current_crop: Crop | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Preview — {image.label}")
        self.resize(900, 700)
        self.image = image
        self.current_crop = current_crop
        self.selection: QRectF | None = None
        self.scene = QGraphicsScene(self)
        picture = QImage.fromData(image.data)
        self.item = QGraphicsPixmapItem(QPixmap.fromImage(picture))
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene.addItem(self.item)
        self.crop_frame = CropFrame(self.item.boundingRect(), self._selected)
        self.scene.addItem(self.crop_frame)
        self.view = ZoomView(self)
        self.view.setScene(self.scene)
        self.view.rubberBandChanged.connect(self._rubber_band)
        self.view.setToolTip("Drag the picture out to save it as a file")
        self.drag = ImageDrag(
            self.view.viewport(), lambda: self.image, allowed=self._drags_out, claim_press=True
        )
        self.info = QLabel(self._describe(), self)
        buttons = QHBoxLayout()
        self.crop_button = self._button(buttons, "Crop (draw a rectangle)", self._toggle_crop)
        self.crop_button.setCheckable(True)
        self.apply_button = self._button(buttons, "Apply crop", self._apply)
        self.apply_button.setEnabled(False)
        reset = self._button(buttons, "Use the whole image", self._reset)
        reset.setEnabled(current_crop is not None)
        self._button(buttons, "Mark up…", self._mark_up)
        buttons.addStretch(1)
        self._button(buttons, "Zoom in", lambda: self.view.scale(1.25, 1.25))
        self._button(buttons, "Zoom out", lambda: self.view.scale(0.8, 0.8))
        self._button(buttons, "100%", self.view.resetTransform)
        self._button(buttons, "Fit", self.fit)
        self._button(buttons, COPY, self.copy_image)
        self._button(buttons, SAVE, self.save_image)
        self._button(buttons, "Close", self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self.view.scale(1.25, 1.25))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self.view.scale(0.8, 0.8))

    def copy_image(self) -> None:
        """The picture as it will be sent, onto the clipboard."""
        copy_image(self.image)

    def save_image(self) -> Path | None:
        """The bytes that will be sent, in their own format, where the person chooses."""
        path, said = save_image_as(self.image, self)
        if said:
            self.info.setText(said)
        return path

    def _drags_out(self, pressed: QPoint) -> bool:
        """A press on the picture drags it out unless dragging does something else here:
        drawing a crop, or panning a picture larger than the view."""
        view = self.view
        if self.crop_button.isChecked():
            return False
        bars = (view.horizontalScrollBar(), view.verticalScrollBar())
        if any(bar.maximum() > bar.minimum() for bar in bars):
            return False
        return self.item.sceneBoundingRect().contains(view.mapToScene(pressed))

    def _button(self, row: QHBoxLayout, text: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def _describe(self) -> str:
        image = self.image
        text = f"What the model sees: {image.width}×{image.height}, detail {image.detail}"
        if self.current_crop:
            left, top, right, bottom = self.current_crop
            text += f" — cropped to {right - left}×{bottom - top} of the original"
        return text

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit()

    def fit(self) -> None:
        self.view.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)

    def _toggle_crop(self, checked: bool) -> None:
        """Crop mode draws rectangles; leaving it clears the one drawn."""
        mode = QGraphicsView.DragMode
        self.view.setDragMode(mode.RubberBandDrag if checked else mode.ScrollHandDrag)
        if not checked:
            self.crop_frame.hide()
            self.selection = None
            self.apply_button.setEnabled(False)

    def _rubber_band(self, viewport_rect: QRect, scene_from: object, scene_to: object) -> None:
        if viewport_rect.isNull():
            return  # the drag ended: the frame stays where it was drawn
        self.crop_frame.place(self.view.mapToScene(viewport_rect).boundingRect())

    def _selected(self, rect: QRectF) -> None:
        self.selection = rect
        self.apply_button.setEnabled(rect.width() >= 4 and rect.height() >= 4)

    def crop_for(self, rect: QRectF) -> Crop:
        """Map a rectangle on the shown (sent) picture to pixels of the upright original."""
        image = self.image
        base_left, base_top = (self.current_crop or (0, 0, 0, 0))[:2]
        if self.current_crop:
            width = self.current_crop[2] - self.current_crop[0]
            height = self.current_crop[3] - self.current_crop[1]
        else:
            width, height = image.original_width or 1, image.original_height or 1
        sx, sy = width / (image.width or 1), height / (image.height or 1)
        return (
            base_left + round(rect.left() * sx),
            base_top + round(rect.top() * sy),
            base_left + round(rect.right() * sx),
            base_top + round(rect.bottom() * sy),
        )

    def _mark_up(self) -> None:
        self.accept()
        self.markup_requested.emit()

    def _apply(self) -> None:
        if self.selection is not None:
            self.crop_requested.emit(self.crop_for(self.selection))
            self.accept()

    def _reset(self) -> None:
        self.crop_requested.emit(None)
        self.accept()
