"""A line from VisionDesk itself in the transcript (a welcome, a hint, a notice), drawn from
its Markdown exactly as find reads it (`workspace.finding.notice_body`), so a match found is
the match highlighted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QWidget

from visiondesk.find import Mark, highlighted_html
from visiondesk.ui.theme import Colours
from visiondesk.ui.widgets.markdown_view import prose_html
from visiondesk.ui.widgets.sized_label import SizedLabel
from visiondesk.workspace.finding import notice_body
from visiondesk.workspace.transcript import Notice


class NoticeLine(SizedLabel):
    """A line from VisionDesk itself (Markdown), muted, across the reading column.

    Signals: none (links open in the browser)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setOpenExternalLinks(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

    def show_notice(
        self, notice: Notice, scheme: Colours, dark: bool, mark: Mark | None = None
    ) -> None:
        """The notice, with a find's matches highlighted if `mark` says so."""
        body = highlighted_html(notice_body(notice.text, dark), mark, scheme.look())
        self.setText(prose_html(body, scheme).replace(scheme.text, scheme.muted, 1))

    def plain_text(self) -> str:
        return QTextDocumentFragment.fromHtml(self.text()).toPlainText()
