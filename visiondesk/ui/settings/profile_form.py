"""Settings → one profile's fields: where its server is, its defaults, its timeouts, where its
key is kept, and Test connection (a job of the group "profile-test": its result or its failure
is said next to the button, which is enabled again whenever the test has ended)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import Secrets
from visiondesk.domain import ApiMode, Detail
from visiondesk.errors import in_words
from visiondesk.workspace.checking import ProfileCheck, check_profile
from visiondesk.workspace.jobs import Group, Jobs

PROFILE_TEST = Group.PROFILE_TEST

KIND_LABELS = {
    ProviderKind.OPENAI: "OpenAI",
    ProviderKind.AZURE: "Azure OpenAI",
    ProviderKind.COMPATIBLE: "OpenAI-compatible server",
    ProviderKind.EMULATOR: "Built-in emulator",
}


class ProfileForm(QWidget):
    """The fields of the profile being edited; `profile_from(old)` reads them back.

    Signals: `name_changed(str)` (typed into Name), `check_changed(bool, str)` (Test connection
    finished: ok, the line to show).
    """

    name_changed = Signal(str)
    check_changed = Signal(bool, str)

    def __init__(
        self, secrets: Secrets, parent: QWidget | None = None, *, jobs: Jobs | None = None
    ) -> None:
        """`jobs`: the workspace's job helper (a form of its own gets its own)."""
        super().__init__(parent)
        self.secrets = secrets
        self.jobs = jobs if jobs is not None else Jobs()
        self.name = QLineEdit(self)
        self.name.textEdited.connect(self.name_changed.emit)
        self.kind = QComboBox(self)
        for kind in ProviderKind:
            self.kind.addItem(KIND_LABELS[kind], kind.value)
        self.base_url = QLineEdit(self)
        self.model = QLineEdit(self)
        self.mode = QComboBox(self)
        for mode in ApiMode:
            self.mode.addItem(mode.label, mode.value)
        self.detail = QComboBox(self)
        for detail in Detail:
            self.detail.addItem(detail.value, detail.value)
        self.uploads = QCheckBox("upload images as files (file_id) instead of data URLs", self)
        self.read_timeout = _seconds(self, 1, 3600)
        self.read_timeout.setToolTip("How long to wait for the server's first byte")
        self.stream_timeout = _seconds(self, 1, 7200)
        self.stream_timeout.setToolTip("How long an answer may pause once it has started")
        self.key = QLineEdit(self)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("paste a new key to save it")
        self.key.textEdited.connect(self._key_typed)
        self.key_source = QLabel(self)
        self.key_source.setWordWrap(True)
        self.key_env = QLineEdit(self)
        self.test = QPushButton("Test connection", self)
        self.test.clicked.connect(self.run_check)
        self.check = QLabel(self)
        self.check.setWordWrap(True)
        self.check.setAccessibleName("Test connection result")
        testing = QHBoxLayout()
        testing.addWidget(self.test)
        testing.addStretch(1)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for label, widget in (
            ("Name", self.name),
            ("Kind", self.kind),
            ("Base URL", self.base_url),
            ("Default model", self.model),
            ("Default API mode", self.mode),
            ("Default detail", self.detail),
            ("Responses API", self.uploads),
            ("Wait for a first answer", self.read_timeout),
            ("Wait between parts of an answer", self.stream_timeout),
            ("API key", self.key),
            ("Key is kept in", self.key_source),
            ("Key environment variable", self.key_env),
        ):
            widget.setAccessibleName(label)
            form.addRow(label, widget)
        note = QLabel(secrets.where_keys_go, self)
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(testing)
        form.addRow(self.check)
        self.shown: Profile | None = None
        """The profile the fields were filled from (the dialog owns the edited copies)."""
        self.jobs.changed.connect(self._enable)

    @property
    def testing(self) -> bool:
        return self.jobs.running(PROFILE_TEST)

    def _enable(self) -> None:
        self.test.setEnabled(not self.testing)

    def show_profile(self, profile: Profile) -> None:
        self.cancel_check()
        self.shown = profile
        self.name.setText(profile.name)
        self.kind.setCurrentIndex(self.kind.findData(profile.kind.value))
        self.base_url.setText(profile.base_url)
        self.model.setText(profile.model)
        self.mode.setCurrentIndex(self.mode.findData(profile.mode.value))
        self.detail.setCurrentIndex(self.detail.findData(profile.detail.value))
        self.uploads.setChecked(profile.responses_upload)
        self.read_timeout.setValue(profile.read_timeout)
        self.stream_timeout.setValue(profile.stream_timeout)
        self.key.clear()
        self.key_source.setText(self.secrets.source_of(profile))
        self.key_env.setText(profile.api_key_env)
        self.check.clear()
        emulator = profile.kind is ProviderKind.EMULATOR
        for widget in (self.base_url, self.kind, self.key, self.key_env):
            widget.setEnabled(not emulator)

    def _key_typed(self, text: str) -> None:
        """Where the key being typed will go, said as it is typed (not what was there)."""
        if self.shown is None:
            return
        if not text.strip():
            self.key_source.setText(self.secrets.source_of(self.shown))
        elif self.secrets.keychain_available:
            self.key_source.setText(f"{self.secrets.keychain_name}, once you press Save")
        else:
            self.key_source.setText("this session only, once you press Save (no keychain)")

    def profile_from(self, old: Profile) -> Profile:
        """The profile as the fields say; raises ValueError for a field that cannot be."""
        return replace(
            old,
            name=self.name.text().strip() or old.name,
            kind=ProviderKind(self.kind.currentData()),
            base_url=self.base_url.text().strip() or old.base_url,
            model=self.model.text().strip() or old.model,
            mode=ApiMode(self.mode.currentData()),
            detail=Detail(self.detail.currentData()),
            api_key_env=self.key_env.text().strip(),
            responses_upload=self.uploads.isChecked(),
            read_timeout=self.read_timeout.value(),
            stream_timeout=self.stream_timeout.value(),
        )

    def run_check(self) -> None:
        """Test connection with the fields as they are now (saved or not)."""
        profile = self.shown
        if profile is None:
            return
        try:
            edited = self.profile_from(profile)
        except ValueError as error:
            self._checked(ProfileCheck(False, str(error)))
            return
        self.cancel_check()  # one test at a time: the fields as they are now
        self.check.setText(f"Testing {edited.base_url}…")
        self.jobs.start(
            PROFILE_TEST,
            check_profile(edited, self.secrets, self.key.text().strip() or None),
            success=self._checked,
            failure=lambda error: self._checked(ProfileCheck(False, in_words(error))),
        )

    def _checked(self, result: ProfileCheck) -> None:
        self.check.setText(("✓ " if result.ok else "✗ ") + result.text)
        self.check_changed.emit(result.ok, result.text)

    def cancel_check(self) -> None:
        """Stop a test under way (another profile is shown, or the dialog closes)."""
        if self.testing:
            self.jobs.cancel(PROFILE_TEST)
            self.check.clear()

    def detach(self) -> None:
        """The dialog closes: its test stops and the form no longer follows the jobs."""
        self.cancel_check()
        self.jobs.changed.disconnect(self._enable)


def _seconds(parent: QWidget, low: float, high: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(low, high)
    box.setDecimals(0)
    box.setSuffix(" s")
    return box
