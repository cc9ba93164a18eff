"""Batch bodies and JSONL lines validate against the official OpenAPI schemas
(../shared/openai-openapi.yaml) and the SDK's parameter types; the line is the live body."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import images
from tests.test_contract import schemas, sdk_validate, validate
from visiondesk.api.batch import ENDPOINTS, batch_line, request_body
from visiondesk.domain import ApiMode, Question
from visiondesk.imaging import policy_for, prepare

__all__ = ["schemas"]  # the module-scoped fixture, shared with test_contract

SCHEMA = {
    "type": "object",
    "properties": {"alt_text": {"type": "string"}, "people": {"type": "integer"}},
    "required": ["alt_text", "people"],
    "additionalProperties": False,
}


def turn(mode: ApiMode) -> Question:
    image = prepare(
        images.encode(images.photo(800, 600), "JPEG"), policy_for(mode, "gpt-4o", "low")
    )
    return Question("Write alt text.", (image,), "gpt-4o", "Be brief.")


@pytest.mark.parametrize("schema", [None, SCHEMA])
def test_chat_batch_lines_match_the_spec_and_the_sdk(
    schemas: dict[str, Any], schema: dict[str, Any] | None
) -> None:
    from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming

    body = request_body(ApiMode.CHAT, turn(ApiMode.CHAT), schema)
    assert "stream" not in body and "stream_options" not in body
    line = json.loads(json.dumps(batch_line("item-1", ApiMode.CHAT, body)))
    assert line["url"] == "/v1/chat/completions" and line["method"] == "POST"
    validate(schemas, "CreateChatCompletionRequest", line["body"])
    sdk_validate(CompletionCreateParamsNonStreaming, line["body"])


@pytest.mark.parametrize("schema", [None, SCHEMA])
def test_responses_batch_lines_match_the_spec_and_the_sdk(
    schemas: dict[str, Any], schema: dict[str, Any] | None
) -> None:
    from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming

    body = request_body(ApiMode.RESPONSES, turn(ApiMode.RESPONSES), schema)
    assert "stream" not in body
    line = json.loads(json.dumps(batch_line("item-1", ApiMode.RESPONSES, body)))
    validate(schemas, "CreateResponse", line["body"])
    sdk_validate(ResponseCreateParamsNonStreaming, line["body"])


@pytest.mark.parametrize("mode", [ApiMode.CHAT, ApiMode.RESPONSES])
def test_create_batch_requests_match_the_spec_and_the_sdk(
    schemas: dict[str, Any], mode: ApiMode
) -> None:
    from openai.types.batch_create_params import BatchCreateParams

    request = {
        "input_file_id": "file-1",
        "endpoint": ENDPOINTS[mode],
        "completion_window": "24h",
        "metadata": {"visiondesk_job": "1", "part": "1"},
    }
    validate(schemas, "CreateBatchRequest", request)
    sdk_validate(BatchCreateParams, request)


def test_the_emulators_batch_object_matches_the_spec(schemas: dict[str, Any]) -> None:
    from visiondesk.emulator import Emulator

    with Emulator() as emulator:
        import httpx2

        line = batch_line("item-1", ApiMode.CHAT, request_body(ApiMode.CHAT, turn(ApiMode.CHAT)))
        data = (json.dumps(line) + "\n").encode()
        with httpx2.Client(base_url=emulator.base_url) as client:
            uploaded = client.post(
                "/files", files={"file": ("in.jsonl", data)}, data={"purpose": "batch"}
            ).json()
            batch = client.post(
                "/batches",
                json={
                    "input_file_id": uploaded["id"],
                    "endpoint": "/v1/chat/completions",
                    "completion_window": "24h",
                },
            ).json()
            check_batch(schemas, batch)
            done = client.get(f"/batches/{batch['id']}").json()
            check_batch(schemas, done)
            assert done["status"] == "completed" and done["request_counts"]["completed"] == 1
            listed = client.get("/batches").json()
            assert [b["id"] for b in listed["data"]] == [batch["id"]]
            validate(schemas, "ListBatchesResponse", {**listed, "data": [set_only(done)]})


def set_only(batch: dict[str, Any]) -> dict[str, Any]:
    """The spec's own example has nulls where its schema (without `nullable`) wants values:
    validate the fields that are set."""
    return {key: value for key, value in batch.items() if value is not None}


def check_batch(schemas: dict[str, Any], batch: dict[str, Any]) -> None:
    from openai.types import Batch

    validate(schemas, "Batch", set_only(batch))
    Batch.model_validate(batch)
