"""File → Batch…: one question over many images. The panel sends intents to a `BatchJob` and
shows what it announces; the job keeps running while the person chats in the main window.

Check, Start, Continue and Cancel run as jobs of the group "batch" (the workspace's job helper):
the buttons follow from what runs, and a failure, however unforeseen, is said in the status
line with the buttons ready for another try."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.batch import BatchJob, Estimate, Progress, writing_results
from visiondesk.config.profiles import Profile
from visiondesk.config.secrets import Secrets
from visiondesk.config.settings import AppSettings
from visiondesk.domain import BatchEngine, JobStatus
from visiondesk.errors import VisionDeskError, in_words
from visiondesk.store import History
from visiondesk.store.batches import BatchStore
from visiondesk.ui.batch.batch_form import BatchForm
from visiondesk.ui.batch.saved_jobs import OPEN, SavedJobs
from visiondesk.ui.window_memory import WindowMemory
from visiondesk.workspace.jobs import Group, Jobs

log = logging.getLogger(__name__)
SENDING = (JobStatus.RUNNING, JobStatus.PAUSED)
BATCH = Group.BATCH
"""The job group of the panel's work."""
READY_TEXT = "Add images and a question, then Check."
MEASURING_TEXT = "Finding and measuring the images…"


class BatchPanel(QWidget):
    """The Batch window: the form, the saved jobs, the buttons and what the job announces.

    Signals: none of its own — it acts on the job itself (its buttons call `check`, `start`,
    `pause_or_continue`, `cancel`, `resume_saved`); `SavedJobs` and `BatchForm` have theirs."""

    def __init__(
        self,
        profiles: dict[str, Profile],
        secrets: Secrets,
        history: History,
        settings: AppSettings | None = None,
        parent: QWidget | None = None,
        *,
        jobs: Jobs | None = None,
        memory: WindowMemory | None = None,
    ) -> None:
        """`jobs`: the workspace's job helper (a panel of its own gets its own); `memory`:
        where its file dialogs start."""
        super().__init__(parent)
        self.setWindowTitle("Batch")
        self.setAccessibleName("Batch")
        self.profiles = profiles
        self.secrets = secrets
        self.history = history
        self.settings = settings or AppSettings.load()
        self.store = BatchStore(history.folder)
        self.jobs = jobs if jobs is not None else Jobs()
        self.job: BatchJob | None = None
        self.estimate: Estimate | None = None
        self.progress: Progress | None = None

        self.form = BatchForm(profiles, self, memory)
        self.saved_jobs = SavedJobs(self.store, self)
        self.saved, self.continue_saved = self.saved_jobs.saved, self.saved_jobs.continue_saved
        self.saved_jobs.open_requested.connect(self.resume_saved)
        self.saved_jobs.chosen_changed.connect(self._enable)
        self.summary = QLabel(READY_TEXT, self)
        self.summary.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName("Batch progress")
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Batch status")
        self.remote = QLabel("", self)
        self.check_button = QPushButton("Check", self)
        self.start_button = QPushButton("Start", self)
        self.pause_button = QPushButton("Pause", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.results_button = QPushButton("Open results", self)
        self.check_button.clicked.connect(self.check)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause_or_continue)
        self.cancel_button.clicked.connect(self.cancel)
        self.results_button.clicked.connect(self.open_results)

        buttons = QHBoxLayout()
        for button in (self.check_button, self.start_button, self.pause_button):
            buttons.addWidget(button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.results_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.saved_jobs)
        layout.addWidget(self.form)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.remote)
        self._list_saved()
        self.jobs.changed.connect(self._enable)
        self._following = True
        self._enable()

    # intents --------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Work of the panel runs (a check, a run, a cancel)."""
        return self.jobs.running(BATCH)

    @property
    def sending(self) -> bool:
        """The job's images are being sent (what Pause and Cancel act on)."""
        return self.busy and self.job is not None and self.job.record.status in SENDING

    def check(self) -> asyncio.Task[Any]:
        return self._spawn(self._check(), "Check")

    def start(self) -> asyncio.Task[Any]:
        return self._spawn(self._start(), "Start")

    def pause_or_continue(self) -> None:
        if self.job is None or self.job.record.engine is not BatchEngine.LIVE:
            return
        if self.job.record.status is JobStatus.PAUSED:
            self.job.resume()
        else:
            self.job.pause()

    def cancel(self) -> None:
        """While sending: the job cancels (what its batches finished is still collected);
        while checking: the check stops."""
        if self.sending and self.job is not None:
            self._spawn(self.job.cancel(), "Cancel")
        else:
            self.jobs.cancel(BATCH)

    def open_results(self) -> None:
        if self.job is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.job.folder)))

    def resume_saved(self) -> asyncio.Task[Any] | None:
        """Continue a job saved earlier (after a crash or a restart), or open a finished one
        again to see its results; either way the form shows the job's own settings."""
        record = self.saved_jobs.chosen()
        if record is None:
            return None
        profile = next((p for p in self.profiles.values() if p.name == record.profile), None)
        if profile is None:
            self.summary.setText(f"The profile '{record.profile}' of this job no longer exists.")
            return None
        self.form.show_job(record)
        if record.status not in OPEN:
            return self._spawn(self._reopen(record.id, profile), "Open job")
        return self._spawn(self._resume(record.id, profile), "Continue job")

    async def _resume(self, job_id: int, profile: Profile) -> None:
        self._adopt(BatchJob.open(self.store, job_id, profile, await self.secrets.fetch(profile)))
        await self._run()

    async def _reopen(self, job_id: int, profile: Profile) -> None:
        """A finished job, to see and open its results: nothing is sent, no key is needed."""
        job = BatchJob.open(self.store, job_id, profile, None)
        self._adopt(job)
        self.summary.setText(
            f"Job {job.id} ({job.record.status.value}): its results are in {job.folder}."
        )
        self._list_saved()

    async def aclose(self) -> None:
        """Stop sending (a live job stays resumable) and close the connection."""
        self.jobs.cancel(BATCH)
        await self.jobs.wait(BATCH)
        if self._following:
            self._following = False
            self.jobs.changed.disconnect(self._enable)
        if self.job is not None:
            await self.job.aclose()
        self.store.close()

    # work -----------------------------------------------------------------------------------

    async def _check(self) -> None:
        try:
            spec = self.form.spec()
        except (VisionDeskError, ValueError) as error:
            self.summary.setText(str(error))
            return
        self.summary.setText(MEASURING_TEXT)
        replaced = self.job
        job = await asyncio.to_thread(
            BatchJob.create,
            self.store,
            spec,
            self.form.sources.paths(),
            await self.secrets.fetch(spec.profile),  # on its own thread: it may ask for a password
            recursive=self.form.recursive.isChecked(),
            ledger=self.history,
            cleanup=self.settings.cleanup,
            concurrency=self.form.concurrency.value(),
        )
        try:
            job.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            self.store.delete_job(job.id)  # not half made: no job without its results folder
            await job.aclose()
            raise
        if replaced is not None and replaced.record.status is JobStatus.READY:
            self.store.delete_job(replaced.id)  # checked again before it started: replaced
        self._adopt(job)
        self.estimate = await job.estimate()
        self.summary.setText(self.estimate.summary())
        self._list_saved()

    async def _start(self) -> None:
        """Run the job checked; one stopped by a failure goes on where it stopped (nothing
        finished is sent again); after a finished or cancelled one, check afresh."""
        if self.job is None or self.job.record.status not in (JobStatus.READY, JobStatus.PAUSED):
            await self._check()
        if self.job is not None:
            await self._run()

    async def _run(self) -> None:
        job = self.job
        if job is None:
            return
        try:
            with writing_results(job, job.folder / "results.jsonl", job.folder / "results.csv"):
                await job.run()
        finally:
            self._list_saved()

    def _adopt(self, job: BatchJob) -> None:
        job.folder.mkdir(parents=True, exist_ok=True)
        old = self.job
        if old is not None and old is not job:
            old.progress_listeners.remove(self._show)
            self.jobs.start(BATCH, old.aclose(), failure=lambda error: log.warning("%r", error))
        self.job = job
        job.progress_listeners.append(self._show)
        self._show(job.progress())

    def _show(self, progress: Progress) -> None:
        self.progress = progress
        self.bar.setMaximum(max(1, progress.total))
        self.bar.setValue(progress.finished)
        self.status.setText(progress.summary())
        self.remote.setText(progress.remote_summary())
        self.pause_button.setText("Continue" if progress.status is JobStatus.PAUSED else "Pause")
        self._enable()

    def _enable(self) -> None:
        busy = self.busy
        live = self.job is not None and self.job.record.engine is BatchEngine.LIVE
        self.check_button.setEnabled(not busy)
        self.start_button.setEnabled(not busy)
        self.saved_jobs.enable(busy)
        self.pause_button.setEnabled(self.sending and live)
        self.cancel_button.setEnabled(busy)
        self.results_button.setEnabled(self.job is not None)

    def _list_saved(self) -> None:
        self.saved_jobs.refresh(self.job.id if self.job is not None else None)

    def _spawn(self, work: Coroutine[Any, Any, Any], action: str) -> asyncio.Task[Any]:
        """Run `work` as a job of the panel; however it ends, the summary and the status line
        say so (`action`: the button the person pressed)."""
        summary = self.summary.text()
        task = self.jobs.start(BATCH, work, failure=lambda error: self._failed(action, error))

        def ended(done: asyncio.Task[Any]) -> None:
            if self.summary.text() == MEASURING_TEXT:  # not left saying so after a failure
                self.summary.setText(summary if self.job is not None else READY_TEXT)
            if done.cancelled():
                self.status.setText(f"{action} was stopped.")

        task.add_done_callback(ended)
        return task

    def _failed(self, action: str, error: BaseException) -> None:
        again = "Continue job" if action == "Continue job" else "Start"
        self.status.setText(f"✗ {action} failed: {in_words(error)} — press {again} to try again.")
