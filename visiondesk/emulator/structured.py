"""Structured answers: with a json_schema response format the emulator answers JSON that fits
the schema, filled with what it decoded from the images (so tests still see the sizes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from visiondesk.emulator.vision import ImageFacts


def requested_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of Chat's `response_format` or Responses' `text.format`, if json_schema."""
    chat = body.get("response_format")
    if isinstance(chat, dict) and chat.get("type") == "json_schema":
        schema = (chat.get("json_schema") or {}).get("schema")
        return schema if isinstance(schema, dict) else None
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = fmt.get("schema")
        return schema if isinstance(schema, dict) else None
    return None


def answer(schema: dict[str, Any], images: Sequence[ImageFacts]) -> str:
    return json.dumps(_value(schema, "", images), ensure_ascii=False)


def _value(schema: dict[str, Any], name: str, images: Sequence[ImageFacts]) -> Any:
    first = images[0] if images else None
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties") or {}
        return {key: _value(sub, key, images) for key, sub in properties.items()}
    if kind == "array":
        return [_value(schema.get("items") or {"type": "string"}, name, images)]
    if kind in ("integer", "number"):
        lowered = name.lower()
        if first is not None and "width" in lowered:
            return first.width or 0
        if first is not None and "height" in lowered:
            return first.height or 0
        if "token" in lowered:
            return sum(f.tokens for f in images)
        return len(images)
    if kind == "boolean":
        return bool(images)
    if kind == "null":
        return None
    if first is None:
        return "no image"
    size = f"{first.width}×{first.height}" if first.width else "not downloaded"
    return f"{size} {first.mime or 'URL'}, detail {first.detail}"
