"""One VisionDesk per data folder: a second launch ("Open with VisionDesk") hands its images
to the window running on the same data through a local socket and exits; one with another
data folder starts its own window."""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from visiondesk.config.paths import instance_socket

TIMEOUT_MS = 1000


def server_name() -> str:
    return instance_socket()


def hand_over(paths: list[str], *, capture: bool = False) -> bool:
    """True if a running VisionDesk took the paths (and, with `capture`, the request to capture
    the screen: `visiondesk --capture` on a desktop's global key); this process should then
    exit."""
    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    socket.write(json.dumps({"open": paths, "capture": capture}).encode() + b"\n")
    socket.waitForBytesWritten(TIMEOUT_MS)
    socket.waitForReadyRead(TIMEOUT_MS)  # the running window's acknowledgement
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches. Signals: `open_requested(paths)` — the images they bring;
    `capture_requested()` — `visiondesk --capture` was run."""

    open_requested = Signal(list)
    capture_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(server_name()):
            QLocalServer.removeServer(server_name())  # left behind by a crash
            self.server.listen(server_name())
        self.server.newConnection.connect(self._connection)

    def _connection(self) -> None:
        socket = self.server.nextPendingConnection()
        if socket is None:
            return
        socket.readyRead.connect(lambda: self._read(socket))

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        try:
            message = json.loads(bytes(socket.readLine().data()).decode())
            paths = [str(path) for path in message.get("open", [])]
            capture = message.get("capture") is True
        except (ValueError, AttributeError):
            paths, capture = [], False
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        if paths or not capture:
            self.open_requested.emit(paths)
        if capture:
            self.capture_requested.emit()

    def close(self) -> None:
        self.server.close()
