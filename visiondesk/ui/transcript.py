"""The conversation: user turns with their images, streamed Markdown answers, and per-message
actions (Copy, Retry, Inspect) as links, re-rendered at a bounded rate while text streams."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QPalette, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from visiondesk.ui.thumbnails import thumbnail

if TYPE_CHECKING:  # the window shows before the pipeline's types load
    from visiondesk.domain import PreparedImage

RENDER_INTERVAL_MS = 80
"""At most ~12 renders a second, whatever the token rate: a long answer never stalls the UI."""


@dataclass
class Entry:
    id: int
    role: str  # "user", "assistant", "notice"
    text: str = ""
    images: list[PreparedImage] = field(default_factory=list)
    state: str = "complete"  # streaming, complete, failed, cancelled
    error: str = ""
    action: tuple[str, str] | None = None  # (link, label) that fixes the error
    html: str | None = None  # cached rendering of a finished entry


class Transcript(QTextBrowser):
    actionRequested = Signal(str, int)  # action, entry id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Transcript")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._clicked)
        self.entries: list[Entry] = []
        self._next_id = 1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_INTERVAL_MS)
        self._timer.timeout.connect(self.render_now)
        self.renders = 0

    def changeEvent(self, event: QEvent) -> None:
        """Follow the system's light/dark switch: drop cached renderings and draw again."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            for entry in self.entries:
                entry.html = None
            self.schedule()

    @property
    def dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def add(
        self,
        role: str,
        text: str = "",
        images: list[PreparedImage] | None = None,
        state: str = "complete",
    ) -> Entry:
        entry = Entry(self._next_id, role, text, list(images or []), state)
        self._next_id += 1
        self.entries.append(entry)
        for image in entry.images:
            self.document().addResource(
                QTextDocument.ResourceType.ImageResource,
                QUrl(f"thumb:{image.sha256}"),
                thumbnail(image, 120),
            )
        self.schedule()
        return entry

    def entry(self, entry_id: int) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def append_text(self, entry: Entry, text: str) -> None:
        entry.text += text
        self.schedule()

    def finish(
        self,
        entry: Entry,
        state: str = "complete",
        error: str = "",
        action: tuple[str, str] | None = None,
    ) -> None:
        entry.state, entry.error, entry.action = state, error, action
        entry.html = None
        self.render_now()

    def clear_entries(self) -> None:
        self.entries.clear()
        self.render_now()

    def schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def render_now(self) -> None:
        self._timer.stop()
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        self.setHtml("".join(self._entry_html(entry) for entry in self.entries))
        self.renders += 1
        if at_bottom:
            bar.setValue(bar.maximum())

    def _entry_html(self, entry: Entry) -> str:
        if entry.html is not None:
            return entry.html
        from visiondesk.render import markdown_to_html, plain_to_html  # after the window shows

        dark = self.dark
        muted = "#9aa0a6" if dark else "#5f6368"
        if entry.role == "user":
            title = "You"
            body = plain_to_html(entry.text)
            if entry.images:
                body += (
                    "<p>"
                    + "&nbsp;".join(
                        f'<img src="thumb:{image.sha256}" alt="{html.escape(image.label)}">'
                        for image in entry.images
                    )
                    + "</p>"
                )
        elif entry.role == "notice":
            title = ""
            body = markdown_to_html(entry.text, dark)
        else:
            title = "Assistant"
            body = markdown_to_html(entry.text or ("…" if entry.state == "streaming" else ""), dark)
        links = self._links(entry)
        status = ""
        if entry.state == "streaming":
            status = f'<span style="color:{muted}">answering…</span>'
        elif entry.state == "cancelled":
            status = f'<span style="color:{muted}">stopped — partial answer kept</span>'
        elif entry.state == "interrupted":
            status = f'<span style="color:{muted}">interrupted</span>'
        error = ""
        if entry.error:
            colour = "#ff8a80" if dark else "#c62828"
            error = f'<p style="color:{colour}"><b>{html.escape(entry.error)}</b></p>'
        heading = f'<p style="color:{muted}"><b>{title}</b> {status} {links}</p>' if title else ""
        rendered = f"{heading}{body}{error}<hr>"
        if entry.state in ("complete", "failed", "cancelled"):
            entry.html = rendered
        return rendered

    @staticmethod
    def _links(entry: Entry) -> str:
        if entry.role == "notice" or entry.state == "streaming":
            return ""
        actions = [("copy", "Copy")]
        if entry.role == "assistant":
            actions.append(("inspect", "Inspect request"))
            if entry.state in ("failed", "cancelled", "interrupted"):
                actions.append(("retry", "Retry"))
            if entry.action is not None:
                actions.append(entry.action)
        return " · ".join(
            f'<a href="action:{name}:{entry.id}">{label}</a>' for name, label in actions
        )

    def _clicked(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("action:"):
            return
        _, name, entry_id = text.split(":", 2)
        if name == "copy":
            entry = self.entry(int(entry_id))
            if entry is not None:
                QGuiApplication.clipboard().setText(entry.text)
            return
        self.actionRequested.emit(name, int(entry_id))
