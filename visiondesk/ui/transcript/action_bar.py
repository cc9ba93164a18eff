"""A message's flat action buttons (Copy, Edit, Regenerate, …): an icon from the desktop's
theme where it has one, else the label; all keep their place when hidden."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from visiondesk.ui.transcript.actions import TranscriptAction

_ICONS = {
    TranscriptAction.COPY: "edit-copy",
    TranscriptAction.INSPECT: "document-properties",
    TranscriptAction.RETRY: "view-refresh",
    TranscriptAction.REGENERATE: "view-refresh",
    TranscriptAction.EDIT: "document-edit",
    TranscriptAction.OPEN_SETTINGS: "preferences-system",
}


class ActionBar(QWidget):
    """Signals: `action_requested(TranscriptAction)`."""

    action_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.buttons: dict[TranscriptAction, QToolButton] = {}
        self._shown: list[tuple[TranscriptAction, str]] = []
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # showing them never moves the text
        self.setSizePolicy(policy)

    def show_actions(self, actions: list[tuple[TranscriptAction, str]]) -> None:
        if actions == self._shown:
            return
        self._shown = list(actions)
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons.clear()
        for action, label in actions:
            button = QToolButton(self)
            icon = QIcon.fromTheme(_ICONS.get(action, ""))
            if icon.isNull():
                button.setText(label)
            else:
                button.setIcon(icon)
                button.setIconSize(QSize(16, 16))
            button.setToolTip(label)
            button.setAccessibleName(label)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, a=action: self.action_requested.emit(a))
            self._layout.addWidget(button)
            self.buttons[action] = button

    def labels(self) -> list[str]:
        return [label for _, label in self._shown]

    @property
    def shown(self) -> list[tuple[TranscriptAction, str]]:
        return list(self._shown)
