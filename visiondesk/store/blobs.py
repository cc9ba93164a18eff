"""Image bytes on disk, addressed by their SHA-256, so the same picture is stored once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class Blobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)  # a crash never leaves half a blob under the name
        return digest

    def get(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()
