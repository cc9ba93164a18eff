"""Read what a person pasted: a JSON body, an {"endpoint", "body"} envelope, or a curl
command with its headers, data flags and line continuations."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visiondesk.errors import VisionDeskError


class UnusableInput(VisionDeskError):
    """Not JSON, not a curl command with a JSON body: nothing to check."""


@dataclass(frozen=True, slots=True)
class Pasted:
    body: dict[str, Any]
    endpoint: str | None  # a URL or path when the input named one
    text: str  # the JSON the paths refer to (the body as pasted, or as read from curl)


_DATA_FLAGS = ("-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json")


def read(text: str, base: Path | None = None) -> Pasted:
    """Parse pasted input; `base` is where curl's `@file` names are looked up."""
    stripped = text.strip()
    if not stripped:
        raise UnusableInput("Nothing to check: the input is empty.")
    if stripped.startswith(("curl", "$ curl")):
        return _curl(stripped.removeprefix("$ "), base or Path.cwd())
    value = _json(stripped, "the input")
    if isinstance(value, dict) and isinstance(value.get("body"), dict) and "endpoint" in value:
        return Pasted(value["body"], str(value["endpoint"]), json.dumps(value["body"], indent=2))
    if not isinstance(value, dict):
        raise UnusableInput("The input is JSON but not an object: expected a request body.")
    return Pasted(value, None, stripped)


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInput(
            f"{what[0].upper()}{what[1:]} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}) and not a curl command."
        ) from None


def _curl(command: str, base: Path) -> Pasted:
    joined = command.replace("\\\r\n", " ").replace("\\\n", " ")
    try:
        words = shlex.split(joined)
    except ValueError as exc:
        raise UnusableInput(f"The curl command cannot be split into words ({exc}).") from None
    url: str | None = None
    data: str | None = None
    words = words[1:]
    index = 0
    while index < len(words):
        word = words[index]
        flag, _, attached = word.partition("=") if word.startswith("--") else (word, "", "")
        if flag in _DATA_FLAGS or (word.startswith("-d") and len(word) > 2):
            if word.startswith("-d") and len(word) > 2 and not word.startswith("--"):
                value = word[2:]
            elif attached:
                value = attached
            else:
                index += 1
                value = words[index] if index < len(words) else ""
            data = _data(value, flag, base)
        elif flag in ("-H", "--header", "-X", "--request", "-u", "--user", "-o", "--output"):
            index += 1
        elif flag == "--url":
            index += 1
            url = words[index] if index < len(words) else None
        elif not word.startswith("-"):
            url = word
        index += 1
    if data is None:
        raise UnusableInput("The curl command sends no body (-d/--data/--data-raw/--json).")
    body = _json(data, "the curl command's body")
    if not isinstance(body, dict):
        raise UnusableInput("The curl command's body is not a JSON object.")
    return Pasted(body, url, data)


def _data(value: str, flag: str, base: Path) -> str:
    if value.startswith("@") and flag != "--data-raw":
        name = value[1:]
        if name == "-":
            raise UnusableInput("The body is read from standard input (@-): paste it instead.")
        path = Path(name).expanduser()
        path = path if path.is_absolute() else base / path
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UnusableInput(f"Cannot read the body file {path}: {exc.strerror}.") from None
    return value
