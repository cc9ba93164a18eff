"""The Batch window's first row: the jobs saved earlier, unfinished ones first (those are the
ones to continue), and the button that continues one — or, for a finished job, opens it again
to see its results."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QWidget

from visiondesk.domain import JobStatus
from visiondesk.store.batches import BatchStore, JobRecord

OPEN = (JobStatus.READY, JobStatus.RUNNING, JobStatus.PAUSED)
"""A job in one of these can still be sent: Continue; any other has ended: Open."""


class SavedJobs(QWidget):
    """The saved jobs and their Continue/Open button.

    Signals: `open_requested()` (Continue job / Open job pressed); `chosen_changed()` (another
    job picked in the list)."""

    open_requested = Signal()
    chosen_changed = Signal()

    def __init__(self, store: BatchStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.saved = QComboBox(self)
        self.saved.setAccessibleName("Batch jobs")
        self.continue_saved = QPushButton("Continue job", self)
        self.continue_saved.clicked.connect(self.open_requested)
        self.saved.currentIndexChanged.connect(lambda _index: self.chosen_changed.emit())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.saved, 1)
        row.addWidget(self.continue_saved)

    def chosen(self) -> JobRecord | None:
        """The job picked, as saved now."""
        job_id = self.saved.currentData()
        return self.store.job(int(job_id)) if job_id is not None else None

    def refresh(self, shown: int | None) -> None:
        """List the saved jobs again, leaving out `shown` (the job the panel has open)."""
        self.saved.blockSignals(True)
        self.saved.clear()
        for record in self.store.jobs():
            if record.id != shown:
                label = f"Job {record.id}: {record.prompt[:40]} ({record.status.value})"
                if record.status in OPEN:
                    self.saved.insertItem(0, label, record.id)
                else:
                    self.saved.addItem(label, record.id)
        self.saved.setCurrentIndex(0 if self.saved.count() else -1)
        self.saved.blockSignals(False)
        self.chosen_changed.emit()

    def enable(self, busy: bool) -> None:
        """Continue is pressable when nothing of the panel runs and there is a job to pick."""
        record = self.chosen()
        finished = record is not None and record.status not in OPEN
        self.continue_saved.setText("Open job" if finished else "Continue job")
        self.continue_saved.setEnabled(not busy and self.saved.count() > 0)
