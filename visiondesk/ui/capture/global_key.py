"""The capture key from anywhere on the desktop: where the desktop offers the XDG
GlobalShortcuts portal (KDE Plasma 6, GNOME 48, others), Ctrl+Shift+A is registered there at
start-up, so it captures while another program has the focus — on Wayland too, where an
in-window shortcut cannot. Elsewhere nothing changes: the in-window shortcut stays, and a
desktop's own keyboard settings can bind `visiondesk --capture` (README)."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStatusBar

from visiondesk.desktop.global_shortcuts import GlobalShortcut, NotRegistered, Registered

log = logging.getLogger(__name__)
OPT_OUT = "VISIONDESK_NO_GLOBAL_SHORTCUT"
"""Set (to anything) to leave the desktop's shortcuts alone."""
MESSAGE_MS = 10_000


def wanted() -> bool:
    """Linux with a session bus, and the person did not opt out."""
    return (
        sys.platform == "linux"
        and bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))
        and not os.environ.get(OPT_OUT)
    )


class CaptureKey(QObject):
    """The capture action, bound with the desktop's portal.

    Signals: `trigger_changed(str)` — the desktop's own name of the bound keys ("" until bound).
    """

    trigger_changed = Signal(str)

    def __init__(self, action: QAction, status: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.action = action
        self.status = status
        self.trigger = ""
        self.shortcut = GlobalShortcut(on_activated=self._pressed)

    async def register(self, bus_address: str | None = None) -> Registered | NotRegistered:
        """Ask the portal once; the outcome is logged, and a binding said in the status bar."""
        outcome = await self.shortcut.register(bus_address)
        if isinstance(outcome, Registered):
            self.trigger = outcome.trigger or "the desktop's shortcut"
            self.trigger_changed.emit(self.trigger)
            self.status.showMessage(
                f"{self.trigger} captures the screen from anywhere (registered with the desktop).",
                MESSAGE_MS,
            )
        else:
            log.info("capture key not registered: %s (%s)", outcome.reason.value, outcome.detail)
        return outcome

    def _pressed(self) -> None:
        if self.action.isEnabled():
            self.action.trigger()

    async def aclose(self) -> None:
        await self.shortcut.close()
