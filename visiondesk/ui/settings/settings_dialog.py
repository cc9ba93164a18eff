"""Settings: profiles (added with a real name, renamed, deleted, tested) and what applies to
the whole app (light/dark, default instructions, clean-up of uploads). Keys go to the keychain
on a thread of their own, as jobs of the group "keychain-write": the window never waits for the
keychain, Save closes once it has answered, and a refusal is said here (the key is kept for
the session) with Try again one click away."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from visiondesk.config.profile_edits import ProfileEdits
from visiondesk.config.profile_store import EMULATOR, save_profiles
from visiondesk.config.profiles import Profile
from visiondesk.config.secrets import Secrets
from visiondesk.config.settings import AppSettings
from visiondesk.ui.settings.app_settings_tab import AppSettingsTab
from visiondesk.ui.settings.keychain_line import KeychainLine
from visiondesk.ui.settings.profile_form import ProfileForm
from visiondesk.ui.theme import apply_theme
from visiondesk.workspace.jobs import Group, Jobs


class SettingsDialog(QDialog):
    """Edits copies of the profiles and app settings; Save keeps them, Cancel drops them.

    Signals: `accepted()` / `rejected()` (QDialog's). After Save, `profiles`, `app_settings`
    and `selected_key` hold what was saved; `renamed` maps old profile names to new ones.
    Closing the dialog stops its jobs (the connection test, the wait for the keychain).
    """

    def __init__(
        self,
        profiles: dict[str, Profile],
        selected: str,
        secrets: Secrets,
        parent: QWidget | None = None,
        save: bool = True,
        app_settings: AppSettings | None = None,
        *,
        jobs: Jobs | None = None,
    ) -> None:
        """`jobs`: the workspace's job helper (a dialog of its own gets its own)."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.edits = ProfileEdits(profiles)
        self.profiles = self.edits.profiles
        self.secrets = secrets
        self.selected_key = selected
        self._save = save
        self.app_settings = app_settings or AppSettings.load()
        self.renamed: dict[str, str] = {}
        self.jobs = jobs if jobs is not None else Jobs()
        self._attempted: set[tuple[str, str]] = set()
        """Renames and deletions already asked of the keychain (Save again does not repeat)."""
        self._saving = False
        self._refused_while_saving = False
        self._closed = False
        self.form = ProfileForm(secrets, self, jobs=self.jobs)
        self.form.name_changed.connect(self._name_typed)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Profiles")
        self.list.setMinimumWidth(190)  # "Local emulator", "LM Studio (remote)" fit whole
        self._keys = self.edits.keys
        for key in self._keys:
            self.list.addItem(self.profiles[key].name)
        self.add_button = QPushButton("Add…", self)
        self.add_button.clicked.connect(self.ask_new_name)
        self.rename_button = QPushButton("Rename", self)
        self.rename_button.clicked.connect(self._rename)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.clicked.connect(self.delete_current)
        buttons_row = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.delete_button):
            buttons_row.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(buttons_row)
        servers = QWidget(self)
        body = QHBoxLayout(servers)
        body.addLayout(left, 2)
        body.addWidget(self.form, 5)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(servers, "Servers")
        self.app_tab = AppSettingsTab(self.app_settings, self)
        # The tab's fields, as the dialog's own (what a person edits there, tests included).
        self.theme, self.instructions = self.app_tab.theme, self.app_tab.instructions
        self.cleanup = self.app_tab.cleanup
        self.tabs.addTab(self.app_tab, "All conversations")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        # Enter in a field (a rename, a URL) ends that field's edit (keyPressEvent), and a stray
        # Enter never saves a half-typed name. Ctrl+S and Ctrl+Enter save; Esc cancels.
        for keys in (QKeySequence.StandardKey.Save, "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self._accept)
        self.form.name.returnPressed.connect(self.list.setFocus)
        self.keychain_line = KeychainLine(self.secrets, self.jobs, self)
        self.keychain_line.on_refused = self._keychain_refused
        self.keychain, self.keychain_retry = (
            self.keychain_line.text,
            self.keychain_line.retry_button,
        )
        layout.addWidget(self.keychain_line)
        layout.addWidget(buttons)
        self.jobs.changed.connect(self._jobs_changed)
        self.list.currentRowChanged.connect(self._show)
        self._current = -1
        self.list.setCurrentRow(self._keys.index(selected) if selected in self._keys else 0)
        self.list.setFocus()  # opening Settings types into nothing: arrows pick a profile
        self.resize(860, 600)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses a button only when the button has the focus: from a field it would
        save the dialog (Qt's default button), renaming a profile by accident."""
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not isinstance(self.focusWidget(), QPushButton):
            event.accept()
            return
        super().keyPressEvent(event)

    # ----- the profile list -----------------------------------------------------------------

    @property
    def current_key(self) -> str | None:
        return self._keys[self._current] if 0 <= self._current < len(self._keys) else None

    def _show(self, row: int) -> None:
        if not self._store_current():
            return
        self._current = row
        key = self.current_key
        if key is None:
            return
        profile = self.profiles[key]
        self.form.show_profile(profile)
        offline = key == EMULATOR
        self.delete_button.setEnabled(not offline and len(self._keys) > 1)
        self.delete_button.setToolTip(
            "The local emulator stays: it is what works offline" if offline else ""
        )

    def _name_typed(self, name: str) -> None:
        item = self.list.item(self._current)
        if item is not None and name.strip():
            item.setText(name.strip())

    def _rename(self) -> None:
        self.form.name.setFocus()
        self.form.name.selectAll()

    def _store_current(self) -> bool:
        key = self.current_key
        if key is None:
            return True
        try:
            updated = self.form.profile_from(self.profiles[key])
            self.edits.replace(key, updated)
        except ValueError as error:  # a field that does not read, or a name taken
            QMessageBox.warning(self, "Settings", str(error))
            return False
        secret = self.form.key.text().strip()
        if secret:
            self.keychain_line.write(partial(self.secrets.store, updated, secret))
            self.form.key.clear()
            self.form.key_source.setText(self.secrets.source_of(updated))
        return True

    # ----- the keychain ---------------------------------------------------------------------

    def _keychain_refused(self) -> None:
        self._refused_while_saving = self._saving

    def retry_keychain(self) -> None:
        """Try again: the writes the keychain refused (unlocked since, perhaps)."""
        self.keychain_line.retry()
        self._jobs_changed()

    def _jobs_changed(self) -> None:
        """The keychain's state follows from its jobs: saving, refused (with Try again), done;
        a Save that waited for it closes the dialog unless the keychain refused."""
        writing = self.keychain_line.writing
        if self.save_button is not None:
            self.save_button.setEnabled(not writing)
        self.keychain_line.show_state()
        if writing:
            return
        shown = self.form.shown
        if shown is not None and not self.form.key.text():
            self.form.key_source.setText(self.secrets.source_of(shown))
        if self._saving:
            self._saving = False
            if self._refused_while_saving:
                self._refused_while_saving = False  # said: Save again keeps the key this session
            else:
                self._saved()

    def ask_new_name(self) -> QInputDialog:
        """Add…: the person names the server first (no "Server 6")."""
        ask = QInputDialog(self)
        ask.setWindowTitle("Add a server")
        ask.setLabelText("Name of the server (for example “Office vLLM”):")
        ask.setInputMode(QInputDialog.InputMode.TextInput)
        ask.textValueSelected.connect(self.add_profile)
        ask.open()
        return ask

    def add_profile(self, name: str) -> str | None:
        """A new OpenAI-compatible profile with this name; its fields are shown to fill in."""
        if not name.strip() or not self._store_current():
            return None
        try:
            key = self.edits.add(name)
        except ValueError as error:
            QMessageBox.warning(self, "Settings", str(error))
            return None
        self.list.addItem(self.profiles[key].name)
        self.list.setCurrentRow(len(self._keys) - 1)
        self.form.base_url.setFocus()
        self.form.base_url.selectAll()
        return key

    def delete_current(self) -> None:
        """Delete the profile shown (not saved until Save; Cancel brings it back)."""
        key = self.current_key
        if key is None or key == EMULATOR or len(self._keys) == 1:
            return
        row = self._current
        self._current = -1  # nothing to store back from the form
        self.edits.remove(key)
        self.list.takeItem(row)
        self.list.setCurrentRow(min(row, len(self._keys) - 1))

    # ----- Save ------------------------------------------------------------------------------

    def _accept(self) -> None:
        if not self._store_current():
            return
        if self.current_key is not None:
            self.selected_key = self.current_key
        self.form.cancel_check()
        self.renamed = self.edits.renamed()
        for before, after in self.renamed.items():
            if (before, after) not in self._attempted:
                self._attempted.add((before, after))
                self.keychain_line.write(partial(self.secrets.rename, before, after))
        for old in self.edits.removed():
            if (old.name, "") not in self._attempted:
                self._attempted.add((old.name, ""))  # deleted: its key leaves the keychain too
                self.keychain_line.write(partial(self.secrets.forget, old))
        self._saving = True
        self._jobs_changed()  # closes now, or once the keychain has answered

    def _saved(self) -> None:
        settings = self.app_settings = self.app_tab.edited(self.app_settings)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        if self._save:
            try:
                save_profiles(self.profiles)
                settings.save()
            except OSError as error:
                QMessageBox.warning(self, "Settings", f"Could not save the profiles: {error}")
        self.accept()

    def done(self, result: int) -> None:
        """However the dialog closes, its jobs stop (the key stays in use this session)."""
        if not self._closed:
            self._closed = True
            self.form.detach()
            self.jobs.cancel(Group.KEYCHAIN_WRITE)
            self.jobs.changed.disconnect(self._jobs_changed)
        super().done(result)
