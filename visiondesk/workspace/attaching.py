"""Intents on the draft. Each image is prepared (and, where the mode uploads, uploaded) by a job
in the group "attach:<id>"; its card mirrors the attachment's state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from visiondesk.errors import Cancelled, ImageError, VisionDeskError
from visiondesk.events import (
    Event,
    FileFailed,
    FileReady,
    Prepared,
    Processing,
    RequestSent,
    UploadProgress,
)
from visiondesk.imaging import ImageInput
from visiondesk.workspace.draft import Attachment, AttachmentState, Crop

if TYPE_CHECKING:
    from visiondesk.session import Session
    from visiondesk.workspace.workspace import Workspace


def group(attachment_id: int) -> str:
    return f"attach:{attachment_id}"


class Attaching:
    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def add(self, source: ImageInput, label: str) -> int:
        attachment = self._ws.draft.add(source, label)
        self._start(attachment)
        return attachment.id

    def remove(self, attachment_id: int) -> None:
        self._ws.jobs.cancel(group(attachment_id))
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
            attachment.crop = crop
            self._start(attachment)

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

    def _start(self, attachment: Attachment) -> None:
        ws = self._ws
        ws.jobs.cancel(group(attachment.id))
        ws.draft.update(
            attachment,
            state=AttachmentState.PREPARING,
            prepared=None,
            error=None,
            file_id=None,
            sent=0,
            total=0,
            requests=[],
        )
        session = ws.session
        if session is None:
            return
        ws.jobs.start(
            group(attachment.id),
            self._run(attachment, session),
            failure=lambda error: self._failed(attachment, error),
        )

    async def _run(self, attachment: Attachment, session: Session) -> None:
        async for event in session.attach(attachment.source, attachment.label, attachment.crop):
            if session is not self._ws.session or self._ws.draft.get(attachment.id) is None:
                return  # superseded: another profile, or the image was removed
            self.on_event(attachment, event)

    def on_event(self, attachment: Attachment, event: Event) -> None:
        """An event about this attachment, from its own job or from the turn it went with."""
        draft = self._ws.draft
        if isinstance(event, Prepared):
            draft.update(attachment, prepared=event.image, state=AttachmentState.READY)
        elif isinstance(event, UploadProgress):
            draft.update(
                attachment,
                state=AttachmentState.UPLOADING,
                sent=event.bytes_sent,
                total=event.total,
            )
        elif isinstance(event, Processing):
            draft.update(attachment, state=AttachmentState.PROCESSING, file_id=event.file_id)
        elif isinstance(event, FileReady):
            draft.update(attachment, state=AttachmentState.UPLOADED, file_id=event.file_id)
        elif isinstance(event, RequestSent):
            attachment.requests.append(event)
        elif isinstance(event, FileFailed):
            if isinstance(event.error, ImageError):
                draft.remove(attachment.id)
                self._ws.notice(f"Not attached: {event.error.message}")
            elif not isinstance(event.error, Cancelled):
                draft.update(attachment, state=AttachmentState.FAILED, error=event.error)

    def _failed(self, attachment: Attachment, error: BaseException) -> None:
        """Anything unforeseen while preparing: the card says so and offers Retry."""
        if self._ws.draft.get(attachment.id) is None:
            return
        wrapped = (
            error
            if isinstance(error, VisionDeskError)
            else VisionDeskError(f"{attachment.label}: {type(error).__name__}: {error}")
        )
        wrapped.retryable = True
        self._ws.draft.update(attachment, state=AttachmentState.FAILED, error=wrapped)
