"""Taking a conversation back to an earlier point (Edit & resend, Regenerate, Retry) so that
the model sees exactly the turns kept, whatever the mode: Chat re-sends the history up to that
point, Responses chains from the response before it, Assistants starts a new thread carrying
the words so far (the old thread still holds what came after; the inspector says why)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from visiondesk.domain import ApiMode, Exchange, Question
from visiondesk.workspace.transcript import Turn, TurnStatus

if TYPE_CHECKING:
    from visiondesk.session import Session


def rewind(session: Session, before: Sequence[Turn]) -> None:
    """The session continues after the turns `before` (those answered count)."""
    kept = [turn for turn in before if turn.status is TurnStatus.DONE]
    session.continue_after(
        [
            Exchange(
                Question(turn.prompt, tuple(turn.images), turn.model, session.instructions),
                turn.answer,
            )
            for turn in kept
        ],
        kept[-1].response_id if kept else None,
    )
    if session.state.thread_id is not None:
        new_thread(session, f"the earlier thread holds what came after turn {len(before)}")


def new_thread(session: Session, why: str) -> None:
    """The next Assistants turn starts a new thread with the words so far."""
    session.new_thread(why)


def reached_thread(turn: Turn) -> bool:
    """Whether an Assistants attempt got as far as adding its question to the thread."""
    return turn.mode is ApiMode.ASSISTANTS and any(
        request.method == "POST" and request.path.endswith("/messages") for request in turn.requests
    )
