"""The attachments presenter: the attachments row mirrors the workspace's draft, and what a
person does to get images in (drop, paste, Open…) or to a card (remove, move, retry, preview
and crop) becomes an intent on the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QMimeData, QObject, SignalInstance
from PySide6.QtGui import QAction, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QStatusBar, QWidget

from visiondesk.marks import legend
from visiondesk.ui.attachments.attachment_card import AttachmentCard
from visiondesk.ui.attachments.attachment_row import AttachmentRow
from visiondesk.ui.attachments.legend_offer import LegendOffer
from visiondesk.ui.markup.markup_dialog import MarkupDialog
from visiondesk.ui.sources import sources_from_mime, sources_from_path
from visiondesk.ui.widgets.composer import Composer
from visiondesk.ui.widgets.image_preview import PreviewDialog
from visiondesk.ui.window_memory import WindowMemory, note_folder, start_folder
from visiondesk.workspace import Attachment, Workspace

IMAGE_FILTER = (
    "Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff *.heic *.heif *.avif);;"
    "All files (*)"
)
NOTHING_TO_ATTACH = "Nothing to attach: copy or drop image files, an image, or an image URL."
MESSAGE_MS = 8000


class AttachmentsWindow(Protocol):
    """What the presenter uses of the main window (which composes the features; a feature
    never imports it)."""

    @property
    def attachment_row(self) -> AttachmentRow: ...
    @property
    def composer(self) -> Composer: ...
    @property
    def attach_requested(self) -> SignalInstance: ...
    @property
    def paste_action(self) -> QAction: ...
    @property
    def open_action(self) -> QAction: ...
    def statusBar(self) -> QStatusBar: ...
    def focus_composer(self) -> None: ...
    def window(self) -> QWidget: ...


class AttachmentsPresenter(QObject):
    def __init__(
        self, workspace: Workspace, window: AttachmentsWindow, memory: WindowMemory | None = None
    ) -> None:
        super().__init__(window.window())
        self.workspace = workspace
        self.window = window
        self.owner = window.window()
        """The window itself: the parent of the dialogs."""
        self.memory = memory
        draft = workspace.draft
        draft.added.connect(self._added)
        draft.changed.connect(self._changed)
        draft.removed.connect(window.attachment_row.remove_card)
        draft.reordered.connect(lambda: window.attachment_row.order(draft.ids))
        window.attach_requested.connect(self.add_mime)
        window.composer.attach_requested.connect(self.add_mime)
        window.paste_action.triggered.connect(self.paste)
        window.open_action.triggered.connect(self.open_files)
        self._legends: dict[int, str] = {}
        """Each attachment's callout legend when last offered: offered again only on change."""
        self.legend_offer = LegendOffer(window.statusBar())
        self.legend_offer.insert_requested.connect(self.insert_legend)

    def _added(self, attachment: Attachment) -> None:
        row = self.window.attachment_row
        card = AttachmentCard(attachment.id, attachment.label, row.widget())
        row.add_card(card)
        intents = self.workspace.attachments
        card.remove_requested.connect(intents.remove)
        card.remove_requested.connect(lambda _id: self.window.focus_composer())  # ✕ is gone
        card.retry_requested.connect(intents.retry)
        card.move_requested.connect(intents.move)
        card.preview_requested.connect(self.preview)
        card.forget_original_requested.connect(self.forget_original)
        card.markup_requested.connect(self.mark_up)
        card.show_state(attachment)
        row.reveal(card)

    def _changed(self, attachment: Attachment) -> None:
        card = self.window.attachment_row.card(attachment.id)
        if card is not None:
            card.show_state(attachment)
        callouts = legend(attachment.marks)
        if callouts != self._legends.get(attachment.id, ""):
            self._legends[attachment.id] = callouts
            self.legend_offer.offer(legend(attachment.marks, self.workspace.text))

    def insert_legend(self) -> None:
        """The numbered callouts named in the question, so the model can refer to them."""
        marks = [a.marks for a in self.workspace.draft]
        lines = [legend(m, self.workspace.text) for m in marks]
        missing = ", ".join(line for line in lines if line)
        if missing:
            text = self.workspace.text.rstrip()
            self.workspace.set_text(f"{text}\n{missing}" if text else missing)
        self.window.focus_composer()

    def forget_original(self, attachment_id: int) -> None:
        if self.workspace.attachments.forget_original(attachment_id):
            shown = "Only the redacted picture is kept: its redactions can no longer be undone."
        else:
            shown = "The redacted picture is still being made: try again in a moment."
        self.window.statusBar().showMessage(shown, MESSAGE_MS)

    def add_mime(self, mime: QMimeData) -> None:
        found = sources_from_mime(mime)
        if not found:
            self.window.statusBar().showMessage(NOTHING_TO_ATTACH, MESSAGE_MS)
        for source, label in found:
            self.workspace.attachments.add(source, label)
        self.window.focus_composer()

    def add_paths(self, paths: list[Path]) -> None:
        for path in paths:
            for source, label in sources_from_path(path):
                self.workspace.attachments.add(source, label)

    def paste(self) -> None:
        """Ctrl+V outside the question: images, copied files or an image URL attach."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not mime.formats():
            self.window.statusBar().showMessage(NOTHING_TO_ATTACH, MESSAGE_MS)
            return
        self.add_mime(mime)

    def open_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self.owner, "Open images", start_folder(self.memory), IMAGE_FILTER
        )
        for path in paths:
            self.workspace.attachments.add(path, path)
        if paths:
            note_folder(self.memory, paths[0])
        self.window.focus_composer()

    def preview(self, attachment_id: int) -> None:
        attachment = self.workspace.draft.get(attachment_id)
        if attachment is None or attachment.prepared is None or attachment.prepared.is_url:
            return
        dialog = PreviewDialog(attachment.prepared, attachment.crop, self.owner)
        dialog.crop_requested.connect(
            lambda crop: self.workspace.attachments.set_crop(attachment_id, crop)
        )
        dialog.markup_requested.connect(lambda: self.mark_up(attachment_id))
        dialog.open()

    def mark_up(self, attachment_id: int) -> MarkupDialog | None:
        """The mark-up editor over the upright original (marks are kept in its pixels)."""
        from visiondesk.errors import ImageError
        from visiondesk.imaging.upright import upright_preview

        attachment = self.workspace.draft.get(attachment_id)
        if attachment is None:
            return None
        try:
            png, original = upright_preview(attachment.editable_source, attachment.label)
        except ImageError as error:
            self.window.statusBar().showMessage(f"Cannot mark up: {error.message}", MESSAGE_MS)
            return None
        image = attachment.prepared
        sent = (image.width or 1, image.height or 1) if image and image.width else original
        dialog = MarkupDialog(
            QImage.fromData(png), original, sent, attachment.marks, attachment.label, self.owner
        )
        dialog.marks_requested.connect(
            lambda marks: self.workspace.attachments.set_marks(attachment_id, marks)
        )
        dialog.open()
        return dialog
