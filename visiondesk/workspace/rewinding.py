"""Taking a conversation back to an earlier point (Edit & resend, Regenerate, Retry) so that
the model sees exactly the turns kept, whatever the mode: Chat re-sends the history up to that
point, Responses chains from the response before it, Assistants starts a new thread carrying
the words so far (the old thread still holds what came after; the inspector says why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from visiondesk.domain import ApiMode, Continuation, Exchange, Question
from visiondesk.workspace.transcript import Turn, TurnStatus


def rewound(
    continuation: Continuation, before: Sequence[Turn], instructions: str, why: str = ""
) -> Continuation:
    """Where the conversation stands after the turns `before` (those answered count): Responses
    chains from the last answer's response id (none known: the words travel), Assistants starts
    a new thread with the words so far (`why`, said in the inspector)."""
    kept = [turn for turn in before if turn.status is TurnStatus.DONE]
    exchanges = tuple(
        Exchange(
            Question(turn.prompt, tuple(turn.images), turn.model, instructions or None),
            turn.answer,
        )
        for turn in kept
    )
    state = replace(continuation.state, response_id=kept[-1].response_id if kept else None)
    after = replace(continuation, exchanges=exchanges, state=state)
    if state.thread_id is not None:
        why = why or f"the earlier thread holds what came after turn {len(before)}"
        after = new_thread(after, why)
    return after


def without(
    continuation: Continuation, kept: Sequence[Turn], last: bool, instructions: str
) -> Continuation:
    """Where the conversation stands once an exchange is deleted (`last`: it was the newest):
    Chat omits it; a response chain goes on from the answer before it when it was the newest,
    else the next question carries the words kept (every later response's chain holds it); an
    Assistants thread holds it, so a new thread starts with the words kept."""
    after = rewound(continuation, kept, instructions, "the earlier thread holds a deleted exchange")
    if last:
        return after
    return replace(after, state=replace(after.state, response_id=None))


def new_thread(continuation: Continuation, why: str) -> Continuation:
    """The next Assistants turn starts a new thread with the words so far (said in the
    inspector)."""
    state = replace(continuation.state, thread_id=None, thread_note=f"a new thread: {why}")
    return replace(continuation, state=state)


def reached_thread(turn: Turn) -> bool:
    """Whether an Assistants attempt got as far as adding its question to the thread."""
    return turn.mode is ApiMode.ASSISTANTS and any(
        request.method == "POST" and request.path.endswith("/messages") for request in turn.requests
    )
