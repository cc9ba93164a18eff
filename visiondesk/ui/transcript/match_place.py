"""Where in a rich-text label a find's current match is drawn, so the transcript can scroll
that line (not just its message, which may be taller than the view) into sight."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtWidgets import QLabel


def match_line(label: QLabel, background: str) -> tuple[int, int] | None:
    """The top and height (in the label) of the first line with text on `background`, laid
    out as the label lays it out; None if the label has none."""
    if label.textFormat() is not Qt.TextFormat.RichText:
        return None
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)
    document.setHtml(label.text())
    document.setTextWidth(max(1, label.contentsRect().width()))
    colour = QColor(background)
    block = document.begin()
    while block.isValid():
        pieces = block.begin()
        while not pieces.atEnd():
            fragment = pieces.fragment()
            brush = fragment.charFormat().background()
            if brush.style() is not Qt.BrushStyle.NoBrush and brush.color() == colour:
                line = block.layout().lineForTextPosition(fragment.position() - block.position())
                top = document.documentLayout().blockBoundingRect(block).top()
                if line.isValid():
                    return int(top + line.y()), int(line.height())
                return int(top), label.fontMetrics().height()
            pieces += 1
        block = block.next()
    return None
