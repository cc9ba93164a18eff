"""`visiondesk capture` as a script runs it: under Xvfb, against a window of known pixels,
compared pixel for pixel with what ImageMagick's `import` reads off the same display; and the
refusals (bad regions, no display, an output that cannot be a file) in one line, exit 2."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from PIL import Image, ImageChops

from visiondesk.cli import missing_window_libraries

PATTERN = (40, 30, 200, 120)
"""Where the pattern window is (X, Y, W, H) on a 320x240 display."""
SHOW_PATTERN = """
import sys
from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QRasterWindow

x, y, w, h = (int(n) for n in sys.argv[1:5])
app = QGuiApplication([])
image = QImage(w, h, QImage.Format.Format_RGB32)
for i in range(w):
    for j in range(h):
        image.setPixel(i, j, QColor(i * 5 % 256, j * 3 % 256, (i * 7 + j * 13) % 256).rgb())


class Pattern(QRasterWindow):
    def paintEvent(self, event):
        QPainter(self).drawImage(0, 0, image)


window = Pattern()
window.setFlags(Qt.WindowType.FramelessWindowHint)
window.setGeometry(x, y, w, h)
window.show()


def shown():  # ready once the display holds the pattern (no window manager moves it)
    if window.screen().grabWindow(0, x, y, w, h).toImage().convertToFormat(image.format()) == image:
        print(f"ready {int(window.winId())}", flush=True)
    else:
        QTimer.singleShot(10, shown)


QTimer.singleShot(0, shown)
app.exec()
"""


def expected(x: int, y: int) -> tuple[int, int, int]:
    """The pattern's pixel at (x, y) of the display, as SHOW_PATTERN paints it."""
    i, j = x - PATTERN[0], y - PATTERN[1]
    return (i * 5 % 256, j * 3 % 256, (i * 7 + j * 13) % 256)


class Display(NamedTuple):
    name: str
    pattern_window: int


def read_line(process: subprocess.Popen[str], timeout: float = 20) -> str:
    """The next line `process` prints, failing the test if none comes in time."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, f"{process.args!r} printed nothing in {timeout} s"
    return process.stdout.readline().strip()


@pytest.fixture(scope="module")
def display() -> Iterator[Display]:
    """A 320x240 Xvfb on a free display number (-displayfd) with the pattern window on it."""
    for tool in ("Xvfb", "import"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing (apt install xvfb imagemagick)")
    if missing := missing_window_libraries(x11=True):
        pytest.skip(f"Qt's X11 plugin lacks {', '.join(missing)} (make system-test installs them)")
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "320x240x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        name = f":{read_line(server)}"
        pattern = subprocess.Popen(
            [sys.executable, "-c", SHOW_PATTERN, *map(str, PATTERN)],
            stdout=subprocess.PIPE,
            text=True,
            env=environment(name),
        )
        try:
            word, window = read_line(pattern).split()
            assert word == "ready"
            yield Display(name, int(window))
        finally:
            pattern.kill()
            pattern.wait()
    finally:
        server.kill()
        server.wait()


def environment(display: str | None, **changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update({"QT_QPA_PLATFORM": "xcb", **changes})
    if display is not None:
        env["DISPLAY"] = display
    return env


def capture(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "visiondesk", "capture", *args],
        capture_output=True,
        timeout=60,
        env=env,
    )


def imported(display: str, x: int, y: int, width: int, height: int, path: Path) -> Image.Image:
    """What ImageMagick reads off the root window there."""
    geometry = f"{width}x{height}+{x}+{y}"
    subprocess.run(
        ["import", "-window", "root", "-crop", geometry, "+repage", str(path)],
        check=True,
        timeout=30,
        env=environment(display),
    )
    return Image.open(path).convert("RGB")


def same_pixels(ours: Image.Image, theirs: Image.Image) -> bool:
    return ours.size == theirs.size and ImageChops.difference(ours, theirs).getbbox() is None


@pytest.mark.parametrize("scale", ["1", "2", "1.5"])
def test_a_region_is_the_pixels_import_reads(display: Display, tmp_path: Path, scale: str) -> None:
    """Partly on the pattern, partly on the black root around it; in physical pixels whatever
    Qt's scale factor (a fractional one too)."""
    out = tmp_path / "region.png"
    env = environment(display.name, QT_SCALE_FACTOR=scale)
    done = capture("--region", "21,11,101,61", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == f"Captured 101x61 pixels into {out}"
    ours = Image.open(out).convert("RGB")
    assert same_pixels(ours, imported(display.name, 21, 11, 101, 61, tmp_path / "import.png"))
    assert ours.getpixel((30, 30)) == expected(51, 41)
    assert ours.getpixel((5, 5)) == (0, 0, 0)  # the root, outside the pattern
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_the_screen_and_the_active_window(display: Display, tmp_path: Path) -> None:
    env = environment(display.name)
    done = capture("--screen", "--out", "-", env=env)
    assert done.returncode == 0, done.stderr
    (tmp_path / "screen.png").write_bytes(done.stdout)
    screen = Image.open(tmp_path / "screen.png").convert("RGB")
    assert same_pixels(screen, imported(display.name, 0, 0, 320, 240, tmp_path / "root.png"))

    if shutil.which("xprop") is None:
        pytest.skip("xprop is missing (apt install x11-utils): --window is not checked")
    # Xvfb has no window manager: announce the pattern window as one would.
    subprocess.run(
        ["xprop", "-root", "-f", "_NET_ACTIVE_WINDOW", "32i", "-set", "_NET_ACTIVE_WINDOW",
         str(display.pattern_window)],
        check=True,
        timeout=30,
        env=env,
    )  # fmt: skip
    try:
        done = capture("--window", "--out", str(tmp_path / "window.png"), env=env)
    finally:
        subprocess.run(["xprop", "-root", "-remove", "_NET_ACTIVE_WINDOW"], env=env, timeout=30)
    assert done.returncode == 0, done.stderr
    window = Image.open(tmp_path / "window.png").convert("RGB")
    assert same_pixels(window, screen.crop((40, 30, 240, 150)))

    done = capture("--window", "--out", str(tmp_path / "none.png"), env=env)
    assert done.returncode == 2
    assert "no active window" in done.stderr.decode()


@pytest.mark.parametrize(
    ("region", "said"),
    [
        ("0,0,0,10", "is empty"),
        ("320,0,10,10", "outside every screen (screens: 0,0,320,240)"),
        ("-20,-20,10,10", "outside every screen"),
        ("1,2,3", "X,Y,W,H"),
    ],
)
def test_bad_regions_exit_2_in_one_line(
    display: Display, tmp_path: Path, region: str, said: str
) -> None:
    out = tmp_path / "never.png"
    done = capture(f"--region={region}", "--out", str(out), env=environment(display.name))
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and said in lines[0], lines
    assert not out.exists()


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (environment(None), "DISPLAY is unset"),
        (environment(":9", QT_QPA_PLATFORM="offscreen"), "QT_QPA_PLATFORM=offscreen has none"),
        (environment(":9", QT_QPA_PLATFORM="", WAYLAND_DISPLAY="wayland-0"), "desktop portal"),
    ],
)
def test_no_display_exits_2_in_one_line(tmp_path: Path, env: dict[str, str], said: str) -> None:
    done = capture("--region", "0,0,10,10", "--out", str(tmp_path / "x.png"), env=env)
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and said in lines[0], lines


def test_a_folder_or_special_file_is_never_written(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    env = environment(":9")  # refused before any display is asked
    for out, said in ((tmp_path, "is a folder"), (fifo, "special file"),
                      (tmp_path / "gone" / "x.png", "does not exist")):  # fmt: skip
        done = capture("--region", "0,0,10,10", "--out", str(out), env=env)
        assert done.returncode == 2
        lines = done.stderr.decode().splitlines()
        assert len(lines) == 1 and said in lines[0], lines
