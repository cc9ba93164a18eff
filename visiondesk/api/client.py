"""Build the SDK client for a profile, with timeouts and retries chosen on purpose.

The HTTP client can be injected (qutebrowser-style), so tests can swap the transport.
"""

from __future__ import annotations

from typing import Any

import httpx2
from openai import AsyncOpenAI

from visiondesk.config.profiles import Profile

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
"""Between two chunks of a streamed answer; a silent minute means the server is stuck."""
WRITE_TIMEOUT = 60.0
MAX_RETRIES = 2
"""The SDK retries connection errors, 408/409/429/5xx with backoff, honouring Retry-After."""

Client = AsyncOpenAI
"""The SDK client, named for the layers above that must not import the SDK themselves."""

PLACEHOLDER_KEY = "not-needed"
"""Local servers (Ollama, LM Studio, the emulator) ignore the key but the SDK wants one."""


def make_client(
    profile: Profile,
    api_key: str | None,
    *,
    http_client: httpx2.AsyncClient | None = None,
    max_retries: int = MAX_RETRIES,
) -> AsyncOpenAI:
    options: dict[str, Any] = {}
    if http_client is not None:
        options["http_client"] = http_client
    return AsyncOpenAI(
        api_key=api_key or PLACEHOLDER_KEY,
        base_url=profile.base_url,
        timeout=httpx2.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT, write=WRITE_TIMEOUT),
        max_retries=max_retries,
        default_headers=dict(profile.extra_headers) or None,
        **options,
    )
