"""App-wide settings kept in `settings.json` in the config folder (never a key)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from visiondesk.config.paths import config_dir, private_folder, write_private


class Cleanup(StrEnum):
    """When files uploaded for a conversation are deleted from the server."""

    AFTER_ANSWER = "after-answer"
    ON_DELETE = "on-delete"
    NEVER = "never"


class Theme(StrEnum):
    """Light or dark: as the system says, or always one of them."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class AppSettings:
    """A value: a change is a new one (`dataclasses.replace`), given to the workspace, which
    announces it; nothing shares one and edits it in place."""

    cleanup: Cleanup = Cleanup.ON_DELETE
    welcomed: bool = False
    theme: Theme = Theme.SYSTEM
    instructions: str = ""
    """The instructions (system prompt) a new conversation starts with; empty for none."""

    @classmethod
    def load(cls, path: Path | None = None) -> AppSettings:
        path = path or config_dir() / "settings.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                cleanup=Cleanup(data.get("cleanup", Cleanup.ON_DELETE)),
                welcomed=bool(data.get("welcomed", False)),
                theme=_theme(data.get("theme")),
                instructions=str(data.get("instructions") or ""),
            )
        except (OSError, ValueError, AttributeError):
            return cls()

    def save(self, path: Path | None = None) -> None:
        path = path or config_dir() / "settings.json"
        private_folder(path.parent)
        write_private(path, json.dumps(asdict(self)))


def _theme(value: object) -> Theme:
    try:
        return Theme(str(value))
    except ValueError:
        return Theme.SYSTEM
