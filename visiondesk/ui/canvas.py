"""The attachments as cards: thumbnail, what will be sent, tokens, and preparation/upload state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.domain import human_bytes
from visiondesk.ui.thumbnails import thumbnail_pixmap
from visiondesk.workspace.draft import AttachmentState

if TYPE_CHECKING:  # the window shows before the pipeline's types load
    from visiondesk.domain import PreparedImage
    from visiondesk.workspace import Attachment


class _Thumbnail(QLabel):
    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class AttachmentCard(QFrame):
    """One attachment of the draft, drawn from the model's state (`show`).

    Signals: `remove_requested(id)`, `retry_requested(id)`, `move_requested(id, delta)`,
    `preview_requested(id)`.
    """

    remove_requested = Signal(int)
    retry_requested = Signal(int)
    move_requested = Signal(int, int)
    preview_requested = Signal(int)

    def __init__(self, attachment_id: int, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attachment_id = attachment_id
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(340)
        self.setAccessibleName(f"Attachment {label}")
        self.thumb = _Thumbnail(self)
        self.thumb.setFixedSize(96, 96)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setAccessibleName("Thumbnail")
        self.thumb.setCursor(Qt.CursorShape.PointingHandCursor)
        self.thumb.clicked.connect(lambda: self.preview_requested.emit(self.attachment_id))
        self.name = QLabel(_elide(label.rsplit("/", 1)[-1], 30), self)
        self.name.setToolTip(label)
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.sizes = QLabel("", self)
        self.details = QLabel("", self)
        self.status = QLabel("Preparing…", self)
        self.status.setAccessibleName("State")
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setMaximumHeight(14)
        self.progress.setAccessibleName("Upload progress")
        self.progress.hide()
        self.retry = self._button(
            "Retry", "Retry this image", lambda: self.retry_requested.emit(attachment_id)
        )
        self.retry.hide()
        left = self._button("◀", "Move left", lambda: self.move_requested.emit(attachment_id, -1))
        right = self._button("▶", "Move right", lambda: self.move_requested.emit(attachment_id, 1))
        remove = self._button(
            "✕", f"Remove {label}", lambda: self.remove_requested.emit(attachment_id)
        )
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (left, right, self.retry):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(remove)
        text = QVBoxLayout()
        text.setSpacing(2)
        for widget in (self.name, self.sizes, self.details, self.status, self.progress):
            text.addWidget(widget)
        text.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)
        self._shown: PreparedImage | None = None

    def _button(self, text: str, name: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(name)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    def show_state(self, attachment: Attachment) -> None:
        """Draw the attachment as the model has it now."""
        image = attachment.prepared
        if image is not self._shown:
            self._shown = image
            self._show_image(image)
        state = attachment.state
        busy = state in (AttachmentState.UPLOADING, AttachmentState.PROCESSING)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0 if state is AttachmentState.PROCESSING else 100)
        self.progress.setValue(attachment.percent)
        failed = state is AttachmentState.FAILED
        error = attachment.error
        self.retry.setVisible(failed and (error is None or error.retryable))
        self.status.setStyleSheet("color: #c62828;" if failed else "")
        text = {
            AttachmentState.PREPARING: "Preparing…",
            AttachmentState.READY: "Ready",
            AttachmentState.UPLOADING: f"Uploading {attachment.percent}%",
            AttachmentState.PROCESSING: f"Processing on the server ({attachment.file_id})",
            AttachmentState.UPLOADED: f"Ready ({attachment.file_id})",
            AttachmentState.FAILED: f"Failed: {error.message if error else 'unknown error'}",
        }[state]
        self.status.setText(text)
        self.status.setAccessibleDescription(text)

    def _show_image(self, image: PreparedImage | None) -> None:
        if image is None:
            self.thumb.clear()
            self.sizes.clear()
            self.details.clear()
            self.setToolTip("")
            return
        self.thumb.setPixmap(thumbnail_pixmap(image))
        if image.url is not None:
            self.sizes.setText("URL: the server downloads it")
            self.details.setText(f"detail {image.detail} · up to {image.tokens} tokens")
        else:
            original = f"{image.original_width}×{image.original_height} {image.original_format}"
            sent = f"{image.width}×{image.height} {image.mime.split('/')[-1].upper()}"
            self.sizes.setText(f"{original} → {sent}")
            self.details.setText(
                f"{human_bytes(len(image.data))} · detail {image.detail} · ~{image.tokens} tokens"
            )
        self.setToolTip("\n".join(image.notes))


class Canvas(QScrollArea):
    """A row of cards, one per attachment of the draft; empty, it tells how to get images in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Attachments")
        self.setWidgetResizable(True)
        self.setMinimumHeight(150)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        inner = QWidget(self)
        self._row = QHBoxLayout(inner)
        self._row.setContentsMargins(6, 6, 6, 6)
        self.hint = QLabel(
            "Drop images here, paste a screenshot (Ctrl+V), or use File → Open images (Ctrl+O).",
            inner,
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: palette(mid);")
        self._row.addWidget(self.hint, 1)
        self._row.addStretch(0)
        self.setWidget(inner)
        self.cards: list[AttachmentCard] = []

    def add_card(self, attachment_id: int, label: str) -> AttachmentCard:
        card = AttachmentCard(attachment_id, label, self.widget())
        self.cards.append(card)
        self._relayout()
        return card

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
        self.hint.setVisible(not self.cards)
        if not self.cards:
            self._row.addWidget(self.hint, 1)
        for card in self.cards:
            self._row.addWidget(card)
        self._row.addStretch(1)


def _elide(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
