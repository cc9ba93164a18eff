"""What Settings does to the profiles before Save: working copies, each under a stable key,
added with a name no other profile has, removed, renamed — and, at Save, what changed since
the dialog opened (the keychain follows renames and deletions). Plain, so it is testable
without a window."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from visiondesk.config.profiles import Profile, ProviderKind

NEW_PROFILE_URL = "http://127.0.0.1:11434/v1"
"""Where a new server points at first: Ollama's address, the most common local server."""


class NameTaken(ValueError):
    """Another profile has this name (names are what people pick from)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"A profile named “{name}” exists.")


@dataclass
class ProfileEdits:
    """The profiles as edited: `profiles` by key, `keys` in the list's order."""

    original: dict[str, Profile]
    profiles: dict[str, Profile] = field(init=False)
    keys: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.original = dict(self.original)
        self.profiles = dict(self.original)
        self.keys = list(self.original)

    def name_taken(self, name: str, except_key: str | None = None) -> bool:
        wanted = name.casefold()
        return any(p.name.casefold() == wanted for k, p in self.profiles.items() if k != except_key)

    def replace(self, key: str, updated: Profile) -> None:
        """The profile under `key` as its form now says; refused when the new name is taken."""
        if updated.name != self.profiles[key].name and self.name_taken(updated.name, key):
            raise NameTaken(updated.name)
        self.profiles[key] = updated

    def add(self, name: str) -> str:
        """A new OpenAI-compatible profile named `name` (spaces tidied); its key."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("A server needs a name.")
        if self.name_taken(name):
            raise NameTaken(name)
        key = _key_for(name, set(self.profiles))
        self.profiles[key] = Profile(
            name, ProviderKind.COMPATIBLE, NEW_PROFILE_URL, api_key_env="", model="llava"
        )
        self.keys.append(key)
        return key

    def remove(self, key: str) -> None:
        del self.profiles[key]
        self.keys.remove(key)

    def renamed(self) -> dict[str, str]:
        """Old name → new name of every profile renamed since the dialog opened."""
        return {
            old.name: self.profiles[key].name
            for key, old in self.original.items()
            if key in self.profiles and self.profiles[key].name != old.name
        }

    def removed(self) -> list[Profile]:
        """The profiles deleted since the dialog opened, as they were."""
        return [old for key, old in self.original.items() if key not in self.profiles]


def _key_for(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "server"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key
