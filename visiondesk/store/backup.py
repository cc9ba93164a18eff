"""Back up the history while it is in use: sqlite's backup API copies one consistent snapshot
(other connections keep writing, WAL), then the image files that snapshot refers to."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from visiondesk.config.paths import create_private, private_folder, private_writer
from visiondesk.errors import BackupError, StorageError, StorageFault
from visiondesk.store.blobs import Blobs
from visiondesk.store.database import DATABASE
from visiondesk.store.faults import translate


@dataclass(frozen=True, slots=True)
class BackupReport:
    database: Path
    images: int
    missing: list[str] = field(default_factory=list)
    """Image files the history refers to that were already missing: not in the backup."""


def backup(folder: Path, target: Path) -> BackupReport:
    """Copy the history in `folder` into the folder `target` (created private). Running it
    again into the same folder replaces the database and adds only the new images."""
    source = folder / DATABASE
    if not source.is_file():
        raise BackupError(f"There is no history to back up in {folder}.")
    if target.exists() and target.resolve() == folder.resolve():
        raise BackupError("Choose a folder other than the history's own for the backup.")
    partial = target / f".{DATABASE}.partial"
    try:
        private_folder(target)
        partial.unlink(missing_ok=True)
        create_private(partial)  # the copy is as private as the original, whatever the umask
        digests = _copy_database(source, partial)
        images, missing = _copy_images(Blobs(folder / "blobs"), Blobs(target / "blobs"), digests)
        os.replace(partial, target / DATABASE)
    except (sqlite3.Error, OSError) as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        converted = translate(error, target, "the backup")
        if converted is error:
            raise
        raise converted from error
    return BackupReport(target / DATABASE, images, missing)


def _copy_database(source: Path, copy: Path) -> set[str]:
    """One backup step: one read transaction, so the copy is one consistent moment."""
    reader = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    try:
        writer = sqlite3.connect(copy)
        try:
            try:
                reader.backup(writer)
            except sqlite3.DatabaseError as error:
                damaged = translate(error, source)
                if isinstance(damaged, StorageError) and damaged.fault is StorageFault.DAMAGED:
                    raise damaged from error  # the original is damaged, not the backup
                raise
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return _referenced(writer)
        finally:
            writer.close()
    finally:
        reader.close()


def _referenced(db: sqlite3.Connection) -> set[str]:
    digests: set[str] = set()
    for (prepared,) in db.execute("SELECT prepared_json FROM attachments"):
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            record = json.loads(prepared)
            digests.update(str(record[k]) for k in ("data", "thumbnail") if record.get(k))
    return digests


def _copy_images(source: Blobs, target: Blobs, digests: set[str]) -> tuple[int, list[str]]:
    copied, missing = 0, []
    for digest in sorted(digests):
        origin, destination = source.path(digest), target.path(digest)
        try:
            size = origin.stat().st_size
        except FileNotFoundError:
            missing.append(str(origin))
            continue
        if destination.exists() and destination.stat().st_size == size:
            copied += 1  # content-addressed: already in an earlier backup
            continue
        private_folder(destination.parent)
        with origin.open("rb") as reading, private_writer(destination) as writing:
            shutil.copyfileobj(reading, writing)
        copied += 1
    return copied, missing
