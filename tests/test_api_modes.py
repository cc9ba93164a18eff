"""Every API mode end to end against the emulator: the right pixels arrive the right way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.turns import answer, attach, collect, final, run, session_for, turns
from visiondesk.api import chat
from visiondesk.api.prompt_cache import cache_key
from visiondesk.config.profile_store import from_json, to_json
from visiondesk.config.profiles import Profile, ProviderKind, Server
from visiondesk.domain import ApiMode, Detail
from visiondesk.emulator import Emulator
from visiondesk.events import (
    Completed,
    Event,
    FileReady,
    Prepared,
    Processing,
    UploadProgress,
    Usage,
)
from visiondesk.session import OwnConversation


@pytest.mark.parametrize("mode", list(ApiMode))
def test_decoded_images_match_what_prepare_reported(
    mode: ApiMode, emulator: Emulator, profile: Profile, photo_path: Path, shot_path: Path
) -> None:
    session = session_for(profile, mode)
    events = run(collect(session, [photo_path, shot_path], "What is in these images?"))
    assert isinstance(final(events), Completed), final(events)
    prepared = [e.image for e in events if isinstance(e, Prepared)]
    received = [facts for record in emulator.log for facts in record.images]
    assert [(f.width, f.height, f.mime) for f in received] == [
        (p.width, p.height, p.mime) for p in prepared
    ]
    assert [f.tokens for f in received] == [p.tokens for p in prepared]
    assert "I received 2 image(s)" in answer(events)
    assert "768×1024" in answer(events) and "1365×768" in answer(events)
    usage = [e for e in events if isinstance(e, Usage)]
    assert usage and usage[-1].input_tokens >= sum(p.tokens for p in prepared)


def test_chat_sends_data_urls_in_user_messages_and_resends_history(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    session = session_for(profile, ApiMode.CHAT)
    run(turns(session, ([photo_path], "First?"), ([], "Second?")))
    chats = [r for r in emulator.log if r.path == "/chat/completions" and r.status == 200]
    assert len(chats) == 2
    second = chats[1].body["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    url = second[0]["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    assert len(chats[1].images) == 1  # the image travelled again with the history
    assert chats[1].body["model"] == "gpt-4o" and chats[1].body["stream"] is True
    first_url = chats[0].body["messages"][0]["content"][1]["image_url"]["url"]
    assert url == first_url  # the same bytes, from the same cached data URL
    prepared = session.exchanges[0].turn.images[0]
    assert prepared.data_url() is prepared.data_url()  # made once, not per turn
    # The body leaves exactly as built, although the messages skip the SDK's typed transform.
    key = cache_key(profile, session.exchanges[1].turn, session.exchanges[:1])
    assert key is not None and chats[0].body["prompt_cache_key"] == key  # one per conversation
    built = chat.build_request(session.exchanges[1].turn, session.exchanges[:1], key)
    assert chats[1].body == built


def test_responses_chains_turns_without_resending_images(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    session = session_for(profile, ApiMode.RESPONSES)
    first, second = run(turns(session, ([photo_path], "First?"), ([], "Second?")))
    calls = [r for r in emulator.log if r.path == "/responses" and r.status == 200]
    assert calls[0].body["input"][0]["content"][1]["detail"] == "high"
    assert calls[1].body["previous_response_id"] == final(first).response_id  # type: ignore[union-attr]
    assert "data:" not in json.dumps(calls[1].body)
    assert "1 earlier turn" in answer(second)


def test_responses_falls_back_to_history_when_the_server_forgot(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    session = session_for(profile, ApiMode.RESPONSES)

    async def scenario() -> list[Event]:
        await collect(session, [photo_path], "First?")
        emulator.store.responses.clear()  # e.g. a server restart, or one that stores nothing
        return await collect(session, [], "Second?")

    events = run(scenario())
    assert isinstance(final(events), Completed)
    calls = [r for r in emulator.log if r.path == "/responses"]
    assert calls[-2].status == 400 and calls[-1].status == 200
    assert "previous_response_id" not in calls[-1].body
    assert len(calls[-1].body["input"]) == 3  # user, assistant, user
    assert session.state.responses_stateless


def test_responses_is_stateless_for_ollama(emulator: Emulator, photo_path: Path) -> None:
    ollama = Profile("Ollama", ProviderKind.COMPATIBLE, emulator.base_url, server=Server.OLLAMA)
    session = session_for(ollama, ApiMode.RESPONSES)
    run(turns(session, ([photo_path], "First?"), ([], "Second?")))
    calls = [r for r in emulator.log if r.path == "/responses" and r.status == 200]
    assert all("previous_response_id" not in c.body for c in calls)
    assert calls[-1].body["store"] is False
    assert len(calls[-1].images) == 1


def test_responses_with_uploaded_files(emulator: Emulator, photo_path: Path) -> None:
    profile = Profile("Files", ProviderKind.EMULATOR, emulator.base_url, responses_upload=True)
    events = run(collect(session_for(profile, ApiMode.RESPONSES), [photo_path], "What?"))
    assert isinstance(final(events), Completed)
    call = next(r for r in emulator.log if r.path == "/responses" and r.status == 200)
    part = call.body["input"][0]["content"][1]
    assert part["file_id"].startswith("file-") and "image_url" not in part
    assert call.images[0].via == "file"


def test_assistants_uploads_on_attach_and_never_sends_a_data_url(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    emulator.knobs.file_processing_delay = 0.3
    session = session_for(profile, ApiMode.ASSISTANTS)

    async def scenario() -> tuple[list[Event], list[Event]]:
        attached = await attach(session, photo_path)
        return attached, await collect(session, [], "What is it?")

    attached, events = run(scenario())
    kinds = [type(e).__name__ for e in attached if type(e).__name__ != "RequestSent"]
    # preparing → ready, then uploading N% → processing → ready (file id), in that order
    assert kinds[:2] == ["Preparing", "Prepared"]
    assert kinds[-1] == "FileReady"
    assert "Processing" in kinds and kinds.index("UploadProgress") < kinds.index("Processing")
    progress = [e for e in attached if isinstance(e, UploadProgress)]
    assert progress[-1].bytes_sent == progress[-1].total > 0
    assert any(r.path == "/files" and r.method == "POST" for r in emulator.log)  # before Send
    assert isinstance(final(events), Completed)
    assert "data:" not in json.dumps([r.body for r in emulator.log if r.body])
    thread = session.state.thread_id
    message = next(r for r in emulator.log if r.path == f"/threads/{thread}/messages")
    part = message.body["content"][1]
    assert part["type"] == "image_file"
    file_id = next(e.file_id for e in attached if isinstance(e, FileReady))
    assert part["image_file"]["file_id"] == file_id
    assert session.services.uploader.ledger[0].file_id == file_id


def test_assistants_reuses_assistant_thread_and_uploads(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    session = session_for(profile, ApiMode.ASSISTANTS)
    _, events = run(turns(session, ([photo_path], "One?"), ([photo_path], "Two, same image?")))
    assert isinstance(final(events), Completed)
    posts = [r.path for r in emulator.log if r.status == 200 and r.method == "POST"]
    assert posts.count("/assistants") == 1 and posts.count("/threads") == 1
    thread = session.state.thread_id
    assert posts[-3:] == [
        f"/threads/{thread}/runs",
        f"/threads/{thread}/messages",
        f"/threads/{thread}/runs",
    ]
    assert sum(1 for r in emulator.log if r.method == "POST" and r.path == "/files") == 1
    assert not any(isinstance(e, Processing) for e in events)  # already uploaded


def test_https_urls_stay_urls(emulator: Emulator, profile: Profile) -> None:
    for mode in ApiMode:
        session = session_for(profile, mode)
        events = run(collect(session, ["https://example.com/cat.png"], "What?"))
        assert isinstance(final(events), Completed), (mode, final(events))
    bodies = json.dumps([r.body for r in emulator.log if r.body])
    assert bodies.count("https://example.com/cat.png") >= 3
    assert not any(r.method == "POST" and r.path == "/files" for r in emulator.log)


def test_low_detail_is_what_the_server_bills(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    session = OwnConversation(
        profile, "sk-test-visiondesk-0000000000000000", model="gpt-4o", detail=Detail.LOW
    )
    events = run(collect(session, [photo_path], "Cheap look"))
    assert isinstance(final(events), Completed)
    [facts] = [f for r in emulator.log for f in r.images]
    assert (facts.width, facts.height, facts.detail, facts.tokens) == (384, 512, "low", 85)


def test_conversations_on_one_profile_share_uploads(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    from visiondesk.connection import Connection

    async def scenario() -> None:
        connection = Connection(profile, "sk-test-visiondesk-0000000000000000")
        try:
            for _ in range(2):
                session = OwnConversation(
                    profile, None, mode=ApiMode.ASSISTANTS, connection=connection
                )
                events = await collect(session, [photo_path], "Same photo, new conversation")
                assert isinstance(final(events), Completed)
        finally:
            await connection.aclose()

    run(scenario())
    assert sum(1 for r in emulator.log if r.method == "POST" and r.path == "/files") == 1
    assert sum(1 for r in emulator.log if r.method == "POST" and r.path == "/threads") == 2


def test_azure_profile_uses_the_v1_api_and_the_deployment_as_model() -> None:
    from visiondesk.config.profiles import azure_profile

    azure = azure_profile("Work", "contoso", "gpt4o-vision")
    assert azure.base_url == "https://contoso.openai.azure.com/openai/v1/"
    assert azure.model == "gpt4o-vision" and azure.api_key_env == "AZURE_OPENAI_API_KEY"
    assert azure.needs_key


@pytest.mark.parametrize("mode", list(ApiMode))
def test_screenshots_reach_the_server_as_lossless_webp(
    emulator: Emulator, profile: Profile, shot_path: Path, mode: ApiMode
) -> None:
    events = run(collect(session_for(profile, mode), [shot_path], "What is on screen?"))
    assert isinstance(final(events), Completed)
    arrived = [image for r in emulator.log if r.status == 200 for image in r.images]
    assert [image.mime for image in arrived] == ["image/webp"]


@pytest.mark.parametrize("server", [Server.OLLAMA, Server.LM_STUDIO, Server.LLAMA_CPP])
def test_servers_that_may_lack_webp_get_png(
    emulator: Emulator, shot_path: Path, server: Server
) -> None:
    local = Profile("Local", ProviderKind.COMPATIBLE, emulator.base_url, server=server)
    assert not local.accepts_webp
    events = run(collect(session_for(local, ApiMode.CHAT), [shot_path], "What is on screen?"))
    assert isinstance(final(events), Completed)
    call = next(r for r in emulator.log if r.path == "/chat/completions" and r.status == 200)
    assert [image.mime for image in call.images] == ["image/png"]


def test_which_servers_take_webp() -> None:
    assert Profile("OpenAI").accepts_webp
    assert Profile(
        "Azure", ProviderKind.AZURE, "https://r.openai.azure.com/openai/v1/"
    ).accepts_webp
    vllm = Profile("vLLM", ProviderKind.COMPATIBLE, "http://localhost:8000/v1")
    assert vllm.server is Server.VLLM and vllm.accepts_webp
    unknown = Profile("Other", ProviderKind.COMPATIBLE, "http://localhost:9999/v1")
    assert not unknown.accepts_webp
    told = Profile("Other", ProviderKind.COMPATIBLE, "http://localhost:9999/v1", webp=True)
    assert told.accepts_webp and from_json(to_json(told)).accepts_webp
    assert not from_json(to_json(unknown)).accepts_webp
