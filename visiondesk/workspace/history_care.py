"""Intents on the history file itself: check it, repair it, restore it from a backup, back
it up — each a job off the UI thread that says how it ended; after a repair or a restore the
conversation list and the open conversation are read again from the new file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from visiondesk.errors import in_words
from visiondesk.store import BackupReport
from visiondesk.workspace.jobs import Group

if TYPE_CHECKING:
    from visiondesk.workspace.host import Host
    from visiondesk.workspace.library import Library


class HistoryCare:
    def __init__(self, workspace: Host, library: Library) -> None:
        self._ws = workspace
        self._library = library

    def check(self) -> None:
        """Check history: sqlite's own check and every image, off the UI thread (a job)."""
        ws = self._ws

        def report(problems: list[str]) -> None:
            if problems:
                ws.notice(
                    "**Check history** found damage:\n\n"
                    + "\n".join(f"- {problem}" for problem in problems)
                )
            else:
                ws.notice("**Check history**: the history and every image are readable.")

        ws.jobs.start(
            Group.CHECK_HISTORY,
            asyncio.to_thread(ws.history.integrity_check),
            success=report,
            failure=lambda error: ws.notice(f"Check history could not finish: {error}"),
        )

    def repair(self) -> None:
        """Repair: a new history from every row that can be read (off the UI thread, a job),
        the damaged file kept aside; then the open conversation is read again."""
        if self._refuse("Repair"):
            return
        ws = self._ws
        ws.jobs.start(
            Group.REPAIR,
            asyncio.to_thread(ws.history.repair),
            success=lambda report: self._replaced(report.summary()),
            failure=lambda error: self._not_replaced("Repair", error),
        )

    def restore(self, backup: Path) -> None:
        """Restore from a backup…: the backup file (checked first) replaces the history, the
        current file kept aside; then the open conversation is read again."""
        if self._refuse("Restore"):
            return
        ws = self._ws
        ws.jobs.start(
            Group.RESTORE,
            asyncio.to_thread(ws.history.restore, backup),
            success=lambda report: self._replaced(report.summary()),
            failure=lambda error: self._not_replaced("Restore", error),
        )

    def _refuse(self, what: str) -> bool:
        """One repair or restore at a time, and never under an answer being saved."""
        ws = self._ws
        if ws.jobs.running(Group.REPAIR) or ws.jobs.running(Group.RESTORE):
            return True
        if ws.busy or ws.jobs.running(Group.BATCH):
            ws.notice(
                f"{what} waits for the answer or batch under way: stop it or let it end, "
                f"then {what} again."
            )
            return True
        return False

    def _replaced(self, result: str) -> None:
        """The history is another file now: the list and the open conversation are read
        again from it (a conversation it no longer has becomes a new one)."""
        ws = self._ws
        ws.set_damage("")
        ws.history_replaced.emit()
        conversation_id = ws.conversation_id
        if conversation_id is not None and ws.history.conversation(conversation_id) is not None:
            # Said once the conversation is drawn again (drawing clears the transcript).
            self._library.open(conversation_id).add_done_callback(lambda _task: ws.notice(result))
        else:
            self._library.new()
            ws.notice(result)
        ws.conversations_changed.emit()

    def _not_replaced(self, what: str, error: BaseException) -> None:
        ws = self._ws
        message = f"{what} could not finish: {in_words(error)}"
        ws.set_damage(f"{ws.damage} {message}" if ws.damage else message)

    def backup(self, target: Path) -> None:
        """File → Back up history: a consistent copy with its images, made while in use."""
        ws = self._ws

        def done(report: BackupReport) -> None:
            gone = (
                f" {len(report.missing)} image file(s) were already missing."
                if report.missing
                else ""
            )
            ws.notice(
                f"History backed up to {report.database.parent} ({report.images} image(s)).{gone}"
            )

        ws.jobs.start(
            Group.BACKUP,
            asyncio.to_thread(ws.history.backup, target),
            success=done,
            failure=lambda error: ws.notice(f"The backup to {target} failed: {error}"),
        )
