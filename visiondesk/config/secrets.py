"""API keys: the OS keychain through `keyring`; where there is none, this session only or the
environment. A key is never written to a file or a log.

The keychain is only ever read and written on a thread of its own: a locked keychain asks for
its password and blocks the caller until it is answered, and the window must not wait for
that. `key_for` answers at once from what is known; `fetch` reads the keychain; `store`,
`rename` and `forget` change what is known at once and hand back the keychain's write, which
the caller runs as a job (`written`), so a refusal is shown where it happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from visiondesk.config.profiles import Profile
from visiondesk.errors import VisionDeskError

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
        self._locked: dict[str, str] = {}
        """Profiles whose last read the keychain refused (its prompt cancelled), and why."""

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
                if done.cancelled():
                    return
                if isinstance(error := done.exception(), KeychainLocked):
                    self._locked[name] = error.message  # asked again the next time it is used
                else:
                    self._locked.pop(name, None)
                    self._read[name] = done.result()

            future.add_done_callback(settled)
        await asyncio.shield(future)  # raises KeychainLocked when the keychain said no
        return self.key_for(profile)

    def locked(self, profile: Profile) -> str:
        """Why the keychain's last read of this profile's key was refused ("" if it was not):
        its password prompt was cancelled, or it is locked."""
        return self._locked.get(profile.name, "")

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

    def store(self, profile: Profile, key: str) -> Future[None] | None:
        """Use the key now and, with a keychain, save it there on a thread of its own (a locked
        keychain never blocks). The returned write settles when the keychain has answered (wait
        for it with `written`); it raises `KeychainError` if the keychain refused, and the key
        stays in use for this session. None: there is no keychain (this session only)."""
        self._session[profile.name] = key
        if self._keyring is None:
            return None
        backend, name = self._keyring, profile.name

        def save() -> None:
            try:
                backend.set_password(SERVICE, name, key)
            except Exception as exc:
                log.warning("could not save to the keychain: %s", type(exc).__name__)
                self._refused.add(name)
                raise self._refusal(f"save the key of “{name}”", exc, key, kept=True) from None
            self._read[name] = key
            self._refused.discard(name)

        return _write(save, "keychain-save")

    def rename(self, old: str, new: str) -> Future[None] | None:
        """A renamed profile keeps its key: keychain entries are stored under the name, so the
        entry moves (on a thread; the write as `store`'s) and this session's copy with it."""
        if old == new:
            return None
        if old in self._session:
            self._session[new] = self._session.pop(old)
        if old in self._read:
            self._read[new] = self._read.pop(old)
        if self._keyring is None:
            return None
        backend = self._keyring

        def move() -> None:
            key = None
            try:
                key = backend.get_password(SERVICE, old)
                if key:
                    backend.set_password(SERVICE, new, key)
                    backend.delete_password(SERVICE, old)
                    self._read[new] = key
            except Exception as exc:
                log.warning("could not move the key in the keychain: %s", type(exc).__name__)
                raise self._refusal(f"move the key of “{old}” to “{new}”", exc, key) from None

        return _write(move, "keychain-rename")

    def forget(self, profile: Profile) -> Future[None] | None:
        """Forget the key here and delete it from the keychain (on a thread; the write as
        `store`'s). A keychain that holds no key for the profile is not an error."""
        self._session.pop(profile.name, None)
        self._read[profile.name] = None
        if self._keyring is None:
            return None
        backend, name = self._keyring, profile.name

        def delete() -> None:
            from keyring.errors import PasswordDeleteError

            try:
                backend.delete_password(SERVICE, name)
            except PasswordDeleteError:
                log.debug("nothing to delete from the keychain")
            except Exception as exc:
                log.warning("could not delete from the keychain: %s", type(exc).__name__)
                raise self._refusal(f"delete the key of “{name}”", exc) from None

        return _write(delete, "keychain-forget")

    def _refusal(
        self, what: str, error: Exception, key: str | None = None, *, kept: bool = False
    ) -> KeychainError:
        """The keychain's refusal in the person's words (never with the key in it)."""
        reason = str(error).strip() or type(error).__name__
        if key:
            reason = reason.replace(key, "…")
        session = " The key is kept for this session only." if kept else ""
        return KeychainError(f"{self.keychain_name} would not {what}: {reason}.{session}")


class KeychainError(VisionDeskError):
    """The keychain refused a write (locked, no permission, broken)."""


async def written(write: Future[None]) -> None:
    """Until a keychain write (`store`, `rename`, `forget`) has ended; raises its error.
    Cancelling the wait leaves the write to end on its thread (its bookkeeping happens there)."""
    await asyncio.wrap_future(write)


def where_keys_go(keychain: str | None) -> str:
    """The sentence the welcome and Settings both say (`keychain`: its name, None if none)."""
    if keychain is None:
        return (
            "There is no system keychain on this computer: a key typed here is kept in memory "
            "for this session only (or set it in an environment variable). It is never written "
            "to a file."
        )
    return f"A key typed here is saved in {keychain}, never in a file."


class KeychainLocked(KeychainError):
    """The keychain refused to be read (its password prompt cancelled, or it stayed locked):
    the key may well be there, so this is not "no key"."""


def _get(backend: Any, name: str) -> str | None:
    try:
        stored = backend.get_password(SERVICE, name)
    except Exception as exc:  # a locked or broken keychain must not stop the app
        log.warning("keychain unavailable: %s", type(exc).__name__)
        raise KeychainLocked(
            f"key not available: the keychain stayed locked ({type(exc).__name__})"
        ) from None
    return str(stored) if stored else None


def _write(work: Callable[[], None], name: str) -> Future[None]:
    """`work` on a daemon thread, now; its outcome in a future that needs no event loop."""
    future: Future[None] = Future()
    future.set_running_or_notify_cancel()

    def run() -> None:
        try:
            work()
        except BaseException as error:
            future.set_exception(error)
        else:
            future.set_result(None)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


def _on_thread(work: Callable[[], str | None]) -> asyncio.Future[str | None]:
    """`work` on a daemon thread (a keychain prompt left open never holds up quitting)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def settle(value: str | None, error: KeychainError | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def run() -> None:
        value, error = None, None
        try:
            value = work()
        except KeychainError as refused:
            error = refused
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting
            loop.call_soon_threadsafe(settle, value, error)

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
