"""Capture from the window, driven as a person does: File → Capture screen region… (or the
Capture button), the window steps aside, the frozen screen is dragged over or worked by
keyboard, and exactly its pixels land as a card; Esc brings the window back with nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import qasync
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.qt_support import run, states
from tests.waiting import until
from visiondesk.ui.capture.grab import GrabError
from visiondesk.ui.capture.overlay import CaptureOverlay
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import AttachmentState

RATIO = 2
"""The frozen screen has twice the overlay's pixels: a 2× display."""


def pattern(width: int, height: int) -> QImage:
    """A known pattern, different at every pixel: gradients across and down, and noise."""
    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 80)
    data = io.BytesIO()
    Image.merge("RGB", (across, down, noise)).save(data, "PNG")
    return QImage.fromData(data.getvalue())


def fake_grab() -> tuple[QImage, QRect, list[QRect]]:
    """The screen as a 2× display would give it: twice its logical size in pixels."""
    screen = QGuiApplication.primaryScreen().geometry()
    frozen = FROZEN.setdefault(
        screen.size().toTuple(), pattern(screen.width() * RATIO, screen.height() * RATIO)
    )
    return frozen, screen, [screen]


FROZEN: dict[tuple[int, int], QImage] = {}


def overlay_shown(qtbot: QtBot) -> CaptureOverlay:
    found: list[CaptureOverlay] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, CaptureOverlay)]
        return bool(found) and found[0].isVisible()

    qtbot.waitUntil(shown, timeout=5000)
    return found[0]


def sent_pixels(app: Controller, loop: qasync.QEventLoop) -> Image.Image:
    async def ready() -> None:
        await until(lambda: states(app) == [AttachmentState.READY])

    run(loop, ready)
    [attachment] = list(app.workspace.draft)
    assert isinstance(attachment.source, bytes) and attachment.label.startswith("screenshot ")
    return Image.open(io.BytesIO(attachment.source)).convert("RGB")


def test_a_dragged_region_lands_as_a_card_in_physical_pixels(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    app.capture_view.grabber = fake_grab
    app.window.capture_action.trigger()
    assert not app.window.isVisible()  # it steps aside before the screen is frozen
    overlay = overlay_shown(qtbot)
    QTest.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(50, 40))
    QTest.mouseMove(overlay, QPoint(150, 100))
    assert overlay.chosen() is not None and overlay.chosen().width == 200  # type: ignore[union-attr]
    QTest.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(150, 100))
    qtbot.waitUntil(app.window.isVisible, timeout=5000)
    picture = sent_pixels(app, loop)
    assert picture.size == (200, 120)
    [frozen] = FROZEN.values()
    expected = frozen.copy(100, 80, 200, 120)
    for x, y in [(0, 0), (199, 119), (57, 33)]:
        colour = expected.pixelColor(x, y)
        assert picture.getpixel((x, y)) == (colour.red(), colour.green(), colour.blue())
    assert "Captured 200×120 pixels" in app.window.statusBar().currentMessage()


def test_by_keyboard_and_esc_cancels(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    app.capture_view.grabber = fake_grab
    QTest.keyClick(
        app.window,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    overlay = overlay_shown(qtbot)
    QTest.keyClick(overlay, Qt.Key.Key_Escape)
    qtbot.waitUntil(app.window.isVisible, timeout=5000)
    assert len(app.workspace.draft) == 0
    app.window.capture_button.click()
    overlay = overlay_shown(qtbot)
    QTest.keyClick(overlay, Qt.Key.Key_Right)  # a selection appears, moved by 1 px
    start = overlay.selection
    assert start is not None
    QTest.keyClick(overlay, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)  # 1 px wider
    QTest.keyClick(overlay, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)  # 10 px lower
    assert overlay.selection == QRect(start.x(), start.y() + 10, start.width() + 1, start.height())
    QTest.keyClick(overlay, Qt.Key.Key_Return)
    qtbot.waitUntil(app.window.isVisible, timeout=5000)
    picture = sent_pixels(app, loop)
    assert picture.size == ((start.width() + 1) * RATIO, start.height() * RATIO)


def test_a_refused_grab_says_why_and_brings_the_window_back(app: Controller, qtbot: QtBot) -> None:
    def refused() -> tuple[QImage, QRect, list[QRect]]:
        raise GrabError("the display gave no pixels for the screen ':0'")

    app.capture_view.grabber = refused
    app.window.capture_action.trigger()
    qtbot.waitUntil(app.window.isVisible, timeout=5000)
    message = app.window.statusBar().currentMessage()
    assert message.startswith("Could not capture the screen: the display gave no pixels")
    assert len(app.workspace.draft) == 0


def test_visiondesk_capture_asks_the_running_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `visiondesk --capture` on a global key sends to the window already running."""
    from visiondesk.ui.single_instance import InstanceServer, hand_over

    monkeypatch.setenv("VISIONDESK_INSTANCE", str(tmp_path / "vd.socket"))  # this test's own
    server = InstanceServer()
    opened: list[list[str]] = []
    server.open_requested.connect(opened.append)
    try:
        with qtbot.waitSignal(server.capture_requested, timeout=5000):
            assert hand_over([], capture=True)
        assert opened == []  # a capture alone opens nothing
        with qtbot.waitSignal(server.open_requested, timeout=5000):
            assert hand_over(["/tmp/a.png"])
        assert opened == [["/tmp/a.png"]]
    finally:
        server.close()
