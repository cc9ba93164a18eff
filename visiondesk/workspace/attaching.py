"""Intents on the draft. Each image is prepared (and, where the mode uploads, uploaded) by a job
keyed `Key(Group.ATTACH, id)`; its card mirrors the attachment's state. However the job ends, its
handler leaves the attachment in a state that is not running (unless a newer job took over)."""

from __future__ import annotations

import itertools
from enum import Enum
from typing import TYPE_CHECKING, assert_never

from visiondesk.errors import Cancelled, ImageError, VisionDeskError
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
from visiondesk.imaging import ImageInput
from visiondesk.marks import NO_MARKS, Marks
from visiondesk.workspace.draft import Attachment, AttachmentState, Crop, stopped
from visiondesk.workspace.jobs import Group, Key

if TYPE_CHECKING:
    from visiondesk.session import Session
    from visiondesk.workspace.host import Host


class Unchanged(Enum):
    """`_start` keeps the attachment's crop (None would mean: the whole image)."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def job_key(attachment_id: int) -> Key:
    """The key of the job that prepares (and uploads) this attachment."""
    return Key(Group.ATTACH, attachment_id)


def kept_form(attachment: Attachment) -> tuple[ImageInput, Marks]:
    """What to save of an attachment and the marks to draw on it: once a redaction exists, the
    redacted picture (made now if its job has not yet: a rare Send before it is prepared) and
    the drawings only, never the original."""
    if not attachment.redacting:
        return attachment.source, attachment.marks
    redacted = attachment.redacted
    if redacted is None:
        from visiondesk.imaging.redacted import redacted_png

        redacted = redacted_png(attachment.source, attachment.marks.redactions, attachment.label)
    return redacted, Marks(attachment.marks.drawings)


class Attaching:
    def __init__(self, workspace: Host) -> None:
        self._ws = workspace
        self._runs = itertools.count(1)
        self._current: dict[int, int] = {}
        """Each attachment's newest job: a superseded job's handler leaves it alone."""

    def add(
        self,
        source: ImageInput,
        label: str,
        crop: Crop | None = None,
        marks: Marks = NO_MARKS,
    ) -> int:
        attachment = self._ws.draft.add(source, label, crop, marks)
        self._start(attachment)
        return attachment.id

    def remove(self, attachment_id: int) -> None:
        self._ws.jobs.cancel(job_key(attachment_id))
        self._current.pop(attachment_id, None)
        attachment = self._ws.draft.remove(attachment_id)
        if attachment is not None and attachment.prepared is not None and self._ws.session:
            self._ws.session.cancel_upload(attachment.prepared)

    def move(self, attachment_id: int, delta: int) -> None:
        self._ws.draft.move(attachment_id, delta)

    def reorder(self, attachment_ids: list[int]) -> None:
        self._ws.draft.reorder(attachment_ids)

    def set_crop(self, attachment_id: int, crop: Crop | None) -> None:
        """Crop an attachment (None: the whole image again); it is prepared anew."""
        attachment = self._ws.draft.get(attachment_id)
        if attachment is not None:
            self._start(attachment, crop=crop)

    def set_marks(self, attachment_id: int, marks: Marks) -> None:
        """Its marks now (editable until sent); it is prepared anew with them. The redacted
        picture is kept while the redactions stay the same (only drawings changed)."""
        attachment = self._ws.draft.get(attachment_id)
        if attachment is None or marks == attachment.marks:
            return
        same = marks.redactions == attachment.marks.redactions
        if marks.redactions and not same:
            self._withdraw(attachment)
        keep = attachment.redacted if same else None
        changed = self._ws.draft.update(attachment, marks=marks, redacted=keep)
        if changed is not None:
            self._start(changed)

    def _withdraw(self, attachment: Attachment) -> None:
        """What was prepared before the redaction never goes (or stays) out: its upload stops,
        and a file already on the server is deleted there."""
        old, session = attachment.prepared, self._ws.session
        if old is None or old.is_url or session is None:
            return
        self._ws.jobs.cancel(job_key(attachment.id))
        session.cancel_upload(old)
        if attachment.file_id is not None or session.uploader.ready_file(old) is not None:
            connection = self._ws.connection
            self._ws.jobs.start(Group.CLEANUP, connection.withdraw_upload(old.upload_key()))

    def forget_original(self, attachment_id: int) -> bool:
        """Keep only the redacted picture: its redactions can no longer be undone, and the
        original is gone from VisionDesk's memory. False until the redacted picture is made."""
        attachment = self._ws.draft.get(attachment_id)
        if attachment is None or not attachment.redacting or attachment.redacted is None:
            return False
        self._ws.draft.update(
            attachment,
            source=attachment.redacted,
            marks=Marks(attachment.marks.drawings),
            redacted=None,
            forgot_original=True,
        )
        return True  # what is prepared is the same picture: it stays ready

    def retry(self, attachment_id: int) -> None:
        attachment = self._ws.draft.get(attachment_id)
        if attachment is not None:
            self._start(attachment)

    def prepare_all(self, *, unfinished_only: bool = False) -> None:
        """Mode, model, detail or profile changed: every image is prepared again for it. With
        `unfinished_only` (same settings, a new session) only the images whose work was still
        under way start again: a ready image is still exactly what will be sent."""
        for attachment in self._ws.draft:
            if unfinished_only and not attachment.state.running:
                continue
            self._start(attachment)

    def _start(self, attachment: Attachment, *, crop: Crop | Unchanged | None = UNCHANGED) -> None:
        ws = self._ws
        ws.jobs.cancel(job_key(attachment.id))
        run = self._current[attachment.id] = next(self._runs)
        fresh = ws.draft.update(
            attachment,
            crop=attachment.crop if isinstance(crop, Unchanged) else crop,
            state=AttachmentState.PREPARING,
            prepared=None,
            error=None,
            file_id=None,
            sent=0,
            total=0,
            stalled_for=0.0,
            requests=(),
        )
        session = ws.session
        if session is None or fresh is None:
            return
        ws.jobs.start(
            job_key(attachment.id),
            self._run(fresh, session),
            failure=lambda error: self._failed(attachment, run, error),
            ended=lambda _outcome: self._ended(attachment, run),
        )

    def _ours(self, attachment: Attachment, run: int) -> bool:
        """The attachment is still in the draft and this run is its newest job."""
        return (
            self._current.get(attachment.id) == run
            and self._ws.draft.get(attachment.id) is not None
        )

    def _ended(self, attachment: Attachment, run: int) -> None:
        """However its job ended (done, stopped, superseded by another profile, failed), the
        attachment is left ready, uploaded or failed: never preparing or uploading forever."""
        current = self._ws.draft.get(attachment.id)
        if current is None or not self._ours(current, run):
            return
        state = stopped(current.state, current.prepared is not None)
        if state is current.state:
            return
        error = current.error
        if state is AttachmentState.FAILED and error is None:
            error = VisionDeskError(f"{attachment.label}: stopped before it was prepared. Retry.")
            error.retryable = True
        self._ws.draft.update(
            attachment, state=state, error=error, sent=0, total=0, stalled_for=0.0
        )

    async def _run(self, attachment: Attachment, session: Session) -> None:
        source, marks = attachment.source, attachment.marks
        if marks.redactions:
            # Burnt in first, and only this copy is prepared: nothing sent or saved is made
            # from the pixels under a redaction.
            redacted = attachment.redacted or await session.redact(
                source, marks.redactions, attachment.label
            )
            if self._ws.draft.update(attachment, redacted=redacted) is None:
                return
            source, marks = redacted, Marks(marks.drawings)
        async for event in session.attach(
            source, self._ws.settings, attachment.label, attachment.crop, marks
        ):
            if session is not self._ws.session or self._ws.draft.get(attachment.id) is None:
                return  # superseded: another profile, or the image was removed
            self.on_event(attachment, event)

    def on_event(self, attachment: Attachment, event: Event) -> None:
        """An event about this attachment, from its own job or from the turn it went with."""
        draft = self._ws.draft
        match event:
            case Prepared(image=image):
                draft.update(attachment, prepared=image, state=AttachmentState.READY)
            case UploadProgress(bytes_sent=sent, total=total, stalled_for=stalled_for):
                draft.update(
                    attachment,
                    state=AttachmentState.UPLOADING,
                    sent=sent,
                    total=total,
                    stalled_for=stalled_for,
                )
            case Processing(file_id=file_id):
                draft.update(attachment, state=AttachmentState.PROCESSING, file_id=file_id)
            case FileReady(file_id=file_id):
                draft.update(attachment, state=AttachmentState.UPLOADED, file_id=file_id)
            case RequestSent():
                current = draft.get(attachment.id)
                if current is not None:
                    draft.update(current, requests=(*current.requests, event))
            case FileFailed(error=ImageError() as error):
                draft.remove(attachment.id)
                self._ws.notice(f"Not attached: {error.message}")
            case FileFailed(error=Cancelled()):
                pass  # stopped on purpose: the job's end puts it back at ready
            case FileFailed(error=error):
                draft.update(attachment, state=AttachmentState.FAILED, error=error)
            case (
                Preparing()
                | Waiting()
                | RateLimitWait()
                | TextDelta()
                | Usage()
                | Completed()
                | Failed()
                | TurnStarted()
                | StateChanged()
            ):
                pass  # about the turn, not about one image
            case _:
                assert_never(event)

    def _failed(self, attachment: Attachment, run: int, error: BaseException) -> None:
        """Anything unforeseen while preparing: the card says so and offers Retry."""
        if not self._ours(attachment, run):
            return
        wrapped = (
            error
            if isinstance(error, VisionDeskError)
            else VisionDeskError(f"{attachment.label}: {type(error).__name__}: {error}")
        )
        wrapped.retryable = True
        self._ws.draft.update(attachment, state=AttachmentState.FAILED, error=wrapped)
