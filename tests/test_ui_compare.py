"""Compare in the window, driven as a person does: File → Compare models…, choose the columns,
type, Enter; the columns answer side by side, each header saying what its model saw and what
it cost; a follow-up goes to every column; blind mode names the columns after a pick; narrow,
the columns stack."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.qt_support import all_ready, run
from tests.waiting import until
from visiondesk.domain import ApiMode, Detail
from visiondesk.ui.compare.compare_view import Arrangement
from visiondesk.ui.compare.setup_dialog import CompareSetupDialog
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import ConnectionState
from visiondesk.workspace.comparing import ColumnStatus


def choose_columns(
    app: Controller, *, blind: bool = False, accept: bool = True
) -> CompareSetupDialog:
    """File → Compare models…: the current settings and the same at low detail, then Compare."""
    shift_control = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(app.window.composer, Qt.Key.Key_M, shift_control)
    dialog = app.compare_view.dialog
    assert dialog is not None and dialog.isVisible()
    first, second = dialog.rows
    first.detail.setCurrentIndex(first.detail.findData(Detail.HIGH.value))
    assert second.detail.currentData() == Detail.LOW.value  # offered: the same model at low detail
    dialog.blind_box.setChecked(blind)
    if accept:
        dialog.accept()
    return dialog


def ask(app: Controller, loop: qasync.QEventLoop, prompt: str, photo: Path | None) -> None:
    workspace = app.workspace
    if photo is not None:
        workspace.attachments.add(str(photo), str(photo))

    async def scenario() -> None:
        await until(lambda: workspace.status.state is ConnectionState.CONNECTED)
        await until(lambda: all_ready(app))
        composer = app.window.composer
        composer.setFocus()
        QTest.keyClicks(composer, prompt)
        QTest.keyClick(composer, Qt.Key.Key_Return)
        await until(lambda: workspace.compare.busy)
        await until(lambda: not workspace.compare.busy)

    run(loop, scenario)


def test_two_columns_answer_side_by_side_with_what_each_saw(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    window = app.window
    window.resize(1200, 800)
    choose_columns(app)
    view = app.compare_view.view
    assert view.isVisible() and not window.transcript.isVisible()
    ask(app, loop, "What is in the picture?", photo_path)
    high, low = view.columns
    assert "· high detail" in high.title.text() and "· low detail" in low.title.text()
    assert "768×1024, 2×2 tiles, 765 tokens" in high.seen.text()
    assert "384×512" in low.seen.text() and "one low-detail view" in low.seen.text()
    for column in (high, low):
        totals = column.totals.text()
        assert " in · " in totals and "first token" in totals and "s in all" in totals
        assert "(prices of " in totals
    # The emulator's answer (a table of what it received), drawn in each column.
    assert "768×1024\nimage/jpeg\ndata_url\nhigh\n765" in high.plain_text()
    assert "384×512\nimage/jpeg\ndata_url\nlow" in low.plain_text()
    assert view.arrangement is Arrangement.SIDE_BY_SIDE
    assert high.geometry().top() == low.geometry().top()  # side by side
    assert not window.composer.toPlainText() and not app.workspace.draft
    # A follow-up goes to both columns, each in its own conversation.
    ask(app, loop, "And the colours?", None)
    for each in app.workspace.compare.columns:
        assert [t.status for t in each.turns] == [ColumnStatus.DONE] * 2
        assert len(each.continuation.exchanges) == 2
    assert "And the colours?" in high.plain_text() and "And the colours?" in low.plain_text()
    # Regenerate: a new answer to the low column's last question; the other stays.
    kept = app.workspace.compare.columns[0]
    assert low.regenerate_button.isVisible()
    QTest.mouseClick(low.regenerate_button, Qt.MouseButton.LeftButton)
    run(loop, lambda: until(lambda: not app.workspace.compare.busy))
    assert app.workspace.compare.columns[0] == kept
    assert app.workspace.compare.columns[1].turns[-1].status is ColumnStatus.DONE
    # Narrow: the columns stack, one under the other.
    window.resize(window.minimumWidth(), window.height())
    QTest.qWait(0)
    run(loop, lambda: until(lambda: view.arrangement is Arrangement.STACKED))
    assert high.geometry().top() < low.geometry().top()
    # End compare: the conversation view is back; the sidebar lists the compare once.
    QTest.mouseClick(view.end_button, Qt.MouseButton.LeftButton)
    assert not view.isVisible() and window.transcript.isVisible()
    assert len(app.workspace.history.conversations()) == 1


def test_blind_columns_are_named_once_the_better_one_is_picked(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    choose_columns(app, blind=True)
    view = app.compare_view.view
    ask(app, loop, "Read it", photo_path)
    titles = [column.title.text() for column in view.columns]
    assert titles == ["Answer A", "Answer B"]
    assert all(not column.seen.isVisible() for column in view.columns)
    picked = view.columns[1]
    assert picked.pick_button.isVisible()
    QTest.mouseClick(picked.pick_button, Qt.MouseButton.LeftButton)
    assert all("detail" in column.title.text() for column in view.columns)
    assert not picked.pick_button.isVisible()
    assert view.tally.isVisible() and "won 1 of 1" in view.tally.text()


def test_a_failing_column_says_so_in_its_place_and_retries_with_one_click(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    emulator = app.workspace.connections.emulator
    assert emulator is not None
    app.window.resize(1200, 800)
    dialog = choose_columns(app, accept=False)
    dialog.rows[1].mode.setCurrentIndex(dialog.rows[1].mode.findData(ApiMode.RESPONSES.value))
    dialog.accept()
    emulator.knobs.disabled_modes = {"responses"}
    ask(app, loop, "What is it?", photo_path)
    working, failing = app.compare_view.view.columns
    assert failing.retry_button.isVisible() and not working.retry_button.isVisible()
    assert "Responses" in failing.plain_text()  # the reason, in the column that failed
    assert "768×1024" in working.plain_text()
    emulator.knobs.disabled_modes = set()
    connection = app.workspace.connection
    connection.capabilities.forget(connection.profile)
    QTest.mouseClick(failing.retry_button, Qt.MouseButton.LeftButton)
    run(loop, lambda: until(lambda: not app.workspace.compare.busy))
    assert not failing.retry_button.isVisible()
    assert app.workspace.compare.columns[1].turns[-1].status is ColumnStatus.DONE


def test_words_in_a_column_are_shown_as_text_never_as_markup(
    app: Controller, loop: qasync.QEventLoop
) -> None:
    app.window.resize(1200, 800)
    choose_columns(app)
    ask(app, loop, "Explain the <div> in <b>this</b>", None)
    column = app.compare_view.view.columns[0]
    [turn] = column.turn_views
    assert turn.question.text() == "Explain the <div> in <b>this</b>"
    assert turn.question.textFormat() is Qt.TextFormat.PlainText
    assert column.title.textFormat() is Qt.TextFormat.PlainText
    assert "Explain the <div> in <b>this</b>" in column.plain_text()
