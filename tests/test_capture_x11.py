"""The window's capture on a real X server (Xvfb, no window manager): the windows are listed
where they are, and a click on the overlay takes exactly a window's pixels, at 1× and 2×,
compared pixel for pixel with what ImageMagick's `import` reads off the same display."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.test_cli_capture import (
    PATTERN,
    Display,
    display,
    environment,
    imported,
    same_pixels,
)
from visiondesk.desktop.x11_windows import X11Unavailable, active_window, open_windows
from visiondesk.regions import Rect

__all__ = ["display"]  # the Xvfb fixture, shared with the capture command's tests

CLICK = """
import json, sys, time
from PySide6.QtCore import QEventLoop, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from visiondesk.ui.capture.overlay import CaptureOverlay
from visiondesk.ui.capture.presenter import grab_desktop

x, y, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
app = QApplication([])
frozen = grab_desktop()
[screen] = frozen.screens
overlay = CaptureOverlay(screen.image, screen.logical, frozen.windows_on(screen))
chosen = []
overlay.region_chosen.connect(chosen.append)
overlay.showFullScreen()
assert QTest.qWaitForWindowExposed(overlay, 10000)
QTest.mouseMove(overlay, QPoint(1, 1))  # off the window, wherever the last run left it
QTest.mouseMove(overlay, QPoint(x, y))  # on X11 the pointer moves, and the event follows
deadline = time.monotonic() + 10
while overlay.hovered is None and time.monotonic() < deadline:
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
hovered = overlay.hovered
QTest.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
[region] = chosen
screen.image.copy(region.x, region.y, region.width, region.height).save(out)
print(json.dumps({
    "region": [region.x, region.y, region.width, region.height],
    "hovered": None if hovered is None else list(hovered.getRect()),
    "windows": [[w.x, w.y, w.width, w.height] for w in frozen.windows],
}))
"""


def test_the_windows_are_listed_where_they_are_topmost_first(display: Display) -> None:
    assert open_windows(display.name)[0] == Rect(*PATTERN)


def test_no_display_is_one_clear_error() -> None:
    with pytest.raises(X11Unavailable, match="could not be opened"):
        open_windows(":9999")
    with pytest.raises(X11Unavailable):
        active_window(":9999")


@pytest.mark.parametrize("scale", ["1", "2"])
def test_a_click_on_the_overlay_takes_the_window_under_it(
    display: Display, tmp_path: Path, scale: str
) -> None:
    ratio = int(scale)
    # A logical point inside the pattern window: physical (140, 90).
    x, y = 140 // ratio, 90 // ratio
    out = tmp_path / "window.png"
    done = subprocess.run(
        [sys.executable, "-c", CLICK, str(x), str(y), str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(display.name, QT_SCALE_FACTOR=scale),
    )
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout.strip().splitlines()[-1])
    assert said["windows"][0] == list(PATTERN)
    assert said["region"] == list(PATTERN)
    left, top, width, height = PATTERN
    assert said["hovered"] == [left // ratio, top // ratio, width // ratio, height // ratio]
    theirs = imported(display.name, *PATTERN, tmp_path / "import.png")
    assert same_pixels(Image.open(out).convert("RGB"), theirs)
