"""The history's troubles as the window shows them: a disk that fills mid-session, a
conversation whose images were damaged, a backup, the batch panel from the File menu."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QFileDialog

from tests.disks import FULL, Faults
from tests.qt_support import ask, last_turn, notices, run, status, wait_opened
from tests.waiting import until
from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import TurnStatus


def test_a_full_disk_ends_the_turn_plainly_and_keeps_everything(
    faults: Faults, app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    workspace = app.workspace
    faults.arm(FULL)
    ask(app, loop, "Will this be kept?", photo_path)
    turn = last_turn(app)
    assert turn is not None and turn.status is TurnStatus.FAILED
    assert turn.error.startswith("The disk holding your history is full (")
    assert turn.error.endswith("Free space, then Retry.")
    assert app.window.composer.toPlainText() == "Will this be kept?"
    assert len(workspace.draft) == 1
    faults.disarm()
    app.window.transcript.action_requested.emit(TranscriptAction.RETRY, turn.id)

    async def retried() -> None:
        await until(lambda: status(app) is TurnStatus.DONE)

    run(loop, retried)
    assert workspace.conversation_id is not None
    question, answer = workspace.history.messages(workspace.conversation_id)
    assert question.text == "Will this be kept?" and answer.status == "complete"


def test_a_damaged_conversation_opens_with_placeholders_and_a_banner(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    workspace = app.workspace
    ask(app, loop, "Keep this photo", photo_path)
    conversation = workspace.conversation_id
    assert conversation is not None
    for blob in (workspace.history.folder / "blobs").rglob("*"):
        if blob.is_file():
            blob.unlink()  # the image files are gone; the text is not
    app.window.new_action.trigger()
    assert not app.window.banner.isVisible()
    app.window.sidebar.open_requested.emit(conversation)
    wait_opened(app, loop)
    [turn] = workspace.transcript.turns
    assert turn.prompt == "Keep this photo" and turn.answer and not turn.images
    assert turn.missing and "image not shown" in app.window.transcript.toPlainText()
    assert app.window.banner.isVisible() and "could not be read" in workspace.damage
    app.window.banner.check_requested.emit()

    async def checked() -> None:
        await until(lambda: any("Check history" in text for text in notices(app)))

    run(loop, checked)
    assert "found damage" in notices(app)[-1]


def test_back_up_the_history_from_the_file_menu(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ask(app, loop, "Back me up", photo_path)
    target = tmp_path / "backup"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: str(target))
    app.window.backup_action.trigger()

    async def backed_up() -> None:
        await until(lambda: any("backed up" in text for text in notices(app)))

    run(loop, backed_up)
    assert (target / "history.sqlite3").is_file()
    assert "image(s))" in notices(app)[-1] and any((target / "blobs").rglob("*"))


def test_file_batch_opens_the_batch_panel(app: Controller) -> None:
    from visiondesk.ui.batch.batch_panel import BatchPanel

    app.window.batch_action.trigger()
    panel = app.batch_panel
    assert isinstance(panel, BatchPanel) and panel.isVisible()
    app.window.batch_action.trigger()
    assert app.batch_panel is panel  # one panel, raised again
