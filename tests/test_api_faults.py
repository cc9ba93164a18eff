"""Every fault ends in the right error (or a successful retry), and nothing is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.turns import KEY, attach, collect, draft, final, run, session_for, turns
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.domain import ApiMode, Detail, PreparedImage
from visiondesk.emulator import Emulator
from visiondesk.errors import (
    ApiRejected,
    AuthError,
    Cancelled,
    ImageError,
    ModeUnsupported,
    NetworkError,
    RateLimited,
)
from visiondesk.events import Completed, Failed, FileFailed, TextDelta, UploadProgress
from visiondesk.session import OwnConversation


def failure(events: list) -> Failed:
    outcome = final(events)
    assert isinstance(outcome, Failed), outcome
    return outcome


def test_a_single_429_is_retried_by_the_sdk(emulator: Emulator, profile: Profile) -> None:
    session = session_for(profile, ApiMode.CHAT)

    async def scenario() -> list:
        await session.services.capabilities.get(session.services.client, profile)
        emulator.knobs.fail_429, emulator.knobs.retry_after = 1, 0.1
        events = await collect(session, [], "Hello?")
        await session.aclose()
        return events

    assert isinstance(final(run(scenario())), Completed)
    assert [r.status for r in emulator.log if r.path == "/chat/completions"][-2:] == [429, 200]


def test_persistent_429_says_how_long_to_wait_and_retry_then_works(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    session = session_for(profile, ApiMode.CHAT)

    async def scenario() -> tuple[list, list]:
        await session.services.capabilities.get(
            session.services.client, profile
        )  # probe before the fault
        emulator.knobs.fail_429, emulator.knobs.retry_after = 3, 0.2
        first = await collect(session, [photo_path], "Hello?")
        second = await collect(session, [], "Hello?")  # Retry: the same call again
        await session.aclose()
        return first, second

    first, second = run(scenario())
    error = failure(first).error
    assert isinstance(error, RateLimited) and error.retryable
    assert error.retry_after == pytest.approx(0.2)
    assert "Try again in 1 s" in error.message
    assert isinstance(final(second), Completed)  # the image was still attached: nothing lost
    assert "I received 1 image" in final(second).text  # type: ignore[union-attr]


def test_500_is_retried_then_reported(emulator: Emulator, profile: Profile) -> None:
    session = session_for(profile, ApiMode.RESPONSES)

    async def scenario() -> list:
        await session.services.capabilities.get(session.services.client, profile)
        emulator.knobs.fail_500 = 3
        events = await collect(session, [], "Hello?")
        await session.aclose()
        return events

    error = failure(run(scenario())).error
    assert isinstance(error, ApiRejected) and error.retryable
    assert "internal error (500)" in error.message


def test_rejected_key_names_the_profile(emulator: Emulator, profile: Profile) -> None:
    session = session_for(profile, ApiMode.CHAT, key="sk-wrong")
    error = failure(run(turns(session, ([], "Hello?")))[0]).error
    assert isinstance(error, AuthError)
    assert "Test emulator" in error.message and "sk-wrong" not in error.message


def test_server_down_names_the_base_url() -> None:
    profile = Profile("Nowhere", ProviderKind.COMPATIBLE, "http://127.0.0.1:9/v1")
    error = failure(run(turns(session_for(profile, ApiMode.CHAT), ([], "Hello?")))[0]).error
    assert isinstance(error, NetworkError)
    assert "http://127.0.0.1:9/v1" in error.message


def test_mode_the_server_lacks_fails_fast(emulator: Emulator, profile: Profile) -> None:
    emulator.knobs.disabled_modes.add("assistants")
    error = failure(run(turns(session_for(profile, ApiMode.ASSISTANTS), ([], "Hi")))[0]).error
    assert isinstance(error, ModeUnsupported)
    assert "does not implement the Assistants API" in error.message
    assert error.suggested is ApiMode.RESPONSES and "Use the Responses API" in error.message
    assert sum(1 for r in emulator.log if r.path == "/assistants") == 1  # one probe, no retry
    assert not any(r.path == "/threads" for r in emulator.log)


@pytest.mark.parametrize("mode", list(ApiMode))
def test_stream_cut_keeps_the_partial_answer_and_retry_succeeds(
    mode: ApiMode, emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    session = session_for(profile, mode)

    async def scenario() -> tuple[list, list]:
        await session.services.capabilities.get(session.services.client, profile)
        emulator.knobs.cut_stream_after = 5
        first = await collect(session, [photo_path], "Describe")
        second = await collect(session, [], "Describe")
        await session.aclose()
        return first, second

    first, second = run(scenario())
    failed = failure(first)
    assert isinstance(failed.error, NetworkError)
    assert failed.partial and len(failed.partial.split()) <= 6
    assert sum(isinstance(e, TextDelta) for e in first) == 5
    assert isinstance(final(second), Completed)
    assert len(session.exchanges) == 1 and draft(session) == []


def test_file_processing_error(emulator: Emulator, profile: Profile, photo_path: Path) -> None:
    emulator.knobs.file_error = True
    session = session_for(profile, ApiMode.ASSISTANTS)
    events = run(turns(session, ([photo_path], "What?")))[0]
    failed = [e for e in events if isinstance(e, FileFailed)]
    assert failed and "could not process" in failed[0].error.message
    assert "photo.jpg" in failed[0].error.message
    assert isinstance(final(events), Failed)


def test_file_that_never_becomes_ready_times_out(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    emulator.knobs.file_never_ready = True
    session = session_for(profile, ApiMode.ASSISTANTS, upload_timeout=0.6)
    # The upload's own timeout ends the turn; the deadline only fails a hung test.
    events = run(asyncio.wait_for(turns(session, ([photo_path], "What?")), 30))[0]
    error = failure(events).error
    assert "did not finish processing" in error.message and error.retryable


def test_upload_retry_after_failure_uploads_again(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    session = session_for(profile, ApiMode.ASSISTANTS)

    async def scenario() -> tuple[list, list]:
        emulator.knobs.file_error = True
        first = await collect(session, [photo_path], "What?")
        emulator.knobs.file_error = False
        second = await collect(session, [], "What?")
        await session.aclose()
        return first, second

    first, second = run(scenario())
    assert isinstance(final(first), Failed)
    assert isinstance(final(second), Completed)
    # On attach, again when Send found the upload failed, and once more on Retry.
    assert sum(1 for r in emulator.log if r.method == "POST" and r.path == "/files") == 3


def test_an_image_the_server_refuses_is_named(emulator: Emulator, profile: Profile) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "BMP")
    bogus = PreparedImage(  # a BMP mislabelled as PNG, which the server refuses
        label="scan.bmp",
        sha256="0" * 64,
        original_width=8,
        original_height=8,
        original_format="BMP",
        width=8,
        height=8,
        mime="image/png",
        data=buffer.getvalue(),
        detail=Detail.HIGH,
        tokens=85,
    )
    session = session_for(profile, ApiMode.CHAT)
    draft(session).append(bogus)
    error = failure(run(turns(session, ([], "What?")))[0]).error
    assert isinstance(error, ImageError)
    assert error.source == "scan.bmp" and "invalid_image_format" in error.message


def test_cancel_mid_stream_stops_at_once(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    emulator.knobs.token_delay = 0.05
    session = session_for(profile, ApiMode.RESPONSES)

    async def scenario() -> None:
        await attach(session, photo_path)
        seen: list[str] = []
        streaming = asyncio.Event()

        async def consume() -> None:
            async for event in session.send("Describe", draft(session)):
                if isinstance(event, TextDelta):
                    seen.append(event.text)
                    if len(seen) == 3:
                        streaming.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(streaming.wait(), 10)
        task.cancel()
        # The answer has many words left at 50 ms each: only a prompt stop ends it in time.
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 1)
        await session.aclose()

    run(scenario())
    assert isinstance(session.last.error, Cancelled)
    assert session.last.answer and len(draft(session)) == 1  # partial kept, image kept
    assert session.exchanges == ()


def test_cancel_mid_upload_stops_at_once(emulator: Emulator, profile: Profile) -> None:
    from tests import images

    emulator.knobs.upload_bytes_per_second = 100_000
    session = session_for(profile, ApiMode.ASSISTANTS)
    big = images.encode(images.screenshot(1365, 768), "PNG")  # a few hundred KB

    async def scenario() -> list:
        events: list = []
        uploading = asyncio.Event()

        async def attach() -> None:
            async for event in session.attach(big, "big.png"):
                events.append(event)
                if isinstance(event, UploadProgress) and event.bytes_sent:
                    uploading.set()

        task = asyncio.create_task(attach())
        await asyncio.wait_for(uploading.wait(), 10)
        session.services.uploader.cancel()
        await asyncio.wait_for(task, 1)  # the slow link would need seconds more
        await session.aclose()
        return events

    events = run(scenario())
    failed = [e for e in events if isinstance(e, FileFailed)]
    assert failed and isinstance(failed[0].error, Cancelled)


def test_key_is_never_in_errors_or_request_log(emulator: Emulator, profile: Profile) -> None:
    session = OwnConversation(profile, KEY, mode=ApiMode.CHAT)
    events = run(turns(session, ([], "Hello?")))[0]
    assert KEY not in repr(events)


def test_servers_without_file_expiry_still_get_the_upload(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    emulator.knobs.no_expiry = True
    events = run(turns(session_for(profile, ApiMode.ASSISTANTS), ([photo_path], "What?")))[0]
    assert isinstance(final(events), Completed)
    uploads = [r.status for r in emulator.log if r.method == "POST" and r.path == "/files"]
    assert uploads == [400, 200]  # asked once with expiry, then without
