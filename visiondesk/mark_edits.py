"""Editing marks as values (no Qt, no Pillow): finding the mark under a point, moving and
resizing one, and an undo history. The mark-up editor holds one `MarkHistory` while it is open
and hands the workspace only the final `Marks`."""

from __future__ import annotations

import math
from dataclasses import replace

from visiondesk.marks import (
    Arrow,
    Callout,
    Ellipse,
    Mark,
    Marks,
    Pen,
    Point,
    Rectangle,
    Redact,
    Text,
)


def bounds(mark: Mark) -> tuple[int, int, int, int]:
    """left, top, right, bottom around the mark (original pixels)."""
    if isinstance(mark, Rectangle | Ellipse | Redact):
        left, top, right, bottom = mark.box
        return min(left, right), min(top, bottom), max(left, right), max(top, bottom)
    if isinstance(mark, Arrow):
        points: tuple[Point, ...] = (mark.start, mark.end)
    elif isinstance(mark, Pen):
        points = mark.points
    elif isinstance(mark, Callout):
        r = mark.width * 4
        x, y = mark.point
        return x - r, y - r, x + r, y + r
    else:
        x, y = mark.point
        return x, y, x + max(1, len(mark.text)) * mark.width * 3, y + mark.width * 5
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def hit(marks: Marks, point: Point, tolerance: float) -> int | None:
    """The index of the topmost mark at `point` (within `tolerance` px of a stroke), or None."""
    for index in range(len(marks.items) - 1, -1, -1):
        if _near(marks.items[index], point, tolerance):
            return index
    return None


def _near(mark: Mark, point: Point, tolerance: float) -> bool:
    x, y = point
    if isinstance(mark, Arrow):
        return _to_segment(point, mark.start, mark.end) <= tolerance + mark.width
    if isinstance(mark, Pen):
        pairs = zip(mark.points, mark.points[1:] or mark.points, strict=False)
        return any(_to_segment(point, a, b) <= tolerance + mark.width for a, b in pairs)
    left, top, right, bottom = bounds(mark)
    return left - tolerance <= x <= right + tolerance and top - tolerance <= y <= bottom + tolerance


def _to_segment(p: Point, a: Point, b: Point) -> float:
    ax, ay, bx, by = a[0], a[1], b[0], b[1]
    length = (bx - ax) ** 2 + (by - ay) ** 2
    t = (
        0.0
        if length == 0
        else max(0.0, min(1.0, ((p[0] - ax) * (bx - ax) + (p[1] - ay) * (by - ay)) / length))
    )
    return math.hypot(p[0] - (ax + t * (bx - ax)), p[1] - (ay + t * (by - ay)))


def moved(mark: Mark, dx: int, dy: int) -> Mark:
    """The mark shifted by (dx, dy)."""
    if isinstance(mark, Rectangle | Ellipse | Redact):
        left, top, right, bottom = mark.box
        return replace(mark, box=(left + dx, top + dy, right + dx, bottom + dy))
    if isinstance(mark, Arrow):
        return replace(mark, start=_at(mark.start, dx, dy), end=_at(mark.end, dx, dy))
    if isinstance(mark, Pen):
        return replace(mark, points=tuple(_at(p, dx, dy) for p in mark.points))
    if isinstance(mark, Callout | Text):
        return replace(mark, point=_at(mark.point, dx, dy))
    raise TypeError(mark)


def resized(mark: Mark, dx: int, dy: int) -> Mark:
    """The mark grown (or shrunk) at its right and bottom; an arrow's head moves. Never
    smaller than 1 px; marks without a size (callout, text, pen) grow their width instead."""
    if isinstance(mark, Rectangle | Ellipse | Redact):
        left, top, right, bottom = mark.box
        return replace(mark, box=(left, top, max(left + 1, right + dx), max(top + 1, bottom + dy)))
    if isinstance(mark, Arrow):
        return replace(mark, end=_at(mark.end, dx, dy))
    if isinstance(mark, Callout | Text | Pen):
        return replace(mark, width=max(1, mark.width + (dx or dy)))
    raise TypeError(mark)


def next_callout(marks: Marks) -> int:
    return max((m.number for m in marks.items if isinstance(m, Callout)), default=0) + 1


def _at(point: Point, dx: int, dy: int) -> Point:
    return point[0] + dx, point[1] + dy


class MarkHistory:
    """The editor's marks with undo and redo: every edit is a new `Marks`, kept in order."""

    def __init__(self, marks: Marks) -> None:
        self._states = [marks]
        self._at = 0

    @property
    def marks(self) -> Marks:
        return self._states[self._at]

    @property
    def can_undo(self) -> bool:
        return self._at > 0

    @property
    def can_redo(self) -> bool:
        return self._at < len(self._states) - 1

    def push(self, marks: Marks) -> None:
        """A new state (the redo branch is dropped); the same marks again change nothing."""
        if marks == self.marks:
            return
        del self._states[self._at + 1 :]
        self._states.append(marks)
        self._at += 1

    def amend(self, marks: Marks) -> None:
        """Replace the newest state (a drag that goes on: one undo step for the whole drag)."""
        del self._states[self._at + 1 :]
        self._states[self._at] = marks

    def undo(self) -> Marks:
        self._at = max(0, self._at - 1)
        return self.marks

    def redo(self) -> Marks:
        self._at = min(len(self._states) - 1, self._at + 1)
        return self.marks

    def replace_at(self, index: int, mark: Mark) -> None:
        items = list(self.marks.items)
        items[index] = mark
        self.push(Marks(tuple(items)))

    def remove_at(self, index: int) -> None:
        items = list(self.marks.items)
        del items[index]
        self.push(Marks(tuple(items)))

    def add(self, mark: Mark) -> None:
        self.push(Marks((*self.marks.items, mark)))
