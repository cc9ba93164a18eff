"""Light and dark: follow the system, or the override chosen in Settings. Qt ≥ 6.8 lets an
application ask for a colour scheme; where the platform cannot (offscreen, some desktops and
styles), a light or dark palette is set instead, so the choice always shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from visiondesk.config.settings import Theme

SCHEMES = {
    Theme.SYSTEM: Qt.ColorScheme.Unknown,  # Unknown = back to what the system says
    Theme.LIGHT: Qt.ColorScheme.Light,
    Theme.DARK: Qt.ColorScheme.Dark,
}
OVERRIDDEN = "visiondeskPalette"
"""Set on the application while its palette is ours, not the platform's."""
Role = QPalette.ColorRole
DARK = {
    Role.Window: "#202124",
    Role.WindowText: "#e8eaed",
    Role.Base: "#17181a",
    Role.AlternateBase: "#2a2b2e",
    Role.Text: "#e8eaed",
    Role.Button: "#2d2e31",
    Role.ButtonText: "#e8eaed",
    Role.ToolTipBase: "#2d2e31",
    Role.ToolTipText: "#e8eaed",
    Role.PlaceholderText: "#9aa0a6",
    Role.Highlight: "#3d6fb4",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#8ab4f8",
    Role.Mid: "#5f6368",
}


def apply_theme(app: QApplication, choice: Theme) -> None:
    """Show every window in `choice` (SYSTEM follows the desktop's light/dark setting)."""
    if app.property(OVERRIDDEN):  # a palette set earlier: back to the platform's first
        app.setPalette(QPalette())
        app.setProperty(OVERRIDDEN, False)
    app.styleHints().setColorScheme(SCHEMES[choice])
    if choice is Theme.SYSTEM or is_dark(app) == (choice is Theme.DARK):
        return
    app.setPalette(dark_palette() if choice is Theme.DARK else light_palette())
    app.setProperty(OVERRIDDEN, True)


def is_dark(app: QApplication) -> bool:
    return app.palette().color(Role.Window).lightness() < 128


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868b"))
    return palette


def light_palette() -> QPalette:
    palette = QPalette(QColor("#f1f3f4"), QColor("#ffffff"))
    palette.setColor(Role.Base, QColor("#ffffff"))
    palette.setColor(Role.Text, QColor("#202124"))
    palette.setColor(Role.WindowText, QColor("#202124"))
    return palette
