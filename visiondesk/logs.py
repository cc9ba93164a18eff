"""Logging to a rotating file in the platform's log folder; keys and image data never reach it."""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

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


def setup(folder: Path, level: int = logging.INFO) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "visiondesk.log"
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redactor())
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    return path
