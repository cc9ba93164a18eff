"""Upload progress follows the bytes the server really received, and a stalled upload says so.

Each event's `bytes_sent` is held against the emulator's own count of upload bytes it has read
off its socket at that moment (`Store.received`): the client may lead it only by what the
kernels buffer between them, never by megabytes, and 100% comes only once the server has it all.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator

import pytest

from tests.turns import KEY, run
from visiondesk.api.client import make_client
from visiondesk.api.uploads import Uploader
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.domain import Detail, PreparedImage
from visiondesk.emulator import Emulator, Knobs
from visiondesk.events import FileFailed, FileReady, UploadEvent, UploadProgress

SIZE = 4 * 2**20
"""The image: much more than a socket buffers when nothing bounds it (4 MB on Linux)."""
STALL_AT = 2**20
LEAD = 512 * 1024
"""The most the client may count ahead of the server: the unsent bytes it keeps (16 KiB), its
loop's write buffer (64 KiB), the pieces in flight and the emulator's small receive window."""
STALL_AFTER = 0.3
TIMEOUT = 30.0


@pytest.fixture
def stalling() -> Iterator[Emulator]:
    knobs = Knobs(stall_uploads_after=STALL_AT, stall_seconds=TIMEOUT, receive_buffer=32 * 1024)
    with Emulator(api_key=KEY, knobs=knobs) as running:
        yield running


def big_image() -> PreparedImage:
    data = os.urandom(SIZE)
    sha256 = hashlib.sha256(data).hexdigest()
    return PreparedImage("big.png", sha256, 1, 1, "PNG", 1, 1, "image/png", data, Detail.HIGH, 85)


Seen = tuple[UploadEvent, int]
"""An event and the emulator's count of received upload bytes when it came."""


async def follow(uploader: Uploader, emulator: Emulator, image: PreparedImage) -> list[Seen]:
    """Every event of the upload with the server's count, resuming the server once a stall
    has been reported."""
    seen: list[Seen] = []
    async with asyncio.timeout(TIMEOUT):
        async for event in uploader.events(image):
            seen.append((event, emulator.store.received))
            if isinstance(event, UploadProgress) and event.stalled:
                emulator.knobs.resume_uploads.set()
    return seen


def progress(seen: list[Seen]) -> list[tuple[UploadProgress, int]]:
    return [(event, received) for event, received in seen if isinstance(event, UploadProgress)]


def test_progress_follows_the_server_and_says_a_stall(stalling: Emulator) -> None:
    profile = Profile("Stalling", ProviderKind.EMULATOR, stalling.base_url)
    uploader = Uploader(make_client(profile, KEY), profile, stall_after=STALL_AFTER)
    image = big_image()
    seen = run(follow(uploader, stalling, image))

    assert isinstance(seen[-1][0], FileReady), seen[-1][0]
    assert not any(isinstance(event, FileFailed) for event, _ in seen)
    shown = progress(seen)
    sent = [event.bytes_sent for event, _ in shown]
    assert sent == sorted(sent), "progress went backwards"
    for event, received in shown:
        assert event.bytes_sent <= received + LEAD, (event, received)
        if event.bytes_sent == event.total:
            assert received >= SIZE, "100% before the server had every byte"
    assert shown[-1][0].bytes_sent == SIZE

    stalls = [index for index, (event, _) in enumerate(shown) if event.stalled]
    assert stalls, "the stall was never reported"
    first, received = shown[stalls[0]]
    assert STALL_AT - LEAD <= first.bytes_sent < STALL_AT + LEAD < SIZE
    assert received <= STALL_AT + 64 * 1024  # the server held still at its knob
    after = [event for event, _ in shown[stalls[-1] + 1 :]]
    assert after and not after[0].stalled and after[-1].bytes_sent == SIZE  # it moved again


def test_a_slow_server_shows_progress_along_the_way(emulator: Emulator) -> None:
    emulator.knobs.upload_bytes_per_second = 8 * 2**20
    profile = Profile("Slow", ProviderKind.EMULATOR, emulator.base_url)
    uploader = Uploader(make_client(profile, KEY), profile)
    seen = run(follow(uploader, emulator, big_image()))

    assert isinstance(seen[-1][0], FileReady)
    shown = progress(seen)
    for event, received in shown:
        assert event.bytes_sent <= received + LEAD, (event, received)
    percents = {100 * event.bytes_sent // event.total for event, _ in shown}
    assert len(percents & set(range(10, 90))) >= 5  # the middle was shown, not 0 then 100
