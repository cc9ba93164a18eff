"""The history database: one connection that writes and one that reads, in WAL mode, so a read
on a worker thread never waits for the UI thread's writes, nor they for it.

Every disk failure becomes one StorageError. A write the disk refuses can be kept in memory
(`keep`) and is replayed first by the next write that works, so a full disk costs the person
nothing that the app has already told them about."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from visiondesk.errors import StorageError, StorageFault, VisionDeskError
from visiondesk.store.faults import translate, translated
from visiondesk.store.schema import MIGRATIONS, migrate

DATABASE = "history.sqlite3"

Key = tuple[Any, ...]
"""Names a kept write; a newer write under the same key replaces it (the newest text wins)."""
Write = tuple[Key, str, tuple[Any, ...]]


class Changed(Exception):
    """The history was written while a copy of it was being made: make the copy again."""


class Database:
    """The writer (under a lock, for the thread that writes) and the reader (under its own
    lock, for any thread). Both are made with check_same_thread=False and only ever used
    under their lock; WAL lets the reader see the last commit while a write is under way."""

    def __init__(
        self, path: Path, *, timeout: float = 5.0, fold_wal: bool = True, read_only: bool = False
    ) -> None:
        """Open (or create) and migrate; StorageError if the disk or the file fails.
        `fold_wal`: close() folds the WAL into the file (the history's owner does; a second
        store on the same file must not wait for the owner's readers to do it).
        `read_only`: nothing is created or migrated (the file must be at the newest schema)
        and a write raises StorageError — for commands that read beside a running window."""
        self.path = path
        self.folder = path.parent
        self._write_lock = threading.RLock()
        self._read_lock = threading.RLock()
        self._unsaved: dict[Key, tuple[str, tuple[Any, ...]]] = {}
        self._refused: dict[Key, StorageError] = {}
        """Kept writes that a damaged page refused: still kept, but they no longer hold up
        the writes that work (a Repair may take them)."""
        self._closed = False
        self._fold_wal = fold_wal and not read_only
        with self.translated():
            if read_only:
                self._writer = _reader(path, timeout, read_only=True)
                self._reader = _reader(path, timeout, read_only=True)
            else:
                self._writer = _connect(path, timeout)
        if read_only:
            self.version = _newest(self._reader, path)
        else:
            with self.translated():
                try:
                    self._writer.execute("PRAGMA journal_mode=WAL")
                    self._writer.execute("PRAGMA synchronous=NORMAL")
                    self._writer.execute("PRAGMA foreign_keys=ON")
                    self.version = migrate(self._writer)
                    self._reader = _reader(path, timeout)
                except BaseException:
                    self._writer.close()
                    raise
        # A process that exits without close() (sys.exit, an exception) still folds its WAL in.
        self._at_exit = weakref.finalize(
            self, _close_at_exit, self._writer, self._reader, self._fold_wal
        )

    @contextlib.contextmanager
    def translated(self) -> Iterator[None]:
        with translated(self.folder):
            yield

    # writing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction, after the writes kept in memory are replayed: they are saved as
        soon as writing works again, and stay kept if it still does not."""
        with self._write_lock, self.translated():
            self._refused = self._replay_unsaved()
            with self._writer:
                yield self._writer

    def _replay_unsaved(self) -> dict[Key, StorageError]:
        """The kept writes, in a transaction before the caller's. Where a damaged page refuses
        them, each in a transaction of its own: one the damage refuses stays kept and is
        skipped, so it never makes every later write fail with it (a transaction that met a
        damaged page can write nothing more)."""
        if not self._unsaved:
            return {}
        try:
            with self._writer:
                for sql, args in self._unsaved.values():
                    self._writer.execute(sql, args)
            self._unsaved.clear()
            return {}
        except sqlite3.DatabaseError as error:
            if _damage(error, self.folder) is None:
                raise
        refused: dict[Key, StorageError] = {}
        for key, (sql, args) in list(self._unsaved.items()):
            try:
                with self._writer:
                    self._writer.execute(sql, args)
            except sqlite3.DatabaseError as error:
                damaged = _damage(error, self.folder)
                if damaged is None:
                    raise
                refused[key] = damaged
            else:
                del self._unsaved[key]
        return refused

    def write(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self.transaction() as db:
            return db.execute(sql, args)

    def keep(self, key: Key, sql: str, args: tuple[Any, ...]) -> None:
        """Write now, or keep the write in memory (newest per key) and raise StorageError."""
        self.keep_all([(key, sql, args)])

    def keep_all(self, writes: list[Write]) -> None:
        """`keep` for writes that belong together: all are kept, in order, or none is."""
        with self._write_lock:
            for key, sql, args in writes:
                self._unsaved.pop(key, None)
                self._unsaved[key] = (sql, args)
            try:
                with self.transaction():
                    pass
            except StorageError:
                raise
            except BaseException:
                for key, _, _ in writes:  # a bug, not the disk: never replay it
                    self._unsaved.pop(key, None)
                raise
            for key, _, _ in writes:
                if key in self._refused:
                    raise self._refused[key]

    def discard(self, key: Key) -> None:
        """Forget a kept write (its row is being deleted)."""
        with self._write_lock:
            self._unsaved.pop(key, None)
            self._refused.pop(key, None)

    @property
    def unsaved(self) -> int:
        """Writes kept in memory because the disk refused them (saved by the next write)."""
        return len(self._unsaved)

    def flush(self) -> None:
        """Save the writes kept in memory now (e.g. on Retry); StorageError if still refused."""
        with self.transaction():
            pass

    # reading ----------------------------------------------------------------------------

    def read(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """One query on the reader, from any thread: what was last committed."""
        with self._read_lock, self.translated():
            return self._reader.execute(sql, args).fetchall()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """The reader inside one read transaction, from any thread: every query in the block
        sees the same committed moment. Keep the block to queries (no file reads): other
        readers wait for it, writers never do."""
        with self._read_lock, self.translated():
            self._reader.execute("BEGIN")
            try:
                yield self._reader
            finally:
                if self._reader.in_transaction:
                    self._reader.execute("ROLLBACK")

    @contextlib.contextmanager
    def separate_reader(self) -> Iterator[sqlite3.Connection]:
        """A reader of its own, for a long read (a check of every page and image) that must
        hold up neither the writer nor the shared reader."""
        with self.translated():
            reader = _reader(self.path, 5.0)
        try:
            yield reader
        finally:
            reader.close()

    # replacing the file -------------------------------------------------------------------

    @property
    def changes(self) -> int:
        """Rows the writer changed so far: a copy made meanwhile is out of date if it moved."""
        with self._write_lock:
            return int(self._writer.total_changes)

    def swap(self, new_file: Path, aside: Path, *, changes: int | None = None) -> None:
        """Put `new_file` in place of the history's file, which is kept as `aside` (its WAL
        beside it), and go on with the new one. Raises Changed if the writer changed rows since
        `changes` (the copy is then out of date; nothing is moved). The writes kept in memory
        stay kept and go to the new file with the next write."""
        with self._write_lock, self._read_lock, self.translated():
            if changes is not None and self._writer.total_changes != changes:
                raise Changed()
            self._reader.close()
            with contextlib.suppress(sqlite3.Error):  # a damaged file may refuse to fold in
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._writer.close()
            self._at_exit.detach()
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, aside.with_name(aside.name + suffix))
            os.replace(new_file, self.path)
            self._writer = _connect(self.path, 5.0)
            self._writer.execute("PRAGMA journal_mode=WAL")
            self._writer.execute("PRAGMA synchronous=NORMAL")
            self._writer.execute("PRAGMA foreign_keys=ON")
            self.version = migrate(self._writer)
            self._reader = _reader(self.path, 5.0)
            self._refused.clear()
            self._at_exit = weakref.finalize(
                self, _close_at_exit, self._writer, self._reader, self._fold_wal
            )

    # closing ----------------------------------------------------------------------------

    def close(self) -> None:
        """Save what is kept in memory, fold the WAL in (`fold_wal`) and close. Raises
        StorageError, once closed, if the disk refused."""
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
            with self._read_lock:  # a read under way ends first; the writer is then the last
                self._reader.close()
            problem: StorageError | None = None
            try:
                with self.translated():
                    if self._unsaved:
                        self._replay_unsaved()
                        self._unsaved.clear()
                        self._refused.clear()
                    if self._fold_wal:
                        self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except StorageError as error:
                problem = error
            finally:
                self._at_exit.detach()
                self._writer.close()
            if problem is not None:
                raise problem

    @property
    def closed(self) -> bool:
        return self._closed


def _damage(error: sqlite3.DatabaseError, folder: Path) -> StorageError | None:
    """The StorageError of a damaged page, or None for any other failure."""
    damaged = translate(error, folder)
    if isinstance(damaged, StorageError) and damaged.fault is StorageFault.DAMAGED:
        return damaged
    return None


def _connect(path: Path, timeout: float, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"{path.as_uri()}?mode=ro" if read_only else str(path)
    connection = sqlite3.connect(target, timeout=timeout, check_same_thread=False, uri=read_only)
    connection.row_factory = sqlite3.Row
    return connection


def _newest(reader: sqlite3.Connection, path: Path) -> int:
    """The schema version of a file opened read-only, which must be the newest."""
    version = int(reader.execute("PRAGMA user_version").fetchone()[0])
    if version != len(MIGRATIONS):
        reader.close()
        raise VisionDeskError(
            f"The history at {path} is from another version of VisionDesk (schema {version}); "
            "open the window once to bring it up to date."
        )
    return version


def _reader(path: Path, timeout: float, *, read_only: bool = False) -> sqlite3.Connection:
    """Autocommit (transactions are explicit, see `snapshot`) and refusing to write."""
    connection = _connect(path, timeout, read_only=read_only)
    connection.isolation_level = None
    connection.execute("PRAGMA query_only = ON")
    return connection


def _close_at_exit(writer: sqlite3.Connection, reader: sqlite3.Connection, fold: bool) -> None:
    reader.close()
    if fold:
        with contextlib.suppress(sqlite3.Error):
            writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    writer.close()
