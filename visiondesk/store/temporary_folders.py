"""Temporary histories (--self-test, screenshots, a data folder that cannot be used): a private
folder named for this process, so a crash's leftovers can be told from a live one's."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "visiondesk-history-"


def new_folder(prefix: str = PREFIX) -> Path:
    """A new private (0700) temporary folder carrying this process's id."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))


def remove_stale(prefix: str = PREFIX) -> list[Path]:
    """Remove the temporary histories of processes that are gone (killed before they could
    clean up); call at start-up. Returns what was removed. POSIX only: on Windows, os.kill
    would end the process it asks about."""
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
