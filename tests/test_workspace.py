"""The workspace model without Qt: a whole turn driven through intents, on a plain asyncio loop,
against the built-in emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.domain import AnswerStatus, ApiMode
from visiondesk.emulator import Knobs
from visiondesk.store import History, StoredMessage
from visiondesk.workspace import AttachmentState, ConnectionState, Turn, TurnStatus, Workspace

T = TypeVar("T")


def drive(tmp_path: Path, scenario: Callable[[Workspace], Awaitable[T]]) -> T:
    async def main() -> T:
        workspace = Workspace(
            History(tmp_path / "history"),
            {EMULATOR: BUILTIN[EMULATOR]},
            Secrets(use_keyring=False),
            emulator_knobs=Knobs(token_delay=0.0, file_processing_delay=0.05),
        )
        workspace.select_profile(EMULATOR)
        try:
            return await asyncio.wait_for(scenario(workspace), 60)
        finally:
            await workspace.aclose()

    return asyncio.run(main())


async def answered(ws: Workspace, text: str) -> int:
    """Ask `text` and wait for the answer; the id of the conversation it was saved in."""
    ws.set_text(text)
    turn = ws.conversation.send()
    assert turn is not None
    await until(lambda: now(ws, turn).status is TurnStatus.DONE)
    assert ws.conversation_id is not None
    return ws.conversation_id


def now(ws: Workspace, turn_id: int) -> Turn:
    """The turn's value now (the transcript replaces it as it changes)."""
    turn = ws.transcript.turn(turn_id)
    assert turn is not None
    return turn


def last(workspace: Workspace) -> Turn:
    return workspace.transcript.turns[-1]


def states(workspace: Workspace) -> list[AttachmentState]:
    return [a.state for a in workspace.draft]


def test_a_whole_turn_through_the_model(tmp_path: Path, photo_path: Path, shot_path: Path) -> None:
    heard: list[str] = []

    async def scenario(ws: Workspace) -> None:
        ws.draft.reordered.connect(lambda: heard.append("reordered"))
        ws.busy_changed.connect(lambda busy: heard.append(f"busy={busy}"))
        photo = ws.attachments.add(str(photo_path), "photo")
        shot = ws.attachments.add(str(shot_path), "shot")
        await until(lambda: states(ws) == [AttachmentState.READY] * 2)
        ws.attachments.move(shot, -1)
        assert ws.draft.ids == [shot, photo]
        ws.attachments.set_crop(photo, (0, 0, 900, 600))
        await until(lambda: states(ws) == [AttachmentState.READY] * 2)
        cropped = ws.draft.get(photo)
        assert cropped is not None and cropped.prepared is not None
        assert (cropped.prepared.width, cropped.prepared.height) == (900, 600)

        # Send, then Stop mid-answer: the turn says stopped, the draft stays, and the question
        # stays in the transcript only (Enter in the composer must not send it twice).
        ws.connections.emulator_knobs.token_delay = 0.05
        ws.set_text("Compare them")
        turn = ws.conversation.send()
        assert turn is not None and ws.text == ""
        await until(
            lambda: now(ws, turn).status is TurnStatus.STREAMING and len(now(ws, turn).answer) > 10
        )
        ws.conversation.stop()
        await until(lambda: not ws.busy)
        assert now(ws, turn).status is TurnStatus.STOPPED and now(ws, turn).answer
        assert len(ws.draft) == 2 and ws.text == "" and now(ws, turn).prompt == "Compare them"

        # Retry: the same question in its place, the images in their order.
        ws.connections.emulator_knobs.token_delay = 0.0
        retried_id = ws.conversation.retry(turn)
        assert retried_id is not None and [t.id for t in ws.transcript.turns] == [retried_id]
        await until(lambda: now(ws, retried_id).status is TurnStatus.DONE)
        retried = now(ws, retried_id)
        assert "I received 2 image(s)" in retried.answer
        assert retried.answer.index("1365×768") < retried.answer.index("900×600")
        assert len(ws.draft) == 0 and ws.tokens.total_in > 0

        # Switch mode: the next turn goes through Assistants, with an upload.
        ws.set_mode(ApiMode.ASSISTANTS)
        ws.attachments.add(str(photo_path), "photo again")
        await until(lambda: states(ws) == [AttachmentState.UPLOADED])
        ws.set_text("And now?")
        second = ws.conversation.send()
        assert second is not None
        await until(lambda: now(ws, second).status is TurnStatus.DONE)
        assert "I received 1 image(s)" in now(ws, second).answer
        assert any(r.path == "/files" for r in now(ws, second).requests)

        # Reopen from history: both turns come back, and the conversation continues.
        conversation = ws.conversation_id
        assert conversation is not None
        ws.library.new()
        assert ws.transcript.turns == [] and ws.conversation_id is None
        assert await ws.library.open(conversation)
        assert [t.status for t in ws.transcript.turns] == [TurnStatus.DONE] * 2
        assert ws.settings.mode is ApiMode.ASSISTANTS
        ws.set_text("One more")
        third = ws.conversation.send()
        assert third is not None
        await until(lambda: now(ws, third).status is TurnStatus.DONE)
        assert ws.conversation_id == conversation

    drive(tmp_path, scenario)
    assert "reordered" in heard and "busy=True" in heard and heard[-1] == "busy=False"


@pytest.mark.parametrize("fault", ["401", "429", "500", "cut", "down"])
def test_every_failed_turn_is_saved_the_same_way(
    fault: str, tmp_path: Path, photo_path: Path
) -> None:
    async def scenario(ws: Workspace) -> tuple[list[StoredMessage], Turn]:
        emulator = ws.connections.emulator
        assert emulator is not None
        ws.attachments.add(str(photo_path), "photo")
        # The faults are for the turn, not for the capability probe that starts with the window.
        await until(lambda: ws.status.state is ConnectionState.CONNECTED)
        await until(lambda: states(ws) == [AttachmentState.READY])
        if fault == "401":
            emulator.api_key = "sk-another-key"
        elif fault == "429":
            emulator.knobs.fail_429, emulator.knobs.retry_after = 5, 0.01
        elif fault == "500":
            emulator.knobs.fail_500 = 5
        elif fault == "cut":
            emulator.knobs.cut_stream_after = 3
        else:
            emulator.stop()
        ws.set_text("What is it?")
        turn = ws.conversation.send()
        assert turn is not None
        await until(lambda: not now(ws, turn).status.running)
        assert ws.conversation_id is not None
        return ws.history.messages(ws.conversation_id), now(ws, turn)

    (question, answer), turn = drive(tmp_path, scenario)
    assert turn.status is TurnStatus.FAILED and turn.error
    assert question.text == "What is it?" and len(question.images) == 1
    assert answer.status == AnswerStatus.FAILED and answer.error == turn.error


def test_an_unexpected_error_never_leaves_a_turn_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    async def scenario(ws: Workspace) -> Turn:
        assert ws.session is not None
        monkeypatch.setattr(ws.session.capabilities, "get", broken)
        ws.set_text("Hello?")
        turn = ws.conversation.send()
        assert turn is not None
        await until(lambda: not ws.busy)
        return now(ws, turn)

    turn = drive(tmp_path, scenario)
    assert turn.status is TurnStatus.FAILED and "RuntimeError: a bug" in turn.error


def test_the_question_is_saved_before_its_images_are_ready(
    tmp_path: Path, photo_path: Path
) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.attachments.add(str(photo_path), "photo")
        ws.set_text("Saved at once?")
        turn = ws.conversation.send()
        assert turn is not None and now(ws, turn).status is TurnStatus.PREPARING
        conversation = ws.conversation_id
        assert conversation is not None
        question, answer = ws.history.messages(conversation)
        assert question.text == "Saved at once?" and answer.status == AnswerStatus.PENDING
        await until(lambda: now(ws, turn).status is TurnStatus.DONE)
        question, answer = ws.history.messages(conversation)
        assert len(question.images) == 1 and answer.status == AnswerStatus.COMPLETE

    drive(tmp_path, scenario)


def test_saving_settings_keeps_the_open_conversation_on_its_profile(tmp_path: Path) -> None:
    from dataclasses import replace

    from visiondesk.config.settings import AppSettings

    async def scenario(ws: Workspace) -> None:
        ws.set_model("gpt-4.1-mini")
        profiles = dict(BUILTIN)
        profiles[EMULATOR] = replace(BUILTIN[EMULATOR], model="edited-default")
        ws.update_profiles(profiles, AppSettings())
        assert ws.settings.profile_key == EMULATOR
        assert ws.settings.model == "gpt-4.1-mini"  # the conversation's own choice stays

    drive(tmp_path, scenario)


def test_each_conversation_keeps_its_own_draft(tmp_path: Path, photo_path: Path) -> None:
    """Arrowing through the sidebar never throws away what was attached and typed, and never
    carries it into another conversation: each draft comes back with its own conversation."""

    async def scenario(ws: Workspace) -> None:
        conversation = await answered(ws, "First")
        ws.attachments.add(str(photo_path), "photo")
        ws.set_text("Not sent yet, for the first")
        await until(lambda: states(ws) == [AttachmentState.READY])
        prepared = ws.draft.items[0].prepared
        ws.library.new()
        assert ws.text == "" and len(ws.draft) == 0
        ws.set_text("For the new one")
        assert await ws.library.open(conversation)
        assert ws.text == "Not sent yet, for the first" and len(ws.transcript.turns) == 1
        assert states(ws) == [AttachmentState.READY] and ws.draft.items[0].prepared is prepared
        ws.library.new()
        assert ws.text == "For the new one" and len(ws.draft) == 0

    drive(tmp_path, scenario)


def test_text_typed_while_an_answer_streams_stays_with_its_conversation(tmp_path: Path) -> None:
    """The "draftnew" defect: typed during an answer, then Ctrl+N, it became part of the next
    conversation's question."""

    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.token_delay = 0.05
        ws.set_text("Slowly, please")
        turn = ws.conversation.send()
        assert turn is not None
        await until(
            lambda: now(ws, turn).status is TurnStatus.STREAMING and len(now(ws, turn).answer) > 5
        )
        first = ws.conversation_id
        assert first is not None
        ws.set_text("draft")
        ws.library.new()
        await until(lambda: not ws.busy)
        assert ws.text == ""
        emulator.knobs.token_delay = 0.0
        ws.set_text("new")
        second = ws.conversation.send()
        assert second is not None and now(ws, second).prompt == "new"
        await until(lambda: now(ws, second).status is TurnStatus.DONE)
        assert await ws.library.open(first)
        assert ws.text == "draft"
        # Its turn was stopped as the conversation closed: saved with the words so far.
        [stopped] = ws.transcript.turns
        assert stopped.status is TurnStatus.STOPPED and len(stopped.answer) > 5

    drive(tmp_path, scenario)


def test_a_conversation_reopens_with_its_own_instructions(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_instructions("Answer in French.")
        conversation = await answered(ws, "Bonjour?")
        ws.library.new()
        assert ws.settings.instructions == ""  # a new conversation starts from the default
        assert await ws.library.open(conversation)
        assert ws.settings.instructions == "Answer in French."

    drive(tmp_path, scenario)


def test_opening_a_conversation_with_the_same_settings_prepares_nothing_again(
    tmp_path: Path, photo_path: Path
) -> None:
    async def scenario(ws: Workspace) -> None:
        conversation = await answered(ws, "First")
        ws.attachments.add(str(photo_path), "photo")
        await until(lambda: states(ws) == [AttachmentState.READY])
        prepared = ws.draft.items[0].prepared
        ws.library.new()
        assert await ws.library.open(conversation)
        assert states(ws) == [AttachmentState.READY] and ws.draft.items[0].prepared is prepared
        ws.set_mode(ApiMode.RESPONSES)  # a real change prepares again
        assert states(ws) == [AttachmentState.PREPARING]
        await until(lambda: states(ws) == [AttachmentState.READY])

    drive(tmp_path, scenario)


def test_conversations_follow_their_profile_when_it_is_renamed(tmp_path: Path) -> None:
    """Conversations are stored by profile name: renamed profiles take theirs along, even two
    that swapped names, so reopening one never falls back to whatever profile is current."""
    from dataclasses import replace

    from visiondesk.config.settings import AppSettings

    first = BUILTIN[EMULATOR]
    second = replace(first, name="Second emulator")

    async def talk(ws: Workspace, key: str, text: str) -> int:
        ws.library.new()  # first: switching profiles moves the open conversation along
        if ws.settings.profile_key != key:
            ws.select_profile(key)
        return await answered(ws, text)

    async def scenario(ws: Workspace) -> None:
        ws.update_profiles({EMULATOR: first, "second": second}, AppSettings())
        on_first = await talk(ws, EMULATOR, "On the first")
        on_second = await talk(ws, "second", "On the second")
        swapped = {
            EMULATOR: replace(first, name=second.name),
            "second": replace(second, name=first.name),
        }
        ws.update_profiles(
            swapped, AppSettings(), {first.name: second.name, second.name: first.name}
        )
        profile_names = {c.id: c.profile for c in ws.history.conversations()}
        assert profile_names == {on_first: second.name, on_second: first.name}
        for conversation, key in (
            (on_first, EMULATOR),
            (on_second, "second"),
            (on_first, EMULATOR),
        ):
            assert await ws.library.open(conversation)
            assert ws.settings.profile_key == key

    drive(tmp_path, scenario)


def test_the_status_bar_says_the_new_profile_never_the_previous_ones_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from visiondesk.config.settings import AppSettings

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    async def scenario(ws: Workspace) -> None:
        ws.update_profiles(
            {EMULATOR: BUILTIN[EMULATOR], "openai": BUILTIN["openai"]}, AppSettings()
        )
        ws.select_profile("openai")
        assert ws.status.state is ConnectionState.FAILED and "OpenAI" in ws.status.text
        ws.select_profile(EMULATOR)
        await until(lambda: ws.status.state is ConnectionState.CONNECTED)
        assert "OpenAI" not in ws.status.text and "no API key" not in ws.status.text

    drive(tmp_path, scenario)


def test_a_conversation_is_read_once_off_the_ui_thread_and_not_again_on_a_profile_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    from dataclasses import replace

    from visiondesk.config.settings import AppSettings

    reads: list[str] = []
    messages = History.messages

    def counted(history: History, conversation_id: int) -> list[StoredMessage]:
        reads.append(threading.current_thread().name)
        return messages(history, conversation_id)

    async def scenario(ws: Workspace) -> None:
        second = replace(BUILTIN[EMULATOR], name="Second emulator")
        ws.update_profiles({EMULATOR: BUILTIN[EMULATOR], "second": second}, AppSettings())
        conversation = await answered(ws, "Read me once")
        ws.library.new()
        monkeypatch.setattr(History, "messages", counted)
        assert await ws.library.open(conversation)
        assert len(reads) == 1 and reads[0] != threading.main_thread().name
        ws.select_profile("second")
        ws.select_profile(EMULATOR)
        assert len(reads) == 1
        ws.set_text("And again?")
        turn = ws.conversation.send()
        assert turn is not None
        await until(lambda: now(ws, turn).status is TurnStatus.DONE)
        assert "1 earlier turn" in now(ws, turn).answer  # the words travelled along, read once

    drive(tmp_path, scenario)
