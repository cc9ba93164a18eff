"""A transcript row per item of the model: a turn (the question's bubble, the answer below)
or a notice line, built and drawn from the item. A thumbnail clicked in a question opens the
image as it was sent, large.

Signals of every row: `action_requested(TranscriptAction, int)` — by turn id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from visiondesk.find import Marks
from visiondesk.ui.theme import colours, is_dark
from visiondesk.ui.transcript.deleted_line import DeletedLine
from visiondesk.ui.transcript.message_widgets import AnswerCard, QuestionBubble
from visiondesk.ui.transcript.notice_line import NoticeLine
from visiondesk.ui.widgets.image_preview import PreviewDialog
from visiondesk.ui.widgets.markdown_view import CodeView
from visiondesk.workspace.finding import Part
from visiondesk.workspace.transcript import Deleted, Notice, Turn

if TYPE_CHECKING:
    from visiondesk.domain import PreparedImage
    from visiondesk.workspace.finding import Hit
    from visiondesk.workspace.transcript import Item, Versions


class TurnRow(QWidget):
    """A turn: the question's bubble on the right (up to 80% of the column it is built in),
    the answer below it."""

    action_requested = Signal(object, int)

    def __init__(self, turn_id: int, column: QWidget) -> None:
        super().__init__(column)
        self.bubble = QuestionBubble(self)
        self.bubble.setMaximumWidth(int(column.maximumWidth() * 0.8))
        self.answer = AnswerCard(self)
        for part in (self.bubble, self.answer):
            part.action_requested.connect(
                lambda action: self.action_requested.emit(action, turn_id)
            )
        self.bubble.preview_requested.connect(self.preview)
        self.images: tuple[PreparedImage, ...] = ()
        """The question's images as last drawn."""
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(self.bubble)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(8)
        layout.addLayout(line)
        layout.addWidget(self.answer)

    def draw(
        self, item: Item, palette: QPalette, query: str = "", current: Hit | None = None
    ) -> bool:
        """Draw the turn in the palette's scheme, a find's matches of `query` highlighted
        (`current` distinctly); True (the streaming benchmark counts the turns drawn)."""
        if not isinstance(item, Turn):
            return False
        dark = is_dark(palette)
        scheme = colours(dark)
        self.images = tuple(item.images)
        self.bubble.show_turn(item, scheme, marks(item, query, current, Part.QUESTION))
        self.answer.show_turn(item, scheme, dark, marks(item, query, current, Part.ANSWER))
        return True

    def show_versions(self, versions: Versions | None) -> None:
        """‹ n/m › beside the answer (hidden for one version)."""
        self.answer.versions.show_versions(versions)

    def label(self, part: Part, block: int) -> QLabel | None:
        """The label that draws this part's block (where a find's match is shown)."""
        if part is Part.QUESTION:
            return self.bubble.prompt
        parts = self.answer.body.parts
        found = parts[block] if block < len(parts) else None
        return found.body if isinstance(found, CodeView) else found

    def preview(self, index: int) -> None:
        """A thumbnail clicked: the image as it was sent, large (in the column, so it outlives a
        rebuilt row)."""
        if index >= len(self.images):
            return
        dialog = PreviewDialog(self.images[index], None, self.parentWidget())
        dialog.crop_button.hide()  # what was sent cannot be cropped any more
        dialog.apply_button.hide()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def plain_text(self) -> str:
        return f"{self.bubble.plain_text()}\n{self.answer.plain_text()}"


class NoticeRow(NoticeLine):
    """A notice: nothing to act on, but the same signal as a turn's row."""

    action_requested = Signal(object, int)

    def show_versions(self, versions: Versions | None) -> None:
        """A notice has none."""

    def draw(
        self, item: Item, palette: QPalette, query: str = "", current: Hit | None = None
    ) -> bool:
        """Draw the notice in the palette's scheme, a find's matches highlighted; False: not
        a turn."""
        if isinstance(item, Notice):
            dark = is_dark(palette)
            found = marks(item, query, current, Part.NOTICE)
            self.show_notice(item, colours(dark), dark, found.of(0) if found else None)
        return False

    def label(self, part: Part, block: int) -> QLabel | None:
        return self


Row = TurnRow | NoticeRow | DeletedLine


def marks(item: Item, query: str, current: Hit | None, part: Part) -> Marks | None:
    """A find's highlights in one part of a message: every match, the current one if here."""
    if not query:
        return None
    here = current is not None and current.item_id == item.id and current.part is part
    return Marks(query, (current.block, current.occurrence) if here and current else None)


def build_row(item: Item, column: QWidget) -> Row:
    if isinstance(item, Notice):
        return NoticeRow(column)
    if isinstance(item, Deleted):
        return DeletedLine(item.id, column)
    return TurnRow(item.id, column)
