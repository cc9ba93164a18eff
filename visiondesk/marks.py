"""Mark-up and redaction as values: what a person drew on an image, hashable and saved as JSON.

Every coordinate is in pixels of the upright original: after EXIF orientation, before any crop
or shrink, so a mark stays put when the crop or the model changes. Drawing them onto pixels is
`visiondesk.imaging.marks` (Pillow); these values load without it, for the window's first paint
and the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Colour = tuple[int, int, int]
Point = tuple[int, int]
Box = tuple[int, int, int, int]
"""left, top, right, bottom (right and bottom exclusive), like a crop."""
Size = tuple[int, int]

MARK_RED: Colour = (230, 30, 30)
BLACK: Colour = (0, 0, 0)
MIN_SENT_WIDTH = 2
"""A stroke is never thinner than this in the image the model gets."""


class RedactKind(StrEnum):
    """How a redaction replaces its pixels."""

    SOLID = "solid"
    PIXELATE = "pixelate"
    BLUR = "blur"
    """Can be partly reversed for text (deconvolution, or matching candidate strings
    blurred alike): only SOLID is safe for text."""


@dataclass(frozen=True, slots=True)
class Arrow:
    start: Point
    end: Point
    colour: Colour = MARK_RED
    width: int = 4


@dataclass(frozen=True, slots=True)
class Rectangle:
    box: Box
    colour: Colour = MARK_RED
    width: int = 4


@dataclass(frozen=True, slots=True)
class Ellipse:
    box: Box
    colour: Colour = MARK_RED
    width: int = 4


@dataclass(frozen=True, slots=True)
class Pen:
    points: tuple[Point, ...]
    colour: Colour = MARK_RED
    width: int = 4


@dataclass(frozen=True, slots=True)
class Callout:
    """A filled disc with a number in it, centred on `point`."""

    number: int
    point: Point
    colour: Colour = MARK_RED
    width: int = 4
    """The disc's radius is 4× this (after the minimum-width rule)."""


@dataclass(frozen=True, slots=True)
class Text:
    point: Point
    text: str
    colour: Colour = MARK_RED
    width: int = 4
    """The letters' height is 5× this (after the minimum-width rule)."""


@dataclass(frozen=True, slots=True)
class Redact:
    box: Box
    kind: RedactKind = RedactKind.SOLID
    colour: Colour = BLACK
    """The fill of SOLID; unused by PIXELATE and BLUR."""


Drawing = Arrow | Rectangle | Ellipse | Pen | Callout | Text
Mark = Drawing | Redact


@dataclass(frozen=True, slots=True)
class Marks:
    """An attachment's marks, in the order drawn (hashable: part of the prepared-image key)."""

    items: tuple[Mark, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def redactions(self) -> tuple[Redact, ...]:
        return tuple(m for m in self.items if isinstance(m, Redact))

    @property
    def drawings(self) -> tuple[Drawing, ...]:
        return tuple(m for m in self.items if not isinstance(m, Redact))


NO_MARKS = Marks()
"""The unmarked image (a shared default: Marks is immutable)."""

_KINDS: dict[str, type[Mark]] = {
    "arrow": Arrow,
    "rectangle": Rectangle,
    "ellipse": Ellipse,
    "pen": Pen,
    "callout": Callout,
    "text": Text,
    "redact": Redact,
}
_NAMES = {kind: name for name, kind in _KINDS.items()}
MAX_MARKS = 1000
"""More marks than this in saved JSON is not something VisionDesk wrote: refused."""


class MarksFormatError(ValueError):
    """Saved marks that are not what VisionDesk writes."""


def to_json(marks: Marks) -> str:
    """The marks as JSON (a list of objects with a "kind"), for the store."""
    return json.dumps([_mark_dict(mark) for mark in marks.items], separators=(",", ":"))


def from_json(text: str | None) -> Marks:
    """Marks saved by `to_json`; raises MarksFormatError on anything else."""
    if not text:
        return Marks()
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise MarksFormatError(f"marks are not JSON: {error}") from None
    if not isinstance(raw, list) or len(raw) > MAX_MARKS:
        raise MarksFormatError("marks are not a list of at most 1000 marks")
    return Marks(tuple(_mark(item) for item in raw))


def _mark_dict(mark: Mark) -> dict[str, Any]:
    fields: dict[str, Any] = {"kind": _NAMES[type(mark)]}
    for name in mark.__slots__:
        value = getattr(mark, name)
        fields[name] = value.value if isinstance(value, RedactKind) else value
    return fields


def _mark(item: object) -> Mark:
    if not isinstance(item, dict) or item.get("kind") not in _KINDS:
        raise MarksFormatError(f"not a mark: {str(item)[:80]}")
    kind = _KINDS[item["kind"]]
    fields = {name: item[name] for name in kind.__slots__ if name in item}
    try:
        for name, value in fields.items():
            fields[name] = _value(name, value)
        return kind(**fields)
    except (TypeError, ValueError) as error:
        raise MarksFormatError(f"not a mark: {error}") from None


def _value(name: str, value: object) -> object:
    """JSON's lists back to the tuples the values hold, every number checked to be an int."""
    if name == "kind":
        return RedactKind(str(value))
    if name == "text":
        if not isinstance(value, str) or len(value) > 500:
            raise ValueError("a text mark holds at most 500 characters")
        return value
    if name == "points":
        if not isinstance(value, list) or len(value) > 10_000:
            raise ValueError("a pen holds at most 10,000 points")
        return tuple(_ints(point, 2) for point in value)
    if name in ("start", "end", "point"):
        return _ints(value, 2)
    if name in ("box",):
        return _ints(value, 4)
    if name == "colour":
        return _ints(value, 3)
    return _ints([value], 1)[0]


def _ints(value: object, count: int) -> tuple[int, ...]:
    if (
        not isinstance(value, list | tuple)
        or len(value) != count
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not all(abs(v) <= 1_000_000 for v in value)
    ):
        raise ValueError(f"expected {count} whole numbers, got {str(value)[:40]}")
    return tuple(value)


def legend(marks: Marks, question: str = "") -> str:
    """The line that names the numbered callouts for the model ("1 = …, 2 = …"), leaving out
    the numbers `question` already explains ("2 = the total"); empty when none is left."""
    numbers = sorted({m.number for m in marks.items if isinstance(m, Callout)})
    missing = [n for n in numbers if f"{n} =" not in question and f"{n}=" not in question]
    return ", ".join(f"{n} = …" for n in missing)
