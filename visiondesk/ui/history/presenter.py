"""The history presenter: the sidebar mirrors the stored conversations (the open one selected);
open, new, rename and delete, exports, the uploaded-files panel and the log folder become
intents on the workspace's library.

Exports and backups run off the UI thread as jobs ("export", "backup"); while one runs its
actions are disabled (they follow the running jobs), and how it ended is a notice."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from visiondesk.config.paths import log_folder
from visiondesk.errors import StorageError, in_words
from visiondesk.store import StoredConversation
from visiondesk.ui.history.row_pictures import RowPictures
from visiondesk.ui.history.sidebar import Sidebar
from visiondesk.ui.history.uploaded_files_dialog import UploadedFilesDialog
from visiondesk.ui.widgets.overlays import Banner
from visiondesk.ui.window_memory import WindowMemory, note_folder, start_folder
from visiondesk.workspace import Workspace
from visiondesk.workspace.jobs import Group

log = logging.getLogger(__name__)
EXPORT = Group.EXPORT
BACKUP = Group.BACKUP


def _no_pictures(error: BaseException) -> None:
    """The rows go without pictures (a damaged history says so itself, in the banner)."""
    log.warning("the sidebar's pictures could not be read: %s", error)


class HistoryWindow(Protocol):
    """What the presenter uses of the main window (which composes the features; a feature
    never imports it)."""

    @property
    def sidebar(self) -> Sidebar: ...
    @property
    def banner(self) -> Banner: ...
    @property
    def new_action(self) -> QAction: ...
    @property
    def export_markdown_action(self) -> QAction: ...
    @property
    def export_html_action(self) -> QAction: ...
    @property
    def storage_action(self) -> QAction: ...
    @property
    def backup_action(self) -> QAction: ...
    @property
    def check_history_action(self) -> QAction: ...
    @property
    def log_action(self) -> QAction: ...
    def focus_composer(self) -> None: ...
    def window(self) -> QWidget: ...


class HistoryPresenter(QObject):
    def __init__(
        self, workspace: Workspace, window: HistoryWindow, memory: WindowMemory | None = None
    ) -> None:
        super().__init__(window.window())
        self.workspace = workspace
        self.window = window
        self.owner = window.window()
        """The window itself: the parent of the dialogs."""
        self.memory = memory
        self.pictures = RowPictures(workspace.library)
        sidebar = window.sidebar
        sidebar.open_requested.connect(self.open)
        sidebar.new_requested.connect(self.new)
        sidebar.done_choosing.connect(window.focus_composer)
        sidebar.rename_requested.connect(self.rename)
        sidebar.delete_requested.connect(self.delete)
        sidebar.search_changed.connect(lambda _text: self.refresh())
        workspace.conversations_changed.connect(self.refresh)
        workspace.compare.columns_changed.connect(self.refresh)  # the highlight follows it
        workspace.conversation_changed.connect(lambda _id: self.refresh())
        window.new_action.triggered.connect(self.new)
        window.export_markdown_action.triggered.connect(lambda: self.export("md"))
        window.export_html_action.triggered.connect(lambda: self.export("html"))
        window.storage_action.triggered.connect(self.open_storage)
        window.backup_action.triggered.connect(self.backup)
        window.check_history_action.triggered.connect(workspace.care.check)
        window.banner.check_requested.connect(workspace.care.check)
        window.banner.export_requested.connect(lambda: self.export("html"))
        window.banner.repair_requested.connect(workspace.care.repair)
        window.banner.restore_requested.connect(self.restore)
        self.backups = ""
        """The folder the last backup went into: Restore starts there."""
        workspace.damage_changed.connect(window.banner.show_damage)
        window.log_action.triggered.connect(self.open_log_folder)
        workspace.jobs.changed.connect(self._enable)
        self.refresh()
        self._enable()

    def _enable(self) -> None:
        """Export and Back up wait for the one under way (the actions follow the jobs)."""
        jobs = self.workspace.jobs
        exporting = jobs.running(EXPORT)
        for action in (self.window.export_markdown_action, self.window.export_html_action):
            action.setEnabled(not exporting)
        self.window.backup_action.setEnabled(not jobs.running(BACKUP))
        replacing = jobs.running(Group.REPAIR) or jobs.running(Group.RESTORE)
        self.window.banner.enable(
            not replacing and not self.workspace.busy and not jobs.running(Group.BATCH)
        )

    def refresh(self) -> None:
        sidebar = self.window.sidebar
        found = self.workspace.library.conversations(sidebar.search.text())
        pixels = sidebar.picture_pixels
        known = self.pictures.known(pixels)
        compare = self.workspace.compare  # a compare open: its row is the one shown
        shown = compare.first if compare.active else self.workspace.conversation_id
        sidebar.show_conversations(found, shown, known)
        # Which image each conversation starts with, and the pictures not decoded yet, are
        # read off the UI thread; a list shown again drops the read for the one before.
        jobs = self.workspace.jobs
        jobs.cancel(Group.PICTURES)
        ratio = sidebar.devicePixelRatioF()
        order = [conversation.id for conversation in found]
        pictures = self.pictures.load(order, pixels, ratio, sidebar.show_pictures)
        jobs.start(Group.PICTURES, pictures, failure=_no_pictures)

    def open(self, conversation_id: int) -> None:
        # Read off the UI thread; once it ends (opened or not), the highlight shows what is
        # open. One replaced by a newer choice (arrowing on) leaves the highlight alone.
        task = self.workspace.library.open(conversation_id)
        task.add_done_callback(self._opened)

    def _opened(self, task: asyncio.Task[bool]) -> None:
        if not task.cancelled():
            self.refresh()

    def new(self) -> None:
        self.workspace.library.new()
        self.refresh()
        self.window.focus_composer()

    def _title(self) -> str:
        compare = self.workspace.compare
        conversation_id = compare.first if compare.active else self.workspace.conversation_id
        stored = self._stored(conversation_id) if conversation_id else None
        return "".join(c for c in stored.title if c not in '/\\:*?"<>|').strip() if stored else ""

    def _stored(self, conversation_id: int) -> StoredConversation | None:
        """The conversation's row, or None where a damaged page hides it (the banner says)."""
        try:
            return self.workspace.history.conversation(conversation_id)
        except StorageError as error:
            self.workspace.set_damage(error.message)
            return None

    def rename(self, conversation_id: int) -> None:
        stored = self._stored(conversation_id)
        title, ok = QInputDialog.getText(
            self.owner, "Rename conversation", "Title:", text=stored.title if stored else ""
        )
        if ok:
            self.workspace.library.rename(conversation_id, title)

    def delete(self, conversation_id: int) -> None:
        answer = QMessageBox.question(
            self.owner,
            "Delete conversation",
            "Delete this conversation? Images uploaded for it are deleted from the server "
            "too, unless Settings say never.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.workspace.library.delete(conversation_id)

    def export(self, kind: str) -> None:
        if self.workspace.jobs.running(EXPORT):
            return  # the banner's button: one export at a time, as the menu's
        if self.workspace.conversation_id is None:
            self.workspace.notice("Nothing to export yet: this conversation has no saved turn.")
            return
        start = start_folder(self.memory)
        if kind == "md":
            folder = QFileDialog.getExistingDirectory(self.owner, "Export as Markdown into", start)
            target = Path(folder) if folder else None
        else:
            title = self._title() or "conversation"
            name, _ = QFileDialog.getSaveFileName(
                self.owner, "Export as HTML", str(Path(start) / f"{title}.html"), "HTML (*.html)"
            )
            target = Path(name) if name else None
        self.window.focus_composer()
        if target is not None:
            note_folder(self.memory, str(target))
            self._export(kind, target)

    def _export(self, kind: str, target: Path) -> None:
        """Write the export off the UI thread (images are read from the history and encoded)."""
        workspace = self.workspace
        workspace.jobs.start(
            EXPORT,
            asyncio.to_thread(workspace.library.export, kind, target),
            success=lambda written: workspace.notice(f"Exported to {written}."),
            failure=lambda error: workspace.notice(
                f"Could not export to {target}: {in_words(error).rstrip('.')}. Choose another "
                "folder and export again."
            ),
        )

    def backup(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.owner, "Back up the history into", start_folder(self.memory)
        )
        self.window.focus_composer()
        if folder:
            note_folder(self.memory, folder)
            self.backups = folder
            self.workspace.care.backup(Path(folder))

    def restore(self) -> None:
        """The banner's Restore from a backup…: choose the history.sqlite3 a backup made."""
        start = self.backups or start_folder(self.memory)
        name, _ = QFileDialog.getOpenFileName(
            self.owner,
            "Restore the history from a backup",
            str(Path(start) / "history.sqlite3"),
            "VisionDesk history (history.sqlite3);;All files (*)",
        )
        self.window.focus_composer()
        if name:
            self.workspace.care.restore(Path(name))

    def open_storage(self) -> None:
        UploadedFilesDialog(self.workspace, self.owner).open()

    def open_log_folder(self) -> None:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
