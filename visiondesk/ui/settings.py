"""Settings: profiles (name, kind, base URL, defaults) and API keys in the OS keychain."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.config.profile_store import save_profiles
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import Secrets
from visiondesk.config.settings import AppSettings, Cleanup
from visiondesk.domain import ApiMode, Detail


class SettingsDialog(QDialog):
    def __init__(
        self,
        profiles: dict[str, Profile],
        selected: str,
        secrets: Secrets,
        parent: QWidget | None = None,
        save: bool = True,
        app_settings: AppSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.profiles = dict(profiles)
        self.secrets = secrets
        self.selected_key = selected
        self._save = save
        self.app_settings = app_settings or AppSettings.load()
        self.cleanup = QComboBox(self)
        self.cleanup.setAccessibleName("Delete uploaded images")
        for value, label in (
            (Cleanup.AFTER_ANSWER, "after the answer"),
            (Cleanup.ON_DELETE, "when the conversation is deleted"),
            (Cleanup.NEVER, "never (delete them in View → Uploaded files)"),
        ):
            self.cleanup.addItem(label, value.value)
        self.cleanup.setCurrentIndex(self.cleanup.findData(self.app_settings.cleanup.value))
        self.list = QListWidget(self)
        self.list.setAccessibleName("Profiles")
        self._keys = list(self.profiles)
        for key in self._keys:
            self.list.addItem(self.profiles[key].name)
        add = QPushButton("Add profile", self)
        add.clicked.connect(self._add)
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        for kind in ProviderKind:
            self.kind.addItem(kind.value, kind.value)
        self.base_url = QLineEdit(self)
        self.model = QLineEdit(self)
        self.mode = QComboBox(self)
        for mode in ApiMode:
            self.mode.addItem(mode.value, mode.value)
        self.detail = QComboBox(self)
        for detail in Detail:
            self.detail.addItem(detail.value, detail.value)
        self.uploads = QCheckBox("upload images as files (file_id) instead of data URLs", self)
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("paste a key to save it; leave empty to keep the current one")
        self.key_source = QLabel(self)
        keychain = (
            "Keys are saved in the system keychain."
            if secrets.keychain_available
            else "No system keychain was found: a key typed here is kept for this session only "
            "(or set it in the environment variable below). It is never written to a file."
        )
        self.key_env = QLineEdit(self)
        form = QFormLayout()
        for label, widget in (
            ("Name", self.name),
            ("Kind", self.kind),
            ("Base URL", self.base_url),
            ("Default model", self.model),
            ("Default API mode", self.mode),
            ("Default detail", self.detail),
            ("Responses API", self.uploads),
            ("API key", self.key),
            ("Key now comes from", self.key_source),
            ("Key environment variable", self.key_env),
        ):
            widget.setAccessibleName(label)
            form.addRow(label, widget)
        form.addRow(QLabel(keychain, self))
        form.addRow("Delete uploaded images", self.cleanup)
        left = QVBoxLayout()
        left.addWidget(self.list)
        left.addWidget(add)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(form, 2)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self._show)
        self._current = -1
        self.list.setCurrentRow(self._keys.index(selected) if selected in self._keys else 0)

    def _show(self, row: int) -> None:
        self._store_current()
        self._current = row
        if not 0 <= row < len(self._keys):
            return
        profile = self.profiles[self._keys[row]]
        self.name.setText(profile.name)
        self.kind.setCurrentIndex(self.kind.findData(profile.kind.value))
        self.base_url.setText(profile.base_url)
        self.model.setText(profile.model)
        self.mode.setCurrentIndex(self.mode.findData(profile.mode.value))
        self.detail.setCurrentIndex(self.detail.findData(profile.detail.value))
        self.uploads.setChecked(profile.responses_upload)
        self.key.clear()
        self.key_source.setText(self.secrets.source_of(profile))
        self.key_env.setText(profile.api_key_env)
        emulator = profile.kind is ProviderKind.EMULATOR
        for widget in (self.base_url, self.kind, self.key, self.key_env):
            widget.setEnabled(not emulator)

    def _store_current(self) -> bool:
        if not 0 <= self._current < len(self._keys):
            return True
        key = self._keys[self._current]
        old = self.profiles[key]
        try:
            updated = replace(
                old,
                name=self.name.text().strip() or old.name,
                kind=ProviderKind(self.kind.currentData()),
                base_url=self.base_url.text().strip() or old.base_url,
                model=self.model.text().strip() or old.model,
                mode=ApiMode(self.mode.currentData()),
                detail=Detail(self.detail.currentData()),
                api_key_env=self.key_env.text().strip(),
                responses_upload=self.uploads.isChecked(),
            )
        except ValueError as error:
            QMessageBox.warning(self, "Settings", str(error))
            return False
        self.profiles[key] = updated
        secret = self.key.text().strip()
        if secret:
            in_keychain = self.secrets.store(updated, secret)
            self.key.clear()
            self.key_source.setText("OS keychain" if in_keychain else "this session only")
        return True

    def _add(self) -> None:
        self._store_current()
        number = len(self._keys) + 1
        key = f"profile-{number}"
        self.profiles[key] = Profile(
            f"Server {number}", ProviderKind.COMPATIBLE, "http://127.0.0.1:11434/v1", api_key_env=""
        )
        self._keys.append(key)
        self.list.addItem(self.profiles[key].name)
        self.list.setCurrentRow(len(self._keys) - 1)

    def _accept(self) -> None:
        if not self._store_current():
            return
        if 0 <= self._current < len(self._keys):
            self.selected_key = self._keys[self._current]
        self.app_settings.cleanup = Cleanup(self.cleanup.currentData())
        if self._save:
            try:
                save_profiles(self.profiles)
                self.app_settings.save()
            except OSError as error:
                QMessageBox.warning(self, "Settings", f"Could not save the profiles: {error}")
        self.accept()
