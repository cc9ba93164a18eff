"""Rows into records: one dataclass field per column of the same name."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


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
