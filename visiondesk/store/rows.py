"""Rows into records, and the upload ledger's writes: one place for what the history and the
batch store both need."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")

RECORD_UPLOAD = (
    "INSERT OR IGNORE INTO uploads (profile, file_id, upload_key, bytes, filename, "
    "conversation_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
"""A file uploaded on the person's behalf, written down so it can be deleted later."""
MARK_DELETED = "UPDATE uploads SET deleted_at = ? WHERE profile = ? AND file_id = ?"


def record(cls: type[T], row: sqlite3.Row, **given: Any) -> T:
    """A dataclass from the row's columns of the same names; `given` supplies the fields that
    need converting (enums, JSON) or have no column."""
    columns = set(row.keys())
    values = {
        item.name: given[item.name] if item.name in given else row[item.name]
        for item in fields(cls)  # type: ignore[arg-type]
        if item.name in given or item.name in columns
    }
    return cls(**values)
