"""Read what a person pasted: a JSON body, an {"endpoint", "body"} envelope, or a curl
command with its headers, data flags and line continuations. Everything pasted may be
hostile: it is bounded in size and depth, and `@file` reads only regular files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visiondesk.doctor import bounded
from visiondesk.doctor.bounded import UnusableInput
from visiondesk.doctor.words import split_words

__all__ = ["LocalFile", "Pasted", "UnusableInput", "read"]


@dataclass(frozen=True, slots=True)
class Pasted:
    body: dict[str, Any]
    endpoint: str | None  # a URL or path when the input named one
    text: str  # the JSON the paths refer to (the body as pasted, or as read from curl)
    local_files: tuple[LocalFile, ...] = ()  # what a curl command's @file made the doctor read


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file on this computer that a pasted curl command's `@file` made the doctor read."""

    path: Path
    size: int  # bytes read


_DATA_FLAGS = ("-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json")


def read(text: str, base: Path | None = None) -> Pasted:
    """Parse pasted input; `base` is where curl's `@file` names are looked up."""
    bounded.check_length(text, "The input")
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
    named = f"{what[0].upper()}{what[1:]}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInput(
            f"{named} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}) and not a curl command."
        ) from None
    except RecursionError:  # the parser's own stack ran out: thousands of levels
        raise bounded.too_deep(named) from None
    if bounded.depth_of(value) > bounded.MAX_DEPTH:
        raise bounded.too_deep(named)
    return value


def _curl(command: str, base: Path) -> Pasted:
    joined = command.replace("\\\r\n", " ").replace("\\\n", " ")
    try:
        words = split_words(joined)
    except ValueError as exc:
        raise UnusableInput(f"The curl command cannot be split into words ({exc}).") from None
    url: str | None = None
    data: str | None = None
    read: Path | None = None  # where the body was read from, when the last data flag was @file
    files: list[LocalFile] = []
    used = 0  # bytes read from files: all of them together stay under the limit
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
            data, read = _data(value, flag, base, bounded.MAX_INPUT_BYTES - used)
            if read is not None:
                files.append(LocalFile(read, len(data.encode())))
                used += files[-1].size
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
    what = f"the body read from the local file {read}" if read else "the curl command's body"
    body = _json(data, what)
    if not isinstance(body, dict):
        raise UnusableInput(f"{what[0].upper()}{what[1:]} is not a JSON object.")
    return Pasted(body, url, data, tuple(files))


def _data(value: str, flag: str, base: Path, budget: int) -> tuple[str, Path | None]:
    """The body a data flag gives, and the local file it was read from (`@file`)."""
    if value.startswith("@") and flag != "--data-raw":
        name = value[1:]
        if name == "-":
            raise UnusableInput("The body is read from standard input (@-): paste it instead.")
        path = Path(name).expanduser()
        path = path if path.is_absolute() else base / path
        return bounded.read_file(path, "The curl command's body file", limit=budget), path
    return value, None
