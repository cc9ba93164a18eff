"""sqlite3 and file-system failures, translated at the store's edge into one StorageError the
person can act on (free space, make it writable, check the disk)."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from visiondesk.errors import StorageError, StorageFault

_SQLITE_FAULTS = {
    sqlite3.SQLITE_FULL: StorageFault.FULL,
    sqlite3.SQLITE_READONLY: StorageFault.READ_ONLY,
    sqlite3.SQLITE_PERM: StorageFault.READ_ONLY,
    sqlite3.SQLITE_IOERR: StorageFault.IO,
    sqlite3.SQLITE_CANTOPEN: StorageFault.IO,
    sqlite3.SQLITE_NOLFS: StorageFault.IO,
    sqlite3.SQLITE_PROTOCOL: StorageFault.IO,
    sqlite3.SQLITE_BUSY: StorageFault.BUSY,
    sqlite3.SQLITE_LOCKED: StorageFault.BUSY,
    sqlite3.SQLITE_CORRUPT: StorageFault.DAMAGED,
    sqlite3.SQLITE_NOTADB: StorageFault.DAMAGED,
}

_OS_FAULTS = {
    errno.ENOSPC: StorageFault.FULL,
    errno.EDQUOT: StorageFault.FULL,
    errno.EROFS: StorageFault.READ_ONLY,
    errno.EACCES: StorageFault.READ_ONLY,
    errno.EPERM: StorageFault.READ_ONLY,
}


def storage_fault(error: BaseException) -> StorageFault | None:
    """The fault behind a sqlite3 or OS error, or None for a programming error (a constraint,
    bad SQL) that must not be dressed up as a disk problem."""
    if isinstance(error, StorageError):
        return error.fault
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return _SQLITE_FAULTS.get(code & 0xFF)
        if "malformed" in str(error) or "not a database" in str(error):
            return StorageFault.DAMAGED
        return None
    if isinstance(error, OSError):
        return _OS_FAULTS.get(error.errno or 0, StorageFault.IO)
    return None


def translate(error: BaseException, path: Path, what: str = "your history") -> BaseException:
    """A StorageError for a storage failure; anything else is returned unchanged."""
    if isinstance(error, StorageError):
        return error
    fault = storage_fault(error)
    if fault is None:
        return error
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    where = getattr(error, "filename", None) or path
    return StorageError(fault, str(where), detail, what)


@contextlib.contextmanager
def translated(path: Path, what: str = "your history") -> Iterator[None]:
    """Raise a StorageError for any sqlite3 or OS failure inside the block."""
    try:
        yield
    except (sqlite3.Error, OSError) as error:
        converted = translate(error, path, what)
        if converted is error:
            raise
        raise converted from error


def reraise_misuse(error: sqlite3.DatabaseError) -> None:
    """Damage is salvaged around; misuse (a closed history, bad SQL) is a bug and propagates."""
    if isinstance(error, sqlite3.ProgrammingError | sqlite3.InterfaceError):
        raise error
