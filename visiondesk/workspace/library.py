"""Intents on the stored conversations: open one and continue it, start a new one, rename,
delete (with the clean-up of its uploads), export, and the uploaded files of a profile. The
history file's own care (check, repair, restore, backup) is history_care.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from visiondesk.config.settings import Cleanup
from visiondesk.domain import ApiMode, Continuation, Detail
from visiondesk.errors import StorageError, VisionDeskError
from visiondesk.store import StoredConversation, StoredMessage, UploadRecord
from visiondesk.store.opening import OpenedConversation, read_compare, read_conversation
from visiondesk.workspace.attaching import job_key
from visiondesk.workspace.draft import Attachment
from visiondesk.workspace.jobs import Group
from visiondesk.workspace.settings import ConversationSettings
from visiondesk.workspace.transcript import TurnStatus

if TYPE_CHECKING:
    from visiondesk.workspace.host import Host


@dataclass(frozen=True, slots=True)
class KeptDraft:
    """A conversation's unsent question while another conversation is open."""

    text: str
    attachments: tuple[Attachment, ...]


class Library:
    def __init__(self, workspace: Host) -> None:
        self._ws = workspace
        self._drafts: dict[int | None, KeptDraft] = {}
        """The drafts of the conversations not open (None: the new, unsaved conversation)."""

    def _leave_draft(self) -> None:
        """The open conversation's draft (question and images) stays with it."""
        ws = self._ws
        for attachment in ws.draft:
            ws.jobs.cancel(job_key(attachment.id))  # prepared again when it comes back
        kept = KeptDraft(ws.text, tuple(ws.draft.clear()))
        if kept.text.strip() or kept.attachments:
            self._drafts[ws.conversation_id] = kept
        else:
            self._drafts.pop(ws.conversation_id, None)
        ws.set_text("")

    def _enter_draft(self, conversation_id: int | None) -> None:
        """The draft this conversation was left with, if any."""
        kept = self._drafts.pop(conversation_id, KeptDraft("", ()))
        self._ws.draft.put(list(kept.attachments))
        self._ws.set_text(kept.text)

    def start(
        self,
        prompt: str,
        images: tuple[bytes | str, ...],
        mode: ApiMode,
        model: str,
        detail: Detail,
    ) -> None:
        """A new conversation from a request written elsewhere (the doctor's "Open in
        VisionDesk"): its question in the composer, its images attached, its mode and model."""
        ws = self._ws
        self.new()  # the open conversation keeps its draft
        for attachment in ws.draft.items:
            ws.attachments.remove(attachment.id)
        ws.apply_settings(replace(ws.settings, mode=mode, model=model or ws.settings.model))
        ws.set_detail(detail)
        for number, image in enumerate(images, 1):
            label = image if isinstance(image, str) else f"image {number} of the checked request"
            ws.attachments.add(image, label)
        ws.set_text(prompt)

    def conversations(self, search: str = "") -> list[StoredConversation]:
        """The stored conversations matching `search`; a damaged table says so once."""
        try:
            return self._ws.history.conversations(search)
        except StorageError as error:
            self._ws.set_damage(error.message)
            return []

    def first_images(self) -> dict[int, str]:
        """Each conversation's first image (its blob's digest), for the sidebar's rows; none
        where damage hides them (the list itself says so)."""
        try:
            return self._ws.history.first_images()
        except StorageError:
            return {}

    def picture(self, digest: str) -> bytes:
        """A stored picture's bytes (b"" when it cannot be read); from any thread."""
        return self._ws.history.picture(digest)

    def new(self) -> None:
        """An empty conversation on the same profile and settings; the open conversation keeps
        its draft, and the new one gets the draft it was left with (none at first)."""
        ws = self._ws
        ws.conversation.stop()
        ws.exchanges.forget_deleted()
        self._leave_draft()
        ws.transcript.clear()
        ws.reset_tokens()
        ws.set_damage("")
        ws.apply_settings(replace(ws.settings, instructions=ws.app_settings.instructions))
        ws.session = ws.make_session()
        ws.set_continuation(Continuation())
        self._enter_draft(None)
        ws.attachments.prepare_all(unfinished_only=True)  # same settings: ready stays ready
        ws.conversation_changed.emit(None)
        ws.conversations_changed.emit()

    def open(self, conversation_id: int) -> asyncio.Task[bool]:
        """Show a stored conversation and continue it (same thread or response chain). It is
        read once, off the UI thread (a job: opening another one meanwhile replaces it); the
        task says whether it was found."""
        ws = self._ws
        ws.jobs.cancel(Group.OPEN)

        def failed(error: BaseException) -> None:
            message = error.message if isinstance(error, VisionDeskError) else repr(error)
            ws.set_damage(f"The conversation could not be opened: {message}")

        return ws.jobs.start(Group.OPEN, self._open(conversation_id), failure=failed)

    async def _open(self, conversation_id: int) -> bool:
        opened = await asyncio.to_thread(read_conversation, self._ws.history, conversation_id)
        if opened is None:
            return False
        first = opened.conversation.compare_of
        if first is not None and self._ws.compare.active and first == self._ws.compare.first:
            return True  # it is open already, its columns maybe still answering
        if first is not None:  # a compare opens whole, every column
            columns = await asyncio.to_thread(read_compare, self._ws.history, first)
            if len(columns) > 1:
                self.new()
                self._ws.compare.reopen(columns)
                return True
        self._opened(opened)
        return True

    def _opened(self, opened: OpenedConversation) -> None:
        """The conversation as read: its settings, its turns, its session, its draft."""
        ws = self._ws
        stored = opened.conversation
        ws.conversation.stop()
        ws.exchanges.forget_deleted()
        self._leave_draft()  # the draft belongs to the conversation it was written in
        key = next((k for k, p in ws.profiles.items() if p.name == stored.profile), None)
        key = key or ws.settings.profile_key
        ws.session = None  # the conversation left behind keeps its settings
        ws.transcript.clear()
        before = ws.settings
        if key != before.profile_key:
            ws.select_profile(key, prepare=False)  # prepared once below, for the final settings
        ws.apply_settings(
            ConversationSettings(
                key,
                stored.model,
                ApiMode(stored.mode),
                Detail(stored.detail),
                ws.app_settings.instructions
                if stored.instructions is None
                else stored.instructions,
            )
        )
        same = replace(before, instructions="") == replace(ws.settings, instructions="")
        # It continues from where it was saved: the same thread or response chain.
        ws.set_continuation(
            Continuation(stored.id, tuple(opened.exchanges(ws.settings.model)), opened.state)
        )
        ws.reset_tokens()
        self._show(opened)
        ws.session = ws.make_session()
        self._enter_draft(stored.id)
        ws.attachments.prepare_all(unfinished_only=same)  # for this conversation's settings
        ws.conversation_changed.emit(stored.id)
        ws.conversations_changed.emit()

    def _show(self, opened: OpenedConversation) -> None:
        ws = self._ws
        profile = ws.profile
        mode, model = ws.settings.mode, ws.settings.model
        question = None
        if opened.damage:
            ws.set_damage(opened.damage)
            return
        messages, sources = opened.messages, opened.sources
        ws.set_damage(lost_sentence(messages))
        places: dict[int, int] = {}  # a stored place → a turn of it, for its other versions
        for message in messages:
            if message.role == "user":
                question = message
                continue
            if question is None:
                continue
            asked = (
                question.text,
                question.images,
                mode,
                model,
                profile.base_url,
                TurnStatus.stored(message.status),
            )
            place = places.get(question.place) if question.place is not None else None
            if place is None:
                turn = ws.transcript.add_turn(*asked)
            else:
                turn = ws.transcript.add_version(place, *asked, show=question.shown)
            if question.place is not None:
                places[question.place] = turn.id
            ws.transcript.update(
                turn.id,
                answer=message.text,
                error=message.error,
                message_ids=(question.id, message.id),
                missing=tuple(f"{m.label}: {m.problem}" for m in question.missing),
                sources=sources.get(question.id, ()),
            )
            question = None

    def save_settings(self) -> None:
        """The open conversation reopens with the profile, mode, model, detail and
        instructions it has now."""
        ws = self._ws
        if ws.conversation_id is None:
            return
        settings = ws.settings
        try:
            ws.history.update_settings(
                ws.conversation_id,
                ws.profiles[settings.profile_key].name,
                settings.mode.value,
                settings.model,
                settings.detail.value,
            )
            ws.history.set_instructions(ws.conversation_id, settings.instructions)
        except StorageError as error:  # they apply all the same, to this window's turns
            ws.notice(f"This conversation's settings apply but were not saved: {error.message}")

    def rename(self, conversation_id: int, title: str) -> None:
        if title.strip():
            try:
                self._ws.history.rename(conversation_id, title.strip())
            except StorageError as error:
                self._ws.notice(f"The conversation was not renamed: {error.message}")
                return
            self._ws.conversations_changed.emit()

    def delete(self, conversation_id: int) -> None:
        ws = self._ws
        compare = ws.compare
        if compare.active and conversation_id in compare.conversation_ids:
            compare.end()  # its columns stop before their rows go
        try:
            ws.history.delete(conversation_id)
        except StorageError as error:
            ws.notice(f"The conversation was not deleted: {error.message}")
            return
        if ws.conversation_id == conversation_id:
            self.new()
        self._drafts.pop(conversation_id, None)  # its draft goes with it
        ws.conversations_changed.emit()
        if ws.app_settings.cleanup is Cleanup.ON_DELETE:
            ws.jobs.start(Group.SWEEP, ws.connection.sweep(), failure=ws.sweep_failed)

    def export(self, kind: str, target: Path) -> Path:
        """The open conversation as Markdown (a folder) or one HTML file."""
        from visiondesk.store.export import to_html, to_markdown

        compare = self._ws.compare
        conversation_id = compare.first if compare.active else self._ws.conversation_id
        if conversation_id is None:
            raise LookupError("Nothing to export yet: this conversation has no saved turn.")
        if kind == "md":
            return to_markdown(self._ws.history, conversation_id, target)
        return to_html(self._ws.history, conversation_id, target)

    def uploads(self) -> list[UploadRecord]:
        return self._ws.history.uploads(self._ws.profile.name)

    def delete_uploads(self, file_ids: list[str], done: object = None) -> None:
        """Delete files on the server (a job); `done()` runs however it ends."""
        ws = self._ws

        def finished(_result: object = None) -> None:
            if callable(done):
                done()

        def failed(error: BaseException) -> None:
            ws.notice(f"Could not delete the uploaded files: {error}")
            finished()

        ws.jobs.start(
            Group.DELETE_FILES,
            ws.connection.delete_files(file_ids),
            success=finished,
            failure=failed,
        )


def lost_sentence(messages: tuple[StoredMessage, ...] | list[StoredMessage]) -> str:
    """What of a conversation could not be read, in one sentence that names each cause once
    (empty when all was read)."""
    broken = sum(1 for m in messages if m.damaged)
    images = sum(len(m.missing) for m in messages)
    if not broken and not images:
        return ""
    lost = [f"{broken} message(s)"] if broken else []
    lost += [f"{images} image(s)"] if images else []
    causes: dict[str, None] = {}
    for message in messages:
        for cause in [message.damaged] + [image.problem for image in message.missing]:
            if cause:  # "its record could not be read (why)": the why, once
                inner = cause.partition("could not be read (")[2]
                causes[inner[:-1] if inner.endswith(")") else cause] = None
    return (
        f"{' and '.join(lost)} of this conversation could not be read "
        f"({'; '.join(list(causes)[:2])})."
    )
