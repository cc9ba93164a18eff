"""Compare on the headless model against the emulator: every column gets its own sizes, keeps
its own conversation for follow-ups, and fails, stops and retries on its own."""

from __future__ import annotations

import json
from pathlib import Path

from tests.images import encode, photo
from tests.test_workspace import drive
from tests.waiting import until
from visiondesk.compare import ColumnSpec
from visiondesk.config.profile_store import EMULATOR
from visiondesk.domain import ApiMode, Detail
from visiondesk.workspace import ConnectionState, Workspace
from visiondesk.workspace.comparing import ColumnStatus
from visiondesk.workspace.jobs import Group

HIGH_CHAT = ColumnSpec("gpt-4o", ApiMode.CHAT, Detail.HIGH)
LOW_RESPONSES = ColumnSpec("gpt-4.1-mini", ApiMode.RESPONSES, Detail.LOW)


async def ended(ws: Workspace) -> None:
    await until(lambda: not ws.compare.busy)


async def ask(ws: Workspace, text: str, *, with_photo: bool = False) -> None:
    if with_photo:
        ws.attachments.add(encode(photo(1536, 2048), "JPEG"), "photo.jpg")
    ws.set_text(text)
    assert ws.compare.ask()
    await ended(ws)


def test_each_column_sees_its_own_sizes_and_answers(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        await ask(ws, "What is this?", with_photo=True)
        high, low = ws.compare.columns
        assert high.last is not None and low.last is not None
        assert high.last.status is ColumnStatus.DONE and low.last.status is ColumnStatus.DONE
        assert (high.last.seen[0].width, low.last.seen[0].width) == (768, 384)
        assert "| 768×1024 | image/jpeg | data_url | high | 765 |" in high.last.answer
        assert "| 384×512 | image/jpeg | data_url | low | 312 |" in low.last.answer
        assert low.last.usage is not None and low.last.usage.input_tokens > 312
        assert low.last.first_token_seconds is not None and low.last.seconds is not None
        cost = ws.compare.cost(1)
        assert cost is not None and cost > 0
        assert len(ws.draft) == 0 and ws.text == ""
        # Each column is a conversation of its own in the history.
        ids = {column.continuation.conversation_id for column in ws.compare.columns}
        assert None not in ids and len(ids) == 2

    drive(tmp_path, scenario)


def test_a_follow_up_continues_each_columns_own_conversation(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        await ask(ws, "What is this?", with_photo=True)
        await ask(ws, "And the colour?")
        chat, responses = ws.compare.columns
        assert [t.status for t in chat.turns] == [ColumnStatus.DONE] * 2
        assert len(chat.continuation.exchanges) == 2
        assert responses.continuation.state.response_id is not None
        emulator = ws.connections.emulator
        assert emulator is not None
        bodies = [(r.path, json.dumps(r.body)) for r in emulator.log]
        follow_ups = [(path, body) for path, body in bodies if "And the colour?" in body]
        chat_body = next(body for path, body in follow_ups if path.endswith("/chat/completions"))
        responses_body = next(body for path, body in follow_ups if path.endswith("/responses"))
        assert "What is this?" in chat_body  # Chat re-sends its own history
        assert "previous_response_id" in responses_body
        for column in ws.compare.columns:
            assert column.continuation.conversation_id is not None
            stored = ws.history.messages(column.continuation.conversation_id)
            assert [m.text for m in stored][::2] == ["What is this?", "And the colour?"]

    drive(tmp_path, scenario)


def test_one_columns_failure_stays_in_it_and_retry_is_one_step(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.disabled_modes = {"responses"}
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        await ask(ws, "What is this?", with_photo=True)
        chat, responses = ws.compare.columns
        assert chat.last is not None and chat.last.status is ColumnStatus.DONE
        assert responses.last is not None and responses.last.status is ColumnStatus.FAILED
        assert responses.last.error
        emulator.knobs.disabled_modes = set()
        connection = ws.connections.open(EMULATOR, ws.profiles[EMULATOR])
        connection.capabilities.forget(connection.profile)
        assert ws.compare.retry(1)
        await ended(ws)
        chat_after, retried = ws.compare.columns
        assert chat_after == chat  # the other column is untouched
        assert retried.last is not None
        assert retried.last.status is ColumnStatus.DONE, retried.last.error
        assert len(retried.turns) == 1 and retried.last.seen[0].width == 384
        assert retried.continuation.conversation_id is not None
        stored = ws.history.messages(retried.continuation.conversation_id)
        assert len(stored) == 2  # the failed attempt left the history

    drive(tmp_path, scenario)


def test_stop_stops_every_column_and_keeps_what_each_had(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.token_delay = 0.05
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        ws.set_text("Tell me slowly")
        assert ws.compare.ask()
        await until(lambda: all(len(c.turns[-1].answer) > 5 for c in ws.compare.columns))
        ws.compare.stop()
        await ended(ws)
        for column in ws.compare.columns:
            assert column.last is not None and column.last.status is ColumnStatus.STOPPED
            assert len(column.last.answer) > 5
        assert ws.compare.retry(0)
        emulator.knobs.token_delay = 0.0
        await ended(ws)
        first = ws.compare.columns[0].last
        assert first is not None and first.status is ColumnStatus.DONE

    drive(tmp_path, scenario)


def test_closing_a_column_leaves_the_others_running(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.token_delay = 0.02
        three = [(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES), (EMULATOR, HIGH_CHAT)]
        ws.compare.start(three)
        ws.set_text("Tell me slowly")
        assert ws.compare.ask()
        await until(lambda: all(c.turns[-1].answer for c in ws.compare.columns))
        closed = ws.compare.columns[1].continuation.conversation_id
        ws.compare.close_column(1)
        assert [c.spec for c in ws.compare.columns] == [HIGH_CHAT, HIGH_CHAT]
        emulator.knobs.token_delay = 0.0
        await ended(ws)
        # The closed column is a conversation of its own now; the compare keeps two.
        listed = {c.id for c in ws.history.conversations()}
        assert listed == {ws.compare.first, closed}
        assert ws.compare.first is not None
        assert len(ws.history.compare_columns(ws.compare.first)) == 2
        assert all(
            c.last is not None and c.last.status is ColumnStatus.DONE for c in ws.compare.columns
        )
        ws.compare.close_column(0)  # two columns: closing one ends the compare
        assert not ws.compare.active

    drive(tmp_path, scenario)


def test_a_compare_is_listed_once_found_by_any_column_and_reopens_whole(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        await ask(ws, "What is this?", with_photo=True)
        before = ws.compare.columns
        first = ws.compare.first
        assert first == before[0].continuation.conversation_id
        listed = ws.history.conversations()
        assert [c.id for c in listed] == [first]
        # Words only the second column's answer has ("low") find the compare.
        assert [c.id for c in ws.history.conversations("| low | 312 |")] == [first]
        ws.library.new()
        assert not ws.compare.active
        assert first is not None
        assert await ws.library.open(first)
        again = ws.compare.columns
        assert [c.spec for c in again] == [HIGH_CHAT, LOW_RESPONSES]
        assert [c.continuation for c in again] == [c.continuation for c in before]
        for old, new in zip(before, again, strict=True):
            assert new.last is not None and old.last is not None
            assert new.last.answer == old.last.answer and new.last.status is ColumnStatus.DONE
            assert new.last.seen[0].width == old.last.seen[0].width
        await ask(ws, "And the colour?")  # each continues its own conversation
        assert all(len(c.continuation.exchanges) == 2 for c in ws.compare.columns)
        ws.history.delete(first)
        assert ws.history.conversations() == []
        assert ws.history.conversation(again[1].continuation.conversation_id or 0) is None

    drive(tmp_path, scenario)


def test_blind_mode_hides_the_columns_until_a_pick_which_is_tallied(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        for _ in range(2):
            ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)], blind=True)
            assert ws.compare.hidden and not ws.compare.can_pick
            await ask(ws, "Which reads the receipt?", with_photo=True)
            assert ws.compare.can_pick
            low = next(i for i, c in enumerate(ws.compare.columns) if c.spec == LOW_RESPONSES)
            assert ws.compare.pick(low)
            assert not ws.compare.hidden and not ws.compare.pick(low)  # once per question
        assert ws.compare.tally() == [f"{LOW_RESPONSES} won 2 of 2 against {HIGH_CHAT}"]
        await ask(ws, "And now?")
        assert ws.compare.hidden  # every new question is judged blind again
        first = ws.compare.first
        assert first is not None
        ws.library.new()
        assert await ws.library.open(first)  # reopened, it is still judged blind
        assert ws.compare.blind and ws.compare.hidden and ws.compare.can_pick
        [listed] = [c for c in ws.history.conversations() if c.id == first]
        assert listed.compare_blind

    drive(tmp_path, scenario)


def test_keeping_a_column_goes_on_with_it_alone(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        three = [(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES), (EMULATOR, HIGH_CHAT)]
        ws.compare.start(three)
        await ask(ws, "What is this?", with_photo=True)
        first, low, third = (c.continuation.conversation_id for c in ws.compare.columns)
        assert ws.compare.keep(0)  # the first column: the compare goes on under the next
        await ws.jobs.wait(Group.OPEN)
        assert not ws.compare.active and ws.conversation_id == first
        assert (ws.settings.model, ws.settings.detail) == ("gpt-4o", Detail.HIGH)
        assert [t.answer for t in ws.transcript.turns] and len(ws.continuation.exchanges) == 1
        listed = {c.id for c in ws.history.conversations()}
        assert listed == {first, low}  # the kept one alone, and the other two as a compare
        assert low is not None and await ws.library.open(low)
        assert [c.continuation.conversation_id for c in ws.compare.columns] == [low, third]

    drive(tmp_path, scenario)


def test_a_compare_exports_its_columns_side_by_side(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> tuple[Path, Path]:
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        await ask(ws, "What is <this>?", with_photo=True)
        page = ws.library.export("html", tmp_path / "compare.html")
        notes = ws.library.export("md", tmp_path / "notes")
        return page, notes

    page, notes = drive(tmp_path, scenario)
    text = page.read_text()
    assert "grid-template-columns:repeat(2," in text
    assert text.count("<div class='column'>") == 2
    assert "What is &lt;this&gt;?" in text and "<this>" not in text
    assert "gpt-4o · chat · high detail" in text and "gpt-4.1-mini · responses · low detail" in text
    assert "Saw: photo.jpg 768×1024, 765 tokens" in text
    assert "Saw: photo.jpg 384×512, 312 tokens" in text
    assert text.count("<img ") == 1  # the question's image once, for every column
    markdown = notes.read_text()
    assert markdown.count("### gpt-") == 2 and markdown.count("## You") == 1


def test_regenerate_asks_a_columns_last_question_again_from_the_same_point(
    tmp_path: Path,
) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        await ask(ws, "What is this?", with_photo=True)
        await ask(ws, "And the colour?")
        chat, responses = ws.compare.columns
        first_response = responses.turns[0].response_id
        assert first_response is not None and responses.turns[1].response_id != first_response
        emulator = ws.connections.emulator
        assert emulator is not None
        before = len(emulator.log)
        assert ws.compare.regenerate(1)
        await ended(ws)
        again = ws.compare.columns[1]
        assert ws.compare.columns[0] == chat  # the other column is untouched
        assert len(again.turns) == 2 and again.turns[1].status is ColumnStatus.DONE
        assert len(again.continuation.exchanges) == 2
        [request] = [r for r in emulator.log[before:] if r.path.endswith("/responses")]
        assert request.body["previous_response_id"] == first_response
        assert again.continuation.conversation_id is not None
        stored = ws.history.messages(again.continuation.conversation_id)
        assert [m.text for m in stored][::2] == ["What is this?", "And the colour?"]
        assert ws.compare.regenerate(0)
        await ended(ws)
        [chat_request] = [r for r in emulator.log[before:] if r.path.endswith("/completions")]
        sent = json.dumps(chat_request.body)
        assert "What is this?" in sent and sent.count("And the colour?") == 1

    drive(tmp_path, scenario)


def test_a_column_sending_the_image_as_the_draft_made_it_takes_it_as_it_is(
    tmp_path: Path,
) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_model(HIGH_CHAT.model)
        ws.set_mode(HIGH_CHAT.mode)
        ws.set_detail(HIGH_CHAT.detail)
        ws.attachments.add(encode(photo(1536, 2048), "JPEG"), "photo.jpg")
        await until(lambda: all(a.state.sendable for a in ws.draft))
        [made] = [a.prepared for a in ws.draft]
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        await ask(ws, "What is this?")
        high, low = ws.compare.columns
        assert high.last is not None and low.last is not None
        assert high.last.seen[0] is made  # not made again
        assert low.last.seen[0] is not made and low.last.seen[0].width == 384

    drive(tmp_path, scenario)


def test_a_429_counts_down_in_the_column_it_hit_and_the_answer_comes(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        await until(lambda: ws.status.state is ConnectionState.CONNECTED)
        await ws.jobs.wait(Group.SWEEP)
        emulator.knobs.fail_429, emulator.knobs.retry_after = 1, 1.0
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        said: list[str] = []
        ws.compare.column_changed.connect(
            lambda place: said.append(ws.compare.columns[place].turns[-1].waiting)
        )
        ws.set_text("Busy server?")
        assert ws.compare.ask()
        await until(lambda: any(text.startswith("Rate limited") for text in said))
        await ended(ws)
        for column in ws.compare.columns:
            assert column.last is not None and column.last.status is ColumnStatus.DONE
            assert column.last.waiting == ""
        assert "Rate limited — retrying in 1 s" in said

    drive(tmp_path, scenario)


def test_a_reopened_compare_retries_with_its_images(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.token_delay = 0.05
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        ws.attachments.add(encode(photo(1536, 2048), "JPEG"), "photo.jpg")
        ws.set_text("Tell me slowly")
        assert ws.compare.ask()
        await until(lambda: all(len(c.turns[-1].answer) > 5 for c in ws.compare.columns))
        ws.compare.stop()
        await ended(ws)
        first = ws.compare.first
        assert first is not None
        ws.library.new()
        assert await ws.library.open(first)
        emulator.knobs.token_delay = 0.0
        before = len(emulator.log)
        assert ws.compare.retry(0)
        await ended(ws)
        retried = ws.compare.columns[0]
        assert retried.last is not None and retried.last.status is ColumnStatus.DONE
        [request] = [r for r in emulator.log[before:] if r.path.endswith("/completions")]
        assert len(request.images) == 1 and request.images[0].width == 768
        assert retried.continuation.conversation_id is not None
        stored = ws.history.messages(retried.continuation.conversation_id)
        assert [len(m.images) for m in stored if m.role == "user"] == [1]

    drive(tmp_path, scenario)


def test_what_goes_wrong_before_a_column_starts_ends_in_words_and_keeps_the_question(
    tmp_path: Path,
) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        ws.attachments.add(b"not an image at all", "broken.png")
        ws.set_text("What is it?")
        assert ws.compare.ask()
        await ended(ws)
        for column in ws.compare.columns:
            assert column.last is not None and column.last.status is ColumnStatus.FAILED
            assert "broken.png" in column.last.error
            assert column.continuation.conversation_id is not None
            answer = ws.history.messages(column.continuation.conversation_id)[-1]
            assert answer.status == "failed" and answer.error  # never left "pending"
        # A column's profile removed: Send says so and clears nothing.
        profiles = dict(ws.profiles)
        ws.profiles.pop(EMULATOR)
        ws.set_text("Again?")
        assert not ws.compare.ask()
        assert ws.text == "Again?" and "is gone" in ws.transcript.items[-1].text  # type: ignore[union-attr]
        ws.profiles.update(profiles)

    drive(tmp_path, scenario)


def test_deleting_or_reopening_the_open_compare_while_it_answers(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        emulator = ws.connections.emulator
        assert emulator is not None
        emulator.knobs.token_delay = 0.03
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        ws.set_text("Tell me slowly")
        assert ws.compare.ask()
        await until(lambda: all(c.turns[-1].answer for c in ws.compare.columns))
        first = ws.compare.first
        assert first is not None
        assert await ws.library.open(first)  # the one open: nothing stops
        assert ws.compare.busy and ws.compare.active
        ws.library.delete(first)
        await ended(ws)
        assert not ws.compare.active and ws.history.conversations() == []

    drive(tmp_path, scenario)


def test_every_column_is_asked_with_the_conversations_instructions(tmp_path: Path) -> None:
    async def scenario(ws: Workspace) -> None:
        ws.set_instructions("Always answer in French.")
        ws.compare.start([(EMULATOR, HIGH_CHAT), (EMULATOR, LOW_RESPONSES)])
        await ask(ws, "What is it?")
        emulator = ws.connections.emulator
        assert emulator is not None
        asked = [r for r in emulator.log if "What is it?" in json.dumps(r.body)]
        assert len(asked) == 2
        assert all("Always answer in French." in json.dumps(r.body) for r in asked)
        for column in ws.compare.columns:
            assert column.continuation.conversation_id is not None
            stored = ws.history.conversation(column.continuation.conversation_id)
            assert stored is not None and stored.instructions == "Always answer in French."

    drive(tmp_path, scenario)
