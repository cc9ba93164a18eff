"""The transcript's Edit and Regenerate, and Conversation instructions…, driven in the window."""

from __future__ import annotations

import qasync
from PySide6.QtWidgets import QMenu

from tests.qt_support import run
from tests.waiting import until
from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.widgets.text_dialog import TextDialog
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import ConnectionState, TurnStatus


def visible_text_dialog(app: Controller) -> TextDialog:
    [dialog] = [d for d in app.window.findChildren(TextDialog) if d.isVisible()]
    return dialog


def test_edit_regenerate_and_instructions(app: Controller, loop: qasync.QEventLoop) -> None:
    workspace = app.workspace
    window = app.window

    async def scenario() -> None:
        await until(lambda: workspace.status.state is ConnectionState.CONNECTED)
        workspace.set_text("First")
        window.send_button.click()
        await until(lambda: [t.status for t in workspace.transcript.turns] == [TurnStatus.DONE])
        workspace.set_text("Second")
        window.send_button.click()
        await until(lambda: [t.status for t in workspace.transcript.turns] == [TurnStatus.DONE] * 2)
        first, second = workspace.transcript.turns

        window.transcript.action_requested.emit(TranscriptAction.REGENERATE, second.id)
        await until(lambda: workspace.transcript.turns[-1].id != second.id and not workspace.busy)
        regenerated = workspace.transcript.turns[-1]
        assert regenerated.status is TurnStatus.DONE and regenerated.prompt == "Second"
        assert "1 earlier turn(s)" in regenerated.answer

        window.transcript.action_requested.emit(TranscriptAction.EDIT, first.id)
        dialog = visible_text_dialog(app)
        assert dialog.editor.toPlainText() == "First"
        dialog.editor.setPlainText("First, edited")
        dialog.main_button.click()
        await until(lambda: len(workspace.transcript.turns) == 1 and not workspace.busy)
        [edited] = workspace.transcript.turns
        assert edited.prompt == "First, edited" and edited.status is TurnStatus.DONE
        assert "earlier turn" not in edited.answer

        [action] = [
            a
            for a in window.findChildren(type(window.settings_action))
            if "instructions" in a.text()
        ]
        assert any(
            isinstance(menu, QMenu) and "Edit" in menu.title()
            for menu in action.associatedObjects()
        )
        action.trigger()
        dialog = visible_text_dialog(app)
        dialog.editor.setPlainText("Answer in French.")
        dialog.main_button.click()
        assert workspace.settings.instructions == "Answer in French."
        workspace.set_text("Third")
        window.send_button.click()
        await until(lambda: len(workspace.transcript.turns) == 2 and not workspace.busy)
        replay = workspace.transcript.turns[-1].replay
        assert replay is not None and replay.turn.instructions == "Answer in French."

    run(loop, scenario)
