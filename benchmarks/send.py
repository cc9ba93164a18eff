"""Send benchmark against the emulator (1 s file processing, 20 ms per token).

(a) Assistants: time from Send to the first token when the image was attached 2 s before Send
    (uploaded on attach) against uploading at Send; the share of the upload wait removed.
(b) Bytes put on the wire by a 10-turn conversation with 3 images in Chat vs Responses.
(c) Stop: time from cancelling a streaming turn to its end, against the time between two
    streamed tokens measured in the same run (the tests only check that Stop ends the turn).

    python benchmarks/send.py [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import images  # noqa: E402
from tests.turns import attach, draft  # noqa: E402
from visiondesk.config.profiles import Profile, ProviderKind  # noqa: E402
from visiondesk.domain import ApiMode, Detail  # noqa: E402
from visiondesk.emulator import Emulator, Knobs  # noqa: E402
from visiondesk.events import Failed, TextDelta  # noqa: E402
from visiondesk.session import OwnConversation  # noqa: E402


async def first_token(session: OwnConversation, prompt: str) -> float:
    """Seconds from Send to the first streamed token (the rest of the answer is drained)."""
    started = time.perf_counter()
    first = None
    async for event in session.send(prompt, draft(session)):
        if isinstance(event, TextDelta) and first is None:
            first = time.perf_counter() - started
        if isinstance(event, Failed):
            raise RuntimeError(event.error)
    assert first is not None
    draft(session).clear()  # sent: the next question starts without them
    return first


async def assistants_latency(emulator: Emulator, photo: Path, scenario: str) -> float:
    profile = Profile("bench", ProviderKind.EMULATOR, emulator.base_url)
    session = OwnConversation(
        profile, None, mode=ApiMode.ASSISTANTS, model="gpt-4o", detail=Detail.HIGH
    )
    await session.services.capabilities.get(session.services.client, profile)
    # A warm-up turn creates the assistant and the thread, which both scenarios then share.
    await first_token(session, "warm-up")
    try:
        if scenario == "no image":
            return await first_token(session, "What is it?")
        if scenario == "pre-upload":
            await attach(session, photo)  # uploads now, on attach
            await asyncio.sleep(2.0)  # the person types the question
            return await first_token(session, "What is it?")
        # Upload at Send: attach without uploading (as in Chat), then send in Assistants.
        session.settings = replace(session.settings, mode=ApiMode.CHAT)
        await attach(session, photo)
        session.settings = replace(session.settings, mode=ApiMode.ASSISTANTS)
        await asyncio.sleep(2.0)
        return await first_token(session, "What is it?")
    finally:
        await session.aclose()


async def wire_bytes(emulator: Emulator, mode: ApiMode, sources: list[Path]) -> int:
    profile = Profile("bench", ProviderKind.EMULATOR, emulator.base_url)
    session = OwnConversation(profile, None, mode=mode, model="gpt-4o", detail=Detail.HIGH)
    before = len(emulator.log)
    try:
        for source in sources:
            await attach(session, source)
        for turn in range(10):
            await first_token(session, f"Question {turn + 1} about these pictures?")
    finally:
        await session.aclose()
    path = "/chat/completions" if mode is ApiMode.CHAT else "/responses"
    return sum(r.body_bytes for r in emulator.log[before:] if r.path == path)


async def stop_latency(emulator: Emulator, photo: Path) -> tuple[float, float]:
    """(seconds from cancel to the end of the turn, median seconds between two tokens)."""
    profile = Profile("bench", ProviderKind.EMULATOR, emulator.base_url)
    session = OwnConversation(
        profile, None, mode=ApiMode.RESPONSES, model="gpt-4o", detail=Detail.HIGH
    )
    async for _ in session.attach(photo):
        pass
    arrivals: list[float] = []
    streaming = asyncio.Event()

    async def consume() -> None:
        async for event in session.send("Describe it"):
            if isinstance(event, TextDelta):
                arrivals.append(time.perf_counter())
                if len(arrivals) == 6:
                    streaming.set()

    task = asyncio.create_task(consume())
    await streaming.wait()
    started = time.perf_counter()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    stopped = time.perf_counter() - started
    await session.aclose()
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    return stopped, statistics.median(gaps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    knobs = Knobs(token_delay=0.02, file_processing_delay=1.0)
    ok = True
    with tempfile.TemporaryDirectory() as tmp, Emulator(knobs=knobs) as emulator:
        folder = Path(tmp)
        photo = folder / "photo.jpg"
        photo.write_bytes(images.jpeg_with_exif(images.photo(4000, 3000, seed=3), orientation=6))
        shot = folder / "shot.png"
        images.screenshot(2560, 1440, seed=4).save(shot)
        photo2 = folder / "photo2.jpg"
        photo2.write_bytes(images.encode(images.photo(3000, 2000, seed=5), "JPEG", quality=90))

        print("(a) Assistants, Send → first token (median of", options.repeat, "runs)")
        results = {}
        for scenario in ("no image", "upload at Send", "pre-upload"):
            runs = [
                asyncio.run(assistants_latency(emulator, photo, scenario))
                for _ in range(options.repeat)
            ]
            results[scenario] = statistics.median(runs)
            print(f"    {scenario:<16} {results[scenario] * 1000:8.0f} ms")
        wait_at_send = results["upload at Send"] - results["no image"]
        wait_pre = max(0.0, results["pre-upload"] - results["no image"])
        removed = 1 - wait_pre / wait_at_send
        print(
            f"    upload wait at Send {wait_at_send * 1000:.0f} ms, with pre-upload "
            f"{wait_pre * 1000:.0f} ms: {removed:.0%} of the wait removed  [target ≥ 90%]"
        )
        ok &= removed >= 0.9

        print("\n(b) Request bytes for 10 turns, 3 images attached to the first")
        chat = asyncio.run(wire_bytes(emulator, ApiMode.CHAT, [photo, shot, photo2]))
        responses = asyncio.run(wire_bytes(emulator, ApiMode.RESPONSES, [photo, shot, photo2]))
        ratio = responses / chat
        print(f"    Chat Completions {chat:>12,} bytes")
        print(f"    Responses        {responses:>12,} bytes")
        print(f"    Responses / Chat = {ratio:.1%}  [target ≤ 15%]")
        ok &= ratio <= 0.15

        print("\n(c) Stop a streaming answer (median of", options.repeat, "runs)")
        stops = [asyncio.run(stop_latency(emulator, photo)) for _ in range(options.repeat)]
        stop = statistics.median(s for s, _ in stops)
        gap = statistics.median(g for _, g in stops)
        print(f"    Stop → turn ended {stop * 1000:.1f} ms, one token every {gap * 1000:.1f} ms")
        print(f"    Stop / token interval = {stop / gap:.2f}  [target ≤ 10]")
        ok &= stop / gap <= 10
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
