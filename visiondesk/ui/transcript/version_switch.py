"""The ‹ 2/3 › beside an answer that has versions (Regenerate, Edit & resend): small buttons
that show the previous or next version in its place. They switch only on the last exchange,
with nothing running (`workspace.transcript.Versions`); elsewhere the count shows and says why."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.workspace.transcript import Versions

CONTINUES = "The conversation continues from the version shown."
ONLY_LAST = (
    "Versions switch on the last exchange only: later questions were asked after the version shown."
)


ONE = Versions()


class VersionSwitch(QWidget):
    """‹ n/m ›, hidden for an answer with one version.

    Signals: `action_requested(TranscriptAction)` — PREVIOUS_VERSION or NEXT_VERSION."""

    action_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Versions")
        self.previous = self._button("‹", "Previous version", TranscriptAction.PREVIOUS_VERSION)
        self.next = self._button("›", "Next version", TranscriptAction.NEXT_VERSION)
        self.count = QLabel(self)
        self.count.setObjectName("versions")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.previous)
        layout.addWidget(self.count)
        layout.addWidget(self.next)
        self._shown: Versions | None = None
        self.hide()

    def _button(self, text: str, name: str, action: TranscriptAction) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setAccessibleName(name)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it, Space presses it
        button.clicked.connect(lambda _=False: self.action_requested.emit(action))
        return button

    def show_versions(self, versions: Versions | None) -> None:
        """None: the answer has one version (nothing shows)."""
        versions = versions or ONE
        if versions == self._shown:
            return
        self._shown = versions
        self.setVisible(versions.count > 1)
        self.count.setText(f"{versions.number}/{versions.count}")
        self.count.setAccessibleName(f"Version {versions.number} of {versions.count}")
        why = CONTINUES if versions.switchable else f"{CONTINUES} {ONLY_LAST}"
        self.count.setToolTip(f"Version {versions.number} of {versions.count}. {why}")
        for button, room, name in (
            (self.previous, versions.number > 1, "Previous version"),
            (self.next, versions.number < versions.count, "Next version"),
        ):
            button.setEnabled(versions.switchable and room)
            button.setToolTip(name if versions.switchable else f"{name} — {ONLY_LAST}")

    def plain_text(self) -> str:
        return (
            f"‹ {self.count.text()} ›" if self._shown is not None and self._shown.count > 1 else ""
        )
