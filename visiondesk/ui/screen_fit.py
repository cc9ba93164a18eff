"""Sizing the window to the screen it opens on: a first window fits, a remembered one from a
larger screen (or a lower scale) shrinks and moves on. Light on purpose: the window sizes itself
before anything else loads."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

SCREEN_SHARE = 0.9  # of the available screen, at most, for a window opened the first time


def fit_to_screen(window: QWidget, wanted: QSize) -> None:
    """Resize to `wanted`, or less on a small screen (or at 2× scale); never off screen."""
    screen = window.screen()
    if screen is None:
        window.resize(wanted)
        return
    area = screen.availableGeometry()
    width = min(wanted.width(), int(area.width() * SCREEN_SHARE))
    height = min(wanted.height(), int(area.height() * SCREEN_SHARE))
    window.resize(width, height)


def clamp_to_screen(window: QWidget) -> None:
    """A restored geometry from a larger screen (or a lower scale) shrinks and moves on."""
    screen = window.screen()
    if screen is None:
        return
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    width = min(window.width(), area.width() - extra_w)
    height = min(window.height(), area.height() - extra_h)
    window.resize(max(width, 1), max(height, 1))
    left = min(max(frame.left(), area.left()), area.right() - width - extra_w + 1)
    top = min(max(frame.top(), area.top()), area.bottom() - height - extra_h + 1)
    window.move(left, top)


def centre_over(window: QWidget, owner: QWidget, wanted: QSize) -> None:
    """A second window (Batch) opens over the one it came from, at `wanted` or what the
    screen allows, and wholly on that screen."""
    fit_to_screen(window, wanted)
    frame = window.frameGeometry()
    frame.moveCenter(owner.frameGeometry().center())
    window.move(frame.topLeft())
    clamp_to_screen(window)
