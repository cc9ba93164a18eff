"""The conversation list gives way first when the window narrows: below its own width plus
room for the question and the transcript it folds away, and it comes back when the window
widens again — unless the person hid it (View → Conversations, F9, or the toolbar's toggle)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QSplitter, QWidget

MAIN_ROOM = 420
"""Logical pixels the transcript and the question keep beside the list before it folds."""


class SidebarFold:
    """Shows and hides `sidebar` (the first widget of `splitter`) as `fit(width)` and the
    person's `toggle` say; `toggle` is checked while the list is in sight."""

    def __init__(
        self, splitter: QSplitter, sidebar: QWidget, toggle: QAction, away: QWidget
    ) -> None:
        self.splitter = splitter
        self.away = away
        """Where the focus goes when the list folds away under it (the question)."""
        self.sidebar = sidebar
        self.toggle = toggle
        self.hidden_by_person = False
        """The person hid the list: widening the window leaves it hidden."""
        self._roomy: bool | None = None
        self._width = sidebar.minimumWidth()
        toggle.setCheckable(True)
        toggle.setChecked(True)
        toggle.triggered.connect(self._chosen)

    @property
    def width(self) -> int:
        """The list's width when in sight in a wide window (kept while it is folded away, or
        shown at its narrowest in a narrow window)."""
        if self._roomy is not False and self.sidebar.isVisibleTo(self.splitter):
            sizes = self.splitter.sizes()
            if sizes and sizes[0] > 0:
                self._width = max(sizes[0], self.sidebar.minimumWidth())
        return self._width

    def fit(self, width: int) -> None:
        """Fold the list away when the window became too narrow for it, bring it back when
        it became wide enough (unless the person hid it)."""
        roomy = width >= self.width + self.splitter.handleWidth() + MAIN_ROOM
        if roomy == self._roomy:
            return
        self._roomy = roomy
        self._show(roomy and not self.hidden_by_person)

    def show(self) -> None:
        """The person asked for the list (its toggle, or Ctrl+K to search it)."""
        self._chosen(True)

    def hide(self) -> None:
        """The person hid the list (last time, as the window remembers)."""
        self._chosen(False)

    def _chosen(self, checked: bool) -> None:
        self.hidden_by_person = not checked
        self._show(checked)
        if checked and self._roomy is False:  # asked for in a narrow window: at its narrowest
            total = sum(self.splitter.sizes())
            narrowest = self.sidebar.minimumWidth()
            self.splitter.setSizes([narrowest, max(total - narrowest, 0)])

    def _show(self, shown: bool) -> None:
        focused = QApplication.focusWidget()
        if not shown:
            _ = self.width  # its width, kept for when it comes back
        self.sidebar.setVisible(shown)
        if not shown and focused is not None and self.sidebar.isAncestorOf(focused):
            self.away.setFocus(Qt.FocusReason.OtherFocusReason)
        self.toggle.setChecked(shown)
