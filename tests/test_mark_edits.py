"""Editing marks as values (hit-test, move, resize, delete, callout numbers, undo/redo) and the
upright preview the editor draws on."""

from __future__ import annotations

import io

from PIL import Image

from visiondesk.imaging.mark_edits import (
    MarkHistory,
    added,
    mark_at,
    moved,
    next_callout,
    renumbered,
    resized,
    without,
)
from visiondesk.imaging.marks import Arrow, Callout, Ellipse, Marks, Pen, Rectangle, Redact
from visiondesk.imaging.upright import upright_preview

BOX = Rectangle((100, 100, 200, 150), width=4)
ARROW = Arrow((0, 0), (100, 100), width=4)


def test_a_rectangle_is_hit_on_its_edge_not_in_its_middle() -> None:
    marks = Marks((BOX,))
    assert mark_at(marks, (101, 125)) == 0
    assert mark_at(marks, (150, 125)) is None
    assert mark_at(marks, (300, 300)) is None


def test_an_arrow_is_hit_along_its_line_within_the_tolerance() -> None:
    marks = Marks((ARROW,))
    assert mark_at(marks, (53, 47)) == 0
    assert mark_at(marks, (80, 20), tolerance=6) is None


def test_the_topmost_mark_wins_and_a_redaction_is_hit_inside() -> None:
    marks = Marks((Redact((0, 0, 500, 500)), Ellipse((100, 100, 300, 300))))
    assert mark_at(marks, (200, 100)) == 1
    assert mark_at(marks, (200, 200)) == 0
    assert mark_at(Marks((Pen(((0, 0), (10, 0), (10, 10))),)), (11, 5)) == 0


def test_move_and_resize() -> None:
    assert moved(BOX, 5, -3) == Rectangle((105, 97, 205, 147))
    assert resized(BOX, 10, 20) == Rectangle((100, 100, 210, 170))
    assert resized(BOX, -500, -500).box == (100, 100, 101, 101)
    assert resized(ARROW, 3, 4) == Arrow((0, 0), (103, 104))
    assert moved(Callout(1, (5, 5)), 1, 1) == Callout(1, (6, 6))


def test_callouts_number_from_the_highest_and_renumber_after_a_delete() -> None:
    marks = Marks((Callout(1, (0, 0)), Callout(2, (50, 0)), Callout(3, (90, 0))))
    assert next_callout(Marks()) == 1
    assert next_callout(marks) == 4
    gap = without(marks, 1)
    assert next_callout(gap) == 4
    assert [m.number for m in renumbered(gap).items if isinstance(m, Callout)] == [1, 2]


def test_history_undoes_and_redoes_and_a_new_edit_forgets_redo() -> None:
    one = added(Marks(), BOX)
    two = added(one, ARROW)
    history = MarkHistory().push(one).push(two)
    assert history.current == two
    history = history.undo()
    assert history.current == one and history.can_redo
    assert history.redo().current == two
    history = history.undo().undo()
    assert history.current == Marks() and not history.can_undo
    assert history.undo() == history
    history = history.redo().push(added(one, Callout(1, (3, 3))))
    assert not history.can_redo and history.undo().current == one
    assert history.push(history.current) == history


def test_the_preview_is_upright_fitted_and_knows_the_original_size() -> None:
    image = Image.new("RGB", (4000, 3000), (10, 20, 30))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    png, original = upright_preview(out.getvalue(), max_side=2048)
    assert original == (3000, 4000)
    with Image.open(io.BytesIO(png)) as shown:
        assert shown.format == "PNG"
        assert shown.size == (1536, 2048)
