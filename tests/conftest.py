from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import images
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.emulator import Emulator

# Qt must never need a display in tests; pytest-qt creates the application lazily, after this.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing a test does may touch the person's own history, settings, cache or logs.
_SANDBOX = tempfile.mkdtemp(prefix="visiondesk-tests-")
for _name in ("DATA", "CONFIG", "CACHE", "LOG"):
    os.environ[f"VISIONDESK_{_name}_DIR"] = os.path.join(_SANDBOX, _name.lower())

TEST_KEY = "sk-test-visiondesk-0000000000000000"

# The window fixtures (`loop`, `app`) live with their helpers; `faults` with the failing disks.
pytest_plugins = ["tests.qt_support", "tests.disks"]


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
