"""The conversations: new, rename, delete, and search by text."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the window shows before the history (sqlite3) is loaded
    from visiondesk.store import StoredConversation


class Sidebar(QWidget):
    """The stored conversations, newest first, as the history presenter gives them.

    Signals: `open_requested(id)`, `new_requested()`, `rename_requested(id)`,
    `delete_requested(id)`, `search_changed(str)`, `done_choosing()` (Enter on the list: go on
    to the question).
    """

    open_requested = Signal(int)
    new_requested = Signal()
    rename_requested = Signal(int)
    delete_requested = Signal(int)
    search_changed = Signal(str)
    done_choosing = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Conversations")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search conversations")
        self.search.setAccessibleName("Search conversations")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.search_changed)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Conversation list")
        self.list.setWordWrap(True)  # and eliding on the right, the default
        # Long titles wrap; never a sideways scroll.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The highlight is the open conversation: moving it (click, arrows) opens that one.
        self.list.currentItemChanged.connect(self._chosen)
        self.list.itemActivated.connect(lambda _item: self.done_choosing.emit())
        # A click chose: typing goes on in that conversation's question (arrows keep the list).
        # On the release, not `itemClicked`: opening rebuilds the list under the press.
        self.list.viewport().installEventFilter(self)
        new = QPushButton("New", self)
        new.setAccessibleName("New conversation")
        new.clicked.connect(self.new_requested)
        rename = QPushButton("Rename", self)
        rename.setAccessibleName("Rename conversation")
        rename.clicked.connect(lambda: self._with_current("rename"))
        delete = QPushButton("Delete", self)
        delete.setAccessibleName("Delete conversation")
        delete.clicked.connect(lambda: self._with_current("delete"))
        self.buttons = (new, rename, delete)
        buttons = QHBoxLayout()
        for button in self.buttons:
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.setMinimumWidth(200)

    def show_conversations(
        self, conversations: list[StoredConversation], current: int | None
    ) -> None:
        """The list, with the open conversation (and only it) highlighted."""
        self.list.blockSignals(True)
        self.list.clear()
        chosen: QListWidgetItem | None = None
        for conversation in conversations:
            marker = INSTRUCTED if conversation.instructions else ""
            item = QListWidgetItem(f"{marker}{conversation.title}\n{_age(conversation.updated_at)}")
            item.setData(Qt.ItemDataRole.UserRole, conversation.id)
            tip = f"{conversation.model} · {conversation.mode} · {conversation.profile}"
            if conversation.instructions:  # what the conversation was told, at a glance
                told = " ".join(conversation.instructions.split())
                tip += f"\nInstructions: {told[:120]}{'…' if len(told) > 120 else ''}"
            item.setToolTip(tip)
            self.list.addItem(item)
            if conversation.id == current:
                chosen = item
        if chosen is not None:
            self.list.setCurrentItem(chosen)
        else:  # nothing highlighted, and no stray current row for Delete to act on
            self.list.setCurrentRow(-1)
            self.list.clearSelection()
        self.list.blockSignals(False)
        for button in self.buttons[1:]:
            button.setEnabled(chosen is not None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.list.viewport()
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and self.list.itemAt(event.position().toPoint()) is not None
        ):
            self.done_choosing.emit()
        return super().eventFilter(watched, event)

    def _chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.open_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _with_current(self, action: str) -> None:
        selected = self.list.selectedItems()
        if selected:
            signal = self.rename_requested if action == "rename" else self.delete_requested
            signal.emit(int(selected[0].data(Qt.ItemDataRole.UserRole)))


INSTRUCTED = "✎ "
"""Before the title of a conversation with instructions of its own."""


def _age(timestamp: float) -> str:
    seconds = max(0, time.time() - timestamp)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 86400:
        return f"{seconds // 3600:.0f} h ago"
    return time.strftime("%Y-%m-%d", time.localtime(timestamp))
