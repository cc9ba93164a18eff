"""Settings: profiles are edited and saved without the key; the key goes to the keychain or,
without one, stays in memory for the session."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot

from visiondesk.config.profile_store import BUILTIN, load_profiles
from visiondesk.config.secrets import Secrets
from visiondesk.ui.settings.settings_dialog import SettingsDialog

SECRET = "sk-settings-test-0000000000000000"


def save(dialog: SettingsDialog) -> None:
    """Press Save, as a person does."""
    [box] = dialog.findChildren(QDialogButtonBox)
    button = box.button(QDialogButtonBox.StandardButton.Save)
    assert button is not None
    button.click()


def test_edit_a_profile_and_keep_the_key_out_of_files(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path))
    secrets = Secrets(use_keyring=False)
    dialog = SettingsDialog(dict(BUILTIN), "ollama", secrets)
    qtbot.addWidget(dialog)
    assert dialog.form.name.text() == "Ollama"
    dialog.form.base_url.setText("http://192.168.1.20:11434/v1")
    dialog.form.model.setText("llava:13b")
    dialog.form.key.setText(SECRET)
    dialog.form.uploads.setChecked(True)
    save(dialog)
    ollama = dialog.profiles["ollama"]
    assert ollama.responses_upload
    assert (ollama.base_url, ollama.model) == ("http://192.168.1.20:11434/v1", "llava:13b")
    assert secrets.key_for(ollama) == SECRET
    assert secrets.source_of(ollama).startswith("this session only")
    saved = (tmp_path / "profiles.json").read_text()
    assert "192.168.1.20" in saved and SECRET not in saved
    assert load_profiles()["ollama"].model == "llava:13b"


def test_a_bad_base_url_is_refused_with_a_message(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path))
    shown: list[str] = []
    monkeypatch.setattr(
        "visiondesk.ui.settings.settings_dialog.QMessageBox.warning",
        lambda *args: shown.append(args[2]),
    )
    dialog = SettingsDialog(dict(BUILTIN), "lmstudio", Secrets(use_keyring=False))
    qtbot.addWidget(dialog)
    dialog.form.base_url.setText("localhost:1234")
    save(dialog)
    assert shown and "base URL" in shown[0]
    assert not (tmp_path / "profiles.json").exists()


def test_the_clean_up_choice_is_saved(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from visiondesk.config.settings import AppSettings, Cleanup

    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path))
    dialog = SettingsDialog(dict(BUILTIN), "openai", Secrets(use_keyring=False))
    qtbot.addWidget(dialog)
    assert dialog.cleanup.currentData() == Cleanup.ON_DELETE.value  # the default
    dialog.cleanup.setCurrentIndex(dialog.cleanup.findData(Cleanup.AFTER_ANSWER.value))
    save(dialog)
    assert AppSettings.load().cleanup is Cleanup.AFTER_ANSWER


def test_welcome_offers_key_local_server_and_emulator(qtbot: QtBot) -> None:
    from visiondesk.ui.connection.welcome_dialog import WelcomeDialog

    dialog = WelcomeDialog(["ollama"], keychain=False)
    qtbot.addWidget(dialog)
    labels = [button.text() for button in dialog.findChildren(QPushButton)]
    assert "Use Ollama (port 11434) — running now" in labels
    assert "Try the built-in emulator (offline, no key)" in labels
    dialog.key.setText(SECRET)
    [use] = [
        button for button in dialog.findChildren(QPushButton) if button.text() == "Use this key"
    ]
    use.click()
    assert dialog.choice == ("openai", SECRET)


def test_saving_settings_keeps_the_open_conversation_on_its_profile(
    app: object, loop: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from visiondesk.ui.window.controller import Controller

    assert isinstance(app, Controller)
    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path))
    workspace = app.workspace
    workspace.update_profiles(dict(BUILTIN), workspace.app_settings)  # OpenAI listed first
    workspace.set_model("gpt-4.1-mini")
    app.window.settings_action.trigger()
    [dialog] = [d for d in app.window.findChildren(SettingsDialog) if d.isVisible()]
    dialog.list.setCurrentRow(0)  # look at (and leave selected) OpenAI before saving
    assert dialog.form.name.text() == "OpenAI"
    save(dialog)
    assert workspace.settings.profile_key == "emulator"
    assert workspace.settings.model == "gpt-4.1-mini"
    assert app.window.profile_box.currentData() == "emulator"


def test_settings_open_on_the_list_and_a_stray_enter_renames_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path))
    dialog = SettingsDialog(dict(BUILTIN), "ollama", Secrets(use_keyring=False))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()  # shortcuts go to the active window
    qtbot.waitUntil(lambda: dialog.isActiveWindow() and dialog.focusWidget() is dialog.list)
    qtbot.keyClicks(dialog.focusWidget(), "x")  # typing lands on the list, renaming nothing
    assert dialog.form.name.text() == "Ollama"
    dialog.rename_button.click()
    qtbot.keyClicks(dialog.form.name, "Ollama at home")
    qtbot.keyClick(dialog.form.name, Qt.Key.Key_Return)  # ends the rename, saves nothing
    assert dialog.isVisible() and not (tmp_path / "profiles.json").exists()
    assert dialog.focusWidget() is dialog.list
    qtbot.keyClick(dialog.list, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    assert load_profiles()["ollama"].name == "Ollama at home"


def test_where_the_key_goes_is_said_as_it_is_typed(qtbot: QtBot) -> None:
    secrets = Secrets(use_keyring=False)
    dialog = SettingsDialog(dict(BUILTIN), "ollama", secrets, save=False)
    qtbot.addWidget(dialog)
    before = dialog.form.key_source.text()
    qtbot.keyClicks(dialog.form.key, "sk-typed")
    assert dialog.form.key_source.text().startswith("this session only, once you press Save")
    dialog.form.key.selectAll()
    qtbot.keyClick(dialog.form.key, Qt.Key.Key_Backspace)
    assert dialog.form.key_source.text() == before
