"""Conversations, messages and their images, the API state they continue from, and the ledger
of files uploaded on the person's behalf. sqlite3 in WAL mode: a crash loses at most the
streamed text since the last checkpoint (≤ 1 s)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from visiondesk.domain import ConversationState, Detail, Exchange, PreparedImage, Turn
from visiondesk.store.blobs import Blobs
from visiondesk.store.schema import migrate


@dataclass(frozen=True, slots=True)
class StoredConversation:
    id: int
    title: str
    profile: str
    mode: str
    model: str
    detail: str
    updated_at: float


@dataclass(slots=True)
class StoredMessage:
    id: int
    role: str
    text: str
    status: str
    error: str
    images: list[PreparedImage] = field(default_factory=list)


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


class HistoryUnavailable(Exception):
    """The history folder or its database cannot be opened (the message says why)."""


class History:
    @classmethod
    def open(cls, folder: Path) -> History:
        """The history in `folder`; raises HistoryUnavailable with the reason if it can't be."""
        try:
            return cls(folder)
        except (OSError, sqlite3.Error) as error:
            raise HistoryUnavailable(str(error)) from error

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.blobs = Blobs(folder / "blobs")
        self._lock = threading.RLock()
        self._db = sqlite3.connect(folder / "history.sqlite3", check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self.version = migrate(self._db)
        self.recovered = self._mark_interrupted()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock, self._db:
            return self._db.execute(sql, args)

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _mark_interrupted(self) -> int:
        """Answers that were streaming when the app died are kept, marked interrupted."""
        cursor = self._write(
            "UPDATE messages SET status = 'interrupted', updated_at = ? "
            "WHERE status IN ('pending', 'streaming')",
            (time.time(),),
        )
        return cursor.rowcount

    # conversations ------------------------------------------------------------------------

    def create_conversation(
        self, title: str, profile: str, mode: str, model: str, detail: str
    ) -> int:
        now = time.time()
        cursor = self._write(
            "INSERT INTO conversations (title, profile, mode, model, detail, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (title, profile, mode, model, detail, now, now),
        )
        return int(cursor.lastrowid or 0)

    def conversations(self, search: str = "") -> list[StoredConversation]:
        sql = "SELECT * FROM conversations WHERE deleted = 0"
        args: tuple[Any, ...] = ()
        if search.strip():
            like = f"%{search.strip()}%"
            sql += (
                " AND (title LIKE ? OR id IN (SELECT conversation_id FROM messages "
                "WHERE text LIKE ?))"
            )
            args = (like, like)
        rows = self._read(sql + " ORDER BY updated_at DESC, id DESC", args)
        return [_conversation(r) for r in rows]

    def conversation(self, conversation_id: int) -> StoredConversation | None:
        rows = self._read(
            "SELECT * FROM conversations WHERE id = ? AND deleted = 0", (conversation_id,)
        )
        return _conversation(rows[0]) if rows else None

    def rename(self, conversation_id: int, title: str) -> None:
        self._write("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def update_settings(
        self, conversation_id: int, profile: str, mode: str, model: str, detail: str
    ) -> None:
        self._write(
            "UPDATE conversations SET profile = ?, mode = ?, model = ?, detail = ? WHERE id = ?",
            (profile, mode, model, detail, conversation_id),
        )

    def delete(self, conversation_id: int) -> None:
        """Remove a conversation; its uploads stay in the ledger until they are deleted."""
        self._write("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        self._write(
            "UPDATE uploads SET conversation_id = NULL WHERE conversation_id = ?",
            (conversation_id,),
        )

    # messages -----------------------------------------------------------------------------

    def add_user_message(self, conversation_id: int, turn: Turn) -> int:
        """The question and its images, committed before the request leaves."""
        now = time.time()
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO messages (conversation_id, role, text, status, created_at, "
                "updated_at) VALUES (?, 'user', ?, 'complete', ?, ?)",
                (conversation_id, turn.prompt, now, now),
            )
            message_id = int(cursor.lastrowid or 0)
            self._insert_images(message_id, list(turn.images), 0)
            self._db.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
        return message_id

    def add_images(self, message_id: int, images: list[PreparedImage]) -> None:
        """Images that joined a stored question later (prepared after Send)."""
        with self._lock, self._db:
            row = self._db.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM attachments WHERE message_id = ?",
                (message_id,),
            ).fetchone()
            self._insert_images(message_id, images, int(row[0]))

    def _insert_images(self, message_id: int, images: list[PreparedImage], start: int) -> None:
        for position, image in enumerate(images, start):
            self._db.execute(
                "INSERT INTO attachments (message_id, position, sha256, source, "
                "original_name, prepared_json) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    message_id,
                    position,
                    image.sha256,
                    image.label,
                    Path(image.label).name,
                    json.dumps(self._image_json(image)),
                ),
            )

    def add_answer(self, conversation_id: int) -> int:
        now = time.time()
        cursor = self._write(
            "INSERT INTO messages (conversation_id, role, text, status, created_at, updated_at) "
            "VALUES (?, 'assistant', '', 'pending', ?, ?)",
            (conversation_id, now, now),
        )
        return int(cursor.lastrowid or 0)

    def checkpoint(
        self, message_id: int, text: str, status: str = "streaming", error: str = ""
    ) -> None:
        self._write(
            "UPDATE messages SET text = ?, status = ?, error = ?, updated_at = ? WHERE id = ?",
            (text, status, error, time.time(), message_id),
        )

    def delete_message(self, message_id: int) -> None:
        self._write("DELETE FROM messages WHERE id = ?", (message_id,))

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        rows = self._read(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        images: dict[int, list[PreparedImage]] = {}
        for attachment in self._read(  # one query for the whole conversation, not one a message
            "SELECT a.message_id, a.prepared_json FROM attachments a JOIN messages m "
            "ON m.id = a.message_id WHERE m.conversation_id = ? ORDER BY a.message_id, a.position",
            (conversation_id,),
        ):
            images.setdefault(attachment["message_id"], []).append(
                self._image_from(json.loads(attachment["prepared_json"]))
            )
        return [
            StoredMessage(
                row["id"],
                row["role"],
                row["text"],
                row["status"],
                row["error"],
                images.get(row["id"], []),
            )
            for row in rows
        ]

    def exchanges(self, conversation_id: int, model: str) -> list[Exchange]:
        """Finished question-answer pairs: the history a re-opened conversation continues."""
        result: list[Exchange] = []
        pending_user: StoredMessage | None = None
        for message in self.messages(conversation_id):
            if message.role == "user":
                pending_user = message
            elif pending_user is not None and message.status == "complete":
                turn = Turn(pending_user.text, tuple(pending_user.images), model)
                result.append(Exchange(turn, message.text))
                pending_user = None
        return result

    # API state ----------------------------------------------------------------------------

    def save_state(self, conversation_id: int, state: ConversationState) -> None:
        self._write(
            "INSERT INTO api_state (conversation_id, assistant_id, thread_id, response_id, "
            "responses_stateless) VALUES (?, ?, ?, ?, ?) ON CONFLICT(conversation_id) DO UPDATE "
            "SET assistant_id = excluded.assistant_id, thread_id = excluded.thread_id, "
            "response_id = excluded.response_id, "
            "responses_stateless = excluded.responses_stateless",
            (
                conversation_id,
                state.assistant_id,
                state.thread_id,
                state.response_id,
                int(state.responses_stateless),
            ),
        )

    def state(self, conversation_id: int) -> ConversationState:
        rows = self._read("SELECT * FROM api_state WHERE conversation_id = ?", (conversation_id,))
        if not rows:
            return ConversationState()
        row = rows[0]
        return ConversationState(
            row["response_id"],
            row["thread_id"],
            row["assistant_id"],
            bool(row["responses_stateless"]),
        )

    # uploaded files -------------------------------------------------------------------------

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
        self._write(
            "INSERT OR IGNORE INTO uploads (profile, file_id, upload_key, bytes, filename, "
            "conversation_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (profile, file_id, upload_key, size, filename, conversation_id, created_at),
        )

    def attach_uploads(self, conversation_id: int, upload_keys: list[str]) -> None:
        """Tie uploads made before the conversation existed (on attach) to it."""
        for key in upload_keys:
            self._write(
                "UPDATE uploads SET conversation_id = ? WHERE upload_key = ? AND "
                "conversation_id IS NULL AND deleted_at IS NULL",
                (conversation_id, key),
            )

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
        return [_upload(r) for r in self._read(sql + " ORDER BY created_at", args)]

    def known_upload(self, profile: str, upload_key: str) -> str | None:
        """The newest file still on the server with exactly these bytes, for reuse."""
        rows = self._read(
            "SELECT file_id FROM uploads WHERE profile = ? AND upload_key = ? "
            "AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 1",
            (profile, upload_key),
        )
        return str(rows[0]["file_id"]) if rows else None

    def unreferenced_uploads(self, profile: str) -> list[UploadRecord]:
        """Uploads no conversation refers to any more, not even through the same bytes attached
        elsewhere (an upload is reused by content): swept on start-up and after a delete."""
        rows = self._read(
            "SELECT * FROM uploads u WHERE u.profile = ? AND u.deleted_at IS NULL "
            "AND u.conversation_id IS NULL AND NOT EXISTS (SELECT 1 FROM attachments a "
            "WHERE json_extract(a.prepared_json, '$.data') = u.upload_key) ORDER BY u.created_at",
            (profile,),
        )
        return [_upload(r) for r in rows]

    def mark_deleted(self, profile: str, file_id: str) -> None:
        self._write(
            "UPDATE uploads SET deleted_at = ? WHERE profile = ? AND file_id = ?",
            (time.time(), profile, file_id),
        )

    # images -------------------------------------------------------------------------------

    def _image_json(self, image: PreparedImage) -> dict[str, Any]:
        record = asdict(image)
        del record["_data_url"]  # a cache of `data`, rebuilt on use
        record["data"] = self.blobs.put(image.data) if image.data else ""
        record["thumbnail"] = self.blobs.put(image.thumbnail) if image.thumbnail else ""
        record["detail"] = image.detail.value
        record["notes"] = list(image.notes)
        return record

    def _image_from(self, record: dict[str, Any]) -> PreparedImage:
        values = dict(record)
        if "source" in values:  # written before the field was called label
            values["label"] = values.pop("source")
        values["data"] = self.blobs.get(record["data"]) if record["data"] else b""
        values["thumbnail"] = self.blobs.get(record["thumbnail"]) if record["thumbnail"] else b""
        values["detail"] = Detail(record["detail"])
        values["notes"] = tuple(record["notes"])
        return PreparedImage(**values)


def _upload(row: sqlite3.Row) -> UploadRecord:
    return UploadRecord(
        row["profile"],
        row["file_id"],
        row["upload_key"],
        row["bytes"],
        row["filename"],
        row["conversation_id"],
        row["created_at"],
        row["deleted_at"],
    )


def _conversation(row: sqlite3.Row) -> StoredConversation:
    return StoredConversation(
        row["id"],
        row["title"],
        row["profile"],
        row["mode"],
        row["model"],
        row["detail"],
        row["updated_at"],
    )
