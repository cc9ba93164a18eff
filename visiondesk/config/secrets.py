"""API keys: the OS keychain through `keyring`; where there is none, this session only or the
environment. A key is never written to a file or a log.

The keychain is only ever read and written on a thread of its own: a locked keychain asks for
its password and blocks the caller until it is answered, and the window must not wait for
that. `key_for` answers at once from what is known; `fetch` reads the keychain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from visiondesk.config.profiles import Profile

SERVICE = "VisionDesk"
log = logging.getLogger(__name__)


class Secrets:
    def __init__(self, use_keyring: bool = True, *, backend: Any = None) -> None:
        """`backend` is a keyring backend to use instead of the system's (tests)."""
        self._session: dict[str, str] = {}
        self._keyring = backend if backend is not None else (_keyring() if use_keyring else None)
        self._read: dict[str, str | None] = {}
        """What the keychain held for each profile name, once read."""
        self._reading: dict[str, asyncio.Future[str | None]] = {}
        self._refused: set[str] = set()
        """Profiles whose key the keychain would not save: kept for this session only."""

    @property
    def keychain_available(self) -> bool:
        return self._keyring is not None

    @property
    def keychain_name(self) -> str:
        """The keychain as a person knows it ("the system keychain (SecretService)")."""
        if self._keyring is None:
            return "no keychain"
        name = str(getattr(self._keyring, "name", "") or type(self._keyring).__name__)
        return f"the system keychain ({name.split('.')[-1]})"

    def known(self, profile: Profile) -> bool:
        """Whether `key_for` already knows the whole answer (the keychain was read, or there is
        none, or a key was typed this session)."""
        return self._keyring is None or profile.name in self._read or profile.name in self._session

    @property
    def where_keys_go(self) -> str:
        """One honest sentence on where a key typed into VisionDesk is kept on this machine."""
        return where_keys_go(self.keychain_name if self._keyring is not None else None)

    def may_have_key(self, profile: Profile) -> bool:
        """A key is at hand, or may be in the keychain not read yet."""
        return bool(self.key_for(profile)) or not self.known(profile)

    def key_for(self, profile: Profile) -> str | None:
        """This session's key, then the keychain's as last read, then the profile's environment
        variable. Never waits for the keychain (see `fetch`)."""
        if profile.name in self._session:
            return self._session[profile.name]
        stored = self._read.get(profile.name)
        if stored:
            return stored
        return os.environ.get(profile.api_key_env) if profile.api_key_env else None

    async def fetch(self, profile: Profile) -> str | None:
        """Read the profile's key from the keychain on a thread (it may ask for a password),
        then answer as `key_for`. Reads of the same profile share one thread."""
        name = profile.name
        if self.known(profile):
            return self.key_for(profile)
        future = self._reading.get(name)
        if future is None:
            backend = self._keyring
            future = _on_thread(lambda: _get(backend, name))
            self._reading[name] = future

            def settled(done: asyncio.Future[str | None]) -> None:
                self._reading.pop(name, None)
                if not done.cancelled():
                    self._read[name] = done.result()

            future.add_done_callback(settled)
        await asyncio.shield(future)
        return self.key_for(profile)

    def source_of(self, profile: Profile) -> str:
        """Where the key comes from, for the settings dialog (never the key itself)."""
        if profile.name in self._session:
            if self._keyring is None:
                return "this session only (no keychain on this computer)"
            if profile.name in self._refused:
                return f"this session only ({self.keychain_name} refused to save it)"
            return f"saved to {self.keychain_name}"
        if self._read.get(profile.name):
            return f"{self.keychain_name}"
        if not self.known(profile):
            return f"{self.keychain_name} — not read yet (it may be locked)"
        if profile.api_key_env and os.environ.get(profile.api_key_env):
            return f"the environment variable ${profile.api_key_env}"
        return "not set"

    def store(self, profile: Profile, key: str) -> bool:
        """Use the key now; True if it is being saved to the keychain (on a thread, so a locked
        keychain never blocks), False if it is kept for this session only."""
        self._session[profile.name] = key
        if self._keyring is None:
            return False
        backend, name = self._keyring, profile.name

        def save() -> None:
            try:
                backend.set_password(SERVICE, name, key)
                self._read[name] = key
                self._refused.discard(name)
            except Exception as exc:
                log.warning("could not save to the keychain: %s", type(exc).__name__)
                self._refused.add(name)

        threading.Thread(target=save, name="keychain-save", daemon=True).start()
        return True

    def rename(self, old: str, new: str) -> None:
        """A renamed profile keeps its key: keychain entries are stored under the name, so the
        entry moves (on a thread) and this session's copy with it."""
        if old == new:
            return
        if old in self._session:
            self._session[new] = self._session.pop(old)
        if old in self._read:
            self._read[new] = self._read.pop(old)
        if self._keyring is None:
            return
        backend = self._keyring

        def move() -> None:
            try:
                key = backend.get_password(SERVICE, old)
                if key:
                    backend.set_password(SERVICE, new, key)
                    backend.delete_password(SERVICE, old)
                    self._read[new] = key
            except Exception as exc:
                log.warning("could not move the key in the keychain: %s", type(exc).__name__)

        threading.Thread(target=move, name="keychain-rename", daemon=True).start()

    def forget(self, profile: Profile) -> None:
        self._session.pop(profile.name, None)
        self._read[profile.name] = None
        if self._keyring is not None:
            backend, name = self._keyring, profile.name

            def delete() -> None:
                try:
                    backend.delete_password(SERVICE, name)
                except Exception as exc:
                    log.debug("nothing deleted from the keychain: %s", type(exc).__name__)

            threading.Thread(target=delete, name="keychain-forget", daemon=True).start()


def where_keys_go(keychain: str | None) -> str:
    """The sentence the welcome and Settings both say (`keychain`: its name, None if none)."""
    if keychain is None:
        return (
            "There is no system keychain on this computer: a key typed here is kept in memory "
            "for this session only (or set it in an environment variable). It is never written "
            "to a file."
        )
    return f"A key typed here is saved in {keychain}, never in a file."


def _get(backend: Any, name: str) -> str | None:
    try:
        stored = backend.get_password(SERVICE, name)
    except Exception as exc:  # a locked or broken keychain must not stop the app
        log.warning("keychain unavailable: %s", type(exc).__name__)
        return None
    return str(stored) if stored else None


def _on_thread(work: Callable[[], str | None]) -> asyncio.Future[str | None]:
    """`work` on a daemon thread (a keychain prompt left open never holds up quitting)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def settle(value: str | None) -> None:
        if not future.done():
            future.set_result(value)

    def run() -> None:
        value = work()
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting
            loop.call_soon_threadsafe(settle, value)

    threading.Thread(target=run, name="keychain", daemon=True).start()
    return future


def _keyring() -> Any:
    """The keyring backend, or None where only the fail/null backend exists (Spyder does this)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__.lower():
            return None
        return backend
    except Exception:
        return None
