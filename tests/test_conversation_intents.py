"""Conversation intents on the headless model: Stop, Retry, 429 countdowns, Edit & resend,
Regenerate and instructions, against the emulator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.test_workspace import drive
from tests.waiting import until
from visiondesk.domain import ApiMode
from visiondesk.workspace import AttachmentState, ConnectionState, Turn, TurnStatus, Workspace


def test_a_429_wait_counts_down_on_the_answer_and_in_the_status_bar(tmp_path: Path) -> None:
    seen: list[float] = []
    statuses: list[str] = []

    async def scenario(ws: Workspace) -> None:
        await until(lambda: ws.status.state is ConnectionState.CONNECTED)
        ws.transcript.changed.connect(lambda item: seen.append(getattr(item, "retry_in", 0.0)))
        ws.status_changed.connect(lambda status: statuses.append(status.text))
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.fail_429, emulator.knobs.retry_after = 1, 2.0
        ws.set_text("Busy server?")
        turn_id = ws.conversation.send()
        assert turn_id is not None
        await until(lambda: now(ws, turn_id).retry_in > 0)
        limited = ws.status
        assert limited.state is ConnectionState.RATE_LIMITED
        assert "Rate limited — retrying in 2 s" in limited.text
        await until(lambda: now(ws, turn_id).status is TurnStatus.DONE)
        assert now(ws, turn_id).retry_in == 0 and ws.status.state is ConnectionState.CONNECTED

    drive(tmp_path, scenario)
    countdown = [s for s in seen if s > 0]
    assert countdown[0] == 2.0 and 0.0 in seen[seen.index(2.0) :]
    assert any("Rate limited — retrying in" in text for text in statuses)


def now(ws: Workspace, turn_id: int) -> Turn:
    """The turn's value now (the transcript replaces it as it changes)."""
    turn = ws.transcript.turn(turn_id)
    assert turn is not None
    return turn


async def answer(ws: Workspace, turn_id: int | None) -> Turn:
    """The turn's value once its job has ended, answered."""
    assert turn_id is not None
    await until(lambda: not now(ws, turn_id).status.running and not ws.busy)
    turn = now(ws, turn_id)
    assert turn.status is TurnStatus.DONE, turn.error
    return turn


async def ask(ws: Workspace, text: str) -> Turn:
    ws.set_text(text)
    return await answer(ws, ws.conversation.send())


def stored_texts(ws: Workspace) -> list[str]:
    assert ws.conversation_id is not None
    return [message.text for message in ws.history.messages(ws.conversation_id)]


def test_stop_keeps_the_question_out_of_the_composer(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.token_delay = 0.05
        ws.set_text("Tell me slowly")
        turn_id = ws.conversation.send()
        assert turn_id is not None
        await until(lambda: len(now(ws, turn_id).answer) > 10)
        ws.conversation.stop()
        await until(lambda: not ws.busy)
        turn = now(ws, turn_id)
        assert turn.status is TurnStatus.STOPPED and ws.transcript.turns == [turn]
        assert ws.text == ""  # Enter now sends nothing twice
        assert ws.conversation.send() is None

    drive(tmp_path, scenario)


def test_edit_and_resend_in_chat_continues_from_before_the_question(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        first = await ask(ws, "First question")
        second = await ask(ws, "Second question")
        assert "1 earlier turn(s)" in second.answer
        edited_id = ws.conversation.edit(first.id, "First question, better")
        assert edited_id is not None and [t.id for t in ws.transcript.turns] == [edited_id]
        edited = await answer(ws, edited_id)
        assert "earlier turn" not in edited.answer
        assert "You asked: “First question, better”" in edited.answer
        # The first exchange is kept as version 1 of its place; the second question is gone.
        assert stored_texts(ws) == [
            "First question",
            first.answer,
            "First question, better",
            edited.answer,
        ]
        third = await ask(ws, "And then?")
        assert "1 earlier turn(s)" in third.answer

    drive(tmp_path, scenario)


def test_regenerate_in_responses_chains_from_the_response_before(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_mode(ApiMode.RESPONSES)
        first = await ask(ws, "One")
        second = await ask(ws, "Two")
        assert first.response_id and second.response_id
        again_id = ws.conversation.regenerate(second.id)
        assert again_id is not None and ws.transcript.turns == [first, now(ws, again_id)]
        again = await answer(ws, again_id)
        [create] = [r for r in again.requests if r.path == "/responses"]
        assert create.body is not None
        assert create.body.get("previous_response_id") == first.response_id
        assert "1 earlier turn(s)" in again.answer and "You asked: “Two”" in again.answer
        assert again.response_id != second.response_id

    drive(tmp_path, scenario)


def test_assistants_retry_never_shows_the_model_the_stopped_attempt(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_mode(ApiMode.ASSISTANTS)
        await ask(ws, "First")
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.token_delay = 0.05
        ws.set_text("Second, stopped")
        stopped = ws.conversation.send()
        assert stopped is not None
        await until(lambda: len(now(ws, stopped).answer) > 10)
        ws.conversation.stop()
        await until(lambda: not ws.busy)
        emulator.knobs.token_delay = 0.0
        retried = await answer(ws, ws.conversation.retry(stopped))
        assert "1 earlier turn(s)" in retried.answer  # not 2: the stopped attempt is gone
        [thread] = [r for r in retried.requests if r.path == "/threads"]
        assert "new thread" in thread.note and "stopped attempt" in thread.note

    drive(tmp_path, scenario)


def test_assistants_edit_starts_a_new_thread_said_in_the_inspector(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_mode(ApiMode.ASSISTANTS)
        await ask(ws, "First")
        second = await ask(ws, "Second")
        await ask(ws, "Third")
        edited = await answer(ws, ws.conversation.edit(second.id, "Second, edited"))
        assert "1 earlier turn(s)" in edited.answer
        [thread] = [r for r in edited.requests if r.path == "/threads"]
        assert thread.note.startswith("a new thread")
        assert len(ws.transcript.turns) == 2

    drive(tmp_path, scenario)


def test_instructions_default_from_settings_and_per_conversation(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_app_settings(replace(ws.app_settings, instructions="Answer in French."))
        ws.library.new()
        assert ws.settings.instructions == "Answer in French."
        first = await ask(ws, "Hello")
        [sent] = [r for r in first.requests if r.path == "/chat/completions"]
        assert sent.body is not None
        assert sent.body["messages"][0] == {"role": "system", "content": "Answer in French."}
        ws.set_instructions("Answer in one word.")
        second = await ask(ws, "Again")
        [sent] = [r for r in second.requests if r.path == "/chat/completions"]
        assert sent.body is not None
        assert sent.body["messages"][0]["content"] == "Answer in one word."
        ws.set_instructions("")
        third = await ask(ws, "Plain")
        [sent] = [r for r in third.requests if r.path == "/chat/completions"]
        assert sent.body is not None and sent.body["messages"][0]["role"] == "user"

    drive(tmp_path, scenario)


def test_edit_sends_the_question_with_its_own_images(
    tmp_path: Path, photo_path: Path, shot_path: Path
) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.attachments.add(str(photo_path), "photo")
        await until(lambda: [a.state for a in ws.draft] == [AttachmentState.READY])
        first = await ask(ws, "What is this?")
        assert "I received 1 image(s)" in first.answer and not len(ws.draft)
        ws.attachments.add(str(shot_path), "for later")
        await until(lambda: [a.state for a in ws.draft] == [AttachmentState.READY])
        edited = await answer(ws, ws.conversation.edit(first.id, "What is this, really?"))
        assert "I received 1 image(s)" in edited.answer
        assert [image.label for image in edited.images] == ["photo"]
        assert [a.label for a in ws.draft] == ["for later"]  # waits for the next question

    drive(tmp_path, scenario)
