"""Opening a conversation: everything the window and the services need of it, read once.

One read (meant for a worker thread) into one frozen value: the transcript is drawn from it and
the session continues from it, and switching profile reuses it instead of reading the
conversation again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from visiondesk.domain import ConversationState, Exchange, Question
from visiondesk.errors import StorageError
from visiondesk.store.history import History, StoredConversation, StoredMessage
from visiondesk.store.sources import SavedSource, conversation_sources


@dataclass(frozen=True, slots=True)
class OpenedConversation:
    conversation: StoredConversation
    messages: tuple[StoredMessage, ...] = ()
    sources: Mapping[int, tuple[SavedSource, ...]] = field(default_factory=dict)
    """The saved sources of its questions, by question id."""
    state: ConversationState = field(default_factory=ConversationState)
    damage: str = ""
    """Why its messages could not be read at all; empty if they could (a damaged message or
    image says so itself)."""

    def exchanges(self, model: str) -> list[Exchange]:
        """Finished question-answer pairs: the history the conversation continues from."""
        result: list[Exchange] = []
        question: StoredMessage | None = None
        for message in self.messages:
            if not message.shown:  # another version of its exchange is shown
                continue
            if message.role == "user":
                question = message
            elif question is not None and message.status == "complete":
                result.append(
                    Exchange(Question(question.text, tuple(question.images), model), message.text)
                )
                question = None
        return result


def read_conversation(history: History, conversation_id: int) -> OpenedConversation | None:
    """The stored conversation with its messages, images, sources and server-side state; None if
    there is no such conversation. Reads images: call it off the UI thread."""
    # Each read sees one committed moment on the history's reader connection, and the image
    # files are read outside any lock, so the UI thread's writes never wait for this.
    stored = history.conversation(conversation_id)
    if stored is None:
        return None
    try:
        messages = tuple(history.messages(conversation_id))
        sources = conversation_sources(history, conversation_id)
    except StorageError as error:
        return OpenedConversation(stored, damage=error.message)
    try:
        state = history.state(conversation_id)
    except StorageError:  # the server-side ids are lost: the history travels instead
        state = ConversationState()
    return OpenedConversation(stored, messages, sources, state)


def read_compare(history: History, first: int) -> list[OpenedConversation]:
    """Every column of the compare whose first column is `first`, in order (off the UI
    thread, as `read_conversation`)."""
    opened = (read_conversation(history, stored.id) for stored in history.compare_columns(first))
    return [column for column in opened if column is not None]
