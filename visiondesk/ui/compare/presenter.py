"""File → Compare models…: the columns in place of the transcript while a compare is open. The
presenter mirrors `workspace.compare` into the view and sends the view's intents back; the
composer's Send and Stop reach the columns through the workspace."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QBoxLayout, QMenu, QWidget

from visiondesk.compare import ColumnSpec
from visiondesk.ui.compare.compare_view import CompareView
from visiondesk.ui.compare.headers import header_for
from visiondesk.ui.compare.setup_dialog import CompareSetupDialog
from visiondesk.ui.theme import colours, is_dark
from visiondesk.workspace import Workspace
from visiondesk.workspace.transcript import Notice

RENDER_INTERVAL_MS = 50
"""Streamed text is drawn at most this often per column (as the transcript does)."""


class CompareWindow(Protocol):
    """What the presenter uses of the main window."""

    @property
    def transcript(self) -> QWidget: ...
    @property
    def find_bar(self) -> QWidget: ...
    @property
    def batch_action(self) -> QAction: ...
    @property
    def find_action(self) -> QAction: ...
    @property
    def model_box(self) -> QWidget: ...
    @property
    def mode_box(self) -> QWidget: ...
    @property
    def detail_box(self) -> QWidget: ...
    def focus_composer(self) -> None: ...
    def window(self) -> QWidget: ...


class ComparePresenter(QObject):
    def __init__(self, workspace: Workspace, window: CompareWindow) -> None:
        super().__init__(window.window())
        self.workspace = workspace
        self.window = window
        self.owner = window.window()
        self.compare = workspace.compare
        column = window.transcript.parentWidget()
        assert column is not None
        self.view = CompareView(column)
        self.view.hide()
        layout = column.layout()
        assert isinstance(layout, QBoxLayout)
        layout.insertWidget(layout.indexOf(window.transcript) + 1, self.view, 1)
        self.action = QAction("Co&mpare models…", self.owner)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.action.setToolTip("Ask the same question through 2–4 models, modes or details")
        self.action.triggered.connect(self.open_setup)
        self.owner.addAction(self.action)
        for menu in window.batch_action.associatedObjects():  # the File menu, after Batch…
            if isinstance(menu, QMenu):
                actions = menu.actions()
                after = actions.index(window.batch_action) + 1
                if after < len(actions):
                    menu.insertAction(actions[after], self.action)
                else:
                    menu.addAction(self.action)
        self.dialog: CompareSetupDialog | None = None
        self._dirty: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_INTERVAL_MS)
        self._timer.timeout.connect(self._render_dirty)
        self.compare.columns_changed.connect(self._columns_changed)
        self.compare.column_changed.connect(self._column_changed)
        self.compare.text_appended.connect(self._appended)
        view = self.view
        view.end_requested.connect(self.compare.end)
        view.stop_requested.connect(self.compare.stop_column)
        view.retry_requested.connect(self.compare.retry)
        view.close_requested.connect(self.compare.close_column)
        view.pick_requested.connect(self._pick)
        view.keep_requested.connect(self.compare.keep)
        view.regenerate_requested.connect(self.compare.regenerate)
        workspace.transcript.added.connect(self._added)

    def open_setup(self) -> CompareSetupDialog:
        """The dialog that chooses the columns; Compare opens them (the draft stays)."""
        ws = self.workspace
        settings = ws.settings
        first = (settings.profile_key, ColumnSpec(settings.model, settings.mode, settings.detail))
        models = list(dict.fromkeys([settings.model, *ws.status.models]))
        dialog = CompareSetupDialog(ws.profiles, models, first, self.owner)
        dialog.accepted.connect(lambda: self._chosen(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _chosen(self, dialog: CompareSetupDialog) -> None:
        self.compare.start(dialog.columns, blind=dialog.blind)
        self.window.focus_composer()

    def _columns_changed(self) -> None:
        active = self.compare.active
        self.view.setVisible(active)
        self.window.transcript.setVisible(not active)
        self.view.notice.hide()
        self.window.find_action.setEnabled(not active)  # it finds in the hidden transcript
        if active:
            self.window.find_bar.hide()
        # Each column has its own model, mode and detail: the toolbar's are the conversation's.
        for box in (self.window.model_box, self.window.mode_box, self.window.detail_box):
            box.setEnabled(not active)
            box.setToolTip(
                "Each compare column has its own; End compare to change the conversation's"
                if active
                else box.accessibleName()
            )
        self.view.set_count(len(self.compare.columns))
        self._dirty.clear()
        for place in range(len(self.compare.columns)):
            self._render(place)
        self._summary()

    def _column_changed(self, place: int) -> None:
        self._dirty.discard(place)
        if self.compare.hidden:  # whether a pick may be made depends on every column
            for each in range(len(self.compare.columns)):
                self._render(each)
        else:
            self._render(place)
        self._summary()

    def _appended(self, place: int, _text: str) -> None:
        self._dirty.add(place)
        if not self._timer.isActive():
            self._timer.start()

    def _render_dirty(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for place in sorted(dirty):
            self._render(place)

    def _render(self, place: int) -> None:
        if place >= len(self.compare.columns) or place >= len(self.view.columns):
            return
        dark = is_dark(self.view.palette())
        self.view.columns[place].show_column(
            self.compare.columns[place], header_for(self.compare, place), colours(dark), dark
        )

    def _added(self, item: object) -> None:
        """A notice while the compare hides the transcript shows above the columns too."""
        if self.compare.active and isinstance(item, Notice):
            self.view.notice.setText(item.text)
            self.view.notice.show()

    def _pick(self, place: int) -> None:
        self.compare.pick(place)
        self._summary()

    def _summary(self) -> None:
        compare = self.compare
        count = len(compare.columns)
        text = (
            f"Comparing {count} columns: Send asks them all, each in its own conversation."
            if count
            else ""
        )
        if compare.hidden:
            text += (
                " Blind: pick the better answer to see which column is which."
                if compare.can_pick
                else " Blind: the columns are named once you have picked the better answer."
            )
        self.view.summary.setText(text)
        tally = compare.tally() if compare.blind and not compare.hidden else []
        self.view.tally.setText("Your picks so far: " + "; ".join(tally) + "." if tally else "")
        self.view.tally.setVisible(bool(tally))
