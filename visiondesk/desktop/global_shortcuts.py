"""VisionDesk's capture shortcut, registered with the desktop's XDG GlobalShortcuts portal.

Where the desktop offers ``org.freedesktop.portal.GlobalShortcuts`` (KDE Plasma 6, GNOME 48 and
others), a shortcut bound there works while another application has the focus, which an
in-window QShortcut cannot do under Wayland. The portal asks the person to confirm the binding
(and may let them pick another key), so registration can be refused or cancelled.

Usage, on the asyncio loop that runs the window (qasync), e.g.::

    shortcut = GlobalShortcut(on_activated=start_capture)
    outcome = await shortcut.register(parent_window="wayland:HANDLE")  # or "x11:XID", or ""
    if isinstance(outcome, Registered):
        say(f"Capture: {outcome.trigger} (anywhere on the desktop)")
    else:
        keep_the_in_window_shortcut(outcome.reason)  # NotRegistered.reason says why
    ...
    await shortcut.close()  # at quit: ends the portal session and the D-Bus connection

``register`` never raises for a desktop that cannot do it: every case ends in a
:class:`Registered` or :class:`NotRegistered`, and every wait has a timeout (up to
``BIND_TIMEOUT`` while the desktop's dialog is open). To give up sooner (the window closes),
cancel the task awaiting ``register``: it closes what it opened before the CancelledError
propagates. After
``Registered``, ``on_activated`` is called on the loop's thread each time the person presses
the shortcut, until :meth:`GlobalShortcut.close`.

Timeouts are `asyncio.timeout` blocks, not `asyncio.wait_for`: in Python 3.11 `wait_for` can
return a result that arrives together with a cancellation and drop the cancellation, so a
window closing while the desktop's dialog is open would wait out the dialog's minute.

Uses jeepney, not QtDBus: QtDBus cannot send ``a(sa{sv})`` (BindShortcuts' argument) from
Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, Message, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.asyncio import DBusRouter, open_dbus_connection
from jeepney.wrappers import Properties

logger = logging.getLogger(__name__)

DESKTOP = "org.freedesktop.portal.Desktop"
"""The portal's bus name."""
DESKTOP_PATH = "/org/freedesktop/portal/desktop"
INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
REQUEST_INTERFACE = "org.freedesktop.portal.Request"
SESSION_INTERFACE = "org.freedesktop.portal.Session"

CAPTURE = "capture"
"""The id of VisionDesk's one shortcut, as the portal (and the desktop's settings) knows it."""
CAPTURE_DESCRIPTION = "Capture a screen region into VisionDesk"
CAPTURE_TRIGGER = "CTRL+SHIFT+A"
"""The trigger we ask for, in the XDG shortcuts specification's notation; the person may pick
another in the desktop's dialog."""

CONNECT_TIMEOUT = 10.0
"""Connecting to the bus and asking for the portal's version: no person involved."""
CREATE_TIMEOUT = 10.0
"""CreateSession: the portal answers without asking anyone."""
BIND_TIMEOUT = 60.0
"""BindShortcuts: the portal may show the person a dialog; give them a minute."""
CLOSE_TIMEOUT = 2.0

# Errors that mean "this portal exists but has no GlobalShortcuts": GDBus answers a property of
# an interface it does not export with InvalidArgs, and a method on it with UnknownMethod (newer
# versions: UnknownInterface).
_UNSUPPORTED_ERRORS = frozenset(
    f"org.freedesktop.DBus.Error.{name}"
    for name in (
        "UnknownInterface",
        "UnknownMethod",
        "UnknownObject",
        "UnknownProperty",
        "InvalidArgs",
        "NotSupported",
    )
)
# Errors that mean "nobody owns org.freedesktop.portal.Desktop" (and it cannot be started).
_NO_PORTAL_ERRORS = frozenset(
    f"org.freedesktop.DBus.Error.{name}"
    for name in ("ServiceUnknown", "NameHasNoOwner", "Spawn.ServiceNotFound", "Spawn.Failed")
)


class Reason(enum.Enum):
    """Why the shortcut is not registered: each says what the window can tell the person."""

    NO_SESSION_BUS = "there is no D-Bus session bus"
    NO_PORTAL = "the desktop has no portal (xdg-desktop-portal)"
    UNSUPPORTED = "the desktop's portal has no global shortcuts"
    REFUSED = "the desktop refused the shortcut"
    CANCELLED = "the shortcut was cancelled in the desktop's dialog"
    TIMED_OUT = "the desktop's portal did not answer in time"


@dataclass(frozen=True)
class Registered:
    """The desktop bound the shortcut; ``trigger`` is its own description, e.g. "Ctrl+Shift+A"
    (empty when the portal gave none)."""

    trigger: str
    portal_version: int


@dataclass(frozen=True)
class NotRegistered:
    """The shortcut is not bound; ``detail`` carries the D-Bus error or code, for the log."""

    reason: Reason
    detail: str = ""


class _Stop(Exception):
    """A step ended in a NotRegistered outcome (internal: register returns it)."""

    def __init__(self, outcome: NotRegistered) -> None:
        super().__init__(outcome.reason.value)
        self.outcome = outcome


def _error_name(message: Message) -> str:
    return str(message.header.fields.get(HeaderFields.error_name, ""))


def _unwrap(variant: object) -> object:
    """jeepney gives a variant as (signature, value)."""
    if isinstance(variant, tuple) and len(variant) == 2 and isinstance(variant[0], str):
        return variant[1]
    return variant


def _bound_shortcuts(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """BindShortcuts' results["shortcuts"] (a(sa{sv})) by id; a malformed answer binds none."""
    shortcuts = _unwrap(results.get("shortcuts", []))
    if not isinstance(shortcuts, list):
        return {}
    return {
        str(entry[0]): dict(entry[1])
        for entry in shortcuts
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], dict)
    }


class GlobalShortcut:
    """One portal session holding VisionDesk's capture shortcut; see the module docstring."""

    def __init__(
        self,
        on_activated: Callable[[], None],
        *,
        create_timeout: float = CREATE_TIMEOUT,
        bind_timeout: float = BIND_TIMEOUT,
    ) -> None:
        self._on_activated = on_activated
        self._create_timeout = create_timeout
        self._bind_timeout = bind_timeout
        self._stack = contextlib.AsyncExitStack()
        self._router: DBusRouter | None = None
        self._session: str | None = None
        self._listener: asyncio.Task[None] | None = None
        self._started = False

    async def register(
        self, bus_address: str | None = None, parent_window: str = ""
    ) -> Registered | NotRegistered:
        """Bind the capture shortcut with the portal; on success, start dispatching its
        activations to ``on_activated``. ``bus_address`` defaults to the session bus
        (DBUS_SESSION_BUS_ADDRESS); ``parent_window`` is the XDG parent-window handle for the
        portal's dialog. Call once per instance."""
        if self._started:
            raise RuntimeError("GlobalShortcut.register is called once per instance")
        self._started = True
        address = bus_address or os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        if not address:
            return NotRegistered(Reason.NO_SESSION_BUS, "DBUS_SESSION_BUS_ADDRESS is not set")
        try:
            return await self._register(address, parent_window)
        except _Stop as stop:
            await self.close()
            return stop.outcome
        except (KeyError, asyncio.InvalidStateError):
            # jeepney 0.9's reply bookkeeping, when a call is cancelled as its reply comes in,
            # can raise these instead of the CancelledError: the cancellation is what happened.
            task = asyncio.current_task()
            await self.close()
            if task is not None and task.cancelling():
                raise asyncio.CancelledError from None
            raise
        except BaseException:
            await self.close()
            raise

    async def _register(self, address: str, parent_window: str) -> Registered:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                connection = await open_dbus_connection(address)
        except (OSError, EOFError, RuntimeError, ValueError, TimeoutError) as error:
            raise _Stop(NotRegistered(Reason.NO_SESSION_BUS, repr(error))) from error
        self._stack.push_async_callback(connection.close)
        self._router = router = await self._stack.enter_async_context(DBusRouter(connection))
        version = await self._version(router)
        sender = str(router.unique_name).lstrip(":").replace(".", "_")

        token = self._token()
        results = await self._request(
            router,
            new_method_call(
                self._portal(),
                "CreateSession",
                "a{sv}",
                ({"handle_token": ("s", token), "session_handle_token": ("s", self._token())},),
            ),
            f"{DESKTOP_PATH}/request/{sender}/{token}",
            self._create_timeout,
        )
        self._session = session = str(_unwrap(results.get("session_handle", "")))
        if not session:
            raise _Stop(NotRegistered(Reason.REFUSED, "CreateSession gave no session_handle"))

        activated = MatchRule(
            type="signal", interface=INTERFACE, member="Activated", path=DESKTOP_PATH
        )
        await self._add_match(router, activated)
        queue: asyncio.Queue[Message] = self._stack.enter_context(
            router.filter(activated, queue=asyncio.Queue())
        )

        token = self._token()
        shortcut = {
            "description": ("s", CAPTURE_DESCRIPTION),
            "preferred_trigger": ("s", CAPTURE_TRIGGER),
        }
        results = await self._request(
            router,
            new_method_call(
                self._portal(),
                "BindShortcuts",
                "oa(sa{sv})sa{sv}",
                (session, [(CAPTURE, shortcut)], parent_window, {"handle_token": ("s", token)}),
            ),
            f"{DESKTOP_PATH}/request/{sender}/{token}",
            self._bind_timeout,
        )
        bound = _bound_shortcuts(results)
        if CAPTURE not in bound:
            raise _Stop(NotRegistered(Reason.REFUSED, f"bound: {sorted(bound)}"))
        trigger = str(_unwrap(bound[CAPTURE].get("trigger_description", "")))
        self._listener = asyncio.create_task(self._listen(queue, session))
        return Registered(trigger=trigger, portal_version=version)

    async def close(self) -> None:
        """Stop dispatching, end the portal session (the desktop then unbinds the shortcut)
        and close the connection. Safe to call more than once, and after a failed register."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        router, session = self._router, self._session
        self._router = self._session = None
        if router is not None and session is not None:
            close = new_method_call(
                DBusAddress(session, bus_name=DESKTOP, interface=SESSION_INTERFACE), "Close"
            )
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_TIMEOUT):
                    await router.send_and_get_reply(close)
        # jeepney 0.9's router, closing, sets RouterClosed on every reply future it still
        # holds, a cancelled one too (`drop_all`), and that InvalidStateError comes out of
        # its __aexit__; the exit stack has closed the connection all the same.
        with contextlib.suppress(asyncio.InvalidStateError):
            await self._stack.aclose()

    @property
    def listening(self) -> bool:
        """Whether activations are being dispatched (registered and not closed)."""
        return self._listener is not None and not self._listener.done()

    # The steps ---------------------------------------------------------------------------

    @staticmethod
    def _token() -> str:
        return f"visiondesk_{secrets.token_hex(8)}"

    @staticmethod
    def _portal() -> DBusAddress:
        return DBusAddress(DESKTOP_PATH, bus_name=DESKTOP, interface=INTERFACE)

    async def _version(self, router: DBusRouter) -> int:
        """The portal's GlobalShortcuts version: tells apart no portal, a portal without the
        interface, and one with it, before anything is asked of the person."""
        reply = await self._call(router, Properties(self._portal()).get("version"))
        if reply.header.message_type == MessageType.error:
            name = _error_name(reply)
            if name in _NO_PORTAL_ERRORS:
                raise _Stop(NotRegistered(Reason.NO_PORTAL, name))
            raise _Stop(NotRegistered(Reason.UNSUPPORTED, name))
        value = _unwrap(reply.body[0]) if reply.body else None
        if not isinstance(value, int):
            raise _Stop(NotRegistered(Reason.UNSUPPORTED, f"version is {value!r}"))
        return value

    async def _call(
        self, router: DBusRouter, message: Message, timeout: float = CONNECT_TIMEOUT
    ) -> Message:
        try:
            async with asyncio.timeout(timeout):
                reply: Message = await router.send_and_get_reply(message)
        except TimeoutError as error:
            raise _Stop(NotRegistered(Reason.TIMED_OUT, "no reply")) from error
        return reply

    async def _add_match(self, router: DBusRouter, rule: MatchRule) -> None:
        reply = await self._call(router, message_bus.AddMatch(rule))
        if reply.header.message_type == MessageType.error:
            raise _Stop(NotRegistered(Reason.NO_SESSION_BUS, f"AddMatch: {_error_name(reply)}"))

    async def _request(
        self, router: DBusRouter, call: Message, request_path: str, timeout: float
    ) -> dict[str, Any]:
        """Make a portal call that answers with a Request object: subscribe to the Response
        before calling (it may come before the reply), then wait for it."""
        rule = MatchRule(
            type="signal", interface=REQUEST_INTERFACE, member="Response", path=request_path
        )
        await self._add_match(router, rule)
        try:
            with router.filter(rule, queue=asyncio.Queue()) as responses:
                reply = await self._call(router, call)
                if reply.header.message_type == MessageType.error:
                    name = _error_name(reply)
                    reason = Reason.UNSUPPORTED if name in _UNSUPPORTED_ERRORS else Reason.REFUSED
                    raise _Stop(NotRegistered(reason, name))
                if reply.body and reply.body[0] != request_path:
                    # A portal older than version 0.9 of the spec: the handle it returned.
                    raise _Stop(NotRegistered(Reason.REFUSED, f"request at {reply.body[0]}"))
                try:
                    async with asyncio.timeout(timeout):
                        response = await responses.get()
                except TimeoutError as error:
                    raise _Stop(NotRegistered(Reason.TIMED_OUT, request_path)) from error
        finally:
            with contextlib.suppress(Exception):
                await router.send(message_bus.RemoveMatch(rule))
        code, results = response.body
        if code == 0:
            return dict(results)
        reason = Reason.CANCELLED if code == 1 else Reason.REFUSED
        raise _Stop(NotRegistered(reason, f"response code {code}"))

    async def _listen(self, queue: asyncio.Queue[Message], session: str) -> None:
        """Dispatch Activated for our session and shortcut until cancelled (close)."""
        while True:
            signal = await queue.get()
            if len(signal.body) < 2 or signal.body[0] != session or signal.body[1] != CAPTURE:
                continue
            try:
                self._on_activated()
            except Exception:
                logger.exception("the capture shortcut's handler failed")
