"""Logging to a rotating file in the platform's log folder; keys and image data never reach it."""

from __future__ import annotations

import io
import logging
import os
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from visiondesk.config.paths import FILE_MODE, private_folder, tighten

_SECRETS = re.compile(r"(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+\S+)")
_BASE64 = re.compile(r"(data:[\w/+.-]*;base64,)[A-Za-z0-9+/=]{32,}")


class Redactor(logging.Filter):
    """Masks anything shaped like a key or a base64 image in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _BASE64.sub(r"\1…", _SECRETS.sub("[redacted]", message))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Log files are 0600 whatever the umask: they name files and quote questions. Rotation
    renames files, so the older ones keep that mode."""

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in self.mode else os.O_TRUNC)
        descriptor = os.open(self.baseFilename, flags, FILE_MODE)
        os.chmod(self.baseFilename, FILE_MODE)  # created 0600 minus the umask: restore it
        # The handler owns the stream (closed with the handler), so no context manager here.
        return io.TextIOWrapper(
            io.BufferedWriter(io.FileIO(descriptor, "a" if "a" in self.mode else "w")),
            encoding=self.encoding,
            errors=self.errors,
        )


def setup(folder: Path, level: int = logging.INFO) -> Path:
    private_folder(folder)
    tighten(folder)
    path = folder / "visiondesk.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redactor())
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    return path
