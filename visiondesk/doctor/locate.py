"""Where a JSON path ("messages[0].content[1].image_url.url") is in the text a person pasted,
so a window can select it."""

from __future__ import annotations

import json
import re

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def steps(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _STEP.findall(path)]


def span_of(text: str, path: str) -> tuple[int, int] | None:
    """The [start, end) of the value at `path` in the JSON `text`, or None."""
    wanted = steps(path)
    if not wanted:
        return None
    try:
        return _find(text, _skip(text, 0), wanted)
    except (ValueError, IndexError):
        return None


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _find(text: str, pos: int, wanted: list[str | int]) -> tuple[int, int] | None:
    if not wanted:
        return pos, _end(text, pos)
    step, rest = wanted[0], wanted[1:]
    opener = text[pos]
    if opener == "{" and isinstance(step, str):
        pos = _skip(text, pos + 1)
        while text[pos] != "}":
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip(text, _skip(text, pos) + 1)  # past the colon
            if key == step:
                return _find(text, pos, rest)
            pos = _skip(text, _end(text, pos))
            if text[pos] == ",":
                pos = _skip(text, pos + 1)
        return None
    if opener == "[" and isinstance(step, int):
        pos = _skip(text, pos + 1)
        index = 0
        while text[pos] != "]":
            if index == step:
                return _find(text, pos, rest)
            pos = _skip(text, _end(text, pos))
            if text[pos] == ",":
                pos = _skip(text, pos + 1)
            index += 1
    return None


def _end(text: str, pos: int) -> int:
    return _DECODER.raw_decode(text, pos)[1]
