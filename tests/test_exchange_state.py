"""What the next question continues from after a version switch or a delete, per mode, on the
headless model against the emulator: the request it sends carries exactly what is shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_conversation_intents import answer, ask
from tests.test_workspace import drive
from tests.waiting import until
from visiondesk.domain import ApiMode
from visiondesk.workspace import Turn, Workspace


def sent(turn: Turn, path: str) -> list[Any]:
    return [r.body for r in turn.requests if r.path.endswith(path) and r.body is not None]


def test_responses_after_deleting_a_middle_exchange_carry_the_words_kept(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_mode(ApiMode.RESPONSES)
        one = await ask(ws, "One harbour")
        two = await ask(ws, "Two lighthouses")
        three = await ask(ws, "Three boats")
        assert ws.exchanges.delete(two.id) is not None
        four = await ask(ws, "Four?")
        [body] = sent(four, "/responses")
        assert "previous_response_id" not in body  # every later chain held the deleted one
        words = str(body["input"])
        assert "One harbour" in words and "Three boats" in words
        assert "Two lighthouses" not in words and "2 earlier turn(s)" in four.answer
        # The newest deleted: the chain goes on from the answer before it, if that one's own
        # chain matches what is shown (Three's held Two: the words travel again).
        assert ws.exchanges.delete(four.id) is not None
        assert ws.continuation.state.response_id is None
        five = await ask(ws, "Five?")
        assert "previous_response_id" not in sent(five, "/responses")[0]
        assert ws.exchanges.delete(five.id) is not None
        six = await ask(ws, "Six?")  # Six chained from nothing: its answer can be chained from
        seven = await ask(ws, "Seven?")
        assert sent(seven, "/responses")[0]["previous_response_id"] == six.response_id
        assert ws.exchanges.delete(seven.id) is not None
        assert ws.continuation.state.response_id == six.response_id
        assert one.response_id and three.response_id

    drive(tmp_path, scenario)


def test_assistants_switching_version_starts_a_thread_with_the_words_shown(
    tmp_path: Path,
) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_mode(ApiMode.ASSISTANTS)
        first = await ask(ws, "Name a colour")
        edited = await answer(ws, ws.conversation.edit(first.id, "Name a fruit"))
        assert [v.id for v in ws.transcript.versions(edited.id)] == [first.id, edited.id]
        assert ws.exchanges.show_version(edited.id, first.id)
        assert "another version" in ws.continuation.state.thread_note
        after = await ask(ws, "And another?")
        [thread] = [r for r in after.requests if r.path == "/threads"]
        assert thread.note.startswith("a new thread")
        words = str([r.body for r in after.requests if "/messages" in r.path])
        assert "Name a colour" in words and "Name a fruit" not in words
        assert "1 earlier turn(s)" in after.answer

    drive(tmp_path, scenario)


def test_retry_of_a_failed_version_replaces_it_in_its_place(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        first = await ask(ws, "Name a colour")
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.cut_stream_after = 2  # the connection drops mid-answer
        failed_id = ws.conversation.regenerate(first.id)
        assert failed_id is not None
        await until(lambda: not ws.busy)
        failed = ws.transcript.turn(failed_id)
        assert failed is not None and failed.status.retryable, failed
        assert len(ws.transcript.versions(failed_id)) == 2
        emulator.knobs.cut_stream_after = None
        retried = await answer(ws, ws.conversation.retry(failed_id))
        assert [v.id for v in ws.transcript.versions(retried.id)] == [first.id, retried.id]
        assert ws.conversation_id is not None
        stored = [m.text for m in ws.history.messages(ws.conversation_id) if m.role == "user"]
        assert stored == ["Name a colour", "Name a colour"]

    drive(tmp_path, scenario)


def test_regenerating_before_a_deleted_exchange_deletes_it_for_good(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        await ask(ws, "One")
        two = await ask(ws, "Two")
        three = await ask(ws, "Three")
        deleted = ws.exchanges.delete(three.id)
        assert deleted is not None
        again = await answer(ws, ws.conversation.regenerate(two.id))
        assert ws.transcript.item(deleted.id) is None  # no Undo of what came after Two
        assert [v.id for v in ws.transcript.versions(again.id)] == [two.id, again.id]
        assert ws.conversation_id is not None
        prompts = [m.text for m in ws.history.messages(ws.conversation_id) if m.role == "user"]
        assert prompts == ["One", "Two", "Two"]

    drive(tmp_path, scenario)


def test_responses_a_version_after_a_deleted_exchange_is_never_chained_from(
    tmp_path: Path,
) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_mode(ApiMode.RESPONSES)
        one = await ask(ws, "One harbour")
        two = await ask(ws, "Two lighthouses")
        again = await answer(ws, ws.conversation.regenerate(two.id))
        assert ws.exchanges.delete(one.id) is not None
        assert ws.exchanges.show_version(again.id, two.id)  # version 1, made after One
        assert ws.continuation.state.response_id is None
        three = await ask(ws, "Three?")
        [body] = sent(three, "/responses")
        assert "previous_response_id" not in body and "One harbour" not in str(body["input"])
        assert "Two lighthouses" in str(body["input"])

    drive(tmp_path, scenario)
