"""History on disk: stdlib sqlite3 (WAL) plus image blobs addressed by content hash. No Qt."""

from visiondesk.store.backup import BackupReport, backup
from visiondesk.store.history import (
    History,
    MissingImage,
    StoredConversation,
    StoredMessage,
    UploadRecord,
)

__all__ = [
    "BackupReport",
    "History",
    "MissingImage",
    "StoredConversation",
    "StoredMessage",
    "UploadRecord",
    "backup",
]
