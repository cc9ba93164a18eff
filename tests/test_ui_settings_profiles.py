"""Settings as a person uses it: add a server with a real name, rename it, delete it, test the
connection, set timeouts, light/dark and default instructions."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QInputDialog
from pytestqt.qtbot import QtBot

from tests.qt_support import run
from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, EMULATOR, load_profiles
from visiondesk.config.secrets import Secrets
from visiondesk.config.settings import AppSettings, Theme
from visiondesk.domain import ApiMode
from visiondesk.ui.settings.settings_dialog import SettingsDialog
from visiondesk.ui.theme import is_dark


def save(dialog: SettingsDialog) -> None:
    [box] = [b for b in dialog.findChildren(QDialogButtonBox) if b.parent() is dialog]
    button = box.button(QDialogButtonBox.StandardButton.Save)
    assert button is not None
    button.click()


def names(dialog: SettingsDialog) -> list[str]:
    return [dialog.list.item(row).text() for row in range(dialog.list.count())]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path))
    return tmp_path


def test_add_rename_and_delete_a_server(qtbot: QtBot, config: Path) -> None:
    dialog = SettingsDialog(dict(BUILTIN), "openai", Secrets(use_keyring=False))
    qtbot.addWidget(dialog)
    dialog.add_button.click()
    [ask] = [d for d in dialog.findChildren(QInputDialog) if d.isVisible()]
    ask.setTextValue("Office vLLM")
    ask.accept()
    assert names(dialog)[-1] == "Office vLLM" and dialog.form.name.text() == "Office vLLM"
    dialog.form.base_url.setText("http://10.0.0.5:8000/v1")
    dialog.form.read_timeout.setValue(120)
    dialog.form.stream_timeout.setValue(900)
    dialog.rename_button.click()
    assert dialog.form.name.hasFocus() or dialog.form.name.selectedText() == "Office vLLM"
    dialog.form.name.clear()
    QTest.keyClicks(dialog.form.name, "Lab vLLM")
    assert names(dialog)[-1] == "Lab vLLM"  # the list follows as the name is typed
    save(dialog)
    saved = load_profiles()
    [lab] = [p for p in saved.values() if p.name == "Lab vLLM"]
    assert (lab.base_url, lab.read_timeout, lab.stream_timeout) == (
        "http://10.0.0.5:8000/v1",
        120.0,
        900.0,
    )

    again = SettingsDialog(saved, "openai", Secrets(use_keyring=False))
    qtbot.addWidget(again)
    again.list.setCurrentRow(names(again).index("Lab vLLM"))
    assert again.delete_button.isEnabled()
    again.delete_button.click()
    assert "Lab vLLM" not in names(again)
    save(again)
    assert all(p.name != "Lab vLLM" for p in load_profiles().values())


def test_a_built_in_profile_can_go_but_the_emulator_stays(qtbot: QtBot, config: Path) -> None:
    """Someone without Ollama need not scroll past it; the emulator is what works offline."""
    dialog = SettingsDialog(dict(BUILTIN), "openai", Secrets(use_keyring=False))
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(names(dialog).index(BUILTIN[EMULATOR].name))
    assert not dialog.delete_button.isEnabled()
    dialog.list.setCurrentRow(names(dialog).index("Ollama"))
    assert dialog.delete_button.isEnabled()
    dialog.delete_button.click()
    save(dialog)

    saved = load_profiles()  # not brought back by the built-ins
    assert "ollama" not in saved and EMULATOR in saved and "openai" in saved


def test_the_same_name_twice_is_refused(
    qtbot: QtBot, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        "visiondesk.ui.settings.settings_dialog.QMessageBox.warning",
        lambda *args: shown.append(args[2]),
    )
    dialog = SettingsDialog(dict(BUILTIN), "openai", Secrets(use_keyring=False))
    qtbot.addWidget(dialog)
    dialog.add_button.click()
    [ask] = [d for d in dialog.findChildren(QInputDialog) if d.isVisible()]
    ask.setTextValue("ollama")
    ask.accept()
    assert shown and "exists" in shown[0] and names(dialog).count("Ollama") == 1


def test_modes_read_as_in_the_toolbar_and_the_key_wording_is_honest(
    qtbot: QtBot, config: Path
) -> None:
    dialog = SettingsDialog(dict(BUILTIN), "openai", Secrets(use_keyring=False))
    qtbot.addWidget(dialog)
    modes = [dialog.form.mode.itemText(i) for i in range(dialog.form.mode.count())]
    assert (
        modes
        == [mode.label for mode in ApiMode]
        == [
            "Chat Completions",
            "Responses",
            "Assistants",
        ]
    )
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.form.check)))
    assert "no system keychain on this computer" in texts
    assert "saved in the system keychain" not in texts
    assert dialog.list.minimumWidth() >= 190


def test_theme_and_default_instructions_are_saved_and_applied(
    qtbot: QtBot, config: Path, qapp: QApplication
) -> None:
    dialog = SettingsDialog(dict(BUILTIN), "openai", Secrets(use_keyring=False))
    qtbot.addWidget(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData(Theme.DARK.value))
    dialog.instructions.setPlainText("Answer briefly.")
    save(dialog)
    stored = AppSettings.load()
    assert (stored.theme, stored.instructions) == (Theme.DARK, "Answer briefly.")
    assert is_dark(qapp.palette())  # the window and the transcript read the palette
    back = SettingsDialog(dict(BUILTIN), "openai", Secrets(use_keyring=False))
    qtbot.addWidget(back)
    back.theme.setCurrentIndex(back.theme.findData(Theme.SYSTEM.value))
    save(back)
    assert AppSettings.load().theme is Theme.SYSTEM and not is_dark(qapp.palette())


def test_test_connection_runs_the_probe_and_shows_the_result(
    qtbot: QtBot, config: Path, loop: qasync.QEventLoop
) -> None:
    dialog = SettingsDialog(dict(BUILTIN), EMULATOR, Secrets(use_keyring=False), save=False)
    qtbot.addWidget(dialog)

    async def scenario() -> None:
        dialog.form.test.click()
        assert not dialog.form.test.isEnabled() and "Testing" in dialog.form.check.text()
        await until(lambda: dialog.form.test.isEnabled())
        assert dialog.form.check.text().startswith("✓ Connected to http://127.0.0.1:")
        assert "Chat Completions ✓" in dialog.form.check.text()

        dialog.add_profile("Nowhere")
        dialog.form.base_url.setText("http://127.0.0.1:9/v1")  # nothing listens on port 9
        dialog.form.test.click()
        await until(lambda: dialog.form.test.isEnabled())
        assert dialog.form.check.text() == (
            "✗ Nothing is answering at http://127.0.0.1:9/v1 — is the server running?"
        )

    run(loop, scenario)
