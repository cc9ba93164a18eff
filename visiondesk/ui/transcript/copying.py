"""The copies a message's menu and buttons make, done where the text is at hand: the answer's
Markdown (Copy), the answer as it reads (Copy text), the question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication

from visiondesk.ui.transcript.actions import TranscriptAction

if TYPE_CHECKING:
    from visiondesk.ui.transcript.rows import Row
    from visiondesk.workspace.transcript import Turn


def copied(action: TranscriptAction, turn: Turn | None, row: Row | None) -> bool:
    """Put what `action` copies on the clipboard; False when `action` is not a copy."""
    if action is TranscriptAction.COPY:
        if turn is not None:
            QGuiApplication.clipboard().setText(turn.answer)
    elif action is TranscriptAction.COPY_TEXT:
        from visiondesk.ui.transcript.rows import TurnRow  # with the rows, after first paint

        if isinstance(row, TurnRow):
            QGuiApplication.clipboard().setText(row.answer.body.plain_text())
    elif action is TranscriptAction.COPY_QUESTION:
        if turn is not None:
            QGuiApplication.clipboard().setText(turn.prompt)
    else:
        return False
    return True
