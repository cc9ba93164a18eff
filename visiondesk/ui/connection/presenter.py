"""The connection presenter: the toolbar's profile, model, API mode and detail boxes and the
status line mirror the workspace's settings and its server's status; a person's choice in a box
(and only that: `activated`, never a programmatic change) becomes an intent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget

from visiondesk.domain import ApiMode, Detail
from visiondesk.ui.theme import apply_theme
from visiondesk.workspace import ConnectionStatus, ConversationSettings, Workspace

DETAILS = (Detail.AUTO, Detail.HIGH, Detail.LOW, Detail.ORIGINAL)
"""The detail box's order: the API's default first."""


class ConnectionWindow(Protocol):
    """What the presenter uses of the main window (which composes the features; a feature
    never imports it)."""

    @property
    def profile_box(self) -> QComboBox: ...
    @property
    def model_box(self) -> QComboBox: ...
    @property
    def mode_box(self) -> QComboBox: ...
    @property
    def detail_box(self) -> QComboBox: ...
    @property
    def connection_label(self) -> QLabel: ...
    def window(self) -> QWidget: ...


class ConnectionPresenter(QObject):
    def __init__(self, workspace: Workspace, window: ConnectionWindow) -> None:
        super().__init__(window.window())
        self.workspace = workspace
        self.window = window
        for mode in ApiMode:
            window.mode_box.addItem(mode.label, mode.value)
        for detail in DETAILS:
            window.detail_box.addItem(detail.value, detail.value)
        workspace.profiles_changed.connect(self._profiles)
        workspace.profiles_changed.connect(self._theme)  # Settings were saved
        workspace.settings_changed.connect(self._settings)
        workspace.status_changed.connect(self._status)
        window.profile_box.activated.connect(
            lambda index: workspace.select_profile(str(window.profile_box.itemData(index)))
        )
        window.mode_box.activated.connect(
            lambda index: workspace.set_mode(ApiMode(window.mode_box.itemData(index)))
        )
        window.detail_box.activated.connect(
            lambda index: workspace.set_detail(Detail(window.detail_box.itemData(index)))
        )
        window.model_box.activated.connect(
            lambda index: workspace.set_model(window.model_box.itemText(index))
        )
        line = window.model_box.lineEdit()
        if line is not None:
            line.editingFinished.connect(
                lambda: workspace.set_model(window.model_box.currentText())
            )
        self._profiles()
        self._settings(workspace.settings)
        self._status(workspace.status)
        self._theme()

    def _theme(self) -> None:
        """Light/dark as Settings say (the system's unless overridden)."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.workspace.app_settings.theme)

    def _profiles(self) -> None:
        box = self.window.profile_box
        box.blockSignals(True)
        box.clear()
        for key, profile in self.workspace.profiles.items():
            box.addItem(profile.name, key)
        box.blockSignals(False)
        self._settings(self.workspace.settings)

    def _settings(self, settings: ConversationSettings) -> None:
        w = self.window
        _select(w.profile_box, settings.profile_key)
        _select(w.mode_box, settings.mode.value)
        _select(w.detail_box, settings.detail.value)
        if w.model_box.currentText() != settings.model:
            w.model_box.blockSignals(True)
            if w.model_box.findText(settings.model) < 0:
                w.model_box.addItem(settings.model)
            w.model_box.setCurrentText(settings.model)
            w.model_box.blockSignals(False)

    def _status(self, status: ConnectionStatus) -> None:
        w = self.window
        w.connection_label.setText(status.text)
        model = self.workspace.settings.model
        w.model_box.blockSignals(True)
        w.model_box.clear()
        w.model_box.addItems(list(status.models) or [model])
        if w.model_box.findText(model) < 0:
            w.model_box.addItem(model)
        w.model_box.setCurrentText(model)
        w.model_box.blockSignals(False)
        self._show_modes(status.missing, status.unknown)

    def _show_modes(self, missing: Mapping[ApiMode, str], unknown: Mapping[ApiMode, str]) -> None:
        """Grey out the API modes the server lacks (the reason as tooltip); modes it failed on
        when asked stay selectable, with what it said."""
        box = self.window.mode_box
        items = box.model()
        for index in range(box.count()):
            item = items.item(index)  # type: ignore[attr-defined]
            mode = ApiMode(box.itemData(index))
            item.setEnabled(mode not in missing)
            item.setToolTip(missing.get(mode) or unknown.get(mode, ""))


def _select(box: QComboBox, value: str) -> None:
    index = box.findData(value)
    if index >= 0 and box.currentIndex() != index:
        box.blockSignals(True)
        box.setCurrentIndex(index)
        box.blockSignals(False)
