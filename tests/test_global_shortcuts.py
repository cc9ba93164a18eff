"""The capture shortcut through the XDG GlobalShortcuts portal (visiondesk/desktop/), against a
stand-in portal (tests/fake_shortcuts_portal.py) on a private session bus: what the app asks
for, what it makes of each answer, and that a press of the shortcut reaches the callback.

Not testable here: a real xdg-desktop-portal with a GlobalShortcuts backend (KDE, GNOME), its
dialog, and a key actually pressed; the fake only speaks the protocol the specification gives."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.asyncio import open_dbus_router

from visiondesk.desktop.global_shortcuts import (
    CAPTURE,
    DESKTOP,
    DESKTOP_PATH,
    GlobalShortcut,
    NotRegistered,
    Reason,
    Registered,
)

ROOT = Path(__file__).resolve().parent.parent
WAIT = 5.0
"""The longest any step here may take before the test fails (each normally takes milliseconds)."""


class FakePortal:
    """The running stand-in: ``received()`` stops it and gives the calls it recorded."""

    def __init__(self, address: str, mode: str) -> None:
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_shortcuts_portal", mode],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        assert ready and json.loads(ready) == {"ready": True}, "the fake portal did not start"

    def received(self) -> list[dict[str, Any]]:
        self.stop()
        assert self.process.stdout is not None
        return [json.loads(line) for line in self.process.stdout.read().splitlines()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def start_portal(session_bus_address: str) -> Iterator[Callable[[str], FakePortal]]:
    portals: list[FakePortal] = []

    def start(mode: str) -> FakePortal:
        portals.append(FakePortal(session_bus_address, mode))
        return portals[-1]

    yield start
    for portal in portals:
        portal.stop()
        if portal.process.stdout is not None:
            portal.process.stdout.close()


async def press(address: str, shortcut_id: str) -> None:
    """Ask the fake portal to emit Activated, as the desktop does when the keys are pressed."""
    test = DBusAddress(DESKTOP_PATH, bus_name=DESKTOP, interface="org.visiondesk.Test")
    async with open_dbus_router(address) as router:
        reply = await asyncio.wait_for(
            router.send_and_get_reply(new_method_call(test, "Press", "s", (shortcut_id,))), WAIT
        )
        assert reply.header.message_type == MessageType.method_return


def register(shortcut: GlobalShortcut, address: str | None) -> Registered | NotRegistered:
    async def scenario() -> Registered | NotRegistered:
        try:
            return await asyncio.wait_for(shortcut.register(address), WAIT)
        finally:
            await shortcut.close()

    return asyncio.run(scenario())


def members(calls: list[dict[str, Any]]) -> list[str]:
    return [call["member"] for call in calls]


def test_registered_it_says_the_desktops_trigger_and_a_press_calls_back(
    session_bus_address: str, start_portal: Callable[[str], FakePortal]
) -> None:
    portal = start_portal("0")

    async def scenario() -> None:
        presses: asyncio.Queue[str] = asyncio.Queue()
        shortcut = GlobalShortcut(on_activated=lambda: presses.put_nowait("pressed"))
        try:
            outcome = await asyncio.wait_for(shortcut.register(session_bus_address), WAIT)
            assert outcome == Registered(trigger="Ctrl+Shift+A", portal_version=1)
            assert shortcut.listening
            await press(session_bus_address, CAPTURE)
            assert await asyncio.wait_for(presses.get(), WAIT) == "pressed"
            # Another shortcut's activation is not ours; signals arrive in order, so once the
            # next capture press is in, the other one has been looked at (and ignored).
            await press(session_bus_address, "some-other-shortcut")
            await press(session_bus_address, CAPTURE)
            assert await asyncio.wait_for(presses.get(), WAIT) == "pressed"
            assert presses.empty()
        finally:
            await shortcut.close()
        assert not shortcut.listening

    asyncio.run(scenario())
    calls = portal.received()
    assert members(calls) == ["Get", "CreateSession", "BindShortcuts", "Press", "Press", "Press",
                              "Close"]  # fmt: skip
    (bind,) = (call for call in calls if call["member"] == "BindShortcuts")
    assert bind["signature"] == "oa(sa{sv})sa{sv}"
    session, shortcuts, parent_window, options = bind["body"]
    assert shortcuts == [
        [
            "capture",
            {
                "description": ["s", "Capture a screen region into VisionDesk"],
                "preferred_trigger": ["s", "CTRL+SHIFT+A"],
            },
        ]
    ]
    assert parent_window == ""
    assert options["handle_token"][0] == "s"
    (close,) = (call for call in calls if call["member"] == "Close")
    assert close["path"] == session  # the session it bound is the one it ends
    assert close["interface"] == "org.freedesktop.portal.Session"


@pytest.mark.parametrize(
    ("mode", "reason"), [("1", Reason.CANCELLED), ("2", Reason.REFUSED)], ids=["1", "2"]
)
def test_a_binding_not_made_says_why(
    session_bus_address: str,
    start_portal: Callable[[str], FakePortal],
    mode: str,
    reason: Reason,
) -> None:
    portal = start_portal(mode)
    shortcut = GlobalShortcut(on_activated=lambda: pytest.fail("not bound, yet called"))
    outcome = register(shortcut, session_bus_address)
    assert isinstance(outcome, NotRegistered)
    assert outcome.reason is reason
    assert outcome.detail == f"response code {mode}"
    assert not shortcut.listening
    assert members(portal.received()) == ["Get", "CreateSession", "BindShortcuts", "Close"]


def test_a_dialog_never_answered_times_out(
    session_bus_address: str, start_portal: Callable[[str], FakePortal]
) -> None:
    start_portal("silent")
    shortcut = GlobalShortcut(on_activated=lambda: None, bind_timeout=0.2)
    outcome = register(shortcut, session_bus_address)
    assert isinstance(outcome, NotRegistered)
    assert outcome.reason is Reason.TIMED_OUT


def test_closing_the_window_while_the_dialog_is_open_cancels_at_once(
    session_bus_address: str, start_portal: Callable[[str], FakePortal]
) -> None:
    """The window closes while the desktop's dialog waits (a minute): the registration ends
    with the cancellation at once. (Whether the portal session's Close gets out before the
    connection goes depends on where the cancellation lands: not asserted.)"""
    portal = start_portal("silent")
    assert portal.process.stdout is not None
    stdout = portal.process.stdout

    async def scenario() -> None:
        shortcut = GlobalShortcut(on_activated=lambda: None)
        task = asyncio.ensure_future(shortcut.register(session_bus_address))
        loop = asyncio.get_running_loop()
        while True:  # until the portal has the BindShortcuts call (its dialog is "open")
            line = await asyncio.wait_for(loop.run_in_executor(None, stdout.readline), WAIT)
            assert line, "the fake portal ended"
            if json.loads(line).get("member") == "BindShortcuts":
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, WAIT)
        assert not shortcut.listening

    asyncio.run(scenario())


def test_no_portal_on_the_bus_is_said_at_once(session_bus_address: str) -> None:
    started = time.monotonic()
    outcome = register(GlobalShortcut(on_activated=lambda: None), session_bus_address)
    assert outcome == NotRegistered(Reason.NO_PORTAL, "org.freedesktop.DBus.Error.ServiceUnknown")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("mode", ["none", "unknown-methods"])
def test_a_portal_without_global_shortcuts_is_unsupported(
    session_bus_address: str, start_portal: Callable[[str], FakePortal], mode: str
) -> None:
    portal = start_portal(mode)
    outcome = register(GlobalShortcut(on_activated=lambda: None), session_bus_address)
    assert isinstance(outcome, NotRegistered)
    assert outcome.reason is Reason.UNSUPPORTED
    assert "BindShortcuts" not in members(portal.received())


def test_no_session_bus_is_said(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    outcome = register(GlobalShortcut(on_activated=lambda: None), None)
    assert outcome == NotRegistered(Reason.NO_SESSION_BUS, "DBUS_SESSION_BUS_ADDRESS is not set")
    gone = f"unix:path={tmp_path / 'no-bus-here'}"
    outcome = register(GlobalShortcut(on_activated=lambda: None), gone)
    assert isinstance(outcome, NotRegistered)
    assert outcome.reason is Reason.NO_SESSION_BUS
