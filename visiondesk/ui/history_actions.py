"""The window's history actions: the sidebar, re-opening, rename, delete with the clean-up of
uploaded files, exports, the storage panel and the log folder. Mixed into the Controller."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

from visiondesk.config.profiles import Profile
from visiondesk.config.settings import AppSettings, Cleanup
from visiondesk.domain import ApiMode
from visiondesk.store import History
from visiondesk.ui.transcript import Entry
from visiondesk.ui.turns import TurnRecord

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Coroutine

    from visiondesk.session import Connection, Session
    from visiondesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class HistoryActions:
    window: MainWindow
    history: History
    session: Session | None
    profiles: dict[str, Profile]
    profile_key: str
    settings: AppSettings
    turns: dict[int, TurnRecord]
    sources: dict[int, tuple[str | bytes, str]]
    crops: dict[int, tuple[int, int, int, int]]

    if TYPE_CHECKING:  # provided by the Controller

        def stop(self) -> None: ...
        def select_profile(self, key: str) -> None: ...
        def new_conversation(self) -> None: ...
        def notice(self, text: str) -> None: ...
        def connection(self, profile: Profile) -> Connection: ...
        def run(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]: ...
        def _new_session(self, keep_history: bool, conversation_id: int | None = None) -> None: ...

    def refresh_sidebar(self) -> None:
        current = self.session.conversation_id if self.session else None
        found = self.history.conversations(self.window.sidebar.search.text())
        self.window.sidebar.show_conversations(found, current)

    def open_conversation(self, conversation_id: int) -> None:
        """Show a stored conversation and continue it (same thread or response chain)."""
        stored = self.history.conversation(conversation_id)
        if stored is None:
            return
        self.stop()
        w = self.window
        w.canvas.clear()
        self.sources.clear()
        self.crops.clear()
        by_name = {p.name: k for k, p in self.profiles.items()}
        key = by_name.get(stored.profile)
        if key is not None and key != self.profile_key:
            self.select_profile(key)
        for box, value in ((w.mode_box, stored.mode), (w.detail_box, stored.detail)):
            box.blockSignals(True)
            box.setCurrentIndex(box.findData(value))
            box.blockSignals(False)
        w.model_box.setCurrentText(stored.model)
        w.transcript.clear_entries()
        self.turns.clear()
        user: Entry | None = None
        user_id = 0
        base_url = self.profiles[self.profile_key].base_url
        for message in self.history.messages(conversation_id):
            if message.role == "user":
                user = w.transcript.add("user", message.text, message.images)
                user_id = message.id
                continue
            answer = w.transcript.add("assistant", message.text)
            w.transcript.finish(answer, message.status, message.error)
            if user is not None:
                self.turns[answer.id] = TurnRecord(
                    user.text,
                    list(user.images),
                    ApiMode(stored.mode),
                    stored.model,
                    base_url,
                    user.id,
                    message_ids=(user_id, message.id),
                )
        self._new_session(keep_history=False, conversation_id=conversation_id)
        self.refresh_sidebar()

    def rename_conversation(self, conversation_id: int, title: str | None = None) -> None:
        if title is None:
            from PySide6.QtWidgets import QInputDialog

            stored = self.history.conversation(conversation_id)
            title, ok = QInputDialog.getText(
                self.window, "Rename conversation", "Title:", text=stored.title if stored else ""
            )
            if not ok:
                return
        if title.strip():
            self.history.rename(conversation_id, title.strip())
            self.refresh_sidebar()

    def delete_conversation(self, conversation_id: int, confirm: bool = True) -> None:
        if confirm:
            answer = QMessageBox.question(
                self.window,
                "Delete conversation",
                "Delete this conversation? Images uploaded for it are deleted from the server "
                "too, unless Settings say never.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.history.delete(conversation_id)
        if self.session is not None and self.session.conversation_id == conversation_id:
            self.new_conversation()
        self.refresh_sidebar()
        if self.settings.cleanup is Cleanup.ON_DELETE:
            self.run(self._sweep(self.profiles[self.profile_key]))

    async def _sweep(self, profile: Profile) -> None:
        """Delete uploads no conversation refers to any more (start-up, and after a delete)."""
        if self.settings.cleanup is Cleanup.NEVER:
            return
        records = self.history.unreferenced_uploads(profile.name)
        if records:
            await self.delete_files(profile, [r.file_id for r in records])

    async def _delete_uploads(self, upload_keys: list[str]) -> None:
        profile = self.profiles[self.profile_key]
        ids = [u.file_id for u in self.history.uploads(profile.name) if u.upload_key in upload_keys]
        await self.delete_files(profile, ids)

    async def delete_files(self, profile: Profile, file_ids: list[str]) -> int:
        """Delete files on the server (a 404 means already gone) and mark them in the ledger."""
        import openai

        connection = self.connection(profile)
        client = connection.client
        deleted = 0
        for file_id in file_ids:
            try:
                await client.files.delete(file_id)
            except openai.NotFoundError:
                pass
            except openai.APIError as error:
                log.warning("could not delete %s: %s", file_id, type(error).__name__)
                continue
            self.history.mark_deleted(profile.name, file_id)
            connection.uploader.forget(file_id)
            deleted += 1
        return deleted

    def export(self, kind: str, target: Path | None = None) -> Path | None:
        from visiondesk.store.export import to_html, to_markdown

        session = self.session
        if session is None or session.conversation_id is None:
            self.notice("Nothing to export yet: this conversation has no saved turn.")
            return None
        if target is None:
            if kind == "md":
                folder = QFileDialog.getExistingDirectory(self.window, "Export as Markdown into")
                target = Path(folder) if folder else None
            else:
                name, _ = QFileDialog.getSaveFileName(
                    self.window, "Export as HTML", "conversation.html", "HTML (*.html)"
                )
                target = Path(name) if name else None
        if target is None:
            return None
        if kind == "md":
            return to_markdown(self.history, session.conversation_id, target)
        return to_html(self.history, session.conversation_id, target)

    def open_storage(self) -> None:
        from visiondesk.ui.storage import StorageDialog

        StorageDialog(self, self.profiles[self.profile_key], self.window).open()

    def open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from visiondesk.config.paths import log_folder

        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
