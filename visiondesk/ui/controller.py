"""What the window does: every job (prepare, upload, send, probe) runs as an asyncio task on
the Qt loop with a success and a failure path, and nothing a person typed or attached is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from visiondesk import __version__
from visiondesk.config.paths import data_dir
from visiondesk.config.profile_store import EMULATOR, load_profiles
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import Secrets
from visiondesk.config.settings import AppSettings, Cleanup
from visiondesk.domain import ApiMode, Detail
from visiondesk.emulator import Emulator, Knobs
from visiondesk.errors import AuthError, Cancelled, ImageError, ModeUnsupported, VisionDeskError
from visiondesk.events import (
    Completed,
    Event,
    Failed,
    FileFailed,
    FileReady,
    Prepared,
    Processing,
    RequestSent,
    TextDelta,
    UploadProgress,
    Usage,
)
from visiondesk.session import Attachment, Connection, Session
from visiondesk.store import History
from visiondesk.ui.history_actions import HistoryActions
from visiondesk.ui.main_window import MainWindow
from visiondesk.ui.sources import sources_from_mime, sources_from_path
from visiondesk.ui.transcript import Entry
from visiondesk.ui.turns import TurnRecord

log = logging.getLogger(__name__)

WELCOME = """### Welcome to VisionDesk

Drop images on the window, paste a screenshot (**Ctrl+V**) or open files (**Ctrl+O**), type a
question and press **Enter**.

{where}

To use OpenAI, open **Edit → Settings**, choose the *OpenAI* profile and enter your API key
(it is kept in the system keychain). For a local server, pick the *Ollama* or *LM Studio*
profile, or add your own with its base URL.
"""


class Controller(QObject, HistoryActions):
    def __init__(
        self,
        window: MainWindow,
        *,
        profiles: dict[str, Profile] | None = None,
        secrets: Secrets | None = None,
        emulator_knobs: Knobs | None = None,
        history: History | None = None,
        settings: AppSettings | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.history_problem = ""
        self.history = history if history is not None else self._open_history()
        self.settings = settings or AppSettings.load()
        self.profiles = profiles if profiles is not None else _load_profiles()
        self.secrets = secrets or Secrets()
        self.emulator_knobs = emulator_knobs or Knobs(token_delay=0.02, file_processing_delay=1.0)
        self.emulator: Emulator | None = None
        self.connections: dict[str, Connection] = {}
        self.profile_key = ""
        self.session: Session | None = None
        self.sources: dict[int, tuple[str | bytes, str]] = {}
        self.crops: dict[int, tuple[int, int, int, int]] = {}
        self.attach_requests: dict[int, list[RequestSent]] = {}  # uploads made on attach
        self.turns: dict[int, TurnRecord] = {}  # by assistant entry id
        self.tasks: set[asyncio.Task[Any]] = set()
        self.attach_tasks: dict[int, asyncio.Task[Any]] = {}
        self.send_task: asyncio.Task[Any] | None = None
        self.total_tokens = (0, 0)
        self._next_attachment = 1
        self._wire()

    # ----- set-up -------------------------------------------------------------------------

    def _open_history(self) -> History:
        """The history in the data folder; if it cannot be opened, a temporary one, said so."""
        import sqlite3
        import tempfile

        try:
            return History(data_dir())
        except (OSError, sqlite3.Error) as error:
            log.error("history unavailable: %s", error)
            self.history_problem = (
                f"The history in {data_dir()} could not be opened ({error}). This session "
                "works, but it is kept only until VisionDesk quits."
            )
            return History(Path(tempfile.mkdtemp(prefix="visiondesk-history-")))

    def _wire(self) -> None:
        w = self.window
        w.send_button.clicked.connect(self.send_or_stop)
        w.composer.submitted.connect(self.send)
        w.composer.cancelled.connect(self.stop)
        w.composer.pastedImages.connect(self.add_mime)
        w.dropped.connect(self.add_mime)
        w.paste_action.triggered.connect(self.paste)
        w.open_action.triggered.connect(self.open_files)
        w.new_action.triggered.connect(self.new_conversation)
        w.settings_action.triggered.connect(self.open_settings)
        w.inspect_action.triggered.connect(self.inspect_last)
        w.about_action.triggered.connect(self.about)
        w.export_markdown_action.triggered.connect(lambda: self.export("md"))
        w.export_html_action.triggered.connect(lambda: self.export("html"))
        w.storage_action.triggered.connect(self.open_storage)
        w.log_action.triggered.connect(self.open_log_folder)
        w.sidebar.chosen.connect(self.open_conversation)
        w.sidebar.newRequested.connect(self.new_conversation)
        w.sidebar.renameRequested.connect(self.rename_conversation)
        w.sidebar.deleteRequested.connect(self.delete_conversation)
        w.sidebar.searchChanged.connect(lambda _text: self.refresh_sidebar())
        w.transcript.actionRequested.connect(self.on_transcript_action)
        w.closing.connect(self.shutdown)
        for key, profile in self.profiles.items():
            w.profile_box.addItem(profile.name, key)
        w.profile_box.currentIndexChanged.connect(self._profile_changed)
        w.mode_box.currentIndexChanged.connect(self._settings_changed)
        w.detail_box.currentIndexChanged.connect(self._settings_changed)
        line = w.model_box.lineEdit()
        if line is not None:
            line.editingFinished.connect(self._settings_changed)
        w.model_box.activated.connect(self._settings_changed)

    def start(self, paths: list[Path]) -> None:
        """Open on OpenAI when a key is at hand, else on the built-in emulator."""
        openai = self.profiles.get("openai")
        key = "openai" if openai is not None and self.secrets.key_for(openai) else EMULATOR
        if key not in self.profiles:
            key = next(iter(self.profiles))
        self.select_profile(key)
        where = (
            "You are connected to **OpenAI**."
            if key == "openai"
            else "No API key is set up, so VisionDesk started its built-in **emulator**: "
            "it answers with what it decoded from your images, so the whole flow works "
            "offline. No model is called."
        )
        self.window.transcript.add("notice", WELCOME.format(where=where))
        if self.history_problem:
            self.notice(self.history_problem)
        if self.history.recovered:
            self.notice(
                f"{self.history.recovered} answer(s) were interrupted when VisionDesk last "
                "stopped; open the conversation in the list to see them and Retry."
            )
        self.refresh_sidebar()
        for path in paths:
            for source, label in sources_from_path(path):
                self.add_source(source, label)

    def welcome(self) -> None:
        """First run: offer an OpenAI key, a running local server, or the emulator."""
        from visiondesk.config.local_servers import running
        from visiondesk.ui.welcome import WelcomeDialog

        local = [key for key in running() if key in self.profiles]
        dialog = WelcomeDialog(local, self.secrets.keychain_available, self.window)
        dialog.finished.connect(lambda _result: self._welcomed(dialog.choice))
        dialog.open()

    def _welcomed(self, choice: tuple[str, str]) -> None:
        kind, value = choice
        if kind == "openai" and "openai" in self.profiles:
            self.secrets.store(self.profiles["openai"], value)
            self.connections.pop("openai", None)
            self.select_profile("openai")
        elif kind == "local":
            self.select_profile(value)
        self.settings.welcomed = True
        self.settings.save()

    def select_profile(self, key: str) -> None:
        box = self.window.profile_box
        index = box.findData(key)
        if index >= 0 and box.currentIndex() != index:
            box.setCurrentIndex(index)  # re-enters through _profile_changed
            return
        self._activate(key)

    def _profile_changed(self, _index: int) -> None:
        key = self.window.profile_box.currentData()
        if key and key != self.profile_key:
            self._activate(str(key))

    def _activate(self, key: str) -> None:
        profile = self.profiles[key]
        if profile.kind is ProviderKind.EMULATOR:
            if self.emulator is None:
                self.emulator = Emulator(knobs=self.emulator_knobs).start()
            profile = Profile(
                profile.name,
                ProviderKind.EMULATOR,
                self.emulator.base_url,
                api_key_env="",
                model=profile.model,
                mode=profile.mode,
                detail=profile.detail,
            )
            self.profiles[key] = profile
        self.profile_key = key
        w = self.window
        for box, value in ((w.mode_box, profile.mode.value), (w.detail_box, profile.detail.value)):
            box.blockSignals(True)
            box.setCurrentIndex(box.findData(value))
            box.blockSignals(False)
        w.model_box.blockSignals(True)
        w.model_box.clear()
        w.model_box.addItem(profile.model)
        w.model_box.setCurrentText(profile.model)
        w.model_box.blockSignals(False)
        label = (
            "emulator on " + profile.base_url
            if profile.kind is ProviderKind.EMULATOR
            else profile.base_url
        )
        w.connection_label.setText(f"{profile.name}: checking {label}…")
        # The conversation goes on with the new server; its words and images travel along.
        self._new_session(keep_history=True)
        self.run(self._probe(profile))
        self.run(self._sweep(profile))

    def connection(self, profile: Profile) -> Connection:
        key = self.profile_key
        existing = self.connections.get(key)
        if existing is None or existing.profile.base_url != profile.base_url:
            existing = Connection(profile, self.secrets.key_for(profile), store=self.history)
            self.connections[key] = existing
        return existing

    def _new_session(self, keep_history: bool, conversation_id: int | None = None) -> None:
        profile = self.profiles[self.profile_key]
        old = self.session
        if keep_history and old is not None:
            conversation_id = old.conversation_id
        self.session = Session(
            profile,
            None,
            mode=ApiMode(self.window.mode_box.currentData()),
            model=self.window.model_box.currentText().strip() or profile.model,
            detail=Detail(self.window.detail_box.currentData()),
            connection=self.connection(profile),
            conversation_id=conversation_id,
        )
        if keep_history and old is not None:
            # Server-side ids (thread, previous response) belong to the old server: not kept.
            self.session.history = old.history
            self.session.state = type(old.state)()
        self._reattach_all()

    async def _probe(self, profile: Profile) -> None:
        connection = self.connection(profile)
        w = self.window
        try:
            capabilities = await connection.capabilities.get(connection.client, profile)
        except VisionDeskError as error:
            w.connection_label.setText(f"{profile.name}: {error.message}")
            return
        if self.profiles.get(self.profile_key) != profile:
            return
        model = w.model_box.currentText()
        w.model_box.blockSignals(True)
        w.model_box.clear()
        w.model_box.addItems(list(capabilities.models) or [model])
        w.model_box.setCurrentText(model)
        w.model_box.blockSignals(False)
        model_item = w.mode_box.model()
        for index in range(w.mode_box.count()):
            mode = ApiMode(w.mode_box.itemData(index))
            item = model_item.item(index)  # type: ignore[attr-defined]
            item.setEnabled(capabilities.supports(mode))
            item.setToolTip(capabilities.missing.get(mode, ""))
        _settle_memory()
        kind = "emulator" if profile.kind is ProviderKind.EMULATOR else "server"
        missing = ", ".join(m.value for m in capabilities.missing)
        w.connection_label.setText(
            f"{profile.name}: connected ({kind} {profile.base_url})"
            + (f" — no {missing}" if missing else "")
        )

    # ----- attachments ----------------------------------------------------------------------

    def add_mime(self, mime: QMimeData) -> None:
        found = sources_from_mime(mime)
        if not found:
            self.notice("Nothing to attach: drop or paste image files, an image, or an image URL.")
        for source, label in found:
            self.add_source(source, label)

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None:
            self.add_mime(mime)

    def open_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.window,
            "Open images",
            "",
            "Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff *.heic *.heif *.avif);;"
            "All files (*)",
        )
        for path in paths:
            self.add_source(path, path)

    def add_source(self, source: str | bytes, label: str) -> int:
        attachment_id = self._next_attachment
        self._next_attachment += 1
        self.sources[attachment_id] = (source, label)
        card = self.window.canvas.add_card(attachment_id, label)
        card.removeRequested.connect(self.remove_attachment)
        card.retryRequested.connect(self.retry_attachment)
        card.moveRequested.connect(self.move_attachment)
        card.previewRequested.connect(self.preview)
        self._attach(attachment_id)
        return attachment_id

    def _attach(self, attachment_id: int) -> None:
        previous = self.attach_tasks.pop(attachment_id, None)
        if previous is not None:
            previous.cancel()
        self.attach_tasks[attachment_id] = self.run(self._attach_job(attachment_id))

    async def _attach_job(self, attachment_id: int) -> None:
        assert self.session is not None
        source, label = self.sources[attachment_id]
        session = self.session
        crop = self.crops.get(attachment_id)
        self.attach_requests[attachment_id] = []
        async for event in session.attach(source, label, attachment_id, crop):
            if session is not self.session:
                return
            if isinstance(event, RequestSent):  # the inspector shows them with the turn
                self.attach_requests[attachment_id].append(event)
            self._card_event(attachment_id, event)
        session.reorder([c.attachment_id for c in self.window.canvas.cards])

    def _card_event(self, attachment_id: int, event: Event) -> None:
        card = self.window.canvas.card(attachment_id)
        if card is None:
            return
        if isinstance(event, Prepared):
            card.set_prepared(event.image)
        elif isinstance(event, UploadProgress):
            card.set_uploading(event.bytes_sent, event.total)
        elif isinstance(event, Processing):
            card.set_processing(event.file_id)
        elif isinstance(event, FileReady):
            card.set_uploaded(event.file_id)
        elif isinstance(event, FileFailed):
            if isinstance(event.error, ImageError):
                self.window.canvas.remove_card(attachment_id)
                self.sources.pop(attachment_id, None)
                self.notice(f"Not attached: {event.error.message}")
            elif not isinstance(event.error, Cancelled):
                card.set_failed(event.error.message, event.error.retryable)

    def remove_attachment(self, attachment_id: int) -> None:
        task = self.attach_tasks.pop(attachment_id, None)
        if task is not None:
            task.cancel()
        self.window.canvas.remove_card(attachment_id)
        self.sources.pop(attachment_id, None)
        if self.session is not None:
            self.session.remove(attachment_id)

    def preview(self, attachment_id: int) -> None:
        from visiondesk.ui.preview import PreviewDialog

        attachment = self._attachment(attachment_id)
        if attachment is None or attachment.prepared is None or attachment.prepared.is_url:
            return
        dialog = PreviewDialog(attachment.prepared, self.crops.get(attachment_id), self.window)
        dialog.cropChosen.connect(lambda crop: self.set_crop(attachment_id, crop))
        dialog.open()

    def set_crop(self, attachment_id: int, crop: tuple[int, int, int, int] | None) -> None:
        """Crop an attachment (None: the whole image again); it is prepared anew."""
        if crop is None:
            self.crops.pop(attachment_id, None)
        else:
            self.crops[attachment_id] = crop
        self._attach(attachment_id)

    def _attachment(self, attachment_id: int) -> Attachment | None:
        session = self.session
        return (
            next((a for a in session.attachments if a.id == attachment_id), None)
            if session
            else None
        )

    def retry_attachment(self, attachment_id: int) -> None:
        if attachment_id in self.sources:
            self._attach(attachment_id)

    def move_attachment(self, attachment_id: int, delta: int) -> None:
        self.window.canvas.move_card(attachment_id, delta)
        if self.session is not None:
            self.session.reorder([c.attachment_id for c in self.window.canvas.cards])

    def _reattach_all(self) -> None:
        for card in self.window.canvas.cards:
            card.status.setText("Preparing…")
            self._attach(card.attachment_id)

    def _settings_changed(self, *_args: object) -> None:
        if self.session is None:
            return
        mode = ApiMode(self.window.mode_box.currentData())
        detail = Detail(self.window.detail_box.currentData())
        model = self.window.model_box.currentText().strip() or self.session.model
        if (mode, detail, model) == (self.session.mode, self.session.detail, self.session.model):
            return
        self.session.mode, self.session.detail, self.session.model = mode, detail, model
        if self.session.conversation_id is not None:  # reopening comes back to these
            self.history.update_settings(
                self.session.conversation_id,
                self.session.profile.name,
                mode.value,
                model,
                detail.value,
            )
        self._reattach_all()

    # ----- sending ----------------------------------------------------------------------------

    def send_or_stop(self) -> None:
        if self.send_task is not None and not self.send_task.done():
            self.stop()
        else:
            self.send()

    def send(self) -> None:
        if self.send_task is not None and not self.send_task.done():
            return
        prompt = self.window.composer.toPlainText().strip()
        if not prompt and not self.sources:
            return
        self.window.composer.clear()
        self.send_task = self.run(self._send_job(prompt or "What is in this image?"))

    def stop(self) -> None:
        if self.send_task is not None and not self.send_task.done():
            self.send_task.cancel()

    async def _send_job(self, prompt: str) -> None:
        session = self.session
        assert session is not None
        w = self.window
        pending = [t for t in self.attach_tasks.values() if not t.done()]
        if pending:  # an image still being prepared goes with this turn, not the next
            await asyncio.gather(*pending, return_exceptions=True)
        session.reorder([c.attachment_id for c in w.canvas.cards])
        images = [a.prepared for a in session.attachments if a.prepared is not None]
        user = w.transcript.add("user", prompt, images)
        answer = w.transcript.add("assistant", state="streaming")
        profile = session.profile
        record = TurnRecord(prompt, images, session.mode, session.model, profile.base_url, user.id)
        for attachment in session.attachments:  # uploads that went out before Send
            record.requests.extend(self.attach_requests.get(attachment.id, []))
        self.turns[answer.id] = record
        w.set_busy(True)
        listed = False
        try:
            async for event in session.send(prompt):
                if not listed:  # the question is stored before the request leaves: list it
                    self.refresh_sidebar()
                    listed = True
                self._turn_event(answer, record, event)
        except asyncio.CancelledError:
            answer.text = session.last.answer or answer.text
            w.transcript.finish(answer, "cancelled")
            self._restore_draft(prompt)
            record.message_ids = session.message_ids
            self.refresh_sidebar()
            raise
        finally:
            w.set_busy(False)

    def _turn_event(self, answer: Entry, record: TurnRecord, event: Event) -> None:
        w = self.window
        if isinstance(event, TextDelta):
            w.transcript.append_text(answer, event.text)
        elif isinstance(event, RequestSent):
            record.requests.append(event)
        elif isinstance(event, UploadProgress | Processing | FileReady | FileFailed):
            attachments = self.session.attachments if self.session else []
            for attachment in attachments:
                if attachment.prepared and attachment.prepared.sha256 == event.sha256:
                    self._card_event(attachment.id, event)
        elif isinstance(event, Usage):
            done_in, done_out = self.total_tokens
            self.total_tokens = (done_in + event.input_tokens, done_out + event.output_tokens)
            w.tokens_label.setText(
                f"last turn {event.input_tokens} in / {event.output_tokens} out · "
                f"conversation {self.total_tokens[0]} in / {self.total_tokens[1]} out"
            )
        elif isinstance(event, Completed):
            answer.text = event.text
            w.transcript.finish(answer, "complete")
            w.canvas.clear()
            self.sources.clear()
            self.crops.clear()
            self.attach_requests.clear()
            record.message_ids = self.session.message_ids if self.session else None
            self.refresh_sidebar()
            if self.settings.cleanup is Cleanup.AFTER_ANSWER:
                self.run(self._delete_uploads([i.upload_key() for i in record.images]))
        elif isinstance(event, Failed):
            answer.text = event.partial
            w.transcript.finish(answer, "failed", event.error.message, _fix_for(event.error))
            self._restore_draft(record.prompt)
            record.message_ids = self.session.message_ids if self.session else None
            self.refresh_sidebar()

    def _restore_draft(self, prompt: str) -> None:
        composer = self.window.composer
        if not composer.toPlainText().strip():
            composer.setPlainText(prompt)

    def on_transcript_action(self, action: str, entry_id: int) -> None:
        if action == "retry":
            self.retry_turn(entry_id)
        elif action == "inspect":
            self.inspect(entry_id)
        elif action == "settings":
            self.open_settings()
        elif action == "use-responses":
            self.window.mode_box.setCurrentIndex(self.window.mode_box.findData("responses"))

    def retry_turn(self, entry_id: int) -> None:
        record = self.turns.get(entry_id)
        if record is None or (self.send_task is not None and not self.send_task.done()):
            return
        transcript = self.window.transcript
        transcript.entries = [
            e for e in transcript.entries if e.id not in (entry_id, record.user_entry)
        ]
        transcript.render_now()
        session = self.session
        if session is not None:
            if record.message_ids is not None:  # the failed attempt leaves the stored history
                for message_id in record.message_ids:
                    self.history.delete_message(message_id)
            if not session.attachments and not self.sources:
                session.attach_prepared(record.images)  # e.g. an answer interrupted by a crash
        if self.window.composer.toPlainText().strip() == record.prompt:
            self.window.composer.clear()
        self.send_task = self.run(self._send_job(record.prompt))

    def new_conversation(self) -> None:
        self.stop()
        self.window.transcript.clear_entries()
        self.turns.clear()
        self.total_tokens = (0, 0)
        self.window.tokens_label.clear()
        self._new_session(keep_history=False)
        self.refresh_sidebar()

    # ----- dialogs ------------------------------------------------------------------------------

    def inspect_last(self) -> None:
        if self.turns:
            self.inspect(max(self.turns))
        else:
            self.notice("Nothing to inspect yet: send a question first.")

    def inspect(self, entry_id: int) -> None:
        from visiondesk.ui.inspector import InspectorDialog

        record = self.turns.get(entry_id)
        if record is not None:
            InspectorDialog(record, self.window).open()

    def open_settings(self) -> None:
        from visiondesk.ui.settings import SettingsDialog

        dialog = SettingsDialog(
            self.profiles, self.profile_key, self.secrets, self.window, app_settings=self.settings
        )
        if dialog.exec():
            self.profiles = dialog.profiles
            self.settings = dialog.app_settings
            self.connections.pop(self.profile_key, None)
            box = self.window.profile_box
            box.blockSignals(True)
            box.clear()
            for key, profile in self.profiles.items():
                box.addItem(profile.name, key)
            box.blockSignals(False)
            self.profile_key = ""
            self.select_profile(dialog.selected_key)

    def about(self) -> None:
        QMessageBox.about(
            self.window,
            "About VisionDesk",
            f"<b>VisionDesk {__version__}</b><p>Ask vision models about images, through every "
            "OpenAI API mode.</p>",
        )

    def notice(self, text: str) -> None:
        self.window.transcript.add("notice", text)

    # ----- tasks ---------------------------------------------------------------------------

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a job; its failure path reports in the window instead of vanishing."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("background job failed", exc_info=error)
            self.notice(f"Something went wrong: {type(error).__name__}: {error}")

    def shutdown(self) -> None:
        """Quit: cancel every job, close connections, stop the emulator."""
        for task in list(self.tasks):
            task.cancel()
        for connection in self.connections.values():
            connection.uploader.cancel()
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    async def aclose(self) -> None:
        pending = list(self.tasks)
        self.shutdown()
        if pending:  # let the cancelled jobs finish unwinding while the loop still runs
            await asyncio.gather(*pending, return_exceptions=True)
        for connection in self.connections.values():
            with contextlib.suppress(Exception):
                await connection.aclose()


_frozen = False


def _settle_memory() -> None:
    """Once start-up has imported the SDK and built its models, move those long-lived objects
    out of the garbage collector's sight: a full collection over them paused the UI ~50 ms."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def _fix_for(error: VisionDeskError) -> tuple[str, str] | None:
    if isinstance(error, AuthError):
        return ("settings", "Open Settings")
    if isinstance(error, ModeUnsupported):
        return ("use-responses", "Use Responses")
    return None


def _load_profiles() -> dict[str, Profile]:
    try:
        return load_profiles()
    except ValueError as error:
        log.error("%s", error)
        from visiondesk.config.profile_store import BUILTIN

        return dict(BUILTIN)
