"""The capability probe asks the server which modes it has, and the answer is cached."""

from __future__ import annotations

from tests.turns import KEY, run
from visiondesk.api.capabilities import CapabilityCache, probe
from visiondesk.api.client import make_client
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode
from visiondesk.emulator import Emulator


def test_full_server_has_every_mode_and_lists_models(emulator: Emulator, profile: Profile) -> None:
    async def scenario():
        client = make_client(profile, KEY)
        try:
            return await probe(client, profile)
        finally:
            await client.close()

    capabilities = run(scenario())
    assert all(capabilities.supports(mode) for mode in ApiMode)
    assert "gpt-4o" in capabilities.models


def test_missing_assistants_is_reported_with_a_reason_and_cached(
    emulator: Emulator, profile: Profile
) -> None:
    emulator.knobs.disabled_modes.add("assistants")
    cache = CapabilityCache()

    async def scenario():
        client = make_client(profile, KEY)
        try:
            first = await cache.get(client, profile)
            second = await cache.get(client, profile)
            return first, second
        finally:
            await client.close()

    first, second = run(scenario())
    assert first is second  # asked once
    assert not first.supports(ApiMode.ASSISTANTS)
    assert "404" in first.missing[ApiMode.ASSISTANTS]
    assert first.supports(ApiMode.CHAT) and first.supports(ApiMode.RESPONSES)
    assert sum(1 for r in emulator.log if r.path == "/assistants") == 1
