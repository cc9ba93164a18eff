"""Image bytes on disk, addressed by their SHA-256, so the same picture is stored once."""

from __future__ import annotations

import hashlib
from pathlib import Path

from visiondesk.config.paths import private_folder, private_writer


class BlobUnreadable(Exception):
    """A referenced image file is missing, unreadable or no longer matches its hash."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{problem} ({path})")
        self.path = path
        self.problem = problem


class Blobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store `data` (0600, atomically: a crash never leaves half a blob under the name)."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        if not path.exists():
            private_folder(path.parent)
            with private_writer(path) as stream:
                stream.write(data)
        return digest

    def get(self, digest: str) -> bytes:
        """The bytes, checked against their hash; BlobUnreadable says what is wrong."""
        path = self.path(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise BlobUnreadable(path, "the image file is missing") from None
        except OSError as error:
            raise BlobUnreadable(path, f"the image file cannot be read: {error.strerror}") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise BlobUnreadable(path, "the image file is damaged (its content changed)")
        return data

    def digests(self) -> set[str]:
        """Every blob on disk (for backups and checks)."""
        if not self.root.is_dir():
            return set()
        return {p.name for p in self.root.glob("??/*") if len(p.name) == 64}
