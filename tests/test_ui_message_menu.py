"""A message's right-click menu, as ChatGPT's desktop app and Chatbox have it: Copy (as it
reads), Copy as Markdown, Quote in reply, and what its buttons do (Edit, Regenerate, …)."""

from __future__ import annotations

import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from tests.qt_support import answered, last_turn, run
from tests.waiting import until
from visiondesk.ui.transcript.message_widgets import Message
from visiondesk.ui.transcript.rows import TurnRow
from visiondesk.ui.window.controller import Controller


def asked(app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, prompt: str) -> TurnRow:
    qtbot.keyClicks(app.window.composer, prompt)
    qtbot.keyClick(app.window.composer, Qt.Key.Key_Return)

    async def done() -> None:
        await until(lambda: answered(app))

    run(loop, done)
    turn = last_turn(app)
    assert turn is not None
    view = app.window.transcript
    view.finish_building()
    row = view.rows[turn.id]
    assert isinstance(row, TurnRow)
    return row


def right_click(message: Message) -> QMenu:
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, QPoint(10, 10), message.mapToGlobal(QPoint(10, 10))
    )
    QApplication.sendEvent(message, event)
    menu = message.menu
    assert isinstance(menu, QMenu)
    return menu


def choose(menu: QMenu, label: str) -> None:
    [action] = [a for a in menu.actions() if a.text() == label]
    action.trigger()
    menu.close()


def test_the_answer_menu_copies_as_it_reads_or_as_markdown_and_quotes(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    row = asked(app, loop, qtbot, "What is **this**?")
    turn = last_turn(app)
    assert turn is not None
    menu = right_click(row.answer)
    labels = [a.text() for a in menu.actions()]
    assert labels[:3] == ["Copy", "Copy as Markdown", "Quote in reply"]
    assert "Regenerate" in labels and "Inspect request" in labels
    choose(menu, "Copy as Markdown")
    assert QGuiApplication.clipboard().text() == turn.answer
    choose(right_click(row.answer), "Copy")
    plain = QGuiApplication.clipboard().text()
    assert plain and "**" not in plain and "|" not in plain  # as it reads: no Markdown marks
    qtbot.keyClicks(app.window.composer, "About this:")
    choose(right_click(row.answer), "Quote in reply")
    text = app.window.composer.toPlainText()
    assert text.startswith("About this:\n\n> ") and text.endswith("\n\n")
    assert app.workspace.text == text  # the workspace owns the question being written


def test_the_question_menu_copies_quotes_and_edits(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    row = asked(app, loop, qtbot, "Which harbour is this?")
    menu = right_click(row.bubble)
    assert [a.text() for a in menu.actions()] == ["Copy", "Quote in reply", "Edit"]
    choose(menu, "Copy")
    assert QGuiApplication.clipboard().text() == "Which harbour is this?"
    choose(right_click(row.bubble), "Quote in reply")
    assert app.window.composer.toPlainText() == "> Which harbour is this?\n\n"
