"""A conversation's server-side state exists once: the workspace (or the CLI's own
conversation) holds it as a frozen value; the api modes report new state as `StateChanged`; the
Session is stateless services that any number of conversations share."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.test_conversation_intents import ask
from tests.test_workspace import drive
from tests.turns import KEY, final, run
from tests.waiting import until
from visiondesk.config.profiles import Profile
from visiondesk.connection import Connection
from visiondesk.domain import ApiMode, Continuation, Detail
from visiondesk.emulator import Emulator
from visiondesk.events import Completed, Event, StateChanged, TurnStarted
from visiondesk.session import OwnSettings, Session, followed
from visiondesk.store import History
from visiondesk.workspace import Turn, TurnStatus, Workspace


@pytest.fixture
def store(tmp_path: Path) -> History:
    return History(tmp_path / "history")


def test_a_stop_mid_stream_keeps_the_new_thread_in_the_workspace(tmp_path: Path) -> None:
    announced: list[tuple[Continuation, bool]] = []

    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        ws.set_mode(ApiMode.ASSISTANTS)
        ws.continuation_changed.connect(lambda value: announced.append((value, ws.busy)))
        emulator.knobs.token_delay = 0.05
        ws.set_text("Tell me slowly")
        turn_id = ws.conversation.send()
        assert turn_id is not None

        def now() -> Turn:
            turn = ws.transcript.turn(turn_id)
            assert turn is not None
            return turn

        await until(lambda: len(now().answer) > 10)
        ws.conversation.stop()
        await until(lambda: not ws.busy)
        turn = now()
        assert turn.status is TurnStatus.STOPPED
        # The thread made by the stopped turn is the workspace's, announced as it came.
        thread = ws.continuation.state.thread_id
        assert thread is not None and ws.continuation.state.assistant_id is not None
        assert any(r.path == f"/threads/{thread}/messages" for r in turn.requests)
        assert announced[-1][0] == ws.continuation  # through its one announcing method
        assert any(value.state.thread_id == thread and busy for value, busy in announced)
        emulator.knobs.token_delay = 0.0
        after = await ask(ws, "And now?")  # a new question continues the same thread
        assert not any(r.path == "/threads" for r in after.requests)
        assert any(r.path == f"/threads/{thread}/messages" for r in after.requests)
        assert ws.continuation.state.thread_id == thread

    drive(tmp_path, scenario)


async def asked(
    session: Session, settings: OwnSettings, continuation: Continuation, prompt: str
) -> tuple[Continuation, list[Event]]:
    """One turn through the services, the caller keeping the conversation's value."""
    question = session.question(prompt, (), settings)
    stored = session.save_question(question, settings, continuation.conversation_id)
    assert stored is not None
    continuation = replace(continuation, conversation_id=stored.conversation_id)
    events = []
    async for event in session.send(question, settings, continuation, stored):
        continuation = followed(continuation, event, question)
        events.append(event)
    return continuation, events


@pytest.mark.parametrize("mode", [ApiMode.CHAT, ApiMode.RESPONSES, ApiMode.ASSISTANTS])
def test_two_conversations_interleaved_through_one_session_keep_their_own_state(
    mode: ApiMode, emulator: Emulator, profile: Profile, store: History
) -> None:
    settings = OwnSettings(mode, "gpt-4o", Detail.HIGH)

    async def scenario() -> dict[str, list[list[Event]]]:
        session = Session(profile, None, connection=Connection(profile, KEY, store=store))
        before = {name: id(value) for name, value in vars(session).items()}
        a, b = Continuation(), Continuation()
        events: dict[str, list[list[Event]]] = {"a": [], "b": []}
        try:
            for step in range(2):
                a, seen = await asked(session, settings, a, f"A{step}")
                events["a"].append(seen)
                b, seen = await asked(session, settings, b, f"B{step}")
                events["b"].append(seen)
        finally:
            await session.connection.aclose()
        # Nothing of either conversation was kept on the services.
        assert {name: id(value) for name, value in vars(session).items()} == before
        assert a.conversation_id != b.conversation_id
        assert [e.turn.prompt for e in a.exchanges] == ["A0", "A1"]
        assert [e.turn.prompt for e in b.exchanges] == ["B0", "B1"]
        for ours in (a, b):  # reopening continues each from its own state
            assert ours.conversation_id is not None
            assert store.state(ours.conversation_id).response_id == ours.state.response_id
            assert store.state(ours.conversation_id).thread_id == ours.state.thread_id
        if mode is ApiMode.ASSISTANTS:
            assert a.state.thread_id and b.state.thread_id
            assert a.state.thread_id != b.state.thread_id
        return events

    events = run(scenario())
    for name in ("a", "b"):
        first, second = events[name]
        assert isinstance(final(first), Completed) and isinstance(final(second), Completed)
        [started] = [e for e in second if isinstance(e, TurnStarted)]
        # The second turn of each continues from its own first turn only.
        assert [e.turn.prompt for e in started.replay.history] == [f"{name.upper()}0"]
        if mode is ApiMode.RESPONSES:
            first_id = final(first).response_id  # type: ignore[union-attr]
            assert started.replay.state.response_id == first_id
            assert any(isinstance(e, StateChanged) for e in first)
    if mode is ApiMode.RESPONSES:
        bodies = [r.body for r in emulator.log if r.path == "/responses" and r.status == 200]
        chained = [body.get("previous_response_id") for body in bodies]
        assert chained[0] is None and chained[1] is None  # A0, B0 start their own chains
        assert chained[2] is not None and chained[3] is not None and chained[2] != chained[3]
    if mode is ApiMode.ASSISTANTS:
        threads = [r.path for r in emulator.log if r.method == "POST" and r.path == "/threads"]
        assert len(threads) == 2  # one per conversation, each reused for its second turn
