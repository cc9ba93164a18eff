"""Repair and Restore: the two ways out of a damaged history.

Repair copies every row that can still be read (table by table; row by row around a damaged
page) into a new file, keeps the damaged file aside as `history.sqlite3.damaged-<date>` and
goes on with the new one. Restore puts a backup (File → Back up history) in place of the
history after checking it, keeping the current file aside as `history.sqlite3.replaced-<date>`.
Both run off the UI thread; the history object stays the same, so every holder keeps it."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visiondesk.config.paths import create_private, private_folder
from visiondesk.errors import BackupError
from visiondesk.store.blobs import Blobs
from visiondesk.store.database import DATABASE, Changed, Database
from visiondesk.store.faults import translated
from visiondesk.store.schema import MIGRATIONS, migrate

TABLES = (
    "conversations",
    "messages",
    "attachments",
    "question_sources",
    "api_state",
    "uploads",
    "batch_jobs",
    "batch_parts",
    "batch_items",
    "compare_picks",
)
"""Parents before children, so the orphans can be told after the copy."""

WORDS = {
    "conversations": "conversation",
    "messages": "message",
    "attachments": "image record",
    "question_sources": "saved image source",
    "api_state": "server-side state",
    "uploads": "uploaded-file record",
    "batch_jobs": "batch job",
    "batch_parts": "batch part",
    "batch_items": "batch item",
    "compare_picks": "compare pick",
}
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class RepairReport:
    kept: dict[str, int]
    """Rows copied into the new history, by table."""
    lost: dict[str, int]
    """Rows known to exist that could not be read (or whose parent was lost), by table."""
    aside: Path
    """Where the damaged file is kept."""
    unreadable: tuple[str, ...] = ()
    """Tables of which nothing could be read, nor how many rows they had."""
    recovered_conversations: int = 0
    """Conversations whose own row was lost, made again ("Recovered conversation N") so their
    messages are listed."""

    def summary(self) -> str:
        """One line for the person: what was kept, what could not be read, where the old file
        is."""
        kept = sum(self.kept.values())
        lost = [f"{count} {WORDS[t]}(s)" for t, count in self.lost.items() if count]
        lost += [f"the {WORDS[t]}s (how many is unknown)" for t in self.unreadable]
        text = f"History repaired: {kept} row(s) kept"
        text += f"; could not be read: {', '.join(lost)}" if lost else "; nothing was lost"
        if self.recovered_conversations:
            text += (
                f"; {self.recovered_conversations} conversation(s) listed as “Recovered "
                "conversation”"
            )
        return f"{text}. The damaged file is kept as {self.aside}."


@dataclass(frozen=True, slots=True)
class RestoreReport:
    backup: Path
    conversations: int
    images: int
    aside: Path
    missing: list[str] = field(default_factory=list)

    def summary(self) -> str:
        gone = f" {len(self.missing)} image file(s) were not in the backup." if self.missing else ""
        return (
            f"History restored from {self.backup} ({self.conversations} conversation(s), "
            f"{self.images} image(s) copied). The history it replaced is kept as "
            f"{self.aside}.{gone}"
        )


def stamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def repair(database: Database) -> RepairReport:
    """Rebuild the history of `database` from everything readable and go on with it."""
    folder = database.folder
    partial = folder / f".{DATABASE}.repairing"
    aside = folder / f"{DATABASE}.damaged-{stamp()}"
    with contextlib.suppress(Exception):
        database.flush()  # what is kept in memory goes in first, where it still can
    for attempt in range(ATTEMPTS):
        changes = database.changes
        with translated(folder):
            partial.unlink(missing_ok=True)
            create_private(partial)
            report = salvage(database.path, partial, aside)
        try:
            database.swap(partial, aside, changes=changes)
        except Changed:
            if attempt == ATTEMPTS - 1:
                partial.unlink(missing_ok=True)
                raise BackupError(
                    "The history kept changing while it was repaired; stop the answer or batch "
                    "under way, then Repair again."
                ) from None
            continue
        return report
    raise AssertionError("unreachable")  # pragma: no cover


def salvage(source: Path, target: Path, aside: Path) -> RepairReport:
    """Copy every readable row of `source` into the new database `target`."""
    reader = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    reader.text_factory = lambda data: data.decode("utf-8", "replace")
    writer = sqlite3.connect(target)
    try:
        migrate(writer)
        writer.execute("PRAGMA foreign_keys=OFF")
        kept: dict[str, int] = {}
        lost: dict[str, int] = {}
        unreadable: list[str] = []
        for table in TABLES:
            copied, missing, known = _copy_table(reader, writer, table)
            kept[table], lost[table] = copied, missing
            if not known:
                unreadable.append(table)
        recovered = _orphans(writer, kept, lost)
        writer.commit()
        writer.execute("PRAGMA journal_mode=DELETE")
    finally:
        writer.close()
        reader.close()
    return RepairReport(kept, lost, aside, tuple(unreadable), recovered)


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")]


def _copy_table(
    reader: sqlite3.Connection, writer: sqlite3.Connection, table: str
) -> tuple[int, int, bool]:
    """Rows copied, rows known to exist but unreadable, and whether the table's extent is
    known (False: nothing of it could be read, nor its size)."""
    try:
        columns = [c for c in _columns(writer, table) if c in set(_columns(reader, table))]
    except sqlite3.DatabaseError:
        return 0, 0, False
    if not columns:
        return 0, 0, True
    names = ", ".join(columns)
    insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    rows: dict[int, tuple[Any, ...]] = {}
    damaged = False
    try:
        for row in reader.execute(f"SELECT rowid, {names} FROM {table}"):
            rows[int(row[0])] = tuple(row[1:])
    except sqlite3.DatabaseError:
        damaged = True
    known: set[int] = set()
    extent_known = not damaged
    if damaged:
        known, extent_known = _known_rowids(reader, table)
        highest = max(known | set(rows) | {0})
        for rowid in sorted((known | set(range(1, highest + 1))) - set(rows)):
            try:
                found = reader.execute(
                    f"SELECT {names} FROM {table} WHERE rowid = ?", (rowid,)
                ).fetchone()
            except sqlite3.DatabaseError:
                continue
            if found is not None:
                rows[rowid] = tuple(found)
    writer.executemany(insert, rows.values())
    return len(rows), len(known - set(rows)), extent_known or bool(rows)


def _known_rowids(reader: sqlite3.Connection, table: str) -> tuple[set[int], bool]:
    """The rowids an index of the table still holds (an index lives on pages of its own)."""
    known: set[int] = set()
    found = False
    try:
        indexes = [
            str(r[0])
            for r in reader.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
            )
        ]
    except sqlite3.DatabaseError:
        return known, False
    for index in indexes:
        try:
            known.update(
                int(r[0]) for r in reader.execute(f"SELECT rowid FROM {table} INDEXED BY {index}")
            )
            found = True
        except sqlite3.DatabaseError:
            continue
    return known, found


def _orphans(writer: sqlite3.Connection, kept: dict[str, int], lost: dict[str, int]) -> int:
    """Messages whose conversation was lost get a conversation again; rows whose parent was
    lost go (counted as lost); a batch item whose part was lost is kept without it."""
    newest = writer.execute(
        "SELECT profile, mode, model, detail FROM conversations ORDER BY updated_at DESC LIMIT 1"
    ).fetchone() or ("", "chat", "", "auto")
    orphaned = writer.execute(
        "SELECT conversation_id, MIN(created_at), MAX(updated_at) FROM messages WHERE "
        "conversation_id NOT IN (SELECT id FROM conversations) GROUP BY conversation_id"
    ).fetchall()
    for conversation_id, created, updated in orphaned:
        writer.execute(
            "INSERT INTO conversations (id, title, profile, mode, model, detail, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                conversation_id,
                f"Recovered conversation {conversation_id}",
                *newest,
                created,
                updated,
            ),
        )
    writer.execute(
        "UPDATE batch_items SET part_id = NULL WHERE part_id IS NOT NULL "
        "AND part_id NOT IN (SELECT id FROM batch_parts)"
    )
    for table, column, parent in (
        ("attachments", "message_id", "messages"),
        ("question_sources", "message_id", "messages"),
        ("api_state", "conversation_id", "conversations"),
        ("batch_parts", "job_id", "batch_jobs"),
        ("batch_items", "job_id", "batch_jobs"),
    ):
        gone = writer.execute(
            f"DELETE FROM {table} WHERE {column} NOT IN (SELECT id FROM {parent})"
        ).rowcount
        kept[table] -= gone
        lost[table] += gone
    return len(orphaned)


def restore(database: Database, blobs: Blobs, backup: Path) -> RestoreReport:
    """Put the backup file `backup` (a history.sqlite3 made by File → Back up history, its
    images in `blobs/` beside it) in place of the history, after checking it whole."""
    folder = database.folder
    problem = check_backup(backup)
    if problem:
        raise BackupError(f"{backup} cannot be restored: {problem}. Choose another backup.")
    partial = folder / f".{DATABASE}.restoring"
    aside = folder / f"{DATABASE}.replaced-{stamp()}"
    with translated(folder):
        partial.unlink(missing_ok=True)
        create_private(partial)
        reader = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        writer = sqlite3.connect(partial)
        try:
            reader.backup(writer)
            migrate(writer)
            writer.execute("PRAGMA journal_mode=DELETE")
            conversations = int(
                writer.execute("SELECT COUNT(*) FROM conversations WHERE deleted = 0").fetchone()[0]
            )
            digests = _digests(writer)
        finally:
            writer.close()
            reader.close()
        images, missing = _copy_blobs(Blobs(backup.parent / "blobs"), blobs, digests)
        database.swap(partial, aside)
    return RestoreReport(backup, conversations, images, aside, missing)


def check_backup(backup: Path) -> str:
    """Why `backup` cannot be restored, or "" when it can (sqlite's integrity_check passes and
    it is a VisionDesk history this version can open)."""
    if not backup.is_file():
        return "it is not a file"
    try:
        reader = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            lines = [str(r[0]) for r in reader.execute("PRAGMA integrity_check")]
            version = int(reader.execute("PRAGMA user_version").fetchone()[0])
            tables = {str(r[0]) for r in reader.execute("SELECT name FROM sqlite_master")}
        finally:
            reader.close()
    except sqlite3.DatabaseError as error:
        return f"it is damaged or not a history ({error})"
    if lines != ["ok"]:
        return f"it is damaged ({lines[0]})"
    if "conversations" not in tables or not 0 < version <= len(MIGRATIONS):
        return "it is not a VisionDesk history"
    return ""


def _digests(db: sqlite3.Connection) -> set[str]:
    digests: set[str] = set()
    for (prepared,) in db.execute("SELECT prepared_json FROM attachments"):
        with contextlib.suppress(ValueError, TypeError, AttributeError, KeyError):
            record = json.loads(prepared)
            digests.update(str(record[k]) for k in ("data", "thumbnail") if record.get(k))
    return digests


def _copy_blobs(source: Blobs, target: Blobs, digests: set[str]) -> tuple[int, list[str]]:
    """The backup's images the history does not have (content-addressed: same name, same
    bytes)."""
    copied, missing = 0, []
    for digest in sorted(digests):
        origin, destination = source.path(digest), target.path(digest)
        if destination.exists():
            continue
        if not origin.is_file():
            missing.append(str(origin))
            continue
        private_folder(destination.parent)
        shutil.copyfile(origin, destination)
        destination.chmod(0o600)
        copied += 1
    return copied, missing
