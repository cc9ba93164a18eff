"""The sidebar's rows: the conversation's first image as a small square (sharp at 2×, decoded
off the UI thread and kept, so a list shown again has it at once), its title and when it was
last used, in words a person says; the accessible text names title and date."""

from __future__ import annotations

import time
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QListWidgetItem

from tests.qt_support import answered, ask, run
from tests.waiting import until
from visiondesk.ui.history.row_data import PICTURE_ROLE, PICTURE_SIDE, when
from visiondesk.ui.history.row_pictures import RowPictures
from visiondesk.ui.window.controller import Controller


def moment(*day_and_time: int) -> float:
    return time.mktime((*day_and_time, 0, 0, -1))  # type: ignore[arg-type]


def test_dates_read_as_a_person_says_them() -> None:
    now = moment(2026, 12, 2, 15, 30, 0)
    assert when(moment(2026, 12, 2, 14, 2, 0), now) == "Today 14:02"
    assert when(moment(2026, 12, 2, 0, 0, 1), now) == "Today 00:00"
    assert when(moment(2026, 12, 1, 23, 59, 0), now) == "Yesterday"
    assert when(moment(2026, 12, 1, 0, 1, 0), now) == "Yesterday"
    assert when(moment(2026, 3, 3, 9, 0, 0), now) == "3 Mar"
    assert when(moment(2025, 3, 3, 9, 0, 0), now) == "3 Mar 2025"


def rows(app: Controller) -> list[QListWidgetItem]:
    listing = app.window.sidebar.list
    return [item for n in range(listing.count()) if (item := listing.item(n)) is not None]


def picture(item: QListWidgetItem) -> QImage | None:
    image = item.data(PICTURE_ROLE)
    return image if isinstance(image, QImage) and not image.isNull() else None


def test_a_row_shows_its_first_image_title_and_date(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    window, workspace = app.window, app.workspace
    ask(app, loop, "What is in the harbour photo?", photo_path)
    with_image = workspace.conversation_id
    window.new_action.trigger()

    async def words_only() -> None:
        workspace.set_text("A question without an image")
        workspace.conversation.send()
        await until(lambda: answered(app) and len(rows(app)) == 2)
        await until(lambda: any(picture(item) for item in rows(app)))

    run(loop, words_only)
    plain, pictured = rows(app)  # newest first
    assert picture(plain) is None
    image = picture(pictured)
    assert image is not None and image.width() == image.height() == window.sidebar.picture_pixels
    assert pictured.data(Qt.ItemDataRole.UserRole) == with_image
    assert pictured.text() == "What is in the harbour photo?"
    told = pictured.data(Qt.ItemDataRole.AccessibleTextRole)
    assert told.startswith("What is in the harbour photo?, Today ")
    # Painted: the picture's square is not the row's background.
    listing = window.sidebar.list
    shot = listing.viewport().grab().toImage()
    rect = listing.visualItemRect(pictured)
    centre = shot.pixelColor(rect.left() + 6 + PICTURE_SIDE // 2, rect.center().y())
    background = listing.palette().color(QPalette.ColorRole.Base)
    assert _distance(centre, background) > 30
    # Shown again (a rename refreshes the list): the picture is there at once, no flicker.
    assert with_image is not None
    workspace.library.rename(with_image, "Harbour")
    again = next(item for item in rows(app) if item.text() == "Harbour")
    assert picture(again) == image


def test_pictures_are_decoded_for_the_screen_s_scale(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path
) -> None:
    ask(app, loop, "What is in it?", photo_path)
    conversation = app.workspace.conversation_id
    assert conversation is not None
    pictures = RowPictures(app.workspace.library)
    shown: list[dict[int, QImage]] = []

    async def at_twice() -> None:
        await pictures.load([conversation], PICTURE_SIDE * 2, 2.0, shown.append)

    run(loop, at_twice)
    image = shown[-1][conversation]
    assert (image.width(), image.devicePixelRatio()) == (PICTURE_SIDE * 2, 2.0)
    assert image.deviceIndependentSize().width() == PICTURE_SIDE  # 40 logical px, 80 sharp


def _distance(one: QColor, other: QColor) -> int:
    return (
        abs(one.red() - other.red())
        + abs(one.green() - other.green())
        + abs(one.blue() - other.blue())
    )
