"""The messages of a conversation: each question with its images, each answer as it streams.

A question is committed before its request leaves; an answer is checkpointed as it streams,
and a checkpoint the disk refuses is kept in memory (the newest text). Reads return what can be
read: a damaged row or a missing image file becomes a named placeholder, never an exception
for the whole conversation; the text never depends on the images."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from visiondesk.domain import Exchange, PreparedImage, Question
from visiondesk.store.attachments import Attachments, MissingImage
from visiondesk.store.database import Database
from visiondesk.store.faults import reraise_misuse


@dataclass(slots=True)
class StoredMessage:
    id: int
    role: str
    text: str
    status: str
    error: str
    images: list[PreparedImage] = field(default_factory=list)
    missing: list[MissingImage] = field(default_factory=list)
    """Placeholders for the images that could not be read, each naming the problem."""
    damaged: str = ""
    """Why (part of) the message itself could not be read; empty when it was read whole."""
    place: int | None = None
    """The question id of the first version of its exchange (None: the only version)."""
    shown: bool = True
    """Its version is the one shown (and continued from); exports carry only these."""

    @property
    def intact(self) -> bool:
        return not self.missing and not self.damaged


class Messages:
    def __init__(self, database: Database, attachments: Attachments) -> None:
        self._db = database
        self._attachments = attachments

    # writes -------------------------------------------------------------------------------

    def add_user_message(self, conversation_id: int, turn: Question) -> int:
        """The question and its images, committed before the request leaves."""
        now = time.time()
        with self._db.transaction() as db:
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, text, status, created_at, "
                "updated_at) VALUES (?, 'user', ?, 'complete', ?, ?)",
                (conversation_id, turn.prompt, now, now),
            )
            message_id = int(cursor.lastrowid or 0)
            self._attachments.insert(db, message_id, list(turn.images), 0)
            db.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
        return message_id

    def add_images(self, message_id: int, images: list[PreparedImage]) -> None:
        """Images that joined a stored question later (prepared after Send)."""
        with self._db.transaction() as db:
            row = db.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM attachments WHERE message_id = ?",
                (message_id,),
            ).fetchone()
            self._attachments.insert(db, message_id, images, int(row[0]))

    def add_answer(self, conversation_id: int) -> int:
        now = time.time()
        cursor = self._db.write(
            "INSERT INTO messages (conversation_id, role, text, status, created_at, updated_at) "
            "VALUES (?, 'assistant', '', 'pending', ?, ?)",
            (conversation_id, now, now),
        )
        return int(cursor.lastrowid or 0)

    def checkpoint(
        self, message_id: int, text: str, status: str = "streaming", error: str = ""
    ) -> None:
        """Save an answer's text and status. If the disk refuses, the newest text is kept in
        memory (saved by the next write that works, or `flush`) and StorageError is raised."""
        self._db.keep(
            ("answer", message_id),
            "UPDATE messages SET text = ?, status = ?, error = ?, updated_at = ? WHERE id = ?",
            (text, status, error, time.time(), message_id),
        )

    def delete_message(self, message_id: int) -> None:
        self._db.discard(("answer", message_id))
        self._db.write("DELETE FROM messages WHERE id = ?", (message_id,))

    def save_versions(self, place: int, message_ids: Sequence[int], shown: Sequence[int]) -> None:
        """The messages `message_ids` are the versions of one exchange (`place`: its first
        question's id); `shown` (a question and its answer) is the one the conversation shows."""
        ids = list(message_ids)
        marks = ", ".join("?" * len(ids))
        with self._db.transaction() as db:
            db.execute(f"UPDATE messages SET place = ? WHERE id IN ({marks})", (place, *ids))
            db.execute(
                f"UPDATE messages SET shown = id IN ({', '.join('?' * len(shown))}) "
                "WHERE place = ?",
                (*shown, place),
            )

    def set_deleted(self, message_ids: Sequence[int], deleted: bool = True) -> None:
        """Deleted in the window (hidden from every read and search) while Undo is offered;
        `deleted=False` is the Undo. `purge_deleted` removes them for good."""
        ids = list(message_ids)
        self._db.write(
            f"UPDATE messages SET deleted = ? WHERE id IN ({', '.join('?' * len(ids))})",
            (int(deleted), *ids),
        )

    def purge_deleted(self, message_ids: Sequence[int] | None = None) -> int:
        """Messages deleted in the window whose Undo is gone (dismissed, the conversation left,
        a restart): these, or all."""
        if message_ids is None:
            return self._db.write("DELETE FROM messages WHERE deleted = 1").rowcount
        ids = list(message_ids)
        marks = ", ".join("?" * len(ids))
        return self._db.write(
            f"DELETE FROM messages WHERE deleted = 1 AND id IN ({marks})", tuple(ids)
        ).rowcount

    def mark_interrupted(self) -> int:
        """Answers that were streaming when the app died are kept, marked interrupted."""
        cursor = self._db.write(
            "UPDATE messages SET status = 'interrupted', updated_at = ? "
            "WHERE status IN ('pending', 'streaming')",
            (time.time(),),
        )
        return cursor.rowcount

    # reads --------------------------------------------------------------------------------

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """What can be read, from any thread: the rows of one committed moment, then the image
        files, read with no lock held (a write never waits for them)."""
        with self._db.snapshot() as db:
            messages = _message_rows(db, conversation_id)
            rows = self._attachments.rows(db, conversation_id, [m.id for m in messages if m.id > 0])
        for message in messages:
            for row in rows.get(message.id, []):
                item = self._attachments.load(row)
                if isinstance(item, MissingImage):
                    message.missing.append(item)
                else:
                    message.images.append(item)
        return messages

    def exchanges(self, conversation_id: int, model: str) -> list[Exchange]:
        """Finished question-answer pairs: the history a re-opened conversation continues."""
        result: list[Exchange] = []
        pending_user: StoredMessage | None = None
        for message in self.messages(conversation_id):
            if not message.shown:
                continue
            if message.role == "user":
                pending_user = message
            elif pending_user is not None and message.status == "complete":
                turn = Question(pending_user.text, tuple(pending_user.images), model)
                result.append(Exchange(turn, message.text))
                pending_user = None
        return result


def _message_rows(db: sqlite3.Connection, conversation_id: int) -> list[StoredMessage]:
    try:
        rows = db.execute(
            "SELECT * FROM messages WHERE conversation_id = ? AND deleted = 0 ORDER BY id",
            (conversation_id,),
        ).fetchall()
        return [_message(row) for row in rows]
    except sqlite3.DatabaseError as error:
        reraise_misuse(error)
    # Damaged: find the conversation's rows through the index, then read them one by one.
    try:
        ids = [
            int(r[0])
            for r in db.execute(
                "SELECT id FROM messages INDEXED BY messages_by_conversation "
                "WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            )
        ]
    except sqlite3.DatabaseError as error:
        reraise_misuse(error)
        problem = f"the messages of this conversation could not be read ({error})"
        return [StoredMessage(0, "assistant", "", "failed", problem, damaged=problem)]
    salvaged = [_salvage_message(db, message_id) for message_id in ids]
    return [message for message in salvaged if message is not None]


def _salvage_message(db: sqlite3.Connection, message_id: int) -> StoredMessage | None:
    try:
        row = db.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        return None if row["deleted"] else _message(row)
    except sqlite3.DatabaseError as error:
        reraise_misuse(error)
        first = error
    try:  # text that is no longer valid UTF-8: keep what decodes
        row = db.execute(
            "SELECT id, role, status, CAST(text AS BLOB) AS text, CAST(error AS BLOB) AS error "
            "FROM messages WHERE id = ?",
            (message_id,),
        ).fetchone()
        message = StoredMessage(
            row["id"],
            row["role"],
            bytes(row["text"] or b"").decode("utf-8", "replace"),
            row["status"],
            bytes(row["error"] or b"").decode("utf-8", "replace"),
        )
        message.damaged = f"part of this message could not be read ({first})"
        return message
    except sqlite3.DatabaseError as error:
        reraise_misuse(error)
        problem = f"this message could not be read ({error})"
        return StoredMessage(message_id, "assistant", "", "failed", problem, damaged=problem)


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        row["id"],
        row["role"],
        row["text"],
        row["status"],
        row["error"],
        place=row["place"],
        shown=bool(row["shown"]),
    )
