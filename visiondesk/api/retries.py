"""The app's own retries for every request the SDK sends (its clients get `max_retries=0`), so
the wait a person is shown is the wait that is slept.

Tried again: 429 (Retry-After / retry-after-ms honoured up to `max_retry_after`, else full-
jitter backoff), 408, 409, 5xx (not a gateway's "route not configured"), connection errors, and
a server silent before its first byte (once, with a shorter wait, then `NoAnswer`). The retry
happens in the transport, before a response is handed to the SDK: a streamed answer is never
replayed once its first byte has arrived. Each 429 wait is told to the task's listener
(api/ratelimit.py) before it is slept; cancelling the task ends the wait at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import httpx2
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt

from visiondesk.api.errors import retry_after
from visiondesk.api.ratelimit import current
from visiondesk.api.wire import ROUTE_NOT_CONFIGURED, NoAnswer

Sleep = Callable[[float], Awaitable[None]]

RETRIED_STATUSES = frozenset({408, 409, 429})
"""Besides 5xx: a request timeout, a lock conflict, a rate limit."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to try a request again; the app's own numbers."""

    attempts: int = 3
    """Tries in all, the first included."""
    first_backoff: float = 0.5
    """The ceiling of the first backoff; it doubles with each retry..."""
    max_backoff: float = 10.0
    """...up to this. The wait is drawn uniformly below the ceiling (full jitter)."""
    max_retry_after: float = 60.0
    """A Retry-After longer than this is not waited out: the person is told instead."""
    silent_retry_timeout: float = 20.0
    """After a wait for a first byte in vain, the one retry gets at most this long."""
    sleep: Sleep = field(default=asyncio.sleep, compare=False)
    """How a wait is slept (tests pass their own, to see each wait)."""
    jitter: Callable[[float, float], float] = field(default=random.uniform, compare=False)

    def backoff(self, retry: int) -> float:
        """The wait before retry number `retry` (1, 2, …) when the server named none."""
        ceiling = min(self.max_backoff, self.first_backoff * 2.0 ** (retry - 1))
        return self.jitter(0.0, ceiling)

    def rate_limit_wait(self, asked: float | None, retry: int) -> float | None:
        """The wait before a retry after a 429, or None when the server asked for too long."""
        if asked is not None and asked > self.max_retry_after:
            return None
        if asked is not None and asked > 0:
            return asked
        return self.backoff(retry)


ONCE = RetryPolicy(attempts=1)
_override: contextvars.ContextVar[RetryPolicy | None] = contextvars.ContextVar(
    "visiondesk_retry_override", default=None
)


@contextlib.contextmanager
def only_once() -> Iterator[None]:
    """Requests made in this block are not tried again (a probe wants the first answer)."""
    token = _override.set(ONCE)
    try:
        yield
    finally:
        _override.reset(token)


@dataclass
class _Tries:
    """One request's retry state."""

    policy: RetryPolicy
    first_byte: float | None
    silent: bool = False
    pause: float = 0.0
    rate_limited: bool = False


class RetryingTransport(httpx2.AsyncBaseTransport):
    """Sends each request, retrying as `policy` says. Once headers arrive, the body may take
    `stream_timeout` between chunks: a reasoning model can think for minutes before its first
    token."""

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        base_url: str,
        *,
        read_timeout: float,
        stream_timeout: float | None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._inner = inner
        self._base_url = base_url
        self._read_timeout = read_timeout
        self._stream_timeout = stream_timeout
        self.policy = policy or RetryPolicy()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        policy = _override.get() or self.policy
        timeouts = request.extensions.setdefault("timeout", {})
        tries = _Tries(policy, timeouts.get("read", self._read_timeout))

        def decide(state: RetryCallState) -> bool:
            assert state.outcome is not None
            tries.rate_limited = False
            pause = self._pause(tries, state.outcome.exception(), state)
            tries.pause = pause or 0.0
            return pause is not None

        async def sleep(seconds: float) -> None:
            listener = current.get() if tries.rate_limited else None
            if listener is not None:
                listener.waiting(seconds)  # told first, then slept: the countdown is the wait
            try:
                await policy.sleep(seconds)
            finally:
                if listener is not None:
                    listener.resumed()

        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.attempts),
            retry=decide,
            wait=lambda _: tries.pause,
            sleep=sleep,
            retry_error_callback=_last_outcome,
        )
        response: httpx2.Response = await retrying(self._attempt, request, tries)
        return response

    async def _attempt(self, request: httpx2.Request, tries: _Tries) -> httpx2.Response:
        timeouts = request.extensions["timeout"]
        first_byte = tries.first_byte
        if tries.silent and first_byte is not None:
            first_byte = min(tries.policy.silent_retry_timeout, first_byte)
        timeouts["read"] = first_byte
        try:
            response = await self._inner.handle_async_request(request)
        except httpx2.ReadTimeout:
            if tries.silent:
                raise NoAnswer(self._no_answer()) from None
            raise
        timeouts["read"] = self._stream_timeout  # read lazily by the body stream
        if response.status_code in RETRIED_STATUSES or response.status_code >= 500:
            await response.aread()  # small error bodies: what they say decides
        return response

    def _pause(
        self, tries: _Tries, error: BaseException | None, state: RetryCallState
    ) -> float | None:
        """The wait before the next try, or None for no retry."""
        policy = tries.policy
        retry = state.attempt_number
        if error is not None:
            if isinstance(error, httpx2.ReadTimeout):
                if tries.silent:
                    return None
                tries.silent = True
                return 0.0  # at once, with a shorter wait for the first byte
            if isinstance(error, httpx2.TransportError):
                return policy.backoff(retry)
            return None  # ours (NoAnswer), or a cancellation
        assert state.outcome is not None
        response: httpx2.Response = state.outcome.result()
        status = response.status_code
        if status == 429:
            if "insufficient_quota" in response.text:
                return None  # waiting does not refill an account
            wait = policy.rate_limit_wait(retry_after(response.headers), retry)
            tries.rate_limited = wait is not None
            return wait
        if status in RETRIED_STATUSES or (
            status >= 500 and not ROUTE_NOT_CONFIGURED.search(response.text)
        ):
            asked = retry_after(response.headers)
            if asked is not None and 0 < asked <= policy.max_retry_after:
                return asked
            return policy.backoff(retry)
        return None

    def _no_answer(self) -> str:
        return (
            f"No answer from {self._base_url}: it accepted the connection but sent nothing "
            f"back in {self._read_timeout:g} s, nor on a retry. Check the server and Retry."
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


def _last_outcome(state: RetryCallState) -> httpx2.Response:
    """Out of tries: the last answer goes to the SDK as it is (its error says what happened)."""
    assert state.outcome is not None
    response: httpx2.Response = state.outcome.result()  # raises the last error, if it was one
    return response
