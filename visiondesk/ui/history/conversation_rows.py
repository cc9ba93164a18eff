"""How a conversation's row in the sidebar reads: its first image as a small square, its title
(✎ first when it has instructions of its own) and when it was last used ("Today 14:02",
"Yesterday", "3 Mar"), painted in the palette's colours and sharp at any scale."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from visiondesk.ui.history.row_data import DATE_ROLE, PICTURE_ROLE, PICTURE_SIDE

PAD = 6
GAP = 8
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Fonts:
    title: QFont
    date: QFont
    title_metrics: QFontMetrics
    date_metrics: QFontMetrics


class RowDelegate(QStyledItemDelegate):
    """Paints a row: the picture, the title on the first line (elided), the date below it,
    muted. Selection, hover and focus are the style's own."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fonts: dict[str, Fonts] = {}

    def fonts(self, font: QFont) -> Fonts:
        """The title's and the date's fonts and metrics, made once per font (a paint of 15
        rows would otherwise make 60 metrics objects)."""
        key = font.key()
        if key not in self._fonts:
            small = _small(font)
            self._fonts[key] = Fonts(QFont(font), small, QFontMetrics(font), QFontMetrics(small))
        return self._fonts[key]

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        fonts = self.fonts(option.font)
        lines = fonts.title_metrics.height() + fonts.date_metrics.height()
        return QSize(option.rect.width(), max(PICTURE_SIDE, lines + 2) + 2 * PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        title = item.text
        item.text = ""  # the style draws the background, selection and focus; the rest is ours
        item.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        rect = QRect(option.rect).adjusted(PAD, PAD, -PAD, -PAD)
        painter.save()
        picture = QRect(rect.left(), rect.center().y() - PICTURE_SIDE // 2 + 1, PICTURE_SIDE, 0)
        picture.setHeight(PICTURE_SIDE)
        self._picture(painter, picture, index.data(PICTURE_ROLE), item.palette)
        text = rect.adjusted(PICTURE_SIDE + GAP, 0, 0, 0)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        colour = item.palette.color(role)
        fonts = self.fonts(item.font)
        title_height = fonts.title_metrics.height()
        block = title_height + fonts.date_metrics.height()
        top = text.top() + max(0, (text.height() - block) // 2)
        painter.setFont(fonts.title)
        painter.setPen(colour)
        elide = Qt.TextElideMode.ElideRight
        elided = fonts.title_metrics.elidedText(title, elide, text.width())
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        painter.drawText(QRect(text.left(), top, text.width(), title_height), flags, elided)
        painter.setFont(fonts.date)
        painter.setPen(colour if selected else _muted(colour))
        date = str(index.data(DATE_ROLE) or "")
        below = QRect(text.left(), top + title_height, text.width(), block - title_height)
        painter.drawText(below, flags, date)
        painter.restore()

    @staticmethod
    def _picture(painter: QPainter, rect: QRect, image: object, palette: QPalette) -> None:
        if isinstance(image, QImage) and not image.isNull():
            painter.drawImage(rect, image)  # its corners were rounded when it was decoded
        else:  # no image in this conversation: a quiet square keeps the titles in line
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(QRectF(rect), 4, 4)


def _small(font: QFont) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.88)
    else:
        small.setPixelSize(max(8, round(font.pixelSize() * 0.88)))
    return small


def _muted(text: QColor) -> QColor:
    """The date's colour: the text's at 70% (≥ 4.5:1 on light and dark bases)."""
    mixed = QColor(text)
    mixed.setAlphaF(0.7)
    return mixed
