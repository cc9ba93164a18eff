"""Keychains that misbehave as real ones do: one that is locked (its reads and writes wait
until the person "types the password") and one that refuses every write."""

from __future__ import annotations

import threading


class LockedKeychain:
    """A keyring backend whose reads and writes wait until `unlocked` is set."""

    name = "LockedKeychain"

    def __init__(self) -> None:
        self.unlocked = threading.Event()
        self.asked: list[str] = []
        self.saved: dict[str, str] = {"Emulator": "sk-from-the-keychain"}
        self.threads: list[str] = []

    def get_password(self, service: str, name: str) -> str | None:
        self.threads.append(threading.current_thread().name)
        self.asked.append(name)
        self.unlocked.wait(30)
        return self.saved.get(name)

    def set_password(self, service: str, name: str, key: str) -> None:
        self.unlocked.wait(30)
        self.saved[name] = key

    def delete_password(self, service: str, name: str) -> None:
        self.saved.pop(name, None)


class KeychainRefused(Exception):
    """What a keychain raises when the person dismisses its password prompt."""


class RefusingKeychain:
    """Reads answer at once; every write is refused, until `refusing` is cleared."""

    name = "RefusingKeychain"

    def __init__(self) -> None:
        self.saved: dict[str, str] = {}
        self.refusing = True

    def get_password(self, service: str, name: str) -> str | None:
        return self.saved.get(name)

    def set_password(self, service: str, name: str, key: str) -> None:
        if self.refusing:
            raise KeychainRefused("the keychain is locked and its prompt was dismissed")
        self.saved[name] = key

    def delete_password(self, service: str, name: str) -> None:
        if self.refusing:
            raise KeychainRefused("the keychain is locked and its prompt was dismissed")
        self.saved.pop(name, None)


class CancelledPromptKeychain:
    """A keychain whose password prompt the person cancels: every read is refused, until
    `cancelling` is cleared (the person types the password the next time)."""

    name = "CancelledPromptKeychain"

    def __init__(self) -> None:
        self.saved: dict[str, str] = {"OpenAI": "sk-in-the-keychain-000000000000"}
        self.cancelling = True
        self.asked = 0

    def get_password(self, service: str, name: str) -> str | None:
        self.asked += 1
        if self.cancelling:
            raise KeychainRefused("the prompt was dismissed")
        return self.saved.get(name)

    def set_password(self, service: str, name: str, key: str) -> None:
        self.saved[name] = key

    def delete_password(self, service: str, name: str) -> None:
        self.saved.pop(name, None)
