"""What travels on the wire before the SDK sees it: answers that are not the OpenAI API are
named at once (a response hook on the SDK's own HTTP client). The retries, and giving up on a
silent server, are api/retries.py's transport.

An `openai.OpenAIError` raised here reaches the caller as it is.
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
    """A response hook: refuse bodies the API never sends."""

    async def check(response: httpx2.Response) -> None:
        content_type = response.headers.get("content-type", "")
        bare = content_type.split(";", 1)[0].strip().lower()
        status = response.status_code
        if status >= 500:
            return  # an error the API may send in any type; api/errors.py words it
        if bare in API_TYPES or "/content" in response.request.url.path:
            return
        if status < 300 or bare in ("text/html", "application/xhtml+xml"):
            await response.aclose()
            raise NotTheApi(not_the_api(base_url, content_type))

    return check
