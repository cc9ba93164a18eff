"""Build the SDK client for a profile, with timeouts and retries chosen on purpose.

The HTTP client can be injected (qutebrowser-style), so tests can swap the transport.
"""

from __future__ import annotations

import httpx2
from openai import AsyncOpenAI, DefaultAsyncHttpxClient

from visiondesk.api.ratelimit import rate_limit_reporter
from visiondesk.api.tls import shared_context
from visiondesk.api.wire import PatientTransport, response_checker
from visiondesk.config.profiles import Profile

CONNECT_TIMEOUT = 5.0
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
    """The read timeout is the profile's wait for a first byte (`read_timeout`); once a
    response has started, `stream_timeout` applies between its pieces (see api/wire.py)."""
    timeout = httpx2.Timeout(profile.read_timeout, connect=CONNECT_TIMEOUT, write=WRITE_TIMEOUT)
    check = response_checker(profile.base_url)
    report = rate_limit_reporter(max_retries)
    if http_client is None:
        transport = PatientTransport(
            httpx2.AsyncHTTPTransport(verify=shared_context()),
            profile.base_url,
            read_timeout=profile.read_timeout,
            stream_timeout=profile.stream_timeout,
        )
        http_client = DefaultAsyncHttpxClient(
            timeout=timeout, transport=transport, event_hooks={"response": [report, check]}
        )
    else:
        http_client.event_hooks["response"][:0] = [report]
        http_client.event_hooks["response"].append(check)
    return AsyncOpenAI(
        api_key=api_key or PLACEHOLDER_KEY,
        base_url=profile.base_url,
        timeout=timeout,
        max_retries=max_retries,
        default_headers=dict(profile.extra_headers) or None,
        http_client=http_client,
    )
