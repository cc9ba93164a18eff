"""Conversations: their titles and settings, and the API state a re-opened one continues from
(previous response, thread, assistant)."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from visiondesk.domain import ConversationState
from visiondesk.store.database import Database
from visiondesk.store.rows import record
from visiondesk.store.upload_ledger import FORGET_CONVERSATION


@dataclass(frozen=True, slots=True)
class StoredConversation:
    id: int
    title: str
    profile: str
    mode: str
    model: str
    detail: str
    updated_at: float
    instructions: str | None = None
    """Its own instructions (system prompt); None where none were saved (the default applies)."""
    compare_of: int | None = None
    """A compare's column: the id of the compare's first column (None: not a compare)."""
    compare_column: int | None = None
    compare_blind: int = 0
    """A compare judged blind (its first column's row says so)."""


class Conversations:
    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, title: str, profile: str, mode: str, model: str, detail: str) -> int:
        now = time.time()
        cursor = self._db.write(
            "INSERT INTO conversations (title, profile, mode, model, detail, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (title, profile, mode, model, detail, now, now),
        )
        return int(cursor.lastrowid or 0)

    def find(self, search: str = "") -> list[StoredConversation]:
        """Newest first; `search` matches any text of a conversation literally (even % and _)."""
        # A compare is listed once, as its first column; a search finds it by any column.
        sql = (
            "SELECT * FROM conversations WHERE deleted = 0 "
            "AND (compare_of IS NULL OR compare_of = id)"
        )
        args: tuple[Any, ...] = ()
        if search.strip():
            like = f"%{_escape_like(search.strip())}%"
            # EXISTS stops at a conversation's first matching message (through the index).
            sql += (
                " AND (title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
                "WHERE m.conversation_id = conversations.id AND m.deleted = 0 "
                "AND m.text LIKE ? ESCAPE '\\') OR (compare_of = id AND EXISTS (SELECT 1 "
                "FROM conversations c JOIN messages m ON m.conversation_id = c.id "
                "WHERE c.compare_of = conversations.id AND c.id != conversations.id "
                "AND m.deleted = 0 AND m.text LIKE ? ESCAPE '\\')))"
            )
            args = (like, like, like)
        rows = self._db.read(sql + " ORDER BY updated_at DESC, id DESC", args)
        return [_conversation(r) for r in rows]

    def get(self, conversation_id: int) -> StoredConversation | None:
        rows = self._db.read(
            "SELECT * FROM conversations WHERE id = ? AND deleted = 0", (conversation_id,)
        )
        return _conversation(rows[0]) if rows else None

    def first_images(self) -> dict[int, str]:
        """Each conversation's first image as it reads now (versions shown, deleted
        exchanges left out), as the digest of its thumbnail's blob (of the image itself where
        it has none): one query, each conversation's messages read in order through the
        indexes until one has an image."""
        rows = self._db.read(
            "SELECT m.conversation_id, a.prepared_json FROM attachments a "
            "JOIN messages m ON m.id = a.message_id WHERE a.id IN (SELECT (SELECT a2.id "
            "FROM messages m2 JOIN attachments a2 ON a2.message_id = m2.id "
            "WHERE m2.conversation_id = c.id AND m2.deleted = 0 AND m2.shown = 1 "
            "ORDER BY m2.id, a2.position LIMIT 1) "
            "FROM conversations c WHERE c.deleted = 0)"
        )
        found: dict[int, str] = {}
        for row in rows:
            try:
                stored = json.loads(row["prepared_json"])
                digest = str(stored.get("thumbnail") or stored.get("data") or "")
            except (ValueError, TypeError, AttributeError):
                continue  # a damaged record: that row goes without a picture
            if digest:
                found[int(row["conversation_id"])] = digest
        return found

    def set_compare(self, conversation_id: int, first: int, column: int) -> None:
        """The conversation is column `column` of the compare whose first column is `first`."""
        self._db.write(
            "UPDATE conversations SET compare_of = ?, compare_column = ? WHERE id = ?",
            (first, column, conversation_id),
        )

    def leave_compare(self, conversation_id: int) -> None:
        """The conversation stands alone again; if it was the compare's first column, the next
        column names the compare from now on."""
        with self._db.transaction() as db:
            row = db.execute(
                "SELECT compare_of FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None or row[0] is None:
                return
            db.execute(
                "UPDATE conversations SET compare_of = NULL, compare_column = NULL WHERE id = ?",
                (conversation_id,),
            )
            if int(row[0]) == conversation_id:
                following = db.execute(
                    "SELECT id FROM conversations WHERE compare_of = ? "
                    "ORDER BY compare_column, id LIMIT 1",
                    (conversation_id,),
                ).fetchone()
                if following is not None:
                    db.execute(
                        "UPDATE conversations SET compare_of = ? WHERE compare_of = ?",
                        (int(following[0]), conversation_id),
                    )

    def set_blind(self, first: int) -> None:
        self._db.write("UPDATE conversations SET compare_blind = 1 WHERE id = ?", (first,))

    def compare_columns(self, first: int) -> list[StoredConversation]:
        """The columns of the compare whose first column is `first`, in order."""
        rows = self._db.read(
            "SELECT * FROM conversations WHERE compare_of = ? AND deleted = 0 "
            "ORDER BY compare_column, id",
            (first,),
        )
        return [_conversation(r) for r in rows]

    def add_pick(self, first: int | None, winner: str, loser: str) -> None:
        self._db.write(
            "INSERT INTO compare_picks (compare_of, winner, loser, created_at) VALUES (?, ?, ?, ?)",
            (first, winner, loser, time.time()),
        )

    def tally(self, one: str, other: str) -> tuple[int, int]:
        """How often `one` was picked over `other`, and `other` over `one`."""
        rows = self._db.read(
            "SELECT winner, COUNT(*) AS n FROM compare_picks WHERE (winner = ? AND loser = ?) "
            "OR (winner = ? AND loser = ?) GROUP BY winner",
            (one, other, other, one),
        )
        wins = {str(row["winner"]): int(row["n"]) for row in rows}
        return wins.get(one, 0), wins.get(other, 0)

    def rename(self, conversation_id: int, title: str) -> None:
        self._db.write("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def update_settings(
        self, conversation_id: int, profile: str, mode: str, model: str, detail: str
    ) -> None:
        self._db.write(
            "UPDATE conversations SET profile = ?, mode = ?, model = ?, detail = ? WHERE id = ?",
            (profile, mode, model, detail, conversation_id),
        )

    def set_instructions(self, conversation_id: int, instructions: str) -> None:
        self._db.write(
            "UPDATE conversations SET instructions = ? WHERE id = ?",
            (instructions, conversation_id),
        )

    def delete(self, conversation_id: int) -> None:
        """Remove a conversation (its messages and state go with it); its uploads stay in the
        ledger until they are deleted."""
        with self._db.transaction() as db:
            columns = [  # a compare goes whole: every column with its first
                int(row[0])
                for row in db.execute(
                    "SELECT id FROM conversations WHERE compare_of = ? AND id != ?",
                    (conversation_id, conversation_id),
                )
            ]
            for gone in (conversation_id, *columns):
                db.execute("DELETE FROM conversations WHERE id = ?", (gone,))
                db.execute(FORGET_CONVERSATION, (gone,))

    # API state --------------------------------------------------------------------------

    def save_state(self, conversation_id: int, state: ConversationState) -> None:
        self._db.write(
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
        rows = self._db.read(
            "SELECT * FROM api_state WHERE conversation_id = ?", (conversation_id,)
        )
        if not rows:
            return ConversationState()
        row = rows[0]
        return ConversationState(
            row["response_id"],
            row["thread_id"],
            row["assistant_id"],
            bool(row["responses_stateless"]),
        )


def _conversation(row: sqlite3.Row) -> StoredConversation:
    return record(StoredConversation, row)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
