"""Build the SDK client for a profile, with timeouts and retries chosen on purpose.

The SDK retries nothing (`max_retries=0`): the app's transport (api/retries.py) owns every
retry, so the wait it tells the turn is the wait it sleeps. The inner transport can be injected
(qutebrowser-style), so tests can swap what carries the bytes.
"""

from __future__ import annotations

import socket

import httpx2
from openai import AsyncOpenAI, DefaultAsyncHttpxClient

from visiondesk.api.retries import RetryingTransport, RetryPolicy
from visiondesk.api.tls import shared_context
from visiondesk.api.wire import response_checker
from visiondesk.config.profiles import Profile

CONNECT_TIMEOUT = 5.0
WRITE_TIMEOUT = 60.0

Client = AsyncOpenAI
"""The SDK client, named for the layers above that must not import the SDK themselves."""

UNSENT_BYTES = 16 * 1024
"""The most a connection keeps queued in the kernel that is not yet on the wire
(TCP_NOTSENT_LOWAT): an upload's progress counts bytes the socket has taken, so it must not
take megabytes at once (Linux lets a socket buffer 4 MB by default)."""

PLACEHOLDER_KEY = "not-needed"
"""Local servers (Ollama, LM Studio, the emulator) ignore the key but the SDK wants one."""


def make_client(
    profile: Profile,
    api_key: str | None,
    *,
    retries: RetryPolicy | None = None,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> AsyncOpenAI:
    """The read timeout is the profile's wait for a first byte (`read_timeout`); once a
    response has started, `stream_timeout` applies between its pieces (see api/retries.py)."""
    timeout = httpx2.Timeout(profile.read_timeout, connect=CONNECT_TIMEOUT, write=WRITE_TIMEOUT)
    retrying = RetryingTransport(
        transport or httpx2.AsyncHTTPTransport(verify=shared_context(), socket_options=_paced()),
        profile.base_url,
        read_timeout=profile.read_timeout,
        stream_timeout=profile.stream_timeout,
        policy=retries,
    )
    http_client = DefaultAsyncHttpxClient(
        timeout=timeout,
        transport=retrying,
        event_hooks={"response": [response_checker(profile.base_url)]},
    )
    return AsyncOpenAI(
        api_key=api_key or PLACEHOLDER_KEY,
        base_url=profile.base_url,
        timeout=timeout,
        max_retries=0,
        default_headers=dict(profile.extra_headers) or None,
        http_client=http_client,
    )


def _paced() -> list[tuple[int, int, int]]:
    """Socket options that keep little unsent in the kernel, where the system has them (Linux,
    macOS); elsewhere progress is only as honest as the system's buffers allow."""
    lowat = getattr(socket, "TCP_NOTSENT_LOWAT", None)
    return [] if lowat is None else [(socket.IPPROTO_TCP, lowat, UNSENT_BYTES)]
