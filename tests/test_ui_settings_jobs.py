"""Settings' background work as jobs: Test connection and the keychain's writes each end in
success, failure or cancelled; a failure is said in the dialog (a refused key is kept for the
session, with Try again one click away), and closing the dialog stops what it started."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.keychains import LockedKeychain, RefusingKeychain
from tests.qt_support import dispose, run
from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, load_profiles
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import Secrets
from visiondesk.emulator import Emulator, Knobs
from visiondesk.store import History
from visiondesk.ui.settings.settings_dialog import SettingsDialog
from visiondesk.workspace.jobs import Group

SECRET = "sk-settings-jobs-0000000000000000"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that takes the connection and never answers (a hung gateway)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    """A window for the dialog to open over, as Edit → Settings does (closing the dialog then
    leaves a window open, and the event loop running)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def open_dialog(window: QWidget, secrets: Secrets, selected: str = "ollama") -> SettingsDialog:
    dialog = SettingsDialog(dict(BUILTIN), selected, secrets, window)
    dialog.show()
    return dialog


def press(qtbot: QtBot, dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> None:
    [box] = [b for b in dialog.findChildren(QDialogButtonBox) if b.parent() is dialog]
    button = box.button(which)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


async def settled(dialog: SettingsDialog) -> None:
    """Until the dialog's keychain writes have ended and said how (their handlers ran)."""
    await asyncio.wait_for(dialog.jobs.wait(Group.KEYCHAIN_WRITE), 15)


SAVE = QDialogButtonBox.StandardButton.Save
CANCEL = QDialogButtonBox.StandardButton.Cancel


def test_closing_the_dialog_stops_a_connection_test(
    qtbot: QtBot, config: Path, loop: qasync.QEventLoop, window: QWidget, silent_server: str
) -> None:
    dialog = open_dialog(window, Secrets(use_keyring=False))
    dialog.form.base_url.setText(silent_server)

    async def scenario() -> None:
        qtbot.mouseClick(dialog.form.test, Qt.MouseButton.LeftButton)
        assert dialog.form.testing and not dialog.form.test.isEnabled()
        assert dialog.form.check.text() == f"Testing {silent_server}…"
        press(qtbot, dialog, CANCEL)
        assert not dialog.isVisible()
        await until(lambda: not dialog.jobs.busy)  # cancelled, not left waiting on the server

    run(loop, scenario)
    assert dialog.form.check.text() == ""  # no late result written into a closed dialog


def test_a_refused_key_is_said_kept_for_the_session_and_saved_on_try_again(
    qtbot: QtBot, config: Path, loop: qasync.QEventLoop, window: QWidget
) -> None:
    keychain = RefusingKeychain()
    secrets = Secrets(backend=keychain)
    dialog = open_dialog(window, secrets)
    ollama = dialog.profiles["ollama"]

    async def scenario() -> None:
        dialog.form.key.setText(SECRET)
        press(qtbot, dialog, SAVE)
        await settled(dialog)
        assert dialog.isVisible()  # the refusal is read here, not lost behind a closed dialog
        assert dialog.keychain.text() == (
            "✗ the system keychain (RefusingKeychain) would not save the key of “Ollama”: the "
            "keychain is locked and its prompt was dismissed. The key is kept for this session "
            "only."
        )
        assert SECRET not in dialog.keychain.text()
        assert secrets.key_for(ollama) == SECRET
        assert dialog.form.key_source.text() == (
            "this session only (the system keychain (RefusingKeychain) refused to save it)"
        )
        assert dialog.keychain_retry.isVisible()
        keychain.refusing = False  # the person unlocked the keychain
        qtbot.mouseClick(dialog.keychain_retry, Qt.MouseButton.LeftButton)
        await settled(dialog)
        assert dialog.keychain.text() == "✓ Saved to the system keychain (RefusingKeychain)."
        assert not dialog.keychain_retry.isVisible()
        assert keychain.saved == {"Ollama": SECRET}
        press(qtbot, dialog, SAVE)

    run(loop, scenario)
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    assert SECRET not in (config / "profiles.json").read_text()


def test_save_again_after_a_refusal_keeps_the_key_for_the_session(
    qtbot: QtBot, config: Path, loop: qasync.QEventLoop, window: QWidget
) -> None:
    keychain = RefusingKeychain()
    keychain.saved["Ollama"] = "sk-old"
    secrets = Secrets(backend=keychain)
    dialog = open_dialog(window, secrets)

    async def scenario() -> None:
        dialog.delete_current()  # Ollama goes: its key is deleted from the keychain on Save
        press(qtbot, dialog, SAVE)
        await settled(dialog)
        assert dialog.isVisible()
        assert "would not delete the key of “Ollama”" in dialog.keychain.text()
        press(qtbot, dialog, SAVE)  # the person read it and goes on
        assert not dialog.isVisible()

    run(loop, scenario)
    assert "ollama" not in load_profiles()
    assert keychain.saved == {"Ollama": "sk-old"}  # refused, as the dialog said


def test_save_waits_for_a_locked_keychain_and_cancel_stops_waiting(
    qtbot: QtBot, config: Path, loop: qasync.QEventLoop, window: QWidget
) -> None:
    keychain = LockedKeychain()
    secrets = Secrets(backend=keychain)
    dialog = open_dialog(window, secrets)
    ollama = dialog.profiles["ollama"]

    async def scenario() -> None:
        dialog.form.key.setText(SECRET)
        press(qtbot, dialog, SAVE)
        assert dialog.keychain_line.writing and dialog.isVisible()
        assert dialog.keychain.text() == "Saving to the system keychain (LockedKeychain)…"
        assert dialog.save_button is not None and not dialog.save_button.isEnabled()
        press(qtbot, dialog, CANCEL)
        assert not dialog.isVisible()
        await settled(dialog)  # cancelled: nothing waits for the keychain any more
        assert secrets.key_for(ollama) == SECRET  # in use this session however the write ends
        keychain.unlocked.set()  # the prompt is answered later; its thread ends on its own
        await until(lambda: keychain.saved.get("Ollama") == SECRET)

    try:
        run(loop, scenario)
    finally:
        keychain.unlocked.set()
    assert not (config / "profiles.json").exists()  # Cancel: nothing saved


def test_save_closes_once_the_keychain_has_the_key(
    qtbot: QtBot, config: Path, loop: qasync.QEventLoop, window: QWidget
) -> None:
    keychain = LockedKeychain()
    secrets = Secrets(backend=keychain)
    dialog = open_dialog(window, secrets)

    async def scenario() -> None:
        dialog.form.key.setText(SECRET)
        press(qtbot, dialog, SAVE)
        assert dialog.isVisible()
        keychain.unlocked.set()  # the person typed the keychain's password
        await until(lambda: not dialog.isVisible())

    try:
        run(loop, scenario)
    finally:
        keychain.unlocked.set()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert keychain.saved["Ollama"] == SECRET
    assert load_profiles()["ollama"].name == "Ollama"


def test_a_key_from_the_welcome_that_the_keychain_refuses_is_said_in_the_window(
    qtbot: QtBot, config: Path, loop: qasync.QEventLoop, tmp_path: Path
) -> None:
    from visiondesk.ui.connection.welcome_dialog import WelcomeDialog
    from visiondesk.ui.window.controller import Controller
    from visiondesk.ui.window.main_window import MainWindow

    keychain = RefusingKeychain()
    with Emulator(api_key=SECRET) as emulator:
        openai = Profile("OpenAI", ProviderKind.OPENAI, emulator.base_url, api_key_env="")
        window = MainWindow()
        controller = Controller(
            window,
            profiles={"openai": openai, "emulator": BUILTIN["emulator"]},
            secrets=Secrets(backend=keychain),
            emulator_knobs=Knobs(token_delay=0.0),
            history=History(tmp_path / "history"),
        )
        window.show()
        controller.start([])
        workspace = controller.workspace

        async def scenario() -> None:
            controller.welcome()
            [welcome] = [d for d in window.findChildren(WelcomeDialog) if d.isVisible()]
            welcome.key.setText(SECRET)
            [use] = [b for b in welcome.findChildren(QPushButton) if b.text() == "Use this key"]
            qtbot.mouseClick(use, Qt.MouseButton.LeftButton)
            await until(lambda: "would not save the key" in workspace.transcript.items[-1].text)  # type: ignore[union-attr]
            await until(lambda: workspace.status.text.startswith("OpenAI: connected"))

        try:
            run(loop, scenario)
            notice = workspace.transcript.items[-1].text  # type: ignore[union-attr]
            assert "The key is kept for this session only." in notice and SECRET not in notice
            assert workspace.secrets.key_for(openai) == SECRET
        finally:
            loop.run_until_complete(controller.aclose())
            dispose(window)
