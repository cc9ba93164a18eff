"""Cheaper follow-ups: every Chat and Responses request of a conversation carries one
`prompt_cache_key` and begins with the same images, so the emulator's prompt cache (the
documented rule: a shared prefix of ≥ 1,024 tokens, in steps of 128) serves turns 2–10 of a
conversation about the same three images mostly from the cache, and the usage says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import images
from tests.turns import run, session_for, turns
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode
from visiondesk.emulator import Emulator
from visiondesk.emulator.caching import PromptCache, unit
from visiondesk.events import Usage


@pytest.fixture
def three_photos(tmp_path: Path) -> list[Path]:
    paths = []
    for seed in range(3):
        path = tmp_path / f"photo{seed}.jpg"
        images.photo(1200, 900, seed=seed).save(path, quality=85)
        paths.append(path)
    return paths


@pytest.mark.parametrize("mode", [ApiMode.CHAT, ApiMode.RESPONSES])
def test_follow_ups_about_the_same_images_are_mostly_cached(
    emulator: Emulator, profile: Profile, three_photos: list[Path], mode: ApiMode
) -> None:
    session = session_for(profile, mode)
    steps = [(three_photos, "What do these show?")]
    steps += [([], f"Follow-up {n}: and the detail in the corner?") for n in range(2, 11)]
    results = run(turns(session, *steps))
    usages = [[e for e in events if isinstance(e, Usage)][-1] for events in results]
    assert usages[0].cached_input_tokens == 0  # nothing to hit yet
    for turn, usage in enumerate(usages[1:], start=2):
        share = usage.cached_input_tokens / usage.input_tokens
        assert share >= 0.5, (turn, usage)
    asked = [
        r
        for r in emulator.log
        if "-up " in json.dumps(r.body) or "these show" in json.dumps(r.body)
    ]
    assert len(asked) == 10  # the probe's own requests aside
    keys = {r.body.get("prompt_cache_key") for r in asked}
    assert len(keys) == 1 and None not in keys


def test_the_cache_rule_counts_whole_pieces_from_1024_tokens_in_steps_of_128() -> None:
    cache = PromptCache()
    image = unit("image", "a", tokens=765)
    words = unit("user", "What is it?", tokens=400)
    assert cache.cached("k", "gpt-4o", [image, words]) == 0
    assert cache.cached("k", "gpt-4o", [image, words, unit("user", "More?", tokens=9)]) == 1152
    assert cache.cached("k", "gpt-4o", [image]) == 0  # under 1,024 shared
    assert cache.cached("other", "gpt-4o", [image, words]) == 0  # another conversation's key
    # Without a key only the request just before is a candidate.
    assert cache.cached(None, "gpt-4o", [image, words]) == 0
    assert cache.cached(None, "gpt-4o", [unit("user", "x", tokens=2000)]) == 0
    assert cache.cached(None, "gpt-4o", [image, words]) == 0
