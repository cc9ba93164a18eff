"""A FIFO, a device or a socket given as an image is refused as "not a regular file" before
anything is read (a FIFO would block, /dev/zero would never end); reads stop at the limit."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from visiondesk.errors import ImageError
from visiondesk.imaging import sources
from visiondesk.imaging.sources import read_source

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and sockets are POSIX")


def refusal(path: Path) -> str:
    """Read `path` on a thread, so a read that would block fails the test instead of hanging."""
    result: list[str] = []

    def attempt() -> None:
        try:
            read_source(str(path))
        except ImageError as error:
            result.append(error.message)
        else:
            result.append("read")

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), f"reading {path} did not return"
    return result[0]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    assert refusal(fifo) == f"{fifo}: is not a regular file (a named pipe)"


def test_dev_zero_is_refused_before_any_read() -> None:
    assert refusal(Path("/dev/zero")) == "/dev/zero: is not a regular file (a character device)"


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.jpg"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert refusal(path) == f"{path}: is not a regular file (a socket)"


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    target = tmp_path / "real.bin"
    target.write_bytes(b"bytes")
    link = tmp_path / "link.png"
    link.symlink_to(target)
    assert refusal(link) == "read"


def test_reads_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1000)
    large = tmp_path / "large.png"
    large.write_bytes(b"\0" * 1001)
    assert refusal(large) == f"{large}: is 1001 B; the limit is 1000 B"
    sparse = tmp_path / "huge.png"
    with sparse.open("wb") as file:
        file.truncate(2**40)  # a terabyte that takes no space: refused by its size, unread
    monkeypatch.undo()
    assert refusal(sparse) == f"{sparse}: is 1048576.0 MB; the limit is 512.0 MB"
