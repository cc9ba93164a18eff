"""Intents on the conversation: Send, Stop, Retry. A turn runs as a job of `Group.SEND`; it is
saved the moment Send is pressed, and however the job ends (answer, error, Stop, a bug) its
handler leaves the turn ended and the history saying so the same way, and nothing the person
typed or attached is lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Unpack, assert_never

from visiondesk.config.settings import Cleanup
from visiondesk.domain import AnswerStatus, PreparedImage
from visiondesk.errors import (
    AuthError,
    ModeUnsupported,
    StorageError,
    StorageFault,
    VisionDeskError,
)
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
from visiondesk.session import followed
from visiondesk.store.sources import drop_sources, question_sources, save_sources
from visiondesk.workspace.attaching import job_key, kept_form
from visiondesk.workspace.draft import Attachment, AttachmentState, Draft
from visiondesk.workspace.exchanges import save_versions
from visiondesk.workspace.jobs import Group
from visiondesk.workspace.rewinding import new_thread, reached_thread, rewound
from visiondesk.workspace.transcript import (
    Deleted,
    Fix,
    Transcript,
    Turn,
    TurnChanges,
    TurnStatus,
    done,
    failed,
    stopped,
)

if TYPE_CHECKING:
    from visiondesk.session import Session, StoredTurn
    from visiondesk.workspace.host import Host

log = logging.getLogger(__name__)


class _SentTurn:
    """The turn a send job runs, by id: each read is the transcript's current value (a value
    kept across an `await` would be stale). Should the turn leave the transcript while its job
    still ends (the conversation was closed), the last value is kept here, so the answer so
    far is still saved."""

    def __init__(self, transcript: Transcript, turn: Turn) -> None:
        self._transcript = transcript
        self.id = turn.id
        self._last = turn

    @property
    def now(self) -> Turn:
        current = self._transcript.turn(self.id)
        if current is not None:
            self._last = current
        return self._last

    def update(self, **changes: Unpack[TurnChanges]) -> Turn:
        if self._transcript.turn(self.id) is None:  # no longer shown: nothing to announce
            self._last = replace(self._last, **changes)
        else:
            self._last = self._transcript.update(self.id, **changes)
        return self._last

    def append(self, text: str) -> Turn:
        if self._transcript.turn(self.id) is None:
            self._last = replace(self._last, answer=self._last.answer + text)
        else:
            self._last = self._transcript.append(self.id, text)
        return self._last


class Sending:
    def __init__(self, workspace: Host) -> None:
        self._ws = workspace

    def send(self) -> int | None:
        """Ask the composer's question about the draft's images; with no question typed,
        nothing is sent (the app never makes one up). The new turn's id. While a compare is
        open, the question goes to its columns instead (None)."""
        ws = self._ws
        if ws.compare.active:
            ws.compare.ask()
            return None
        prompt = ws.text.strip()
        if ws.busy or ws.session is None or not prompt:
            return None
        if ws.reading_keychain:
            ws.notice(
                "The API key is still being read from the system keychain (it may be asking "
                "for its password). Send again once it is unlocked; your question is kept."
            )
            return None
        profile = ws.profile
        if profile.needs_key and not ws.connection.has_key:  # said as such, not "can't reach"
            if locked := ws.secrets.locked(profile):
                ws.notice(
                    f"{profile.name}: {locked}. Choose the profile again to unlock it, then "
                    "Send again; your question is kept."
                )
                return None
            where = f" or set ${profile.api_key_env}" if profile.api_key_env else ""
            ws.notice(
                f"{profile.name} needs an API key: enter one in Edit → Settings{where}, then "
                "Send again; your question is kept."
            )
            return None
        if ws.jobs.running(Group.REPAIR) or ws.jobs.running(Group.RESTORE):
            ws.notice(
                "The history is being repaired or restored. Send again once it is done; your "
                "question is kept."
            )
            return None
        ws.set_text("")
        return self._start(prompt)

    def stop(self) -> None:
        self._ws.jobs.cancel(Group.SEND)
        self._ws.compare.stop()

    def retry(self, turn_id: int) -> int | None:
        """Send a failed, stopped or interrupted turn again, in its place."""
        ws = self._ws
        turn = ws.transcript.turn(turn_id)
        if turn is None or ws.busy or not turn.status.retryable:
            return None
        if len(ws.transcript.versions(turn_id)) > 1:  # a new attempt in this version's place
            return self.edit(turn_id, turn.prompt, replacing=True)
        self._forget(turn)
        if reached_thread(turn):
            # The stopped attempt's question (and partial answer) are in the server's thread:
            # a new thread with the words so far, so the model never sees that attempt.
            ws.set_continuation(
                new_thread(ws.continuation, "the earlier thread holds the stopped attempt")
            )
        if not len(ws.draft):  # e.g. an answer interrupted by a crash
            if len(turn.images) < len(turn.sources):  # some were never prepared: from the sources
                for source in turn.sources:
                    ws.attachments.add(source.input, source.label, source.crop, source.marks)
            else:
                ws.draft.restore(list(turn.images))
        if ws.text.strip() == turn.prompt:
            ws.set_text("")
        return self._start(turn.prompt)

    def edit(self, turn_id: int, prompt: str, *, replacing: bool = False) -> int | None:
        """Edit & resend: the conversation continues from just before this question, asked
        now as `prompt` with its images: a new version of this exchange (the earlier ones are
        kept, ‹ 1/2 ›; `replacing`: a failed one is replaced); the turns after it leave the
        transcript and the history."""
        ws = self._ws
        turn = ws.transcript.turn(turn_id)
        prompt = prompt.strip() or (turn.prompt if turn else "")
        if turn is None or ws.busy or ws.session is None or ws.reading_keychain:
            return None
        self._rewind(turn)
        if replacing:
            self._forget_messages(turn)
        # The question goes with its own images; others in the draft wait for the next one.
        wanted = {image.sha256 for image in turn.images}
        present = {a.prepared.sha256 for a in ws.draft if a.prepared is not None}
        ws.draft.restore([image for image in turn.images if image.sha256 not in present])
        own = [a for a in ws.draft if a.prepared is not None and a.prepared.sha256 in wanted]
        return self._start(prompt, own, version_of=turn.id, replacing=replacing)

    def regenerate(self, turn_id: int) -> int | None:
        """A new answer to the same question, from the same point of the conversation."""
        turn = self._ws.transcript.turn(turn_id)
        return None if turn is None else self.edit(turn_id, turn.prompt)

    def _rewind(self, turn: Turn) -> None:
        ws = self._ws
        turns = ws.transcript.turns
        index = next(i for i, t in enumerate(turns) if t.id == turn.id)
        for later in turns[index + 1 :]:
            self._forget(later)
        items = ws.transcript.items
        place = next(i for i, item in enumerate(items) if item.id == turn.id)
        for item in items[place + 1 :]:  # a deleted exchange after it goes too (no Undo)
            if isinstance(item, Deleted):
                ws.exchanges.dismiss(item.id)
        ws.set_continuation(rewound(ws.continuation, turns[:index], ws.settings.instructions))

    def _forget(self, turn: Turn) -> None:
        """The turn (every version of it) leaves the transcript and the stored history."""
        for version in self._ws.transcript.versions(turn.id):
            self._forget_messages(version)
        self._ws.transcript.remove(turn.id)

    def _forget_messages(self, turn: Turn) -> None:
        if turn.message_ids is not None:
            try:
                for message_id in turn.message_ids:
                    self._ws.history.delete_message(message_id)
            except StorageError as error:  # the new attempt says so if the disk still refuses
                log.warning("the earlier attempt stays in the history: %s", error.message)

    def _start(
        self,
        prompt: str,
        attachments: list[Attachment] | None = None,
        *,
        version_of: int | None = None,
        replacing: bool = False,
    ) -> int | None:
        """Ask `prompt` with `attachments` (the whole draft unless given), as a new turn or a
        new version of the turn `version_of`; the turn's id."""
        ws = self._ws
        session = ws.session
        assert session is not None
        attachments = list(ws.draft) if attachments is None else attachments
        for attachment in attachments:  # Send is the retry for an image that failed
            if attachment.state is AttachmentState.FAILED:
                ws.attachments.retry(attachment.id)
        attachments = _current(ws.draft, attachments)  # values: as they are after the retries
        ready = [a.prepared for a in attachments if a.prepared is not None]
        preparing = any(a.prepared is None for a in attachments)
        settings = ws.settings
        asked = (
            prompt,
            ready,
            settings.mode,
            settings.model,
            session.profile.base_url,
            TurnStatus.PREPARING if preparing else TurnStatus.PENDING,
        )
        turn = _SentTurn(
            ws.transcript,
            ws.transcript.add_turn(*asked)
            if version_of is None
            else ws.transcript.add_version(version_of, *asked, replacing=replacing),
        )
        # What every image is made from is saved with the question, before any preparing or
        # uploading: whatever happens next (Stop, a crash, kill -9), Retry can send them all.
        kept = [(a, *kept_form(a)) for a in attachments]
        sources = question_sources([(source, a.label, a.crop, marks) for a, source, marks in kept])
        turn.update(sources=sources)
        try:
            stored = session.save_question(
                session.question(prompt, ready, settings), settings, ws.conversation_id
            )
            if stored is not None and stored.question_id:
                try:
                    save_sources(ws.history, stored.question_id, sources)
                except StorageError as error:
                    if error.fault is not StorageFault.DAMAGED:
                        raise  # a damaged page only costs the Retry of unprepared images
        except Exception as error:  # the disk, most likely: the draft stays for Retry
            self._failed(turn, None, session, error)
            return turn.id
        if stored is not None and stored.conversation_id is not None:
            ws.set_continuation(replace(ws.continuation, conversation_id=stored.conversation_id))
        if stored is not None and stored.unsaved:
            turn.update(unsaved=stored.unsaved)
        if stored is not None and stored.question_id and stored.answer_id:
            turn.update(message_ids=(stored.question_id, stored.answer_id))
            if version_of is not None:
                with contextlib.suppress(StorageError):  # then it reopens as its own exchange
                    save_versions(ws.history, ws.transcript, turn.id)
            if len(ws.transcript.turns) == 1:  # a new conversation: it keeps its settings
                with contextlib.suppress(StorageError):
                    ws.library.save_settings()
        ws.conversation_changed.emit(ws.conversation_id)
        ws.conversations_changed.emit()
        # However the job ends, one of these leaves the turn ended and its answer row saved.
        ws.jobs.start(
            Group.SEND,
            self._run(turn, attachments, stored, session),
            success=lambda _none: self._finished(turn, stored, session),
            failure=lambda error: self._failed(turn, stored, session, error),
            cancelled=lambda: self._stopped(turn, stored, session),
        )
        return turn.id

    async def _run(
        self,
        turn: _SentTurn,
        attachments: list[Attachment],
        stored: StoredTurn | None,
        session: Session,
    ) -> None:
        ws = self._ws
        await self._prepared(attachments)  # an image still being prepared goes with this turn
        wanted = {a.id for a in attachments}
        kept = [a for a in ws.draft if a.id in wanted and a.prepared is not None]  # draft order
        images: list[PreparedImage] = [a.prepared for a in kept if a.prepared is not None]
        late = [image for image in images if image not in turn.now.images]
        try:
            session.save_images(stored, late)
        except StorageError as error:
            if error.fault is not StorageFault.DAMAGED:
                raise
            note = f"Images prepared after Send were sent but not saved ({error.detail})."
            turn.update(unsaved="\n".join(n for n in (turn.now.unsaved, note) if n))
        if stored is not None:  # the question has what it sends: the originals can go
            with contextlib.suppress(StorageError):  # kept: a Retry prepares them again
                drop_sources(ws.history, stored.question_id)
        uploading = any(a.state is not AttachmentState.UPLOADED for a in kept)
        settings = ws.settings
        uploads = session.mode_client(settings.mode).uploads_images
        status = TurnStatus.UPLOADING if uploading and uploads else TurnStatus.STREAMING
        requests = tuple(request for a in kept for request in a.requests)  # uploads on attach
        turn.update(images=tuple(images), status=status, requests=requests, sources=())
        question = session.question(turn.now.prompt, images, settings)
        asked_in = ws.conversation_id
        async for event in session.send(question, settings, ws.continuation, stored):
            self._on_event(turn, kept, event)
            if ws.conversation_id == asked_in:
                # The workspace's one value moves on: a thread made before a Stop is kept.
                ws.set_continuation(followed(ws.continuation, event, question))

    async def _prepared(self, attachments: list[Attachment]) -> None:
        """Until every attachment is prepared, failed or gone (uploads may still run: the
        question is saved with its images before they finish)."""
        ws = self._ws
        ready = asyncio.get_running_loop().create_future()

        def done(attachment_id: int) -> bool:
            current = ws.draft.get(attachment_id)
            return (
                current is None
                or current.prepared is not None
                or not ws.jobs.running(job_key(attachment_id))
            )

        def check(*_: object) -> None:
            if not ready.done() and all(done(a.id) for a in attachments):
                ready.set_result(None)

        ws.draft.changed.connect(check)
        ws.draft.removed.connect(check)
        ws.jobs.changed.connect(check)
        try:
            check()
            await ready
        finally:
            ws.draft.changed.disconnect(check)
            ws.draft.removed.disconnect(check)
            ws.jobs.changed.disconnect(check)

    def _on_event(self, turn: _SentTurn, attachments: list[Attachment], event: Event) -> None:
        ws = self._ws
        if turn.now.retry_in and not isinstance(event, RateLimitWait | Waiting):
            turn.update(retry_in=0.0)
            ws.rate_limited(0.0)
        match event:
            case TextDelta(text=text):
                now = turn.now
                if now.status is not TurnStatus.STREAMING or now.waiting:
                    turn.update(status=TurnStatus.STREAMING, waiting=0.0)
                turn.append(text)
            case RequestSent():
                turn.update(requests=(*turn.now.requests, event))
            case (
                UploadProgress(sha256=sha)
                | Processing(sha256=sha)
                | FileReady(sha256=sha)
                | FileFailed(sha256=sha)
            ):
                for attachment in attachments:
                    if attachment.prepared is not None and attachment.prepared.sha256 == sha:
                        ws.attachments.on_event(attachment, event)
            case Usage():
                cost = ws.count_tokens(event, turn.now.model)
                turn.update(usage=event, cost_usd=cost)
            case Completed(text=text, response_id=response_id, unsaved=unsaved):
                turn.update(
                    status=done(turn.now.status),
                    answer=text,
                    error="",
                    response_id=response_id,
                    unsaved="\n".join(line for line in (turn.now.unsaved, unsaved) if line),
                )
                for attachment in attachments:  # sent: they leave the draft (new ones stay)
                    ws.draft.remove(attachment.id)
                ws.conversations_changed.emit()
                if ws.app_settings.cleanup is Cleanup.AFTER_ANSWER:
                    keys = [image.upload_key() for image in turn.now.images if not image.is_url]
                    ws.jobs.start(Group.CLEANUP, ws.connection.delete_uploads(keys))
            case Failed(error=error, partial=partial):
                self._fail(turn, error, partial)
            case TurnStarted(replay=replay):
                turn.update(replay=replay)
            case Waiting(seconds=seconds):
                turn.update(waiting=seconds)
            case RateLimitWait(seconds=seconds):
                turn.update(retry_in=seconds, waiting=0.0)
                ws.rate_limited(seconds)
            case StateChanged():
                pass  # the conversation's state, kept by the workspace (`followed`)
            case Preparing() | Prepared():
                pass  # the images were prepared before the turn was sent
            case _:
                assert_never(event)

    def _fail(self, turn: _SentTurn, error: VisionDeskError, partial: str = "") -> None:
        ws = self._ws
        fix, suggested = None, None
        if isinstance(error, AuthError):
            fix = Fix.OPEN_SETTINGS
        elif isinstance(error, ModeUnsupported):
            suggested = error.suggested
            fix = Fix.SWITCH_MODE if suggested is not None else None
        ws.rate_limited(0.0)
        now = turn.now
        turn.update(
            retry_in=0.0,
            status=failed(now.status),
            answer=partial or now.answer,
            error=error.message,
            fix=fix,
            suggested_mode=suggested,
        )
        self._restore(now.prompt)
        ws.conversations_changed.emit()

    # ----- how the send job ends: exactly one of these runs, whatever the coroutine did -----

    def _finished(self, turn: _SentTurn, stored: StoredTurn | None, session: Session) -> None:
        """The job returned: a mode that ended without saying how is never left hanging."""
        if turn.now.status.running:
            error = VisionDeskError("The answer ended without a final word from the server. Retry.")
            self._failed(turn, stored, session, error)

    def _failed(
        self, turn: _SentTurn, stored: StoredTurn | None, session: Session, error: BaseException
    ) -> None:
        """Whatever broke (the disk, a bug), the turn ends failed and saved, with Retry."""
        now = turn.now
        if now.status.running:
            wrapped = _as_error(error)
            try:
                session.save_answer(stored, now.answer, AnswerStatus.FAILED, wrapped.message)
            except Exception:
                log.exception("could not save the failed turn")
            self._fail(turn, wrapped, now.answer)

    def _stopped(self, turn: _SentTurn, stored: StoredTurn | None, session: Session) -> None:
        """Stop (or quitting) cancelled the job, wherever it was (waiting for images to be
        prepared, uploading, streaming, or before it began): the turn ends stopped with its
        partial answer, saved as cancelled, with Retry. The composer is left alone, so Enter
        never sends the question twice."""
        ws = self._ws
        now = turn.now
        if now.status.running:
            try:
                session.save_answer(stored, now.answer, AnswerStatus.CANCELLED)
            except Exception:  # kept in memory by the store, or reported on the next write
                log.exception("could not save the stopped turn")
            turn.update(status=stopped(now.status), retry_in=0.0, waiting=0.0)
        ws.rate_limited(0.0)
        ws.conversations_changed.emit()

    def _restore(self, prompt: str) -> None:
        """The question goes back into an empty composer, so nothing typed is lost."""
        if not self._ws.text.strip():
            self._ws.set_text(prompt)


def _current(draft: Draft, attachments: list[Attachment]) -> list[Attachment]:
    """The draft's current values of these attachments (those still in it), in this order."""
    return [current for a in attachments if (current := draft.get(a.id)) is not None]


def _as_error(error: BaseException) -> VisionDeskError:
    if isinstance(error, VisionDeskError):
        return error
    log.error("turn failed unexpectedly", exc_info=error)
    return VisionDeskError(f"Something went wrong: {type(error).__name__}: {error}")
