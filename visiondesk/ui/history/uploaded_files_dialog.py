"""View → Uploaded files…: the files VisionDesk uploaded for a profile, and deleting them on
the server."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from visiondesk.domain import human_bytes

if TYPE_CHECKING:
    from visiondesk.workspace import Workspace


class UploadedFilesDialog(QDialog):
    """The open profile's uploads, from the ledger; deleting goes through the workspace."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.profile = profile = workspace.profile
        self.setWindowTitle(f"Uploaded files — {profile.name}")
        self.setAccessibleName("Uploaded files")
        self.resize(720, 420)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(["File", "Size", "Age", "Conversation"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName("Uploaded files")
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel(self)
        selected = QPushButton("Delete selected", self)
        selected.setAccessibleName("Delete selected")
        selected.clicked.connect(lambda: self.delete(only_selected=True))
        everything = QPushButton("Delete all", self)
        everything.setAccessibleName("Delete all")
        everything.clicked.connect(lambda: self.delete(only_selected=False))
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (selected, everything):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Images uploaded for Assistants (or Responses with files) stay on the server until "
                "deleted. Settings choose when VisionDesk deletes them itself.",
                self,
            )
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.records = self.workspace.library.uploads()
        titles = {c.id: c.title for c in self.workspace.library.conversations()}
        self.table.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            age = f"{(time.time() - record.created_at) / 3600:.1f} h"
            conversation = titles.get(record.conversation_id or -1, "(none)")
            for column, text in enumerate(
                (record.filename, human_bytes(record.bytes), age, conversation)
            ):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.status.setText(f"{len(self.records)} file(s) on {self.profile.base_url}")

    def delete(self, only_selected: bool) -> None:
        rows = (
            sorted({index.row() for index in self.table.selectedIndexes()})
            if only_selected
            else list(range(len(self.records)))
        )
        ids = [self.records[row].file_id for row in rows]
        if ids:
            self.status.setText(f"Deleting {len(ids)} file(s)…")
            self.workspace.library.delete_uploads(ids, done=self.refresh)
