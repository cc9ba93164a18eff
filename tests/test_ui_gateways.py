"""What is not the API, as the window shows it: a web page where the API should be is named on
the turn (failed, saved, Retry) and next to the profile; a silent server is waited for out loud."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.qt_support import all_ready, answered, last_turn, run
from tests.waiting import until
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import ConnectionState, TurnStatus


def test_a_web_page_is_named_on_the_turn_and_beside_the_profile(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    workspace = app.workspace
    emulator = workspace.connections.emulator
    assert emulator is not None
    workspace.attachments.add(str(photo_path), str(photo_path))
    line = (
        f"{emulator.base_url} answered with a web page (text/html), not the OpenAI API. "
        "Check the base URL (it usually ends in /v1)."
    )

    async def scenario() -> None:
        await until(lambda: workspace.status.state is ConnectionState.CONNECTED)
        await until(lambda: all_ready(app))
        emulator.knobs.serve_html = True
        QTest.keyClicks(app.window.composer, "Is this the API?")
        QTest.keyClick(app.window.composer, Qt.Key.Key_Return)
        await until(lambda: answered(app))
        workspace.connection.capabilities.forget(workspace.profile)
        workspace.probe()
        await until(lambda: workspace.status.state is ConnectionState.FAILED)

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None and turn.status is TurnStatus.FAILED and turn.error == line
    assert line in app.window.transcript.toPlainText()
    assert app.window.connection_label.text() == f"Local emulator: {line}"
    assert app.window.composer.toPlainText() == "Is this the API?" and len(workspace.draft) == 1
    assert workspace.conversation_id is not None
    _question, answer = workspace.history.messages(workspace.conversation_id)
    assert answer.status == "failed" and answer.error == line


def test_a_silent_server_is_waited_for_out_loud(app: Controller, loop: qasync.QEventLoop) -> None:
    from dataclasses import replace

    workspace = app.workspace
    emulator = workspace.connections.emulator
    assert emulator is not None
    quick = replace(workspace.profiles["emulator"], read_timeout=0.4)
    workspace.update_profiles({"emulator": quick}, workspace.app_settings)
    seen: list[float] = []

    async def scenario() -> None:
        await until(lambda: workspace.status.state is ConnectionState.CONNECTED)
        workspace.transcript.changed.connect(
            lambda item: seen.append(getattr(item, "waiting", 0.0))
        )
        emulator.knobs.never_answer = True
        workspace.set_text("Anyone there?")
        workspace.conversation.send()
        await until(lambda: answered(app), timeout=20)

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None and turn.status is TurnStatus.FAILED
    assert turn.error.startswith(f"No answer from {emulator.base_url}")
    assert any(seconds > 0 for seconds in seen)  # the wait was shown on the answer
