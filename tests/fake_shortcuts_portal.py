"""A stand-in for xdg-desktop-portal's GlobalShortcuts interface on a private session bus, for
tests/test_global_shortcuts.py (jeepney's blocking API: no Qt, no event loop).

    python -m tests.fake_shortcuts_portal MODE

MODE is the Response code BindShortcuts answers with: "0" (bound, as "Ctrl+Shift+A"),
"1" (cancelled by the person), "2" (other); "silent" never answers BindShortcuts; "none" is a
portal without GlobalShortcuts (what GDBus says: InvalidArgs for its version property,
UnknownMethod for its methods); "unknown-methods" has the version but not the methods.

It prints one JSON line {"ready": true} once it owns org.freedesktop.portal.Desktop, then one
line per method call it receives: {"member", "signature", "body"} with variants as
[signature, value]. The test interface org.visiondesk.Test has Press(s shortcut_id), which
emits GlobalShortcuts.Activated for the last bound session, then returns."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    Message,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

DESKTOP = "org.freedesktop.portal.Desktop"
DESKTOP_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
TRIGGER = "Ctrl+Shift+A"
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"


def record(message: Message) -> None:
    fields = message.header.fields
    line = {
        "path": fields.get(HeaderFields.path),
        "interface": fields.get(HeaderFields.interface),
        "member": fields.get(HeaderFields.member),
        "signature": fields.get(HeaderFields.signature, ""),
        "body": message.body,
    }
    print(json.dumps(line), flush=True)


def request_path(message: Message, options: dict[str, Any]) -> str:
    sender = str(message.header.fields[HeaderFields.sender]).lstrip(":").replace(".", "_")
    return f"{DESKTOP_PATH}/request/{sender}/{options['handle_token'][1]}"


def response(path: str, code: int, results: dict[str, Any]) -> Message:
    request = DBusAddress(path, interface="org.freedesktop.portal.Request")
    return new_signal(request, "Response", "ua{sv}", (code, results))


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "0"
    conn = open_dbus_connection("SESSION")
    if conn.send_and_get_reply(message_bus.RequestName(DESKTOP)).body != (1,):
        return 1
    print(json.dumps({"ready": True}), flush=True)
    session = ""
    while True:
        message = conn.receive()
        if message.header.message_type != MessageType.method_call:
            continue
        record(message)
        fields = message.header.fields
        interface, member = fields.get(HeaderFields.interface), fields.get(HeaderFields.member)
        if mode in ("none", "unknown-methods") and interface == SHORTCUTS:
            conn.send(new_error(message, UNKNOWN_METHOD, "s", (f"No such interface {SHORTCUTS}",)))
        elif mode == "none" and interface == "org.freedesktop.DBus.Properties":
            conn.send(new_error(message, INVALID_ARGS, "s", (f"No such interface {SHORTCUTS}",)))
        elif interface == "org.freedesktop.DBus.Properties" and member == "Get":
            if tuple(message.body) == (SHORTCUTS, "version"):
                conn.send(new_method_return(message, "v", (("u", 1),)))
            else:
                conn.send(new_error(message, INVALID_ARGS))
        elif interface == SHORTCUTS and member == "CreateSession":
            (options,) = message.body
            path = request_path(message, options)
            sender = path.split("/")[-2]
            session = f"{DESKTOP_PATH}/session/{sender}/{options['session_handle_token'][1]}"
            conn.send(new_method_return(message, "o", (path,)))
            conn.send(response(path, 0, {"session_handle": ("s", session)}))
        elif interface == SHORTCUTS and member == "BindShortcuts":
            _session, shortcuts, _parent, options = message.body
            path = request_path(message, options)
            conn.send(new_method_return(message, "o", (path,)))
            bound = [
                (ident, {**wanted, "trigger_description": ("s", TRIGGER)})
                for ident, wanted in shortcuts
            ]
            if mode == "0":
                conn.send(response(path, 0, {"shortcuts": ("a(sa{sv})", bound)}))
            elif mode != "silent":
                conn.send(response(path, int(mode), {}))
        elif interface == "org.freedesktop.portal.Session" and member == "Close":
            conn.send(new_method_return(message))
        elif interface == "org.visiondesk.Test" and member == "Press":
            (ident,) = message.body
            emitter = DBusAddress(DESKTOP_PATH, interface=SHORTCUTS)
            stamp = time.monotonic_ns() // 1_000_000
            conn.send(new_signal(emitter, "Activated", "osta{sv}", (session, ident, stamp, {})))
            conn.send(new_method_return(message))
        else:
            conn.send(new_error(message, UNKNOWN_METHOD, "s", (f"no {interface}.{member}",)))


if __name__ == "__main__":
    sys.exit(main())
