"""Whatever a base URL points at — a web page, a silent server, a broken stream, a gateway with
its habits — every mode ends the turn with one line that says what happened, keeps the question
(stored, with its images for Retry), and works where the server can."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest

from tests.cli_runs import run_cli
from tests.turns import KEY, collect, draft, final, run
from visiondesk.api.capabilities import CapabilityCache, ModeStatus
from visiondesk.api.client import make_client
from visiondesk.config.profile_store import load_profiles, save_profiles
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.connection import Connection
from visiondesk.domain import ApiMode, Detail
from visiondesk.emulator import Emulator
from visiondesk.errors import ApiRejected, NetworkError, UnexpectedAnswer
from visiondesk.events import Completed, Event, Failed, FileFailed, TextDelta, Waiting
from visiondesk.session import OwnConversation
from visiondesk.store import History

QUICK = 0.3
"""The profile's read timeout in these tests: a silent server is given up on fast."""


def quick_profile(emulator: Emulator, **options: object) -> Profile:
    return Profile(
        "Gateway",
        ProviderKind.COMPATIBLE,
        emulator.base_url,
        read_timeout=QUICK,
        **options,  # type: ignore[arg-type]
    )


def turn(
    profile: Profile,
    mode: ApiMode,
    image: Path,
    store: History | None = None,
    knob: str | None = None,
    emulator: Emulator | None = None,
) -> tuple[list[Event], OwnConversation]:
    """Attach, then (with `knob` turned on after the probe and the attach) send one turn."""

    async def scenario() -> tuple[list[Event], OwnConversation]:
        connection = Connection(profile, KEY, store=store)
        session = OwnConversation(
            profile, None, mode=mode, model="gpt-4o", detail=Detail.HIGH, connection=connection
        )
        try:
            if knob is not None:
                assert emulator is not None
                await session.services.capabilities.get(session.services.client, profile)
                async for _ in session.attach(image):
                    pass
                setattr(emulator.knobs, knob, True)
                events = [e async for e in session.send("What is it?")]
            else:
                events = await collect(session, [image], "What is it?")
        finally:
            await connection.aclose()
        return events, session

    return run(asyncio.wait_for(scenario(), 60))  # a deadline for a hung test, not a goal


def failed(events: list[Event]) -> Failed:
    outcome = final(events)
    assert isinstance(outcome, Failed), outcome
    return outcome


@pytest.mark.parametrize("mode", list(ApiMode))
def test_a_web_page_is_named_and_the_question_kept(
    mode: ApiMode, emulator: Emulator, photo_path: Path, tmp_path: Path
) -> None:
    emulator.knobs.serve_html = True
    store = History(tmp_path / "data")
    profile = quick_profile(emulator)
    events, session = turn(profile, mode, photo_path, store)
    error = failed(events).error
    assert isinstance(error, UnexpectedAnswer)
    assert error.message == (
        f"{emulator.base_url} answered with a web page (text/html), not the OpenAI API. "
        "Check the base URL (it usually ends in /v1)."
    )
    assert len(draft(session)) == 1  # Retry sends the same image
    assert session.conversation_id is not None
    question, answer = store.messages(session.conversation_id)
    assert question.text == "What is it?" and len(question.images) == 1
    assert answer.status == "failed" and answer.error == error.message


@pytest.mark.parametrize("mode", list(ApiMode))
def test_a_silent_server_is_given_up_on_with_word_meanwhile(
    mode: ApiMode, emulator: Emulator, photo_path: Path
) -> None:
    profile = quick_profile(emulator)
    events, _ = turn(profile, mode, photo_path, knob="never_answer", emulator=emulator)
    error = failed(events).error
    assert isinstance(error, NetworkError) and error.retryable
    assert error.message.startswith(f"No answer from {emulator.base_url}")
    waits = [e for e in events if isinstance(e, Waiting)]
    assert waits and all(w.server == emulator.base_url for w in waits)
    assert waits == sorted(waits, key=lambda w: w.seconds)
    # One full wait and ONE short retry, not the SDK's three full waits.
    posts = [r for r in emulator.log if r.method == "POST" and r.status == 0]
    assert len({r.path for r in posts}) == 1 and len(posts) == 2


@pytest.mark.parametrize("mode", list(ApiMode))
def test_a_model_thinking_long_after_the_headers_is_waited_for_and_shown(
    mode: ApiMode, emulator: Emulator, photo_path: Path
) -> None:
    """The read timeout is for the first byte; once the stream has started, a silence longer
    than it (here 4 × the read timeout) is a model thinking, shown, not an error."""
    emulator.knobs.first_token_delay = 4 * QUICK
    events, _ = turn(quick_profile(emulator), mode, photo_path)
    assert isinstance(final(events), Completed), final(events)
    first_word = next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    assert any(isinstance(e, Waiting) for e in events[:first_word])


@pytest.mark.parametrize("mode", list(ApiMode))
def test_a_malformed_stream_is_named_and_the_partial_kept(
    mode: ApiMode, emulator: Emulator, photo_path: Path
) -> None:
    events, _ = turn(
        quick_profile(emulator), mode, photo_path, knob="malformed_stream", emulator=emulator
    )
    outcome = failed(events)
    assert isinstance(outcome.error, UnexpectedAnswer)
    assert outcome.error.message.startswith(f"{emulator.base_url} sent a malformed answer")
    assert "not JSON" in outcome.error.message
    assert outcome.partial == "".join(e.text for e in events if isinstance(e, TextDelta))
    assert outcome.partial


@pytest.mark.parametrize("mode", list(ApiMode))
def test_every_mode_works_through_a_gateway(
    mode: ApiMode, emulator: Emulator, photo_path: Path
) -> None:
    emulator.knobs.gateway_quirks = True
    events, session = turn(quick_profile(emulator), mode, photo_path)
    outcome = final(events)
    assert isinstance(outcome, Completed), outcome
    assert "I received 1 image(s)" in outcome.text and "You asked: “What is it?”" in outcome.text
    if mode is ApiMode.ASSISTANTS:
        thread = session.state.thread_id
        created = next(r for r in emulator.log if r.path == "/threads")
        assert not (created.body or {}).get("messages")  # nothing a gateway could drop
        added = next(r for r in emulator.log if r.path == f"/threads/{thread}/messages")
        assert added.body["content"][1]["type"] == "image_file"
        # The run stream itself was understood (event names inside the data), no recovery.
        assert not any(r.method == "GET" and r.path.endswith("/messages") for r in emulator.log)


def test_assistants_finds_the_answer_when_the_stream_stops_early(
    emulator: Emulator, photo_path: Path
) -> None:
    emulator.knobs.gateway_quirks = True  # and no GET …/runs/{id} to ask
    emulator.knobs.end_stream_early = True
    events, _ = turn(quick_profile(emulator), ApiMode.ASSISTANTS, photo_path)
    outcome = final(events)
    assert isinstance(outcome, Completed), outcome
    assert "I received 1 image(s)" in outcome.text
    assert outcome.text == "".join(e.text for e in events if isinstance(e, TextDelta))


@pytest.mark.parametrize("mode", [ApiMode.CHAT, ApiMode.RESPONSES])
def test_a_stream_that_stops_early_is_not_called_a_dropped_connection(
    mode: ApiMode, emulator: Emulator, photo_path: Path
) -> None:
    emulator.knobs.end_stream_early = True
    events, _ = turn(quick_profile(emulator), mode, photo_path)
    outcome = failed(events)
    assert isinstance(outcome.error, ApiRejected) and outcome.error.retryable
    assert "without finishing it" in outcome.error.message
    assert "connection" not in outcome.error.message
    assert outcome.partial


def probe(emulator: Emulator) -> tuple[CapabilityCache, Profile]:
    profile = quick_profile(emulator)
    cache = CapabilityCache()

    async def scenario() -> None:
        client = make_client(profile, KEY)
        try:
            await cache.get(client, profile)
        finally:
            await client.close()

    run(scenario())
    return cache, profile


def test_a_probe_answered_500_is_unknown_and_the_mode_stays_usable(emulator: Emulator) -> None:
    emulator.knobs.fail_500 = 4  # the model list and the three mode probes
    cache, profile = probe(emulator)
    capabilities = cache.cached(profile)
    assert capabilities is not None
    for mode in ApiMode:
        assert capabilities.status(mode) is ModeStatus.UNKNOWN
        assert capabilities.note(mode).startswith("unknown: the server said 500 on /")
        capabilities.require(mode, profile)  # no ModeUnsupported: the person may try


def test_a_route_the_gateway_lacks_is_missing_without_retries(emulator: Emulator) -> None:
    emulator.knobs.gateway_quirks = True
    emulator.knobs.disabled_modes.add("responses")
    cache, profile = probe(emulator)
    capabilities = cache.cached(profile)
    assert capabilities is not None
    assert capabilities.status(ApiMode.RESPONSES) is ModeStatus.MISSING
    assert "not configured" in capabilities.note(ApiMode.RESPONSES)
    assert "route_settings is not set" in capabilities.note(ApiMode.RESPONSES)
    assert capabilities.status(ApiMode.CHAT) is ModeStatus.PRESENT
    assert sum(1 for r in emulator.log if r.path == "/responses") == 1


def test_a_turn_on_an_unconfigured_route_is_not_retried(
    emulator: Emulator, photo_path: Path
) -> None:
    profile = quick_profile(emulator)

    async def scenario() -> list[Event]:
        session = OwnConversation(profile, KEY, mode=ApiMode.RESPONSES, model="gpt-4o")
        try:
            await session.services.capabilities.get(session.services.client, profile)
            emulator.knobs.gateway_quirks = True
            emulator.knobs.disabled_modes.add("responses")
            return await collect(session, [photo_path], "Hi")
        finally:
            await session.aclose()

    error = failed(run(scenario())).error
    assert "has no route for the Responses API configured" in error.message
    assert not error.retryable
    assert sum(1 for r in emulator.log if r.path == "/responses" and r.status == 500) == 1


def test_timeouts_are_kept_per_profile(tmp_path: Path) -> None:
    path = tmp_path / "profiles.json"
    mine = Profile("Slow box", ProviderKind.COMPATIBLE, "http://10.0.0.2:8080/v1", read_timeout=5)
    save_profiles({"slow": mine}, path)
    loaded = load_profiles(path)["slow"]
    assert (loaded.read_timeout, loaded.stream_timeout) == (5.0, 600.0)
    with pytest.raises(ValueError, match="timeouts must be positive"):
        Profile("Bad", ProviderKind.COMPATIBLE, "http://x/v1", read_timeout=0)


SEND = ["send", "--profile", "gateway", "--mode", "chat"]
SEND += ["--model", "gpt-4o", "-p", "Hi"]


def cli(emulator: Emulator, config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*SEND, *extra, env={"OPENAI_API_KEY": KEY, "VISIONDESK_CONFIG_DIR": str(config)})


def write_profile(emulator: Emulator, config: Path) -> None:
    config.mkdir(parents=True, exist_ok=True)
    entry = {"name": "Gateway", "kind": "compatible", "base_url": emulator.base_url}
    entry["read_timeout"] = QUICK  # type: ignore[assignment]
    (config / "profiles.json").write_text(json.dumps({"gateway": entry}))


def test_the_cli_says_one_line_for_a_web_page(emulator: Emulator, tmp_path: Path) -> None:
    emulator.knobs.serve_html = True
    write_profile(emulator, tmp_path / "config")
    result = cli(emulator, tmp_path / "config")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{emulator.base_url} answered with a web page (text/html)" in result.stderr


def test_the_cli_says_it_is_waiting_on_a_silent_server(emulator: Emulator, tmp_path: Path) -> None:
    emulator.knobs.never_answer = True
    write_profile(emulator, tmp_path / "config")
    result = cli(emulator, tmp_path / "config")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"no answer yet from {emulator.base_url}" in result.stderr
    assert "did not answer in time" in result.stderr or "No answer from" in result.stderr


def test_an_upload_to_a_silent_server_says_so_and_gives_up(
    emulator: Emulator, photo_path: Path
) -> None:
    profile = quick_profile(emulator)

    async def scenario() -> list[Event]:
        session = OwnConversation(profile, KEY, mode=ApiMode.ASSISTANTS, model="gpt-4o")
        try:
            await session.services.capabilities.get(session.services.client, profile)
            emulator.knobs.never_answer = True
            return [e async for e in session.attach(photo_path)]
        finally:
            await session.aclose()

    events = run(asyncio.wait_for(scenario(), 60))
    assert any(isinstance(e, Waiting) for e in events)
    failures = [e for e in events if isinstance(e, FileFailed)]
    assert failures and "No answer from" in failures[0].error.message
    assert sum(1 for r in emulator.log if r.path == "/files" and r.status == 0) == 2


def test_a_deleted_built_in_stays_deleted_and_the_emulator_always_loads(tmp_path: Path) -> None:
    from visiondesk.config.profile_store import BUILTIN, EMULATOR

    path = tmp_path / "profiles.json"
    kept = {key: profile for key, profile in BUILTIN.items() if key != "lmstudio"}
    save_profiles(kept, path)
    assert set(load_profiles(path)) == set(kept)
    path.write_text('{"emulator": null, "openai": null}')
    assert set(load_profiles(path)) == set(BUILTIN) - {"openai"}
    assert EMULATOR in load_profiles(path)
