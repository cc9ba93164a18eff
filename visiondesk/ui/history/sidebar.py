"""The conversations: new, rename, delete, and search by text. Each row shows the
conversation's first image, its title and when it was last used (`conversation_rows`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.ui.history.row_data import DATE_ROLE, PICTURE_ROLE, PICTURE_SIDE, when

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
        self._painted = False  # the rows' painter is loaded with the first rows (start-up)
        self.list.setUniformItemSizes(True)  # 500 rows lay out at once
        # Long titles are elided (the tooltip and accessible text have them whole).
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

    @property
    def picture_pixels(self) -> int:
        """A picture's side in device pixels: sharp on this screen at its scale."""
        return round(PICTURE_SIDE * self.devicePixelRatioF())

    def show_conversations(
        self,
        conversations: list[StoredConversation],
        current: int | None,
        pictures: Mapping[int, QImage] | None = None,
    ) -> None:
        """The list, with the open conversation (and only it) highlighted, and the pictures
        already at hand (`show_pictures` brings the rest)."""
        if not self._painted:
            from visiondesk.ui.history.conversation_rows import RowDelegate

            self.list.setItemDelegate(RowDelegate(self.list))
            self._painted = True
        self.list.blockSignals(True)
        self.list.clear()
        chosen: QListWidgetItem | None = None
        pictures = pictures or {}
        for conversation in conversations:
            marker = INSTRUCTED if conversation.instructions else ""
            item = QListWidgetItem(f"{marker}{conversation.title}")
            item.setData(Qt.ItemDataRole.UserRole, conversation.id)
            date = when(conversation.updated_at)
            item.setData(DATE_ROLE, date)
            told = " ".join((conversation.instructions or "").split())
            own = ", with its own instructions" if told else ""
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{conversation.title}, {date}{own}")
            tip = f"{conversation.title}\n{conversation.model} · {conversation.mode} · "
            tip += conversation.profile  # the whole title first: the row may elide it
            if conversation.compare_of is not None:  # one row for every column
                tip = f"{conversation.title}\n" + (
                    "A blind compare" if conversation.compare_blind else "A compare of models"
                )
            if told:  # what the conversation was told, at a glance
                tip += f"\nInstructions: {told[:120]}{'…' if len(told) > 120 else ''}"
            item.setToolTip(tip)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, tip)
            if conversation.id in pictures:
                item.setData(PICTURE_ROLE, pictures[conversation.id])
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

    def show_pictures(self, pictures: Mapping[int, QImage]) -> None:
        """Each row's picture, where it has one."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            picture = pictures.get(int(item.data(Qt.ItemDataRole.UserRole)))
            if picture is not None and item.data(PICTURE_ROLE) is not picture:
                item.setData(PICTURE_ROLE, picture)

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
