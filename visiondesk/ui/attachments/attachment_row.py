"""The draft's attachments: a row of cards (attachment_card.py) beside the question. The
presenter builds the cards; the row only lays them out, so the empty window shows before the
card and the model's types load."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QWidget

from visiondesk.ui.attachments.card_size import CARD_HEIGHT

if TYPE_CHECKING:
    from visiondesk.ui.attachments.attachment_card import AttachmentCard


class AttachmentRow(QScrollArea):
    """The draft's attachments as a row of compact cards beside the question; with none, it
    takes no room at all (the question's placeholder tells how to get images in)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Attachments")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        bar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(CARD_HEIGHT + bar + 4)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the cards' buttons
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(self)
        self._row = QHBoxLayout(inner)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(4)
        self._row.addStretch(1)
        self.setWidget(inner)
        self.cards: list[AttachmentCard] = []
        self.tab_between: tuple[QWidget, QWidget] | None = None
        """Tab reaches the cards' buttons between these two (the window sets them)."""
        self._revealing: AttachmentCard | None = None
        self.horizontalScrollBar().rangeChanged.connect(self._range_changed)
        self.hide()

    def add_card(self, card: AttachmentCard) -> None:
        self.cards.append(card)
        self._relayout()

    def reveal(self, card: AttachmentCard) -> None:
        """Scroll a new card into sight, now and once the row has made room for it."""
        self._revealing = card
        self.ensureWidgetVisible(card, 4, 0)

    def _range_changed(self) -> None:
        card = self._revealing
        if card is not None and card in self.cards:
            self.ensureWidgetVisible(card, 4, 0)

    def card(self, attachment_id: int) -> AttachmentCard | None:
        return next((c for c in self.cards if c.attachment_id == attachment_id), None)

    def remove_card(self, attachment_id: int) -> None:
        card = self.card(attachment_id)
        if card is not None:
            self.cards.remove(card)
            card.deleteLater()
            self._relayout()

    def order(self, attachment_ids: list[int]) -> None:
        """Show the cards in the model's order."""
        rank = {attachment_id: n for n, attachment_id in enumerate(attachment_ids)}
        self.cards.sort(key=lambda card: rank.get(card.attachment_id, len(rank)))
        self._relayout()

    def clear(self) -> None:
        for card in self.cards:
            card.deleteLater()
        self.cards.clear()
        self._relayout()

    def _relayout(self) -> None:
        while self._row.count():
            self._row.takeAt(0)
        for card in self.cards:
            self._row.addWidget(card)
        self._row.addStretch(1)
        self.setVisible(bool(self.cards))
        if self.tab_between is not None:
            before, after = self.tab_between
            chain = [before, *(b for card in self.cards for b in card.buttons), after]
            for first, second in itertools.pairwise(chain):
                QWidget.setTabOrder(first, second)
