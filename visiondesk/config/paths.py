"""Where VisionDesk keeps things, per platform (platformdirs), and how privately: its folders are
0700 and every file in them 0600 whatever the umask, because they hold questions and images."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO

import platformdirs

from visiondesk.atomic_files import atomic_writer

APP = "VisionDesk"
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def _dirs() -> platformdirs.PlatformDirs:
    return platformdirs.PlatformDirs(APP, appauthor=False, ensure_exists=False)


def config_dir() -> Path:
    override = os.environ.get("VISIONDESK_CONFIG_DIR")
    return Path(override) if override else _dirs().user_config_path


def data_dir() -> Path:
    override = os.environ.get("VISIONDESK_DATA_DIR")
    return Path(override) if override else _dirs().user_data_path


def log_dir() -> Path:
    return _dirs().user_log_path


def cache_dir() -> Path:
    override = os.environ.get("VISIONDESK_CACHE_DIR")
    return Path(override) if override else _dirs().user_cache_path


def log_folder() -> Path:
    override = os.environ.get("VISIONDESK_LOG_DIR")
    return Path(override) if override else log_dir()


def instance_socket() -> str:
    """Where the running window listens for later launches ("Open with VisionDesk"): one per
    data folder, so a launch with another one (another HOME, VISIONDESK_DATA_DIR, a test
    suite) starts its own window instead of handing its images to a stranger's. On Unix a
    socket in the user's runtime folder ($XDG_RUNTIME_DIR, 0700; else a private folder of
    ours in the temporary folder); on Windows a named pipe. VISIONDESK_INSTANCE overrides."""
    import getpass
    import hashlib

    override = os.environ.get("VISIONDESK_INSTANCE")
    if override and os.path.isabs(override):
        return override
    folder = str(data_dir().expanduser().absolute())
    digest = hashlib.sha256(folder.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    name = override or f"visiondesk-{digest}"
    if os.name != "posix":
        return f"{name}-{getpass.getuser()}"
    return str(runtime_folder() / f"{name}.socket")


def runtime_folder() -> Path:
    """The user's runtime folder: $XDG_RUNTIME_DIR when it is a folder of ours that only we
    can enter, else `<tmp>/visiondesk-<uid>`, made 0700 (and refused if someone else owns
    it, or it is a link: another user could then read the socket's traffic)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and _ours_alone(Path(runtime)):
        return Path(runtime)
    folder = Path(tempfile.gettempdir()) / f"visiondesk-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=FOLDER_MODE)
    if not _ours_alone(folder):
        raise PermissionError(f"{folder} is not a private folder of this user")
    return folder


def _ours_alone(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) & 0o077 == 0
    )


def app_folders() -> list[Path]:
    return [data_dir(), config_dir(), cache_dir(), log_folder()]


# private folders and files -------------------------------------------------------------------


def private_folder(folder: Path) -> Path:
    """Create `folder` and make it 0700, whatever the umask; folders created on the way are
    0700 too (mkdir's parents would follow the umask). Existing parents are left alone."""
    missing = [p for p in [folder, *folder.parents] if not p.exists()]
    for path in reversed(missing):
        path.mkdir(mode=FOLDER_MODE, exist_ok=True)
        _chmod(path, FOLDER_MODE)
    _chmod(folder, FOLDER_MODE)
    return folder


TIGHTENED = ".private"
"""Left in a folder once every file under it was made private: later starts check only the
folder's own entries (new files are created private), not thousands of image files."""


def tighten(folder: Path) -> int:
    """Make an existing install private: folders 0700, files 0600, symlinks left alone.
    Returns how many modes were changed."""
    if not folder.is_dir() or folder.is_symlink():
        return 0
    changed = int(_chmod(folder, FOLDER_MODE))
    if (folder / TIGHTENED).exists():
        for entry in os.scandir(folder):
            changed += _chmod(Path(entry.path), FOLDER_MODE if entry.is_dir() else FILE_MODE)
        return changed
    for root, folders, files in os.walk(folder):
        for name in folders:
            changed += _chmod(Path(root, name), FOLDER_MODE)
        for name in files:
            changed += _chmod(Path(root, name), FILE_MODE)
    with contextlib.suppress(OSError):  # a read-only disk: walk again next time
        create_private(folder / TIGHTENED)
    return changed


def secure_app_folders() -> int:
    """At start-up: tighten the data, config, cache and log folders that already exist."""
    return sum(tighten(folder) for folder in app_folders())


def _chmod(path: Path, mode: int) -> bool:
    try:
        current = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(current.st_mode) or stat.S_IMODE(current.st_mode) == mode:
        return False
    with contextlib.suppress(OSError):  # not ours, or a read-only disk: leave it as it is
        os.chmod(path, mode)
        return True
    return False


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (then only tighten it). sqlite gives
    its -wal and -shm files the mode of the database file, so this covers those too."""
    # Created 0600 minus the umask (never wider); the chmod then restores the owner's bits.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), FILE_MODE))
    os.chmod(path, FILE_MODE)


def private_writer(path: Path) -> contextlib.AbstractContextManager[IO[bytes]]:
    """Write `path` atomically (a temporary file beside it, then a rename) with mode 0600: a
    crash never leaves half a file under the name, and no other user can read it meanwhile."""
    return atomic_writer(path, private=True)


def write_private(path: Path, data: bytes | str) -> Path:
    """`data` into `path`, atomically and 0600; the folder is created private if missing."""
    if not path.parent.exists():
        private_folder(path.parent)
    with private_writer(path) as stream:
        stream.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path
