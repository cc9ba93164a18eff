"""The Wayland way to the screen: the XDG desktop portal's Screenshot call over QtDBus,
against a stand-in portal (tests/fake_portal.py) on a private session bus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from tests import images
from visiondesk.ui.capture.portal import DESKTOP, PortalScreenshot

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="needs dbus-daemon (Debian: dbus)"
)


@pytest.fixture
def private_bus(tmp_path: Path, session_bus_address: str) -> Iterator[tuple[str, QDBusConnection]]:
    name = f"visiondesk-test-{tmp_path.name}"
    bus = QDBusConnection.connectToBus(session_bus_address, name)
    assert bus.isConnected()
    try:
        yield session_bus_address, bus
    finally:
        QDBusConnection.disconnectFromBus(name)


def start_portal(address: str, uri: str, code: int = 0) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fake_portal", uri, str(code)],
        env=env,
        cwd=Path(__file__).parent.parent,
    )


def test_the_portal_hands_over_exactly_its_png(
    qtbot: QtBot, tmp_path: Path, private_bus: tuple[str, QDBusConnection]
) -> None:
    address, bus = private_bus
    shot = tmp_path / "portal-screenshot.png"
    images.screenshot(320, 200, seed=5).save(shot)
    portal = PortalScreenshot(bus)
    failures: list[str] = []
    portal.failed.connect(failures.append)
    assert not portal.request()  # no portal on this bus yet: said, not hung
    assert failures == ["the desktop has no screenshot portal (xdg-desktop-portal)"]
    process = start_portal(address, shot.as_uri())
    try:
        qtbot.waitUntil(portal.available, timeout=10_000)
        with qtbot.waitSignal(portal.taken, timeout=10_000) as taken:
            assert portal.request()
        assert taken.args == [shot.read_bytes()]
    finally:
        process.terminate()
        process.wait(10)


def test_cancelled_in_the_desktop_dialog_says_so(
    qtbot: QtBot, tmp_path: Path, private_bus: tuple[str, QDBusConnection]
) -> None:
    address, bus = private_bus
    process = start_portal(address, "", code=1)
    try:
        portal = PortalScreenshot(bus)
        qtbot.waitUntil(portal.available, timeout=10_000)
        with qtbot.waitSignal(portal.failed, timeout=10_000) as failed:
            portal.request()
        assert failed.args == ["the capture was cancelled"]
        assert DESKTOP == "org.freedesktop.portal.Desktop"
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_special_file_in_place_of_the_png_is_refused_without_hanging(tmp_path: Path) -> None:
    from visiondesk.ui.capture.portal import read_capture

    fifo = tmp_path / "shot.png"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        read_capture(str(fifo))
    with pytest.raises(IsADirectoryError):
        read_capture(str(tmp_path))
