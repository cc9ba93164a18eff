"""Dragging an image out of the window, as a person does: an attachment card's thumbnail, a sent
image's thumbnail in the transcript and the picture in the preview start a drag once the pointer
has moved the start distance (a click stays a click), offering a copy of a real file (a file://
URL in text/uri-list) and the pixels. `QDrag.exec` would block in a real drag: it is replaced
by one that records what the drag carries and answers as a file manager does (CopyAction)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QDrag, QDragEnterEvent, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests import images
from tests.qt_support import attached, drop, open_preview
from visiondesk.config.paths import cache_dir
from visiondesk.domain import ApiMode, Detail, PreparedImage
from visiondesk.ui.sources import OWN_CARD
from visiondesk.ui.transcript.rows import TurnRow
from visiondesk.ui.transcript.transcript_view import TranscriptView
from visiondesk.ui.widgets.image_drag import image_mime
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import Transcript


@dataclass
class Dragged:
    """What one drag carried, read while it ran."""

    mime: QMimeData
    path: Path
    actions: tuple[object, ...]
    pixmap_width: int


@pytest.fixture
def drags(monkeypatch: pytest.MonkeyPatch) -> list[Dragged]:
    started: list[Dragged] = []

    def exec_(drag: QDrag, *actions: object) -> Qt.DropAction:
        mime = drag.mimeData()
        kept = QMimeData()  # the drag's own is the drag's to delete
        for kind in mime.formats():
            kept.setData(kind, mime.data(kind))
        kept.setImageData(mime.imageData())
        [url] = mime.urls()
        started.append(Dragged(kept, Path(url.toLocalFile()), actions, drag.pixmap().width()))
        return Qt.DropAction.CopyAction

    monkeypatch.setattr(QDrag, "exec", exec_)
    return started


def drag(qtbot: QtBot, widget: QWidget, start: QPoint, by: int) -> None:
    """Press the left button at `start` and move `by` pixels to the right, button held."""
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(widget, start + QPoint(by, 0))


def far() -> int:
    return QApplication.startDragDistance() + 2


def sent_photo(label: str) -> PreparedImage:
    data = images.encode(images.photo(64, 48, seed=3), "JPEG")
    return PreparedImage(
        label, "ab" * 32, 64, 48, "JPEG", 64, 48, "image/jpeg", data, Detail.LOW, 85
    )


def same_pixels(path: Path, data: bytes) -> bool:
    return QImage(str(path)) == QImage.fromData(data)


def test_a_drag_carries_a_real_file_with_a_safe_name_and_the_pixels(qapp: QApplication) -> None:
    image = sent_photo("/tmp/../../etc/\x1b[31mevil\u202e\x07 photo.jpg")
    mime = image_mime(image)
    assert bytes(mime.data("text/uri-list").data()).startswith(b"file:///")
    [url] = mime.urls()
    path = Path(url.toLocalFile())
    assert path.name == "[31mevil photo.jpg"  # no escape, override or bell; no folders
    assert path.is_file() and path.read_bytes() == image.data  # the bytes sent
    assert path.is_relative_to(cache_dir() / "dragged")  # the app's own folder
    assert (path.parent.parent.stat().st_mode & 0o077) == 0
    assert mime.hasImage() and mime.imageData() == QImage.fromData(image.data)
    assert not mime.hasFormat(OWN_CARD)


def test_an_attachment_drags_out_as_a_copy_and_a_click_still_previews(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, photo_path: Path, drags: list[Dragged]
) -> None:
    from visiondesk.ui.widgets.image_preview import PreviewDialog

    attachment_id = attached(app, loop, photo_path)
    card = app.window.attachment_row.card(attachment_id)
    assert card is not None
    middle = card.thumb.rect().center()
    drag(qtbot, card.thumb, middle, QApplication.startDragDistance() - 2)  # a shaky click
    assert drags == []
    qtbot.mouseRelease(card.thumb, Qt.MouseButton.LeftButton, pos=middle)
    [dialog] = [d for d in app.window.findChildren(PreviewDialog) if d.isVisible()]
    dialog.close()

    drag(qtbot, card.thumb, middle, far())
    [dragged] = drags
    assert dragged.actions == (Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)  # copy only
    assert dragged.pixmap_width > 0
    prepared = app.workspace.draft.get(attachment_id)
    assert prepared is not None and prepared.prepared is not None
    assert dragged.path.name == "photo.jpg"
    assert same_pixels(dragged.path, prepared.prepared.data)
    assert [a.id for a in app.workspace.draft] == [attachment_id]  # still attached
    assert not [d for d in app.window.findChildren(PreviewDialog) if d.isVisible()]

    # Let go over its own window: refused, and nothing is attached twice.
    enter = QDragEnterEvent(
        QPoint(100, 100),
        Qt.DropAction.CopyAction,
        dragged.mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()  # as Qt delivers it: refused unless the window takes it
    QApplication.sendEvent(app.window, enter)
    assert not enter.isAccepted()
    drop(app.window, dragged.mime)
    assert len(app.workspace.draft) == 1
    assert app.window.composer.toPlainText() == ""  # nor its address typed into the question


def test_an_attachment_menu_copies_and_saves_without_a_mouse(
    app: Controller, loop: qasync.QEventLoop, photo_path: Path, tmp_path: Path, monkeypatch
) -> None:
    attachment_id = attached(app, loop, photo_path)
    card = app.window.attachment_row.card(attachment_id)
    attachment = app.workspace.draft.get(attachment_id)
    assert card is not None and attachment is not None and attachment.prepared is not None
    [remove] = [b for b in card.findChildren(QToolButton) if b.accessibleName().startswith("Rem")]
    remove.setFocus()
    menu = menu_key(remove, lambda: card.menu)
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Open large",
        "Mark up…",
        "Copy image",
        "Save image as…",
        "Remove",
    ]
    choose(menu, "Copy image")
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (
        attachment.prepared.width,
        attachment.prepared.height,
    )
    proposed: list[str] = []
    target = tmp_path / "kept.jpg"

    def chosen(_parent: object, _title: str, start: str) -> tuple[str, str]:
        proposed.append(Path(start).name)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", chosen)
    choose(menu_key(remove, lambda: card.menu), "Save image as…")
    assert proposed == ["photo.jpg"]
    assert target.read_bytes() == attachment.prepared.data
    assert len(app.workspace.draft) == 1


@pytest.fixture
def transcript(qtbot: QtBot) -> tuple[TranscriptView, Transcript]:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    model = Transcript()
    view.mirror(model)
    return view, model


def test_a_sent_thumbnail_drags_out_as_sent_and_has_a_menu(
    qtbot: QtBot, transcript, drags: list[Dragged], tmp_path: Path, monkeypatch
) -> None:
    view, model = transcript
    image = sent_photo("/home/ann/Pictures/harbour.heic")
    turn = model.add_turn("This one?", [image], ApiMode.CHAT, "gpt-4o", "http://x")
    qtbot.waitUntil(lambda: turn.id in view.rows, timeout=2000)
    row = view.rows[turn.id]
    assert isinstance(row, TurnRow)
    qtbot.waitUntil(row.isVisible, timeout=2000)
    [button] = [
        b for b in row.bubble.findChildren(QToolButton) if b.accessibleName().startswith("Preview")
    ]
    drag(qtbot, button, button.rect().center(), far())
    [dragged] = drags
    assert dragged.path.name == "harbour.jpg"  # the name it had, the format it was sent in
    assert dragged.path.read_bytes() == image.data
    assert not dragged.mime.hasFormat(OWN_CARD)
    assert not button.isDown()

    button.setFocus()
    target = tmp_path / "harbour.jpg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_: (str(target), ""))
    menu = menu_key(button, lambda: button.findChild(QMenu))
    assert [a.text() for a in menu.actions()] == ["Open large", "Copy image", "Save image as…"]
    choose(menu, "Save image as…")
    assert target.read_bytes() == image.data


def test_the_preview_drags_the_picture_out_unless_cropping_and_a_sent_one_attaches_a_copy(
    app: Controller, loop: qasync.QEventLoop, qtbot: QtBot, photo_path: Path, drags: list[Dragged]
) -> None:
    attachment_id = attached(app, loop, photo_path)
    dialog = open_preview(app, attachment_id)
    qtbot.waitExposed(dialog)
    viewport = dialog.view.viewport()
    middle = viewport.rect().center()
    dialog.crop_button.click()  # dragging draws the crop
    drag(qtbot, viewport, middle, far())
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=middle + QPoint(far(), 0))
    assert drags == []
    dialog.crop_button.click()
    [zoom] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Zoom in"]
    for _ in range(4):
        zoom.click()  # larger than the view: dragging pans it
    drag(qtbot, viewport, middle, far())
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=middle + QPoint(far(), 0))
    assert drags == []
    [fit] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Fit"]
    fit.click()
    drag(qtbot, viewport, middle, far())
    [dragged] = drags
    assert dragged.path.name == "photo.jpg"
    assert not dragged.mime.hasFormat(OWN_CARD)
    dialog.close()

    drop(app.window, dragged.mime)  # a picture of ours dropped back: a copy, like any file
    assert len(app.workspace.draft) == 2
    assert app.window.composer.toPlainText() == ""


def menu_key(widget: QWidget, menu: object) -> QMenu:
    """The Menu key on `widget`; the menu that opened (read by `menu()`)."""
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, QPoint(4, 4), widget.mapToGlobal(QPoint(4, 4))
    )
    QApplication.sendEvent(widget, event)
    opened = menu()  # type: ignore[operator]
    assert isinstance(opened, QMenu)
    return opened


def choose(menu: QMenu, label: str) -> None:
    [action] = [a for a in menu.actions() if a.text() == label]
    action.trigger()
    menu.close()
