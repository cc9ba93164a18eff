"""Intents on the exchanges already in the conversation: show another version of one, delete
one (with Undo), dismiss the Undo. Whatever changes, the conversation continues from what is
shown: the Chat history, the Responses chain and the Assistants thread are moved to match
(`rewinding.py`), and the history keeps which version is shown."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from visiondesk.errors import StorageError
from visiondesk.workspace.rewinding import rewound, without
from visiondesk.workspace.transcript import Deleted, Transcript, Turn

if TYPE_CHECKING:
    from visiondesk.store import History
    from visiondesk.workspace.host import Host

log = logging.getLogger(__name__)


def message_ids(turns: tuple[Turn, ...]) -> list[int]:
    return [message for turn in turns if turn.message_ids for message in turn.message_ids]


def save_versions(history: History, transcript: Transcript, turn_id: int) -> None:
    """The history keeps the versions of this shown turn's exchange and which one is shown."""
    versions = transcript.versions(turn_id)
    shown = transcript.turn(turn_id)
    saved = [v.message_ids for v in versions if v.message_ids]
    if len(versions) < 2 or shown is None or shown.message_ids is None or not saved:
        return
    history.save_versions(saved[0][0], message_ids(versions), shown.message_ids)


class Exchanges:
    def __init__(self, workspace: Host) -> None:
        self._ws = workspace

    def show_version(self, turn_id: int, version_id: int) -> bool:
        """Show another version of the last exchange (‹ ›): the next question continues from
        it. Refused while an answer runs, and on an exchange with a later one after it."""
        ws = self._ws
        transcript = ws.transcript
        if ws.busy or not transcript.versions_at(turn_id).switchable:
            return False
        if version_id not in (version.id for version in transcript.versions(turn_id)):
            return False
        shown = transcript.show_version(turn_id, version_id)
        turns = transcript.turns
        ws.set_continuation(
            rewound(
                ws.continuation,
                turns,
                ws.settings.instructions,
                "another version of the last answer is shown",
            )
        )
        self._save(lambda history: save_versions(history, transcript, shown.id))
        self._settled()
        return True

    def delete(self, turn_id: int) -> Deleted | None:
        """Delete the exchange (its question and every version of its answer) from the
        conversation and the history, with Undo in its place. Refused while an answer runs:
        the conversation's server-side state moves with every answer."""
        ws = self._ws
        transcript = ws.transcript
        turns = transcript.turns
        turn = transcript.turn(turn_id)
        if turn is None:
            return None
        if ws.busy or turn.status.running:
            ws.notice("Delete waits for the answer under way: stop it (Esc) or let it end.")
            return None
        versions = transcript.versions(turn_id)
        ids = message_ids(versions)
        if ids:
            try:
                ws.history.set_messages_deleted(ids)
            except StorageError as error:
                ws.notice(f"The message was not deleted: {error.message}")
                return None
        before = ws.continuation
        index = next(i for i, t in enumerate(turns) if t.id == turn_id)
        self._unchain(turns[index + 1 :])
        kept = [t for t in transcript.turns if t.id != turn_id]
        after = without(before, kept, index == len(turns) - 1, ws.settings.instructions)
        deleted = transcript.delete(turn_id, before, after)
        ws.set_continuation(after)
        self._settled()
        ws.conversations_changed.emit()
        return deleted

    def undelete(self, deleted_id: int) -> None:
        """Undo: the exchange is back in its place and in the history; the conversation
        continues as before the delete if nothing was sent since, else with the words shown."""
        ws = self._ws
        item = ws.transcript.item(deleted_id)
        if not isinstance(item, Deleted):
            return
        if ws.busy:  # the server-side state moves with the answer under way
            ws.notice("Undo waits for the answer under way: stop it (Esc) or let it end.")
            return
        ids = message_ids(item.versions)
        if ids:
            try:
                ws.history.set_messages_deleted(ids, deleted=False)
            except StorageError as error:
                ws.notice(f"The message could not be brought back: {error.message}")
                return
        deleted = ws.transcript.undelete(deleted_id)
        if deleted is None:
            return
        if ws.continuation == deleted.after:
            ws.set_continuation(deleted.before)
        else:  # answers came since: their chain lacks it, so the words travel
            turns = ws.transcript.turns
            self._unchain(turns[[t.id for t in turns].index(deleted.turn.id) + 1 :])
            again = rewound(
                ws.continuation,
                ws.transcript.turns,
                ws.settings.instructions,
                "the earlier thread lacks an exchange brought back",
            )
            ws.set_continuation(replace(again, state=replace(again.state, response_id=None)))
        self._settled()
        ws.conversations_changed.emit()

    def dismiss(self, deleted_id: int) -> None:
        """The Undo line goes, and the exchange leaves the history for good."""
        ws = self._ws
        item = ws.transcript.item(deleted_id)
        if not isinstance(item, Deleted):
            return
        ws.transcript.remove(deleted_id)
        ids = message_ids(item.versions)
        self._save(lambda history: history.purge_deleted(ids) if ids else None)

    def forget_deleted(self) -> None:
        """The conversation is left: its deleted exchanges leave the history for good."""
        ws = self._ws
        ids = [
            message
            for item in ws.transcript.items
            if isinstance(item, Deleted)
            for message in message_ids(item.versions)
        ]
        if ids:
            self._save(lambda history: history.purge_deleted(ids))

    def _unchain(self, later: list[Turn]) -> None:
        """The server-side chains of these answers no longer match what is shown before them:
        none is chained from again (a later Regenerate carries the words instead)."""
        transcript = self._ws.transcript
        for version in (v for turn in later for v in transcript.versions(turn.id)):
            if version.response_id is not None:  # the versions not shown too
                transcript.update(version.id, response_id=None)

    def _settled(self) -> None:
        """Reopening continues from what is shown now: the server-side state is saved."""
        ws = self._ws
        conversation_id = ws.conversation_id
        if conversation_id is not None:
            state = ws.continuation.state
            self._save(lambda history: history.save_state(conversation_id, state))

    def _save(self, write: Callable[[History], object]) -> None:
        try:
            write(self._ws.history)
        except StorageError as error:  # the window is right; the next write may still save it
            log.warning("versions or deletions not saved: %s", error.message)
