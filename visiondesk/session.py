"""A conversation's use cases, in plain asyncio: attach → prepare → (pre-upload) → send →
stream, as stateless services (`Session`) that receive the settings and the conversation's
`Continuation` from their one owner. The window and the CLI drive this; neither knows which API
mode is in use."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol, assert_never

from visiondesk.api.base import ModeClient
from visiondesk.api.heartbeat import WAITING_EVERY, with_heartbeat
from visiondesk.api.modes import make_mode
from visiondesk.api.prompt_cache import cache_key
from visiondesk.config.profiles import Profile
from visiondesk.connection import Connection
from visiondesk.domain import (
    AnswerStatus,
    ApiMode,
    Continuation,
    ConversationState,
    Detail,
    Exchange,
    PreparedImage,
    Question,
    Replay,
)
from visiondesk.errors import Cancelled, ImageError, StorageError, StorageFault, VisionDeskError
from visiondesk.events import (
    Completed,
    Event,
    Failed,
    FileFailed,
    FileReady,
    Prepared,
    Preparing,
    Processing,
    RateLimitWait,
    RequestSent,
    StateChanged,
    TextDelta,
    TurnStarted,
    UploadProgress,
    Usage,
    Waiting,
)
from visiondesk.imaging import ImageInput, ImagePolicy, policy_for, prepare
from visiondesk.marks import Marks, Redact

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


log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 1.0
"""Streamed text is written to the history at least this often: a crash loses less."""


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """Where a turn's question and answer are in the history."""

    conversation_id: int | None
    """None: a damaged page refused even the new conversation's row."""
    question_id: int
    answer_id: int
    unsaved: str = ""
    """What the history could not keep of the question (a damaged page): the turn is sent all
    the same, and says so. An id of 0: that row could not be saved at all."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the last turn ended, for the caller that was cancelled before it saw an event."""

    answer: str = ""
    error: VisionDeskError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class TurnSettings(Protocol):
    """How the next turn is asked; the workspace's `ConversationSettings` is one."""

    @property
    def mode(self) -> ApiMode: ...
    @property
    def model(self) -> str: ...
    @property
    def detail(self) -> Detail: ...
    @property
    def instructions(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OwnSettings:
    """The settings of a conversation that nobody else owns (the CLI's, a benchmark's)."""

    mode: ApiMode
    model: str
    detail: Detail
    instructions: str = ""


def followed(continuation: Continuation, event: Event, question: Question) -> Continuation:
    """Where the conversation stands after `event` of the turn asking `question`: new
    server-side state, and a saved answer joins the exchanges the next turn continues from."""
    match event:
        case StateChanged(state=state):
            return replace(continuation, state=state)
        case Completed(text=text):
            return replace(
                continuation, exchanges=(*continuation.exchanges, Exchange(question, text))
            )
        case (
            Preparing()
            | Prepared()
            | UploadProgress()
            | Processing()
            | FileReady()
            | FileFailed()
            | TurnStarted()
            | RequestSent()
            | Waiting()
            | RateLimitWait()
            | TextDelta()
            | Usage()
            | Failed()
        ):
            return continuation
        case _:
            assert_never(event)


class Session:
    """The services conversations are asked through — prepare, upload, send, save — over one
    connection. It keeps nothing of any conversation: each call receives the settings and the
    `Continuation` it works for from their one owner (the workspace, `OwnConversation`), and
    new server-side state comes back as `StateChanged` events. So one Session serves any
    number of conversations, and a profile switch or a reopened conversation never leaves a
    stale copy behind."""

    def __init__(
        self,
        profile: Profile,
        api_key: str | None,
        *,
        connection: Connection | None = None,
        upload_timeout: float | None = None,
    ) -> None:
        self.profile = profile
        self._owns_connection = connection is None
        self.connection = connection or Connection(profile, api_key, upload_timeout=upload_timeout)
        self.client = self.connection.client
        self.capabilities = self.connection.capabilities
        self.uploader = self.connection.uploader
        self.store = self.connection.store
        self.checkpoint_interval = CHECKPOINT_SECONDS
        self._modes: dict[ApiMode, ModeClient] = {}

    def policy(self, settings: TurnSettings) -> ImagePolicy:
        return policy_for(
            settings.mode,
            settings.model,
            settings.detail,
            accepts_urls=self.profile.accepts_image_urls,
            accepts_webp=self.profile.accepts_webp,
        )

    def mode_client(self, mode: ApiMode) -> ModeClient:
        if mode not in self._modes:
            self._modes[mode] = make_mode(mode, self.client, self.profile, self.uploader)
        return self._modes[mode]

    async def attach(
        self,
        source: ImageInput,
        settings: TurnSettings,
        label: str | None = None,
        crop: tuple[int, int, int, int] | None = None,
        marks: Marks | None = None,
    ) -> AsyncIterator[Event]:
        """Prepare an image off the event loop, then start its upload if the mode uploads.

        Ends after Prepared (and the upload's last event, where there is one) or FileFailed.
        """
        label = label or _label(source)
        yield Preparing(label)
        try:
            prepared = await self.prepare(source, self.policy(settings), label, crop, marks)
        except ImageError as error:
            yield FileFailed("", error)
            return
        yield Prepared(prepared)
        uploads = self.mode_client(settings.mode).attach(prepared)
        every = min(WAITING_EVERY, self.profile.read_timeout / 4)
        async for event in with_heartbeat(uploads, self.profile.base_url, every):
            yield event

    async def prepare(
        self,
        source: ImageInput,
        policy: ImagePolicy,
        label: str,
        crop: tuple[int, int, int, int] | None = None,
        marks: Marks | None = None,
    ) -> PreparedImage:
        """The image as `policy` wants it sent, made on the preparing threads."""
        loop = asyncio.get_running_loop()
        job = functools.partial(prepare, source, policy, label=label, crop=crop, marks=marks)
        return await loop.run_in_executor(_preparers(), job)

    @staticmethod
    async def redact(source: ImageInput, redactions: tuple[Redact, ...], label: str) -> bytes:
        """`source` with `redactions` burnt in (PNG, full size), made on the preparing threads;
        raises ImageError."""
        from visiondesk.imaging.redacted import redacted_png

        loop = asyncio.get_running_loop()
        job = functools.partial(redacted_png, source, redactions, label)
        return await loop.run_in_executor(_preparers(), job)

    def cancel_upload(self, image: PreparedImage) -> None:
        """The image left the draft: an upload still under way stops."""
        if self.uploader.ready_file(image) is None:
            self.uploader.cancel(image.sha256)

    @staticmethod
    def question(prompt: str, images: Sequence[PreparedImage], settings: TurnSettings) -> Question:
        """The question as the settings ask it now."""
        return Question(prompt, tuple(images), settings.model, settings.instructions or None)

    def save_question(
        self, question: Question, settings: TurnSettings, conversation_id: int | None
    ) -> StoredTurn | None:
        """Commit the question (and the images prepared so far) the moment it is asked, before
        anything is prepared, uploaded or sent: whatever happens next, it comes back. Without
        `conversation_id` the conversation is created; the caller keeps the id it is given."""
        if self.store is None:
            return None
        asked = answer = 0
        unsaved = ""
        try:
            if conversation_id is None:
                title = " ".join(question.prompt.split())[:60] or "Images"
                conversation_id = self.store.create_conversation(
                    title,
                    self.profile.name,
                    settings.mode.value,
                    settings.model,
                    settings.detail.value,
                )
            asked, unsaved = self._save_prompt(conversation_id, question)
            answer = self.store.add_answer(conversation_id)
        except StorageError as error:
            if error.fault is not StorageFault.DAMAGED:
                raise
            # A damaged page: what could be saved is, and the turn goes ahead all the same.
            note = f"Not saved in your history: {_damaged(error)}"
            return StoredTurn(conversation_id, asked, answer, note)
        return StoredTurn(conversation_id, asked, answer, unsaved)

    def _save_prompt(self, conversation_id: int, question: Question) -> tuple[int, str]:
        """The question with its images, and what could not be saved: if a damaged page
        refuses the images, the question alone (the images are still sent)."""
        assert self.store is not None
        try:
            asked = self.store.add_user_message(
                conversation_id, Question(question.prompt, question.images)
            )
            return asked, ""
        except StorageError as error:
            if error.fault is not StorageFault.DAMAGED or not question.images:
                raise
            asked = self.store.add_user_message(conversation_id, Question(question.prompt))
            return asked, f"The images of this question were sent but not saved: {_damaged(error)}"

    def save_images(self, stored: StoredTurn | None, images: Sequence[PreparedImage]) -> None:
        """Images that finished preparing after Send join their stored question."""
        if self.store is not None and stored is not None and stored.question_id and images:
            self.store.add_images(stored.question_id, list(images))

    def save_answer(
        self,
        stored: StoredTurn | None,
        text: str,
        status: AnswerStatus,
        error: str = "",
        state: ConversationState | None = None,
    ) -> None:
        """The answer as it stands; a complete one saves the conversation's `state` with it."""
        if self.store is None or stored is None or not stored.answer_id:
            return
        self.store.checkpoint(stored.answer_id, text, status.value, error)
        if status is AnswerStatus.COMPLETE and state is not None and stored.conversation_id:
            self.store.save_state(stored.conversation_id, state)

    async def send(
        self,
        question: Question,
        settings: TurnSettings,
        continuation: Continuation,
        stored: StoredTurn | None,
    ) -> AsyncIterator[Event]:
        """Ask `question` in the conversation standing at `continuation`, saved at `stored`
        (None: not kept); ends with Completed or Failed, and the history says so the same way
        whatever the error. New server-side state is yielded as `StateChanged` (the caller
        keeps it: nothing is kept here).

        Cancellation saves the partial answer as cancelled and re-raises.
        """
        images = question.images
        state = continuation.state
        partial: list[str] = []
        last_checkpoint = time.monotonic()
        try:
            async for event in self._events(question, settings, continuation):
                match event:
                    case StateChanged(state=changed):
                        state = changed
                    case Completed(text=text):
                        self._claim_uploads(stored, images)
                        try:
                            self.save_answer(stored, text, AnswerStatus.COMPLETE, state=state)
                        except StorageError as refused:
                            if refused.fault is StorageFault.DAMAGED:
                                # Retry would not help: the answer stands, and says so.
                                note = f"This answer was not saved: {_damaged(refused)}"
                                event = replace(event, unsaved=note)
                            else:
                                # Not saved: the turn fails, its answer kept in memory.
                                event = self._unsaved(stored, text, refused)
                    case Failed(error=failure, partial=partial_text):
                        self._claim_uploads(stored, images)
                        text = partial_text or "".join(partial)
                        with contextlib.suppress(StorageError):  # kept in memory by the store
                            self.save_answer(stored, text, AnswerStatus.FAILED, failure.message)
                    case TextDelta(text=delta):
                        partial.append(delta)
                        now = time.monotonic()
                        if now - last_checkpoint >= self.checkpoint_interval or len(partial) == 1:
                            # A refused checkpoint is kept in memory; the turn's end reports it.
                            with contextlib.suppress(StorageError):
                                self.save_answer(stored, "".join(partial), AnswerStatus.STREAMING)
                            last_checkpoint = now
                    case (
                        Preparing()
                        | Prepared()
                        | UploadProgress()
                        | Processing()
                        | FileReady()
                        | FileFailed()
                        | TurnStarted()
                        | RequestSent()
                        | Waiting()
                        | RateLimitWait()
                        | Usage()
                    ):
                        pass  # passed on to the caller as they are
                    case _:
                        assert_never(event)
                yield event
        except asyncio.CancelledError:
            for image in images:
                self.cancel_upload(image)
            with contextlib.suppress(StorageError):  # kept in memory by the store
                self.save_answer(stored, "".join(partial), AnswerStatus.CANCELLED)
            raise

    def _unsaved(self, stored: StoredTurn | None, text: str, error: StorageError) -> Failed:
        """An answer the disk refused: the turn ends Failed with the storage message; the text
        stays in the event and in the store's memory, saved as failed once writing works."""
        with contextlib.suppress(StorageError):
            self.save_answer(stored, text, AnswerStatus.FAILED, error.message)
        return Failed(error, text)

    def _claim_uploads(self, stored: StoredTurn | None, images: Sequence[PreparedImage]) -> None:
        """Files uploaded on attach, before the conversation existed, now belong to it."""
        if self.store is not None and stored is not None and stored.conversation_id is not None:
            keys = [image.upload_key() for image in images if not image.is_url]
            with contextlib.suppress(StorageError):  # a ledger detail: the sweep spares them
                self.store.attach_uploads(stored.conversation_id, keys)

    async def _events(
        self, turn: Question, settings: TurnSettings, continuation: Continuation
    ) -> AsyncIterator[Event]:
        """The mode's events, with a `Waiting` now and then while the server is silent;
        anything that goes wrong on the way ends in Failed."""
        every = min(WAITING_EVERY, self.profile.read_timeout / 4)
        try:
            checked = self._check_mode(settings.mode)
            async for event in with_heartbeat(checked, self.profile.base_url, every):
                yield event
            mode = self.mode_client(settings.mode)
            yield TurnStarted(
                Replay(
                    settings.mode,
                    self.profile.base_url,
                    turn,
                    continuation.exchanges,
                    continuation.state,
                    uploads_images=mode.uploads_images,
                    stores_responses=self.profile.stores_responses,
                    cache_key=cache_key(self.profile, turn, continuation.exchanges)
                    if settings.mode is not ApiMode.ASSISTANTS
                    else None,
                )
            )
            events = mode.send(turn, continuation.exchanges, continuation.state)
            async for event in with_heartbeat(events, self.profile.base_url, every):
                yield event
        except VisionDeskError as error:
            yield Failed(error)
        except Exception as error:  # a bug or a reply nobody foresaw: still one clear ending
            log.exception("turn failed unexpectedly")
            yield Failed(VisionDeskError(f"Something went wrong: {type(error).__name__}: {error}"))

    async def _check_mode(self, mode: ApiMode) -> AsyncIterator[Event]:
        """Raise why the server cannot take this turn in this mode (probed once per profile)."""
        capabilities = await self.capabilities.get(self.client, self.profile)
        capabilities.require(mode, self.profile)
        return
        yield  # pragma: no cover - an async generator, so the wait can be shown

    async def aclose(self) -> None:
        """Close the connection if this session made it (shared ones belong to their owner)."""
        if self._owns_connection:
            await self.connection.aclose()


class OwnConversation:
    """One conversation with no workspace around it (the CLI's, a benchmark's, a test's): it is
    the one owner of its settings and its `Continuation`, holds them as values, and moves them
    on from the events of each send exactly as the workspace does."""

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
        """With `conversation_id`, a stored conversation continues (its thread or response
        chain), read once from the store."""
        self.services = Session(
            profile, api_key, connection=connection, upload_timeout=upload_timeout
        )
        self.settings = OwnSettings(
            mode or profile.mode,
            model or profile.model,
            detail or profile.detail,
            instructions or "",
        )
        self.continuation = Continuation(conversation_id)
        store = self.services.store
        if store is not None and conversation_id is not None:
            self.continuation = Continuation(
                conversation_id,
                tuple(store.exchanges(conversation_id, self.settings.model)),
                store.state(conversation_id),
            )
        self.last = Outcome()

    @property
    def connection(self) -> Connection:
        return self.services.connection

    @property
    def conversation_id(self) -> int | None:
        return self.continuation.conversation_id

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        return self.continuation.exchanges

    @property
    def state(self) -> ConversationState:
        return self.continuation.state

    def attach(
        self,
        source: ImageInput,
        label: str | None = None,
        crop: tuple[int, int, int, int] | None = None,
        marks: Marks | None = None,
    ) -> AsyncIterator[Event]:
        return self.services.attach(source, self.settings, label, crop, marks)

    async def send(self, prompt: str, images: Sequence[PreparedImage] = ()) -> AsyncIterator[Event]:
        """Save the question, then ask it; `last` says how it ended (even when cancelled)."""
        self.last = Outcome()
        question = self.services.question(prompt, images, self.settings)
        try:
            stored = self.services.save_question(
                question, self.settings, self.continuation.conversation_id
            )
        except StorageError as error:  # the question and images stay with the caller
            self.last = Outcome("", error)
            yield Failed(error)
            return
        if stored is not None:
            self.continuation = replace(self.continuation, conversation_id=stored.conversation_id)
        partial: list[str] = []
        try:
            events = self.services.send(question, self.settings, self.continuation, stored)
            async for event in events:
                self.continuation = followed(self.continuation, event, question)
                match event:
                    case TextDelta(text=text):
                        partial.append(text)
                    case Completed(text=text):
                        self.last = Outcome(text)
                    case Failed(error=failure, partial=text):
                        self.last = Outcome(text, failure)
                    case (
                        Preparing()
                        | Prepared()
                        | UploadProgress()
                        | Processing()
                        | FileReady()
                        | FileFailed()
                        | TurnStarted()
                        | RequestSent()
                        | Waiting()
                        | RateLimitWait()
                        | StateChanged()
                        | Usage()
                    ):
                        pass  # only how the turn ends is kept here (the state by `followed`)
                    case _:
                        assert_never(event)
                yield event
        except asyncio.CancelledError:
            self.last = Outcome("".join(partial), Cancelled("Stopped. The partial answer is kept."))
            raise

    async def aclose(self) -> None:
        await self.services.aclose()


def _damaged(error: StorageError) -> str:
    return (
        f"your history is damaged ({error.detail}). Repair it from the banner above the "
        "conversation, or restore a backup."
    )


def _label(source: ImageInput) -> str:
    if isinstance(source, bytes | bytearray | memoryview):
        return "pasted image"
    return str(source)
