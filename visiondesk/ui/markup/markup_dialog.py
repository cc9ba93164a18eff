"""The mark-up editor: tools, colour and width (with the width the model will see), undo/redo,
delete and reset, over the canvas. Nothing changes on the attachment until Apply."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QColorDialog,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visiondesk.mark_edits import MarkHistory
from visiondesk.marks import MIN_SENT_WIDTH, Marks, RedactKind
from visiondesk.ui.markup.canvas import MarkupCanvas, Tool

COLOURS = {
    "Red": (230, 30, 30),
    "Yellow": (250, 200, 0),
    "Green": (20, 170, 60),
    "Blue": (30, 110, 230),
    "Black": (0, 0, 0),
    "White": (255, 255, 255),
}
REDACT_KINDS = {
    "Solid fill (safe for text)": RedactKind.SOLID,
    "Pixelate": RedactKind.PIXELATE,
    "Blur (can be reversed for text)": RedactKind.BLUR,
}


class MarkupDialog(QDialog):
    """Marks on one attachment, in its original pixels.

    Signals: `marks_requested(Marks)` — Apply: these are its marks now.
    """

    marks_requested = Signal(object)

    def __init__(
        self,
        picture: QImage,
        original: tuple[int, int],
        sent: tuple[int, int],
        marks: Marks,
        label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Mark up — {label}")
        self.resize(960, 720)
        self.sent = sent
        self.history = MarkHistory(marks)
        self.canvas = MarkupCanvas(picture, original, self.history)
        self.canvas.marks_changed.connect(self._changed)
        self.canvas.selection_changed.connect(self._changed)
        tools = QHBoxLayout()
        self.tool_buttons = QButtonGroup(self)
        for tool in Tool:
            button = QPushButton(tool.value, self)
            button.setCheckable(True)
            button.setChecked(tool is self.canvas.tool)
            button.setAccessibleName(f"{tool.value} tool")
            button.clicked.connect(lambda _=False, t=tool: self.choose(t))
            self.tool_buttons.addButton(button)
            tools.addWidget(button)
        tools.addStretch(1)
        options = QHBoxLayout()
        self.colour_box = QComboBox(self)
        self.colour_box.setAccessibleName("Colour")
        for name, rgb in COLOURS.items():
            self.colour_box.addItem(name, rgb)
            self.colour_box.setItemData(self.colour_box.count() - 1, QColor(*rgb), 1)  # swatch
        self.colour_box.currentIndexChanged.connect(self._colour)
        self.width_box = QSpinBox(self)
        self.width_box.setRange(1, 200)
        self.width_box.setValue(self.canvas.stroke_width)
        self.width_box.setAccessibleName("Stroke width in the picture's pixels")
        self.width_box.valueChanged.connect(self._width)
        self.sent_width = QLabel(self)
        self.kind_box = QComboBox(self)
        self.kind_box.setAccessibleName("How to redact")
        for name, kind in REDACT_KINDS.items():
            self.kind_box.addItem(name, kind)
        self.kind_box.currentIndexChanged.connect(self._kind)
        for widget in (QLabel("Colour", self), self.colour_box):
            options.addWidget(widget)
        self._button(options, "Other colour…", self.pick_colour)
        options.addWidget(QLabel("Width", self))
        options.addWidget(self.width_box)
        options.addWidget(self.sent_width)
        options.addWidget(QLabel("Redact:", self))
        options.addWidget(self.kind_box)
        options.addStretch(1)
        self.undo_button = self._button(options, "Undo", self.undo)
        self.redo_button = self._button(options, "Redo", self.redo)
        self.delete_button = self._button(options, "Delete", self.delete_selected)
        self.reset_button = self._button(options, "Reset to original", self.reset)
        ends = QHBoxLayout()
        self.caution = QLabel("", self)
        ends.addWidget(self.caution, 1)
        self._button(ends, "Cancel", self.reject)
        self.apply_button = self._button(ends, "Apply", self.apply)
        self.apply_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addLayout(options)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(ends)
        redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        redo_keys += [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]
        unique = {keys.toString(): keys for keys in redo_keys}  # one shortcut per key: no clash
        for keys in unique.values():
            QShortcut(keys, self, self.redo)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo)
        self._width(self.canvas.stroke_width)
        self._changed()
        self.canvas.setFocus()

    def _button(self, row: QHBoxLayout, text: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def choose(self, tool: Tool) -> None:
        self.canvas.tool = tool
        for button in self.tool_buttons.buttons():
            button.setChecked(button.text() == tool.value)
        self.canvas.setFocus()

    def _colour(self, index: int) -> None:
        self.canvas.colour = self.colour_box.itemData(index)

    def pick_colour(self) -> None:
        """Any colour, from Qt's colour dialog; it joins the swatches as "Chosen"."""
        picker = QColorDialog(QColor(*self.canvas.colour), self)
        picker.setWindowTitle("Mark colour")
        if not picker.exec():
            return
        chosen = picker.selectedColor()
        rgb = (chosen.red(), chosen.green(), chosen.blue())
        index = self.colour_box.findText("Chosen")
        if index < 0:
            self.colour_box.addItem("Chosen")
            index = self.colour_box.count() - 1
        self.colour_box.setItemData(index, rgb)
        self.colour_box.setItemData(index, chosen, 1)  # swatch
        self.colour_box.setCurrentIndex(index)
        self.canvas.colour = rgb

    def _kind(self, index: int) -> None:
        self.canvas.redact_kind = self.kind_box.itemData(index)
        self._changed()

    def _width(self, width: int) -> None:
        self.canvas.stroke_width = width
        scale = max(self.sent[0] / max(1, self.canvas.original[0]), 1e-9)
        as_sent = max(width * scale, MIN_SENT_WIDTH) if scale < 1 else width * scale
        self.sent_width.setText(f"{as_sent:.1f} px as sent")
        self.sent_width.setToolTip(
            f"The model gets the picture at {self.sent[0]}×{self.sent[1]}: strokes are drawn "
            f"at least {MIN_SENT_WIDTH} px wide in it"
        )

    def _changed(self) -> None:
        history = self.history
        self.undo_button.setEnabled(history.can_undo)
        self.redo_button.setEnabled(history.can_redo)
        self.reset_button.setEnabled(bool(history.marks))
        self.delete_button.setEnabled(self.canvas.selected is not None)
        blurred = any(r.kind is RedactKind.BLUR for r in history.marks.redactions)
        self.caution.setText(
            "Blur can be reversed for text: use a solid fill to hide text." if blurred else ""
        )
        self.canvas.update()

    def undo(self) -> None:
        self.history.undo()
        self.canvas.select(None)
        self._changed()

    def redo(self) -> None:
        self.history.redo()
        self._changed()

    def delete_selected(self) -> None:
        if self.canvas.selected is not None:
            self.history.remove_at(self.canvas.selected)
            self.canvas.select(None)
            self._changed()

    def reset(self) -> None:
        """Every mark gone (undoable until Apply)."""
        self.history.push(Marks())
        self.canvas.select(None)
        self._changed()

    def apply(self) -> None:
        self.marks_requested.emit(self.history.marks)
        self.accept()
