"""The mark-up editor in the real window, driven as a person does: open it from the card's
menu, draw with the mouse, select, move and resize by keyboard, undo, redo, delete, reset, and
Apply: the attachment's marks are in the original's pixels and it is prepared again."""

from __future__ import annotations

from pathlib import Path

import qasync
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.qt_support import attached, run, states
from tests.waiting import until
from visiondesk.marks import Marks, Rectangle, Redact
from visiondesk.ui.markup.canvas import MarkupCanvas, Tool
from visiondesk.ui.markup.markup_dialog import MarkupDialog
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import AttachmentState

ORIGINAL = (4000, 3000)


def big_picture(path: Path) -> Path:
    Image.new("RGB", ORIGINAL, (200, 210, 220)).save(path, "PNG")
    return path


def drag(canvas: MarkupCanvas, start: QPoint, end: QPoint) -> None:
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(canvas, (start + end) / 2)
    QTest.mouseMove(canvas, end)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)


def widget_point(canvas: MarkupCanvas, x: int, y: int) -> QPoint:
    return canvas.to_widget((x, y)).toPoint()


def open_editor(app: Controller, qtbot: QtBot, attachment_id: int) -> MarkupDialog:
    card = app.window.attachment_row.card(attachment_id)
    assert card is not None
    from tests.test_ui_marked_cards import card_menu

    [action] = [a for a in card_menu(card).actions() if a.text() == "Mark up…"]
    action.trigger()
    [dialog] = [d for d in app.window.findChildren(MarkupDialog) if d.isVisible()]
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    return dialog


def test_draw_edit_undo_and_apply_in_original_pixels(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, tmp_path: Path
) -> None:
    attachment_id = attached(app, loop, big_picture(tmp_path / "big.png"))
    dialog = open_editor(app, qtbot, attachment_id)
    canvas = dialog.canvas
    assert "px as sent" in dialog.sent_width.text()
    drag(canvas, widget_point(canvas, 400, 300), widget_point(canvas, 1600, 1200))
    [rectangle] = dialog.history.marks.items
    assert isinstance(rectangle, Rectangle)
    left, _top, right, bottom = rectangle.box
    step = ORIGINAL[0] / canvas.width() * 2  # a widget pixel or two, in original pixels
    assert abs(left - 400) <= step and abs(right - 1600) <= step and abs(bottom - 1200) <= step
    dialog.choose(Tool.REDACT)
    drag(canvas, widget_point(canvas, 2000, 2000), widget_point(canvas, 3000, 2500))
    assert len(dialog.history.marks) == 2 and canvas.selected == 1
    QTest.keyClick(canvas, Qt.Key.Key_Right)  # the redaction moves 1 px
    QTest.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # 1 px taller
    redact = dialog.history.marks.items[1]
    assert isinstance(redact, Redact)
    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    undone = dialog.history.marks.items[1]
    assert isinstance(undone, Redact) and undone.box == (
        redact.box[0] - 1,
        redact.box[1],
        redact.box[2] - 1,
        redact.box[3] - 1,
    )
    QTest.keyClick(canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert dialog.history.marks.items[1] == redact
    dialog.choose(Tool.SELECT)
    before = dialog.history.marks
    drag(canvas, widget_point(canvas, 2500, 2200), widget_point(canvas, 2700, 2300))
    dragged = dialog.history.marks.items[1]
    assert isinstance(dragged, Redact) and dragged.box[0] > redact.box[0] + 100
    dialog.undo_button.click()  # the whole drag is one step
    assert dialog.history.marks == before
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=widget_point(canvas, 400, 700))
    assert canvas.selected == 0  # the rectangle's left edge
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert dialog.history.marks == Marks((redact,))
    dialog.reset_button.click()
    assert dialog.history.marks == Marks()
    dialog.undo_button.click()
    dialog.apply_button.click()

    async def prepared() -> None:
        await until(lambda: states(app) == [AttachmentState.READY])
        await until(lambda: app.workspace.draft.get(attachment_id).marks == Marks((redact,)))  # type: ignore[union-attr]

    run(loop, prepared)
    attachment = app.workspace.draft.get(attachment_id)
    assert attachment is not None and attachment.redacted is not None
    card = app.window.attachment_row.card(attachment_id)
    assert card is not None and card.status.toolTip() == "Ready · redacted"


def test_cancel_changes_nothing(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, shot_path: Path
) -> None:
    attachment_id = attached(app, loop, shot_path)
    dialog = open_editor(app, qtbot, attachment_id)
    canvas = dialog.canvas
    drag(canvas, QPoint(100, 100), QPoint(200, 180))
    assert dialog.history.marks
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    attachment = app.workspace.draft.get(attachment_id)
    assert attachment is not None and not attachment.marks
