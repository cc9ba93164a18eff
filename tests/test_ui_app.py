"""The app as a process: the self-test passes, and quitting mid-work exits cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests import images

QUIT_SOON = """
import sys
from PySide6.QtCore import QTimer
from visiondesk.ui import app as application

qt = application.make_app([])


def close_all():
    for widget in qt.topLevelWidgets():
        widget.close()


QTimer.singleShot(int(sys.argv[1]), close_all)
sys.exit(application.run_app(sys.argv[2:]))
"""


def environment(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        VISIONDESK_CONFIG_DIR=str(tmp_path / "config"),
        VISIONDESK_CACHE_DIR=str(tmp_path / "cache"),
        VISIONDESK_DATA_DIR=str(tmp_path / "data"),
        OPENAI_API_KEY="",
    )


def test_self_test_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "visiondesk", "--self-test"],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "self-test passed" in result.stdout
    assert not (tmp_path / "data" / "history.sqlite3").exists()  # a temporary history, removed


def test_quitting_while_images_are_prepared_exits_cleanly(tmp_path: Path) -> None:
    paths = []
    for number in range(4):
        path = tmp_path / f"big{number}.jpg"
        path.write_bytes(images.encode(images.photo(6000, 4000, seed=number), "JPEG"))
        paths.append(str(path))
    result = subprocess.run(
        [sys.executable, "-c", QUIT_SOON, "300", *paths],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "QThread: Destroyed" not in result.stderr
    assert "Traceback" not in result.stderr


OPEN_AND_REPORT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtNetwork import QLocalSocket
from visiondesk.ui import app as application
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.ui.single_instance import server_name

qt = application.make_app([])
said = set()


def listening():
    probe = QLocalSocket()
    probe.connectToServer(server_name())
    connected = probe.waitForConnected(1000)
    probe.abort()
    return connected


def watch():
    for widget in qt.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            # The instance server listens just after the window shows.
            if "ready" not in said and listening():
                said.add("ready")
                print("ready", flush=True)
            cards = widget.attachment_row.cards
            names = sorted(card.name.toolTip().rsplit("/", 1)[-1] for card in cards)
            if len(names) == int(sys.argv[1]):
                print("cards:", names, flush=True)
                widget.close()


timer = QTimer()
timer.timeout.connect(watch)
timer.start(20)
sys.exit(application.run_app(sys.argv[2:]))
"""


def test_a_second_launch_hands_its_images_to_the_first(tmp_path: Path) -> None:
    first_image, second_image = tmp_path / "first.png", tmp_path / "second.png"
    images.screenshot(300, 200).save(first_image)
    images.screenshot(320, 200).save(second_image)
    env = environment(tmp_path)
    first = subprocess.Popen(
        [sys.executable, "-c", OPEN_AND_REPORT, "2", str(first_image)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "ready"  # up and listening
    second = subprocess.run(
        [sys.executable, "-m", "visiondesk", str(second_image)],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert second.returncode == 0, second.stderr
    out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert "cards: ['first.png', 'second.png']" in out


def test_one_instance_per_data_folder_in_the_runtime_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from visiondesk.config.paths import instance_socket
    from visiondesk.ui.single_instance import server_name

    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.delenv("VISIONDESK_INSTANCE", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("VISIONDESK_DATA_DIR", str(tmp_path / "one"))
    one = instance_socket()
    assert one == server_name() and Path(one).parent == runtime
    monkeypatch.setenv("VISIONDESK_DATA_DIR", str(tmp_path / "two"))
    assert instance_socket() != one  # another data folder, another window
    monkeypatch.setenv("VISIONDESK_DATA_DIR", str(tmp_path / "one"))
    assert instance_socket() == one
    runtime.chmod(0o755)  # a runtime folder others can enter is not used
    assert Path(instance_socket()).parent != runtime
    assert Path(instance_socket()).parent.stat().st_mode & 0o077 == 0


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no file")
def test_no_socket_file_means_no_running_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from visiondesk.ui.app import instance_may_be_running

    tmp_path.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("VISIONDESK_INSTANCE", "visiondesk-probe-test")
    assert not instance_may_be_running()
    (tmp_path / "visiondesk-probe-test.socket").touch()
    assert instance_may_be_running()


def test_another_data_folder_starts_its_own_window_and_sigterm_removes_the_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A launch with another data folder (another HOME, a test suite) never hands its images
    to the window running on the person's; SIGTERM ends a window as closing it does."""
    from visiondesk.config.paths import instance_socket

    first_image, second_image = tmp_path / "first.png", tmp_path / "second.png"
    images.screenshot(300, 200).save(first_image)
    images.screenshot(320, 200).save(second_image)
    env = environment(tmp_path)
    first = subprocess.Popen(
        [sys.executable, "-c", OPEN_AND_REPORT, "2", str(first_image)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "ready"
    other = env | {"VISIONDESK_DATA_DIR": str(tmp_path / "other-data")}
    second = subprocess.run(  # its own window: it shows its one card, then closes
        [sys.executable, "-c", OPEN_AND_REPORT, "1", str(second_image)],
        capture_output=True,
        text=True,
        timeout=60,
        env=other,
    )
    assert second.returncode == 0, second.stderr
    assert "cards: ['second.png']" in second.stdout
    monkeypatch.setenv("VISIONDESK_DATA_DIR", env["VISIONDESK_DATA_DIR"])
    socket = Path(instance_socket())
    assert socket.exists()
    first.send_signal(signal.SIGTERM)
    out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert "cards:" not in out  # the first window never got the second's image
    assert not socket.exists()
