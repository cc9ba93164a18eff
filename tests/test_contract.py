"""The request bodies VisionDesk builds validate against the official OpenAPI schemas
(../shared/openai-openapi.yaml) and against the SDK's own parameter types."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from tests import images
from visiondesk.api import assistants, chat, image_parts, responses
from visiondesk.domain import ApiMode, Detail, Exchange, PreparedImage, Question
from visiondesk.imaging import policy_for, prepare

SPEC = Path(os.environ.get("VISIONDESK_SHARED", Path(__file__).parents[2] / "shared")) / (
    "openai-openapi.yaml"
)


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is not here (it lives in ../shared beside the repository)")
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=loader)
    return _repaired(spec)


def _repaired(node: Any) -> Any:
    """Work around the file's two known defects (DESIGN.md): `nullable` without a `type`, and
    overlapping `oneOf` branches (validated as `anyOf`)."""
    if isinstance(node, dict):
        fixed = {}
        for key, value in node.items():
            if key == "nullable":
                continue
            fixed["anyOf" if key == "oneOf" else key] = _repaired(value)
        return fixed
    if isinstance(node, list):
        return [_repaired(item) for item in node]
    return node


def validate(schemas: dict[str, Any], name: str, body: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    root = {"components": schemas["components"], "$ref": f"#/components/schemas/{name}"}
    errors = sorted(Draft202012Validator(root).iter_errors(body), key=lambda e: e.path)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:5])


def sdk_validate(params_type: Any, body: dict[str, Any]) -> None:
    """Validate against the SDK's TypedDict; pydantic checks iterables lazily, so walk them."""
    adapter = TypeAdapter(params_type)  # must outlive the lazy iterators it returns
    _walk(adapter.validate_python(copy.deepcopy(body)))
    del adapter


def _walk(value: Any) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _walk(item)
    elif isinstance(value, list | tuple) or type(value).__name__ == "ValidatorIterator":
        for item in value:
            _walk(item)


@pytest.fixture(scope="module")
def turn() -> Question:
    photo = prepare(
        images.encode(images.photo(1600, 1200), "JPEG"), policy_for("chat", "gpt-4o", "high")
    )
    shot = prepare(
        images.encode(images.screenshot(900, 600), "PNG"), policy_for("chat", "gpt-4o", "low")
    )
    url = prepare("https://example.com/cat.png", policy_for("chat", "gpt-4o", "auto"))
    return Question("What differs?", (photo, shot, url), "gpt-4o", instructions="Be brief.")


def history(turn: Question) -> list[Exchange]:
    return [Exchange(Question("Earlier question", turn.images[:1], turn.model), "Earlier answer")]


def file_ids(turn: Question) -> dict[str, str]:
    return {image.sha256: f"file-{n}" for n, image in enumerate(turn.images) if not image.is_url}


def chat_bodies(turn: Question) -> Iterator[dict[str, Any]]:
    yield chat.build_request(turn, [])
    yield chat.build_request(turn, history(turn))


def responses_bodies(turn: Question) -> Iterator[dict[str, Any]]:
    yield responses.build_request(turn, history(turn), None)
    yield responses.build_request(turn, [], "resp_123")
    yield responses.build_request(turn, [], None, file_ids(turn))


def test_chat_bodies_match_the_spec_and_the_sdk(schemas: dict[str, Any], turn: Question) -> None:
    from openai.types.chat.completion_create_params import CompletionCreateParamsStreaming

    for body in chat_bodies(turn):
        validate(schemas, "CreateChatCompletionRequest", body)
        sdk_validate(CompletionCreateParamsStreaming, body)


def test_responses_bodies_match_the_spec_and_the_sdk(
    schemas: dict[str, Any], turn: Question
) -> None:
    from openai.types.responses.response_create_params import ResponseCreateParamsStreaming

    for body in responses_bodies(turn):
        validate(schemas, "CreateResponse", body)
        sdk_validate(ResponseCreateParamsStreaming, body)


def test_assistants_bodies_match_the_spec_and_the_sdk(
    schemas: dict[str, Any], turn: Question
) -> None:
    from openai.types.beta.thread_create_params import ThreadCreateParams
    from openai.types.beta.threads.message_create_params import MessageCreateParams

    # A new thread is created empty, then every message (history words, the turn) is added.
    messages = assistants.build_request(turn, history(turn), None, file_ids(turn))
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert assistants.build_request(turn, history(turn), "thread_1", file_ids(turn)) == [
        messages[-1]
    ]
    validate(schemas, "CreateThreadRequest", {})
    sdk_validate(ThreadCreateParams, {})
    for message in messages:
        validate(schemas, "CreateMessageRequest", message)
        sdk_validate(MessageCreateParams, message)
    validate(schemas, "CreateRunRequest", assistants.run_request("asst_1"))
    validate(schemas, "CreateAssistantRequest", assistants.assistant_request(turn))


def test_the_validator_catches_a_wrong_body(schemas: dict[str, Any], turn: Question) -> None:
    body = chat.build_request(turn, [])
    body["messages"][-1]["content"][1]["image_url"]["detail"] = "huge"
    with pytest.raises(AssertionError):
        validate(schemas, "CreateChatCompletionRequest", body)
    from openai.types.chat.completion_create_params import CompletionCreateParamsStreaming
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        sdk_validate(CompletionCreateParamsStreaming, body)
    data_url_body = {
        "messages": [{"role": "user", "content": [{"type": "image_file", "image_file": {}}]}]
    }
    with pytest.raises(AssertionError):
        validate(schemas, "CreateThreadRequest", data_url_body)


def test_assistants_never_carries_a_data_url(turn: Question) -> None:
    content = assistants.message_content(turn, file_ids(turn))
    assert "data:" not in repr(content)
    assert [part["type"] for part in content] == ["text", "image_file", "image_file", "image_url"]


def test_detail_original_becomes_high_for_assistants(turn: Question) -> None:
    image: PreparedImage = turn.images[0]
    from dataclasses import replace

    original = replace(image, detail=Detail.ORIGINAL)
    part = image_parts.assistants(original, "file-1")
    assert part["image_file"]["detail"] == "high"
    assert ApiMode.ASSISTANTS.value == "assistants"
