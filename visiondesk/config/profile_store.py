"""Built-in profiles plus the person's own, from `profiles.json` in the config folder.

The file never holds a key: keys come from the keychain or an environment variable.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from visiondesk.config.paths import config_dir, private_folder, write_private
from visiondesk.config.profiles import Profile, ProviderKind, Server
from visiondesk.domain import ApiMode, Detail

EMULATOR = "emulator"

BUILTIN: dict[str, Profile] = {
    "openai": Profile("OpenAI", ProviderKind.OPENAI, model="gpt-4o", mode=ApiMode.RESPONSES),
    "ollama": Profile(
        "Ollama",
        ProviderKind.COMPATIBLE,
        "http://127.0.0.1:11434/v1",
        model="llava",
        server=Server.OLLAMA,
    ),
    "lmstudio": Profile(
        "LM Studio", ProviderKind.COMPATIBLE, "http://127.0.0.1:1234/v1", server=Server.LM_STUDIO
    ),
    EMULATOR: Profile(
        "Local emulator", ProviderKind.EMULATOR, "http://127.0.0.1:0/v1", api_key_env=""
    ),
}
"""The emulator profile's URL is a placeholder: it starts its own emulator on a free port."""


def profiles_file() -> Path:
    return config_dir() / "profiles.json"


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    """Built-ins, overridden, removed (null) and extended by the file; a broken file is
    reported, not fatal. The emulator always stays: it is what works offline."""
    profiles = dict(BUILTIN)
    path = path or profiles_file()
    if not path.exists():
        return profiles
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        for key, entry in entries.items():
            if entry is None:
                if key != EMULATOR:
                    profiles.pop(key, None)
                continue
            profiles[key] = from_json(entry)
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path} could not be read: {exc}") from exc
    return profiles


def save_profiles(profiles: dict[str, Profile], path: Path | None = None) -> None:
    path = path or profiles_file()
    private_folder(path.parent)
    # The emulator's address changes every run: it is never saved. A built-in the person
    # deleted is saved as null, so loading does not bring it back.
    own: dict[str, dict[str, Any] | None] = {
        key: to_json(p)
        for key, p in profiles.items()
        if BUILTIN.get(key) != p and p.kind is not ProviderKind.EMULATOR
    }
    own.update({key: None for key in BUILTIN if key not in profiles and key != EMULATOR})
    write_private(path, json.dumps(own, indent=2))


def to_json(profile: Profile) -> dict[str, Any]:
    return asdict(profile)  # enums are StrEnums: they serialise as their values


def from_json(entry: dict[str, Any]) -> Profile:
    return Profile(
        name=str(entry["name"]),
        kind=ProviderKind(entry.get("kind", "compatible")),
        base_url=str(entry["base_url"]),
        api_key_env=str(entry.get("api_key_env", "OPENAI_API_KEY")),
        model=str(entry.get("model", "gpt-4o")),
        mode=ApiMode(entry.get("mode", "chat")),
        detail=Detail(entry.get("detail", "auto")),
        server=Server(entry.get("server", "unknown")),
        responses_upload=bool(entry.get("responses_upload", False)),
        extra_headers=dict(entry.get("extra_headers", {})),
        read_timeout=float(entry.get("read_timeout", 60.0)),
        stream_timeout=float(entry.get("stream_timeout", 600.0)),
        webp=None if entry.get("webp") is None else bool(entry["webp"]),
    )
