"""API keys: the OS keychain through `keyring`; where there is none, this session only or the
environment. A key is never written to a file or a log."""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

from visiondesk.config.profiles import Profile

SERVICE = "VisionDesk"
log = logging.getLogger(__name__)


class Secrets:
    def __init__(self, use_keyring: bool = True) -> None:
        self._session: dict[str, str] = {}
        self._keyring = _keyring() if use_keyring else None

    @property
    def keychain_available(self) -> bool:
        return self._keyring is not None

    def key_for(self, profile: Profile) -> str | None:
        """The keychain, then this session's memory, then the profile's environment variable."""
        if self._keyring is not None:
            try:
                stored = self._keyring.get_password(SERVICE, profile.name)
            except Exception as exc:  # a locked or broken keychain must not stop the app
                log.warning("keychain unavailable: %s", type(exc).__name__)
                stored = None
            if stored:
                return str(stored)
        if profile.name in self._session:
            return self._session[profile.name]
        return os.environ.get(profile.api_key_env) if profile.api_key_env else None

    def source_of(self, profile: Profile) -> str:
        """Where the key comes from, for the settings dialog (never the key itself)."""
        if self._keyring is not None:
            try:
                if self._keyring.get_password(SERVICE, profile.name):
                    return "OS keychain"
            except Exception:
                pass
        if profile.name in self._session:
            return "this session only"
        if profile.api_key_env and os.environ.get(profile.api_key_env):
            return f"${profile.api_key_env}"
        return "not set"

    def store(self, profile: Profile, key: str) -> bool:
        """Save the key; True if it went to the keychain, False if it is kept for this session."""
        if self._keyring is not None:
            try:
                self._keyring.set_password(SERVICE, profile.name, key)
                self._session.pop(profile.name, None)
                return True
            except Exception as exc:
                log.warning("could not save to the keychain: %s", type(exc).__name__)
        self._session[profile.name] = key
        return False

    def forget(self, profile: Profile) -> None:
        self._session.pop(profile.name, None)
        if self._keyring is not None:
            with contextlib.suppress(Exception):
                self._keyring.delete_password(SERVICE, profile.name)


def _keyring() -> Any:
    """The keyring backend, or None where only the fail/null backend exists (Spyder does this)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__.lower():
            return None
        return keyring
    except Exception:
        return None
