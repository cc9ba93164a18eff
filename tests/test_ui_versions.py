"""Versions of an answer (‹ 2/3 ›) and Delete with Undo, driven in the window as a person does:
right-click → Regenerate / Edit / Delete, click ‹ ›, Tab and Space, Undo; the next request the
emulator receives continues from what is shown."""

from __future__ import annotations

from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.qt_support import answered, last_turn, run, wait_opened
from tests.test_ui_message_menu import asked, choose, right_click
from tests.waiting import until
from visiondesk.domain import ApiMode
from visiondesk.ui.transcript.deleted_line import DeletedLine
from visiondesk.ui.transcript.rows import TurnRow
from visiondesk.ui.transcript.version_switch import ONLY_LAST
from visiondesk.ui.widgets.text_dialog import TextDialog
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace.transcript import Deleted, Notice, Turn


def row_of(app: Controller, turn_id: int) -> TurnRow:
    view = app.window.transcript
    view.finish_building()
    row = view.rows[turn_id]
    assert isinstance(row, TurnRow)
    return row


def last_row(app: Controller) -> TurnRow:
    turn = last_turn(app)
    assert turn is not None
    return row_of(app, turn.id)


def settle(app: Controller, loop: qasync.QEventLoop) -> None:
    async def done() -> None:
        await until(lambda: answered(app))

    run(loop, done)


def regenerate(app: Controller, loop: qasync.QEventLoop) -> TurnRow:
    """Right-click the last answer → Regenerate, until the new version has answered."""
    before = last_turn(app)
    choose(right_click(last_row(app).answer), "Regenerate")

    async def done() -> None:
        await until(lambda: getattr(last_turn(app), "id", None) != getattr(before, "id", None))
        await until(lambda: answered(app))

    run(loop, done)
    return last_row(app)


def edit(app: Controller, loop: qasync.QEventLoop, text: str) -> TurnRow:
    """Right-click the last question → Edit, type, Send; until the new version has answered."""
    before = last_turn(app)
    choose(right_click(last_row(app).bubble), "Edit")
    [dialog] = [d for d in app.window.findChildren(TextDialog) if d.isVisible()]
    dialog.editor.setPlainText(text)
    dialog.main_button.click()

    async def done() -> None:
        await until(lambda: getattr(last_turn(app), "id", None) != getattr(before, "id", None))
        await until(lambda: answered(app))

    run(loop, done)
    return last_row(app)


def model_requests(app: Controller) -> list[Any]:
    emulator = app.workspace.connections.emulator
    assert emulator is not None
    return [r.body for r in emulator.log if r.path.endswith(("/chat/completions", "/responses"))]


def chat_texts(body: Any) -> list[str]:
    """The words of every message of a Chat Completions body, in order."""
    texts = []
    for message in body["messages"]:
        content = message["content"]
        if isinstance(content, str):
            texts.append(content)
        else:
            texts += [part.get("text", "") for part in content if part.get("type") == "text"]
    return texts


def test_regenerate_from_the_menu_makes_a_version_switched_by_click_and_keyboard(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    first = asked(app, loop, qtbot, "Which harbour is this?")
    assert not first.answer.versions.isVisibleTo(first)  # one version: no ‹ ›
    original = last_turn(app)
    row = regenerate(app, loop)
    switch = row.answer.versions
    transcript = app.workspace.transcript
    assert len(transcript.turns) == 1  # in the same place, not a turn below
    assert switch.isVisibleTo(row) and switch.count.text() == "2/2"
    assert "‹ 2/2 ›" in app.window.transcript.toPlainText()
    assert switch.previous.accessibleName() == "Previous version" and switch.previous.toolTip()
    assert switch.next.accessibleName() == "Next version"
    assert switch.previous.isEnabled() and not switch.next.isEnabled()

    qtbot.mouseClick(switch.previous, Qt.MouseButton.LeftButton)
    assert original is not None and transcript.turns == [original]  # version 1, as it was
    switch = last_row(app).answer.versions
    assert switch.count.text() == "1/2" and switch.next.isEnabled()

    switch.next.setFocus(Qt.FocusReason.TabFocusReason)  # keyboard: the button, then Space
    qtbot.keyClick(switch.next, Qt.Key.Key_Space)
    assert [t.id for t in transcript.turns] != [original.id]
    assert last_row(app).answer.versions.count.text() == "2/2"


def test_only_the_last_exchange_switches_and_says_why(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    asked(app, loop, qtbot, "First")
    regenerate(app, loop)
    earlier = last_turn(app)
    assert earlier is not None
    asked(app, loop, qtbot, "Second")
    switch = row_of(app, earlier.id).answer.versions
    assert switch.count.text() == "2/2" and not switch.previous.isEnabled()
    assert ONLY_LAST in switch.previous.toolTip() and ONLY_LAST in switch.count.toolTip()
    assert app.workspace.exchanges.show_version(earlier.id, earlier.id - 1) is False


@pytest.mark.parametrize("mode", [ApiMode.CHAT, ApiMode.RESPONSES])
def test_the_next_question_continues_from_the_version_shown(
    mode: ApiMode, app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    app.workspace.set_mode(mode)
    asked(app, loop, qtbot, "Name a colour")
    version_1 = last_turn(app)
    row = edit(app, loop, "Name a fruit")
    assert row.answer.versions.count.text() == "2/2"
    qtbot.mouseClick(row.answer.versions.previous, Qt.MouseButton.LeftButton)
    assert last_turn(app) == version_1
    asked(app, loop, qtbot, "And another?")
    body = model_requests(app)[-1]
    if mode is ApiMode.CHAT:
        words = chat_texts(body)
        assert "Name a colour" in words and "Name a fruit" not in words
        assert version_1 is not None and version_1.answer in words
    else:
        assert version_1 is not None and version_1.response_id
        assert body["previous_response_id"] == version_1.response_id
    answer = last_turn(app)
    assert answer is not None and "1 earlier turn(s)" in answer.answer


def test_versions_come_back_on_reopening(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    workspace = app.workspace
    asked(app, loop, qtbot, "Name a colour")
    row = edit(app, loop, "Name a fruit")
    qtbot.mouseClick(row.answer.versions.previous, Qt.MouseButton.LeftButton)  # 1/2 shown
    conversation = workspace.conversation_id
    assert conversation is not None
    app.window.new_action.trigger()
    app.window.sidebar.open_requested.emit(conversation)
    wait_opened(app, loop)
    [shown] = workspace.transcript.turns
    assert shown.prompt == "Name a colour"
    switch = row_of(app, shown.id).answer.versions
    assert switch.count.text() == "1/2" and switch.next.isEnabled()
    qtbot.mouseClick(switch.next, Qt.MouseButton.LeftButton)
    assert [t.prompt for t in workspace.transcript.turns] == ["Name a fruit"]
    asked(app, loop, qtbot, "And another?")
    words = chat_texts(model_requests(app)[-1])
    assert "Name a fruit" in words and "Name a colour" not in words
    exported = workspace.library.export("md", app.workspace.history.folder / "export")
    text = exported.read_text()
    assert "## You\n\nName a fruit" in text  # the version shown, not the other
    assert "## You\n\nName a colour" not in text


def test_delete_from_the_menu_then_undo_then_delete_for_good(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    workspace = app.workspace
    history = workspace.history
    for prompt in ("One harbour", "Two lighthouses", "Three boats"):
        asked(app, loop, qtbot, prompt)
    one, two, three = workspace.transcript.turns
    conversation = workspace.conversation_id
    assert conversation is not None

    def stored() -> list[str]:
        return [m.text for m in history.messages(conversation) if m.role == "user"]

    choose(right_click(row_of(app, two.id).answer), "Delete")
    assert [t.prompt for t in workspace.transcript.turns] == ["One harbour", "Three boats"]
    view = app.window.transcript
    [line] = [r for r in view.rows.values() if isinstance(r, DeletedLine)]
    assert "Message deleted" in view.toPlainText()
    items = [item for item in workspace.transcript.items if not isinstance(item, Notice)]
    assert [type(item) for item in items] == [Turn, Deleted, Turn]  # in its place
    assert stored() == ["One harbour", "Three boats"]
    assert workspace.library.conversations("lighthouses") == []  # search no longer finds it

    qtbot.mouseClick(line.undo, Qt.MouseButton.LeftButton)
    assert workspace.transcript.turns == [one, two, three]
    assert stored() == ["One harbour", "Two lighthouses", "Three boats"]

    choose(right_click(row_of(app, two.id).bubble), "Delete")
    [line] = [r for r in view.rows.values() if isinstance(r, DeletedLine)]
    qtbot.mouseClick(line.dismiss, Qt.MouseButton.LeftButton)
    assert not any(isinstance(item, Deleted) for item in workspace.transcript.items)
    assert stored() == ["One harbour", "Three boats"]

    asked(app, loop, qtbot, "Four?")
    words = chat_texts(model_requests(app)[-1])
    assert "One harbour" in words and "Three boats" in words
    assert "Two lighthouses" not in words and two.answer not in words


def test_delete_and_undo_by_keyboard(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    workspace = app.workspace
    asked(app, loop, qtbot, "One harbour")
    row = asked(app, loop, qtbot, "Two lighthouses")
    one, two = workspace.transcript.turns
    row.answer.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(row.answer, Qt.Key.Key_Delete)
    assert workspace.transcript.turns == [one]
    [line] = [r for r in app.window.transcript.rows.values() if isinstance(r, DeletedLine)]
    assert line.undo.focusPolicy() & Qt.FocusPolicy.TabFocus
    line.undo.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(line.undo, Qt.Key.Key_Space)
    assert workspace.transcript.turns == [one, two]
    QApplication.processEvents()


def test_a_turn_still_answering_offers_no_delete(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    emulator = app.workspace.connections.emulator
    assert emulator is not None
    emulator.knobs.token_delay = 0.05
    qtbot.keyClicks(app.window.composer, "Tell me slowly")
    qtbot.keyClick(app.window.composer, Qt.Key.Key_Return)

    async def streaming() -> None:
        await until(lambda: len(getattr(last_turn(app), "answer", "")) > 5)

    run(loop, streaming)
    row = last_row(app)
    assert "Delete" not in [a.text() for a in right_click(row.bubble).actions()]
    turn = last_turn(app)
    assert turn is not None and app.workspace.exchanges.delete(turn.id) is None
    assert workspace_turns(app) == [turn.id]
    emulator.knobs.token_delay = 0.0
    settle(app, loop)


def workspace_turns(app: Controller) -> list[int]:
    return [t.id for t in app.workspace.transcript.turns]


def test_find_passes_over_a_deleted_exchange(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    """A deleted exchange's Undo line holds no words: find counts only what reads, before and
    after Undo."""
    workspace = app.workspace
    for prompt in ("Harbour one", "Harbour two", "Harbour three"):
        asked(app, loop, qtbot, prompt)
    _, two, _ = workspace.transcript.turns
    choose(right_click(row_of(app, two.id).answer), "Delete")
    window = app.window
    qtbot.keyClick(window.composer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.field, "harbour two")

    async def counted(words: str) -> None:
        await until(lambda: window.find_bar.count.text() == words, 3)

    run(loop, lambda: counted("No matches"))
    [line] = [r for r in window.transcript.rows.values() if isinstance(r, DeletedLine)]
    qtbot.mouseClick(line.undo, Qt.MouseButton.LeftButton)

    async def found_again() -> None:
        await until(lambda: window.find_bar.count.text().startswith("1 of "), 3)

    run(loop, found_again)
