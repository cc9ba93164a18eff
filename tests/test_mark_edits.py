"""Editing marks as values: hit-testing, moving, resizing, callout numbers, undo and redo."""

from __future__ import annotations

from visiondesk.mark_edits import MarkHistory, hit, moved, next_callout, resized
from visiondesk.marks import Arrow, Callout, Marks, Pen, Rectangle, Redact


def test_hit_finds_the_topmost_mark_near_a_stroke() -> None:
    marks = Marks((Rectangle((10, 10, 100, 100)), Arrow((0, 200), (200, 200), width=2)))
    assert hit(marks, (50, 50), 3) == 0
    assert hit(marks, (100, 203), 3) == 1  # within the tolerance of the arrow's line
    assert hit(marks, (150, 150), 3) is None
    assert hit(Marks((Pen(((0, 0), (10, 0), (10, 10))),)), (10, 5), 1) == 0


def test_moving_and_resizing_keep_marks_whole() -> None:
    assert moved(Redact((0, 0, 10, 10)), 5, -2) == Redact((5, -2, 15, 8))
    assert moved(Callout(1, (3, 4)), 1, 1) == Callout(1, (4, 5))
    assert resized(Rectangle((0, 0, 10, 10)), -20, 5) == Rectangle((0, 0, 1, 15))
    assert resized(Arrow((0, 0), (10, 10)), 1, 0) == Arrow((0, 0), (11, 10))
    assert next_callout(Marks((Callout(2, (0, 0)), Callout(5, (1, 1))))) == 6


def test_undo_redo_and_a_new_edit_drops_the_redo_branch() -> None:
    history = MarkHistory(Marks())
    history.add(Rectangle((0, 0, 5, 5)))
    history.add(Redact((1, 1, 2, 2)))
    assert len(history.marks) == 2 and history.can_undo and not history.can_redo
    assert len(history.undo()) == 1 and history.can_redo
    history.remove_at(0)
    assert history.marks == Marks() and not history.can_redo
    assert history.undo() == Marks((Rectangle((0, 0, 5, 5)),))
    assert history.undo() == Marks() and not history.can_undo


def test_a_drag_is_one_undo_step() -> None:
    history = MarkHistory(Marks((Rectangle((0, 0, 5, 5)),)))
    history.push(Marks((Rectangle((1, 0, 6, 5)),)))
    history.amend(Marks((Rectangle((2, 0, 7, 5)),)))
    history.amend(Marks((Rectangle((3, 0, 8, 5)),)))
    assert history.undo() == Marks((Rectangle((0, 0, 5, 5)),)) and not history.can_undo
