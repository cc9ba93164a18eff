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
        schema = db.execute("SELECT type, name, rootpage FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as error:
        return [f"The history database could not be checked: {error}"]
    tables = {int(page or 0): str(name) for _, name, page in schema}
    try:
        lines = [str(row[0]) for row in db.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError:  # it stopped at a damaged page: find which table holds it
        return _table_problems(db, sorted(str(name) for kind, name, _ in schema if kind == "table"))
    if lines == ["ok"]:
        return []
    problems = []
    for line in lines:
        match = _TREE.search(line)
        table = tables.get(int(match.group(1))) if match else None
        problems.append(f"History database ({table}): {line}" if table else f"History: {line}")
    return problems


def _table_problems(db: sqlite3.Connection, names: list[str]) -> list[str]:
    """The whole-file check gave up at a damaged page: check table by table instead."""
    problems = []
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            lines = [str(r[0]) for r in db.execute(f"PRAGMA integrity_check({quoted})")]
        except sqlite3.DatabaseError as error:
            lines = [str(error)]
        problems += [f"History database ({name}): {line}" for line in lines if line != "ok"]
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
        problems += _unreadable_images(db, error)
    return problems


def _unreadable_images(db: sqlite3.Connection, error: sqlite3.DatabaseError) -> list[str]:
    """The image records cannot be read: name the messages that had images, through the index
    (which holds the message of each image without the damaged records)."""
    try:
        rows = db.execute(
            "SELECT DISTINCT a.message_id, m.conversation_id, c.title "
            "FROM attachments a INDEXED BY attachments_by_message "
            "LEFT JOIN messages m ON m.id = a.message_id "
            "LEFT JOIN conversations c ON c.id = m.conversation_id ORDER BY a.message_id"
        ).fetchall()
    except sqlite3.DatabaseError:
        return [f"The list of images could not be read ({error})"]
    return [
        f"“{title}” (conversation {conversation_id}), message {message_id}: its images could "
        f"not be read ({error})"
        for message_id, conversation_id, title in rows
    ]
