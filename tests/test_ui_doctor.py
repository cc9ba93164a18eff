"""The "Check a request" dialog alone: paste a broken request, see its problems, select one
in the request, copy the fixed request, open it as a conversation. The check is a job: one that
fails says so and Check works again; closing the dialog stops waiting for one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests import doctor_corpus as corpus
from tests.qt_support import run
from tests.waiting import until
from visiondesk.doctor import diagnose
from visiondesk.doctor.conversation import DoctorConversation
from visiondesk.domain import ApiMode
from visiondesk.ui.doctor.doctor_dialog import DoctorDialog


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    """A window for the dialog to open over, as Tools → Check a request does (closing the
    dialog then leaves a window open, and the event loop running)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def make_dialog(window: QWidget) -> DoctorDialog:
    dialog = DoctorDialog(window)
    dialog.show()
    return dialog


def check(qtbot: QtBot, loop: qasync.QEventLoop, dialog: DoctorDialog, text: str) -> None:
    """Paste `text`, press Check, and wait until the dialog shows how the check ended."""
    dialog.request_edit.setPlainText(text)
    ended: list[bool] = []
    dialog.report_changed.connect(lambda: ended.append(True))

    async def scenario() -> None:
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
        assert dialog.checking and not dialog.check_button.isEnabled()
        await until(lambda: ended and not dialog.checking, timeout=20)

    run(loop, scenario)
    assert dialog.check_button.isEnabled()


def test_problems_are_listed_selected_in_the_request_and_the_fix_copied(
    qtbot: QtBot, loop: qasync.QEventLoop, window: QWidget
) -> None:
    dialog = make_dialog(window)
    png = corpus.png()
    text = corpus.curl(
        "https://api.openai.com/v1/chat/completions",
        corpus.chat(corpus.chat_image(corpus.wrapped(png, "image/jpeg"), "medium")),
    )
    check(qtbot, loop, dialog, text)
    rows = [dialog.problems_list.item(i).text() for i in range(dialog.problems_list.count())]
    assert [row.split(" · ")[1] for row in rows] == [
        "bad_detail",
        "base64_whitespace",
        "mime_mismatch",
    ]
    assert "Supported values are" in rows[0]
    marked = {m.cursor.selectedText() for m in dialog.request_edit.extraSelections()}
    assert '"medium"' in marked and len(marked) == 2  # the detail and the data URL
    dialog.problems_list.setCurrentRow(0)
    assert dialog.request_edit.textCursor().selectedText() == '"medium"'
    dialog.problems_list.setCurrentRow(1)
    assert dialog.request_edit.textCursor().selectedText().startswith('"data:image/jpeg;base64,')
    assert dialog.images_list.count() == 1
    assert not dialog.images_list.item(0).icon().isNull()
    assert "300×200" in dialog.images_list.item(0).text()
    assert dialog.copy_fixed_button.isEnabled()
    qtbot.mouseClick(dialog.copy_fixed_button, Qt.MouseButton.LeftButton)
    fixed = json.loads(QApplication.clipboard().text())
    assert diagnose(json.dumps(fixed)).problems == []
    qtbot.mouseClick(dialog.copy_python_button, Qt.MouseButton.LeftButton)
    code = QApplication.clipboard().text()
    compile(code, "snippet.py", "exec")
    assert "client.chat.completions.create(**body)" in code


def test_open_in_visiondesk_hands_over_the_question(
    qtbot: QtBot, loop: qasync.QEventLoop, window: QWidget
) -> None:
    dialog = make_dialog(window)
    request = corpus.thread(corpus.chat_image(corpus.data_url(corpus.png(), "image/png")))
    check(qtbot, loop, dialog, request)
    with qtbot.waitSignal(dialog.open_requested, timeout=5_000) as opened:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    [conversation] = opened.args
    assert isinstance(conversation, DoctorConversation)
    assert conversation.mode is ApiMode.ASSISTANTS and conversation.prompt == "What is this?"
    assert conversation.images == (corpus.png(),)


def test_unusable_input_is_said_plainly(
    qtbot: QtBot, loop: qasync.QEventLoop, window: QWidget
) -> None:
    dialog = make_dialog(window)
    check(qtbot, loop, dialog, '{"temperature": 0.2}')
    assert "--endpoint" in dialog.summary.text()
    assert dialog.problems_list.count() == 0
    assert not dialog.copy_fixed_button.isEnabled() and not dialog.open_button.isEnabled()


def test_tools_menu_opens_the_doctor_and_its_request_becomes_a_conversation(
    app: object, loop: object
) -> None:
    import asyncio

    from tests.waiting import until
    from visiondesk.ui.window.controller import Controller

    assert isinstance(app, Controller)
    assert isinstance(loop, asyncio.AbstractEventLoop)
    app.window.check_request_action.trigger()
    [dialog] = [d for d in app.window.findChildren(DoctorDialog) if d.isVisible()]
    request = corpus.thread(corpus.chat_image(corpus.data_url(corpus.png(), "image/png")))
    dialog.request_edit.setPlainText(request)
    dialog.check_button.click()
    workspace = app.workspace

    async def opened() -> None:
        await until(lambda: dialog.open_button.isEnabled())
        dialog.open_button.click()
        await until(lambda: len(workspace.draft) == 1 and workspace.draft.items[0].prepared)

    loop.run_until_complete(asyncio.wait_for(opened(), 30))
    assert workspace.settings.mode is ApiMode.ASSISTANTS
    assert app.window.composer.toPlainText() == "What is this?"
    assert workspace.transcript.turns == [] and workspace.conversation_id is None


def test_a_check_that_fails_says_so_and_check_works_again(
    qtbot: QtBot, loop: qasync.QEventLoop, window: QWidget, tmp_path: Path
) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(b"\xff\xfe not text")  # curl sends the bytes; the doctor cannot read them
    dialog = make_dialog(window)
    check(qtbot, loop, dialog, f"curl https://api.openai.com/v1/chat/completions -d @{body}")
    assert dialog.summary.text().endswith(f"{body} is not UTF-8 text.")  # said, not stuck
    assert dialog.report is None and not dialog.open_button.isEnabled()
    assert dialog.check_button.isEnabled()
    body.write_text(corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))))
    check(qtbot, loop, dialog, dialog.request_edit.toPlainText())  # one click again
    assert dialog.report is not None and dialog.open_button.isEnabled()


def test_closing_the_dialog_stops_its_check(
    qtbot: QtBot, loop: qasync.QEventLoop, window: QWidget
) -> None:
    dialog = make_dialog(window)
    dialog.request_edit.setPlainText(
        corpus.chat(corpus.chat_image(corpus.data_url(corpus.big_photo(), "image/jpeg")))
    )
    shown: list[bool] = []
    dialog.report_changed.connect(lambda: shown.append(True))

    async def scenario() -> None:
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
        assert dialog.checking and dialog.summary.text() == "Checking…"
        [close] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Close"]
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)  # at once, before it could end
        await until(lambda: not dialog.checking)

    run(loop, scenario)
    assert not dialog.isVisible() and not shown  # stopped: no late report into a closed dialog


def test_deep_nesting_is_said_plainly_and_the_dialog_stays_usable(
    qtbot: QtBot, loop: qasync.QEventLoop, window: QWidget
) -> None:
    dialog = make_dialog(window)
    check(qtbot, loop, dialog, "[" * 10_000 + "]" * 10_000)
    assert "nested more than 100 levels deep" in dialog.summary.text()
    assert dialog.check_button.isEnabled() and dialog.problems_list.count() == 0
    check(
        qtbot,
        loop,
        dialog,
        corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))),
    )
    assert "No problems found." in dialog.summary.text()


def test_the_local_file_a_pasted_curl_read_is_named(
    qtbot: QtBot, loop: qasync.QEventLoop, window: QWidget, tmp_path: Path
) -> None:
    body = tmp_path / "body.json"
    body.write_text(corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))))
    dialog = make_dialog(window)
    check(qtbot, loop, dialog, f"curl https://api.openai.com/v1/chat/completions -d @{body}")
    assert f"Read the local file {body}" in dialog.summary.text()
    check(qtbot, loop, dialog, "curl https://api.openai.com/v1/chat/completions -d @/dev/zero")
    assert "/dev/zero is a character device, not a regular file" in dialog.summary.text()
