"""The conversation as the window shows it: turns with their status, and notices.

Turns and notices are immutable values: the transcript owns them, and `Transcript.update` /
`append` replace one by id and announce the new value. An exchange may have versions (Regenerate,
Edit & resend): one is shown in its place, the others are kept by the transcript; a deleted
exchange leaves a `Deleted` line in its place until it is undone or dismissed. Hold a turn's
id, never a `Turn`, across anything that may change it (an `await`, a signal):
`transcript.turn(id)` reads the current one."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, TypedDict, Unpack

from visiondesk.domain import ApiMode
from visiondesk.workspace.signal import Signal
from visiondesk.workspace.turn_status import (
    IllegalTransition,
    TurnStatus,
    advanced,
    done,
    failed,
    stopped,
)

if TYPE_CHECKING:
    from visiondesk.domain import Continuation, PreparedImage, Replay
    from visiondesk.events import RequestSent, Usage
    from visiondesk.store.sources import SavedSource


__all__ = [  # the status and its moves live in turn_status.py; their users import them here
    "Deleted",
    "Fix",
    "IllegalTransition",
    "Item",
    "Notice",
    "Transcript",
    "Turn",
    "TurnChanges",
    "TurnStatus",
    "Versions",
    "advanced",
    "done",
    "failed",
    "stopped",
]


class Fix(Enum):
    """What a failed turn offers besides Retry."""

    OPEN_SETTINGS = "settings"
    SWITCH_MODE = "switch-mode"


@dataclass(frozen=True, slots=True)
class Turn:
    """A question and its answer, however far it got: one value of it (equal values, equal
    turns); the transcript holds the current one."""

    id: int
    prompt: str
    images: tuple[PreparedImage, ...]
    mode: ApiMode
    model: str
    base_url: str
    status: TurnStatus = TurnStatus.PENDING
    answer: str = ""
    error: str = ""
    fix: Fix | None = None
    suggested_mode: ApiMode | None = None
    requests: tuple[RequestSent, ...] = ()
    replay: Replay | None = None
    """What its request was built from, for "Copy as Python / curl"."""
    message_ids: tuple[int, int] | None = None
    """The stored question and answer."""
    missing: tuple[str, ...] = ()
    """Images of a stored question that could not be read, each naming the problem."""
    waiting: float = 0.0
    """Seconds the server has been silent (shown on the answer); 0 once words arrive."""
    response_id: str | None = None
    """The Responses API's id of the answer, to chain from it when a later turn is edited."""
    retry_in: float = 0.0
    """Seconds until the SDK retries after a 429 (shown on the answer); 0 when not waiting."""
    unsaved: str = ""
    """What of it the history could not keep (a damaged page): shown on the answer."""
    sources: tuple[SavedSource, ...] = ()
    """What its images were made from (saved with the question), for a Retry of images that
    never finished preparing."""
    usage: Usage | None = None
    """The tokens the server says the answer took (cached input among them)."""
    cost_usd: float | None = None
    """Their price by the price table; None where the model's price is not known."""


class TurnChanges(TypedDict, total=False):
    """The fields of a `Turn` that change while it runs (`Transcript.update`)."""

    status: TurnStatus
    images: tuple[PreparedImage, ...]
    answer: str
    error: str
    fix: Fix | None
    suggested_mode: ApiMode | None
    requests: tuple[RequestSent, ...]
    replay: Replay | None
    message_ids: tuple[int, int] | None
    missing: tuple[str, ...]
    waiting: float
    response_id: str | None
    retry_in: float
    unsaved: str
    usage: Usage | None
    cost_usd: float | None
    sources: tuple[SavedSource, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    text: str


@dataclass(frozen=True, slots=True)
class Deleted:
    """An exchange deleted from the conversation, standing in its place until Undo (or dismissed):
    every version of it, and where the conversation continued from before and after the delete
    (an Undo with nothing sent since puts `before` back exactly)."""

    id: int
    turn: Turn
    """The version that was shown."""
    versions: tuple[Turn, ...]
    """Every version, the shown one included, in order."""
    before: Continuation
    after: Continuation


@dataclass(frozen=True, slots=True)
class Versions:
    """Which version of its exchange a turn is, and whether the person may switch now."""

    number: int = 1
    count: int = 1
    switchable: bool = False
    """Only on the last exchange, with nothing running: a later question was asked after the
    version shown, so switching there would show a conversation the model never had."""


Item = Turn | Notice | Deleted


class Transcript:
    """Turns and notices in order, the one owner of their values (and of the versions not
    shown). Signals: `added(item)`, `changed(turn)` (the new value: status, error, ...),
    `appended(turn, text)` (the new value and the streamed words), `removed(item)`,
    `replaced(old, new)` (another item in the same place: a version shown, a delete, an Undo),
    `reset()`."""

    def __init__(self) -> None:
        self._items: list[Item] = []
        self._ids = itertools.count(1)
        self._places: dict[int, tuple[int, ...]] = {}
        """Each turn id of an exchange with versions → the ids of all its versions, in order."""
        self._hidden: dict[int, Turn] = {}
        """The versions not shown, by id."""
        self.added: Signal[[Item]] = Signal()
        self.changed: Signal[[Item]] = Signal()
        self.appended: Signal[[Turn, str]] = Signal()
        self.removed: Signal[[Item]] = Signal()
        self.replaced: Signal[[Item, Item]] = Signal()
        self.reset: Signal[[]] = Signal()

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(self._items)

    @property
    def turns(self) -> list[Turn]:
        return [item for item in self._items if isinstance(item, Turn)]

    def item(self, item_id: int) -> Item | None:
        """The current value of the turn or notice with this id (None once removed)."""
        return next((item for item in self._items if item.id == item_id), None)

    def turn(self, turn_id: int) -> Turn | None:
        """The current value of the turn with this id (None once removed)."""
        item = self.item(turn_id)
        return item if isinstance(item, Turn) else None

    def add_turn(
        self,
        prompt: str,
        images: Sequence[PreparedImage],
        mode: ApiMode,
        model: str,
        base_url: str,
        status: TurnStatus = TurnStatus.PENDING,
    ) -> Turn:
        turn = Turn(next(self._ids), prompt, tuple(images), mode, model, base_url, status)
        self._items.append(turn)
        self.added.emit(turn)
        return turn

    def versions(self, turn_id: int) -> tuple[Turn, ...]:
        """Every version of the exchange this turn is a version of, in order (itself alone if it
        has no others)."""
        ids = self._places.get(turn_id, (turn_id,))
        found = (self._hidden.get(i) or self.turn(i) for i in ids)
        return tuple(turn for turn in found if turn is not None)

    def versions_at(self, turn_id: int) -> Versions:
        """Which version the shown turn is, of how many, and whether it may switch now."""
        ids = self._places.get(turn_id, (turn_id,))
        last = next((item for item in reversed(self._items) if isinstance(item, Turn)), None)
        # A turn runs only last (a send adds one, a new version rewinds to it).
        switchable = last is not None and last.id == turn_id and not last.status.running
        number = ids.index(turn_id) + 1 if turn_id in ids else 1
        return Versions(number, len(ids), len(ids) > 1 and switchable)

    def versions_shown(self) -> dict[int, Versions]:
        """`versions_at` of each shown turn that has other versions, by id (as many steps as
        such turns, however long the conversation)."""
        return {
            turn_id: self.versions_at(turn_id)
            for turn_id in self._places
            if turn_id not in self._hidden and len(self._places[turn_id]) > 1
        }

    def add_version(
        self,
        turn_id: int,
        prompt: str,
        images: Sequence[PreparedImage],
        mode: ApiMode,
        model: str,
        base_url: str,
        status: TurnStatus = TurnStatus.PENDING,
        *,
        show: bool = True,
        replacing: bool = False,
    ) -> Turn:
        """A new version of the exchange of turn `turn_id` (shown or hidden): the last of its
        versions, shown in its place unless `show` is False (reading a stored conversation);
        `replacing` drops that version instead (a Retry of a failed version)."""
        old_ids = self._places.get(turn_id, (turn_id,))
        shown_id = next(i for i in old_ids if self.turn(i) is not None)
        turn = Turn(next(self._ids), prompt, tuple(images), mode, model, base_url, status)
        if replacing:
            ids = tuple(turn.id if i == turn_id else i for i in old_ids)
            self._places.pop(turn_id, None)
            self._hidden.pop(turn_id, None)
        else:
            ids = (*old_ids, turn.id)
        for version in ids:
            self._places[version] = ids
        if not show and not (replacing and shown_id == turn_id):
            self._hidden[turn.id] = turn
            return turn
        index, old = self._find(shown_id)
        if not (replacing and shown_id == turn_id):
            self._hidden[old.id] = old
        self._items[index] = turn
        self.replaced.emit(old, turn)
        return turn

    def show_version(self, turn_id: int, version_id: int) -> Turn:
        """Show another version of the shown turn `turn_id` in its place; returned."""
        if version_id not in self._places.get(turn_id, ()):
            raise KeyError(f"turn {version_id} is no version of turn {turn_id}")
        index, old = self._find(turn_id)
        if version_id == turn_id:
            return old
        new = self._hidden.pop(version_id)
        self._hidden[old.id] = old
        self._items[index] = new
        self.replaced.emit(old, new)
        return new

    def delete(self, turn_id: int, before: Continuation, after: Continuation) -> Deleted:
        """The exchange of the shown turn (every version) leaves; a `Deleted` line takes its
        place until `undelete` or `remove`."""
        versions = self.versions(turn_id)
        index, old = self._find(turn_id)
        for version in versions:
            self._places.pop(version.id, None)
            self._hidden.pop(version.id, None)
        deleted = Deleted(next(self._ids), old, versions, before, after)
        self._items[index] = deleted
        self.replaced.emit(old, deleted)
        return deleted

    def undelete(self, deleted_id: int) -> Deleted | None:
        """Undo: the deleted exchange is back in its place, with its versions."""
        index = next((i for i, it in enumerate(self._items) if it.id == deleted_id), None)
        deleted = self._items[index] if index is not None else None
        if index is None or not isinstance(deleted, Deleted):
            return None
        ids = tuple(version.id for version in deleted.versions)
        if len(ids) > 1:
            for version in deleted.versions:
                self._places[version.id] = ids
                if version.id != deleted.turn.id:
                    self._hidden[version.id] = version
        self._items[index] = deleted.turn
        self.replaced.emit(deleted, deleted.turn)
        return deleted

    def add_notice(self, text: str) -> Notice:
        notice = Notice(next(self._ids), text)
        self._items.append(notice)
        self.added.emit(notice)
        return notice

    def update(self, turn_id: int, **changes: Unpack[TurnChanges]) -> Turn:
        """The one way a turn changes (mypy checks each field and its type): its new value
        replaces it and is announced (`changed`) and returned; its status only as the
        transition table allows. A turn no longer in the transcript is a `KeyError`; a version
        not shown changes unannounced."""
        if turn_id in self._hidden:
            old = self._hidden[turn_id]
            self._hidden[turn_id] = replace(old, **changes)
            return self._hidden[turn_id]
        index, old = self._find(turn_id)
        status = changes.get("status")
        if status is not None and status is not old.status:
            advanced(old.status, status)
        new = replace(old, **changes)
        self._items[index] = new
        self.changed.emit(new)
        return new

    def append(self, turn_id: int, text: str) -> Turn:
        """Streamed words added to the turn's answer, announced (`appended`) with the new
        value; returned."""
        index, old = self._find(turn_id)
        new = replace(old, answer=old.answer + text)
        self._items[index] = new
        self.appended.emit(new, text)
        return new

    def remove(self, item_id: int) -> None:
        """The item leaves, with every version of its exchange."""
        item = self.item(item_id)
        if item is not None:
            for version in self._places.get(item_id, ()):
                self._places.pop(version, None)
                self._hidden.pop(version, None)
            self._items.remove(item)
            self.removed.emit(item)

    def clear(self) -> None:
        self._items.clear()
        self._places.clear()
        self._hidden.clear()
        self.reset.emit()

    def _find(self, turn_id: int) -> tuple[int, Turn]:
        for index, item in enumerate(self._items):
            if item.id == turn_id and isinstance(item, Turn):
                return index, item
        raise KeyError(f"no turn {turn_id} in the transcript")
