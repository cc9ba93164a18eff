"""One attachment as a card: thumbnail, what will be sent, tokens, and preparation or upload
state. The thumbnail drags out as a file (a copy: the card stays); right-click or the Menu key
offers the same without a mouse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.domain import human_bytes
from visiondesk.ui.attachments.card_size import CARD_HEIGHT, CARD_WIDTH, THUMB
from visiondesk.ui.widgets.image_actions import add_image_actions
from visiondesk.ui.widgets.image_drag import ImageDrag
from visiondesk.ui.widgets.thumbnails import thumbnail_pixmap
from visiondesk.workspace.draft import AttachmentState

if TYPE_CHECKING:
    from visiondesk.domain import PreparedImage
    from visiondesk.workspace import Attachment


class _Thumbnail(QLabel):
    """Clicked on release, as a button is: a press that moves on becomes a drag instead."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        inside = self.rect().contains(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and inside:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class AttachmentCard(QFrame):
    """One attachment of the draft, drawn from the model's state (`show`).

    Signals: `remove_requested(id)`, `retry_requested(id)`, `move_requested(id, delta)`,
    `preview_requested(id)`, `markup_requested(id)`, `forget_original_requested(id)` (keep only
    the redacted picture).
    `menu` is its right-click menu last opened.
    """

    remove_requested = Signal(int)
    retry_requested = Signal(int)
    move_requested = Signal(int, int)
    preview_requested = Signal(int)
    forget_original_requested = Signal(int)
    markup_requested = Signal(int)

    def __init__(self, attachment_id: int, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.attachment_id = attachment_id
        self._marks = ""
        self._redacting = False
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedSize(CARD_WIDTH, CARD_HEIGHT)
        self.setAccessibleName(f"Attachment {label}")
        self.thumb = _Thumbnail(self)
        self.thumb.setFixedSize(THUMB, THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setAccessibleName("Thumbnail")
        self.thumb.setCursor(Qt.CursorShape.PointingHandCursor)
        self.thumb.clicked.connect(lambda: self.preview_requested.emit(self.attachment_id))
        self.drag = ImageDrag(self.thumb, lambda: self._shown, card=attachment_id)
        self.menu: QMenu | None = None
        self.name = QLabel(_elide(label.rsplit("/", 1)[-1], 22), self)
        self.name.setToolTip(label)
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.sizes = QLabel("", self)
        self.details = QLabel("", self)
        self.status = QLabel("Preparing…", self)
        self.status.setAccessibleName("State")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
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
        top = QHBoxLayout()  # name, then the card's buttons: compact as a chip
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(1)
        top.addWidget(self.name, 1)
        self.buttons = (self.retry, left, right, remove)
        for button in self.buttons:
            button.setAutoRaise(True)
            top.addWidget(button)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addLayout(top)
        for widget in (self.sizes, self.details, self.status, self.progress):
            text.addWidget(widget)
        small = self.sizes.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        for widget in (self.sizes, self.details, self.status):
            widget.setFont(small)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignVCenter)
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
        stalled = state is AttachmentState.UPLOADING and attachment.stalled_for > 0
        self.status.setStyleSheet(
            "color: #c62828;" if failed else "color: #b26a00;" if stalled else ""
        )
        text = {
            AttachmentState.PREPARING: "Preparing…",
            AttachmentState.READY: "Ready",
            AttachmentState.UPLOADING: _uploading(attachment),
            AttachmentState.PROCESSING: f"Processing on the server ({attachment.file_id})",
            AttachmentState.UPLOADED: f"Ready ({attachment.file_id})",
            AttachmentState.FAILED: f"Failed: {error.message if error else 'unknown error'}",
        }[state]
        self._marks = _marks_word(attachment)
        if self._marks and state.sendable:
            text = f"{text} · {self._marks}"
        self._redacting = attachment.redacting and attachment.redacted is not None
        room = CARD_WIDTH - THUMB - 20  # the whole state is in the tooltip
        elided = self.status.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room)
        self.status.setText(elided)
        self.status.setToolTip(text)
        self.status.setAccessibleDescription(text)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Right-click, or the Menu key on one of its buttons: what the mouse does, and more."""
        if self.menu is not None:
            self.menu.deleteLater()
        menu = QMenu(self)
        image = self._shown
        preview = menu.addAction("Open large")
        preview.setEnabled(image is not None and image.url is None)
        preview.triggered.connect(lambda: self.preview_requested.emit(self.attachment_id))
        markup = menu.addAction("Mark up…")
        markup.setEnabled(image is not None and image.url is None)
        markup.triggered.connect(lambda: self.markup_requested.emit(self.attachment_id))
        add_image_actions(menu, image, self)
        if self._redacting:
            forget = menu.addAction("Forget the original (keep only the redacted picture)")
            forget.triggered.connect(
                lambda: self.forget_original_requested.emit(self.attachment_id)
            )
        menu.addSeparator()
        remove = menu.addAction("Remove")
        remove.triggered.connect(lambda: self.remove_requested.emit(self.attachment_id))
        menu.popup(event.globalPos())
        self.menu = menu

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


def _marks_word(attachment: Attachment) -> str:
    """What the card says of its marks: redacted wins (it is what a person must be sure of)."""
    if attachment.redacting:
        return "redacted"
    if attachment.forgot_original:
        return "redacted, original forgotten" if not attachment.marks else "marked, redacted"
    return "marked" if attachment.marks else ""


def _uploading(attachment: Attachment) -> str:
    """How far the upload is, and for how long it has not moved when it is stalled."""
    shown = f"Uploading {attachment.percent}%"
    if attachment.stalled_for > 0:
        shown += f" — stalled for {attachment.stalled_for:.0f} s"
    return shown


def _elide(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
