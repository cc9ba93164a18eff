"""Light and dark: follow the system, or the override chosen in Settings (Qt ≥ 6.8 lets an
application set its colour scheme; the style repaints every window)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from visiondesk.config.settings import Theme

SCHEMES = {
    Theme.SYSTEM: Qt.ColorScheme.Unknown,  # Unknown = back to what the system says
    Theme.LIGHT: Qt.ColorScheme.Light,
    Theme.DARK: Qt.ColorScheme.Dark,
}


def apply_theme(app: QGuiApplication, choice: Theme) -> None:
    """Show every window in `choice` (SYSTEM follows the desktop's light/dark setting)."""
    app.styleHints().setColorScheme(SCHEMES[choice])


def is_dark(app: QGuiApplication) -> bool:
    return app.styleHints().colorScheme() is Qt.ColorScheme.Dark
