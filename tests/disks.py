"""Disks that fail on purpose: a real 2 MB or read-only tmpfs (where mounting is permitted), and
sqlite or file-system errors injected at every write (where it is not, and for I/O)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FULL = (sqlite3.SQLITE_FULL, "database or disk is full", errno.ENOSPC)
READ_ONLY = (sqlite3.SQLITE_READONLY, "attempt to write a readonly database", errno.EROFS)
IO = (sqlite3.SQLITE_IOERR, "disk I/O error", errno.EIO)


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A real tmpfs of `size` mounted at `folder`; the test is skipped where mounting is not
    permitted (not root, or a container without CAP_SYS_ADMIN)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@contextlib.contextmanager
def read_only_disk(folder: Path) -> Iterator[Path]:
    """A real read-only tmpfs at `folder` (writes fail with EROFS, for root too); skipped where
    mounting is not permitted."""
    with small_disk(folder, "1m") as disk:
        remounted = subprocess.run(
            ["mount", "-o", "remount,ro", str(disk)], capture_output=True, check=False
        )
        if remounted.returncode != 0:
            pytest.skip(f"remounting read-only is not permitted: {remounted.stderr.decode()}")
        yield disk


def fill(disk: Path) -> Path:
    """Take every free byte of `disk`; delete the returned file to free it again."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(descriptor, b"\0" * 65536)
        with contextlib.suppress(OSError):
            while True:
                os.write(descriptor, b"\0" * 512)
    finally:
        os.close(descriptor)
    return filler


class Faults:
    """Armed, every sqlite write statement and every file created under the history fails
    with the chosen error, as a full, read-only or broken disk makes them fail."""

    def __init__(self) -> None:
        self.kind: tuple[int, str, int] | None = None
        self.hits = 0

    def arm(self, kind: tuple[int, str, int]) -> None:
        self.kind = kind

    def disarm(self) -> None:
        self.kind = None

    def sqlite_error(self) -> sqlite3.OperationalError:
        assert self.kind is not None
        code, message, _ = self.kind
        error = sqlite3.OperationalError(message)
        error.sqlite_errorcode = code  # what sqlite's C layer sets on a real failure
        error.sqlite_errorname = message
        self.hits += 1
        return error

    def os_error(self) -> OSError:
        assert self.kind is not None
        self.hits += 1
        return OSError(self.kind[2], os.strerror(self.kind[2]))


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """Inject disk faults into every sqlite connection and blob write opened from now on."""
    state = Faults()
    real_connect = sqlite3.connect

    class FaultyConnection(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            if state.kind is not None and sql.lstrip().upper().startswith(_WRITES):
                raise state.sqlite_error()
            return super().execute(sql, *args)

    def connect(*args: Any, **options: Any) -> sqlite3.Connection:
        options.setdefault("factory", FaultyConnection)
        return real_connect(*args, **options)

    monkeypatch.setattr(sqlite3, "connect", connect)

    from visiondesk.config.paths import private_writer as real_writer

    @contextlib.contextmanager
    def writer(path: Path) -> Iterator[Any]:
        if state.kind is not None:
            raise state.os_error()
        with real_writer(path) as stream:
            yield stream

    monkeypatch.setattr("visiondesk.store.blobs.private_writer", writer)
    return state
