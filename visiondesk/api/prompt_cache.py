"""`prompt_cache_key`: one per conversation, so a follow-up lands on the cache that holds the
conversation's images (API-FACTS §10). The key is made from the conversation's first question
(its words and its images' hashes), so it is the same on every turn without being stored, and
says nothing of the question itself. Only OpenAI (and the emulator that stands in for it) is
sent one: other servers may refuse a field they do not know."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.domain import Exchange, Question

TAKES_CACHE_KEYS = frozenset({ProviderKind.OPENAI, ProviderKind.EMULATOR})


def cache_key(profile: Profile, turn: Question, history: Sequence[Exchange]) -> str | None:
    if profile.kind not in TAKES_CACHE_KEYS:
        return None
    first = history[0].turn if history else turn
    seed = "\n".join([first.prompt, *(image.sha256 for image in first.images)])
    return "visiondesk-" + hashlib.sha256(seed.encode()).hexdigest()[:24]
