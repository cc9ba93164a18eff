"""The files VisionDesk keeps are private (folders 0700, files 0600 whatever the umask, existing
installs tightened), history.sqlite3 alone is the whole history after a clean close, a backup
made while another connection writes is consistent, a temporary history leaves nothing behind,
and search matches % _ and backslash literally."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import images
from visiondesk.api.snippets import write_images
from visiondesk.cli import main
from visiondesk.config.paths import (
    app_folders,
    cache_dir,
    data_dir,
    secure_app_folders,
    tighten,
)
from visiondesk.config.profile_store import BUILTIN, save_profiles
from visiondesk.config.settings import AppSettings
from visiondesk.domain import Detail, PreparedImage, Question
from visiondesk.logs import setup
from visiondesk.store import History
from visiondesk.store.export import to_html, to_markdown


def image(seed: int) -> PreparedImage:
    data = images.encode(images.photo(32, 24, seed=seed), "JPEG")
    return PreparedImage(
        f"p{seed}.jpg", f"{seed:064x}", 32, 24, "JPEG", 32, 24, "image/jpeg", data, Detail.LOW, 85
    )


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATA", "CONFIG", "CACHE", "LOG"):
        monkeypatch.setenv(f"VISIONDESK_{name}_DIR", str(tmp_path / "app" / name.lower()))
    return tmp_path / "app"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would make every new file world-readable (and writable)."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode)
        for p in [root, *root.rglob("*")]
        if not p.is_symlink()
    }


def assert_private(root: Path) -> None:
    wrong = {
        name: oct(mode)
        for name, mode in modes(root).items()
        if mode != (0o700 if (root / name).is_dir() else 0o600)
    }
    assert wrong == {}


def test_everything_written_is_private_whatever_the_umask(folders: Path, open_umask: None) -> None:
    history = History(data_dir())
    conversation = history.create_conversation("Private", "p", "chat", "gpt-4o", "auto")
    history.add_user_message(conversation, Question("Secret question", (image(1),)))
    names = {p.name for p in data_dir().iterdir()}
    assert {"history.sqlite3-wal", "history.sqlite3-shm"} <= names  # checked while open
    to_markdown(history, conversation, data_dir() / "exports")
    to_html(history, conversation, data_dir() / "exports" / "page.html")
    history.backup(cache_dir() / "backup")
    write_images([image(2)], cache_dir() / "inspector")  # "Copy as Python" reads them
    save_profiles(dict(BUILTIN))
    AppSettings(welcomed=True).save()
    log_file = setup(data_dir().parent / "log")
    logging.getLogger("visiondesk.test").warning("a line")
    try:
        for folder in app_folders():
            assert folder.exists()
            assert_private(folder)
        assert log_file.exists()
    finally:
        root = logging.getLogger()
        for handler in root.handlers[:]:
            if getattr(handler, "baseFilename", "") == str(log_file):
                root.removeHandler(handler)
                handler.close()
        history.close()


def test_an_existing_install_is_tightened_at_start_up(folders: Path, open_umask: None) -> None:
    data = data_dir()
    (data / "blobs" / "ab").mkdir(parents=True, mode=0o755)
    for name in ("history.sqlite3", "history.sqlite3-wal", "blobs/ab/abcd"):
        (data / name).write_bytes(b"")
        (data / name).chmod(0o644)
    (folders / "config").mkdir(mode=0o755)
    (folders / "config" / "profiles.json").write_text("{}")
    (folders / "config" / "profiles.json").chmod(0o666)
    (folders / "log").mkdir(mode=0o777)
    (folders / "log" / "visiondesk.log").write_text("old")
    (folders / "log" / "visiondesk.log").chmod(0o644)

    assert secure_app_folders() == 10  # 5 folders, 5 files
    for folder in app_folders():
        if folder.exists():
            assert_private(folder)
    assert secure_app_folders() == 0  # cheap when nothing is left to change
    (data / "history.sqlite3").chmod(0o644)
    History(data).close()  # opening the history tightens its folder by itself
    assert_private(data)
    assert tighten(folders / "absent") == 0


def test_after_close_the_database_file_alone_is_the_whole_history(tmp_path: Path) -> None:
    history = History(tmp_path / "data")
    conversation = history.create_conversation("Keep me", "p", "chat", "gpt-4o", "auto")
    history.add_user_message(conversation, Question("Is it all in one file?"))
    history.close()
    wal = tmp_path / "data" / "history.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    alone = tmp_path / "copy"
    alone.mkdir()
    shutil.copy(tmp_path / "data" / "history.sqlite3", alone / "history.sqlite3")  # no -wal
    with History(alone) as copy:
        [kept] = copy.conversations()
        assert kept.title == "Keep me"
        assert [m.text for m in copy.messages(kept.id)] == ["Is it all in one file?"]


def test_a_backup_made_while_another_connection_writes_is_consistent(tmp_path: Path) -> None:
    history = History(tmp_path / "data")
    writer = History(tmp_path / "data")  # another connection, as another thread or process
    conversation = writer.create_conversation("Busy", "p", "chat", "gpt-4o", "auto")
    written = threading.Semaphore(0)
    stop = threading.Event()

    def keep_writing() -> None:
        seed = 0
        while not stop.is_set():
            seed += 2  # every question carries two new images, in one transaction
            writer.add_user_message(
                conversation, Question(f"Q{seed}", (image(seed), image(seed + 1)))
            )
            written.release()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        for _ in range(5):
            assert written.acquire(timeout=30)
        report = history.backup(tmp_path / "backup")
        for _ in range(3):  # and the writer went on meanwhile
            assert written.acquire(timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()

    assert report.database == tmp_path / "backup" / "history.sqlite3" and report.missing == []
    assert_private(tmp_path / "backup")
    with History(tmp_path / "backup") as copy:
        assert copy.integrity_check() == []
        messages = copy.messages(conversation)
        assert len(messages) >= 5 and report.images == 2 * len(messages)
        assert all(len(m.images) == 2 and m.intact for m in messages)
    assert len(writer.messages(conversation)) > len(messages)
    writer.close()
    again = history.backup(tmp_path / "backup")  # into the same folder: the newer images added
    assert again.images == 2 * len(history.messages(conversation))
    history.close()


def test_the_backup_command(folders: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", str(folders / "copy")]) == 1
    assert "There is no history to back up" in capsys.readouterr().err
    with History(data_dir()) as history:
        conversation = history.create_conversation("CLI", "p", "chat", "gpt-4o", "auto")
        history.add_user_message(conversation, Question("Back me up", (image(7),)))
        assert main(["backup", str(folders / "copy")]) == 0  # while the history is open
        assert main(["backup", str(data_dir())]) == 1
    assert "1 image file(s)" in capsys.readouterr().out
    with History(folders / "copy") as copy:
        [question] = copy.messages(conversation)
        assert question.text == "Back me up" and question.intact and len(question.images) == 1


def test_a_temporary_history_is_private_and_removed_on_close() -> None:
    history = History.temporary()
    folder = history.folder
    assert history.is_temporary and folder.name.startswith("visiondesk-history-")
    conversation = history.create_conversation("Self-test", "p", "chat", "gpt-4o", "auto")
    history.add_user_message(conversation, Question("Temporary question", (image(3),)))
    assert_private(folder)
    history.close()
    assert not folder.exists()
    with History.temporary() as other:
        other_folder = other.folder
    assert not other_folder.exists()


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("%", ["100% sure"]),
        ("_", ["snake_case"]),
        ("\\", ["C:\\temp"]),
        ("e_c", ["snake_case"]),
        ("0%", ["100% sure"]),
        ("s%e", []),
        ("temp", ["C:\\temp"]),
        ("SNAKE", ["snake_case"]),
    ],
)
def test_search_matches_wildcards_literally(search: str, found: list[str], tmp_path: Path) -> None:
    with History(tmp_path / "data") as history:
        for title in ("100% sure", "snake_case", "C:\\temp", "plain words"):
            conversation = history.create_conversation(title, "p", "chat", "gpt-4o", "auto")
            history.add_user_message(conversation, Question(f"about {title}"))
        assert sorted(c.title for c in history.conversations(search)) == found


def test_a_temporary_history_left_by_a_killed_process_is_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    left = Path(tempfile.mkdtemp(prefix=f"visiondesk-history-{dead.stdout.strip()}-"))
    (left / "history.sqlite3").write_bytes(b"questions and images")
    with History.temporary() as alive:  # this process's own is kept
        removed = History.remove_stale_temporaries()
        assert left in removed and not left.exists()
        assert alive.folder.exists() and alive.folder not in removed


def test_a_process_that_exits_without_closing_leaves_one_file(tmp_path: Path) -> None:
    """A worker thread still holding the history at exit (as the window's do) kept it from
    ever being closed: everything stayed in -wal."""
    code = (
        "import sys, threading\nfrom pathlib import Path\nfrom visiondesk.domain import Question\n"
        "from visiondesk.store import History\n"
        "history = History(Path(sys.argv[1]))\n"
        "conversation = history.create_conversation('Exit', 'p', 'chat', 'gpt-4o', 'auto')\n"
        "history.add_user_message(conversation, Question('Never closed'))\n"
        "def hold(kept=history): threading.Event().wait()\n"
        "threading.Thread(target=hold, daemon=True).start()\n"
        "sys.exit(0)\n"
    )
    root = str(Path(__file__).resolve().parent.parent)
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data")],
        check=True,
        env={**os.environ, "PYTHONPATH": root},
    )
    wal = tmp_path / "data" / "history.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(tmp_path / "data" / "history.sqlite3", alone / "history.sqlite3")
    with History(alone) as copy:
        [kept] = copy.conversations()
        assert [m.text for m in copy.messages(kept.id)] == ["Never closed"]
