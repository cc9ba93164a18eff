"""The capture key registered with the desktop's GlobalShortcuts portal, as the window does at
start-up: against the stand-in portal on a private bus, a press of the desktop's key triggers
File → Capture screen region…, and the status bar says which key the desktop bound."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import qasync
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from tests.qt_support import run
from tests.test_global_shortcuts import FakePortal, press, start_portal
from visiondesk.desktop.global_shortcuts import CAPTURE, NotRegistered, Reason, Registered
from visiondesk.ui.capture.global_key import OPT_OUT, CaptureKey, wanted

__all__ = ["start_portal"]


def test_a_press_on_the_desktop_triggers_capture(
    qtbot: QtBot,
    loop: qasync.QEventLoop,
    session_bus_address: str,
    start_portal: Callable[[str], FakePortal],
) -> None:
    start_portal("0")
    window = QMainWindow()
    qtbot.addWidget(window)
    action = QAction("Capture screen region…", window)
    key = CaptureKey(action, window.statusBar())

    async def scenario() -> None:
        pressed = asyncio.Event()
        action.triggered.connect(pressed.set)
        try:
            outcome = await key.register(session_bus_address)
            assert isinstance(outcome, Registered)
            assert window.statusBar().currentMessage().startswith("Ctrl+Shift+A captures")
            await press(session_bus_address, CAPTURE)
            await asyncio.wait_for(pressed.wait(), 5)
        finally:
            await key.aclose()

    run(loop, scenario)


def test_without_the_portal_nothing_changes(
    qtbot: QtBot, loop: qasync.QEventLoop, session_bus_address: str
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    key = CaptureKey(QAction(window), window.statusBar())

    async def scenario() -> None:
        try:
            outcome = await key.register(session_bus_address)
            assert isinstance(outcome, NotRegistered) and outcome.reason is Reason.NO_PORTAL
            assert window.statusBar().currentMessage() == ""
        finally:
            await key.aclose()

    run(loop, scenario)


def test_it_is_asked_only_with_a_session_bus_and_no_opt_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    monkeypatch.delenv(OPT_OUT, raising=False)
    assert wanted() is True
    monkeypatch.setenv(OPT_OUT, "1")
    assert wanted() is False
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.delenv(OPT_OUT)
    assert wanted() is False
