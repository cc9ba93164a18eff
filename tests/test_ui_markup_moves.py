"""The mark-up editor's moves as a person makes them: a mouse drag of a mark is one undo step
however many moves it takes; Tab cycles the selection, Ctrl+arrows move 10 px, Ctrl+Shift+Z
redoes, callouts number themselves on, any colour can be picked, and the preview's
"Mark up…" leads to a redaction that is prepared again."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QColorDialog, QPushButton
from pytestqt.qtbot import QtBot

from tests.qt_support import attached, open_preview, run, states
from tests.test_ui_markup import ORIGINAL, big_picture, drag, open_editor, widget_point
from tests.waiting import until
from visiondesk.mark_edits import moved
from visiondesk.marks import Arrow, Callout, Marks, Rectangle, Redact
from visiondesk.ui.markup.canvas import Tool
from visiondesk.ui.markup.markup_dialog import MarkupDialog
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import AttachmentState

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_drag_is_one_undo_step(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_editor(app, qtbot, attached(app, loop, big_picture(tmp_path / "big.png")))
    canvas = dialog.canvas
    drag(canvas, widget_point(canvas, 400, 300), widget_point(canvas, 1600, 1200))
    [drawn] = dialog.history.marks.items
    dialog.choose(Tool.SELECT)
    start = widget_point(canvas, 400, 700)  # on the left edge
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        QTest.mouseMove(canvas, start + QPoint(step * 10, step * 5))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(50, 25))
    [dragged] = dialog.history.marks.items
    assert dragged != drawn
    QTest.keyClick(canvas, Qt.Key.Key_Z, CTRL)
    assert dialog.history.marks == Marks((drawn,))
    QTest.keyClick(canvas, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert dialog.history.marks == Marks((dragged,))


def test_tab_cycles_ctrl_moves_ten_and_callouts_count_on(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_editor(app, qtbot, attached(app, loop, big_picture(tmp_path / "big.png")))
    canvas = dialog.canvas
    dialog.choose(Tool.ARROW)
    drag(canvas, widget_point(canvas, 500, 500), widget_point(canvas, 1500, 1000))
    dialog.choose(Tool.CALLOUT)
    for x in (2000, 2600):
        QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=widget_point(canvas, x, 2000))
    arrow, first, second = dialog.history.marks.items
    assert isinstance(arrow, Arrow) and isinstance(first, Callout) and isinstance(second, Callout)
    assert (first.number, second.number) == (1, 2)
    QTest.keyClick(canvas, Qt.Key.Key_Tab)  # from the last callout round to the arrow
    assert canvas.selected == 0
    QTest.keyClick(canvas, Qt.Key.Key_Right, CTRL)
    assert dialog.history.marks.items[0] == moved(arrow, 10, 0)


def test_other_colour_comes_from_the_colour_dialog(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = open_editor(app, qtbot, attached(app, loop, big_picture(tmp_path / "big.png")))

    def choose() -> None:
        picker = QApplication.activeModalWidget()
        assert isinstance(picker, QColorDialog)
        picker.setCurrentColor(QColor(12, 34, 56))
        picker.accept()

    QTimer.singleShot(0, choose)
    [other] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Other colour…"]
    other.click()
    assert dialog.colour_box.currentText() == "Chosen"
    canvas = dialog.canvas
    drag(canvas, widget_point(canvas, 400, 300), widget_point(canvas, 1600, 1200))
    [drawn] = dialog.history.marks.items
    assert isinstance(drawn, Rectangle) and drawn.colour == (12, 34, 56)


def test_mark_up_from_the_preview_redacts_and_prepares_again(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, tmp_path: Path
) -> None:
    attachment_id = attached(app, loop, big_picture(tmp_path / "big.png"))
    preview = open_preview(app, attachment_id)
    [mark_up] = [b for b in preview.findChildren(QPushButton) if b.text() == "Mark up…"]
    mark_up.click()
    [dialog] = [d for d in app.window.findChildren(MarkupDialog) if d.isVisible()]
    qtbot.waitExposed(dialog)
    assert not preview.isVisible()
    dialog.choose(Tool.REDACT)
    canvas = dialog.canvas
    drag(canvas, widget_point(canvas, 1000, 1000), widget_point(canvas, 2000, 1500))
    dialog.apply_button.click()

    async def prepared() -> None:
        await until(lambda: bool(marks_of(app, attachment_id).redactions))
        await until(lambda: states(app) == [AttachmentState.READY])

    run(loop, prepared)
    [redact] = marks_of(app, attachment_id).items
    assert isinstance(redact, Redact)
    step = ORIGINAL[0] / canvas.width() * 2
    assert all(
        abs(edge - want) <= step
        for edge, want in zip(redact.box, (1000, 1000, 2000, 1500), strict=True)
    )


def marks_of(app: Controller, attachment_id: int) -> Marks:
    attachment = app.workspace.draft.get(attachment_id)
    assert attachment is not None
    return attachment.marks
