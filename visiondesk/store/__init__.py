"""History on disk: stdlib sqlite3 (WAL) plus image blobs addressed by content hash. No Qt."""

from visiondesk.store.attachments import MissingImage
from visiondesk.store.backup import BackupReport, backup
from visiondesk.store.conversations import StoredConversation
from visiondesk.store.history import History
from visiondesk.store.messages import StoredMessage
from visiondesk.store.repair import RepairReport, RestoreReport
from visiondesk.store.upload_ledger import UploadRecord

__all__ = [
    "BackupReport",
    "History",
    "MissingImage",
    "RepairReport",
    "RestoreReport",
    "StoredConversation",
    "StoredMessage",
    "UploadRecord",
    "backup",
]
