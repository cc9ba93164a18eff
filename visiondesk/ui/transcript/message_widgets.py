"""One widget per message: the person's question as a bubble with its thumbnails, the answer
in the reading column with a small icon, its status and its actions, and notices.

Actions are flat buttons shown while the pointer is over the message or the keyboard focus is
in it (Tab reaches every message); a turn that needs a decision keeps them in sight.
"""

from __future__ import annotations

import functools
import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.find import Marks, count, highlighted_text
from visiondesk.render import Block, BlockRenderer
from visiondesk.ui.theme import Colours
from visiondesk.ui.transcript.action_bar import ActionBar
from visiondesk.ui.transcript.actions import TranscriptAction
from visiondesk.ui.transcript.turn_labels import (
    answer_actions,
    pinned,
    question_actions,
    status_text,
)
from visiondesk.ui.transcript.version_switch import VersionSwitch
from visiondesk.ui.widgets.image_actions import ImageMenu
from visiondesk.ui.widgets.image_drag import ImageDrag
from visiondesk.ui.widgets.markdown_view import MarkdownView
from visiondesk.ui.widgets.sized_label import SizedLabel
from visiondesk.ui.widgets.thumbnails import thumbnail_pixmap
from visiondesk.workspace.transcript import Turn


class Message(QFrame):
    """A message whose actions appear on hover or keyboard focus.

    Signals: `action_requested(TranscriptAction)`."""

    action_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.actions_bar = ActionBar(self)
        self.actions_bar.action_requested.connect(self.action_requested)
        self.actions_bar.hide()
        self.keep_actions = False
        self.scheme: Colours | None = None
        self.menu: QMenu | None = None
        """The right-click menu last opened (a test, or a screen reader, can find it)."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)

    def _reveal(self) -> None:
        focus = QApplication.focusWidget()
        inside = focus is not None and (focus is self or self.isAncestorOf(focus))
        self.actions_bar.setVisible(self.keep_actions or inside or self.underMouse())

    def _focus_moved(self, _old: QWidget | None, _new: QWidget | None) -> None:
        self._reveal()

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Enter, QEvent.Type.Leave):
            result = super().event(event)
            self.actions_bar.setVisible(
                self.keep_actions or event.type() == QEvent.Type.Enter or self.hasFocus()
            )
            return result
        return super().event(event)

    def plain_text(self) -> str:
        return ""

    def menu_actions(self) -> list[tuple[TranscriptAction, str]]:
        """What its right-click menu offers besides its buttons."""
        return []

    def end_actions(self) -> list[tuple[TranscriptAction, str]]:
        """What its right-click menu offers last, after its buttons: Delete (the exchange),
        once its answer has ended."""
        return [(TranscriptAction.DELETE, "Delete")] if self.actions_bar.shown else []

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Delete on a message with the focus: as its menu's Delete (Undo follows)."""
        if event.key() == Qt.Key.Key_Delete and self.end_actions():
            self.action_requested.emit(TranscriptAction.DELETE)
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """Right-click (or the Menu key): copy, quote, and what the buttons do."""
        entries = self.menu_actions() + [
            (action, label)
            for action, label in self.actions_bar.shown
            if action is not TranscriptAction.COPY
        ]
        entries += self.end_actions()
        if not entries:
            return
        menu = QMenu(self)
        for action, label in entries:
            item = menu.addAction(label)
            item.triggered.connect(lambda _=False, a=action: self.action_requested.emit(a))
        menu.popup(event.globalPos())
        self.menu = menu


class QuestionBubble(Message):
    """The person's question, on the right; its thumbnails drag out as files and have their own
    menu (Open large, Copy image, Save image as…). Signals: `action_requested(TranscriptAction)`,
    `preview_requested(int)` — the index of a thumbnail clicked."""

    preview_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bubble")
        self.thumbnails = QHBoxLayout()
        self.thumbnails.setSpacing(6)
        self.prompt = SizedLabel(self)
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.missing = QLabel(self)
        self.missing.setObjectName("missing")
        self.missing.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 6)
        layout.addLayout(self.thumbnails)
        layout.addWidget(self.prompt)
        layout.addWidget(self.missing)
        layout.addWidget(self.actions_bar, 0, Qt.AlignmentFlag.AlignRight)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Minimum)
        self._images: tuple[str, ...] = ()
        self.question = ""
        """The question as typed (the label may hold it as highlighted HTML)."""

    def menu_actions(self) -> list[tuple[TranscriptAction, str]]:
        return [
            (TranscriptAction.COPY_QUESTION, "Copy"),
            (TranscriptAction.QUOTE_QUESTION, "Quote in reply"),
        ]

    def show_turn(self, turn: Turn, scheme: Colours, marks: Marks | None = None) -> None:
        """The question, with a find's matches highlighted if `marks` says so."""
        if scheme is not self.scheme:
            self.scheme = scheme
            self.setStyleSheet(
                f"#bubble {{ background:{scheme.bubble}; border-radius:12px;"
                f" border:2px solid {scheme.bubble}; }}"
                f" #bubble:focus {{ border-color:{scheme.link}; }}"
                f" QLabel {{ color:{scheme.text}; }} QLabel#missing {{ color:{scheme.muted}; }}"
            )
        self.question = turn.prompt
        if marks is not None and count(turn.prompt, marks.query):
            self.prompt.setTextFormat(Qt.TextFormat.RichText)
            self.prompt.setText(highlighted_text(turn.prompt, marks.of(0), scheme.look()))
        else:
            self.prompt.setTextFormat(Qt.TextFormat.PlainText)
            self.prompt.setText(turn.prompt)
        # A wrapping label asks for little width and guesses its height: wrap only long text.
        metrics = self.prompt.fontMetrics()
        lines = turn.prompt.splitlines() or [""]
        widest = max(metrics.horizontalAdvance(line) for line in lines) + 2
        room = self.maximumWidth() - 24
        self.prompt.setWordWrap(widest > room)
        self.prompt.setMinimumWidth(min(widest, room))
        self.prompt.setVisible(bool(turn.prompt))
        self.missing.setText("\n".join(f"[image not shown — {p}]" for p in turn.missing))
        self.missing.setVisible(bool(turn.missing))
        shas = tuple(image.sha256 for image in turn.images)
        if shas != self._images:
            self._images = shas
            while self.thumbnails.count():
                item = self.thumbnails.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            for index, image in enumerate(turn.images):
                button = QToolButton(self)
                picture = thumbnail_pixmap(image, 96)
                button.setIcon(picture)
                button.setIconSize(picture.deviceIndependentSize().toSize())
                button.setAutoRaise(True)
                button.setToolTip(f"{image.label} — click to see it large, or drag it out")
                button.setAccessibleName(f"Preview {image.label}")
                button.clicked.connect(lambda _=False, i=index: self.preview_requested.emit(i))
                ImageDrag(button, image)  # out as a file of the bytes sent
                ImageMenu(button, image, functools.partial(self.preview_requested.emit, index))
                self.thumbnails.addWidget(button)
            self.thumbnails.addStretch(1)
        self.actions_bar.show_actions(question_actions(turn))

    def plain_text(self) -> str:
        parts = [self.question, self.missing.text(), " ".join(self.actions_bar.labels())]
        return "\n".join(part for part in parts if part)


class AnswerCard(Message):
    """The answer in the reading column. Signals: `action_requested(TranscriptAction)`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("answer")
        self.icon = QLabel("✦", self)
        self.icon.setObjectName("role")
        self.icon.setAccessibleName("Assistant")
        self.icon.setFixedSize(22, 22)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.body = MarkdownView(self)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.icon)
        header.addWidget(self.status)
        self.versions = VersionSwitch(self)
        self.versions.action_requested.connect(self.action_requested)
        header.addWidget(self.versions)
        header.addStretch(1)
        header.addWidget(self.actions_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(self.body)
        layout.addWidget(self.error)
        self.renders = 0
        self._rendering: tuple[str, bool, bool] | None = None
        self._blocks: list[Block] = []
        self.renderer = BlockRenderer()
        """Keeps the answer's finished blocks: a redraw parses only the block being written."""

    def menu_actions(self) -> list[tuple[TranscriptAction, str]]:
        if not self.actions_bar.shown:  # still being written
            return []
        return [
            (TranscriptAction.COPY_TEXT, "Copy"),
            (TranscriptAction.COPY, "Copy as Markdown"),
            (TranscriptAction.QUOTE, "Quote in reply"),
        ]

    def show_turn(
        self, turn: Turn, scheme: Colours, dark: bool, marks: Marks | None = None
    ) -> None:
        """The answer, with a find's matches highlighted if `marks` says so."""
        if scheme is not self.scheme:
            self.scheme = scheme
            self.setStyleSheet(
                f"#answer {{ border:2px solid transparent; border-radius:6px; }}"
                f" #answer:focus {{ border-color:{scheme.link}; }}"
                f" QLabel#role {{ color:{scheme.base}; background:{scheme.link};"
                f" border-radius:11px; font-size:12px; }}"
                f" QLabel#status {{ color:{scheme.muted}; }}"
                f" QLabel#error {{ color:{scheme.error}; }}"
            )
        self.status.setText(status_text(turn))
        text = turn.answer or ("…" if turn.status.running else "")
        rendering = (text, dark, turn.status.running)
        if rendering != self._rendering:  # a find's highlights alone need no new render
            self._rendering = rendering
            self._blocks = self.renderer.blocks(text, dark, turn.status.running)
        self.body.show_blocks(self._blocks, scheme, marks)
        self.renders += 1
        said = "\n".join(line for line in (turn.error, turn.unsaved) if line)
        self.error.setText(f"<b>{html.escape(said)}</b>" if said else "")
        self.error.setVisible(bool(said))
        self.actions_bar.show_actions(answer_actions(turn))
        self.keep_actions = pinned(turn)
        self._reveal()

    def plain_text(self) -> str:
        parts = [
            self.versions.plain_text(),
            self.status.text(),
            self.body.plain_text(),
            self.error.text().removeprefix("<b>").removesuffix("</b>"),
            " ".join(self.actions_bar.labels()),
        ]
        return "\n".join(part for part in parts if part)
