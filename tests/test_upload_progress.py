"""Upload progress follows the bytes the server really received, and a stalled upload says so.

Each event's `bytes_sent` is held against the emulator's own count of upload bytes it has read
off its socket at that moment (`Store.received`): the client may lead it only by what the
kernels buffer between them, never by megabytes, and 100% comes only once the server has it all.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.turns import KEY, run
from visiondesk.api import uploads
from visiondesk.api.client import make_client
from visiondesk.api.uploads import Uploader
from visiondesk.cli import main
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


class Stderr(io.StringIO):
    """What the command says on stderr, with an event set once it has said `awaited`."""

    def __init__(self, awaited: str) -> None:
        super().__init__()
        self.awaited = awaited
        self.said = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.awaited in self.getvalue():
            self.said.set()
        return written


def test_the_command_says_a_stall_once_and_when_it_moves_again(
    stalling: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "STALL_AFTER", STALL_AFTER)
    stalling.knobs.stall_uploads_after = 64 * 1024  # within the prepared JPEG
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path / "config"))
    path = tmp_path / "noise.png"
    rng = random.Random(20)  # no encoder makes noise small: a large upload
    Image.frombytes("RGB", (1024, 768), rng.randbytes(1024 * 768 * 3)).save(path)
    stderr = Stderr("stalled")
    monkeypatch.setattr("sys.stderr", stderr)
    codes: list[int] = []
    args = ["send", "--base-url", stalling.base_url, "--mode", "assistants"]
    args += ["--model", "gpt-4o", "-p", "What is it?", str(path)]
    command = threading.Thread(target=lambda: codes.append(main(args)), daemon=True)
    command.start()
    assert stderr.said.wait(TIMEOUT), stderr.getvalue()
    assert stalling.wait_until(lambda store: store.stalled == 1, TIMEOUT)
    stalling.knobs.resume_uploads.set()
    command.join(TIMEOUT)

    said = stderr.getvalue()
    assert codes == [0], said
    assert said.count("stalled") == 1 and said.count("sending again") == 1, said
    assert said.index("stalled") < said.index("sending again") < said.index("ready: file-")
