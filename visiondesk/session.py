"""One conversation's use cases, in plain asyncio: attach → prepare → (pre-upload) → send →
stream. The window and the CLI drive this; neither knows which API mode is in use."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import os
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from openai import AsyncOpenAI

from visiondesk.api.base import ModeClient
from visiondesk.api.capabilities import CapabilityCache
from visiondesk.api.client import make_client
from visiondesk.api.modes import make_mode
from visiondesk.api.uploads import UploadedFile, Uploader
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, ConversationState, Detail, Exchange, PreparedImage, Turn
from visiondesk.errors import Cancelled, ImageError, StorageError, VisionDeskError
from visiondesk.events import Completed, Event, Failed, FileFailed, Prepared, Preparing, TextDelta
from visiondesk.imaging import ImageInput, ImagePolicy, policy_for, prepare
from visiondesk.store import History

_ids = itertools.count(1)
_executor: ThreadPoolExecutor | None = None


def _preparers() -> ThreadPoolExecutor:
    """Pillow work runs on as many threads as there are cores, no more: more threads only
    fight over the GIL between C calls, and the UI thread loses that fight (long frames)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="prepare"
        )
    return _executor


CHECKPOINT_SECONDS = 1.0
"""Streamed text is written to the history at least this often: a crash loses less."""


@dataclass
class Attachment:
    """An image waiting to be sent: where it came from and what it became."""

    source: ImageInput
    label: str
    id: int = field(default_factory=lambda: next(_ids))
    crop: tuple[int, int, int, int] | None = None
    prepared: PreparedImage | None = None
    error: VisionDeskError | None = None


class Connection:
    """What all conversations on one profile share: the SDK client, the uploads (an image is
    uploaded once per profile) and the capability probe."""

    def __init__(
        self,
        profile: Profile,
        api_key: str | None,
        *,
        client: AsyncOpenAI | None = None,
        capabilities: CapabilityCache | None = None,
        upload_timeout: float | None = None,
        store: History | None = None,
    ) -> None:
        self.profile = profile
        self.client = client or make_client(profile, api_key)
        self.capabilities = capabilities or CapabilityCache()
        self.store = store
        options: dict[str, object] = {}
        if upload_timeout is not None:
            options["ready_timeout"] = upload_timeout
        if store is not None:
            options["on_uploaded"] = self._record_upload
            options["known"] = lambda key: store.known_upload(profile.name, key)
        self.uploader = Uploader(self.client, profile, **options)  # type: ignore[arg-type]

    def _record_upload(self, upload: UploadedFile) -> None:
        """Every file uploaded on the person's behalf goes into the ledger at once."""
        assert self.store is not None
        with contextlib.suppress(StorageError):  # the store keeps it until writing works again
            self.store.record_upload(
                upload.profile,
                upload.file_id,
                upload.upload_key,
                upload.bytes,
                upload.filename,
                None,
                upload.created_at,
            )

    async def aclose(self) -> None:
        self.uploader.cancel()
        self.capabilities.cancel()
        await self.client.close()


@dataclass
class Outcome:
    """How the last turn ended, for the caller that was cancelled before it saw an event."""

    answer: str = ""
    error: VisionDeskError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Session:
    def __init__(
        self,
        profile: Profile,
        api_key: str | None,
        *,
        mode: ApiMode | None = None,
        model: str | None = None,
        detail: Detail | None = None,
        instructions: str | None = None,
        connection: Connection | None = None,
        upload_timeout: float | None = None,
        conversation_id: int | None = None,
    ) -> None:
        self.profile = profile
        self.mode = mode or profile.mode
        self.model = model or profile.model
        self.detail = detail or profile.detail
        self.instructions = instructions
        self._owns_connection = connection is None
        self.connection = connection or Connection(profile, api_key, upload_timeout=upload_timeout)
        self.client = self.connection.client
        self.capabilities = self.connection.capabilities
        self.uploader = self.connection.uploader
        self.store = self.connection.store
        self.conversation_id = conversation_id
        self.message_ids: tuple[int, int] | None = None  # the last turn's (question, answer)
        self.attachments: list[Attachment] = []
        self.history: list[Exchange] = []
        self.state = ConversationState()
        if self.store is not None and conversation_id is not None:
            # A re-opened conversation continues the same thread or response chain.
            self.history = self.store.exchanges(conversation_id, self.model)
            self.state = self.store.state(conversation_id)
        self.checkpoint_interval = CHECKPOINT_SECONDS
        self.last = Outcome()
        self._modes: dict[ApiMode, ModeClient] = {}

    @property
    def policy(self) -> ImagePolicy:
        return policy_for(
            self.mode, self.model, self.detail, accepts_urls=self.profile.accepts_image_urls
        )

    def mode_client(self, mode: ApiMode | None = None) -> ModeClient:
        mode = mode or self.mode
        if mode not in self._modes:
            self._modes[mode] = make_mode(mode, self.client, self.profile, self.uploader)
        return self._modes[mode]

    async def attach(
        self,
        source: ImageInput,
        label: str | None = None,
        attachment_id: int | None = None,
        crop: tuple[int, int, int, int] | None = None,
    ) -> AsyncIterator[Event]:
        """Prepare an image off the event loop, then start its upload if the mode uploads.

        Attaching again under the same `attachment_id` (after a change of model, detail or
        mode) replaces that attachment in place.
        """
        attachment = Attachment(source, label or _label(source), crop=crop)
        if attachment_id is not None:
            attachment.id = attachment_id
            self.attachments = [a for a in self.attachments if a.id != attachment_id]
        self.attachments.append(attachment)
        yield Preparing(attachment.label)
        try:
            attachment.prepared = await self._prepare(attachment)
        except ImageError as error:
            attachment.error = error
            self.attachments.remove(attachment)
            yield FileFailed("", error)
            return
        yield Prepared(attachment.prepared)
        async for event in self.mode_client().attach(attachment.prepared):
            yield event

    async def _prepare(self, attachment: Attachment) -> PreparedImage:
        loop = asyncio.get_running_loop()
        job = functools.partial(
            prepare, attachment.source, self.policy, label=attachment.label, crop=attachment.crop
        )
        return await loop.run_in_executor(_preparers(), job)

    def reorder(self, attachment_ids: list[int]) -> None:
        """Send the attachments in this order (ids not listed keep their place at the end)."""
        rank = {attachment_id: n for n, attachment_id in enumerate(attachment_ids)}
        self.attachments.sort(key=lambda a: rank.get(a.id, len(rank)))

    def remove(self, attachment_id: int) -> None:
        for attachment in self.attachments:
            if attachment.id == attachment_id:
                self.attachments.remove(attachment)
                if attachment.prepared is not None:
                    self.uploader.cancel(attachment.prepared.sha256)
                return

    def attach_prepared(self, images: list[PreparedImage]) -> None:
        """Attach images prepared before (a stored turn being retried after a restart)."""
        for image in images:
            self.attachments.append(Attachment(image.label, image.label, prepared=image))

    async def send(self, prompt: str) -> AsyncIterator[Event]:
        """Send the prompt with every prepared attachment; ends with Completed or Failed.

        On success the attachments move into the history; on failure or cancellation they stay,
        so Retry is the same call again.
        """
        self.last = Outcome()
        images = tuple(a.prepared for a in self.attachments if a.prepared is not None)
        turn = Turn(prompt, images, self.model, self.instructions)
        partial: list[str] = []
        try:
            capabilities = await self.capabilities.get(self.client, self.profile)
            capabilities.require(self.mode, self.profile)
        except VisionDeskError as error:
            self.last = Outcome("", error)
            yield Failed(error)
            return
        try:
            answer_id = self._persist_question(turn)
        except StorageError as error:  # the question and images stay attached for Retry
            self.last = Outcome("", error)
            yield Failed(error)
            return
        last_checkpoint = time.monotonic()
        try:
            async for event in self.mode_client().send(turn, self.history, self.state):
                if isinstance(event, Completed):
                    try:
                        self._persist_answer(answer_id, event.text, "complete")
                    except StorageError as error:
                        # Not saved: the turn fails, its answer kept in memory by the store.
                        event = self._unsaved(answer_id, event.text, error)
                    else:
                        self.history.append(Exchange(turn, event.text))
                        self.attachments.clear()
                        self.last = Outcome(event.text)
                elif isinstance(event, Failed):
                    self.last = Outcome(event.partial, event.error)
                    with contextlib.suppress(StorageError):  # kept in memory by the store
                        self._persist_answer(
                            answer_id, event.partial, "failed", event.error.message
                        )
                elif isinstance(event, TextDelta):
                    partial.append(event.text)
                    now = time.monotonic()
                    if now - last_checkpoint >= self.checkpoint_interval or len(partial) == 1:
                        # A refused checkpoint is kept in memory; the end of the turn reports it.
                        with contextlib.suppress(StorageError):
                            self._persist_answer(answer_id, "".join(partial), "streaming")
                        last_checkpoint = now
                yield event
        except asyncio.CancelledError:
            for image in images:
                if self.uploader.ready_file(image) is None:
                    self.uploader.cancel(image.sha256)
            self.last = Outcome("".join(partial), Cancelled("Stopped. The partial answer is kept."))
            with contextlib.suppress(StorageError):  # kept in memory by the store
                self._persist_answer(answer_id, "".join(partial), "cancelled")
            raise

    def _unsaved(self, answer_id: int | None, text: str, error: StorageError) -> Failed:
        """An answer the disk refused: the turn ends Failed with the storage message; the text
        stays in the event and in the store's memory, saved as failed once writing works."""
        self.last = Outcome(text, error)
        with contextlib.suppress(StorageError):
            self._persist_answer(answer_id, text, "failed", error.message)
        return Failed(error, text)

    def _persist_question(self, turn: Turn) -> int | None:
        """Commit the question and its images before the request leaves."""
        if self.store is None:
            return None
        if self.conversation_id is None:
            title = " ".join(turn.prompt.split())[:60] or "Images"
            self.conversation_id = self.store.create_conversation(
                title, self.profile.name, self.mode.value, self.model, self.detail.value
            )
        question = self.store.add_user_message(self.conversation_id, turn)
        answer = self.store.add_answer(self.conversation_id)
        keys = [image.upload_key() for image in turn.images if not image.is_url]
        self.store.attach_uploads(self.conversation_id, keys)
        self.message_ids = (question, answer)
        return answer

    def _persist_answer(
        self, answer_id: int | None, text: str, status: str, error: str = ""
    ) -> None:
        if self.store is None or answer_id is None:
            return
        self.store.checkpoint(answer_id, text, status, error)
        if status == "complete" and self.conversation_id is not None:
            self.store.save_state(self.conversation_id, self.state)

    async def aclose(self) -> None:
        """Close the connection if this session made it (shared ones belong to their owner)."""
        if self._owns_connection:
            await self.connection.aclose()


def _label(source: ImageInput) -> str:
    if isinstance(source, bytes | bytearray | memoryview):
        return "pasted image"
    return str(source)
