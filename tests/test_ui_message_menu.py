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
    assert [a.text() for a in menu.actions()] == ["Copy", "Quote in reply", "Edit", "Delete"]
    choose(menu, "Copy")
    assert QGuiApplication.clipboard().text() == "Which harbour is this?"
    choose(right_click(row.bubble), "Quote in reply")
    assert app.window.composer.toPlainText() == "> Which harbour is this?\n\n"


def test_the_attach_button_opens_the_file_dialog_and_attaches(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, photo_path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    asked_for: list[str] = []

    def chosen(*args: object) -> tuple[list[str], str]:  # the person picks the photo
        asked_for.append(str(args[1]))
        return [str(photo_path)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", chosen)
    qtbot.mouseClick(app.window.attach_button, Qt.MouseButton.LeftButton)
    assert asked_for == ["Open images"]
    assert [a.label for a in app.workspace.draft] == [str(photo_path)]


def test_the_preview_copies_and_saves_the_image_that_will_be_sent(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, photo_path, tmp_path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QPushButton

    from tests.qt_support import attached, open_preview

    attachment_id = attached(app, loop, photo_path)
    dialog = open_preview(app, attachment_id)
    prepared = app.workspace.draft.get(attachment_id)
    assert prepared is not None and prepared.prepared is not None
    image = prepared.prepared

    def button(text: str) -> QPushButton:
        [found] = [b for b in dialog.findChildren(QPushButton) if b.text() == text]
        return found

    qtbot.mouseClick(button("Copy image"), Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (image.width, image.height)
    target = tmp_path / "sent.jpg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_: (str(target), ""))
    qtbot.mouseClick(button("Save image as…"), Qt.MouseButton.LeftButton)
    assert target.read_bytes() == image.data  # exactly the bytes that will be sent
    assert "Saved sent.jpg" in dialog.info.text()
    dialog.close()


def test_a_conversation_with_its_own_instructions_is_marked_in_the_sidebar(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    from visiondesk.ui.history.sidebar import INSTRUCTED

    asked(app, loop, qtbot, "Plain question")
    app.window.new_action.trigger()
    asked(app, loop, qtbot, "Question with a brief")
    app.workspace.set_instructions("Answer in one sentence, as a pirate.")
    items = [app.window.sidebar.list.item(n) for n in range(app.window.sidebar.list.count())]
    texts = {item.text().splitlines()[0]: item for item in items}
    assert f"{INSTRUCTED}Question with a brief" in texts and "Plain question" in texts
    marked = texts[f"{INSTRUCTED}Question with a brief"]
    assert "Instructions: Answer in one sentence, as a pirate." in marked.toolTip()
