"""The real window, driven offscreen: getting images in, sending in every mode, cancelling,
errors with Retry, upload card states, and the inspector's Python snippet. Widgets are driven
as a person would (keys, clicks, drops); what happened is read from the workspace model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest

from tests.qt_support import (
    all_ready,
    answered,
    attached,
    drop,
    file_mime,
    last_turn,
    open_preview,
    run,
    states,
    status,
)
from tests.waiting import until
from visiondesk.domain import ApiMode
from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import AttachmentState, ConnectionState, TurnStatus

READY = AttachmentState.READY


def choose_mode(app: Controller, mode: ApiMode) -> None:
    """As a person does: pick the mode in the toolbar."""
    box = app.window.mode_box
    box.setCurrentIndex(box.findData(mode.value))
    box.activated.emit(box.currentIndex())


def test_drop_files_and_a_folder_refusing_a_non_image(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path, shot_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "album"
    folder.mkdir()
    (folder / "one.png").write_bytes(shot_path.read_bytes())
    notes = tmp_path / "notes.png"
    notes.write_text("not an image")
    drop(app.window, file_mime(photo_path, notes, folder))

    async def scenario() -> None:
        await until(lambda: states(app) == [READY, READY])

    run(loop, scenario)
    labels = [a.label for a in app.workspace.draft]
    assert labels == [str(photo_path), str(folder / "one.png")]
    assert [
        card.attachment_id for card in app.window.attachment_row.cards
    ] == app.workspace.draft.ids
    notice = app.workspace.transcript.items[-1]
    assert "notes.png" in notice.text and "not an image" in notice.text  # type: ignore[union-attr]
    assert "1800×2400 JPEG → 768×1024 JPEG" in app.window.attachment_row.cards[0].sizes.text()


def test_paste_a_bitmap_and_a_url(app: Controller, loop: qasync.QEventLoop) -> None:
    bitmap = QImage(640, 400, QImage.Format.Format_RGB32)
    bitmap.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(bitmap)
    app.window.paste_action.trigger()
    QGuiApplication.clipboard().setText("https://example.com/cat.png")
    app.window.paste_action.trigger()

    async def scenario() -> None:
        await until(lambda: states(app) == [READY, READY])

    run(loop, scenario)
    first, second = app.window.attachment_row.cards
    assert app.workspace.draft.items[0].label == "pasted image"
    assert "640×400 PNG → 640×400 WEBP" in first.sizes.text()
    assert app.workspace.draft.items[1].label == "https://example.com/cat.png"
    assert "URL" in second.sizes.text()


def test_composer_keys(app: Controller, loop: qasync.QEventLoop) -> None:
    composer = app.window.composer
    composer.setFocus()
    QTest.keyClicks(composer, "line one")
    QTest.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(composer, "line two")
    assert app.workspace.text == "line one\nline two"  # the model holds the draft's text
    QTest.keyClick(composer, Qt.Key.Key_Return)

    async def scenario() -> None:
        await until(lambda: status(app) is TurnStatus.DONE)

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None and turn.prompt == "line one\nline two"
    assert composer.toPlainText() == "" and app.workspace.text == ""


@pytest.mark.parametrize("mode", list(ApiMode))
def test_send_in_each_mode_streams_the_answer(
    mode: ApiMode, app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    window = app.window
    choose_mode(app, mode)
    assert app.workspace.settings.mode is mode
    drop(window, file_mime(photo_path))

    async def scenario() -> None:
        await until(lambda: states(app) and all_ready(app))
        QTest.keyClicks(window.composer, "What is in the picture?")
        window.send_button.click()
        await until(lambda: status(app) is TurnStatus.DONE)

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None
    assert "I received 1 image(s)" in turn.answer and "768×1024" in turn.answer
    assert window.attachment_row.cards == [] and len(app.workspace.draft) == 0  # sent: empty again
    assert "in /" in window.tokens_label.text()
    assert "I received 1 image(s)" in window.transcript.toPlainText()
    assert window.transcript.renders < 40  # re-rendered at a bounded rate


def test_upload_card_states_in_order(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    choose_mode(app, ApiMode.ASSISTANTS)
    seen: list[AttachmentState] = []

    def record(attachment: object) -> None:
        state = getattr(attachment, "state", None)
        if isinstance(state, AttachmentState) and (not seen or seen[-1] != state):
            seen.append(state)

    app.workspace.draft.changed.connect(record)
    attachment_id = app.workspace.attachments.add(str(photo_path), str(photo_path))
    card = app.window.attachment_row.card(attachment_id)
    assert card is not None

    async def scenario() -> None:
        await until(lambda: card.status.text().startswith("Ready (file-"))

    run(loop, scenario)
    assert seen == [
        AttachmentState.PREPARING,
        AttachmentState.READY,
        AttachmentState.UPLOADING,
        AttachmentState.PROCESSING,
        AttachmentState.UPLOADED,
    ]


def test_cancel_mid_stream_keeps_everything(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    emulator = app.workspace.connections.emulator
    assert emulator is not None
    emulator.knobs.token_delay = 0.05
    window = app.window
    app.workspace.attachments.add(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(lambda: states(app) == [READY])
        QTest.keyClicks(window.composer, "Describe it slowly")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        await until(lambda: len(getattr(last_turn(app), "answer", "")) > 20)
        assert window.send_button.text() == "Stop"
        QTest.keyClick(window.composer, Qt.Key.Key_Escape)
        await until(lambda: answered(app))

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None and turn.status is TurnStatus.STOPPED and turn.answer
    assert "stopped" in window.transcript.toPlainText()
    assert window.composer.toPlainText() == ""  # the question stays in the transcript only
    assert states(app) == [READY] and window.send_button.text() == "Send"


@pytest.mark.parametrize("fault", ["401", "429", "500", "cut", "file-error", "server-down"])
def test_faults_end_in_a_message_and_retry_works(
    fault: str, app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    from visiondesk.emulator import Emulator

    workspace = app.workspace
    emulator = workspace.connections.emulator
    assert emulator is not None
    if fault == "file-error":
        choose_mode(app, ApiMode.ASSISTANTS)
        emulator.knobs.file_error = True
    workspace.attachments.add(str(photo_path), str(photo_path))
    expected = {
        "401": "rejected the API key",
        "429": "Rate limited",
        "500": "internal error",
        "cut": "closed before the answer was complete",
        "file-error": "could not process the uploaded image",
        "server-down": f"Nothing is answering at http://127.0.0.1:{emulator.port}/v1",
    }

    async def scenario() -> None:
        running = emulator
        failed_card = fault == "file-error"
        # The faults are for the turn, not for the capability probe that starts with the window.
        await until(lambda: workspace.status.state is ConnectionState.CONNECTED)
        await until(lambda: states(app) == [AttachmentState.FAILED if failed_card else READY])
        port = running.port
        if fault == "401":
            running.api_key = "sk-the-server-wants-another-key"
        elif fault == "429":
            running.knobs.fail_429, running.knobs.retry_after = 5, 0.05
        elif fault == "500":
            running.knobs.fail_500 = 5
        elif fault == "cut":
            running.knobs.cut_stream_after = 4
        elif fault == "server-down":
            running.stop()
        QTest.keyClicks(app.window.composer, "What is it?")
        QTest.keyClick(app.window.composer, Qt.Key.Key_Return)
        await until(lambda: answered(app))
        turn = last_turn(app)
        assert turn is not None and turn.status is TurnStatus.FAILED
        assert expected[fault] in turn.error
        assert fault != "401" or "Local emulator" in turn.error
        assert expected[fault] in app.window.transcript.toPlainText()
        assert app.window.composer.toPlainText() == "What is it?"  # the draft is back
        assert len(workspace.draft) == 1  # and the image is still attached
        if fault == "server-down":  # the server comes back on the same port
            running = Emulator(port=port, knobs=running.knobs).start()
            workspace.connections.emulator = running
        running.api_key = None
        running.knobs.clear()
        app.window.transcript.action_requested.emit(TranscriptAction.RETRY, turn.id)
        await until(lambda: status(app) is TurnStatus.DONE)

    run(loop, scenario)
    [turn] = workspace.transcript.turns  # the failed attempt was replaced
    assert "I received 1 image(s)" in turn.answer
    assert app.window.composer.toPlainText() == ""


def test_copied_python_reproduces_the_turn(
    app: Controller,
    loop: qasync.QEventLoop,
    photo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from visiondesk.ui.transcript.inspector_dialog import InspectorDialog

    monkeypatch.setenv("VISIONDESK_CACHE_DIR", str(tmp_path / "cache"))
    app.workspace.attachments.add(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(lambda: states(app) == [READY])
        app.workspace.set_text("Reproduce me")
        app.workspace.conversation.send()
        await until(lambda: status(app) is TurnStatus.DONE)

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None
    dialog = InspectorDialog(turn, app.window)
    assert dialog.steps.count() >= 1 and "…(" in dialog.body.toPlainText()
    dialog.copy_python()
    code = QGuiApplication.clipboard().text()
    assert "os.environ['OPENAI_API_KEY']" in code
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, OPENAI_API_KEY="sk-anything"),
    )
    assert result.returncode == 0, result.stderr
    assert "I received 1 image(s)" in result.stdout and "768×1024" in result.stdout


def test_preview_crop_is_what_gets_sent(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QPushButton

    attachment_id = attached(app, loop, photo_path)
    card = app.window.attachment_row.card(attachment_id)
    assert card is not None
    dialog = open_preview(app, attachment_id)
    dialog.fit()
    dialog.view.scale(2, 2)  # zoom and fit work on the view
    # The sent picture is 768×1024 for an 1800×2400 original: its left half, top quarter.
    crop = dialog.crop_for(QRectF(0, 0, 384, 256))
    assert crop == (0, 0, 900, 600)
    dialog.selection = QRectF(0, 0, 384, 256)
    [apply] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Apply crop"]
    apply.setEnabled(True)
    apply.click()

    async def recropped() -> None:
        await until(lambda: states(app) == [READY] and "900×600" in card.toolTip())

    run(loop, recropped)
    attachment = app.workspace.draft.get(attachment_id)
    assert attachment is not None and attachment.prepared is not None
    assert attachment.crop == (0, 0, 900, 600)
    assert (attachment.prepared.width, attachment.prepared.height) == (900, 600)


def test_inspector_shows_every_upload_step(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    choose_mode(app, ApiMode.ASSISTANTS)
    app.workspace.attachments.add(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(lambda: states(app) == [AttachmentState.UPLOADED])
        app.workspace.set_text("Show me the steps")
        app.workspace.conversation.send()
        await until(lambda: status(app) is TurnStatus.DONE)

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None
    steps = [(r.method, r.path.split("/")[1], r.note) for r in turn.requests]
    assert steps[0] == ("POST", "files", f"upload {photo_path}")
    assert ("GET", "files", "readiness poll") in steps
    # assistant, an empty thread, the question added to it (gateways drop thread bodies), run
    assert [s[:2] for s in steps[-4:]] == [
        ("POST", "assistants"),
        ("POST", "threads"),
        ("POST", "threads"),
        ("POST", "threads"),
    ]
    paths = [r.path for r in turn.requests[-2:]]
    assert paths[0].endswith("/messages") and paths[1].endswith("/runs")


def test_a_whole_turn_through_the_window(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path, shot_path: Path
) -> None:
    """The headless model test's sequence, done as a person does it in the window."""
    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QPushButton, QToolButton

    from visiondesk.ui.widgets.image_preview import PreviewDialog

    window, workspace = app.window, app.workspace
    emulator = workspace.connections.emulator
    assert emulator is not None
    drop(window, file_mime(photo_path, shot_path))

    async def scenario() -> None:
        await until(lambda: states(app) == [READY, READY])
        photo, shot = workspace.draft.ids
        [move_right] = [
            b
            for b in window.attachment_row.cards[0].findChildren(QToolButton)
            if b.toolTip() == "Move right"
        ]
        move_right.click()
        assert workspace.draft.ids == [shot, photo]
        assert [c.attachment_id for c in window.attachment_row.cards] == [shot, photo]
        photo_card = window.attachment_row.card(photo)
        assert photo_card is not None
        QTest.mouseClick(photo_card.thumb, Qt.MouseButton.LeftButton)
        [dialog] = [d for d in window.findChildren(PreviewDialog) if d.isVisible()]
        dialog.selection = QRectF(0, 0, 384, 256)
        [apply] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Apply crop"]
        apply.setEnabled(True)
        apply.click()
        await until(lambda: states(app) == [READY, READY] and "900×600" in photo_card.toolTip())

        emulator.knobs.token_delay = 0.05
        QTest.keyClicks(window.composer, "Compare them")
        QTest.keyClick(window.composer, Qt.Key.Key_Return)
        await until(lambda: len(getattr(last_turn(app), "answer", "")) > 20)
        QTest.keyClick(window.composer, Qt.Key.Key_Escape)
        await until(lambda: answered(app))
        stopped = last_turn(app)
        assert stopped is not None and stopped.status is TurnStatus.STOPPED
        emulator.knobs.token_delay = 0.0
        window.composer.clear()
        window.transcript.action_requested.emit(TranscriptAction.RETRY, stopped.id)
        await until(lambda: status(app) is TurnStatus.DONE)
        [done] = workspace.transcript.turns
        assert done.answer.index("1365×768") < done.answer.index("900×600")

        choose_mode(app, ApiMode.ASSISTANTS)
        drop(window, file_mime(photo_path))
        await until(lambda: states(app) == [AttachmentState.UPLOADED])
        QTest.keyClicks(window.composer, "And now?")
        window.send_button.click()
        await until(lambda: len(workspace.transcript.turns) == 2 and answered(app))
        assert status(app) is TurnStatus.DONE

        conversation = workspace.conversation_id
        window.new_action.trigger()
        assert workspace.transcript.turns == [] and "Compare" not in window.transcript.toPlainText()
        item = window.sidebar.list.item(0)
        assert item is not None
        listing = window.sidebar.list
        QTest.mouseClick(
            listing.viewport(), Qt.MouseButton.LeftButton, pos=listing.visualItemRect(item).center()
        )
        await until(lambda: workspace.conversation_id == conversation)  # read off the UI thread
        assert [t.status for t in workspace.transcript.turns] == [TurnStatus.DONE] * 2
        assert window.mode_box.currentData() == ApiMode.ASSISTANTS.value

    run(loop, scenario)
