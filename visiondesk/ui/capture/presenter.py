"""Capture from the window (toolbar, File → Capture screen region…, Ctrl+Shift+A, or
`visiondesk --capture`): the window steps aside, the screen is frozen, the overlay shows it,
and the chosen pixels attach as a card like a pasted screenshot. Whatever happens (Esc, a grab
the display refuses), the window comes back and says what went wrong in one line."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QCursor, QGuiApplication
from PySide6.QtWidgets import QStatusBar, QWidget

from visiondesk.regions import Rect
from visiondesk.ui.capture.grab import Frozen, GrabError, freeze_screens, png_bytes
from visiondesk.ui.capture.overlay import CaptureOverlay
from visiondesk.ui.capture.portal import PortalScreenshot
from visiondesk.workspace import Workspace

HIDE_MS = 250
"""Time for the window manager to take the window off the screen before it is frozen."""
MESSAGE_MS = 10_000


class CaptureWindow(Protocol):
    """What the presenter uses of the main window."""

    @property
    def capture_action(self) -> QAction: ...
    def statusBar(self) -> QStatusBar: ...
    def focus_composer(self) -> None: ...
    def window(self) -> QWidget: ...


Grabber = Callable[[], Frozen]
"""The desktop frozen: each screen's pixels and place, and the windows on it."""
log = logging.getLogger(__name__)


def grab_desktop() -> Frozen:
    """Every screen frozen, and (on X11) where the windows are; raises GrabError where the
    display refuses."""
    if QGuiApplication.platformName().startswith("wayland"):
        raise GrabError(
            "this Wayland desktop does not let programs read the screen directly; "
            "take it with the desktop's screenshot tool (Print Screen) and paste it with Ctrl+V"
        )
    frozen = freeze_screens()
    if not frozen:
        raise GrabError("no screen to capture")
    return Frozen(frozen, tuple(listed_windows()))


def listed_windows() -> list[Rect]:
    """The top-level windows where the display can list them (X11); elsewhere none, and a
    click takes the screen."""
    if sys.platform != "linux" or QGuiApplication.platformName() != "xcb":
        return []
    from visiondesk.desktop.x11_windows import X11Unavailable, open_windows

    try:
        return open_windows()
    except X11Unavailable as error:
        log.warning("capture: the windows could not be listed: %s", error)
        return []


class CapturePresenter(QObject):
    def __init__(
        self, workspace: Workspace, window: CaptureWindow, grabber: Grabber = grab_desktop
    ) -> None:
        super().__init__(window.window())
        self.workspace = workspace
        self.window = window
        self.grabber = grabber
        self.overlays: list[CaptureOverlay] = []
        """One per screen while a capture is under way."""
        window.capture_action.triggered.connect(self.start)

    def start(self) -> None:
        """The window steps aside; the screen is frozen once it is gone. On Wayland the
        desktop's own capture UI does it, through the portal."""
        if self.overlays:
            return
        if QGuiApplication.platformName().startswith("wayland"):
            self.through_portal(PortalScreenshot(parent=self))
            return
        self.window.window().hide()
        QTimer.singleShot(HIDE_MS, self._freeze)

    def _freeze(self) -> None:
        try:
            frozen = self.grabber()
        except GrabError as error:
            self._back(f"Could not capture the screen: {error}.")
            return
        if not frozen.screens or any(screen.image.isNull() for screen in frozen.screens):
            self._back("Could not capture the screen: the display gave no pixels.")
            return
        for screen in frozen.screens:
            overlay = CaptureOverlay(screen.image, screen.logical, frozen.windows_on(screen))
            # Bound methods: Qt drops the connections if the window (and this presenter) goes.
            overlay.region_chosen.connect(self._chosen)
            overlay.cancel_requested.connect(self._cancelled)
            self.window.window().destroyed.connect(overlay.close)
            self.overlays.append(overlay)
            overlay.showFullScreen()
        pointer = QCursor.pos()  # the keyboard goes to the screen the person is looking at
        first = next((o for o in self.overlays if o.place.contains(pointer)), self.overlays[0])
        first.activateWindow()
        first.setFocus()

    def through_portal(self, portal: PortalScreenshot) -> None:
        """The screenshot from the XDG desktop portal (its own dialog picks the region)."""
        portal.taken.connect(self._attach)
        portal.failed.connect(lambda why: self._back(f"Could not capture the screen: {why}."))
        portal.request()

    def _attach(self, png: bytes) -> None:
        label = time.strftime("screenshot %Y-%m-%d %H-%M-%S.png")
        self.workspace.attachments.add(png, label)
        self._back("Captured the screen through the desktop portal.")

    def _cancelled(self) -> None:
        self._back("")

    def _chosen(self, region: Rect) -> None:
        overlay = self.sender()
        if not isinstance(overlay, CaptureOverlay) or overlay not in self.overlays:
            return
        pixels = overlay.frozen.copy(region.x, region.y, region.width, region.height)
        label = time.strftime("screenshot %Y-%m-%d %H-%M-%S.png")
        self.workspace.attachments.add(png_bytes(pixels), label)
        self._back(f"Captured {region.width}×{region.height} pixels.")

    def _back(self, message: str) -> None:
        overlays, self.overlays = self.overlays, []
        for overlay in overlays:
            overlay.close()
        owner = self.window.window()
        owner.show()
        owner.raise_()
        owner.activateWindow()
        self.window.focus_composer()
        if message:
            self.window.statusBar().showMessage(message, MESSAGE_MS)
