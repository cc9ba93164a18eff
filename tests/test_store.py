"""The history: turns persist with their images, conversations reopen where they left off,
a crash leaves the partial answer marked interrupted, and uploads are in the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.turns import KEY, collect, final, run
from visiondesk.config.profiles import Profile
from visiondesk.connection import Connection
from visiondesk.domain import ApiMode, Detail
from visiondesk.emulator import Emulator
from visiondesk.events import Completed
from visiondesk.session import OwnConversation
from visiondesk.store import History
from visiondesk.store.export import to_html, to_markdown


@pytest.fixture
def store(tmp_path: Path) -> History:
    return History(tmp_path / "data")


def conversation_turns(
    profile: Profile,
    store: History,
    mode: ApiMode,
    steps: list[tuple[list[Path], str]],
    conversation_id: int | None = None,
) -> tuple[int, list[list]]:
    async def scenario() -> tuple[int, list[list]]:
        connection = Connection(profile, KEY, store=store)
        session = OwnConversation(
            profile,
            None,
            mode=mode,
            model="gpt-4o",
            detail=Detail.HIGH,
            connection=connection,
            conversation_id=conversation_id,
        )
        results = []
        try:
            for sources, prompt in steps:
                results.append(await collect(session, sources, prompt))
        finally:
            await connection.aclose()
        assert session.conversation_id is not None
        return session.conversation_id, results

    return run(scenario())


def test_a_turn_is_stored_with_its_images(
    emulator: Emulator, profile: Profile, store: History, photo_path: Path
) -> None:
    conversation_id, [events] = conversation_turns(
        profile, store, ApiMode.CHAT, [([photo_path], "What is in the photo?")]
    )
    assert isinstance(final(events), Completed)
    [conversation] = store.conversations()
    assert conversation.title == "What is in the photo?"
    question, answer = store.messages(conversation_id)
    assert (question.role, question.text, question.status) == (
        "user",
        "What is in the photo?",
        "complete",
    )
    [image] = question.images
    assert (image.width, image.height, image.mime) == (768, 1024, "image/jpeg")
    assert image.data[:3] == b"\xff\xd8\xff" and image.thumbnail.startswith(b"\x89PNG")
    assert answer.status == "complete" and "I received 1 image(s)" in answer.text


@pytest.mark.parametrize("mode", [ApiMode.RESPONSES, ApiMode.ASSISTANTS])
def test_reopening_continues_the_same_chain_or_thread(
    mode: ApiMode, emulator: Emulator, profile: Profile, tmp_path: Path, photo_path: Path
) -> None:
    store = History(tmp_path / "data")
    conversation_id, _ = conversation_turns(profile, store, mode, [([photo_path], "First?")])
    state = store.state(conversation_id)
    store.close()
    reopened = History(tmp_path / "data")  # as after a restart
    _, [events] = conversation_turns(
        profile, reopened, mode, [([], "And now?")], conversation_id=conversation_id
    )
    assert isinstance(final(events), Completed)
    assert "1 earlier turn" in final(events).text  # type: ignore[union-attr]
    if mode is ApiMode.RESPONSES:
        last = [r for r in emulator.log if r.path == "/responses"][-1]
        assert last.body["previous_response_id"] == state.response_id
    else:
        assert [r.path for r in emulator.log][-2] == f"/threads/{state.thread_id}/messages"


def test_streaming_is_checkpointed_and_a_crash_marks_it_interrupted(
    emulator: Emulator, profile: Profile, tmp_path: Path
) -> None:
    store = History(tmp_path / "data")
    conversation_id = store.create_conversation("Crash", "p", "chat", "gpt-4o", "auto")
    answer = store.add_answer(conversation_id)
    store.checkpoint(answer, "half an ans", "streaming")
    store.close()  # the process dies here
    again = History(tmp_path / "data")
    assert again.recovered == 1
    [message] = again.messages(conversation_id)
    assert (message.text, message.status) == ("half an ans", "interrupted")


def test_search_rename_delete_and_ledger(
    emulator: Emulator, profile: Profile, store: History, photo_path: Path
) -> None:
    conversation_id, _ = conversation_turns(
        profile, store, ApiMode.ASSISTANTS, [([photo_path], "Where is the lighthouse?")]
    )
    [upload] = store.uploads(profile.name)
    assert upload.conversation_id == conversation_id and upload.file_id.startswith("file-")
    assert [c.id for c in store.conversations("lighthouse")] == [conversation_id]
    assert [c.id for c in store.conversations("I received")] == [conversation_id]  # answers too
    assert store.conversations("submarine") == []
    store.rename(conversation_id, "Lighthouse")
    assert store.conversations()[0].title == "Lighthouse"
    store.delete(conversation_id)
    assert store.conversations() == []
    assert [u.file_id for u in store.unreferenced_uploads(profile.name)] == [upload.file_id]
    store.mark_deleted(profile.name, upload.file_id)
    assert store.uploads(profile.name) == []


def test_exports(
    emulator: Emulator, profile: Profile, store: History, photo_path: Path, tmp_path: Path
) -> None:
    conversation_id, _ = conversation_turns(
        profile, store, ApiMode.CHAT, [([photo_path], "Export me")]
    )
    markdown = to_markdown(store, conversation_id, tmp_path / "md")
    text = markdown.read_text()
    assert "## You" in text and "Export me" in text and "](images/" in text
    assert len(list((tmp_path / "md" / "images").iterdir())) == 1
    page = to_html(store, conversation_id, tmp_path / "out.html").read_text()
    assert ("data:image/jpeg;base64," in page and "<table>" in page) or "<table " in page


def test_schema_is_versioned(store: History) -> None:
    from visiondesk.store.schema import MIGRATIONS

    assert store.version == len(MIGRATIONS)


def test_an_upload_is_reused_across_conversations_and_restarts(
    emulator: Emulator, profile: Profile, tmp_path: Path, photo_path: Path
) -> None:
    store = History(tmp_path / "data")
    conversation_turns(profile, store, ApiMode.ASSISTANTS, [([photo_path], "One")])
    store.close()
    again = History(tmp_path / "data")  # a new run: new connection, empty upload cache
    _, [events] = conversation_turns(profile, again, ApiMode.ASSISTANTS, [([photo_path], "Two")])
    assert isinstance(final(events), Completed)
    assert sum(1 for r in emulator.log if r.method == "POST" and r.path == "/files") == 1
    # Bytes still attached in a conversation are not swept even if another one is deleted.
    first, second = sorted(c.id for c in again.conversations())
    again.delete(first)
    assert again.unreferenced_uploads(profile.name) == []
    again.delete(second)
    assert len(again.unreferenced_uploads(profile.name)) == 1


def test_another_detail_is_another_upload(
    emulator: Emulator, profile: Profile, store: History, photo_path: Path
) -> None:
    async def scenario() -> None:
        connection = Connection(profile, KEY, store=store)
        try:
            for detail in (Detail.HIGH, Detail.LOW):
                session = OwnConversation(
                    profile,
                    None,
                    mode=ApiMode.ASSISTANTS,
                    model="gpt-4o",
                    detail=detail,
                    connection=connection,
                )
                events = await collect(session, [photo_path], f"At {detail}")
                assert isinstance(final(events), Completed)
        finally:
            await connection.aclose()

    run(scenario())
    sizes = [(f.width, f.height) for r in emulator.log for f in r.images]
    assert sizes == [(768, 1024), (384, 512)]  # the low-detail turn got its own small file


def test_a_used_data_url_is_not_stored_and_comes_back_on_use(store: History) -> None:
    from tests import images
    from visiondesk.domain import Question
    from visiondesk.imaging import policy_for, prepare

    data = images.encode(images.screenshot(400, 300), "PNG")
    image = prepare(data, policy_for("chat", "gpt-4o", "high"), label="shot.png", cache=None)
    url = image.data_url()  # sent once already, as a retried turn's images are
    conversation_id = store.create_conversation("t", "p", "chat", "gpt-4o", "high")
    store.add_user_message(conversation_id, Question("What?", (image,)))
    [question] = store.messages(conversation_id)
    [stored] = question.images
    assert stored == image and stored.data_url() == url
    database = b"".join(path.read_bytes() for path in store.folder.rglob("*.sqlite3*"))
    assert url.split(",")[1][:200].encode() not in database


def test_a_renamed_profile_takes_its_conversations_and_uploads_along(store: History) -> None:
    conversation = store.create_conversation("Receipt", "Office", "assistants", "gpt-4o", "auto")
    store.record_upload("Office", "file-1", "k1", 9, "a.jpg", conversation, 1.0)
    store.record_upload("Home", "file-2", "k2", 9, "b.jpg", None, 2.0)

    store.rename_profile("Office", "Office vLLM")

    assert store.conversations()[0].profile == "Office vLLM"
    assert [u.file_id for u in store.uploads("Office vLLM")] == ["file-1"]
    assert store.uploads("Office") == []
    assert [u.file_id for u in store.uploads("Home")] == ["file-2"]  # others stay
