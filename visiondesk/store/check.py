"""Check history: what is damaged, listed for the person who asked. Nothing is changed."""

from __future__ import annotations

import json
import re
import sqlite3

from visiondesk.store.blobs import Blobs, BlobUnreadable

_TREE = re.compile(r"[Tt]ree (?:page )?(\d+)")


def check_history(db: sqlite3.Connection, blobs: Blobs) -> list[str]:
    """sqlite's integrity_check (each page problem named by its table), then every image a
    message refers to whose record or file cannot be read. Empty when all is well."""
    return _database_problems(db) + _image_problems(db, blobs)


def _database_problems(db: sqlite3.Connection) -> list[str]:
    try:
        lines = [str(row[0]) for row in db.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as error:
        return [f"The history database could not be checked: {error}"]
    if lines == ["ok"]:
        return []
    try:
        tables = {
            int(page): str(name)
            for name, page in db.execute("SELECT name, rootpage FROM sqlite_master").fetchall()
        }
    except sqlite3.DatabaseError:
        tables = {}
    problems = []
    for line in lines:
        match = _TREE.search(line)
        table = tables.get(int(match.group(1))) if match else None
        problems.append(f"History database ({table}): {line}" if table else f"History: {line}")
    return problems


def _image_problems(db: sqlite3.Connection, blobs: Blobs) -> list[str]:
    problems: list[str] = []
    try:
        cursor = db.execute(
            "SELECT a.message_id, a.position, a.original_name, a.prepared_json, "
            "m.conversation_id, c.title FROM attachments a "
            "LEFT JOIN messages m ON m.id = a.message_id "
            "LEFT JOIN conversations c ON c.id = m.conversation_id ORDER BY a.id"
        )
        for message_id, position, name, prepared, conversation_id, title in cursor:
            where = (
                f"“{title}” (conversation {conversation_id}), message {message_id}, "
                f"image {position + 1} ({name})"
            )
            try:
                record = json.loads(prepared)
                digests = [record.get("data"), record.get("thumbnail")]
            except (ValueError, TypeError, AttributeError) as error:
                problems.append(f"{where}: its record is damaged ({error})")
                continue
            for digest in digests:
                if not digest:
                    continue
                try:
                    blobs.get(str(digest))
                except BlobUnreadable as error:
                    problems.append(f"{where}: {error}")
    except sqlite3.DatabaseError as error:
        problems.append(f"The list of images could not be read in full ({error})")
    return problems
