"""Light and dark: the transcript's colours (each keeps 4.5:1 on its background) and the
application palette, following the system unless Settings overrides it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from visiondesk.config.settings import Theme

if TYPE_CHECKING:  # the window's first paint needs no find
    from visiondesk.find import Look


@dataclass(frozen=True)
class Colours:
    base: str
    text: str
    muted: str
    """Status lines, hints, placeholders."""
    bubble: str
    """Behind the person's messages."""
    code: str
    """Behind code blocks and inline code."""
    border: str
    error: str
    link: str
    found: str
    """Behind every match of a find (Ctrl+F), under `found_text`."""
    found_text: str
    current: str
    """Behind the current match, under `current_text`."""
    current_text: str

    def look(self) -> Look:
        """How find's matches are drawn in this scheme."""
        from visiondesk.find import Look

        return Look(
            f"background-color:{self.found}; color:{self.found_text}",
            f"background-color:{self.current}; color:{self.current_text}",
        )


LIGHT = Colours(
    base="#ffffff",
    text="#1f2328",
    muted="#57606a",
    bubble="#e9eef6",
    code="#f6f8fa",
    border="#b6bfc9",
    error="#b3261e",
    link="#0550ae",
    found="#fff0a0",
    found_text="#1f2328",
    current="#ff9f1a",
    current_text="#1f2328",
)
DARK = Colours(
    base="#1e1f22",
    text="#e6e6e6",
    muted="#a8adb3",
    bubble="#2b3442",
    code="#0d1117",
    border="#3d444d",
    error="#ff8a80",
    link="#7cb7ff",
    found="#6b5800",
    found_text="#ffffff",
    current="#ffb84d",
    current_text="#1e1f22",
)


def colours(dark: bool) -> Colours:
    return DARK if dark else LIGHT


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two colours."""

    def luminance(name: str) -> float:
        colour = QColor(name)
        channels = []
        for value in (colour.redF(), colour.greenF(), colour.blueF()):
            channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette(scheme: Colours) -> QPalette:
    result = QPalette()
    role = QPalette.ColorRole
    button = QColor(scheme.base).lighter(115) if scheme is DARK else QColor("#f0f2f5")
    for name, value in (
        (role.Window, QColor(scheme.base)),
        (role.WindowText, QColor(scheme.text)),
        (role.Base, QColor(scheme.base)),
        (role.AlternateBase, QColor(scheme.bubble)),
        (role.Text, QColor(scheme.text)),
        (role.Button, button),
        (role.ButtonText, QColor(scheme.text)),
        (role.ToolTipBase, QColor(scheme.bubble)),
        (role.ToolTipText, QColor(scheme.text)),
        (role.PlaceholderText, QColor(scheme.muted)),
        (role.Link, QColor(scheme.link)),
        (role.Highlight, QColor("#2f6fd0")),
        (role.HighlightedText, QColor("#ffffff")),
        (role.Mid, QColor(scheme.border)),
    ):
        result.setColor(name, value)
    return result


def apply_theme(app: QGuiApplication, picked: Theme) -> None:
    """Settings → Appearance: SYSTEM follows the desktop, LIGHT and DARK override it."""
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt ≥ 6.8
        hints.setColorScheme(
            {
                Theme.LIGHT: Qt.ColorScheme.Light,
                Theme.DARK: Qt.ColorScheme.Dark,
            }.get(picked, Qt.ColorScheme.Unknown)
        )
    if picked is Theme.SYSTEM:
        app.setPalette(QPalette())  # back to the platform's own
    else:
        app.setPalette(palette(DARK if picked is Theme.DARK else LIGHT))
