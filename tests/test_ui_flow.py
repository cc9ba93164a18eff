"""The real window, driven offscreen: getting images in, sending in every mode, cancelling,
errors with Retry, upload card states, and the inspector's Python snippet."""

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

from tests.qt_support import drop, file_mime, last_answer, run, states, until
from visiondesk.ui.controller import Controller


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
        await until(lambda: states(app) == ["ready", "ready"])

    run(loop, scenario)
    labels = [card.label for card in app.window.canvas.cards]
    assert labels == [str(photo_path), str(folder / "one.png")]
    notice = app.window.transcript.entries[-1]
    assert notice.role == "notice" and "notes.png" in notice.text and "not an image" in notice.text
    assert "1800×2400 JPEG → 768×1024 JPEG" in app.window.canvas.cards[0].sizes.text()


def test_paste_a_bitmap_and_a_url(app: Controller, loop: qasync.QEventLoop) -> None:
    bitmap = QImage(640, 400, QImage.Format.Format_RGB32)
    bitmap.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(bitmap)
    app.window.paste_action.trigger()
    QGuiApplication.clipboard().setText("https://example.com/cat.png")
    app.paste()

    async def scenario() -> None:
        await until(lambda: states(app) == ["ready", "ready"])

    run(loop, scenario)
    first, second = app.window.canvas.cards
    assert first.label == "pasted image" and "640×400 PNG → 640×400 WEBP" in first.sizes.text()
    assert second.label == "https://example.com/cat.png" and "URL" in second.sizes.text()


def test_composer_keys(app: Controller, loop: qasync.QEventLoop) -> None:
    composer = app.window.composer
    composer.setFocus()
    QTest.keyClicks(composer, "line one")
    QTest.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(composer, "line two")
    assert composer.toPlainText() == "line one\nline two"
    QTest.keyClick(composer, Qt.Key.Key_Return)

    async def scenario() -> None:
        await until(lambda: last_answer(app).state == "complete")

    run(loop, scenario)
    user = [e for e in app.window.transcript.entries if e.role == "user"][-1]
    assert user.text == "line one\nline two" and composer.toPlainText() == ""


@pytest.mark.parametrize("mode", ["chat", "responses", "assistants"])
def test_send_in_each_mode_streams_the_answer(
    mode: str, app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    window = app.window
    window.mode_box.setCurrentIndex(window.mode_box.findData(mode))
    app.add_source(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(lambda: states(app) == ["ready"])
        window.composer.setPlainText("What is in the picture?")
        window.send_button.click()
        await until(lambda: last_answer(app).state == "complete")

    run(loop, scenario)
    answer = last_answer(app)
    assert "I received 1 image(s)" in answer.text and "768×1024" in answer.text
    assert window.canvas.cards == []  # sent: the canvas is empty again
    assert "in /" in window.tokens_label.text()
    assert window.transcript.renders < 40  # re-rendered at a bounded rate


def test_upload_card_states_in_order(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    window = app.window
    window.mode_box.setCurrentIndex(window.mode_box.findData("assistants"))
    seen: list[str] = []
    attachment_id = app.add_source(str(photo_path), str(photo_path))
    card = window.canvas.card(attachment_id)
    assert card is not None
    original = card._set_state

    def record(state: str, text: str) -> None:
        if not seen or seen[-1] != state:
            seen.append(state)
        original(state, text)

    card._set_state = record  # type: ignore[method-assign]

    async def scenario() -> None:
        await until(lambda: card.status.text().startswith("Ready (file-"))

    run(loop, scenario)
    assert seen == ["ready", "uploading", "processing", "ready"]


def test_cancel_mid_stream_keeps_everything(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    assert app.emulator is not None
    app.emulator.knobs.token_delay = 0.05
    window = app.window
    app.add_source(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(lambda: states(app) == ["ready"])
        window.composer.setPlainText("Describe it slowly")
        app.send()
        await until(lambda: len(last_answer(app).text) > 20)
        assert window.send_button.text() == "Stop"
        QTest.keyClick(window.composer, Qt.Key.Key_Escape)
        await until(lambda: last_answer(app).state == "cancelled")

    run(loop, scenario)
    answer = last_answer(app)
    assert answer.text and "stopped" in app.window.transcript.toPlainText()
    assert window.composer.toPlainText() == "Describe it slowly"  # the draft is back
    assert states(app) == ["ready"] and window.send_button.text() == "Send"


@pytest.mark.parametrize("fault", ["401", "429", "500"])
def test_errors_show_in_the_transcript_and_retry_works(
    fault: str, app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    emulator = app.emulator
    assert emulator is not None
    app.add_source(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(lambda: states(app) == ["ready"])
        if fault == "401":
            emulator.api_key = "sk-the-server-wants-another-key"
        elif fault == "429":
            emulator.knobs.fail_429, emulator.knobs.retry_after = 5, 0.05
        else:
            emulator.knobs.fail_500 = 5
        app.window.composer.setPlainText("What is it?")
        app.send()
        await until(lambda: last_answer(app).state == "failed")
        failed = last_answer(app)
        expected = {"401": "rejected the API key", "429": "Rate limited", "500": "internal error"}
        assert expected[fault] in failed.error
        assert "Local emulator" in failed.error or fault != "401"
        assert states(app) == ["ready"]  # the image is still attached
        assert app.window.composer.toPlainText() == "What is it?"  # and the draft is back
        emulator.api_key = None
        emulator.knobs.clear()
        app.on_transcript_action("retry", failed.id)
        await until(lambda: last_answer(app).state == "complete")

    run(loop, scenario)
    assistant = [e for e in app.window.transcript.entries if e.role == "assistant"]
    assert len(assistant) == 1 and "I received 1 image(s)" in assistant[0].text


def test_copied_python_reproduces_the_turn(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path, tmp_path: Path
) -> None:
    from visiondesk.ui.inspector import InspectorDialog

    os.environ["VISIONDESK_CACHE_DIR"] = str(tmp_path / "cache")
    app.add_source(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(lambda: states(app) == ["ready"])
        app.window.composer.setPlainText("Reproduce me")
        app.send()
        await until(lambda: last_answer(app).state == "complete")

    run(loop, scenario)
    record = app.turns[last_answer(app).id]
    dialog = InspectorDialog(record, app.window)
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
    os.environ.pop("VISIONDESK_CACHE_DIR")


def test_preview_crop_is_what_gets_sent(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    from PySide6.QtCore import QRectF

    from visiondesk.ui.preview import PreviewDialog

    attachment_id = app.add_source(str(photo_path), str(photo_path))

    async def ready() -> None:
        await until(lambda: states(app) == ["ready"])

    run(loop, ready)
    attachment = app._attachment(attachment_id)
    assert attachment is not None and attachment.prepared is not None
    dialog = PreviewDialog(attachment.prepared, None, app.window)
    dialog.show()
    dialog.fit()
    dialog.view.scale(2, 2)  # zoom and fit work on the view
    # The sent picture is 768×1024 for an 1800×2400 original: its left half, top quarter.
    crop = dialog.crop_for(QRectF(0, 0, 384, 256))
    assert crop == (0, 0, 900, 600)
    dialog.cropChosen.connect(lambda chosen: app.set_crop(attachment_id, chosen))
    dialog.selection = QRectF(0, 0, 384, 256)
    dialog._apply()

    async def recropped() -> None:
        await until(lambda: "900×600" in app.window.canvas.cards[0].toolTip())

    run(loop, recropped)
    recropped_attachment = app._attachment(attachment_id)
    assert recropped_attachment is not None and recropped_attachment.prepared is not None
    prepared = recropped_attachment.prepared
    assert (prepared.width, prepared.height) == (900, 600)  # small enough to go as it is


@pytest.mark.parametrize("fault", ["cut", "file-error", "server-down"])
def test_more_faults_end_in_a_message_and_retry_works(
    fault: str, app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    from visiondesk.emulator import Emulator

    assert app.emulator is not None
    emulator: Emulator = app.emulator
    window = app.window
    if fault == "file-error":
        window.mode_box.setCurrentIndex(window.mode_box.findData("assistants"))
        emulator.knobs.file_error = True
    app.add_source(str(photo_path), str(photo_path))

    async def scenario() -> None:
        nonlocal emulator
        await until(lambda: states(app) == (["failed"] if fault == "file-error" else ["ready"]))
        port = emulator.port
        if fault == "cut":
            emulator.knobs.cut_stream_after = 4
        elif fault == "server-down":
            emulator.stop()
        window.composer.setPlainText("What is it?")
        app.send()
        await until(lambda: last_answer(app).state == "failed")
        failed = last_answer(app)
        expected = {
            "cut": "closed before the answer was complete",
            "file-error": "could not process the uploaded image",
            "server-down": f"Cannot reach http://127.0.0.1:{port}/v1",
        }
        assert expected[fault] in failed.error
        assert window.composer.toPlainText() == "What is it?" and len(window.canvas.cards) == 1
        if fault == "server-down":  # the server comes back on the same port
            emulator = Emulator(port=port, knobs=emulator.knobs).start()
            app.emulator = emulator
        emulator.knobs.clear()
        app.on_transcript_action("retry", failed.id)
        await until(lambda: last_answer(app).state == "complete")

    run(loop, scenario)
    assert "I received 1 image(s)" in last_answer(app).text


def test_inspector_shows_every_upload_step(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    window = app.window
    window.mode_box.setCurrentIndex(window.mode_box.findData("assistants"))
    app.add_source(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(
            lambda: states(app) == ["ready"] and "file-" in window.canvas.cards[0].status.text()
        )
        window.composer.setPlainText("Show me the steps")
        app.send()
        await until(lambda: last_answer(app).state == "complete")

    run(loop, scenario)
    steps = [
        (r.method, r.path.split("/")[1], r.note) for r in app.turns[last_answer(app).id].requests
    ]
    assert steps[0] == ("POST", "files", f"upload {photo_path}")
    assert ("GET", "files", "readiness poll") in steps
    assert [s[:2] for s in steps[-3:]] == [
        ("POST", "assistants"),
        ("POST", "threads"),
        ("POST", "threads"),
    ]
