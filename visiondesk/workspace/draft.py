"""The draft: the images attached to the next question, in the order they will be sent."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, TypedDict, Unpack

from visiondesk.marks import NO_MARKS, Marks
from visiondesk.workspace.signal import Signal

if TYPE_CHECKING:  # the window imports the states before the pipeline loads
    from visiondesk.domain import PreparedImage
    from visiondesk.errors import VisionDeskError
    from visiondesk.events import RequestSent
    from visiondesk.imaging import ImageInput

Crop = tuple[int, int, int, int]


class AttachmentState(Enum):
    PREPARING = "preparing"
    READY = "ready"
    UPLOADING = "uploading"
    PROCESSING = "processing"
    UPLOADED = "uploaded"
    FAILED = "failed"

    @property
    def sendable(self) -> bool:
        return self in (AttachmentState.READY, AttachmentState.UPLOADED)

    @property
    def running(self) -> bool:
        """Its preparing or upload is still under way."""
        return self in (
            AttachmentState.PREPARING,
            AttachmentState.UPLOADING,
            AttachmentState.PROCESSING,
        )


_WORKING = frozenset(
    {AttachmentState.UPLOADING, AttachmentState.PROCESSING, AttachmentState.UPLOADED}
)
_NEXT: dict[AttachmentState, frozenset[AttachmentState]] = {
    # Preparing starts again from anywhere (a crop, another mode, Retry); an upload moves
    # forward, may be made again for a turn, and ends uploaded, failed, or back at ready when
    # it was stopped.
    AttachmentState.PREPARING: frozenset({AttachmentState.READY, AttachmentState.FAILED}),
    AttachmentState.READY: _WORKING | {AttachmentState.READY, AttachmentState.FAILED},
    AttachmentState.UPLOADING: _WORKING | {AttachmentState.READY, AttachmentState.FAILED},
    AttachmentState.PROCESSING: _WORKING | {AttachmentState.READY, AttachmentState.FAILED},
    AttachmentState.UPLOADED: _WORKING | {AttachmentState.READY, AttachmentState.FAILED},
    AttachmentState.FAILED: frozenset({AttachmentState.READY}),
}


class IllegalAttachmentTransition(ValueError):
    """A state change the transition table refuses (a bug in whoever asked for it)."""


def moved(state: AttachmentState, to: AttachmentState) -> AttachmentState:
    """The state after moving from `state` to `to`; refused unless the table allows it.
    Preparing again is allowed from every state."""
    if to is not AttachmentState.PREPARING and to not in _NEXT[state]:
        raise IllegalAttachmentTransition(f"an image cannot go from {state.value} to {to.value}")
    return to


def stopped(state: AttachmentState, prepared: bool) -> AttachmentState:
    """Its job ended (stopped, superseded, or finished) with work still under way: an image
    that was prepared is ready again (its upload is made with the next turn); one that was not
    has failed, with Retry. A state that was not running stays."""
    if not state.running:
        return state
    return moved(state, AttachmentState.READY if prepared else AttachmentState.FAILED)


@dataclass(frozen=True, slots=True, eq=False)
class Attachment:
    """One image of the draft: where it came from, what it became, how far its upload is. A
    value: the draft replaces it (`Draft.update`) and announces the new one; whoever holds an
    older one asks the draft for the current one by its id."""

    id: int
    source: ImageInput
    label: str
    crop: Crop | None = None
    state: AttachmentState = AttachmentState.PREPARING
    prepared: PreparedImage | None = None
    sent: int = 0
    total: int = 0
    stalled_for: float = 0.0
    """Seconds its upload has not moved (0 while it moves)."""
    file_id: str | None = None
    error: VisionDeskError | None = None
    requests: tuple[RequestSent, ...] = ()
    """Requests made for it before Send (uploads); the inspector shows them with the turn."""
    marks: Marks = NO_MARKS
    """What the person drew on it, in upright pixels of `source` (editable until sent)."""
    redacted: bytes | None = None
    """`source` with the redactions of `marks` burnt in (PNG), made by its preparing job: what
    is prepared, sent and saved once a redaction exists."""
    forgot_original: bool = False
    """The person chose "forget the original": `source` is the redacted picture itself."""

    @property
    def editable_source(self) -> ImageInput:
        """The picture the mark-up editor shows, under `marks`."""
        return self.source

    @property
    def marked(self) -> bool:
        return bool(self.marks) or self.forgot_original

    @property
    def redacting(self) -> bool:
        """Some of its pixels must never leave the machine."""
        return bool(self.marks.redactions)

    @property
    def percent(self) -> int:
        return 100 * self.sent // max(1, self.total)


class AttachmentChanges(TypedDict, total=False):
    """The fields of an `Attachment` that change (`Draft.update`)."""

    source: ImageInput
    marks: Marks
    redacted: bytes | None
    forgot_original: bool
    crop: Crop | None
    state: AttachmentState
    prepared: PreparedImage | None
    sent: int
    total: int
    stalled_for: float
    file_id: str | None
    error: VisionDeskError | None
    requests: tuple[RequestSent, ...]


class Draft:
    """Ordered attachments with one id sequence. Signals: `added(Attachment)`,
    `changed(Attachment)`, `removed(int)`, `reordered()`."""

    def __init__(self) -> None:
        self._items: list[Attachment] = []
        self._ids = itertools.count(1)
        self.added: Signal[[Attachment]] = Signal()
        self.changed: Signal[[Attachment]] = Signal()
        self.removed: Signal[[int]] = Signal()
        self.reordered: Signal[[]] = Signal()

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items(self) -> tuple[Attachment, ...]:
        return tuple(self._items)

    @property
    def ids(self) -> list[int]:
        return [item.id for item in self._items]

    def get(self, attachment_id: int) -> Attachment | None:
        return next((a for a in self._items if a.id == attachment_id), None)

    def add(
        self,
        source: ImageInput,
        label: str,
        crop: Crop | None = None,
        marks: Marks = NO_MARKS,
    ) -> Attachment:
        attachment = Attachment(next(self._ids), source, label, crop, marks=marks)
        self._items.append(attachment)
        self.added.emit(attachment)
        return attachment

    def restore(self, images: list[PreparedImage]) -> list[Attachment]:
        """Put images prepared before back in the draft (a stored turn retried later)."""
        restored = []
        for image in images:
            attachment = Attachment(
                next(self._ids), image.label, image.label, None, AttachmentState.READY, image
            )
            self._items.append(attachment)
            self.added.emit(attachment)
            restored.append(attachment)
        return restored

    def update(
        self, attachment: Attachment | int, **changes: Unpack[AttachmentChanges]
    ) -> Attachment | None:
        """The one way an attachment changes (mypy checks each field and its type): the current
        value of this id is replaced and the new one announced; its state only as the
        transition table allows. None if it has left the draft."""
        attachment_id = attachment if isinstance(attachment, int) else attachment.id
        current = self.get(attachment_id)
        if current is None:
            return None
        state = changes.get("state")
        if state is not None and state is not current.state:
            moved(current.state, state)
        changed = replace(current, **changes)
        self._items[self._items.index(current)] = changed
        self.changed.emit(changed)
        return changed

    def remove(self, attachment_id: int) -> Attachment | None:
        attachment = self.get(attachment_id)
        if attachment is not None:
            self._items.remove(attachment)
            self.removed.emit(attachment_id)
        return attachment

    def move(self, attachment_id: int, delta: int) -> None:
        attachment = self.get(attachment_id)
        if attachment is None:
            return
        index = self._items.index(attachment)
        target = max(0, min(len(self._items) - 1, index + delta))
        if target != index:
            self._items.insert(target, self._items.pop(index))
            self.reordered.emit()

    def reorder(self, attachment_ids: list[int]) -> None:
        """This order (ids not listed keep their place at the end)."""
        rank = {attachment_id: n for n, attachment_id in enumerate(attachment_ids)}
        ordered = sorted(self._items, key=lambda a: rank.get(a.id, len(rank)))
        if ordered != self._items:
            self._items = ordered
            self.reordered.emit()

    def put(self, attachments: list[Attachment]) -> None:
        """Attachments taken out with `clear` come back as they were (a conversation's draft,
        reopened)."""
        for attachment in attachments:
            if self.get(attachment.id) is None:
                self._items.append(attachment)
                self.added.emit(attachment)

    def clear(self) -> list[Attachment]:
        gone, self._items = self._items, []
        for attachment in gone:
            self.removed.emit(attachment.id)
        return gone
