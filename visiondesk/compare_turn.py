"""One column of a compare turn, shared by `visiondesk send --compare` and the window's Compare:
the images as the column's policy sends them, then the question in the column's own
conversation. The images are prepared once per distinct policy for the whole turn (two columns
that would send the same pixels share them, whichever asks first), and uploaded once per server
(the connection's uploader keys uploads by content)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from visiondesk.domain import AnswerStatus, Continuation, PreparedImage
from visiondesk.errors import ImageError, StorageError
from visiondesk.events import Event, FileFailed, Prepared, Preparing
from visiondesk.imaging import ImageInput, ImagePolicy
from visiondesk.marks import NO_MARKS, Marks
from visiondesk.session import Session, StoredTurn, TurnSettings
from visiondesk.store.sources import drop_sources

Crop = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class ImageSource:
    """What an image of the question is made from, for every column alike."""

    input: ImageInput
    label: str
    crop: Crop | None = None
    marks: Marks = NO_MARKS


@dataclass(frozen=True, slots=True)
class ColumnEvent:
    """An event of one column; `prepared_by` (with `Prepared`): the column whose asking
    prepared the image this column shares."""

    event: Event
    prepared_by: int | None = None


class Preparations:
    """Each image of one turn prepared once per distinct policy; later askers await the same
    future (shielded: one column's Stop does not cancel another's image)."""

    def __init__(self, sources: Sequence[ImageSource]) -> None:
        self.sources = tuple(sources)
        self._made: dict[tuple[ImagePolicy, int], asyncio.Future[PreparedImage]] = {}
        self._by: dict[tuple[ImagePolicy, int], int] = {}

    def seed(self, policy: ImagePolicy, index: int, image: PreparedImage, by: int = -1) -> None:
        """Image `index` is already made for `policy` (the window's draft prepared it when it
        was attached): columns sending it that way take it as it is."""
        made: asyncio.Future[PreparedImage] = asyncio.get_running_loop().create_future()
        made.set_result(image)
        self._made[(policy.pixels, index)] = made
        self._by[(policy.pixels, index)] = by

    async def get(
        self, session: Session, policy: ImagePolicy, index: int, column: int
    ) -> tuple[PreparedImage, int]:
        """Image `index` as `policy` sends it, and the column whose asking prepared it."""
        key = (policy.pixels, index)
        made = self._made.get(key)
        if made is None or (made.done() and made.cancelled()):
            source = self.sources[index]
            job = session.prepare(source.input, policy, source.label, source.crop, source.marks)
            made = self._made[key] = asyncio.ensure_future(job)
            self._by[key] = column
        return await asyncio.shield(made), self._by[key]


async def column_events(
    session: Session,
    settings: TurnSettings,
    prompt: str,
    preparations: Preparations,
    column: int,
    continuation: Continuation,
    stored: StoredTurn | None = None,
) -> AsyncIterator[ColumnEvent]:
    """Prepare (shared), upload where the mode uploads, then send in the conversation standing
    at `continuation`. Ends with Completed or Failed from the send, or FileFailed when an image
    could not be made or uploaded (nothing is sent then). The question being asked travels in
    the `TurnStarted` event's replay; new server-side state comes as `StateChanged`."""
    policy = session.policy(settings)
    prepared: list[PreparedImage] = []
    mode = session.mode_client(settings.mode)
    try:
        for index, source in enumerate(preparations.sources):
            yield ColumnEvent(Preparing(source.label))
            try:
                image, by = await preparations.get(session, policy, index, column)
            except ImageError as error:
                _ended(session, stored, prepared, AnswerStatus.FAILED, error.message)
                yield ColumnEvent(FileFailed("", error))
                return
            prepared.append(image)
            yield ColumnEvent(Prepared(image), by)
            async for event in mode.attach(image):
                yield ColumnEvent(event)
                if isinstance(event, FileFailed):
                    _ended(session, stored, prepared, AnswerStatus.FAILED, event.error.message)
                    return
    except asyncio.CancelledError:  # stopped before the request: said so in the history too
        _ended(session, stored, prepared, AnswerStatus.CANCELLED, "")
        raise
    session.save_images(stored, prepared)
    if stored is not None and stored.question_id and session.store is not None:
        with contextlib.suppress(StorageError):  # the question has what it sends; else kept
            drop_sources(session.store, stored.question_id)
    question = session.question(prompt, prepared, settings)
    async for event in session.send(question, settings, continuation, stored):
        yield ColumnEvent(event)


def _ended(
    session: Session,
    stored: StoredTurn | None,
    prepared: Sequence[PreparedImage],
    status: AnswerStatus,
    error: str,
) -> None:
    """A turn that ended before its request: its images so far and its answer row saved as
    it ended, so the history never shows it as still pending."""
    with contextlib.suppress(StorageError):  # kept in memory by the store until it can write
        session.save_images(stored, prepared)
        session.save_answer(stored, "", status, error)
