"""The toolbar's boxes (profile, model, API mode, detail) and the conversations toggle, on two
toolbars that sit side by side. However narrow the window (800 px at 2× scale is 400 logical
px), no box hides behind »: the boxes drop their labels first, then the second toolbar wraps
onto a row of its own."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QMainWindow, QToolBar

SLACK = 12
"""Pixels kept free beside the toolbars' own hints (frames, the space between toolbars)."""


class ToolbarRows:
    """The two toolbars and their labels; `fit(width)` lays them out for a window that wide."""

    def __init__(self, window: QMainWindow, toggle: QAction) -> None:
        self.window = window
        self.first = self._bar("Conversation", "conversation-toolbar")
        self.second = self._bar("Request", "request-toolbar")
        self.first.setIconSize(QSize(16, 16))  # the toggle no taller than the boxes beside it
        self.first.addAction(toggle)
        button = self.first.widgetForAction(toggle)
        if button is not None:
            button.setAccessibleName(toggle.text().replace("&", ""))
        self.labels: list[QAction] = []
        self.profile_box = self._combo(self.first, "Profile", 12)
        self.model_box = self._combo(self.first, "Model", 12)
        self.model_box.setEditable(True)
        self.mode_box = self._combo(self.second, "API mode", 12, "Mode")
        self.detail_box = self._combo(self.second, "Detail", 6)
        self.wrapped = False
        """The second toolbar on a row of its own."""

    def _bar(self, title: str, name: str) -> QToolBar:
        bar = QToolBar(title, self.window)
        bar.setObjectName(name)
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setVisible(False)  # no context menu that hides a box
        self.window.addToolBar(bar)
        return bar

    def _combo(self, bar: QToolBar, name: str, chars: int, shown: str = "") -> QComboBox:
        """Combo boxes sized by characters, not pixels, so the rows fit at any scale."""
        label = QLabel(f" {shown or name}: ", bar)
        box = QComboBox(bar)
        box.setAccessibleName(name)
        box.setToolTip(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(chars)
        label.setBuddy(box)
        self.labels.append(bar.addWidget(label))
        bar.addWidget(box)
        return box

    @property
    def least(self) -> int:
        """The narrowest window whose toolbars show every box: two rows, no labels."""
        return max(self._width(bar, labelled=False) for bar in (self.first, self.second)) + SLACK

    @property
    def labelled(self) -> bool:
        return self.labels[0].isVisible()

    def fit(self, width: int) -> None:
        """The widest layout that fits: one row with labels, one row without, then two rows
        (with labels if they fit, else without)."""
        room = width - SLACK
        full = [self._width(bar, labelled=True) for bar in (self.first, self.second)]
        bare = [self._width(bar, labelled=False) for bar in (self.first, self.second)]
        layouts = (
            (False, True, sum(full)),
            (False, False, sum(bare)),
            (True, True, max(full)),
            (True, False, max(bare)),
        )
        wrapped, labelled = next(
            ((wrap, label) for wrap, label, needed in layouts if needed <= room), (True, False)
        )
        if (wrapped, labelled) == (self.wrapped, self.labelled):
            return
        focused = QApplication.focusWidget()
        for bar in (self.first, self.second):
            # Hidden while they change: a toolbar laid out at its old width for a moment
            # keeps its » button for good (Qt 6), though every box is in sight again.
            bar.hide()
        for action in self.labels:
            action.setVisible(labelled)
        self.wrapped = wrapped
        if wrapped:
            self.window.insertToolBarBreak(self.second)
        else:
            self.window.removeToolBarBreak(self.second)
        for bar in (self.first, self.second):
            bar.show()
        if focused is not None and focused.window() is self.window and not focused.hasFocus():
            focused.setFocus(Qt.FocusReason.OtherFocusReason)  # hiding took it away

    def _width(self, bar: QToolBar, *, labelled: bool) -> int:
        """What `bar` needs, with or without its labels, whichever it shows now."""
        layout = bar.layout()
        spacing = max(layout.spacing(), 0) if layout is not None else 0
        labels = [a for a in self.labels if bar.widgetForAction(a) is not None]
        extra = sum(self._label_width(bar, a) + spacing for a in labels)
        width = bar.sizeHint().width()
        if labelled and not self.labelled:
            return width + extra
        if not labelled and self.labelled:
            return width - extra
        return width

    @staticmethod
    def _label_width(bar: QToolBar, action: QAction) -> int:
        widget = bar.widgetForAction(action)
        return widget.sizeHint().width() if widget is not None else 0


class PanelIcon(QIconEngine):
    """A window with its side panel, drawn at whatever size and scale is asked for in the
    palette's colours of the moment (so it follows light and dark, and stays sharp at 2×)."""

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        palette = QGuiApplication.palette()
        disabled = mode is QIcon.Mode.Disabled
        group = QPalette.ColorGroup.Disabled if disabled else QPalette.ColorGroup.Normal
        colour = palette.color(group, QPalette.ColorRole.ButtonText)
        side = min(rect.width(), rect.height())
        frame = QRect(0, 0, side * 7 // 8, side * 3 // 4)
        frame.moveCenter(rect.center())
        pen = max(1, side // 12)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        outer = frame.adjusted(0, 0, 1, 1)
        painter.drawRoundedRect(outer, pen, pen)
        painter.setBrush(palette.color(group, QPalette.ColorRole.Button))
        panel = frame.width() * 3 // 8
        inner = QRect(outer.left() + panel, outer.top() + pen, 0, 0)
        inner.setBottomRight(QPoint(outer.right() - pen, outer.bottom() - pen))
        painter.drawRect(inner)
        if state is QIcon.State.Off:  # the panel shown hollow when the list is hidden
            hollow = QRect(outer.left() + pen, outer.top() + pen, panel - 2 * pen, inner.height())
            painter.drawRect(hollow)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return PanelIcon()
