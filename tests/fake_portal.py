# mypy: disable-error-code="call-arg, operator, arg-type, type-arg"
# (PySide6 stubs: ClassInfo takes a dict and Signal C++ type names at run time)
"""A stand-in for xdg-desktop-portal's Screenshot call on a private session bus, for the
tests: it answers every Screenshot with the Response signal the real portal sends (uint 0 and
{"uri": file://…}), or with the code given as the second argument (1: cancelled)."""

from __future__ import annotations

import sys

from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtDBus import QDBusConnection, QDBusMessage, QDBusObjectPath


@ClassInfo({"D-Bus Interface": "org.freedesktop.portal.Request"})
class Request(QObject):
    # C++ type names: QtDBus sends the signature the real portal does (u, a{sv}).
    Response = Signal("uint", "QVariantMap")


@ClassInfo({"D-Bus Interface": "org.freedesktop.portal.Screenshot"})
class Screenshot(QObject):
    def __init__(self, bus: QDBusConnection, uri: str, code: int) -> None:
        super().__init__()
        self.bus, self.uri, self.code = bus, uri, code

    @Slot(str, "QVariantMap", QDBusMessage, result=QDBusObjectPath)
    def Screenshot(
        self, _parent: str, options: dict[str, object], message: QDBusMessage
    ) -> QDBusObjectPath:
        sender = message.service().lstrip(":").replace(".", "_")
        path = f"/org/freedesktop/portal/desktop/request/{sender}/{options['handle_token']}"
        request = Request(self)
        self.bus.registerObject(path, request, QDBusConnection.RegisterOption.ExportAllSignals)
        answer = {"uri": self.uri} if self.code == 0 else {}
        QTimer.singleShot(20, lambda: request.Response.emit(self.code, answer))
        return QDBusObjectPath(path)


def main() -> int:
    app = QCoreApplication(sys.argv)
    bus = QDBusConnection.sessionBus()
    portal = Screenshot(bus, sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    bus.registerObject(
        "/org/freedesktop/portal/desktop", portal, QDBusConnection.RegisterOption.ExportAllSlots
    )
    if not bus.registerService("org.freedesktop.portal.Desktop"):
        return 1
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
