"""Structured answers: a job with a JSON schema accepts only answers that are JSON fitting it."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError


def schema_problem(schema: dict[str, Any]) -> str | None:
    """Why a schema a person wrote cannot be used, or None."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return 'the schema must describe a JSON object ("type": "object")'
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return f"the schema is not valid JSON Schema: {exc.message}"
    return None


def answer_problem(schema: dict[str, Any], text: str) -> str | None:
    """Why an answer does not fit the schema, or None."""
    try:
        value = json.loads(text)
    except ValueError:
        return "the answer is not JSON"
    error = next(iter(Draft202012Validator(schema).iter_errors(value)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the answer"
    return f"the answer does not fit the schema at {where}: {error.message}"


def columns(schema: dict[str, Any] | None) -> list[str]:
    """CSV columns for the answer: the schema's top-level properties."""
    if not schema:
        return ["answer"]
    return [str(name) for name in (schema.get("properties") or {})]
