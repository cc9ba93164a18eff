"""The line a deleted exchange leaves in its place: "Message deleted — Undo", as desktop mail
and chat apps have it, instead of a dialog asking first. Dismissing it (×) deletes for good."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from visiondesk.ui.theme import colours, is_dark
from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.workspace.transcript import Deleted

if TYPE_CHECKING:
    from visiondesk.workspace.finding import Hit, Part
    from visiondesk.workspace.transcript import Item, Versions


class DeletedLine(QFrame):
    """Signals: `action_requested(TranscriptAction, int)` — UNDO_DELETE or DISMISS, by the
    deleted item's id."""

    action_requested = Signal(object, int)

    def __init__(self, item_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deleted")
        self.setAccessibleName("Message deleted")
        self.words = QLabel("Message deleted —", self)
        self.undo = QToolButton(self)
        self.undo.setText("Undo")
        self.undo.setAccessibleName("Undo delete")
        self.undo.setToolTip("Bring the deleted message back in its place")
        self.dismiss = QToolButton(self)
        self.dismiss.setText("×")
        self.dismiss.setAccessibleName("Dismiss")
        self.dismiss.setToolTip("Delete for good (no Undo)")
        for button, action in (
            (self.undo, TranscriptAction.UNDO_DELETE),
            (self.dismiss, TranscriptAction.DISMISS),
        ):
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.clicked.connect(lambda _=False, a=action: self.action_requested.emit(a, item_id))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.words)
        layout.addWidget(self.undo)
        layout.addStretch(1)
        layout.addWidget(self.dismiss)

    def draw(
        self, item: Item, palette: QPalette, query: str = "", current: Hit | None = None
    ) -> bool:
        """Muted, in the palette's scheme, the question it held as its tooltip (a find's
        matches never land here); False: not a turn."""
        scheme = colours(is_dark(palette))
        self.setStyleSheet(
            f"#deleted {{ border:1px dashed {scheme.muted}; border-radius:6px; }}"
            f" QLabel {{ color:{scheme.muted}; }}"
        )
        if isinstance(item, Deleted):
            prompt = " ".join(item.turn.prompt.split())
            self.words.setToolTip(prompt[:200])
        return False

    def show_versions(self, versions: Versions | None) -> None:
        """Its versions went with it (Undo brings them back)."""

    def label(self, part: Part, block: int) -> QLabel | None:
        """No match is ever here: a deleted exchange is not searched."""
        return None

    def plain_text(self) -> str:
        return "Message deleted — Undo"
