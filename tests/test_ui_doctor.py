"""The "Check a request" dialog alone: paste a broken request, see its problems, select one
in the request, copy the fixed request, open it as a conversation."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests import doctor_corpus as corpus
from visiondesk.doctor import diagnose
from visiondesk.doctor.conversation import DoctorConversation
from visiondesk.domain import ApiMode
from visiondesk.ui.doctor.doctor_dialog import DoctorDialog


def make_dialog(qtbot: QtBot) -> DoctorDialog:
    dialog = DoctorDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def check(qtbot: QtBot, dialog: DoctorDialog, text: str) -> None:
    dialog.request_edit.setPlainText(text)
    with qtbot.waitSignal(dialog.report_changed, timeout=20_000):
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)


def test_problems_are_listed_selected_in_the_request_and_the_fix_copied(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    png = corpus.png()
    text = corpus.curl(
        "https://api.openai.com/v1/chat/completions",
        corpus.chat(corpus.chat_image(corpus.wrapped(png, "image/jpeg"), "medium")),
    )
    check(qtbot, dialog, text)
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


def test_open_in_visiondesk_hands_over_the_question(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    check(
        qtbot, dialog, corpus.thread(corpus.chat_image(corpus.data_url(corpus.png(), "image/png")))
    )
    with qtbot.waitSignal(dialog.open_requested, timeout=5_000) as opened:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    [conversation] = opened.args
    assert isinstance(conversation, DoctorConversation)
    assert conversation.mode is ApiMode.ASSISTANTS and conversation.prompt == "What is this?"
    assert conversation.images == (corpus.png(),)


def test_unusable_input_is_said_plainly(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    check(qtbot, dialog, '{"temperature": 0.2}')
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


def test_deep_nesting_is_said_plainly_and_the_dialog_stays_usable(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    check(qtbot, dialog, "[" * 10_000 + "]" * 10_000)
    assert "nested more than 100 levels deep" in dialog.summary.text()
    assert dialog.check_button.isEnabled() and dialog.problems_list.count() == 0
    check(qtbot, dialog, corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))))
    assert "No problems found." in dialog.summary.text()


def test_the_local_file_a_pasted_curl_read_is_named(qtbot: QtBot, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))))
    dialog = make_dialog(qtbot)
    check(qtbot, dialog, f"curl https://api.openai.com/v1/chat/completions -d @{body}")
    assert f"Read the local file {body}" in dialog.summary.text()
    check(qtbot, dialog, "curl https://api.openai.com/v1/chat/completions -d @/dev/zero")
    assert "/dev/zero is a character device, not a regular file" in dialog.summary.text()
