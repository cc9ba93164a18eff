"""The conversation as a page: each turn's question with its images and its streamed Markdown
answer, notices, and per-turn actions as links. It draws the workspace's transcript and holds no
state of its own beyond a cache of finished renderings; while words stream it re-renders at a
bounded rate.

Signals: `action_requested(TranscriptAction, int)` — an action on a turn, by turn id.
"""

from __future__ import annotations

import html
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QPalette, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from visiondesk.ui.thumbnails import thumbnail
from visiondesk.workspace.transcript import Fix, Notice, Turn, TurnStatus

if TYPE_CHECKING:
    from visiondesk.workspace import Transcript as TranscriptModel
    from visiondesk.workspace.transcript import Item

RENDER_INTERVAL_MS = 80
"""At most ~12 renders a second, whatever the token rate: a long answer never stalls the UI."""


class TranscriptAction(Enum):
    COPY = "copy"
    INSPECT = "inspect"
    RETRY = "retry"
    EDIT = "edit"
    REGENERATE = "regenerate"
    OPEN_SETTINGS = "settings"
    SWITCH_MODE = "switch-mode"


_STATUS_TEXT = {
    TurnStatus.PENDING: "sending…",
    TurnStatus.PREPARING: "preparing the images…",
    TurnStatus.UPLOADING: "uploading the images…",
    TurnStatus.STREAMING: "answering…",
    TurnStatus.STOPPED: "stopped — partial answer kept",
    TurnStatus.INTERRUPTED: "interrupted",
}


class Transcript(QTextBrowser):
    action_requested = Signal(object, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Transcript")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._clicked)
        self._model: TranscriptModel | None = None
        self._cache: dict[int, str] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_INTERVAL_MS)
        self._timer.timeout.connect(self.render_now)
        self.renders = 0

    def mirror(self, model: TranscriptModel) -> None:
        self._model = model
        model.added.connect(self._added)
        model.changed.connect(self._changed)
        model.appended.connect(lambda _turn, _text: self.schedule())
        model.removed.connect(self._changed)
        model.reset.connect(self._reset)
        self.render_now()

    def _added(self, item: Item) -> None:
        if isinstance(item, Turn):
            for image in item.images:
                self._add_thumbnail(image)
        self.schedule()

    def _changed(self, item: Item) -> None:
        self._cache.pop(item.id, None)
        if isinstance(item, Turn):
            for image in item.images:
                self._add_thumbnail(image)
        self.render_now()

    def _reset(self) -> None:
        self._cache.clear()
        self.render_now()

    def _add_thumbnail(self, image: object) -> None:
        self.document().addResource(
            QTextDocument.ResourceType.ImageResource,
            QUrl(f"thumb:{getattr(image, 'sha256', '')}"),
            thumbnail(image, 120),  # type: ignore[arg-type]
        )

    def changeEvent(self, event: QEvent) -> None:
        """Follow the system's light/dark switch: drop cached renderings and draw again."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._cache.clear()
            self.schedule()

    @property
    def dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def render_now(self) -> None:
        self._timer.stop()
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        items = self._model.items if self._model is not None else ()
        self.setHtml("".join(self.item_html(item) for item in items))
        self.renders += 1
        if at_bottom:
            bar.setValue(bar.maximum())

    def item_html(self, item: Item) -> str:
        """The item as HTML (finished items are rendered once)."""
        cached = self._cache.get(item.id)
        if cached is not None:
            return cached
        from visiondesk.render import markdown_to_html  # after the window shows

        dark = self.dark
        if isinstance(item, Notice):
            rendered = markdown_to_html(item.text, dark) + "<hr>"
            self._cache[item.id] = rendered
            return rendered
        rendered = self._question_html(item) + self._answer_html(item, dark)
        if not item.status.running:
            self._cache[item.id] = rendered
        return rendered

    def _question_html(self, turn: Turn) -> str:
        from visiondesk.render import plain_to_html

        muted = "#9aa0a6" if self.dark else "#5f6368"
        body = plain_to_html(turn.prompt)
        if turn.images:
            pictures = "&nbsp;".join(
                f'<img src="thumb:{image.sha256}" alt="{html.escape(image.label)}">'
                for image in turn.images
            )
            body += f"<p>{pictures}</p>"
        for problem in turn.missing:  # placeholders: what could not be read, and why
            body += f'<p style="color:{muted}">[image not shown — {html.escape(problem)}]</p>'
        return f'<p style="color:{muted}"><b>You</b> {_links(turn, question=True)}</p>{body}'

    def _answer_html(self, turn: Turn, dark: bool) -> str:
        from visiondesk.render import markdown_to_html

        muted = "#9aa0a6" if dark else "#5f6368"
        status = _STATUS_TEXT.get(turn.status, "")
        if turn.status.running and turn.waiting:
            status = f"waiting for the server ({turn.waiting:.0f} s) — Esc stops"
        status_html = f'<span style="color:{muted}">{status}</span>' if status else ""
        text = turn.answer or ("…" if turn.status.running else "")
        links = "" if turn.status.running else _links(turn, question=False)
        heading = f'<p style="color:{muted}"><b>Assistant</b> {status_html} {links}</p>'
        error = ""
        if turn.error:
            colour = "#ff8a80" if dark else "#c62828"
            error = f'<p style="color:{colour}"><b>{html.escape(turn.error)}</b></p>'
        return f"{heading}{markdown_to_html(text, dark)}{error}<hr>"

    def _clicked(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("action:"):
            return
        _, name, turn_id = text.split(":", 2)
        action = TranscriptAction(name)
        if action is TranscriptAction.COPY:
            self.copy_text(int(turn_id))
            return
        self.action_requested.emit(action, int(turn_id))

    def copy_text(self, turn_id: int) -> None:
        turn = self._model.turn(turn_id) if self._model is not None else None
        if turn is not None:
            QGuiApplication.clipboard().setText(turn.answer)


def _links(turn: Turn, question: bool) -> str:
    if question:
        return ""
    actions = [(TranscriptAction.COPY, "Copy"), (TranscriptAction.INSPECT, "Inspect request")]
    if turn.status.retryable:
        actions.append((TranscriptAction.RETRY, "Retry"))
    if turn.fix is Fix.OPEN_SETTINGS:
        actions.append((TranscriptAction.OPEN_SETTINGS, "Open Settings"))
    elif turn.fix is Fix.SWITCH_MODE and turn.suggested_mode is not None:
        name = turn.suggested_mode.value.capitalize()
        actions.append((TranscriptAction.SWITCH_MODE, f"Use {name}"))
    return " · ".join(
        f'<a href="action:{action.value}:{turn.id}">{label}</a>' for action, label in actions
    )
