"""Settings → All conversations: the appearance, the instructions new conversations start
with, and when uploaded images are deleted."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QFormLayout, QPlainTextEdit, QWidget

from visiondesk.config.settings import AppSettings, Cleanup, Theme

THEMES = ((Theme.SYSTEM, "Follow the system"), (Theme.LIGHT, "Light"), (Theme.DARK, "Dark"))
CLEANUPS = (
    (Cleanup.AFTER_ANSWER, "after the answer"),
    (Cleanup.ON_DELETE, "when the conversation is deleted"),
    (Cleanup.NEVER, "never (delete them in View → Uploaded files)"),
)


class AppSettingsTab(QWidget):
    """The app-wide choices, filled from `settings`; `edited` reads them back.

    Signals: none (the dialog reads the fields when it saves)."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = QComboBox(self)
        for theme, label in THEMES:
            self.theme.addItem(label, theme.value)
        self.theme.setCurrentIndex(self.theme.findData(settings.theme.value))
        self.instructions = QPlainTextEdit(self)
        self.instructions.setPlaceholderText(
            "Instructions (system prompt) new conversations start with, e.g. “Answer briefly.”"
        )
        self.instructions.setPlainText(settings.instructions)
        self.instructions.setMinimumHeight(96)
        self.cleanup = QComboBox(self)
        for value, label in CLEANUPS:
            self.cleanup.addItem(label, value.value)
        self.cleanup.setCurrentIndex(self.cleanup.findData(settings.cleanup.value))
        form = QFormLayout(self)
        for label, widget in (
            ("Appearance", self.theme),
            ("Default instructions", self.instructions),
            ("Delete uploaded images", self.cleanup),
        ):
            widget.setAccessibleName(label)
            form.addRow(label, widget)

    def edited(self, settings: AppSettings) -> AppSettings:
        """`settings` with the choices made here."""
        return replace(
            settings,
            cleanup=Cleanup(self.cleanup.currentData()),
            theme=Theme(self.theme.currentData()),
            instructions=self.instructions.toPlainText().strip(),
        )
