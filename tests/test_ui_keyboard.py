"""The window with the keyboard: a whole turn without the mouse, focus that comes back to the
question, Ctrl+V wherever focus is, and a question that is never made up."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtCore import QByteArray, QMimeData, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from tests.qt_support import (
    all_ready,
    answered,
    attached,
    last_turn,
    open_preview,
    run,
    states,
    status,
)
from tests.waiting import until
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import AttachmentState, TurnStatus

READY = AttachmentState.READY


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key as a person presses it: to whatever has the focus."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    QTest.keyClick(target, key, modifier)


def type_text(text: str) -> None:
    target = QApplication.focusWidget()
    assert target is not None
    QTest.keyClicks(target, text)


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def bitmap() -> QImage:
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkMagenta)
    return image


def test_a_whole_turn_with_the_keyboard_only(app: Controller, loop: qasync.QEventLoop) -> None:
    window, workspace = app.window, app.workspace
    window.activateWindow()
    CTRL = Qt.KeyboardModifier.ControlModifier

    async def scenario() -> None:
        await until(lambda: focused() is window.composer)
        QGuiApplication.clipboard().setImage(bitmap())
        press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # back to the transcript
        assert focused() is window.transcript
        press(Qt.Key.Key_V, CTRL)  # pastes the image there too, and goes on to the question
        await until(lambda: states(app) == [READY])
        assert focused() is window.composer
        press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # the card's ✕, then back
        assert focused() is window.attachment_row.cards[0].buttons[-1]
        press(Qt.Key.Key_Tab)
        assert focused() is window.composer
        type_text("What colour is it?")
        press(Qt.Key.Key_Return)
        await until(lambda: status(app) is TurnStatus.DONE and answered(app))
        first = workspace.conversation_id
        assert focused() is window.composer and first is not None

        press(Qt.Key.Key_N, CTRL)  # a new conversation: typing goes on in the question
        assert workspace.conversation_id is None and focused() is window.composer
        assert not window.sidebar.list.selectedItems()
        press(Qt.Key.Key_K, CTRL)
        assert focused() is window.sidebar.search
        press(Qt.Key.Key_Tab)
        assert focused() is window.sidebar.list
        press(Qt.Key.Key_Down)  # the highlight opens that conversation (read off the UI thread)
        await until(lambda: workspace.conversation_id == first)
        [highlighted] = window.sidebar.list.selectedItems()
        assert highlighted.data(Qt.ItemDataRole.UserRole) == first
        press(Qt.Key.Key_Return)
        assert focused() is window.composer
        press(Qt.Key.Key_K, CTRL)
        press(Qt.Key.Key_L, CTRL)
        assert focused() is window.composer

    run(loop, scenario)
    turn = last_turn(app)
    assert turn is not None and turn.prompt == "What colour is it?"


def test_an_empty_question_never_sends(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    window, workspace = app.window, app.workspace
    workspace.attachments.add(str(photo_path), str(photo_path))

    async def scenario() -> None:
        await until(lambda: all_ready(app) and len(workspace.draft) == 1)

    run(loop, scenario)
    send = window.send_button
    assert not send.isEnabled() and send.toolTip() == "Type a question first"
    window.composer.setFocus()
    QTest.keyClick(window.composer, Qt.Key.Key_Return)
    QTest.keyClick(send, Qt.Key.Key_Space)
    assert workspace.conversation.send() is None
    assert workspace.transcript.turns == [] and len(workspace.draft) == 1
    QTest.keyClicks(window.composer, "  ")
    assert not send.isEnabled()
    QTest.keyClicks(window.composer, "Why?")
    assert send.isEnabled() and "Enter" in send.toolTip()


def test_ctrl_v_attaches_copied_files_wherever_focus_is(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path, shot_path: Path
) -> None:
    window, workspace = app.window, app.workspace
    window.activateWindow()
    copied = QMimeData()  # what PCManFM puts on the clipboard for two copied files
    listing = f"copy\n{photo_path.as_uri()}\n{shot_path.as_uri()}"
    copied.setData("x-special/gnome-copied-files", QByteArray(listing.encode()))
    QGuiApplication.clipboard().setMimeData(copied)
    window.sidebar.list.setFocus()
    press(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    async def scenario() -> None:
        await until(lambda: states(app) == [READY, READY])

    run(loop, scenario)
    assert [a.label for a in workspace.draft] == [str(photo_path), str(shot_path)]
    assert focused() is window.composer

    QGuiApplication.clipboard().setText("just some words")
    window.sidebar.search.setFocus()
    press(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # a text field keeps its paste
    assert window.sidebar.search.text() == "just some words"
    window.transcript.setFocus()
    press(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "Nothing to attach" in window.statusBar().currentMessage()
    assert len(workspace.draft) == 2


def test_cards_are_compact_and_new_ones_scroll_into_view(
    app: Controller, loop: qasync.QEventLoop, shot_path: Path
) -> None:
    row = app.window.attachment_row
    assert not row.isVisible()  # no empty tray
    app.window.resize(800, 600)
    for _ in range(8):
        app.workspace.attachments.add(str(shot_path), str(shot_path))

    async def scenario() -> None:
        await until(lambda: len(row.cards) == 8 and all_ready(app))
        await until(lambda: not row.cards[-1].visibleRegion().isEmpty())

    run(loop, scenario)
    assert row.isVisible() and row.height() < 120
    assert row.cards[0].visibleRegion().isEmpty()  # scrolled past the first
    for attachment in list(app.workspace.draft):
        app.workspace.attachments.remove(attachment.id)
    assert not row.isVisible()


def test_focus_returns_to_the_question_when_a_dialog_closes(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    from visiondesk.ui.transcript.inspector_dialog import InspectorDialog

    window = app.window
    window.activateWindow()
    window.composer.setFocus()
    QTest.keyClicks(window.composer, "Hello")
    window.send_button.setFocus()
    QTest.keyClick(window.send_button, Qt.Key.Key_Space)

    async def scenario() -> None:
        await until(lambda: status(app) is TurnStatus.DONE and answered(app))
        assert focused() is window.composer  # after Send
        window.sidebar.search.setFocus()
        window.inspect_action.trigger()
        [dialog] = [d for d in window.findChildren(InspectorDialog) if d.isVisible()]
        dialog.activateWindow()
        await until(lambda: QGuiApplication.focusWindow() is dialog.windowHandle())
        dialog.reject()
        await until(lambda: focused() is window.composer)

    run(loop, scenario)


def test_the_crop_rectangle_stays_with_handles_until_applied(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    from PySide6.QtCore import QPoint

    dialog = open_preview(app, attached(app, loop, photo_path))
    dialog.crop_button.click()
    viewport = dialog.view.viewport()
    start = dialog.view.mapFromScene(0, 0) + QPoint(20, 20)
    end = start + QPoint(120, 90)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(viewport, start + QPoint(60, 45))
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    frame = dialog.crop_frame
    assert frame.isVisible() and dialog.apply_button.isEnabled()  # still there after release
    assert dialog.selection is not None and dialog.selection == frame.rect()
    assert all(handle.isVisible() for handle in frame.handles)
    drawn = frame.rect()
    grab = dialog.view.mapFromScene(frame.handles[2].scenePos())  # the bottom-right handle
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=grab)
    QTest.mouseMove(viewport, grab + QPoint(20, 15))
    QTest.mouseMove(viewport, grab + QPoint(40, 30))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=grab + QPoint(40, 30))
    assert frame.rect().width() > drawn.width() and dialog.selection == frame.rect()
    dialog.apply_button.click()

    async def cropped() -> None:
        await until(lambda: app.workspace.draft.items[0].crop is not None and all_ready(app))

    run(loop, cropped)
