"""What travels on the wire before the SDK sees it: answers that are not the OpenAI API are
named at once, a silent server is given up on after one wait and one short retry, and a
gateway's "route not configured" 500 is not retried.

Both are plain httpx2 hooks on the SDK's own HTTP client (a transport and a response hook);
an `openai.OpenAIError` raised here reaches the caller as it is, without the SDK's retries.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2
import openai

API_TYPES = ("application/json", "text/event-stream")
"""What the OpenAI API answers with (file contents excepted)."""
ROUTE_NOT_CONFIGURED = re.compile(
    r"not (?:set|configured|enabled|supported|implemented)|no route|unsupported route|"
    r"unknown (?:route|endpoint)",
    re.IGNORECASE,
)
RETRY_READ_TIMEOUT = 20.0
"""The retry after a silent wait gets this long for its first byte: ≤ 60 + 20 s in all."""
CHECK_BASE_URL = "Check the base URL (it usually ends in /v1)."


class NotTheApi(openai.OpenAIError):
    """A response that is not what the OpenAI API returns (a web page, another format)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoAnswer(openai.OpenAIError):
    """The server sent nothing back (not even headers) twice in a row."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def kind_of(content_type: str) -> str:
    """How a person would call a body of this type."""
    bare = content_type.split(";", 1)[0].strip().lower()
    if bare in ("text/html", "application/xhtml+xml"):
        return f"a web page ({bare})"
    if not bare:
        return "a body without a content type"
    return f"{bare}"


def not_the_api(base_url: str, content_type: str) -> str:
    return f"{base_url} answered with {kind_of(content_type)}, not the OpenAI API. {CHECK_BASE_URL}"


def response_checker(base_url: str) -> Any:
    """A response hook: refuse bodies the API never sends; mark unconfigured routes final."""

    async def check(response: httpx2.Response) -> None:
        content_type = response.headers.get("content-type", "")
        bare = content_type.split(";", 1)[0].strip().lower()
        status = response.status_code
        if status >= 500:
            await response.aread()
            if ROUTE_NOT_CONFIGURED.search(response.text):
                # A gateway without this route: asking again gives the same answer.
                response.headers["x-should-retry"] = "false"
            return
        if bare in API_TYPES or "/content" in response.request.url.path:
            return
        if status < 300 or bare in ("text/html", "application/xhtml+xml"):
            await response.aclose()
            raise NotTheApi(not_the_api(base_url, content_type))

    return check


class PatientTransport(httpx2.AsyncBaseTransport):
    """One full wait for a first byte, then one short retry, then give up (the SDK alone waits
    its read timeout three times). Once headers arrived, the body may take `stream_timeout`
    between chunks: a reasoning model can think for minutes before its first token."""

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        base_url: str,
        *,
        read_timeout: float,
        stream_timeout: float | None,
    ) -> None:
        self._inner = inner
        self._base_url = base_url
        self._read_timeout = read_timeout
        self._stream_timeout = stream_timeout
        self._silent: dict[str, int] = {}

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        key = f"{request.method} {request.url}"
        if request.headers.get("x-stainless-retry-count", "0") == "0":
            self._silent.pop(key, None)  # a new request, not the SDK's retry of one
        silent = self._silent.get(key, 0)
        timeouts = request.extensions.setdefault("timeout", {})
        if silent >= 2:
            self._silent.pop(key, None)
            raise NoAnswer(self._no_answer())
        if silent == 1:
            timeouts["read"] = min(RETRY_READ_TIMEOUT, self._read_timeout)
        try:
            response = await self._inner.handle_async_request(request)
        except httpx2.ReadTimeout:
            self._silent[key] = silent + 1
            if silent + 1 >= 2:
                self._silent.pop(key, None)
                raise NoAnswer(self._no_answer()) from None
            raise
        self._silent.pop(key, None)
        timeouts["read"] = self._stream_timeout  # read lazily by the body stream
        return response

    def _no_answer(self) -> str:
        return (
            f"No answer from {self._base_url}: it accepted the connection but sent nothing "
            f"back in {self._read_timeout:g} s, nor on a retry. Check the server and Retry."
        )

    async def aclose(self) -> None:
        await self._inner.aclose()
