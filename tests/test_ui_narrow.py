"""A narrow window (800 px at 1×, and 800 px at 2× scale: 400 logical px) keeps every toolbar
box in sight, none behind the toolbar's » menu: the conversation list folds away first, and it
comes back when the window widens — unless the person hid it (F9)."""

from __future__ import annotations

import functools

import qasync
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu, QToolBar, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from visiondesk.ui.window.controller import Controller
from visiondesk.ui.window.main_window import MainWindow

TWICE_800 = 400
"""800 physical px at QT_SCALE_FACTOR=2, in the logical px a running application sizes in."""


def toolbar_widgets(window: MainWindow) -> list[QWidget]:
    """Every box and button the toolbars hold (labels only while they are shown)."""
    widgets = []
    for bar in window.findChildren(QToolBar):
        for action in bar.actions():
            widget = bar.widgetForAction(action)
            if widget is not None and action.isVisible():
                widgets.append(widget)
    return widgets


def all_in_sight(window: MainWindow) -> bool:
    """No » menu, and each toolbar widget shown wholly inside the window."""
    overflow = [
        button
        for bar in window.findChildren(QToolBar)
        for button in bar.findChildren(QToolButton)
        if button.objectName() == "qt_toolbar_ext_button" and button.isVisible()
    ]
    boxes = (window.profile_box, window.model_box, window.mode_box, window.detail_box)
    widgets = toolbar_widgets(window)
    return (
        not overflow
        and all(box in widgets for box in boxes)
        and all(
            widget.isVisible()
            and window.rect().contains(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))
            for widget in widgets
        )
    )


def laid_out(window: MainWindow, width: int, sidebar: bool) -> bool:
    return (
        window.width() == width and window.sidebar.isVisible() == sidebar and all_in_sight(window)
    )


def test_at_800_and_at_2x_800_every_box_stays_in_sight_and_the_list_folds_first(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    window = app.window
    toggle = window.sidebar_action
    for width, height, sidebar in (
        (800, 600, True),  # 1×: the list and the whole toolbar, labels and all
        (TWICE_800, 300, False),  # 2×: the list folds away, the boxes wrap onto two rows
        (1100, 760, True),  # wide again: the list is back
    ):
        window.resize(width, height)
        qtbot.waitUntil(functools.partial(laid_out, window, width, sidebar))
        assert toggle.isChecked() == sidebar
    window.resize(800, 600)
    qtbot.waitUntil(functools.partial(laid_out, window, 800, True))
    assert window.toolbar.widgetForAction(window.toolbar.actions()[1]).isVisible()  # "Profile:"
    assert window.sidebar.width() < window.width() / 2


def test_a_list_the_person_hid_stays_hidden_and_f9_brings_it_back(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    window = app.window
    window.resize(1100, 760)
    qtbot.waitUntil(functools.partial(laid_out, window, 1100, True))
    window.composer.setFocus()
    QTest.keyClick(window.composer, Qt.Key.Key_F9)  # hidden by the person
    qtbot.waitUntil(lambda: not window.sidebar.isVisible())
    for width in (TWICE_800, 1100):  # narrow, then wide again: it stays hidden
        window.resize(width, 600)
        qtbot.waitUntil(functools.partial(laid_out, window, width, False))
    QTest.keyClick(window.composer, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.sidebar.isVisible() and window.sidebar_action.isChecked())
    # Folded away by a narrow window, the list comes back to be searched (Ctrl+K).
    window.resize(TWICE_800, 300)
    qtbot.waitUntil(functools.partial(laid_out, window, TWICE_800, False))
    QTest.keyClick(window.composer, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.sidebar.search.hasFocus())
    assert all_in_sight(window)


def test_the_toggle_is_in_the_toolbar_and_the_view_menu(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    toggle = window.sidebar_action
    button = window.toolbar.widgetForAction(toggle)
    assert button is not None and button.accessibleName() == "Conversations"
    assert "F9" in toggle.toolTip() and toggle.shortcut().toString() == "F9"
    [view] = [a.menu() for a in window.menuBar().actions() if a.text() == "&View"]
    assert isinstance(view, QMenu) and toggle in view.actions()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.sidebar.isVisible())
    assert window.minimumWidth() <= TWICE_800 and window.minimumSizeHint().width() <= TWICE_800


def test_the_status_lines_shorten_side_by_side_in_a_narrow_window(qtbot: QtBot) -> None:
    """At 2× and 800 px both status lines stay readable: each gives up width with "…" (the
    whole line as its tooltip), neither is drawn over the other."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    connection, tokens = window.connection_label, window.tokens_label
    connection.setText("Local emulator: connected (emulator http://127.0.0.1:32799/v1)")
    tokens.setText("last turn 772 in / 49 out · conversation 2266 in / 106 out")
    window.resize(TWICE_800, 300)

    def shortened() -> bool:
        return window.width() == TWICE_800 and (connection.elided or tokens.elided)

    qtbot.waitUntil(shortened)
    left = QRect(connection.mapTo(window, QPoint(0, 0)), connection.size())
    right = QRect(tokens.mapTo(window, QPoint(0, 0)), tokens.size())
    assert not left.intersects(right) and window.rect().contains(right)
    for label in (connection, tokens):
        assert label.shown_text() == label.text() or label.shown_text().endswith("…")
        assert label.toolTip() == (label.text() if label.elided else "")
    window.resize(1100, 600)
    qtbot.waitUntil(lambda: not connection.elided and not tokens.elided)
    assert connection.toolTip() == "" and tokens.shown_text() == tokens.text()
