"""The ledger of files uploaded to a server on the person's behalf: what to reuse (the same
bytes are uploaded once per profile) and what to clean up. The history and the batch store
both write it, through this one class, so a refused write behaves the same from either side:
it is kept in memory, replayed first by the next write that works, and the caller gets the
StorageError. A file on the server that the ledger forgot would never be cleaned up."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from visiondesk.store.database import Database, Write
from visiondesk.store.rows import record

RECORD_UPLOAD = (
    "INSERT OR IGNORE INTO uploads (profile, file_id, upload_key, bytes, filename, "
    "conversation_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
MARK_DELETED = "UPDATE uploads SET deleted_at = ? WHERE profile = ? AND file_id = ?"
ATTACH = (
    "UPDATE uploads SET conversation_id = ? WHERE upload_key = ? AND conversation_id IS NULL "
    "AND deleted_at IS NULL"
)
FORGET_CONVERSATION = "UPDATE uploads SET conversation_id = NULL WHERE conversation_id = ?"
"""A deleted conversation's uploads stay in the ledger until they are deleted."""
RENAME_PROFILE = "UPDATE OR IGNORE uploads SET profile = ? WHERE profile = ?"
"""OR IGNORE: an upload the new name already lists stays where it is."""


@dataclass(frozen=True, slots=True)
class UploadRecord:
    profile: str
    file_id: str
    upload_key: str
    bytes: int
    filename: str
    conversation_id: int | None
    created_at: float
    deleted_at: float | None


class UploadLedger:
    def __init__(self, database: Database) -> None:
        self._db = database

    # writes: each kept in memory when the disk refuses it --------------------------------

    def record_upload(
        self,
        profile: str,
        file_id: str,
        upload_key: str,
        size: int,
        filename: str,
        conversation_id: int | None,
        created_at: float,
    ) -> None:
        self._db.keep(
            ("upload", profile, file_id),
            RECORD_UPLOAD,
            (profile, file_id, upload_key, size, filename, conversation_id, created_at),
        )

    def mark_deleted(self, profile: str, file_id: str) -> None:
        self._db.keep(("deleted", profile, file_id), MARK_DELETED, (time.time(), profile, file_id))

    def attach_uploads(self, conversation_id: int, upload_keys: list[str]) -> None:
        """Tie uploads made before the conversation existed (on attach) to it."""
        writes: list[Write] = [
            (("attach", conversation_id, key), ATTACH, (conversation_id, key))
            for key in upload_keys
        ]
        self._db.keep_all(writes)

    # reads --------------------------------------------------------------------------------

    def uploads(
        self, profile: str | None = None, include_deleted: bool = False
    ) -> list[UploadRecord]:
        sql = "SELECT * FROM uploads WHERE 1 = 1"
        args: tuple[Any, ...] = ()
        if profile is not None:
            sql += " AND profile = ?"
            args = (profile,)
        if not include_deleted:
            sql += " AND deleted_at IS NULL"
        return [_upload(r) for r in self._db.read(sql + " ORDER BY created_at", args)]

    def known_upload(self, profile: str, upload_key: str) -> str | None:
        """The newest file still on the server with exactly these bytes, for reuse."""
        rows = self._db.read(
            "SELECT file_id FROM uploads WHERE profile = ? AND upload_key = ? "
            "AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 1",
            (profile, upload_key),
        )
        return str(rows[0]["file_id"]) if rows else None

    def unreferenced_uploads(self, profile: str) -> list[UploadRecord]:
        """Uploads no conversation refers to any more, not even through the same bytes attached
        elsewhere (an upload is reused by content): swept on start-up and after a delete."""
        rows = self._db.read(
            "SELECT * FROM uploads u WHERE u.profile = ? AND u.deleted_at IS NULL "
            "AND u.conversation_id IS NULL AND NOT EXISTS (SELECT 1 FROM attachments a "
            "WHERE json_extract(a.prepared_json, '$.data') = u.upload_key) ORDER BY u.created_at",
            (profile,),
        )
        return [_upload(r) for r in rows]


class KeepsLedger:
    """The ledger's writes on a store that holds one (History, BatchStore), so either can be
    handed to code that records uploads (batch/provider.py's `Ledger`)."""

    ledger: UploadLedger

    def record_upload(
        self,
        profile: str,
        file_id: str,
        upload_key: str,
        size: int,
        filename: str,
        conversation_id: int | None,
        created_at: float,
    ) -> None:
        self.ledger.record_upload(
            profile, file_id, upload_key, size, filename, conversation_id, created_at
        )

    def mark_deleted(self, profile: str, file_id: str) -> None:
        self.ledger.mark_deleted(profile, file_id)


def _upload(row: sqlite3.Row) -> UploadRecord:
    return record(UploadRecord, row)
