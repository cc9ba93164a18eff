"""Prompt-cache benchmark: how much of a conversation's input the cache serves.

Ten turns about the same three photos (1200×900, high detail), in Chat and in Responses,
against the emulator (which implements the documented rule: a shared prefix of ≥ 1,024
tokens, in steps of 128, per `prompt_cache_key`). Two such conversations run turn by turn
interleaved, as two windows or a batch beside a chat would: once as VisionDesk sends them (one
key per conversation), and once without keys (the baseline, measured in the same run: a
profile kind that is sent none), where the other conversation's request lands in between.

Target: ≥ 50% of input tokens cached on turns 2–10 with keys.

    python benchmarks/prompt_cache.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import images  # noqa: E402
from visiondesk.config.profiles import Profile, ProviderKind  # noqa: E402
from visiondesk.domain import ApiMode, Detail  # noqa: E402
from visiondesk.emulator import Emulator  # noqa: E402
from visiondesk.events import Prepared, Usage  # noqa: E402
from visiondesk.session import OwnConversation  # noqa: E402

TARGET = 0.5
TURNS = 10


async def interleaved(profile: Profile, mode: ApiMode, photos: list[Path]) -> list[list[float]]:
    """The cached share of each turn's input, for each of two interleaved conversations."""
    talks = [
        OwnConversation(profile, "sk-bench", mode=mode, model="gpt-4o", detail=Detail.HIGH)
        for _ in range(2)
    ]
    shares: list[list[float]] = [[], []]
    try:
        prepared = []
        for number, talk in enumerate(talks):
            made = []
            for path in photos:
                async for event in talk.attach(path, f"{number}-{path.name}"):
                    if isinstance(event, Prepared):
                        made.append(event.image)
            prepared.append(made)
        for turn in range(1, TURNS + 1):
            for number, talk in enumerate(talks):
                prompt = f"Conversation {number}, question {turn}: what changed in the corner?"
                sent = prepared[number] if turn == 1 else []
                usage = None
                async for event in talk.send(prompt, sent):
                    if isinstance(event, Usage):
                        usage = event
                assert usage is not None and talk.last.ok, talk.last.error
                shares[number].append(usage.cached_input_tokens / usage.input_tokens)
    finally:
        for talk in talks:
            await talk.aclose()
    return shares


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp, Emulator() as emulator:
        photos = []
        for seed in range(3):
            path = Path(tmp) / f"photo{seed}.jpg"
            images.photo(1200, 900, seed=seed).save(path, quality=85)
            photos.append(path)
        keyed = Profile("Emulator", ProviderKind.EMULATOR, emulator.base_url, api_key_env="")
        unkeyed = replace(keyed, kind=ProviderKind.COMPATIBLE)  # sent no prompt_cache_key
        print(f"{TURNS} turns about 3 photos, two conversations interleaved turn by turn")
        for mode in (ApiMode.CHAT, ApiMode.RESPONSES):
            with_keys = asyncio.run(interleaved(keyed, mode, photos))
            without = asyncio.run(interleaved(unkeyed, mode, photos))
            for label, shares in (("one key per conversation", with_keys), ("no keys", without)):
                later = [share for talk in shares for share in talk[1:]]
                print(
                    f"  {mode.label:<16} {label:<25} cached on turns 2–{TURNS}: "
                    f"least {min(later):.0%}, mean {sum(later) / len(later):.0%}"
                )
            least = min(share for talk in with_keys for share in talk[1:])
            baseline = sum(s for talk in without for s in talk[1:]) / (2 * (TURNS - 1))
            mean = sum(s for talk in with_keys for s in talk[1:]) / (2 * (TURNS - 1))
            passed = least >= TARGET
            ratio = f"{mean / baseline:.1f}×" if baseline else "∞× (none cached without keys)"
            print(
                f"    with keys / without, mean share: {ratio}; every turn ≥ {TARGET:.0%}: "
                f"{'PASS' if passed else 'MISS'}"
            )
            ok = ok and passed
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
