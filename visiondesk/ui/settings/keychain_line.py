"""The line under Settings that says what the keychain did with the keys: saving, saved, or
refused with Try again. Each write is a job of its own (a locked keychain's prompt never
blocks the dialog)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from visiondesk.config.secrets import Secrets, written
from visiondesk.errors import in_words
from visiondesk.workspace.jobs import Group, Jobs

KEYCHAIN_WRITE = Group.KEYCHAIN_WRITE
Write = Callable[[], Future[None] | None]
"""Starts one keychain write (store, rename or forget); None when there is no keychain."""


class KeychainLine(QWidget):
    """The keychain's state, derived from its jobs (`show_state`); a refused write is kept
    for Try again. Signals: none (its button retries itself)."""

    def __init__(self, secrets: Secrets, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.secrets = secrets
        self.jobs = jobs
        self.refused: list[tuple[Write, str]] = []
        """Writes the keychain refused, and why, for Try again."""
        self.on_refused: Callable[[], None] = lambda: None
        """Told of each refusal (the dialog remembers whether a Save was waiting)."""
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Keychain")
        self.retry_button = QPushButton("Try again", self)
        self.retry_button.setAccessibleName("Save the key again")
        self.retry_button.clicked.connect(self.retry)
        self.retry_button.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.text, 1)
        row.addWidget(self.retry_button)

    @property
    def writing(self) -> bool:
        return self.jobs.running(KEYCHAIN_WRITE)

    def write(self, start: Write) -> None:
        """One keychain write as a job; a refusal is kept for Try again and said here."""
        future = start()
        if future is None:
            return
        self.text.setText(f"Saving to {self.secrets.keychain_name}…")
        self.jobs.start(
            KEYCHAIN_WRITE, written(future), failure=lambda error: self._refused(start, error)
        )

    def _refused(self, start: Write, error: BaseException) -> None:
        self.refused.append((start, in_words(error)))
        self.on_refused()

    def retry(self) -> None:
        """Try again: the writes the keychain refused (unlocked since, perhaps)."""
        refused, self.refused = self.refused, []
        for start, _reason in refused:
            self.write(start)

    def show_state(self) -> None:
        """Saving, refused (with Try again) or saved, as the jobs say."""
        writing = self.writing
        self.retry_button.setVisible(bool(self.refused) and not writing)
        if writing:
            return
        if self.refused:
            self.text.setText("✗ " + " ".join(reason for _start, reason in self.refused))
        elif self.text.text().startswith(("Saving", "✗")):
            self.text.setText(f"✓ Saved to {self.secrets.keychain_name}.")
