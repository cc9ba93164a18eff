"""Files written whole or not at all: a temporary file beside the target, then a rename, so a
crash or a full disk never leaves half a file under the name. Private files (the history, the
settings) are 0600; files made to be handed on (a capture, an image dragged out) get the
person's usual mode, 0666 less the umask, since a file manager copies the mode along."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO

PRIVATE_MODE = 0o600


@contextlib.contextmanager
def atomic_writer(path: Path, *, private: bool = True) -> Iterator[IO[bytes]]:
    """A stream whose bytes become `path` once the block ends without an error."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(temporary, flags, PRIVATE_MODE if private else 0o666)
    try:
        if private:
            os.chmod(temporary, PRIVATE_MODE)  # 0600 less the umask, never wider: restored
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_atomically(path: Path, data: bytes, *, private: bool = True) -> None:
    with atomic_writer(path, private=private) as stream:
        stream.write(data)
