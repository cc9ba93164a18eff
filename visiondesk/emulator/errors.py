"""Error responses shaped like the real API's: {"error": {message, type, param, code}}."""

from __future__ import annotations

from typing import Any

from visiondesk.rules.catalog import Violation


class HttpError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


class BodyError(HttpError):
    """A request body refused while it was still arriving (too large, malformed): the server
    answers, reads the rest of the body away so the client sees the answer, and closes."""


def content_too_large(limit: int, read: int) -> BodyError:
    """The real API's 413 for an upload over its size limit (its words, seen on an oversized
    multipart upload: github.com/StanGirard/speechdigest/issues/1)."""
    return BodyError(
        413,
        f"Maximum content size limit ({limit}) exceeded ({read} bytes read)",
        type="server_error",
    )


def malformed_body(reason: str) -> BodyError:
    return BodyError(400, f"We could not parse the multipart body of your request: {reason}.")


def not_found(message: str, param: str | None = None) -> HttpError:
    return HttpError(404, message, param=param)


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> HttpError:
    return HttpError(400, message, param=param, code=code)


def rejected(problem: Violation) -> HttpError:
    """A broken rule (visiondesk.rules) as the API's error answer."""
    return HttpError(
        problem.status, problem.message, param=problem.path or None, code=problem.api_code
    )
