"""Compare in the window: one question and the draft's images through 2–4 columns at once, each
a profile + model + mode + detail with its own conversation (Chat history, previous response id,
thread), so a follow-up goes to every column and each continues its own.

`Comparison` is the one owner of the columns; a column and its turns are values, replaced and
announced. Each column's turn is a job of `Group.COMPARE` keyed by the column: one column's
failure, Stop or Retry never touches another's."""

from __future__ import annotations

import itertools
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, assert_never

from visiondesk.compare import MAX_COLUMNS, MIN_COLUMNS, ColumnSpec
from visiondesk.compare_turn import ImageSource, Preparations, column_events
from visiondesk.config.prices import PriceTable
from visiondesk.domain import (
    ApiMode,
    Continuation,
    ConversationState,
    Detail,
    PreparedImage,
    Question,
)
from visiondesk.errors import AuthError, StorageError, VisionDeskError, in_words
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
from visiondesk.session import OwnSettings, Session, followed
from visiondesk.store.sources import question_sources, save_sources
from visiondesk.workspace.attaching import job_key, kept_form
from visiondesk.workspace.jobs import Group, Key
from visiondesk.workspace.rewinding import new_thread
from visiondesk.workspace.signal import Signal

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from visiondesk.session import StoredTurn
    from visiondesk.store import StoredMessage
    from visiondesk.store.opening import OpenedConversation
    from visiondesk.workspace.draft import Attachment
    from visiondesk.workspace.host import Host


class ColumnStatus(Enum):
    """Where one column's latest turn is."""

    PREPARING = "preparing"
    STREAMING = "streaming"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"

    @property
    def running(self) -> bool:
        return self in (ColumnStatus.PREPARING, ColumnStatus.STREAMING)

    @property
    def retryable(self) -> bool:
        return self in (ColumnStatus.FAILED, ColumnStatus.STOPPED)


@dataclass(frozen=True, slots=True)
class ColumnTurn:
    """One question in one column and what came of it: what the model saw, its answer, what it
    used and how long it took."""

    prompt: str
    sources: tuple[ImageSource, ...] = ()
    seen: tuple[PreparedImage, ...] = ()
    answer: str = ""
    status: ColumnStatus = ColumnStatus.PREPARING
    error: str = ""
    usage: Usage | None = None
    first_token_seconds: float | None = None
    seconds: float | None = None
    question: Question | None = None
    """As it was asked (the send's replay), so the conversation can move on from it."""
    message_ids: tuple[int, ...] = ()
    """Its question and answer in the history (a Retry deletes them)."""
    response_id: str | None = None
    """Responses: the response that answered it (a Regenerate of the next chains from it)."""
    waiting: str = ""
    """What it waits on now, in words (a 429's countdown, a silent server); empty if none."""


@dataclass(frozen=True, slots=True)
class CompareColumn:
    """A profile + model + mode + detail, its turns, and where its own conversation stands."""

    id: int
    profile_key: str
    spec: ColumnSpec
    turns: tuple[ColumnTurn, ...] = ()
    continuation: Continuation = field(default_factory=Continuation)
    instructions: str = ""
    """The conversation's instructions (system prompt) when the compare began."""

    @property
    def last(self) -> ColumnTurn | None:
        return self.turns[-1] if self.turns else None

    @property
    def running(self) -> bool:
        return self.last is not None and self.last.status.running

    @property
    def settings(self) -> OwnSettings:
        return OwnSettings(self.spec.mode, self.spec.model, self.spec.detail, self.instructions)

    def title(self, profile_name: str) -> str:
        return f"{self.spec.model} · {self.spec.mode.label} · {self.spec.detail.value} detail" + (
            f" · {profile_name}" if profile_name else ""
        )


class CompareError(ValueError):
    """A compare the model refuses (too few or too many columns, an unknown profile)."""


class Comparison:
    """State: `columns` (empty: no compare open), `blind`, `picked`, `first`. Intents:
    `start`, `reopen`, `ask`, `stop`, `stop_column`, `retry`, `regenerate`, `close_column`,
    `keep`, `pick`, `end`.

    Signals: `columns_changed()` (a compare began or ended, a column came or went),
    `column_changed(int)` (the column at that place was replaced), `text_appended(int, str)`
    (its answer grew by this much, the value replaced without `column_changed`),
    `busy_changed(bool)`."""

    def __init__(self, workspace: Host, prices: PriceTable | None = None) -> None:

        self._ws = workspace
        self.prices = prices or PriceTable.load()
        """The person's price table (prices.json in the config folder), read once."""
        self.columns: tuple[CompareColumn, ...] = ()
        self.blind = False
        self.first: int | None = None
        """The history id of the compare's first column: the one the sidebar lists."""
        self.picked: int | None = None
        """Blind mode: the place of the column picked as better for the latest question (the
        headers show once a pick is made); None until then."""
        self.columns_changed: Signal[[]] = Signal()
        self.column_changed: Signal[[int]] = Signal()
        self.text_appended: Signal[[int, str]] = Signal()
        self.busy_changed: Signal[[bool]] = Signal()
        self._ids = itertools.count(1)
        self._sessions: dict[str, Session] = {}
        self._grouped = False
        """A column joined the compare in the history: the list is announced once, after."""
        self._busy = False
        workspace.jobs.changed.connect(self._jobs_changed)
        # Another conversation opened (or a new one begun): the compare gives way to it.
        workspace.conversation_changed.connect(lambda _id: self.end() if self.columns else None)

    # ----- what the window shows ------------------------------------------------------------

    @property
    def active(self) -> bool:
        return bool(self.columns)

    @property
    def busy(self) -> bool:
        return self._ws.jobs.running(Group.COMPARE)

    @property
    def conversation_ids(self) -> set[int]:
        """The history ids of the compare: its first column's and every column's."""
        ids = {c.continuation.conversation_id for c in self.columns}
        ids.add(self.first)
        return {i for i in ids if i is not None}

    def cost(self, index: int) -> float | None:
        """US$ for the column's latest turn, if its usage and its model's price are known."""
        column = self.columns[index]
        used = column.last.usage if column.last is not None else None
        if used is None:
            return None
        return self.prices.cost_of(
            column.spec.model, used.input_tokens, used.output_tokens, used.cached_input_tokens
        )

    def profile_name(self, index: int) -> str:
        key = self.columns[index].profile_key
        profile = self._ws.profiles.get(key)
        return profile.name if profile is not None else key

    def _jobs_changed(self) -> None:
        busy = self.busy
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    # ----- intents --------------------------------------------------------------------------

    def start(self, columns: Sequence[tuple[str, ColumnSpec]], *, blind: bool = False) -> None:
        """Open a compare of these (profile key, spec) columns; the composer's text and the
        draft's images stay for its first question."""
        if not MIN_COLUMNS <= len(columns) <= MAX_COLUMNS:
            raise CompareError(f"compare takes {MIN_COLUMNS} to {MAX_COLUMNS} columns")
        for key, _spec in columns:
            if key not in self._ws.profiles:
                raise CompareError(f"no profile named {key!r}")
        self.stop()
        said = self._ws.settings.instructions
        made = [
            CompareColumn(next(self._ids), key, spec, instructions=said) for key, spec in columns
        ]
        if blind:  # the place must not tell which is which either
            random.shuffle(made)
        self.columns = tuple(made)
        self.blind = blind
        self.first = None
        self.picked = None
        for column in self.columns:  # made now, not on Enter: the first token comes sooner
            self._session(column.profile_key).mode_client(column.spec.mode)
        self.columns_changed.emit()

    def reopen(self, opened: Sequence[OpenedConversation]) -> None:
        """A saved compare again, every column continuing its own conversation."""
        ws = self._ws
        columns: list[CompareColumn] = []
        for each in opened:
            stored = each.conversation
            key = next((k for k, p in ws.profiles.items() if p.name == stored.profile), None)
            state = each.state
            if key is None:  # its profile is gone: the words go on, not the old server's ids
                key, state = next(iter(ws.profiles)), ConversationState()
                ws.notice(
                    f"The profile {stored.profile!r} of a compare column is gone: the column "
                    f"goes on on {ws.profiles[key].name}, with its words."
                )
            spec = ColumnSpec(stored.model, ApiMode(stored.mode), Detail(stored.detail))
            continuation = Continuation(stored.id, tuple(each.exchanges(stored.model)), state)
            turns = _stored_turns(each)
            columns.append(
                CompareColumn(
                    next(self._ids), key, spec, turns, continuation, stored.instructions or ""
                )
            )
        if len(columns) < MIN_COLUMNS:
            return
        self.stop()
        first = opened[0].conversation
        self.blind = bool(first.compare_blind)
        if self.blind:  # judged blind again: the places must not tell
            random.shuffle(columns)
        self.columns = tuple(columns)
        self.picked = None
        self.first = first.compare_of
        self.columns_changed.emit()

    def end(self) -> None:
        """Back to the single conversation (each column's answers stay in the history)."""
        self.stop()
        self.columns = ()
        self.columns_changed.emit()

    def ask(self) -> bool:
        """The composer's question, with the draft's images, to every column; False (nothing
        sent, nothing lost) when no question is typed or a turn is still under way."""
        ws = self._ws
        prompt = ws.text.strip()
        if not self.columns or not prompt or ws.busy:
            return False
        gone = [c.profile_key for c in self.columns if c.profile_key not in ws.profiles]
        if gone:  # said before anything is cleared: the question and images stay
            ws.notice(
                f"The profile {gone[0]!r} of a compare column is gone: close that column or "
                "end the compare; your question is kept."
            )
            return False
        if self.blind:  # each question judged blind: the places must not tell
            shuffled = list(self.columns)
            random.shuffle(shuffled)
            self.columns = tuple(shuffled)
            self.columns_changed.emit()
        attachments = list(ws.draft)
        sources = tuple(_source(attachment) for attachment in attachments)
        preparations = Preparations(sources)
        if ws.session is not None:  # what the draft made already, columns sending it so share
            policy = ws.session.policy(ws.settings)
            for index, attachment in enumerate(attachments):
                if attachment.prepared is not None and not attachment.state.running:
                    preparations.seed(policy, index, attachment.prepared)
        for attachment in attachments:  # each column prepares the others as it sends them
            ws.jobs.cancel(job_key(attachment.id))
        ws.draft.clear()
        ws.set_text("")
        self.picked = None
        for column in self.columns:
            self._add_turn(column.id, ColumnTurn(prompt, sources))
            self._run(column.id, preparations)
        self._listed()
        return True

    def _listed(self) -> None:
        if self._grouped:
            self._grouped = False
            self._ws.conversations_changed.emit()

    @property
    def hidden(self) -> bool:
        """Blind mode hides what each column is until the person has picked the better one."""
        return self.blind and self.picked is None

    @property
    def can_pick(self) -> bool:
        return self.hidden and all(
            column.last is not None and column.last.status is ColumnStatus.DONE
            for column in self.columns
        )

    def pick(self, index: int) -> bool:
        """Blind mode: this column's answer is the better one. Saved (over every other column)
        for the tally, and the headers show."""
        if not self.can_pick or not 0 <= index < len(self.columns):
            return False
        winner = str(self.columns[index].spec)
        try:
            for place, other in enumerate(self.columns):
                if place != index:
                    self._ws.history.add_pick(self.first, winner, str(other.spec))
        except StorageError as error:
            self._ws.notice(f"Your pick is not saved: {error.message}")
        self.picked = index
        for place in range(len(self.columns)):
            self.column_changed.emit(place)
        return True

    def tally(self) -> list[str]:
        """What the saved picks say of each pair of these columns, in words."""
        lines: list[str] = []
        specs = [column.spec for column in self.columns]
        for place, one in enumerate(specs):
            for other in specs[place + 1 :]:
                if one == other:
                    continue
                try:
                    wins, losses = self._ws.history.tally(str(one), str(other))
                except StorageError:
                    return []
                if wins + losses:
                    leader, won = (one, wins) if wins >= losses else (other, losses)
                    rival = other if leader is one else one
                    lines.append(f"{leader} won {won} of {wins + losses} against {rival}")
        return lines

    def stop(self) -> None:
        """Every column stops; what each had answered stays, marked stopped."""
        self._ws.jobs.cancel(Group.COMPARE)

    def stop_column(self, index: int) -> None:
        if 0 <= index < len(self.columns):
            self._ws.jobs.cancel(Key(Group.COMPARE, self.columns[index].id))

    def retry(self, index: int) -> bool:
        """Ask a column's failed or stopped question again, in its place (the others stay)."""
        if not 0 <= index < len(self.columns):
            return False
        column = self.columns[index]
        last = column.last
        if last is None or not last.status.retryable or column.running:
            return False
        if column.continuation.state.thread_id is not None and last.status is ColumnStatus.STOPPED:
            # The stopped attempt may be in the thread: a new one, with the words so far.
            moved = new_thread(column.continuation, "the earlier thread holds a stopped attempt")
            self._set(column.id, replace(column, continuation=moved))
        self._again(column, last)
        return True

    def _again(self, column: CompareColumn, last: ColumnTurn) -> None:
        """The column's last question asked again in its place, with the images it was asked
        with (its saved sources, or else the images as it sent them); the earlier attempt
        leaves the history once the new one is saved."""
        preparations = self._preparations_of(column, last)
        self._replace_last(column.id, ColumnTurn(last.prompt, preparations.sources))
        self._run(column.id, preparations)
        self._forget(last)
        self._listed()

    def _preparations_of(self, column: CompareColumn, turn: ColumnTurn) -> Preparations:
        if turn.sources or not turn.seen:
            return Preparations(turn.sources)
        sources = tuple(ImageSource(image.data, image.label) for image in turn.seen)
        preparations = Preparations(sources)
        policy = self._session(column.profile_key).policy(column.settings)
        for index, image in enumerate(turn.seen):  # sent so: sent so again, not made again
            preparations.seed(policy, index, image)
        return preparations

    def regenerate(self, index: int) -> bool:
        """A new answer to a column's last question, from the same point of its conversation
        (Chat leaves the last exchange out, Responses chains from the answer before, an
        Assistants thread is started again with the words before)."""
        if not 0 <= index < len(self.columns):
            return False
        column = self.columns[index]
        last = column.last
        if last is None or last.status is not ColumnStatus.DONE:
            return False
        earlier = [turn for turn in column.turns[:-1] if turn.status is ColumnStatus.DONE]
        state = replace(
            column.continuation.state, response_id=earlier[-1].response_id if earlier else None
        )
        moved = replace(column.continuation, exchanges=column.continuation.exchanges[:-1])
        moved = replace(moved, state=state)
        if state.thread_id is not None:
            moved = new_thread(moved, "the earlier thread holds the answer regenerated")
        self._set(column.id, replace(column, continuation=moved))
        self._again(column, last)
        return True

    def _forget(self, turn: ColumnTurn) -> None:
        """An attempt asked again leaves the history."""
        for message_id in turn.message_ids:
            try:
                self._ws.history.delete_message(message_id)
            except StorageError as error:
                self._ws.notice(f"The earlier attempt stays in your history: {error.message}")
                return

    def keep(self, index: int) -> bool:
        """This column is the one to keep: the compare ends and its conversation opens as a
        conversation of its own, to go on with (the other columns stay a compare in the
        history)."""
        if not 0 <= index < len(self.columns) or self.columns[index].running:
            return False
        column = self.columns[index]
        kept = column.continuation.conversation_id
        self.end()
        if kept is None:  # nothing asked yet: a new conversation with the column's settings
            self._ws.library.new()
            self._ws.select_profile(column.profile_key)
            self._ws.apply_settings(
                replace(
                    self._ws.settings,
                    model=column.spec.model,
                    mode=column.spec.mode,
                    detail=column.spec.detail,
                )
            )
            return True
        try:
            self._ws.history.leave_compare(kept)
        except StorageError as error:
            self._ws.notice(f"The column could not be kept on its own: {error.message}")
            return False
        self._ws.library.open(kept)
        return True

    def close_column(self, index: int) -> None:
        """The column leaves the compare: its conversation stays in the history, listed on
        its own from now on. Closing one of two ends the compare (both stay in it)."""
        if not 0 <= index < len(self.columns):
            return
        if len(self.columns) <= MIN_COLUMNS:
            if any(c.running for p, c in enumerate(self.columns) if p != index):
                return  # it would stop the other one's answer: Keep that one once it is done
            self.end()
            return
        self.stop_column(index)
        closed = self.columns[index].continuation.conversation_id
        self.columns = self.columns[:index] + self.columns[index + 1 :]
        if closed is not None:
            try:
                self._ws.history.leave_compare(closed)
            except StorageError as error:
                self._ws.notice(f"The closed column stays in the compare: {error.message}")
            if closed == self.first:  # the next column names the compare now
                self.first = self.columns[0].continuation.conversation_id
            self._ws.conversations_changed.emit()
        self.columns_changed.emit()

    # ----- the columns' jobs -----------------------------------------------------------------

    def _run(self, column_id: int, preparations: Preparations) -> None:
        """Start the column's turn as a job; whatever goes wrong, even before it starts, ends
        in that column, in words, with Retry."""
        started = time.monotonic()
        try:
            self._start(column_id, preparations, started)
        except Exception as error:  # the column says so; the others go on
            log.exception("a compare column could not start")
            self._end_last(column_id, ColumnStatus.FAILED, in_words(error), started)

    def _start(self, column_id: int, preparations: Preparations, started: float) -> None:
        ws = self._ws
        column = self._column(column_id)
        assert column is not None
        session = self._session(column.profile_key)
        stored = self._save_question(session, column_id, preparations.sources)

        async def run() -> None:
            column = self._column(column_id)
            if column is None or column.last is None:
                return
            session = await self._keyed_session(column.profile_key)
            events = column_events(
                session,
                column.settings,
                column.last.prompt,
                preparations,
                column_id,
                column.continuation,
                stored,
            )
            async for tagged in events:
                self._on_event(column_id, tagged.event, started)

        def succeeded(_result: None) -> None:  # a send ends in Completed or Failed: a guard
            self._end_last(column_id, ColumnStatus.FAILED, "The answer ended unfinished.", started)

        def failed(error: BaseException) -> None:
            if not isinstance(error, VisionDeskError):
                log.error("a compare column failed", exc_info=error)
            self._end_last(column_id, ColumnStatus.FAILED, in_words(error), started)

        def cancelled() -> None:
            self._end_last(column_id, ColumnStatus.STOPPED, "Stopped.", started)

        ws.jobs.start(
            Key(Group.COMPARE, column_id),
            run(),
            success=succeeded,
            failure=failed,
            cancelled=cancelled,
        )

    def _session(self, profile_key: str) -> Session:
        """The services of a column's profile (stateless: every column of it shares them), on
        the profile's connection as it is now."""
        connection = self._ws.connections.open(profile_key, self._ws.profiles[profile_key])
        session = self._sessions.get(profile_key)
        if session is None or session.connection is not connection:
            session = self._sessions[profile_key] = Session(
                connection.profile, None, connection=connection
            )
        return session

    async def _keyed_session(self, profile_key: str) -> Session:
        """The column's services once its profile's key is at hand: read from the keychain
        first where it was not yet (the connection is made again with it); a profile that
        needs a key and has none says so, as the window does."""
        ws = self._ws
        profile = ws.profiles[profile_key]
        if not ws.secrets.known(profile):
            await ws.secrets.fetch(profile)
        if ws.secrets.key_for(profile) and not self._session(profile_key).connection.has_key:
            old = ws.connections.drop(profile_key)  # made before the key was read: again
            if old is not None and (ws.session is None or old is not ws.session.connection):
                ws.jobs.start(Group.CLOSE, old.aclose())
        session = self._session(profile_key)
        if profile.needs_key and not session.connection.has_key:
            if locked := ws.secrets.locked(profile):
                raise AuthError(f"{profile.name}: {locked}. Unlock it, then Retry this column.")
            where = f" (or set ${profile.api_key_env})" if profile.api_key_env else ""
            raise AuthError(
                f"{profile.name}: no API key — enter one in Edit → Settings{where}, then Retry "
                "this column."
            )
        return session

    def _save_question(
        self, session: Session, column_id: int, sources: Sequence[ImageSource]
    ) -> StoredTurn | None:
        """Each column is a conversation of its own in the history, saved as it is asked,
        with what its images are made from (so a Retry, even after a restart, has them)."""
        column = self._column(column_id)
        assert column is not None and column.last is not None
        try:
            stored = session.save_question(
                Question(column.last.prompt), column.settings, column.continuation.conversation_id
            )
            if stored is not None and stored.question_id and sources:
                saved = question_sources([(s.input, s.label, s.crop, s.marks) for s in sources])
                save_sources(self._ws.history, stored.question_id, saved)
        except Exception as error:  # the disk: the column goes on, unsaved, and says so
            message = error.message if isinstance(error, StorageError) else in_words(error)
            self._ws.notice(f"This question is not saved in your history: {message}")
            return None
        if stored is None:
            return None
        if column.continuation.conversation_id is None and stored.conversation_id is not None:
            self._group(stored.conversation_id, column_id)
        continuation = replace(column.continuation, conversation_id=stored.conversation_id)
        last = replace(column.last, message_ids=(stored.question_id, stored.answer_id))
        self._set(
            column_id, replace(column, continuation=continuation, turns=(*column.turns[:-1], last))
        )
        return stored

    def _group(self, conversation_id: int, column_id: int) -> None:
        """A column's new conversation joins the compare (the first one names it)."""
        if self.first is None:
            self.first = conversation_id
        place = self._place(column_id) or 0
        column = self._column(column_id)
        try:
            self._ws.history.set_compare(conversation_id, self.first, place)
            if self.blind and conversation_id == self.first:
                self._ws.history.set_blind(conversation_id)
            if column is not None and column.instructions:
                self._ws.history.set_instructions(conversation_id, column.instructions)
        except StorageError as error:
            self._ws.notice(f"This column shows alone in your history: {error.message}")
        self._grouped = True

    def _on_event(self, column_id: int, event: Event, started: float) -> None:
        column = self._column(column_id)
        if column is None or column.last is None:
            return  # closed meanwhile
        last = column.last
        match event:
            case TextDelta(text=text):
                if last.first_token_seconds is None or last.waiting:
                    first = last.first_token_seconds or time.monotonic() - started
                    streaming = replace(
                        last, status=ColumnStatus.STREAMING, first_token_seconds=first, waiting=""
                    )
                    self._replace_last(column_id, streaming)
                self._append(column_id, text)
            case Prepared(image=image):
                self._replace_last(column_id, replace(last, seen=(*last.seen, image)))
            case TurnStarted(replay=replay):
                self._replace_last(column_id, replace(last, question=replay.turn))
            case StateChanged() | Completed() if last.question is not None:
                moved = followed(column.continuation, event, last.question)
                self._set(column_id, replace(column, continuation=moved))
                if isinstance(event, Completed):
                    answered = replace(last, answer=event.text, response_id=event.response_id)
                    self._replace_last(column_id, answered)
                    self._end_last(column_id, ColumnStatus.DONE, event.unsaved, started)
            case Completed(text=text):
                answered = replace(last, answer=text, response_id=event.response_id)
                self._replace_last(column_id, answered)
                self._end_last(column_id, ColumnStatus.DONE, event.unsaved, started)
            case Usage():
                self._replace_last(column_id, replace(last, usage=event))
            case Failed(error=error, partial=partial):
                if partial and partial != last.answer:
                    self._replace_last(column_id, replace(last, answer=partial))
                self._end_last(column_id, ColumnStatus.FAILED, error.message, started)
            case FileFailed(error=error):
                self._end_last(column_id, ColumnStatus.FAILED, error.message, started)
            case RateLimitWait(seconds=seconds):
                said = f"Rate limited — retrying in {seconds:.0f} s" if seconds > 0 else ""
                self._replace_last(column_id, replace(last, waiting=said))
            case Waiting(seconds=seconds, server=server):
                where = "the server" if self.hidden else server  # blind: no names
                said = f"Waiting for {where} ({seconds:.0f} s)…" if not last.answer else ""
                self._replace_last(column_id, replace(last, waiting=said))
            case (
                StateChanged()
                | Preparing()
                | UploadProgress()
                | Processing()
                | FileReady()
                | RequestSent()
            ):
                pass
            case _:
                assert_never(event)

    # ----- replacing values ------------------------------------------------------------------

    def _place(self, column_id: int) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.id == column_id), None)

    def _column(self, column_id: int) -> CompareColumn | None:
        place = self._place(column_id)
        return None if place is None else self.columns[place]

    def _set(self, column_id: int, column: CompareColumn) -> None:
        place = self._place(column_id)
        if place is None:
            return
        self.columns = (*self.columns[:place], column, *self.columns[place + 1 :])
        self.column_changed.emit(place)

    def _add_turn(self, column_id: int, turn: ColumnTurn) -> None:
        column = self._column(column_id)
        if column is not None:
            self._set(column_id, replace(column, turns=(*column.turns, turn)))

    def _replace_last(self, column_id: int, turn: ColumnTurn) -> None:
        column = self._column(column_id)
        if column is not None:
            self._set(column_id, replace(column, turns=(*column.turns[:-1], turn)))

    def _append(self, column_id: int, text: str) -> None:
        """Streamed text: the value is replaced silently and only the delta is announced."""
        place = self._place(column_id)
        if place is None:
            return
        column = self.columns[place]
        assert column.last is not None
        grown = replace(column.last, answer=column.last.answer + text)
        column = replace(column, turns=(*column.turns[:-1], grown))
        self.columns = (*self.columns[:place], column, *self.columns[place + 1 :])
        self.text_appended.emit(place, text)

    def _end_last(self, column_id: int, status: ColumnStatus, error: str, started: float) -> None:
        column = self._column(column_id)
        if column is None or column.last is None or not column.last.status.running:
            return  # closed meanwhile, or ended already (a Failed event, then the job's end)
        seconds = time.monotonic() - started
        ended = replace(column.last, status=status, error=error, seconds=seconds, waiting="")
        self._replace_last(column_id, ended)


_STORED_STATUS = {
    "complete": ColumnStatus.DONE,
    "cancelled": ColumnStatus.STOPPED,
}


def _stored_turns(opened: OpenedConversation) -> tuple[ColumnTurn, ...]:
    """A column's saved turns (the versions shown): question, what was sent, the answer."""
    turns: list[ColumnTurn] = []
    question: StoredMessage | None = None
    for message in opened.messages:
        if not message.shown:
            continue
        if message.role == "user":
            question = message
            continue
        if question is None:
            continue
        status = _STORED_STATUS.get(message.status, ColumnStatus.FAILED)
        saved = opened.sources.get(question.id, ())
        error = message.error or ("" if status is ColumnStatus.DONE else "Interrupted.")
        turns.append(
            ColumnTurn(
                question.text,
                sources=tuple(ImageSource(s.input, s.label, s.crop, s.marks) for s in saved),
                seen=tuple(question.images),
                answer=message.text,
                status=status,
                error=error,
                message_ids=(question.id, message.id),
            )
        )
        question = None
    return tuple(turns)


def _source(attachment: Attachment) -> ImageSource:
    source, marks = kept_form(attachment)
    return ImageSource(source, attachment.label, attachment.crop, marks)
