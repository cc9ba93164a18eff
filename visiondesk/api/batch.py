"""One question about one image as one request, sent live or as a Batch API line (API-FACTS §9).

The body is built by the same code as a chat turn, without `stream`, so a live request and a
batch line are the same bytes; the answer of either is read by the same parser.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from openai import AsyncOpenAI

from visiondesk.api import chat, responses
from visiondesk.api.errors import translate
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, BatchStatus, Question
from visiondesk.errors import ApiRejected, VisionDeskError

Endpoint = Literal["/v1/chat/completions", "/v1/responses"]
ENDPOINTS: dict[ApiMode, Endpoint] = {
    ApiMode.CHAT: "/v1/chat/completions",
    ApiMode.RESPONSES: "/v1/responses",
}
SCHEMA_NAME = "answer"
READY_TIMEOUT = 600.0
"""How long an uploaded batch file may take to be processed (large files take a while)."""


def request_body(
    mode: ApiMode, turn: Question, schema: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The body for one image's question; with a schema the answer must be JSON that fits it."""
    if mode is ApiMode.CHAT:
        body = chat.build_request(turn, ())
        body.pop("stream", None)
        body.pop("stream_options", None)
        if schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "schema": dict(schema)},
            }
        return body
    if mode is ApiMode.RESPONSES:
        body = responses.build_request(turn, (), None)
        body.pop("stream", None)
        body["store"] = False  # nothing continues from a batch answer
        if schema is not None:
            body["text"] = {
                "format": {"type": "json_schema", "name": SCHEMA_NAME, "schema": dict(schema)}
            }
        return body
    raise ValueError(f"batches run in Chat or Responses mode, not {mode.value}")


def batch_line(custom_id: str, mode: ApiMode, body: Mapping[str, Any]) -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": ENDPOINTS[mode], "body": dict(body)}


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    input_tokens: int
    output_tokens: int


def answer_from(mode: ApiMode, body: Mapping[str, Any]) -> Answer:
    """Read the answer text and usage from a Chat completion or a Response (as JSON)."""
    try:
        if mode is ApiMode.CHAT:
            message = body["choices"][0]["message"]
            if message.get("refusal"):
                raise ApiRejected(f"The model refused: {message['refusal']}")
            usage = body.get("usage") or {}
            return Answer(
                message.get("content") or "",
                int(usage.get("prompt_tokens", 0)),
                int(usage.get("completion_tokens", 0)),
            )
        status = body.get("status", "completed")
        if status != "completed":
            error = body.get("error") or body.get("incomplete_details") or {}
            reason = error.get("message") or error.get("reason") or status
            raise ApiRejected(f"The answer did not complete ({reason}).", retryable=True)
        texts = [
            part.get("text", "")
            for item in body.get("output") or []
            if item.get("type") == "message"
            for part in item.get("content") or []
            if part.get("type") == "output_text"
        ]
        usage = body.get("usage") or {}
        return Answer(
            "".join(texts), int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
        )
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        raise ApiRejected("The server's answer had an unexpected shape.") from None


def line_result(mode: ApiMode, line: Mapping[str, Any]) -> tuple[str, Answer | VisionDeskError]:
    """One line of a batch's output or error file: its custom_id and the answer or the error."""
    custom_id = str(line.get("custom_id", ""))
    response = line.get("response")
    error = line.get("error")
    if isinstance(error, dict):
        return custom_id, ApiRejected(
            f"{error.get('message') or 'failed'} ({error.get('code') or 'error'})",
            code=error.get("code"),
        )
    if not isinstance(response, dict):
        return custom_id, ApiRejected("The batch returned no response for this image.")
    body = response.get("body") or {}
    if response.get("status_code") != 200:
        detail = body.get("error") if isinstance(body, dict) else None
        message = detail.get("message") if isinstance(detail, dict) else None
        return custom_id, ApiRejected(
            f"The server refused this image's request ({response.get('status_code')}): "
            f"{message or 'no reason given'}"
        )
    try:
        return custom_id, answer_from(mode, body)
    except VisionDeskError as exc:
        return custom_id, exc


async def send_once(
    client: AsyncOpenAI,
    profile: Profile,
    mode: ApiMode,
    body: Mapping[str, Any],
    images: Mapping[str, str] | None = None,
) -> Answer:
    """Send one body live; raises a VisionDeskError (RateLimited carries Retry-After)."""
    what = "Chat Completions" if mode is ApiMode.CHAT else "the Responses API"
    try:
        if mode is ApiMode.CHAT:
            result: Any = await client.chat.completions.create(**body)
        else:
            result = await client.responses.create(**body)
    except Exception as exc:
        raise translate(exc, profile, what=what, images=images) from None
    return answer_from(mode, result.model_dump(mode="json"))


@dataclass(frozen=True, slots=True)
class RemoteBatch:
    """What the provider says about one batch."""

    id: str
    status: BatchStatus
    input_file_id: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    total: int = 0
    completed: int = 0
    failed: int = 0
    errors: tuple[str, ...] = ()


class BatchApi:
    """The Files and Batches calls a batch job makes; every failure is a VisionDeskError."""

    def __init__(self, client: AsyncOpenAI, profile: Profile) -> None:
        self._client = client
        self._profile = profile

    async def upload(self, path: Path, filename: str) -> str:
        try:
            with path.open("rb") as handle:
                created = await self._client.files.create(
                    file=(filename, handle, "application/jsonl"), purpose="batch"
                )
        except Exception as exc:
            raise translate(exc, self._profile, what="uploading a batch file") from None
        return created.id

    async def wait_processed(self, file_id: str, timeout: float = READY_TIMEOUT) -> None:
        """A batch can be made only from a processed file: poll its status (quickly at first)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        delay = 0.1
        while True:
            try:
                item = await self._client.files.retrieve(file_id)
            except Exception as exc:
                raise translate(exc, self._profile, what="checking a batch file") from None
            if item.status == "processed":
                return
            if item.status == "error":
                detail = getattr(item, "status_details", None) or "no reason given"
                raise ApiRejected(f"The server could not process the batch file: {detail}")
            if loop.time() > deadline:
                raise ApiRejected(
                    f"The batch file {file_id} was not processed within {timeout:.0f} s; "
                    "resume the job later.",
                    retryable=True,
                )
            await asyncio.sleep(delay)
            delay = min(2.0, delay * 1.5)

    async def find_upload(self, filename: str) -> str | None:
        """A batch file uploaded before a crash, before its id could be written down."""
        try:
            async for item in self._client.files.list(purpose="batch"):
                if item.filename == filename and item.status != "error":
                    return item.id
        except Exception as exc:
            raise translate(exc, self._profile, what="listing batch files") from None
        return None

    async def create(self, file_id: str, mode: ApiMode, metadata: dict[str, str]) -> RemoteBatch:
        try:
            batch = await self._client.batches.create(
                input_file_id=file_id,
                endpoint=ENDPOINTS[mode],
                completion_window="24h",
                metadata=metadata,
            )
        except Exception as exc:
            raise translate(exc, self._profile, what="creating a batch") from None
        return _remote(batch)

    async def find_batch(self, file_id: str) -> RemoteBatch | None:
        """The batch made from this input file, if one was created before a crash."""
        try:
            async for batch in self._client.batches.list(limit=100):
                if batch.input_file_id == file_id:
                    return _remote(batch)
        except Exception as exc:
            raise translate(exc, self._profile, what="listing batches") from None
        return None

    async def retrieve(self, batch_id: str) -> RemoteBatch:
        try:
            return _remote(await self._client.batches.retrieve(batch_id))
        except Exception as exc:
            raise translate(exc, self._profile, what="checking a batch") from None

    async def cancel(self, batch_id: str) -> RemoteBatch:
        try:
            return _remote(await self._client.batches.cancel(batch_id))
        except Exception as exc:
            raise translate(exc, self._profile, what="cancelling a batch") from None

    async def lines(self, file_id: str) -> list[dict[str, Any]]:
        """An output or error file, one JSON object a line."""
        try:
            content = await self._client.files.content(file_id)
        except Exception as exc:
            raise translate(exc, self._profile, what="downloading batch results") from None
        result: list[dict[str, Any]] = []
        for raw in content.content.splitlines():
            if raw.strip():
                try:
                    result.append(json.loads(raw))
                except ValueError:
                    continue
        return result

    async def delete_file(self, file_id: str) -> None:
        try:
            await self._client.files.delete(file_id)
        except Exception as exc:
            raise translate(exc, self._profile, what="deleting a batch file") from None


def _remote(batch: Any) -> RemoteBatch:
    counts = batch.request_counts
    errors = batch.errors.data if batch.errors is not None and batch.errors.data else []
    return RemoteBatch(
        batch.id,
        BatchStatus(batch.status),
        batch.input_file_id,
        batch.output_file_id,
        batch.error_file_id,
        counts.total if counts else 0,
        counts.completed if counts else 0,
        counts.failed if counts else 0,
        tuple(f"line {e.line}: {e.message}" if e.line else str(e.message) for e in errors),
    )
