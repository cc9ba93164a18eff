"""What a person can do to a turn. Plain, and light to import: the empty window's transcript
names it before any message exists."""

from __future__ import annotations

from enum import Enum


class TranscriptAction(Enum):
    COPY = "copy"
    INSPECT = "inspect"
    RETRY = "retry"
    EDIT = "edit"
    REGENERATE = "regenerate"
    OPEN_SETTINGS = "settings"
    SWITCH_MODE = "switch-mode"
