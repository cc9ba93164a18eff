"""A first start tells the truth: with no key at hand the welcome is shown and VisionDesk opens
on its emulator, whatever the keychain holds, and the keychain is not asked at start-up (a
locked one's prompt would grab the keyboard); nothing says "connected" before a server has
answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync

from tests.keychains import LockedKeychain
from tests.qt_support import dispose, notices
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.config.settings import AppSettings
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.ui.window.controller import Controller
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.workspace import ConnectionState


@pytest.fixture
def keychain() -> Iterator[LockedKeychain]:
    locked = LockedKeychain()
    locked.saved = {"OpenAI": "sk-in-the-keychain"}
    yield locked
    locked.unlocked.set()  # no thread of the test waits on it any longer


def first_start(tmp_path: Path, keychain: object) -> Controller:
    """The window on a first start, on the OpenAI and emulator profiles, with `keychain` as
    the system's (a keyring backend)."""
    window = MainWindow()
    window.show()
    controller = Controller(
        window,
        profiles={key: BUILTIN[key] for key in ("openai", EMULATOR)},
        secrets=Secrets(backend=keychain),
        emulator_knobs=Knobs(token_delay=0.0),
        history=History(tmp_path / "history"),
        settings=AppSettings(),
    )
    controller.start([])
    return controller


def said(controller: Controller) -> str:
    return " ".join(notices(controller))


def test_no_key_at_hand_opens_on_the_emulator_with_the_welcome_and_asks_no_keychain(
    qtbot, loop: qasync.QEventLoop, tmp_path: Path, keychain: LockedKeychain, monkeypatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    controller = first_start(tmp_path, keychain)
    assert controller.workspace.settings.profile_key == EMULATOR
    assert controller.wants_welcome
    assert keychain.asked == []  # the locked keychain was not asked: no prompt at start-up
    assert "connected" not in said(controller).lower()
    loop.run_until_complete(controller.aclose())
    dispose(controller.window)


def test_a_key_in_the_environment_opens_on_openai_without_saying_connected(
    qtbot, loop: qasync.QEventLoop, tmp_path: Path, keychain: LockedKeychain, monkeypatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment-000000")
    controller = first_start(tmp_path, keychain)
    assert controller.workspace.settings.profile_key == "openai"
    assert not controller.wants_welcome
    assert "connected" not in said(controller).lower()
    assert "OpenAI" in said(controller)
    loop.run_until_complete(controller.aclose())
    dispose(controller.window)


def test_sending_without_a_key_says_the_key_is_missing(
    qtbot, loop: qasync.QEventLoop, tmp_path: Path, keychain: LockedKeychain, monkeypatch
) -> None:
    from PySide6.QtCore import Qt

    from tests.qt_support import last_turn, run
    from tests.waiting import until

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    keychain.saved = {}
    keychain.unlocked.set()  # an open keychain that holds no key
    controller = first_start(tmp_path, keychain)
    window = controller.window
    window.profile_box.setCurrentIndex(window.profile_box.findData("openai"))
    window.profile_box.activated.emit(window.profile_box.currentIndex())

    async def keychain_answered() -> None:
        await until(lambda: controller.workspace.status.state is ConnectionState.FAILED)

    run(loop, keychain_answered)
    assert "no API key" in controller.workspace.status.text
    qtbot.keyClicks(window.composer, "What is this?")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)

    said_now = said(controller)
    assert (
        "OpenAI needs an API key: enter one in Edit → Settings or set $OPENAI_API_KEY" in said_now
    )
    assert "reach" not in said_now and last_turn(controller) is None  # nothing was sent
    assert window.composer.toPlainText() == "What is this?"  # the question is kept
    loop.run_until_complete(controller.aclose())
    dispose(controller.window)


def test_a_cancelled_keychain_prompt_says_so_and_choosing_the_profile_asks_again(
    qtbot, loop: qasync.QEventLoop, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtCore import Qt

    from tests.keychains import CancelledPromptKeychain
    from tests.qt_support import run
    from tests.waiting import until

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    keychain = CancelledPromptKeychain()
    controller = first_start(tmp_path, keychain)
    window, workspace = controller.window, controller.workspace
    assert keychain.asked == 0  # nothing asked at start-up

    def choose_openai() -> None:
        window.profile_box.setCurrentIndex(window.profile_box.findData("openai"))
        window.profile_box.activated.emit(window.profile_box.currentIndex())

    async def settled() -> None:
        await until(lambda: workspace.status.state is not ConnectionState.KEYCHAIN)

    choose_openai()
    run(loop, settled)
    assert workspace.status.state is ConnectionState.FAILED
    assert "the keychain stayed locked" in workspace.status.text  # not "no API key"
    qtbot.keyClicks(window.composer, "What is this?")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    assert "OpenAI: key not available: the keychain stayed locked" in said(controller)
    assert window.composer.toPlainText() == "What is this?"

    keychain.cancelling = False  # this time the person types the password
    choose_openai()
    run(loop, settled)
    assert keychain.asked == 2 and "locked" not in workspace.status.text
    assert workspace.secrets.key_for(workspace.profile) == "sk-in-the-keychain-000000000000"
    loop.run_until_complete(controller.aclose())
    dispose(window)
