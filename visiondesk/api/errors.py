"""SDK exceptions become VisionDesk errors whose messages say what to do next."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
import openai

from visiondesk.api.wire import CHECK_BASE_URL, ROUTE_NOT_CONFIGURED, NoAnswer, NotTheApi
from visiondesk.config.profiles import Profile
from visiondesk.errors import (
    ApiRejected,
    AuthError,
    ImageError,
    ModeUnsupported,
    NetworkError,
    RateLimited,
    UnexpectedAnswer,
    VisionDeskError,
)
from visiondesk.escaping import for_terminal

log = logging.getLogger(__name__)

IMAGE_ERROR_CODES = frozenset(
    {
        "invalid_image",
        "invalid_image_format",
        "invalid_base64_image",
        "invalid_image_url",
        "image_too_large",
        "image_too_small",
        "image_parse_error",
        "image_content_policy_violation",
        "invalid_image_mode",
        "image_file_too_large",
        "unsupported_image_media_type",
        "empty_image_file",
        "failed_to_download_image",
        "image_file_not_found",
    }
)


def translate(
    exc: BaseException,
    profile: Profile,
    *,
    what: str = "the request",
    images: Mapping[str, str] | None = None,
) -> VisionDeskError:
    """Map an SDK (or transport) exception to the error tree. `images` maps each image part's
    param path (`messages[0].content[1]`) to the image's name, so an image error names it."""
    images = images or {}
    if isinstance(exc, VisionDeskError):
        return exc
    if isinstance(exc, NotTheApi):
        return UnexpectedAnswer(exc.message)
    if isinstance(exc, NoAnswer):
        return NetworkError(exc.message)
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return NetworkError(
            f"{profile.base_url} did not answer in time ({what}); check the server and Retry."
        )
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        return NetworkError(unreachable(exc, profile))
    if isinstance(exc, openai.APIStatusError):
        return _from_status(exc, profile, what, images)
    if isinstance(exc, openai.APIError):  # an `error` event inside a stream
        return _stream_error(exc, images)
    # Below, what the server sent is quoted and the parser's or Python's own words go to the
    # log only: "Expecting property name…" or "'str' object has no attribute 'id'" tell the
    # person nothing they can act on.
    if isinstance(exc, json.JSONDecodeError):  # a body or a stream event that is not JSON
        log.info("not JSON during %s: %s", what, exc)
        return UnexpectedAnswer(
            f"{profile.base_url} sent a malformed answer during {what}: not JSON "
            f"(it began “{quote(exc.doc)}”), not the OpenAI API's format. Retry, or check the "
            "base URL and any proxy in between."
        )
    if isinstance(exc, AttributeError | TypeError | KeyError | ValueError):
        # The SDK builds its objects leniently: JSON of another shape fails when it is read.
        log.info("JSON of another shape during %s", what, exc_info=exc)
        return UnexpectedAnswer(
            f"{profile.base_url} answered {what} with JSON of a shape the OpenAI API never "
            f"sends (fields missing or of another kind). {CHECK_BASE_URL}"
        )
    log.warning("unexpected failure during %s", what, exc_info=exc)
    return ApiRejected(
        f"{profile.base_url} could not be used for {what}: something unexpected went wrong "
        "(the details are in the log: Help → Open log folder). Retry, or check the base URL."
    )


def quote(text: str, limit: int = 40) -> str:
    """A short quote of what a server sent, on one line, without control characters."""
    flat = " ".join(for_terminal(text[: limit * 4]).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def unreachable(exc: BaseException, profile: Profile) -> str:
    """Why the server cannot be reached, in plain words (the errno text stays in the log)."""
    host = httpx2.URL(profile.base_url).host or profile.base_url
    local = host in ("127.0.0.1", "localhost", "::1") or host.endswith(".local")
    causes: list[str] = []
    cause: BaseException | None = exc
    while cause is not None and len(causes) < 8:
        causes.append(f"{type(cause).__name__} {cause}".lower())
        cause = cause.__cause__ or cause.__context__
    text = " ".join(causes)
    if (
        "name or service not known" in text
        or "nodename nor servname" in text
        or ("getaddrinfo" in text or "temporary failure in name resolution" in text)
    ):
        if local:
            return f"Can't find {host} — check the base URL in Settings."
        return f"Can't reach {host} — check your connection."
    if "refused" in text:
        if local:
            return f"Nothing is answering at {profile.base_url} — is the server running?"
        return f"{host} refused the connection — check the base URL and any proxy."
    if "certificate" in text or "ssl" in text:
        return f"Can't make a secure connection to {host} — check the certificate or proxy."
    if local:
        return f"Can't reach {profile.base_url} — is the server running?"
    return f"Can't reach {host} — check your connection."


def _from_status(
    exc: openai.APIStatusError, profile: Profile, what: str, images: Mapping[str, str]
) -> VisionDeskError:
    message = _server_message(exc)
    status = exc.status_code
    code = _code(exc)
    if status == 401:
        return AuthError(
            f"The server rejected the API key of profile '{profile.name}' "
            f"({profile.base_url}). Check the key in Settings. Server said: {message}"
        )
    if status == 403:
        return AuthError(
            f"Profile '{profile.name}' is not allowed to do this ({what}). Server said: {message}"
        )
    if status == 429:
        if code == "insufficient_quota":
            return ApiRejected(
                f"The account behind profile '{profile.name}' has run out of quota. "
                "Check its plan and billing. Server said: " + message,
                code=code,
            )
        wait = retry_after(exc.response.headers)
        hint = f"Try again in {_seconds(wait)}." if wait is not None else "Wait a moment and Retry."
        return RateLimited(f"Rate limited by {profile.base_url} (after retries). {hint}", wait)
    if status == 404 and code is None and _is_missing_endpoint(message):
        return ModeUnsupported(f"{profile.base_url} does not implement {what} (404).")
    if status >= 500 and ROUTE_NOT_CONFIGURED.search(message):
        return ApiRejected(
            f"{profile.base_url} has no route for {what} configured (it answered {status}: "
            f"{message}). Choose another API mode or configure the server.",
            code=code,
        )
    if status >= 500:
        return ApiRejected(
            f"The server had an internal error ({status}) during {what}, even after retries. "
            f"Retry in a moment. Server said: {message}",
            retryable=True,
            code=code,
        )
    if code in IMAGE_ERROR_CODES or _mentions_image(message):
        culprit = _culprit(exc, images)
        return ImageError(culprit, f"was refused by the server ({code or status}): {message}")
    if status == 413:
        return ApiRejected(
            f"The request is too large for {profile.base_url} (413). Send fewer or smaller "
            "images, or lower the detail.",
            code=code,
        )
    return ApiRejected(f"The server refused {what} ({status}): {message}", code=code)


def _stream_error(exc: openai.APIError, images: Mapping[str, str]) -> VisionDeskError:
    code = exc.code if isinstance(exc.code, str) else None
    if code in IMAGE_ERROR_CODES:
        return ImageError(
            _culprit(exc, images), f"was refused by the server ({code}): {exc.message}"
        )
    if code == "rate_limit_exceeded":
        return RateLimited(f"Rate limited while answering: {exc.message}")
    return ApiRejected(f"The server stopped the answer: {exc.message}", retryable=True, code=code)


def _server_message(exc: openai.APIStatusError) -> str:
    body: Any = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
    return exc.message


def _code(exc: openai.APIError) -> str | None:
    return exc.code if isinstance(exc.code, str) else None


def _is_missing_endpoint(message: str) -> bool:
    lowered = message.lower()
    return any(
        phrase in lowered for phrase in ("not found", "unknown url", "no route", "invalid url")
    ) and not lowered.startswith("no file")


def _mentions_image(message: str) -> bool:
    lowered = message.lower()
    return "image" in lowered and any(
        word in lowered for word in ("invalid", "unsupported", "could not", "failed", "decode")
    )


def _culprit(exc: openai.APIError, images: Mapping[str, str]) -> str:
    """Name the image the server refused: the part its `param` points at, or the only one."""
    param = exc.param if isinstance(exc.param, str) else ""
    for path, name in sorted(images.items(), key=lambda item: -len(item[0])):
        if param == path or param.startswith((path + ".", path + "[")):
            return name
    if len(set(images.values())) == 1:
        return next(iter(images.values()))
    return "an image in this message" if images else "the request"


def retry_after(headers: Any) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, or Retry-After seconds/date)."""
    try:
        milliseconds = headers.get("retry-after-ms")
        if milliseconds is not None:
            return float(milliseconds) / 1000
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _seconds(value: float) -> str:
    if value < 90:
        return f"{max(1, round(value))} s"
    return f"{round(value / 60)} min"
