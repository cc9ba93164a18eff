from __future__ import annotations

import functools
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import images
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.emulator import Emulator

# Where the environment says to write no bytecode (PYTHONDONTWRITEBYTECODE, set on some CI
# machines; `make` empties it), every pytest worker compiled the SDK, Qt's bindings, VisionDesk
# and the tests again (a worker's collection: 10 s instead of 4), and so did each of the hundred
# Python processes the suite starts. The workers and those processes write it instead, to one
# folder outside the checkout and .venv (Python checks each file against its source).
BYTECODE = Path(tempfile.gettempdir()) / f"visiondesk-tests-bytecode-{os.getuid()}"
_bytecode_environment = pytest.MonkeyPatch()


def pytest_configure(config: pytest.Config) -> None:
    """Before xdist starts its workers: they and every process a test starts inherit it."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and own_folder(BYTECODE):
        _bytecode_environment.delenv("PYTHONDONTWRITEBYTECODE")
        _bytecode_environment.setenv("PYTHONPYCACHEPREFIX", str(BYTECODE))


def pytest_unconfigure(config: pytest.Config) -> None:
    _bytecode_environment.undo()


def own_folder(folder: Path) -> bool:
    """`folder` is there, a folder (not a link) of this user's that no one else may write to."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        status = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(status.st_mode)
        and status.st_uid == os.getuid()
        and not (status.st_mode & 0o022)
    )


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


# The two pictures are drawn and encoded once per worker (0.1-0.2 s each, for some 300 tests);
# each test still gets its own file, which it may change or delete.
@functools.cache
def photo_bytes() -> bytes:
    return images.jpeg_with_exif(images.photo(2400, 1800), orientation=6)


@functools.cache
def shot_bytes() -> bytes:
    return images.encode(images.screenshot(1920, 1080), "PNG")


@pytest.fixture
def photo_path(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    path.write_bytes(photo_bytes())
    return path


@pytest.fixture
def shot_path(tmp_path: Path) -> Path:
    path = tmp_path / "shot.png"
    path.write_bytes(shot_bytes())
    return path
