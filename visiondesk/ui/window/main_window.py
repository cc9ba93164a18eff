"""The main window: toolbar, attachments row, transcript, composer and status bar. It holds
widgets only; `controller.Controller` gives them behaviour, so the window can appear before the
SDK and the pipeline are imported."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QMoveEvent,
    QResizeEvent,
    QWindow,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from visiondesk.ui.attachments.attachment_row import AttachmentRow
from visiondesk.ui.history.sidebar import Sidebar
from visiondesk.ui.screen_fit import fit_to_screen
from visiondesk.ui.transcript.find_bar import FindBar
from visiondesk.ui.transcript.transcript_view import TranscriptView
from visiondesk.ui.widgets.composer import Composer
from visiondesk.ui.widgets.elided_label import ElidedLabel
from visiondesk.ui.widgets.overlays import Banner, DropHighlight
from visiondesk.ui.window.drop_target import DropTarget
from visiondesk.ui.window.sidebar_fold import SidebarFold
from visiondesk.ui.window.toolbar import PanelIcon, ToolbarRows

FOCUS_RING = "QPushButton#send:focus { border: 2px solid palette(highlight); border-radius: 4px; }"


class MainWindow(DropTarget):
    """Widgets only; the presenters give them behaviour.

    Signals: `attach_requested(mime)` (something dropped), `close_requested()` (the window is
    closing: jobs stop), `geometry_changed()` (moved, resized, or the sidebar dragged).
    """

    attach_requested = Signal(QMimeData)
    close_requested = Signal()
    geometry_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("VisionDesk")
        self.setAcceptDrops(True)
        fit_to_screen(self, QSize(1100, 760))
        self._build_toolbar()
        self.attachment_row = AttachmentRow(self)
        self.transcript = TranscriptView(self)
        self.find_bar = FindBar(self)
        self.composer = Composer(self)
        self.composer.setAcceptDrops(False)  # the window takes every drop (and highlights)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("send")
        self.send_button.setAccessibleName("Send")
        self.send_button.setMinimumHeight(40)
        self.send_button.setStyleSheet(FOCUS_RING)
        self._busy = False
        self.composer.textChanged.connect(self._enable_send)
        self.attach_button = QPushButton("Attach…", self)  # File → Open images…, in sight
        self.attach_button.setAccessibleName("Attach images")
        self.attach_button.setToolTip("Attach images (Ctrl+O); or drop or paste them")
        send_column = QVBoxLayout()  # Send sits at the bottom of a growing question
        send_column.addStretch(1)
        send_column.addWidget(self.attach_button)
        self.capture_button = QPushButton("Capture", self)
        self.capture_button.setAccessibleName("Capture a screen region")
        self.capture_button.setToolTip(
            "Capture a region of the screen into the question (Ctrl+Shift+A)"
        )
        send_column.addWidget(self.capture_button)
        send_column.addWidget(self.send_button)
        composer_row = QHBoxLayout()
        composer_row.addWidget(self.composer, 1)
        composer_row.addLayout(send_column)
        self.banner = Banner(self)
        main = QWidget(self)
        layout = QVBoxLayout(main)
        layout.setContentsMargins(4, 4, 8, 8)
        layout.addWidget(self.banner)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.attachment_row)
        layout.addLayout(composer_row)
        self.sidebar = Sidebar(self)
        self.splitter = QSplitter(self)  # side by side
        self.splitter.setObjectName("sidebar-splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(main)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 900])
        self.splitter.setCollapsible(0, False)  # hidden by its toggle, never dragged to 0
        self.setCentralWidget(self.splitter)
        self.sidebar_fold = SidebarFold(
            self.splitter, self.sidebar, self.sidebar_action, self.composer
        )
        self.connection_label = ElidedLabel("Starting…", self)
        self.connection_label.setAccessibleName("Connection")
        self.tokens_label = ElidedLabel("", self)
        self.tokens_label.setAccessibleName("Tokens")
        # Room is shared 3:2 whatever the texts' lengths, so in a narrow window both lines
        # shorten with "…" and the connection's never shrinks to a word.
        for label in (self.connection_label, self.tokens_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.tokens_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.statusBar().addWidget(self.connection_label, 3)
        self.statusBar().addPermanentWidget(self.tokens_label, 2)
        self._build_menus()
        self.drop_highlight = DropHighlight(self)
        self._tab_order()
        self.attach_button.clicked.connect(self.open_action.trigger)
        self.capture_button.clicked.connect(self.capture_action.trigger)
        self._enable_send()
        self.composer.setFocus()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._focus_window_changed)

    def _build_toolbar(self) -> None:
        self.sidebar_action = QAction(QIcon(PanelIcon()), "&Conversations", self)
        self.sidebar_action.setShortcut(QKeySequence("F9"))
        self.sidebar_action.setToolTip("Show or hide the conversations (F9)")
        self.addAction(self.sidebar_action)
        self.toolbars = ToolbarRows(self, self.sidebar_action)
        self.toolbar = self.toolbars.first
        self.profile_box = self.toolbars.profile_box
        self.model_box = self.toolbars.model_box
        self.mode_box = self.toolbars.mode_box
        self.detail_box = self.toolbars.detail_box
        self.setMinimumWidth(self.toolbars.least)  # never so narrow that a box hides behind »

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        self.geometry_changed.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Narrow (800 px at 2× scale), the conversation list folds away first, then the
        toolbar drops its labels (the boxes' tooltips and accessible names stay) and wraps
        onto two rows, rather than hiding a box behind »."""
        super().resizeEvent(event)
        self.geometry_changed.emit()
        self.sidebar_fold.fit(self.width())
        self.toolbars.fit(self.width())

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New conversation", QKeySequence.StandardKey.New)
        self.open_action = self._action(file_menu, "&Open images…", QKeySequence.StandardKey.Open)
        self.batch_action = self._action(file_menu, "&Batch…", QKeySequence("Ctrl+B"))
        self.capture_action = self._action(
            file_menu, "&Capture screen region…", QKeySequence("Ctrl+Shift+A")
        )
        self.capture_action.setToolTip("Capture a region of the screen into the question")
        file_menu.addSeparator()
        self.export_markdown_action = self._action(file_menu, "Export as &Markdown…", None)
        self.export_html_action = self._action(file_menu, "Export as &HTML…", None)
        self.backup_action = self._action(file_menu, "Back &up history…", None)
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        edit_menu = self.menuBar().addMenu("&Edit")
        # Anywhere in the window; a text field under focus keeps its own text paste.
        self.paste_action = self._action(edit_menu, "&Paste image", QKeySequence.StandardKey.Paste)
        edit_menu.addSeparator()
        self.find_action = self._action(edit_menu, "&Find…", QKeySequence.StandardKey.Find)
        self.find_next_action = self._action(
            edit_menu, "Find &next", QKeySequence.StandardKey.FindNext
        )
        self.find_previous_action = self._action(
            edit_menu, "Find pre&vious", QKeySequence.StandardKey.FindPrevious
        )
        edit_menu.addSeparator()
        self.settings_action = self._action(edit_menu, "&Settings…", QKeySequence("Ctrl+,"))
        tools_menu = self.menuBar().addMenu("&Tools")
        self.check_request_action = self._action(tools_menu, "&Check a request…", None)
        self.check_history_action = self._action(tools_menu, "Check &history", None)
        view_menu = self.menuBar().addMenu("&View")
        self.question_action = self._action(view_menu, "Go to &question", QKeySequence("Ctrl+L"))
        self.question_action.triggered.connect(self.focus_composer)
        self.search_action = self._action(
            view_menu, "&Search conversations", QKeySequence("Ctrl+K")
        )
        self.search_action.triggered.connect(self.focus_search)
        view_menu.addAction(self.sidebar_action)
        view_menu.addSeparator()
        self.inspect_action = self._action(view_menu, "Request &inspector", QKeySequence("Ctrl+I"))
        self.storage_action = self._action(view_menu, "Uploaded &files…", None)
        help_menu = self.menuBar().addMenu("&Help")
        self.log_action = self._action(help_menu, "Open &log folder", None)
        self.about_action = self._action(help_menu, "&About VisionDesk", None)

    def _action(
        self, menu: QMenu, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | None
    ) -> QAction:
        action = QAction(text, self)
        # setShortcuts: a standard key gets every binding the platform has for it.
        if shortcut is not None:
            action.setShortcuts([shortcut] if isinstance(shortcut, QKeySequence) else shortcut)
        menu.addAction(action)
        self.addAction(action)  # its shortcut works wherever focus is in the window
        return action

    def _tab_order(self) -> None:
        """Toolbar, conversations, transcript, attachments, question, Send: top to bottom."""
        sidebar = self.sidebar
        chain: list[QWidget] = [
            self.profile_box,
            self.model_box,
            self.mode_box,
            self.detail_box,
            sidebar.search,
            sidebar.list,
            *sidebar.buttons,
            self.transcript,
            self.composer,
            self.send_button,
            self.attach_button,
            self.capture_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.attachment_row.tab_between = (self.transcript, self.composer)

    def focus_composer(self) -> None:
        self.activateWindow()
        self.composer.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        if not self.sidebar.isVisibleTo(self):
            self.sidebar_fold.show()  # folded away: searching brings the list back
        self.sidebar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.sidebar.search.selectAll()

    def _focus_window_changed(self, focused: QWindow | None) -> None:
        """When a dialog of this window closes, typing goes to the question again."""
        mine = self.windowHandle()
        if focused is not None and mine is not None and focused.transientParent() is mine:
            focused.visibleChanged.connect(self._dialog_shown, Qt.ConnectionType.UniqueConnection)

    def _dialog_shown(self, visible: bool) -> None:
        if not visible and self.isVisible():
            self.focus_composer()

    def _enable_send(self) -> None:
        """Send only with a question typed (the app never makes one up); Stop always."""
        typed = bool(self.composer.toPlainText().strip())
        self.send_button.setEnabled(self._busy or typed)
        self.send_button.setToolTip(
            "Stop the answer (Esc)"
            if self._busy
            else "Send (Enter)"
            if typed
            else "Type a question first"
        )

    def set_busy(self, busy: bool) -> None:
        """While a turn runs, Send turns into Stop."""
        self._busy = busy
        self.send_button.setText("Stop" if busy else "Send")
        self.send_button.setAccessibleName("Stop" if busy else "Send")
        self._enable_send()
        if not busy and self.isActiveWindow() and self.focusWidget() is self.send_button:
            self.focus_composer()  # Stop has gone: typing goes on in the question

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_requested.emit()
        super().closeEvent(event)
