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
from visiondesk.regions import Rect
from visiondesk.ui.capture.grab import Frozen, FrozenScreen, GrabError
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
    data = io.BytesIO()  # uncompressed: zlib took 1.5 s over 1600×1200 of noise, for nothing
    Image.merge("RGB", (across, down, noise)).save(data, "PNG", compress_level=0)
    return QImage.fromData(data.getvalue())


def fake_grab(windows: tuple[Rect, ...] = ()) -> Frozen:
    """The screen as a 2× display would give it: twice its logical size in pixels."""
    screen = QGuiApplication.primaryScreen().geometry()
    frozen = FROZEN.setdefault(
        screen.size().toTuple(), pattern(screen.width() * RATIO, screen.height() * RATIO)
    )
    physical = Rect(screen.x(), screen.y(), frozen.width(), frozen.height())
    return Frozen((FrozenScreen(frozen, screen, physical),), windows)


FROZEN: dict[tuple[int, int], QImage] = {}


def overlays_shown(qtbot: QtBot, count: int = 1) -> list[CaptureOverlay]:
    found: list[CaptureOverlay] = []

    def shown() -> bool:
        found[:] = [
            w for w in QApplication.topLevelWidgets()
            if isinstance(w, CaptureOverlay) and w.isVisible()
        ]  # fmt: skip
        return len(found) == count

    qtbot.waitUntil(shown, timeout=5000)
    return sorted(found, key=lambda overlay: overlay.place.x())


def overlay_shown(qtbot: QtBot) -> CaptureOverlay:
    [overlay] = overlays_shown(qtbot)
    return overlay


def same_pixels(picture: Image.Image, expected: QImage) -> bool:
    """`picture` holds exactly `expected`'s pixels (sampled on a grid and at the corners)."""
    assert picture.size == (expected.width(), expected.height())
    w, h = expected.width(), expected.height()
    points = {(x, y) for x in range(0, w, max(1, w // 7)) for y in range(0, h, max(1, h // 7))}
    points |= {(0, 0), (w - 1, h - 1), (w - 1, 0), (0, h - 1)}
    for x, y in points:
        colour = expected.pixelColor(x, y)
        if picture.getpixel((x, y)) != (colour.red(), colour.green(), colour.blue()):
            return False
    return True


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
    def refused() -> Frozen:
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


WINDOWS = (Rect(200, 160, 400, 300), Rect(100, 100, 600, 500))
"""Two windows on the 2× screen (physical pixels), the first on top of the second."""


def test_a_click_takes_the_window_under_it_and_tab_walks_the_windows(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    app.capture_view.grabber = lambda: fake_grab(WINDOWS)
    app.window.capture_action.trigger()
    overlay = overlay_shown(qtbot)
    QTest.mouseMove(overlay, QPoint(60, 60))  # physical 120,120: only the lower window
    assert overlay.hovered == QRect(50, 50, 300, 250)
    QTest.mouseMove(overlay, QPoint(150, 100))  # on both: the top one
    assert overlay.hovered == QRect(100, 80, 200, 150)
    QTest.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=QPoint(150, 100))
    qtbot.waitUntil(app.window.isVisible, timeout=5000)
    [frozen] = FROZEN.values()
    assert same_pixels(sent_pixels(app, loop), frozen.copy(200, 160, 400, 300))
    assert "Captured 400×300 pixels" in app.window.statusBar().currentMessage()

    app.workspace.attachments.remove(next(iter(app.workspace.draft)).id)
    app.window.capture_action.trigger()
    overlay = overlay_shown(qtbot)
    QTest.keyClick(overlay, Qt.Key.Key_Tab)
    QTest.keyClick(overlay, Qt.Key.Key_Tab)  # the second window
    assert overlay.selection == QRect(50, 50, 300, 250)
    QTest.keyClick(overlay, Qt.Key.Key_Backtab)  # back to the first
    QTest.keyClick(overlay, Qt.Key.Key_Tab)
    QTest.keyClick(overlay, Qt.Key.Key_Return)
    qtbot.waitUntil(app.window.isVisible, timeout=5000)
    assert same_pixels(sent_pixels(app, loop), frozen.copy(100, 100, 600, 500))


def test_a_click_where_no_window_is_takes_the_screen(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    app.capture_view.grabber = lambda: fake_grab(WINDOWS)
    app.window.capture_action.trigger()
    overlay = overlay_shown(qtbot)
    QTest.mouseMove(overlay, QPoint(20, 20))
    assert overlay.hovered is None
    [frozen] = FROZEN.values()
    # The region is enough: the pixels a region gives are checked above (preparing a whole
    # 2× screen of noise would cost the suite seconds).
    with qtbot.waitSignal(overlay.region_chosen, timeout=5000) as chosen:
        QTest.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert chosen.args == [Rect(0, 0, frozen.width(), frozen.height())]
    qtbot.waitUntil(app.window.isVisible, timeout=5000)


def test_screens_of_mixed_scales_each_give_their_own_physical_pixels(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot
) -> None:
    """A 1× monitor of 400×300 and, right of it, a 2× laptop of 300×200 logical pixels
    (600×400 physical); a window across both is cut at the edge of each."""
    monitor, laptop = pattern(400, 300), pattern(600, 400)
    across = Rect(300, 50, 300, 100)  # 100 px on the monitor, 200 on the laptop

    def two_screens() -> Frozen:
        return Frozen(
            (
                FrozenScreen(monitor, QRect(0, 0, 400, 300), Rect(0, 0, 400, 300)),
                FrozenScreen(laptop, QRect(400, 0, 300, 200), Rect(400, 0, 600, 400)),
            ),
            (across,),
        )

    app.capture_view.grabber = two_screens
    app.window.capture_action.trigger()
    left, right = overlays_shown(qtbot, 2)
    assert left.windows == [QRect(300, 50, 100, 100)]
    assert right.windows == [QRect(0, 25, 100, 50)]
    QTest.mousePress(right, Qt.MouseButton.LeftButton, pos=QPoint(10, 20))
    QTest.mouseMove(right, QPoint(110, 70))
    assert right.chosen() == Rect(20, 40, 200, 100)  # the laptop's own 2×
    QTest.mouseRelease(right, Qt.MouseButton.LeftButton, pos=QPoint(110, 70))
    qtbot.waitUntil(app.window.isVisible, timeout=5000)
    assert not left.isVisible() and not right.isVisible()  # every screen's overlay goes
    assert same_pixels(sent_pixels(app, loop), laptop.copy(20, 40, 200, 100))

    app.workspace.attachments.remove(next(iter(app.workspace.draft)).id)
    app.window.capture_action.trigger()
    left, right = overlays_shown(qtbot, 2)
    QTest.mouseClick(left, Qt.MouseButton.LeftButton, pos=QPoint(350, 80))  # the window's part
    qtbot.waitUntil(app.window.isVisible, timeout=5000)
    assert same_pixels(sent_pixels(app, loop), monitor.copy(300, 50, 100, 100))
