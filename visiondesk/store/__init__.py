"""History on disk: stdlib sqlite3 (WAL) plus image blobs addressed by content hash. No Qt."""

from visiondesk.store.history import (
    History,
    HistoryUnavailable,
    StoredConversation,
    StoredMessage,
    UploadRecord,
)

__all__ = [
    "History",
    "HistoryUnavailable",
    "StoredConversation",
    "StoredMessage",
    "UploadRecord",
]
