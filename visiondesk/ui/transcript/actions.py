"""What a person can do to a turn. Plain, and light to import: the empty window's transcript
names it before any message exists."""

from __future__ import annotations

from enum import Enum


class TranscriptAction(Enum):
    COPY = "copy"
    """The answer's Markdown source (the Copy button, and Copy as Markdown)."""
    COPY_TEXT = "copy-text"
    """The answer as it reads, without Markdown."""
    COPY_QUESTION = "copy-question"
    QUOTE = "quote"
    """The answer quoted into the question being written ("> …")."""
    QUOTE_QUESTION = "quote-question"
    INSPECT = "inspect"
    RETRY = "retry"
    EDIT = "edit"
    REGENERATE = "regenerate"
    OPEN_SETTINGS = "settings"
    SWITCH_MODE = "switch-mode"
    DELETE = "delete"
    """The exchange (its question and every version of its answer), with Undo in its place."""
    PREVIOUS_VERSION = "previous-version"
    NEXT_VERSION = "next-version"
    UNDO_DELETE = "undo-delete"
    DISMISS = "dismiss"
    """The Undo line of a deleted exchange goes (deleted for good)."""
