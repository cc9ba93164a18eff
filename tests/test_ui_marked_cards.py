"""A marked attachment in the real window: its card says it is marked or redacted, its menu
offers to forget the original, and numbered callouts offer their legend for the question."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from tests.qt_support import attached, run, states
from tests.waiting import until
from visiondesk.marks import Callout, Marks, Rectangle, Redact
from visiondesk.ui.attachments.attachment_card import AttachmentCard
from visiondesk.ui.attachments.legend_offer import LegendOffer
from visiondesk.ui.window.controller import Controller
from visiondesk.workspace import AttachmentState


def marked(app: Controller, loop: qasync.QEventLoop, attachment_id: int, marks: Marks) -> None:
    app.workspace.attachments.set_marks(attachment_id, marks)

    async def ready() -> None:
        await until(lambda: states(app) == [AttachmentState.READY])

    run(loop, ready)


def card_menu(card: AttachmentCard) -> QMenu:
    """The Menu key on the card, as a person presses it; the menu that opened."""
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, QPoint(4, 4), card.mapToGlobal(QPoint(4, 4))
    )
    QApplication.sendEvent(card, event)
    assert isinstance(card.menu, QMenu)
    return card.menu


def test_the_card_says_marked_then_redacted_and_forgets_the_original(
    app: Controller, loop: qasync.QEventLoop, shot_path: Path
) -> None:
    attachment_id = attached(app, loop, shot_path)
    card = app.window.attachment_row.card(attachment_id)
    assert card is not None and "marked" not in card.status.toolTip()
    assert not [a for a in card_menu(card).actions() if a.text().startswith("Forget")]
    marked(app, loop, attachment_id, Marks((Rectangle((10, 10, 60, 40)),)))
    assert card.status.toolTip() == "Ready · marked"
    marked(app, loop, attachment_id, Marks((Redact((0, 0, 50, 50)), Rectangle((10, 10, 60, 40)))))
    assert card.status.toolTip() == "Ready · redacted"
    [forget] = [a for a in card_menu(card).actions() if a.text().startswith("Forget the original")]
    forget.trigger()
    attachment = app.workspace.draft.get(attachment_id)
    assert attachment is not None and attachment.forgot_original
    assert isinstance(attachment.source, bytes) and not attachment.marks.redactions
    assert card.status.toolTip() == "Ready · marked, redacted"
    assert "can no longer be undone" in app.window.statusBar().currentMessage()


def test_callouts_offer_their_legend_for_the_question(
    app: Controller, loop: qasync.QEventLoop, shot_path: Path
) -> None:
    attachment_id = attached(app, loop, shot_path)
    app.window.composer.setFocus()
    QTest.keyClicks(app.window.composer, "What do these point at?")
    offer = app.window.statusBar().findChild(LegendOffer)
    assert offer is not None
    assert offer.isHidden()
    marked(app, loop, attachment_id, Marks((Callout(1, (20, 20)), Callout(2, (80, 40)))))
    assert offer.isVisible() and "1 = …, 2 = …" in offer.text()
    QTest.mouseClick(offer, Qt.MouseButton.LeftButton)
    assert app.workspace.text == "What do these point at?\n1 = …, 2 = …"
    assert app.window.composer.toPlainText() == app.workspace.text and offer.isHidden()
    # A third callout: only its number is offered, the first two are named already.
    marks = Marks((Callout(1, (20, 20)), Callout(2, (80, 40)), Callout(3, (5, 5))))
    marked(app, loop, attachment_id, marks)
    assert offer.isVisible() and "“3 = …”" in offer.text()
