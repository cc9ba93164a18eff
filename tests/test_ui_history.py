"""History in the window: the sidebar, reopening, deleting with clean-up, exports, and an app
killed while preparing, uploading or streaming that comes back with the question kept and the
answer marked interrupted, ready to Retry."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import qasync
from PySide6.QtWidgets import QMessageBox

from tests.qt_support import all_ready, answered, dispose, run, status, wait_opened
from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.domain import AnswerStatus, ApiMode
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.window.controller import Controller
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.workspace import TurnStatus


def ask(app: Controller, loop: qasync.QEventLoop, prompt: str, *paths: Path) -> None:
    workspace = app.workspace
    for path in paths:
        workspace.attachments.add(str(path), str(path))

    async def scenario() -> None:
        await until(lambda: all_ready(app))
        workspace.set_text(prompt)
        workspace.conversation.send()
        await until(lambda: answered(app))

    run(loop, scenario)


def test_sidebar_lists_and_reopens_conversations(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    window, workspace = app.window, app.workspace
    workspace.set_mode(ApiMode.RESPONSES)
    ask(app, loop, "What is in the harbour photo?", photo_path)
    first = workspace.conversation_id
    assert window.sidebar.list.count() == 1
    window.new_action.trigger()
    assert workspace.transcript.turns == []
    ask(app, loop, "Second conversation")
    assert window.sidebar.list.count() == 2
    assert first is not None
    window.sidebar.open_requested.emit(first)
    wait_opened(app, loop)
    turns = workspace.transcript.turns
    assert len(turns) == 1 and turns[0].images and turns[0].images[0].width == 768
    selected = window.sidebar.list.currentItem()
    assert selected is not None and selected.text().startswith("What is in the harbour")
    ask(app, loop, "And the boats?")
    last = workspace.transcript.turns[-1]
    assert "1 earlier turn" in last.answer  # continued, not started over
    window.sidebar.search.setText("harbour")
    assert window.sidebar.list.count() == 1
    workspace.library.rename(first, "Harbour")
    first_item = window.sidebar.list.item(0)
    assert first_item is not None and first_item.text().startswith("Harbour")


def test_typing_after_clicking_a_conversation_goes_into_its_question(
    app: Controller, loop: qasync.QEventLoop, qtbot: object
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    window, workspace = app.window, app.workspace
    ask(app, loop, "The first conversation")
    first = workspace.conversation_id
    window.new_action.trigger()
    QTest.keyClicks(window.composer, "kept with the new one")
    [item] = [window.sidebar.list.item(n) for n in range(window.sidebar.list.count())]
    assert item is not None
    rect = window.sidebar.list.visualItemRect(item)
    QTest.mouseClick(window.sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_opened(app, loop)
    assert workspace.conversation_id == first and workspace.text == ""
    assert QApplication.focusWidget() is window.composer
    QTest.keyClicks(window.composer, "And then?")
    assert workspace.text == "And then?"
    window.new_action.trigger()
    assert workspace.text == "kept with the new one"


def test_deleting_a_conversation_deletes_its_uploads(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = app.workspace
    emulator = workspace.connections.emulator
    assert emulator is not None
    workspace.set_mode(ApiMode.ASSISTANTS)
    ask(app, loop, "Upload me", photo_path)
    assert len(emulator.store.files) == 1
    conversation = workspace.conversation_id
    assert conversation is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    app.window.sidebar.delete_requested.emit(conversation)

    async def swept() -> None:
        await until(lambda: not workspace.history.uploads("Local emulator"))

    run(loop, swept)
    assert not emulator.store.files  # deleted on the server too
    assert app.window.sidebar.list.count() == 0 and workspace.conversation_id is None


def test_exports_from_the_window(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path, tmp_path: Path
) -> None:
    ask(app, loop, "Export this", photo_path)
    markdown = app.workspace.library.export("md", tmp_path / "export")
    page = app.workspace.library.export("html", tmp_path / "page.html")
    assert "Export this" in markdown.read_text()
    assert "data:image/jpeg;base64," in page.read_text()


KILLED_APP = """
import asyncio, sys
from pathlib import Path
import qasync
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.domain import ApiMode
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.ui.app import make_app
from visiondesk.ui.window.controller import Controller
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.workspace import AttachmentState

make_app([])
TICK = 0.02
folder, image, mode, moment = sys.argv[1:5]
knobs = {
    "streaming": Knobs(token_delay=0.15),
    "uploading": Knobs(upload_bytes_per_second=2_000),
    "preparing": Knobs(),
}[moment]

async def main():
    window = MainWindow()
    controller = Controller(window, profiles={EMULATOR: BUILTIN[EMULATOR]},
                            secrets=Secrets(use_keyring=False), emulator_knobs=knobs,
                            history=History(Path(folder)))
    window.show()
    controller.start([])
    workspace = controller.workspace
    workspace.set_mode(ApiMode(mode))
    workspace.attachments.add(image, image)
    if moment == "streaming":
        while not all(a.state.sendable for a in workspace.draft):
            await asyncio.sleep(TICK)
    workspace.set_text("Describe it, slowly")
    turn_id = workspace.conversation.send()
    print("sent", flush=True)  # the question is saved the moment Send is pressed
    while True:
        turn = workspace.transcript.turn(turn_id)  # its value now: it is replaced as it changes
        if moment == "streaming" and turn is not None and len(turn.answer) > 40:
            print("streaming", flush=True)
        if moment == "uploading" and any(a.sent for a in workspace.draft):
            print("uploading", flush=True)
        await asyncio.sleep(TICK)

with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
    runner.run(main())
"""


def kill_at(folder: Path, image: Path, mode: ApiMode, moment: str) -> None:
    """Run the app in a process, and kill -9 it at the moment named."""
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_APP, str(folder), str(image), mode.value, moment],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "sent"
    if moment != "preparing":  # streaming: the first words are checkpointed as they arrive
        assert process.stdout.readline().strip() == moment
    process.kill()
    process.wait(timeout=10)


@pytest.mark.parametrize(
    ("mode", "moment"),
    [
        (ApiMode.CHAT, "preparing"),
        (ApiMode.RESPONSES, "preparing"),
        (ApiMode.ASSISTANTS, "preparing"),
        (ApiMode.ASSISTANTS, "uploading"),
        (ApiMode.CHAT, "streaming"),
        (ApiMode.RESPONSES, "streaming"),
        (ApiMode.ASSISTANTS, "streaming"),
    ],
)
def test_killed_app_comes_back_interrupted_with_retry(
    mode: ApiMode,
    moment: str,
    qtbot: object,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "history"
    kill_at(folder, photo_path, mode, moment)

    window = MainWindow()
    controller = Controller(
        window,
        profiles={EMULATOR: BUILTIN[EMULATOR]},
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(),
        history=History(folder),
    )
    window.show()
    controller.start([])
    workspace = controller.workspace
    assert "interrupted" in workspace.transcript.items[-1].text  # type: ignore[union-attr]
    [conversation] = workspace.history.conversations()
    question, answer = workspace.history.messages(conversation.id)
    assert question.text == "Describe it, slowly"
    assert answer.status == AnswerStatus.INTERRUPTED
    if moment != "preparing":
        assert len(question.images) == 1
    if moment == "streaming":
        assert answer.text
    window.sidebar.open_requested.emit(conversation.id)
    wait_opened(controller, loop)
    [turn] = workspace.transcript.turns
    assert turn.status is TurnStatus.INTERRUPTED
    assert "Retry" in window.transcript.toPlainText()
    # The image is there: prepared, or (killed before that) its source saved with the question.
    assert len(turn.images) == 1 or len(turn.sources) == 1
    window.transcript.action_requested.emit(TranscriptAction.RETRY, turn.id)

    async def retried() -> None:
        await until(lambda: status(controller) is TurnStatus.DONE)

    run(loop, retried)
    assert "I received 1 image(s)" in workspace.transcript.turns[-1].answer
    assert [m.status for m in workspace.history.messages(conversation.id)] == [
        AnswerStatus.COMPLETE,
        AnswerStatus.COMPLETE,
    ]
    loop.run_until_complete(controller.aclose())
    dispose(window)


def test_storage_panel_lists_and_deletes_uploads(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    from visiondesk.ui.history.uploaded_files_dialog import UploadedFilesDialog

    workspace = app.workspace
    workspace.set_mode(ApiMode.ASSISTANTS)
    ask(app, loop, "Keep my upload", photo_path)
    dialog = UploadedFilesDialog(workspace, app.window)
    assert dialog.table.rowCount() == 1
    cell = dialog.table.item(0, 3)
    assert cell is not None and cell.text() == "Keep my upload"
    dialog.delete(only_selected=False)

    async def emptied() -> None:
        await until(lambda: dialog.table.rowCount() == 0)

    run(loop, emptied)
    assert workspace.connections.emulator is not None
    assert not workspace.connections.emulator.store.files


def test_after_answer_clean_up(app: Controller, loop: qasync.QEventLoop, photo_path: Path) -> None:
    from visiondesk.config.settings import Cleanup

    workspace = app.workspace
    workspace.set_app_settings(replace(workspace.app_settings, cleanup=Cleanup.AFTER_ANSWER))
    workspace.set_mode(ApiMode.ASSISTANTS)
    ask(app, loop, "Use once", photo_path)
    emulator = workspace.connections.emulator
    assert emulator is not None

    async def gone() -> None:
        await until(lambda: not emulator.store.files)

    run(loop, gone)


def test_an_unusable_history_folder_still_opens_the_window(
    qtbot: object, loop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    monkeypatch.setenv("VISIONDESK_DATA_DIR", str(blocked))
    window = MainWindow()
    controller = Controller(
        window,
        profiles={EMULATOR: BUILTIN[EMULATOR]},
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(),
    )
    window.show()
    controller.start([])
    last = controller.workspace.transcript.items[-1]
    assert "could not be opened" in last.text  # type: ignore[union-attr]
    loop.run_until_complete(controller.aclose())
    dispose(window)
