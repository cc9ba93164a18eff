"""Work on the whole history rather than one conversation: Check history, a backup while in
use, and following a profile that was renamed. Each is safe to run off the UI thread."""

from __future__ import annotations

import contextlib
from pathlib import Path

from visiondesk.errors import StorageError
from visiondesk.store.backup import BackupReport, backup
from visiondesk.store.blobs import Blobs
from visiondesk.store.check import check_history
from visiondesk.store.database import Database, Write
from visiondesk.store.repair import RepairReport, RestoreReport, repair, restore
from visiondesk.store.upload_ledger import RENAME_PROFILE


class Maintenance:
    def __init__(self, database: Database, blobs: Blobs) -> None:
        self._db = database
        self._blobs = blobs

    def integrity_check(self) -> list[str]:
        """What is damaged, for the person who asked: sqlite's own check, then every image a
        message refers to whose record or file cannot be read. Empty when all is well. Reads
        every page and image file, on a connection of its own: run it off the UI thread;
        meanwhile conversations open and answers are saved as usual."""
        with self._db.separate_reader() as reader:
            return check_history(reader, self._blobs)

    def backup(self, target: Path) -> BackupReport:
        """A consistent copy in the folder `target` (history.sqlite3 via sqlite's backup API,
        plus the images it refers to), made while the history stays in use. The writes kept
        in memory are saved first where the disk now allows."""
        if self._db.unsaved:
            with contextlib.suppress(StorageError):
                self._db.flush()
        return backup(self._db.folder, target)

    def repair(self) -> RepairReport:
        """Rebuild the history from every row that can be read, the damaged file kept aside;
        the history goes on with the new file. Off the UI thread."""
        return repair(self._db)

    def restore(self, backup: Path) -> RestoreReport:
        """Put a backup (checked whole first) in place of the history, the current file kept
        aside. Off the UI thread."""
        return restore(self._db, self._blobs, backup)

    def rename_profile(self, before: str, after: str) -> None:
        """A profile was renamed in Settings: its conversations, uploads and batch jobs follow
        it (they are stored by profile name). If the disk refuses, the renames are kept and
        written with the next write that works, and StorageError is raised."""
        writes: list[Write] = [
            (("profile", table, before), sql, (after, before))
            for table, sql in (
                ("conversations", "UPDATE conversations SET profile = ? WHERE profile = ?"),
                ("uploads", RENAME_PROFILE),
                ("batch_jobs", "UPDATE batch_jobs SET profile = ? WHERE profile = ?"),
            )
        ]
        self._db.keep_all(writes)
