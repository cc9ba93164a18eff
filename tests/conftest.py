from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import images
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.emulator import Emulator


@pytest.fixture(autouse=True, scope="session")
def sandbox() -> Iterator[Path]:
    """Nothing a test does may touch the person's own history, settings, cache or logs, and Qt
    never needs a display (pytest-qt creates the application later, lazily), nor touches the
    desktop's shortcuts."""
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as folder:
        if "QT_QPA_PLATFORM" not in os.environ:
            patch.setenv("QT_QPA_PLATFORM", "offscreen")
        for name in ("DATA", "CONFIG", "CACHE", "LOG"):
            patch.setenv(f"VISIONDESK_{name}_DIR", os.path.join(folder, name.lower()))
        # A window a test starts never registers a key with the person's own desktop portal
        # (tests/test_ui_capture_key.py registers against a stand-in on a private bus).
        patch.setenv("VISIONDESK_NO_GLOBAL_SHORTCUT", "1")
        yield Path(folder)


TEST_KEY = "sk-test-visiondesk-0000000000000000"

# The window fixtures (`loop`, `app`) live with their helpers; `faults` with the failing disks;
# `session_bus_address` (a private dbus-daemon) with the portal tests' bus.
pytest_plugins = ["tests.qt_support", "tests.disks", "tests.session_bus"]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(api_key=TEST_KEY) as running:
        yield running


@pytest.fixture
def profile(emulator: Emulator) -> Profile:
    return Profile("Test emulator", ProviderKind.EMULATOR, emulator.base_url)


@pytest.fixture
def photo_path(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    path.write_bytes(images.jpeg_with_exif(images.photo(2400, 1800), orientation=6))
    return path


@pytest.fixture
def shot_path(tmp_path: Path) -> Path:
    path = tmp_path / "shot.png"
    images.screenshot(1920, 1080).save(path)
    return path
