"""Editing marks as values: find the mark under a point, move, resize, delete, renumber, and an
undo/redo history. Qt-free, so the editor's rules are tested without a window.

Coordinates are those of `imaging.marks`: pixels of the upright original.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from visiondesk.imaging.marks import (
    Arrow,
    Box,
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


def bounds(mark: Mark) -> Box:
    """The box a mark covers (left, top, right, bottom), normalised."""
    if isinstance(mark, Rectangle | Ellipse | Redact):
        left, top, right, bottom = mark.box
    elif isinstance(mark, Arrow):
        (left, top), (right, bottom) = mark.start, mark.end
    elif isinstance(mark, Pen):
        xs = [p[0] for p in mark.points]
        ys = [p[1] for p in mark.points]
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    elif isinstance(mark, Callout):
        radius = mark.width * 4
        x, y = mark.point
        left, top, right, bottom = x - radius, y - radius, x + radius, y + radius
    else:
        height = mark.width * 5
        x, y = mark.point
        left, top, right, bottom = x, y, x + max(1, len(mark.text)) * height * 3 // 5, y + height
    return (min(left, right), min(top, bottom), max(left, right), max(top, bottom))


def _segment_distance(point: Point, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length = dx * dx + dy * dy
    t = (
        0.0
        if length == 0
        else max(0.0, min(1.0, ((point[0] - ax) * dx + (point[1] - ay) * dy) / length))
    )
    return math.hypot(point[0] - (ax + t * dx), point[1] - (ay + t * dy))


def hits(mark: Mark, point: Point, tolerance: int = 6) -> bool:
    """Whether `point` is on `mark`: on a stroke (within tolerance) or inside a filled shape."""
    reach = tolerance + getattr(mark, "width", 0) / 2
    if isinstance(mark, Arrow):
        return _segment_distance(point, mark.start, mark.end) <= reach
    if isinstance(mark, Pen):
        pairs = list(zip(mark.points, mark.points[1:], strict=False)) or [(mark.points[0],) * 2]
        return any(_segment_distance(point, a, b) <= reach for a, b in pairs)
    left, top, right, bottom = bounds(mark)
    x, y = point
    inside = left - reach <= x <= right + reach and top - reach <= y <= bottom + reach
    if not inside or isinstance(mark, Redact | Callout | Text):
        return inside
    if isinstance(mark, Rectangle):
        return min(abs(x - left), abs(x - right), abs(y - top), abs(y - bottom)) <= reach
    rx, ry = max(1, (right - left) / 2), max(1, (bottom - top) / 2)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    radial = math.hypot((x - cx) / rx, (y - cy) / ry)
    return abs(radial - 1) * min(rx, ry) <= reach


def mark_at(marks: Marks, point: Point, tolerance: int = 6) -> int | None:
    """The index of the topmost mark under `point`, or None."""
    for index in range(len(marks.items) - 1, -1, -1):
        if hits(marks.items[index], point, tolerance):
            return index
    return None


def moved(mark: Mark, dx: int, dy: int) -> Mark:
    """`mark` shifted by (dx, dy) original pixels."""
    if isinstance(mark, Rectangle | Ellipse | Redact):
        left, top, right, bottom = mark.box
        return replace(mark, box=(left + dx, top + dy, right + dx, bottom + dy))
    if isinstance(mark, Arrow):
        return replace(
            mark,
            start=(mark.start[0] + dx, mark.start[1] + dy),
            end=(mark.end[0] + dx, mark.end[1] + dy),
        )
    if isinstance(mark, Pen):
        return replace(mark, points=tuple((x + dx, y + dy) for x, y in mark.points))
    return replace(mark, point=(mark.point[0] + dx, mark.point[1] + dy))


def resized(mark: Mark, dx: int, dy: int) -> Mark:
    """`mark` grown (or shrunk) at its right-bottom by (dx, dy); an arrow moves its end point.
    A box never shrinks below 1 px; marks without a size (pen, callout, text) are unchanged."""
    if isinstance(mark, Rectangle | Ellipse | Redact):
        left, top, right, bottom = mark.box
        return replace(mark, box=(left, top, max(left + 1, right + dx), max(top + 1, bottom + dy)))
    if isinstance(mark, Arrow):
        return replace(mark, end=(mark.end[0] + dx, mark.end[1] + dy))
    return mark


def with_replaced(marks: Marks, index: int, mark: Mark) -> Marks:
    items = list(marks.items)
    items[index] = mark
    return Marks(tuple(items))


def without(marks: Marks, index: int) -> Marks:
    """`marks` without the one at `index`; callouts after it keep their numbers (see renumbered)."""
    return Marks(marks.items[:index] + marks.items[index + 1 :])


def added(marks: Marks, mark: Mark) -> Marks:
    return Marks((*marks.items, mark))


def next_callout(marks: Marks) -> int:
    """The number the next callout gets: one more than the highest so far."""
    return max((m.number for m in marks.items if isinstance(m, Callout)), default=0) + 1


def renumbered(marks: Marks) -> Marks:
    """Callouts numbered 1, 2, 3… in the order drawn (after a delete left a gap)."""
    items: list[Mark] = []
    number = 0
    for mark in marks.items:
        if isinstance(mark, Callout):
            number += 1
            mark = replace(mark, number=number)
        items.append(mark)
    return Marks(tuple(items))


@dataclass(frozen=True, slots=True)
class MarkHistory:
    """The editor's undo/redo: the current marks, what came before and what was undone."""

    current: Marks = field(default_factory=Marks)
    past: tuple[Marks, ...] = ()
    future: tuple[Marks, ...] = ()

    def push(self, marks: Marks) -> MarkHistory:
        """A new edit: it becomes current; redo is forgotten. Pushing the same marks is no edit."""
        if marks == self.current:
            return self
        return MarkHistory(marks, (*self.past, self.current), ())

    @property
    def can_undo(self) -> bool:
        return bool(self.past)

    @property
    def can_redo(self) -> bool:
        return bool(self.future)

    def undo(self) -> MarkHistory:
        if not self.past:
            return self
        return MarkHistory(self.past[-1], self.past[:-1], (self.current, *self.future))

    def redo(self) -> MarkHistory:
        if not self.future:
            return self
        return MarkHistory(self.future[0], (*self.past, self.current), self.future[1:])
