"""The find presenter: the find bar's search runs over the transcript's model (so messages
not built yet are found), the transcript highlights what it finds and shows the current match,
and the search follows the conversation as it changes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from visiondesk.ui.transcript.find_bar import FindBar
from visiondesk.ui.transcript.transcript_view import TranscriptView
from visiondesk.workspace.finding import Finding, again, find, texts
from visiondesk.workspace.transcript import Item, Transcript

FOLLOW_MS = 50
"""While an answer streams, the search runs again at most 20 times a second."""
WARM_CHUNK = 25
"""Messages read ahead per loop turn once the bar opens, so the first letter typed is quick."""


class FindWindow(Protocol):
    """What the presenter uses of the main window."""

    @property
    def transcript(self) -> TranscriptView: ...
    @property
    def find_bar(self) -> FindBar: ...
    @property
    def find_action(self) -> QAction: ...
    @property
    def find_next_action(self) -> QAction: ...
    @property
    def find_previous_action(self) -> QAction: ...
    def focus_composer(self) -> None: ...
    def window(self) -> QWidget: ...


class FindPresenter(QObject):
    def __init__(self, model: Transcript, window: FindWindow) -> None:
        super().__init__(window.window())
        self.model = model
        self.window = window
        self.finding = Finding()
        """The search shown: its matches and the current one."""
        bar = window.find_bar
        window.find_action.triggered.connect(self.open)
        window.find_next_action.triggered.connect(lambda: self.step(True))
        window.find_previous_action.triggered.connect(lambda: self.step(False))
        bar.query_changed.connect(self.search)
        bar.next_requested.connect(lambda: self.step(True))
        bar.previous_requested.connect(lambda: self.step(False))
        bar.close_requested.connect(self.close)
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setInterval(FOLLOW_MS)
        self._follow.timeout.connect(self._again)
        model = self.model
        model.added.connect(lambda _item: self._soon())
        model.changed.connect(lambda _item: self._soon())
        model.appended.connect(lambda _turn, _text: self._soon())
        model.removed.connect(lambda _item: self._soon())
        model.replaced.connect(lambda _old, _new: self._soon())  # a version, a delete, Undo
        model.reset.connect(self._reset)
        self._fresh = False
        self._warming: Iterator[Item] = iter(())
        self.reading = False
        """Whether the bar is still reading the messages' text ahead of a search."""
        self._warm = QTimer(self)
        self._warm.setSingleShot(True)
        self._warm.timeout.connect(self._warm_step)

    def open(self) -> None:
        """Ctrl+F: the bar, its field focused; a search it still holds shows again."""
        bar = self.window.find_bar
        bar.open()
        self._warming = iter(self.model.items)
        self.reading = True
        self._warm.start()
        if bar.query and not self.window.transcript.query:
            self.search(bar.query)

    def search(self, query: str) -> None:
        """A search as typed: its current match is the one nearest what is in sight."""
        self._fresh = False
        self.finding = find(self.model.items, query, self.window.transcript.first_in_sight())
        self._show(reveal=True)

    def step(self, forward: bool) -> None:
        """The next or previous match, round the end (F3 with the bar closed opens it)."""
        bar = self.window.find_bar
        if not bar.isVisible():
            self.open()
        self.finding = self.finding.step(forward)
        self._show(reveal=True)

    def close(self) -> None:
        """Esc: the highlights go and typing goes to the question again."""
        self.window.find_bar.hide()
        self.finding = Finding(self.finding.query)
        self.window.transcript.mark("", (), None)
        self.window.focus_composer()

    def _reset(self) -> None:
        self._fresh = True  # another conversation: its own matches, the one nearest its end
        self._soon()

    def _soon(self) -> None:
        if self.window.find_bar.isVisible() and self.finding.query and not self._follow.isActive():
            self._follow.start()

    def _again(self) -> None:
        """The conversation changed: the same search over what it holds now."""
        items = self.model.items
        if self._fresh:
            self._fresh = False
            near = items[-1].id if items else None
            self.finding = find(items, self.finding.query, near)
        else:
            self.finding = again(self.finding, items)
        if self.window.find_bar.isVisible():
            self._show(reveal=False)

    def _show(self, reveal: bool) -> None:
        finding = self.finding
        self.window.transcript.mark(finding.query, finding.hits, finding.hit)
        self.window.find_bar.show_count(finding.words, bool(finding.hits))
        if reveal and finding.hit is not None:
            self.window.transcript.reveal(finding.hit)

    def _warm_step(self) -> None:
        read = 0
        for item in itertools.islice(self._warming, WARM_CHUNK):
            texts(item)
            read += 1
        self.reading = read == WARM_CHUNK  # more may follow
        if self.reading:
            self._warm.start()
