"""`visiondesk send --save` and `--continue ID`: the command line's turn saved in the history
the way the window saves it at Send (workspace/sending.py), so `visiondesk export` can show it.

The question and what its images are made from are committed before anything is prepared or
sent; the images join the question once prepared; the answer is saved however the turn ends
(by `Session.send`, or here when it ends before the request: a bad image, Ctrl+C)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from visiondesk.domain import (
    AnswerStatus,
    Continuation,
    ConversationState,
    PdfPage,
    PreparedImage,
)
from visiondesk.errors import StorageError, VisionDeskError
from visiondesk.escaping import for_terminal

if TYPE_CHECKING:
    from visiondesk.commands.compare_send import ColumnResult
    from visiondesk.session import OwnSettings, Session, StoredTurn
    from visiondesk.store import History


class UnknownConversation(VisionDeskError):
    """`--continue ID` names no saved conversation (a usage error: exit 2)."""


@dataclass
class Saving:
    """One command's saved turn: where it is in the history, and whether it has ended."""

    history: History
    continued: int | None = None
    """The conversation `--continue` goes on with; None: a new one."""
    stored: StoredTurn | None = None
    conversation_id: int | None = None
    _ended: bool = field(default=False, repr=False)

    @classmethod
    def open(cls, continued: int | None) -> Saving:
        """The history in the data folder (StorageError when it cannot be opened). Answers
        streaming in a window beside this command are left alone (never marked interrupted)."""
        from visiondesk.config.paths import data_dir
        from visiondesk.store import History

        history = History(data_dir(), recover=False)
        if continued is not None and history.conversation(continued) is None:
            with contextlib.suppress(StorageError):
                history.close()
            raise UnknownConversation(f"There is no saved conversation {continued}.")
        return cls(history, continued)

    def stored_settings(self) -> tuple[str, str] | None:
        """The mode and model the conversation `--continue` names was last sent with."""
        if self.continued is None:
            return None
        stored = self.history.conversation(self.continued)
        return None if stored is None else (stored.mode, stored.model)

    def continued_from(
        self, profile: str, mode: str, *, keeps_ids: bool
    ) -> tuple[Continuation, str]:
        """Where a send continuing the conversation starts, and its instructions, read once as
        the window reads a conversation it opens. Its server-side ids (thread, previous
        response) are kept only for the same saved profile and mode (`keeps_ids`: a profile
        whose server outlives this command); otherwise its words travel with the question."""
        from visiondesk.store.opening import read_conversation

        if self.continued is None:
            return Continuation(), ""
        opened = read_conversation(self.history, self.continued)
        assert opened is not None  # checked in `open`
        if opened.damage:
            raise VisionDeskError(f"Conversation {self.continued} cannot be read: {opened.damage}")
        stored = opened.conversation
        same = keeps_ids and stored.profile == profile and stored.mode == mode
        state = opened.state if same else ConversationState()
        exchanges = tuple(opened.exchanges(stored.model))
        return Continuation(stored.id, exchanges, state), stored.instructions or ""

    def compare_continued(self, profile: str, *, keeps_ids: bool) -> list[ColumnResult] | None:
        """The columns of the saved compare `--continue` names, each where its own
        conversation stands (its server-side ids on the same profile only); None when it is
        not a compare."""
        from visiondesk.commands.compare_send import ColumnResult
        from visiondesk.compare import ColumnSpec
        from visiondesk.domain import ApiMode, Detail
        from visiondesk.store.opening import read_compare

        if self.continued is None:
            return None
        stored = self.history.conversation(self.continued)
        if stored is None or stored.compare_of is None:
            return None
        columns = []
        for index, opened in enumerate(read_compare(self.history, stored.compare_of)):
            each = opened.conversation
            spec = ColumnSpec(each.model, ApiMode(each.mode), Detail(each.detail))
            same = keeps_ids and each.profile == profile
            state = opened.state if same else ConversationState()
            continuation = Continuation(each.id, tuple(opened.exchanges(each.model)), state)
            columns.append(ColumnResult(index, spec, continuation, each.instructions or ""))
        self.continued = stored.compare_of  # the compare is named by its first column
        return columns if len(columns) > 1 else None

    def question(
        self,
        session: Session,
        settings: OwnSettings,
        continuation: Continuation,
        prompt: str,
        images: Sequence[str | PdfPage],
    ) -> StoredTurn | None:
        """Commit the question and its image sources before anything is prepared or sent."""
        from visiondesk.marks import Marks
        from visiondesk.store.sources import question_sources, save_sources

        sources = question_sources([(image, str(image), None, Marks()) for image in images])
        asked = session.question(prompt, [], settings)
        self.stored = session.save_question(asked, settings, continuation.conversation_id)
        if self.stored is not None:
            self.conversation_id = self.stored.conversation_id
            if self.stored.question_id:
                save_sources(self.history, self.stored.question_id, sources)
        if self.continued is not None:  # a conversation keeps the settings it was last sent with
            self.history.update_settings(
                self.continued,
                session.profile.name,
                settings.mode.value,
                settings.model,
                settings.detail.value,
            )
        return self.stored

    def prepared(self, session: Session, images: list[PreparedImage]) -> None:
        """The images join their question; their originals are no longer needed."""
        from visiondesk.store.sources import drop_sources

        session.save_images(self.stored, images)
        if self.stored is not None:
            with contextlib.suppress(StorageError):  # kept: a Retry prepares them again
                drop_sources(self.history, self.stored.question_id)

    def sending(self) -> None:
        """From here `Session.send` saves the answer however the turn ends."""
        self._ended = True

    def ended(self, session: Session, status: AnswerStatus, error: str = "") -> None:
        """A turn that ended before its request (a bad image, Ctrl+C): saved with its status,
        so the window shows it with Retry."""
        if self._ended:
            return
        self._ended = True
        with contextlib.suppress(StorageError):  # kept in memory by the store until close
            session.save_answer(self.stored, "", status, error)

    def close(self) -> None:
        """Write what is kept in memory and close; then, as the command's last line, the
        conversation's id (`visiondesk export ID`)."""
        try:
            self.history.close()
        except StorageError as error:
            print(for_terminal(f"error: the history could not be saved: {error}"), file=sys.stderr)
        if self.conversation_id is not None:
            print(f"conversation: {self.conversation_id}", file=sys.stderr, flush=True)
