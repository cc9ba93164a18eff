"""The XDG desktop portal's Screenshot call, over D-Bus (QtDBus): how a program gets the
screen on Wayland (GNOME, KDE), where it may not read it itself. The desktop shows its own
capture UI; its answer arrives as a Response signal on a request object, with a file:// URI of
a PNG it wrote. Nothing here blocks: the call is asynchronous and the answer a signal."""

from __future__ import annotations

import itertools
import os
import stat

from PySide6.QtCore import SLOT, QObject, QUrl, Signal, Slot
from PySide6.QtDBus import QDBusConnection, QDBusMessage

DESKTOP = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
SCREENSHOT = "org.freedesktop.portal.Screenshot"
REQUEST = "org.freedesktop.portal.Request"
MAX_BYTES = 256 * 2**20
"""A screenshot larger than this (8K × 4 screens is well under it) is not read."""
_tokens = itertools.count(1)


class PortalScreenshot(QObject):
    """One screenshot through the portal.

    Signals: `taken(bytes)` — the PNG the desktop wrote; `failed(str)` — why not, in words
    (cancelled in the desktop's dialog, refused, or a file that could not be read).
    """

    taken = Signal(bytes)
    failed = Signal(str)

    def __init__(self, bus: QDBusConnection | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bus = bus if bus is not None else QDBusConnection.sessionBus()

    def available(self) -> bool:
        """The session bus has a desktop portal."""
        interface = self.bus.interface() if self.bus.isConnected() else None
        return bool(interface is not None and interface.isServiceRegistered(DESKTOP).value())

    def request(self, interactive: bool = True) -> bool:
        """Ask for a screenshot; False (and `failed`) when there is no portal to ask."""
        if not self.available():
            self.failed.emit("the desktop has no screenshot portal (xdg-desktop-portal)")
            return False
        token = f"visiondesk{os.getpid()}_{next(_tokens)}"
        sender = self.bus.baseService().lstrip(":").replace(".", "_")
        handle = f"{PATH}/request/{sender}/{token}"
        # Listen on the request object before asking, so the answer cannot come first.
        slot = SLOT("response(uint,QVariantMap)")
        # PySide6's stubs want the slot as bytes; the binding takes SLOT()'s str.
        self.bus.connect(DESKTOP, handle, REQUEST, "Response", self, slot)  # type: ignore[call-overload]
        call = QDBusMessage.createMethodCall(DESKTOP, PATH, SCREENSHOT, "Screenshot")
        call.setArguments(["", {"handle_token": token, "interactive": interactive}])
        self.bus.asyncCall(call)
        return True

    @Slot("uint", "QVariantMap")
    def response(self, code: int, results: dict[str, object]) -> None:
        """The portal's answer: 0 done, 1 cancelled by the person, 2 anything else."""
        if code == 1:
            self.failed.emit("the capture was cancelled")
            return
        uri = results.get("uri")
        if code != 0 or not isinstance(uri, str):
            self.failed.emit("the desktop refused the screenshot")
            return
        try:
            self.taken.emit(read_capture(QUrl(uri).toLocalFile()))
        except OSError as error:
            self.failed.emit(f"the screenshot could not be read ({error.strerror or error})")


def read_capture(path: str) -> bytes:
    """The PNG the portal wrote: a regular file, at most MAX_BYTES (read with that bound)."""
    if not path:
        raise OSError("not a local file")
    # Non-blocking: a FIFO under that name must not hang the window waiting for a writer.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise OSError("not a regular file")
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(f"larger than {MAX_BYTES // 2**20} MiB")
    return data
