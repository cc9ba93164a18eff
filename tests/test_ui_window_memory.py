"""What the window remembers between runs, and opening where there is no display."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.qt_support import dispose, settled
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.domain import ApiMode, Detail
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.ui.window.controller import Controller
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.ui.window_memory import WindowMemory


def open_window(tmp_path: Path, memory: WindowMemory) -> Controller:
    window = MainWindow()
    window.show()  # as the app does: the window first, then what it remembers
    controller = Controller(
        window,
        profiles={EMULATOR: BUILTIN[EMULATOR]},
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(token_delay=0.0),
        history=History(tmp_path / "history"),
        memory=memory,
    )
    controller.start([])
    return controller


def test_settings_size_and_folder_come_back(
    qtbot: QtBot, loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    memory = WindowMemory(tmp_path / "window.ini")
    first = open_window(tmp_path, memory)
    window = first.window
    screen = window.screen().availableGeometry()
    window.resize(700, 500)
    window.splitter.setSizes([300, 400])
    box = window.detail_box
    box.setCurrentIndex(box.findData("low"))
    box.activated.emit(box.currentIndex())
    box = window.mode_box
    box.setCurrentIndex(box.findData("responses"))
    box.activated.emit(box.currentIndex())
    memory.remember_folder(str(tmp_path / "history"))
    loop.run_until_complete(first.aclose())
    dispose(window)

    again = open_window(tmp_path, WindowMemory(tmp_path / "window.ini"))
    settings = again.workspace.settings
    assert (settings.mode, settings.detail) == (ApiMode.RESPONSES, Detail.LOW)
    assert again.window.size().toTuple() == (700, 500)
    assert again.window.splitter.sizes()[0] == 300
    assert again.memory is not None and again.memory.folder() == str(tmp_path / "history")
    # A size from a larger screen (or a lower scale) is clamped to this one.
    again.window.resize(screen.width() * 2, screen.height() * 2)
    again.window.move(screen.width(), screen.height())
    loop.run_until_complete(again.aclose())
    dispose(again.window)
    third = open_window(tmp_path, WindowMemory(tmp_path / "window.ini"))
    assert screen.contains(third.window.frameGeometry())
    loop.run_until_complete(third.aclose())
    dispose(third.window)


def test_a_conversation_list_the_person_hid_stays_hidden_next_time(
    qtbot: QtBot, loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    path = tmp_path / "window.ini"
    first = open_window(tmp_path, WindowMemory(path))
    settled(first, loop)
    first.window.resize(800, 560)
    QTest.keyClick(first.window.composer, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: WindowMemory(path).sidebar_hidden(), timeout=5000)  # saved at once
    loop.run_until_complete(first.aclose())
    dispose(first.window)
    again = open_window(tmp_path, WindowMemory(path))
    settled(again, loop)
    qtbot.waitUntil(lambda: again.window.width() > 700)  # wide enough for the list
    assert not again.window.sidebar.isVisible() and not again.window.sidebar_action.isChecked()
    loop.run_until_complete(again.aclose())
    dispose(again.window)


def test_a_first_window_fits_a_small_screen(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    area = window.screen().availableGeometry()
    assert window.width() <= area.width() and window.height() <= area.height()
    assert window.minimumSizeHint().width() <= 800 and window.minimumSizeHint().height() <= 600


def test_the_toolbar_fits_at_800_and_compacts_when_narrower(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    boxes = (window.profile_box, window.model_box, window.mode_box, window.detail_box)
    label = window.toolbar.widgetForAction(window.toolbar.actions()[1])  # after the ☰ toggle

    def laid_out(labelled: bool) -> bool:
        # No box behind its toolbar's » menu (tests/test_ui_narrow.py checks the menu itself).
        bars = {box: box.parentWidget() for box in boxes}
        shown = all(
            box.isVisible() and bar is not None and bar.rect().contains(box.geometry())
            for box, bar in bars.items()
        )
        return shown and label is not None and label.isVisible() == labelled

    for width, labelled in ((800, True), (620, False), (800, True)):
        window.resize(width, 600)
        qtbot.waitUntil(functools.partial(laid_out, labelled))


def test_dragging_over_the_window_lights_it_up(qtbot: QtBot, photo_path: Path) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo_path))])
    enter = QDragEnterEvent(
        QPoint(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dragEnterEvent(enter)
    assert enter.isAccepted() and window.drop_highlight.isVisible()
    assert window.drop_highlight.geometry() == window.rect()
    window.dragLeaveEvent(QDragLeaveEvent())
    assert not window.drop_highlight.isVisible()


def test_no_display_says_so_in_one_line(photo_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [sys.executable, "-m", "visiondesk", str(photo_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("visiondesk: no display") and "ssh" in line


def test_size_and_mode_are_saved_as_they_change_so_a_crash_keeps_them(
    qtbot: QtBot, loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    path = tmp_path / "window.ini"
    running = open_window(tmp_path, WindowMemory(path))
    running.window.resize(720, 520)
    box = running.window.mode_box
    box.setCurrentIndex(box.findData("responses"))
    box.activated.emit(box.currentIndex())

    def on_disk() -> bool:  # read afresh, as the next start would after a kill -9
        memory = WindowMemory(path)
        return memory.conversation()[0] is ApiMode.RESPONSES and bool(
            memory.store.value("window/geometry")
        )

    qtbot.waitUntil(on_disk, timeout=5000)
    fresh = MainWindow()
    qtbot.addWidget(fresh)
    WindowMemory(path).restore_window(fresh, fresh.splitter)
    assert fresh.size().toTuple() == (720, 520)
    loop.run_until_complete(running.aclose())
    dispose(running.window)
