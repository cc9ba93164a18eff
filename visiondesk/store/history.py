"""Conversations, messages and their images, the API state they continue from, and the ledger
of files uploaded on the person's behalf. sqlite3 in WAL mode: a crash loses at most the
streamed text since the last checkpoint (≤ 1 s).

Every failure of the disk reaches callers as one StorageError (full, read-only, I/O, damaged);
a write that fails while an answer streams is kept in memory and saved with the next write that
works. Reads return what can be read: a damaged row or a missing image file becomes a named
placeholder, never an exception for the whole conversation."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from visiondesk.config.paths import create_private, private_folder, tighten
from visiondesk.domain import ConversationState, Detail, Exchange, PreparedImage, Turn
from visiondesk.errors import StorageError, StorageFault
from visiondesk.store.backup import DATABASE, BackupReport, backup
from visiondesk.store.blobs import Blobs, BlobUnreadable
from visiondesk.store.check import check_history
from visiondesk.store.faults import translate
from visiondesk.store.rows import MARK_DELETED, RECORD_UPLOAD, record
from visiondesk.store.schema import migrate

log = logging.getLogger(__name__)

TEMPORARY_PREFIX = "visiondesk-history-"


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


@dataclass(frozen=True, slots=True)
class MissingImage:
    """An image of a stored message that cannot be shown: its record or its file is damaged or
    gone. `position` is its place among the message's images (-1 when unknown)."""

    position: int
    label: str
    problem: str


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

    @property
    def intact(self) -> bool:
        return not self.missing and not self.damaged


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


class History:
    def __init__(self, folder: Path, *, temporary: bool = False) -> None:
        """Open (or create) the history in `folder`, made private (0700, files 0600). A failure
        raises StorageError; `temporary` removes the folder on close (and at exit)."""
        self.folder = folder
        self.path = folder / DATABASE
        self.is_temporary = temporary
        self.blobs = Blobs(folder / "blobs")
        self._lock = threading.RLock()
        self._closed = False
        self._unsaved: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True) if temporary else None
        with self._translated():
            private_folder(folder)
            tighten(folder)  # an install from before files were private
            if not self.path.exists():
                create_private(self.path)  # sqlite gives -wal and -shm this file's mode
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            try:
                self._db.row_factory = sqlite3.Row
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute("PRAGMA foreign_keys=ON")
                self.version = migrate(self._db)
                self.recovered = self._mark_interrupted()
            except StorageError as error:
                if error.fault is not StorageFault.DAMAGED:
                    self._db.close()
                    raise
                # A damaged page of messages: open anyway, so what can be read can be.
                log.warning("interrupted answers not marked: %s", error)
                self.recovered = 0
            except BaseException:
                self._db.close()
                raise
        # A process that exits without close() (sys.exit, an exception) still folds its WAL in.
        self._at_exit = weakref.finalize(self, _checkpoint_and_close, self._db)

    @classmethod
    def temporary(cls, prefix: str = TEMPORARY_PREFIX) -> History:
        """A history in a new private temporary folder, removed on close (and at exit): for
        --self-test, screenshots, and when the data folder cannot be used. Its name carries
        this process's id, so `remove_stale_temporaries` can clear one a crash left behind."""
        folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
        try:
            return cls(folder, temporary=True)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    @staticmethod
    def remove_stale_temporaries(prefix: str = TEMPORARY_PREFIX) -> list[Path]:
        """Remove the temporary histories of processes that are gone (killed before they could
        clean up); call at start-up. Returns what was removed. POSIX only: on Windows,
        os.kill would end the process it asks about."""
        removed: list[Path] = []
        if os.name != "posix":
            return removed
        for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
            owner = folder.name[len(prefix) :].split("-", 1)[0]
            if not owner.isdigit() or _alive(int(owner)) or not folder.is_dir():
                continue
            if folder.stat().st_uid != os.getuid():
                continue  # another person's: not ours to remove
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        return removed

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Save what is kept in memory, fold the WAL into history.sqlite3 (so that file alone is
        the whole history, e.g. for a backup) and close. Raises StorageError, once closed, if
        the disk refused; a temporary history is removed either way."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            problem: StorageError | None = None
            try:
                with self._translated():
                    if self._unsaved:
                        with self._db:
                            self._replay_unsaved()
                        self._unsaved.clear()
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except StorageError as error:
                problem = error
            finally:
                self._at_exit.detach()
                self._db.close()
                if self._cleanup is not None:
                    self._cleanup()
            if problem is not None:
                raise problem

    @property
    def closed(self) -> bool:
        return self._closed

    # writing and reading, with the disk's failures translated ---------------------------------

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as error:
            converted = translate(error, self.folder)
            if converted is error:
                raise
            raise converted from error

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction that first replays the writes kept in memory: they are saved as soon
        as writing works again, and stay kept if it still does not."""
        with self._lock, self._translated():
            with self._db:
                self._replay_unsaved()
                yield self._db
            self._unsaved.clear()

    def _replay_unsaved(self) -> None:
        for sql, args in self._unsaved.values():
            self._db.execute(sql, args)

    def _keep(self, key: tuple[Any, ...], sql: str, args: tuple[Any, ...]) -> None:
        """Write now, or keep the write in memory (newest per key) and raise StorageError."""
        self._keep_all([(key, sql, args)])

    def _keep_all(self, writes: list[tuple[tuple[Any, ...], str, tuple[Any, ...]]]) -> None:
        """`_keep` for writes that belong together: all are kept, in order, or none is."""
        with self._lock:
            for key, sql, args in writes:
                self._unsaved.pop(key, None)
                self._unsaved[key] = (sql, args)
            try:
                with self._transaction():
                    pass
            except StorageError:
                raise
            except BaseException:
                for key, _, _ in writes:  # a bug, not the disk: never replay it
                    self._unsaved.pop(key, None)
                raise

    @property
    def unsaved(self) -> int:
        """Writes kept in memory because the disk refused them (saved by the next write)."""
        return len(self._unsaved)

    def flush(self) -> None:
        """Save the writes kept in memory now (e.g. on Retry); StorageError if still refused."""
        with self._transaction():
            pass

    def writing(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One transaction under the history's lock, for the store's other modules."""
        return self._transaction()

    def reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """The connection under the history's lock (failures translated), for reads."""
        return _under(self._lock, self._translated(), self._db)

    def _write(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._transaction() as db:
            return db.execute(sql, args)

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock, self._translated():
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
        """Newest first; `search` matches any text of a conversation literally (even % and _)."""
        sql = "SELECT * FROM conversations WHERE deleted = 0"
        args: tuple[Any, ...] = ()
        if search.strip():
            like = f"%{_escape_like(search.strip())}%"
            # EXISTS stops at a conversation's first matching message (through the index).
            sql += (
                " AND (title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m "
                "WHERE m.conversation_id = conversations.id AND m.text LIKE ? ESCAPE '\\'))"
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

    def rename_profile(self, before: str, after: str) -> None:
        """A profile was renamed in Settings: its conversations, uploads and batch jobs follow
        it (they are stored by profile name). If the disk refuses, the renames are kept and
        written with the next write that works, and StorageError is raised."""
        # OR IGNORE: an upload the new name already lists stays where it is.
        self._keep_all(
            [
                (
                    ("profile", table, before),
                    f"{verb} {table} SET profile = ? WHERE profile = ?",
                    (after, before),
                )
                for table, verb in (
                    ("conversations", "UPDATE"),
                    ("uploads", "UPDATE OR IGNORE"),
                    ("batch_jobs", "UPDATE"),
                )
            ]
        )

    def set_instructions(self, conversation_id: int, instructions: str) -> None:
        self._write(
            "UPDATE conversations SET instructions = ? WHERE id = ?",
            (instructions, conversation_id),
        )

    def delete(self, conversation_id: int) -> None:
        """Remove a conversation; its uploads stay in the ledger until they are deleted."""
        with self._transaction() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            db.execute(
                "UPDATE uploads SET conversation_id = NULL WHERE conversation_id = ?",
                (conversation_id,),
            )

    # messages -----------------------------------------------------------------------------

    def add_user_message(self, conversation_id: int, turn: Turn) -> int:
        """The question and its images, committed before the request leaves."""
        now = time.time()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO messages (conversation_id, role, text, status, created_at, "
                "updated_at) VALUES (?, 'user', ?, 'complete', ?, ?)",
                (conversation_id, turn.prompt, now, now),
            )
            message_id = int(cursor.lastrowid or 0)
            self._insert_images(db, message_id, list(turn.images), 0)
            db.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
        return message_id

    def add_images(self, message_id: int, images: list[PreparedImage]) -> None:
        """Images that joined a stored question later (prepared after Send)."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM attachments WHERE message_id = ?",
                (message_id,),
            ).fetchone()
            self._insert_images(db, message_id, images, int(row[0]))

    def _insert_images(
        self, db: sqlite3.Connection, message_id: int, images: list[PreparedImage], start: int
    ) -> None:
        for position, image in enumerate(images, start):
            db.execute(
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
        """Save an answer's text and status. If the disk refuses, the newest text is kept in
        memory (saved by the next write that works, or `flush`) and StorageError is raised."""
        self._keep(
            ("answer", message_id),
            "UPDATE messages SET text = ?, status = ?, error = ?, updated_at = ? WHERE id = ?",
            (text, status, error, time.time(), message_id),
        )

    def delete_message(self, message_id: int) -> None:
        with self._lock:
            self._unsaved.pop(("answer", message_id), None)
            self._write("DELETE FROM messages WHERE id = ?", (message_id,))

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """What can be read: a damaged row or image becomes a placeholder naming the problem;
        the text never depends on the images."""
        with self._lock, self._translated():
            messages = self._message_rows(conversation_id)
            images = self._attachments(conversation_id, [m.id for m in messages if m.id > 0])
        for message in messages:
            for item in images.get(message.id, []):
                if isinstance(item, MissingImage):
                    message.missing.append(item)
                else:
                    message.images.append(item)
        return messages

    def _message_rows(self, conversation_id: int) -> list[StoredMessage]:
        try:
            rows = self._db.execute(
                "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            ).fetchall()
            return [_message(row) for row in rows]
        except sqlite3.DatabaseError as error:
            _reraise_misuse(error)
        # Damaged: find the conversation's rows through the index, then read them one by one.
        messages: list[StoredMessage] = []
        try:
            ids = [
                int(r[0])
                for r in self._db.execute(
                    "SELECT id FROM messages INDEXED BY messages_by_conversation "
                    "WHERE conversation_id = ? ORDER BY id",
                    (conversation_id,),
                )
            ]
        except sqlite3.DatabaseError as error:
            _reraise_misuse(error)
            problem = f"the messages of this conversation could not be read ({error})"
            return [StoredMessage(0, "assistant", "", "failed", problem, damaged=problem)]
        for message_id in ids:
            messages.append(self._salvage_message(message_id))
        return messages

    def _salvage_message(self, message_id: int) -> StoredMessage:
        try:
            row = self._db.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
            return _message(row)
        except sqlite3.DatabaseError as error:
            _reraise_misuse(error)
            first = error
        try:  # text that is no longer valid UTF-8: keep what decodes
            row = self._db.execute(
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
            _reraise_misuse(error)
            problem = f"this message could not be read ({error})"
            return StoredMessage(message_id, "assistant", "", "failed", problem, damaged=problem)

    def _attachments(
        self, conversation_id: int, message_ids: list[int]
    ) -> dict[int, list[PreparedImage | MissingImage]]:
        result: dict[int, list[PreparedImage | MissingImage]] = {}
        try:
            rows = self._db.execute(  # one query for the whole conversation, not one a message
                "SELECT a.message_id, a.position, a.original_name, a.prepared_json "
                "FROM attachments a JOIN messages m ON m.id = a.message_id "
                "WHERE m.conversation_id = ? ORDER BY a.message_id, a.position",
                (conversation_id,),
            ).fetchall()
        except sqlite3.DatabaseError as error:
            _reraise_misuse(error)
        else:
            for row in rows:
                result.setdefault(row["message_id"], []).append(self._attachment(row))
            return result
        for message_id in message_ids:  # damaged: message by message, row by row
            items = result.setdefault(message_id, [])
            try:
                ids = [
                    int(r[0])
                    for r in self._db.execute(
                        "SELECT id FROM attachments INDEXED BY attachments_by_message "
                        "WHERE message_id = ? ORDER BY position",
                        (message_id,),
                    )
                ]
            except sqlite3.DatabaseError as error:
                _reraise_misuse(error)
                items.append(MissingImage(-1, "", f"the images could not be read ({error})"))
                continue
            for attachment_id in ids:
                try:
                    row = self._db.execute(
                        "SELECT message_id, position, original_name, prepared_json "
                        "FROM attachments WHERE id = ?",
                        (attachment_id,),
                    ).fetchone()
                    items.append(self._attachment(row))
                except sqlite3.DatabaseError as error:
                    _reraise_misuse(error)
                    problem = f"its record could not be read ({error})"
                    items.append(MissingImage(len(items), "", problem))
        return result

    def _attachment(self, row: sqlite3.Row) -> PreparedImage | MissingImage:
        position, name = int(row["position"]), str(row["original_name"])
        try:
            record = json.loads(row["prepared_json"])
            name = str(record.get("label") or record.get("source") or name)
            return self._image_from(record)
        except BlobUnreadable as error:
            return MissingImage(position, name, f"{error.problem} ({error.path.name})")
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            return MissingImage(position, name, f"its record is damaged ({error})")

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

    # checks and backups -------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """What is damaged, for the person who asked: sqlite's own check, then every image a
        message refers to whose record or file cannot be read. Empty when all is well. Reads
        every image file: run it off the UI thread."""
        with self._lock:
            return check_history(self._db, self.blobs)

    def backup(self, target: Path) -> BackupReport:
        """A consistent copy in the folder `target` (history.sqlite3 via sqlite's backup API,
        plus the images it refers to), made while the history stays in use."""
        with self._lock:
            if self._unsaved:
                with contextlib.suppress(StorageError):
                    self.flush()
        return backup(self.folder, target)

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
        self._keep(  # a file on the server the ledger forgot would never be cleaned up
            ("upload", profile, file_id),
            RECORD_UPLOAD,
            (profile, file_id, upload_key, size, filename, conversation_id, created_at),
        )

    def attach_uploads(self, conversation_id: int, upload_keys: list[str]) -> None:
        """Tie uploads made before the conversation existed (on attach) to it."""
        with self._transaction() as db:
            for key in upload_keys:
                db.execute(
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
            MARK_DELETED,
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
        try:
            values["thumbnail"] = (
                self.blobs.get(record["thumbnail"]) if record["thumbnail"] else b""
            )
        except BlobUnreadable:
            values["thumbnail"] = b""  # only the small preview is lost: the window uses the image
        values["detail"] = Detail(record["detail"])
        values["notes"] = tuple(record["notes"])
        return PreparedImage(**values)


@contextlib.contextmanager
def _under(
    lock: threading.RLock,
    translated: contextlib.AbstractContextManager[None],
    db: sqlite3.Connection,
) -> Iterator[sqlite3.Connection]:
    with lock, translated:
        yield db


def _upload(row: sqlite3.Row) -> UploadRecord:
    return record(UploadRecord, row)


def _conversation(row: sqlite3.Row) -> StoredConversation:
    return record(StoredConversation, row)


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(row["id"], row["role"], row["text"], row["status"], row["error"])


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _reraise_misuse(error: sqlite3.DatabaseError) -> None:
    """Damage is salvaged around; misuse (a closed history, bad SQL) is a bug and propagates."""
    if isinstance(error, sqlite3.ProgrammingError | sqlite3.InterfaceError):
        raise error


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _checkpoint_and_close(db: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
