"""One conversation's use cases, in plain asyncio: attach → prepare → (pre-upload) → send →
stream. The window and the CLI drive this; neither knows which API mode is in use."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol, assert_never

from visiondesk.api.base import ModeClient
from visiondesk.api.heartbeat import WAITING_EVERY, with_heartbeat
from visiondesk.api.modes import make_mode
from visiondesk.config.profiles import Profile
from visiondesk.connection import Connection
from visiondesk.domain import (
    AnswerStatus,
    ApiMode,
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
    TextDelta,
    TurnStarted,
    UploadProgress,
    Usage,
    Waiting,
)
from visiondesk.imaging import ImageInput, ImagePolicy, policy_for, prepare

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

    question_id: int
    answer_id: int
    unsaved: str = ""
    """What the history could not keep of the question (a damaged page): the turn is sent all
    the same, and says so. An id of 0: that row could not be saved at all."""


@dataclass
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
    """The settings of a session that nobody else owns (the CLI's, a benchmark's)."""

    mode: ApiMode
    model: str
    detail: Detail
    instructions: str = ""


class Session:
    """A conversation's services. Its mode, model, detail and instructions are not a copy:
    given `settings` (the workspace's, read when needed), they are whatever the owner says now;
    without, the session owns them (the CLI)."""

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
        exchanges: Sequence[Exchange] | None = None,
        state: ConversationState | None = None,
        settings: Callable[[], TurnSettings] | None = None,
    ) -> None:
        """`exchanges` and `state`: where a conversation opened (read once, by the caller)
        continues from; without them a stored conversation is read from the store."""
        self.profile = profile
        self._own = OwnSettings(
            mode or profile.mode,
            model or profile.model,
            detail or profile.detail,
            instructions or "",
        )
        self._settings: Callable[[], TurnSettings] = settings or (lambda: self._own)
        self._owns_connection = connection is None
        self.connection = connection or Connection(profile, api_key, upload_timeout=upload_timeout)
        self.client = self.connection.client
        self.capabilities = self.connection.capabilities
        self.uploader = self.connection.uploader
        self.store = self.connection.store
        self.conversation_id = conversation_id
        self.message_ids: tuple[int, int] | None = None  # the last turn's (question, answer)
        self.exchanges: list[Exchange] = list(exchanges or ())
        self.state = state or ConversationState()
        if self.store is not None and conversation_id is not None and exchanges is None:
            # A re-opened conversation continues the same thread or response chain.
            self.exchanges = self.store.exchanges(conversation_id, self.model)
            self.state = self.store.state(conversation_id)
        self.checkpoint_interval = CHECKPOINT_SECONDS
        self.last = Outcome()
        self._modes: dict[ApiMode, ModeClient] = {}
        self._images_unsaved = ""

    def continue_after(self, exchanges: Sequence[Exchange], response_id: str | None) -> None:
        """The conversation goes on after these exchanges (Edit, Regenerate, Retry): the next
        turn re-sends them, or chains from `response_id` (None: the history travels)."""
        self.exchanges = list(exchanges)
        self.state.response_id = response_id

    def new_thread(self, why: str) -> None:
        """The next Assistants turn starts a new thread with the words so far (said in the
        inspector)."""
        self.state.thread_id = None
        self.state.thread_note = f"a new thread: {why}"

    @property
    def mode(self) -> ApiMode:
        return self._settings().mode

    @mode.setter
    def mode(self, mode: ApiMode) -> None:
        self._own = replace(self._owned(), mode=mode)

    @property
    def model(self) -> str:
        return self._settings().model

    @model.setter
    def model(self, model: str) -> None:
        self._own = replace(self._owned(), model=model)

    @property
    def detail(self) -> Detail:
        return self._settings().detail

    @detail.setter
    def detail(self, detail: Detail) -> None:
        self._own = replace(self._owned(), detail=detail)

    @property
    def instructions(self) -> str | None:
        return self._settings().instructions or None

    def _owned(self) -> OwnSettings:
        """A session that owns its settings may change them; the workspace's are its own."""
        if self._settings() is not self._own:
            raise AttributeError("this session's settings belong to the workspace")
        return self._own

    @property
    def policy(self) -> ImagePolicy:
        return policy_for(
            self.mode,
            self.model,
            self.detail,
            accepts_urls=self.profile.accepts_image_urls,
            accepts_webp=self.profile.accepts_webp,
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
        crop: tuple[int, int, int, int] | None = None,
    ) -> AsyncIterator[Event]:
        """Prepare an image off the event loop, then start its upload if the mode uploads.

        Ends after Prepared (and the upload's last event, where there is one) or FileFailed.
        """
        label = label or _label(source)
        yield Preparing(label)
        try:
            prepared = await self._prepare(source, label, crop)
        except ImageError as error:
            yield FileFailed("", error)
            return
        yield Prepared(prepared)
        uploads = self.mode_client().attach(prepared)
        every = min(WAITING_EVERY, self.profile.read_timeout / 4)
        async for event in with_heartbeat(uploads, self.profile.base_url, every):
            yield event

    async def _prepare(
        self, source: ImageInput, label: str, crop: tuple[int, int, int, int] | None
    ) -> PreparedImage:
        loop = asyncio.get_running_loop()
        job = functools.partial(prepare, source, self.policy, label=label, crop=crop)
        return await loop.run_in_executor(_preparers(), job)

    def cancel_upload(self, image: PreparedImage) -> None:
        """The image left the draft: an upload still under way stops."""
        if self.uploader.ready_file(image) is None:
            self.uploader.cancel(image.sha256)

    def save_question(self, prompt: str, images: Sequence[PreparedImage]) -> StoredTurn | None:
        """Commit the question (and the images prepared so far) the moment it is asked, before
        anything is prepared, uploaded or sent: whatever happens next, it comes back."""
        if self.store is None:
            return None
        question = answer = 0
        try:
            if self.conversation_id is None:
                title = " ".join(prompt.split())[:60] or "Images"
                self.conversation_id = self.store.create_conversation(
                    title, self.profile.name, self.mode.value, self.model, self.detail.value
                )
            question = self._save_prompt(prompt, images)
            answer = self.store.add_answer(self.conversation_id)
        except StorageError as error:
            if error.fault is not StorageFault.DAMAGED:
                raise
            # A damaged page: what could be saved is, and the turn goes ahead all the same.
            return StoredTurn(question, answer, f"Not saved in your history: {_damaged(error)}")
        stored = StoredTurn(question, answer, self._images_unsaved)
        self.message_ids = (question, answer)
        return stored

    def _save_prompt(self, prompt: str, images: Sequence[PreparedImage]) -> int:
        """The question with its images; if a damaged page refuses the images, the question
        alone (the images are still sent)."""
        assert self.store is not None and self.conversation_id is not None
        self._images_unsaved = ""
        try:
            return self.store.add_user_message(
                self.conversation_id, Question(prompt, tuple(images))
            )
        except StorageError as error:
            if error.fault is not StorageFault.DAMAGED or not images:
                raise
            question = self.store.add_user_message(self.conversation_id, Question(prompt))
            self._images_unsaved = (
                f"The images of this question were sent but not saved: {_damaged(error)}"
            )
            return question

    def save_images(self, stored: StoredTurn | None, images: Sequence[PreparedImage]) -> None:
        """Images that finished preparing after Send join their stored question."""
        if self.store is not None and stored is not None and stored.question_id and images:
            self.store.add_images(stored.question_id, list(images))

    def save_answer(
        self, stored: StoredTurn | None, text: str, status: AnswerStatus, error: str = ""
    ) -> None:
        if self.store is None or stored is None or not stored.answer_id:
            return
        self.store.checkpoint(stored.answer_id, text, status.value, error)
        if status is AnswerStatus.COMPLETE and self.conversation_id is not None:
            self.store.save_state(self.conversation_id, self.state)

    async def send(
        self,
        prompt: str,
        images: Sequence[PreparedImage] = (),
        stored: StoredTurn | None = None,
    ) -> AsyncIterator[Event]:
        """Send the prompt with these images; ends with Completed or Failed, and the history
        says so the same way whatever the error. Without `stored`, the question is saved now.

        Cancellation saves the partial answer as cancelled and re-raises.
        """
        self.last = Outcome()
        images = tuple(images)
        turn = Question(prompt, images, self.model, self.instructions)
        if stored is None:
            try:
                stored = self.save_question(prompt, images)
            except StorageError as error:  # the question and images stay with the caller
                self.last = Outcome("", error)
                yield Failed(error)
                return
        partial: list[str] = []
        last_checkpoint = time.monotonic()
        try:
            async for event in self._events(turn):
                match event:
                    case Completed(text=text):
                        self._claim_uploads(images)
                        try:
                            self.save_answer(stored, text, AnswerStatus.COMPLETE)
                        except StorageError as refused:
                            if refused.fault is StorageFault.DAMAGED:
                                # Retry would not help: the answer stands, and says so.
                                note = f"This answer was not saved: {_damaged(refused)}"
                                event = replace(event, unsaved=note)
                                self.exchanges.append(Exchange(turn, text))
                                self.last = Outcome(text)
                            else:
                                # Not saved: the turn fails, its answer kept in memory.
                                event = self._unsaved(stored, text, refused)
                        else:
                            self.exchanges.append(Exchange(turn, text))
                            self.last = Outcome(text)
                    case Failed(error=failure, partial=partial_text):
                        self._claim_uploads(images)
                        self.last = Outcome(partial_text, failure)
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
            self.last = Outcome("".join(partial), Cancelled("Stopped. The partial answer is kept."))
            with contextlib.suppress(StorageError):  # kept in memory by the store
                self.save_answer(stored, "".join(partial), AnswerStatus.CANCELLED)
            raise

    def _unsaved(self, stored: StoredTurn | None, text: str, error: StorageError) -> Failed:
        """An answer the disk refused: the turn ends Failed with the storage message; the text
        stays in the event and in the store's memory, saved as failed once writing works."""
        self.last = Outcome(text, error)
        with contextlib.suppress(StorageError):
            self.save_answer(stored, text, AnswerStatus.FAILED, error.message)
        return Failed(error, text)

    def _claim_uploads(self, images: Sequence[PreparedImage]) -> None:
        """Files uploaded on attach, before the conversation existed, now belong to it."""
        if self.store is not None and self.conversation_id is not None:
            keys = [image.upload_key() for image in images if not image.is_url]
            with contextlib.suppress(StorageError):  # a ledger detail: the sweep spares them
                self.store.attach_uploads(self.conversation_id, keys)

    async def _events(self, turn: Question) -> AsyncIterator[Event]:
        """The mode's events, with a `Waiting` now and then while the server is silent;
        anything that goes wrong on the way ends in Failed."""
        every = min(WAITING_EVERY, self.profile.read_timeout / 4)
        try:
            async for event in with_heartbeat(self._check_mode(), self.profile.base_url, every):
                yield event
            mode = self.mode_client()
            yield TurnStarted(
                Replay(
                    self.mode,
                    self.profile.base_url,
                    turn,
                    tuple(self.exchanges),
                    self.state,  # Replay keeps a copy
                    uploads_images=mode.uploads_images,
                    stores_responses=self.profile.stores_responses,
                )
            )
            events = mode.send(turn, self.exchanges, self.state)
            async for event in with_heartbeat(events, self.profile.base_url, every):
                yield event
        except VisionDeskError as error:
            yield Failed(error)
        except Exception as error:  # a bug or a reply nobody foresaw: still one clear ending
            log.exception("turn failed unexpectedly")
            yield Failed(VisionDeskError(f"Something went wrong: {type(error).__name__}: {error}"))

    async def _check_mode(self) -> AsyncIterator[Event]:
        """Raise why the server cannot take this turn in this mode (probed once per profile)."""
        capabilities = await self.capabilities.get(self.client, self.profile)
        capabilities.require(self.mode, self.profile)
        return
        yield  # pragma: no cover - an async generator, so the wait can be shown

    async def aclose(self) -> None:
        """Close the connection if this session made it (shared ones belong to their owner)."""
        if self._owns_connection:
            await self.connection.aclose()


def _damaged(error: StorageError) -> str:
    return (
        f"your history is damaged ({error.detail}). Repair it from the banner above the "
        "conversation, or restore a backup."
    )


def _label(source: ImageInput) -> str:
    if isinstance(source, bytes | bytearray | memoryview):
        return "pasted image"
    return str(source)
