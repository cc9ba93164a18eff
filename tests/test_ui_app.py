"""The app as a process: the self-test passes, and quitting mid-work exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
