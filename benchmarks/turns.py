"""Per-turn client cost of a long Chat Completions conversation (the history is re-sent).

Three images (a photo, a screenshot, a second photo) are attached to the first question, then
the conversation runs for N turns against the emulator with no token delay. The emulator runs
in its own process, so the client's work per turn is this process's CPU time during the turn
(building the body, JSON encoding, the SDK and HTTP, parsing the stream, the history store),
with the server's decoding and any network wait excluded by construction. RSS is this
process's resident memory after each turn.

    python benchmarks/turns.py [--turns 200]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import images  # noqa: E402
from tests.turns import attach  # noqa: E402
from visiondesk.api import chat  # noqa: E402
from visiondesk.config.profiles import Profile, ProviderKind  # noqa: E402
from visiondesk.connection import Connection  # noqa: E402
from visiondesk.domain import ApiMode, Detail, PreparedImage  # noqa: E402
from visiondesk.events import Failed, Prepared  # noqa: E402
from visiondesk.session import OwnConversation  # noqa: E402
from visiondesk.store import History  # noqa: E402

TARGET_RATIO = 2.0
TARGET_RSS_MB = 30.0
WINDOW = 5  # turns averaged at each end (turn 1 itself also pays one-time set-up)


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import resource

    return pages * resource.getpagesize()


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "visiondesk", "emulator", "--port", "0", "--token-delay", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"the emulator did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1].strip()


async def conversation(base_url: str, folder: Path, turns: int) -> tuple[list[float], list[int]]:
    profile = Profile("bench", ProviderKind.EMULATOR, base_url)
    store = History(folder / "history")
    connection = Connection(profile, None, store=store)
    session = OwnConversation(
        profile,
        None,
        mode=ApiMode.CHAT,
        model="gpt-4o",
        detail=Detail.HIGH,
        connection=connection,
    )
    sources = []
    for name, image, fmt in (
        ("photo.jpg", images.photo(4000, 3000, seed=3), "JPEG"),
        ("shot.png", images.screenshot(2560, 1440, seed=4), "PNG"),
        ("photo2.jpg", images.photo(3000, 2000, seed=5), "JPEG"),
    ):
        path = folder / name
        image.save(path, fmt)
        sources.append(path)
    attached = [await attach(session, source) for source in sources]
    images_ = [
        event.image for events in attached for event in events if isinstance(event, Prepared)
    ]
    cpu: list[float] = []
    rss: list[int] = []
    try:
        for turn in range(turns):
            gc.collect()
            started = time.process_time()
            question = f"Question {turn + 1}: what changed in the pictures?"
            async for event in session.send(question, images_ if turn == 0 else ()):
                if isinstance(event, Failed):
                    raise RuntimeError(event.error.message)
            cpu.append(time.process_time() - started)
            rss.append(rss_bytes())
    finally:
        await connection.aclose()
        store.close()
    return cpu, rss


def measure(base_url: str, turns: int) -> tuple[float, float, float, float, float]:
    """(turn 1 ms, last turn ms, ratio, RSS after turn 1 MB, RSS growth MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        cpu, rss = asyncio.run(conversation(base_url, Path(tmp), turns))
    first = statistics.median(cpu[1 : 1 + WINDOW]) * 1000
    last = statistics.median(cpu[-WINDOW:]) * 1000
    return first, last, last / first, rss[0] / 2**20, (rss[-1] - rss[0]) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the run through the SDK's typed walk"
    )
    options = parser.parse_args()
    n = options.turns
    process, base_url = start_emulator()
    try:
        runs = {"now": measure(base_url, n)}
        if not options.no_baseline:
            # The same conversation as the code stood before: the whole body through the SDK's
            # typed transform, and a fresh base64 data URL per image per turn.
            sdk_arguments, data_url = chat.sdk_arguments, PreparedImage.data_url
            chat.sdk_arguments = lambda body: body
            PreparedImage.data_url = lambda self: f"data:{self.mime};base64,{self.base64()}"  # type: ignore[method-assign]
            try:
                runs["before"] = measure(base_url, n)
            finally:
                chat.sdk_arguments, PreparedImage.data_url = sdk_arguments, data_url  # type: ignore[method-assign]
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"Chat Completions, 3 images in turn 1, {n} turns, emulator in its own process;")
    print(
        f"client CPU per turn (turn 1 = median of turns 2-{1 + WINDOW}, turn {n} = last {WINDOW})"
    )
    last_turn = f"turn {n} ms"
    print(f"    {'':<8} {'turn 1 ms':>10} {last_turn:>12} {'ratio':>7} {'RSS MB':>8} {'growth':>8}")
    for name, (first, last, ratio, rss, growth) in runs.items():
        print(
            f"    {name:<8} {first:>10.1f} {last:>12.1f} {ratio:>6.2f}× {rss:>8.0f} {growth:>+7.1f}"
        )
    _, _, ratio, _, growth = runs["now"]
    print(
        f"    turn {n} / turn 1 = {ratio:.2f}× [target ≤ {TARGET_RATIO:.0f}×; issue: 8.8×], "
        f"RSS +{growth:.1f} MB [target ≤ {TARGET_RSS_MB:.0f} MB; issue: +76 MB]"
    )
    ok = ratio <= TARGET_RATIO and growth <= TARGET_RSS_MB
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
