"""What each API mode accepts in a message: part types, where images go, detail values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from visiondesk.domain import ApiMode


class PartKind(Enum):
    TEXT = "text"
    IMAGE = "image"
    FOREIGN_TEXT = "foreign text"  # another mode's text part
    FOREIGN_IMAGE = "foreign image"  # another mode's image part
    OTHER = "other"  # audio, files, refusals …: not the doctor's business


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    text_types: tuple[str, ...]
    image_types: tuple[str, ...]
    details: tuple[str, ...]
    image_shape: str  # how an image part looks, for fixes

    @property
    def part_types(self) -> tuple[str, ...]:
        return self.text_types + self.image_types


SHAPES: dict[ApiMode, Shape] = {
    ApiMode.CHAT: Shape(
        "Chat Completions",
        ("text",),
        ("image_url",),
        ("auto", "low", "high", "original"),
        '{"type": "image_url", "image_url": {"url": "…", "detail": "auto"}}',
    ),
    ApiMode.RESPONSES: Shape(
        "Responses",
        ("input_text", "output_text"),
        ("input_image",),
        ("auto", "low", "high", "original"),
        '{"type": "input_image", "image_url": "…", "detail": "auto"}',
    ),
    ApiMode.ASSISTANTS: Shape(
        "Assistants",
        ("text",),
        ("image_file", "image_url"),
        ("auto", "low", "high"),
        '{"type": "image_file", "image_file": {"file_id": "…"}} (or an https image_url)',
    ),
}

_TEXT_TYPES = {"text", "input_text", "output_text"}
_IMAGE_TYPES = {"image_url", "input_image", "image_file"}

FOREIGN_OWNER = {
    "text": "Chat Completions / Assistants",
    "input_text": "Responses",
    "output_text": "Responses",
    "image_url": "Chat Completions",
    "input_image": "Responses",
    "image_file": "Assistants",
}


def part_kind(mode: ApiMode, kind: object) -> PartKind:
    shape = SHAPES[mode]
    if kind in shape.text_types:
        return PartKind.TEXT
    if kind in shape.image_types:
        return PartKind.IMAGE
    if kind in _TEXT_TYPES:
        return PartKind.FOREIGN_TEXT
    if kind in _IMAGE_TYPES:
        return PartKind.FOREIGN_IMAGE
    return PartKind.OTHER
