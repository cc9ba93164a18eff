"""The history: one facade over the parts of the store, so its callers hold one object.

sqlite3 in WAL mode: a crash loses at most the streamed text since the last checkpoint (≤ 1 s).
Every failure of the disk reaches callers as one StorageError (full, read-only, I/O, damaged);
a write that fails while an answer streams is kept in memory and saved with the next write that
works. Reads are safe from any thread and never wait for a write; they return what can be
read (a damaged row or a missing image file becomes a named placeholder)."""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from visiondesk.config.paths import create_private, private_folder, tighten
from visiondesk.domain import ConversationState, Exchange, PreparedImage, Question
from visiondesk.errors import StorageError, StorageFault, VisionDeskError
from visiondesk.store import temporary_folders
from visiondesk.store.attachments import Attachments, MissingImage
from visiondesk.store.backup import BackupReport
from visiondesk.store.blobs import Blobs, BlobUnreadable
from visiondesk.store.conversations import Conversations, StoredConversation
from visiondesk.store.database import DATABASE, Database
from visiondesk.store.faults import translated
from visiondesk.store.maintenance import Maintenance
from visiondesk.store.messages import Messages, StoredMessage
from visiondesk.store.repair import RepairReport, RestoreReport
from visiondesk.store.upload_ledger import KeepsLedger, UploadLedger, UploadRecord

log = logging.getLogger(__name__)

__all__ = [
    "History",
    "MissingImage",
    "StoredConversation",
    "StoredMessage",
    "UploadRecord",
]


class History(KeepsLedger):
    def __init__(
        self,
        folder: Path,
        *,
        temporary: bool = False,
        read_only: bool = False,
        recover: bool = True,
    ) -> None:
        """Open (or create) the history in `folder`, made private (0700, files 0600). A failure
        raises StorageError; `temporary` removes the folder on close (and at exit).
        `read_only` (the CLI's `conversations` and `export`, beside a running window): nothing
        is created, migrated or marked interrupted, and a write raises StorageError.
        `recover=False` (`visiondesk send --save`, beside a running window): answers still
        streaming are not marked interrupted, since their window may be writing them."""
        self.folder = folder
        self.path = folder / DATABASE
        self.is_temporary = temporary
        self.read_only = read_only
        self.blobs = Blobs(folder / "blobs")
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True) if temporary else None
        if read_only and not self.path.is_file():
            raise VisionDeskError(f"There is no history at {self.path} yet.")
        if not read_only:
            with translated(folder):
                private_folder(folder)
                tighten(folder)  # an install from before files were private
                if not self.path.exists():
                    create_private(self.path)  # sqlite gives -wal and -shm this file's mode
        self._database = Database(self.path, read_only=read_only)
        self.version = self._database.version
        self.ledger = UploadLedger(self._database)
        self._conversations = Conversations(self._database)
        self._messages = Messages(self._database, Attachments(self.blobs))
        self._maintenance = Maintenance(self._database, self.blobs)
        if read_only or not recover:
            self.recovered = 0
            return
        try:
            self.recovered = self._messages.mark_interrupted()
            self._messages.purge_deleted()  # deletions whose Undo went with the last session
        except StorageError as error:
            if error.fault is not StorageFault.DAMAGED:
                self._abandon()
                raise
            # A damaged page of messages: open anyway, so what can be read can be.
            log.warning("interrupted answers not marked: %s", error)
            self.recovered = 0
        except BaseException:
            self._abandon()
            raise

    def _abandon(self) -> None:
        """Close after a failed start, keeping the error that caused it."""
        with contextlib.suppress(StorageError):
            self._database.close()

    @classmethod
    def temporary(cls, prefix: str = temporary_folders.PREFIX) -> History:
        """A history in a new private temporary folder, removed on close (and at exit): for
        --self-test, screenshots, and when the data folder cannot be used. Its name carries
        this process's id, so `remove_stale_temporaries` can clear one a crash left behind."""
        folder = temporary_folders.new_folder(prefix)
        try:
            return cls(folder, temporary=True)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    @staticmethod
    def remove_stale_temporaries(prefix: str = temporary_folders.PREFIX) -> list[Path]:
        """Remove the temporary histories of processes that are gone; call at start-up."""
        return temporary_folders.remove_stale(prefix)

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
        try:
            self._database.close()
        finally:
            if self._cleanup is not None:
                self._cleanup()

    @property
    def closed(self) -> bool:
        return self._database.closed

    @property
    def unsaved(self) -> int:
        """Writes kept in memory because the disk refused them (saved by the next write)."""
        return self._database.unsaved

    def flush(self) -> None:
        """Save the writes kept in memory now (e.g. on Retry); StorageError if still refused."""
        self._database.flush()

    def writing(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One transaction on the writer, for the store's other modules (sources)."""
        return self._database.transaction()

    def reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """The reader inside one read transaction, from any thread (opening, sources)."""
        return self._database.snapshot()

    # conversations ------------------------------------------------------------------------

    def create_conversation(
        self, title: str, profile: str, mode: str, model: str, detail: str
    ) -> int:
        return self._conversations.create(title, profile, mode, model, detail)

    def conversations(self, search: str = "") -> list[StoredConversation]:
        """Newest first; `search` matches any text of a conversation literally (even % and _)."""
        return self._conversations.find(search)

    def first_images(self) -> dict[int, str]:
        """The sidebar's pictures: each conversation's first image, by blob digest."""
        return self._conversations.first_images()

    def picture(self, digest: str) -> bytes:
        """A stored image's bytes by digest, checked; b"" when its file is gone or damaged."""
        try:
            return self.blobs.get(digest)
        except BlobUnreadable:
            return b""

    def conversation(self, conversation_id: int) -> StoredConversation | None:
        return self._conversations.get(conversation_id)

    def rename(self, conversation_id: int, title: str) -> None:
        self._conversations.rename(conversation_id, title)

    # compares -------------------------------------------------------------------------------

    def set_compare(self, conversation_id: int, first: int, column: int) -> None:
        """The conversation is column `column` of the compare whose first column is `first`
        (the sidebar lists a compare once, as its first column)."""
        self._conversations.set_compare(conversation_id, first, column)

    def compare_columns(self, first: int) -> list[StoredConversation]:
        return self._conversations.compare_columns(first)

    def set_blind(self, first: int) -> None:
        """The compare whose first column is `first` is judged blind."""
        self._conversations.set_blind(first)

    def leave_compare(self, conversation_id: int) -> None:
        """The column kept from a compare becomes a conversation of its own."""
        self._conversations.leave_compare(conversation_id)

    def add_pick(self, first: int | None, winner: str, loser: str) -> None:
        """A blind compare's pick: `winner` and `loser` name the columns (model · mode ·
        detail)."""
        self._conversations.add_pick(first, winner, loser)

    def tally(self, one: str, other: str) -> tuple[int, int]:
        return self._conversations.tally(one, other)

    def update_settings(
        self, conversation_id: int, profile: str, mode: str, model: str, detail: str
    ) -> None:
        self._conversations.update_settings(conversation_id, profile, mode, model, detail)

    def set_instructions(self, conversation_id: int, instructions: str) -> None:
        self._conversations.set_instructions(conversation_id, instructions)

    def delete(self, conversation_id: int) -> None:
        """Remove a conversation; its uploads stay in the ledger until they are deleted."""
        self._conversations.delete(conversation_id)

    def save_state(self, conversation_id: int, state: ConversationState) -> None:
        self._conversations.save_state(conversation_id, state)

    def state(self, conversation_id: int) -> ConversationState:
        return self._conversations.state(conversation_id)

    # messages -----------------------------------------------------------------------------

    def add_user_message(self, conversation_id: int, turn: Question) -> int:
        """The question and its images, committed before the request leaves."""
        return self._messages.add_user_message(conversation_id, turn)

    def add_images(self, message_id: int, images: list[PreparedImage]) -> None:
        """Images that joined a stored question later (prepared after Send)."""
        self._messages.add_images(message_id, images)

    def add_answer(self, conversation_id: int) -> int:
        return self._messages.add_answer(conversation_id)

    def checkpoint(
        self, message_id: int, text: str, status: str = "streaming", error: str = ""
    ) -> None:
        """Save an answer's text and status; kept in memory if the disk refuses (StorageError)."""
        self._messages.checkpoint(message_id, text, status, error)

    def delete_message(self, message_id: int) -> None:
        self._messages.delete_message(message_id)

    def save_versions(self, place: int, message_ids: Sequence[int], shown: Sequence[int]) -> None:
        """These messages are the versions of one exchange (`place`: its first question's id);
        `shown` (a question and its answer) is the one shown and continued from."""
        self._messages.save_versions(place, message_ids, shown)

    def set_messages_deleted(self, message_ids: Sequence[int], deleted: bool = True) -> None:
        """Deleted in the window while its Undo is offered (`deleted=False`: undone)."""
        self._messages.set_deleted(message_ids, deleted)

    def purge_deleted(self, message_ids: Sequence[int] | None = None) -> int:
        """Remove for good the messages deleted in the window whose Undo is gone (these, or
        all)."""
        return self._messages.purge_deleted(message_ids)

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """What can be read, from any thread; a damaged row or image becomes a placeholder."""
        return self._messages.messages(conversation_id)

    def exchanges(self, conversation_id: int, model: str) -> list[Exchange]:
        """Finished question-answer pairs: the history a re-opened conversation continues."""
        return self._messages.exchanges(conversation_id, model)

    # uploaded files (record_upload and mark_deleted come with KeepsLedger) ------------------

    def attach_uploads(self, conversation_id: int, upload_keys: list[str]) -> None:
        """Tie uploads made before the conversation existed (on attach) to it."""
        self.ledger.attach_uploads(conversation_id, upload_keys)

    def uploads(
        self, profile: str | None = None, include_deleted: bool = False
    ) -> list[UploadRecord]:
        return self.ledger.uploads(profile, include_deleted)

    def known_upload(self, profile: str, upload_key: str) -> str | None:
        """The newest file still on the server with exactly these bytes, for reuse."""
        return self.ledger.known_upload(profile, upload_key)

    def unreferenced_uploads(self, profile: str) -> list[UploadRecord]:
        """Uploads no conversation refers to any more: swept on start-up and after a delete."""
        return self.ledger.unreferenced_uploads(profile)

    # maintenance --------------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """What is damaged (empty when all is well); reads every image file: off the UI
        thread."""
        return self._maintenance.integrity_check()

    def backup(self, target: Path) -> BackupReport:
        """A consistent copy in the folder `target`, made while the history stays in use."""
        return self._maintenance.backup(target)

    def repair(self) -> RepairReport:
        """Rebuild a new history from everything readable; the damaged file is kept as
        history.sqlite3.damaged-<date>. This object goes on with the new file."""
        return self._maintenance.repair()

    def restore(self, backup: Path) -> RestoreReport:
        """Replace the history with the backup file `backup` (checked first); the current
        file is kept as history.sqlite3.replaced-<date>."""
        return self._maintenance.restore(backup)

    def rename_profile(self, before: str, after: str) -> None:
        """A profile was renamed: its conversations, uploads and batch jobs follow it."""
        self._maintenance.rename_profile(before, after)
