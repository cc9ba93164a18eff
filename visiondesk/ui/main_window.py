"""The main window: toolbar, attachment canvas, transcript, composer and status bar.

It holds widgets only; `controller.Controller` gives them behaviour, so the window can appear
before the SDK and the pipeline are imported.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from visiondesk.ui.canvas import Canvas
from visiondesk.ui.composer import Composer
from visiondesk.ui.sidebar import Sidebar
from visiondesk.ui.transcript import Transcript

MODES = [("chat", "Chat Completions"), ("responses", "Responses"), ("assistants", "Assistants")]
DETAILS = ["auto", "high", "low", "original"]


class Banner(QFrame):
    """A line above the transcript when part of the history could not be read.

    Signals: `export_requested()`, `check_requested()`.
    """

    export_requested = Signal()
    check_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("History problem")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        export = QPushButton("Export what can be read", self)
        export.clicked.connect(self.export_requested)
        check = QPushButton("Check history", self)
        check.clicked.connect(self.check_requested)
        row = QHBoxLayout(self)
        row.addWidget(self.text, 1)
        row.addWidget(export)
        row.addWidget(check)
        self.hide()

    def show_damage(self, damage: str) -> None:
        self.text.setText(damage)
        self.setVisible(bool(damage))


class MainWindow(QMainWindow):
    """Widgets only; the presenters give them behaviour.

    Signals: `attach_requested(mime)` (something dropped), `close_requested()` (the window is
    closing: jobs stop).
    """

    attach_requested = Signal(QMimeData)
    close_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("VisionDesk")
        self.setAcceptDrops(True)
        self.resize(1100, 760)
        self._build_toolbar()
        self.canvas = Canvas(self)
        self.transcript = Transcript(self)
        self.composer = Composer(self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setAccessibleName("Send")
        self.send_button.setDefault(True)
        self.send_button.setMinimumHeight(40)
        composer_row = QHBoxLayout()
        composer_row.addWidget(self.composer, 1)
        composer_row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.banner = Banner(self)
        conversation = QWidget(self)
        conversation_layout = QVBoxLayout(conversation)
        conversation_layout.setContentsMargins(0, 0, 0, 0)
        conversation_layout.addWidget(self.banner)
        conversation_layout.addWidget(self.transcript, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.canvas)
        splitter.addWidget(conversation)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 500])
        main = QWidget(self)
        layout = QVBoxLayout(main)
        layout.setContentsMargins(4, 4, 8, 8)
        layout.addWidget(splitter, 1)
        layout.addLayout(composer_row)
        self.sidebar = Sidebar(self)
        outer = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(self.sidebar)
        outer.addWidget(main)
        outer.setStretchFactor(1, 1)
        outer.setSizes([230, 900])
        self.setCentralWidget(outer)
        self.connection_label = QLabel("Starting…", self)
        self.connection_label.setAccessibleName("Connection")
        self.tokens_label = QLabel("", self)
        self.tokens_label.setAccessibleName("Tokens")
        self.statusBar().addWidget(self.connection_label, 1)
        self.statusBar().addPermanentWidget(self.tokens_label)
        self._build_menus()
        self.composer.setFocus()

    def _build_toolbar(self) -> None:
        bar = QToolBar("Conversation", self)
        bar.setObjectName("conversation-toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.profile_box = self._combo(bar, "Profile", 180)
        self.model_box = self._combo(bar, "Model", 170)
        self.model_box.setEditable(True)
        self.mode_box = self._combo(bar, "API mode", 170)
        for value, label in MODES:
            self.mode_box.addItem(label, value)
        self.detail_box = self._combo(bar, "Detail", 100)
        for value in DETAILS:
            self.detail_box.addItem(value, value)

    def _combo(self, bar: QToolBar, name: str, width: int) -> QComboBox:
        label = QLabel(f" {name}: ", bar)
        box = QComboBox(bar)
        box.setAccessibleName(name)
        box.setMinimumWidth(width)
        label.setBuddy(box)
        bar.addWidget(label)
        bar.addWidget(box)
        return box

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New conversation", QKeySequence.StandardKey.New)
        self.open_action = self._action(file_menu, "&Open images…", QKeySequence.StandardKey.Open)
        self.batch_action = self._action(file_menu, "&Batch…", QKeySequence("Ctrl+B"))
        file_menu.addSeparator()
        self.export_markdown_action = self._action(file_menu, "Export as &Markdown…", None)
        self.export_html_action = self._action(file_menu, "Export as &HTML…", None)
        self.backup_action = self._action(file_menu, "Back &up history…", None)
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.paste_action = self._action(edit_menu, "&Paste image", QKeySequence.StandardKey.Paste)
        self.paste_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.settings_action = self._action(edit_menu, "&Settings…", QKeySequence("Ctrl+,"))
        tools_menu = self.menuBar().addMenu("&Tools")
        self.check_request_action = self._action(tools_menu, "&Check a request…", None)
        self.check_history_action = self._action(tools_menu, "Check &history", None)
        view_menu = self.menuBar().addMenu("&View")
        self.inspect_action = self._action(view_menu, "Request &inspector", QKeySequence("Ctrl+I"))
        self.storage_action = self._action(view_menu, "Uploaded &files…", None)
        help_menu = self.menuBar().addMenu("&Help")
        self.log_action = self._action(help_menu, "Open &log folder", None)
        self.about_action = self._action(help_menu, "&About VisionDesk", None)

    def _action(
        self, menu: QMenu, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        menu.addAction(action)
        return action

    def show_modes(self, missing: dict[str, str], unknown: dict[str, str]) -> None:
        """Grey out the API modes the server lacks (the reason as tooltip); modes it failed on
        when asked stay selectable, with what it said."""
        items = self.mode_box.model()
        for index in range(self.mode_box.count()):
            item = items.item(index)  # type: ignore[attr-defined]
            mode = str(self.mode_box.itemData(index))
            item.setEnabled(mode not in missing)
            item.setToolTip(missing.get(mode) or unknown.get(mode, ""))

    def set_busy(self, busy: bool) -> None:
        """While a turn runs, Send turns into Stop."""
        self.send_button.setText("Stop" if busy else "Send")
        self.send_button.setAccessibleName("Stop" if busy else "Send")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage() or mime.hasText():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.attach_requested.emit(event.mimeData())
        event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_requested.emit()
        super().closeEvent(event)
