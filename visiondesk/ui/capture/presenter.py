"""Capture from the window (toolbar, File → Capture screen region…, Ctrl+Shift+A, or
`visiondesk --capture`): the window steps aside, the screen is frozen, the overlay shows it,
and the chosen pixels attach as a card like a pasted screenshot. Whatever happens (Esc, a grab
the display refuses), the window comes back and says what went wrong in one line."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QRect, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QImage
from PySide6.QtWidgets import QStatusBar, QWidget

from visiondesk.regions import Rect
from visiondesk.ui.capture.grab import GrabError, grab_region, png_bytes, screens
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


Grabber = Callable[[], tuple[QImage, QRect, list[QRect]]]
"""The frozen desktop (physical pixels), its place (logical) and each screen's (logical)."""


def grab_desktop() -> tuple[QImage, QRect, list[QRect]]:
    """Every screen as one frozen image; raises GrabError where the display refuses."""
    if QGuiApplication.platformName().startswith("wayland"):
        raise GrabError(
            "this Wayland desktop does not let programs read the screen directly; "
            "take it with the desktop's screenshot tool (Print Screen) and paste it with Ctrl+V"
        )
    logical = [screen.geometry() for screen in QGuiApplication.screens()]
    if not logical:
        raise GrabError("no screen to capture")
    desktop = logical[0]
    for rect in logical[1:]:
        desktop = desktop.united(rect)
    places = screens()
    left = min(p.x for p in places)
    top = min(p.y for p in places)
    right = max(p.x + p.width for p in places)
    bottom = max(p.y + p.height for p in places)
    image = grab_region(Rect(left, top, right - left, bottom - top))
    shown = [r.translated(-desktop.x(), -desktop.y()) for r in logical]
    return image, desktop, shown


class CapturePresenter(QObject):
    def __init__(
        self, workspace: Workspace, window: CaptureWindow, grabber: Grabber = grab_desktop
    ) -> None:
        super().__init__(window.window())
        self.workspace = workspace
        self.window = window
        self.grabber = grabber
        self.overlay: CaptureOverlay | None = None
        window.capture_action.triggered.connect(self.start)

    def start(self) -> None:
        """The window steps aside; the screen is frozen once it is gone. On Wayland the
        desktop's own capture UI does it, through the portal."""
        if self.overlay is not None:
            return
        if QGuiApplication.platformName().startswith("wayland"):
            self.through_portal(PortalScreenshot(parent=self))
            return
        self.window.window().hide()
        QTimer.singleShot(HIDE_MS, self._freeze)

    def _freeze(self) -> None:
        try:
            frozen, desktop, shown = self.grabber()
        except GrabError as error:
            self._back(f"Could not capture the screen: {error}.")
            return
        if frozen.isNull():
            self._back("Could not capture the screen: the display gave no pixels.")
            return
        overlay = CaptureOverlay(frozen, desktop, shown)
        # Bound methods: Qt drops the connections if the window (and this presenter) goes.
        overlay.region_chosen.connect(self._chosen)
        overlay.cancel_requested.connect(self._cancelled)
        self.overlay = overlay
        self.window.window().destroyed.connect(overlay.close)
        if len(shown) == 1:
            overlay.showFullScreen()
        else:  # one window across every screen
            overlay.show()
        overlay.activateWindow()
        overlay.setFocus()

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
        if self.overlay is None:
            return
        pixels = self.overlay.frozen.copy(region.x, region.y, region.width, region.height)
        label = time.strftime("screenshot %Y-%m-%d %H-%M-%S.png")
        self.workspace.attachments.add(png_bytes(pixels), label)
        self._back(f"Captured {region.width}×{region.height} pixels.")

    def _back(self, message: str) -> None:
        self.overlay = None
        owner = self.window.window()
        owner.show()
        owner.raise_()
        owner.activateWindow()
        self.window.focus_composer()
        if message:
            self.window.statusBar().showMessage(message, MESSAGE_MS)
