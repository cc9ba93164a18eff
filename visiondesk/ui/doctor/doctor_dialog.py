"""Tools → Check a request…: paste a request (JSON or curl), see what the API will say about
each image and part, and copy the request fixed — or open it as a new conversation.

The check runs on a worker thread (decoding and preparing a 12 MP photo takes a moment) as a
job of the group "doctor", so the window never freezes: however it ends, Check works again, a
failure is said in the summary, and closing the dialog stops waiting for it.
"""

from __future__ import annotations

import asyncio
import json

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QPixmap,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from visiondesk.doctor import Report, diagnose
from visiondesk.doctor.check import CheckedImage
from visiondesk.doctor.conversation import DoctorConversation, conversation_of
from visiondesk.doctor.locate import span_of
from visiondesk.doctor.snippet import as_python
from visiondesk.domain import human_bytes
from visiondesk.errors import VisionDeskError, in_words
from visiondesk.workspace.jobs import Group, Jobs

PATH_ROLE = Qt.ItemDataRole.UserRole
DOCTOR = Group.DOCTOR
ERROR_COLOUR = QColor(255, 205, 205)
WARNING_COLOUR = QColor(255, 236, 179)


class DoctorDialog(QDialog):
    """A self-contained checker: it takes no app state and hands back a DoctorConversation.

    Signals: `open_requested(DoctorConversation)`, `report_changed()`.
    """

    open_requested = Signal(object)
    """A DoctorConversation: the request's question and images, its mode and model."""
    report_changed = Signal()
    """A check ended (its report, the reason the input is unusable, or its failure, is shown)."""

    def __init__(self, parent: QWidget | None = None, *, jobs: Jobs | None = None) -> None:
        """`jobs`: the workspace's job helper (a dialog of its own gets its own)."""
        super().__init__(parent)
        self.setWindowTitle("Check a request")
        self.setAccessibleName("Check a request")
        self.resize(1000, 680)
        self.report: Report | None = None
        self.jobs = jobs if jobs is not None else Jobs()
        self._checked_text = ""
        self.request_edit = QPlainTextEdit(self)
        self.request_edit.setAccessibleName("Request")
        self.request_edit.setPlaceholderText(
            "Paste a request body (JSON) or a curl command, then press Check."
        )
        self.request_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.problems_list = QListWidget(self)
        self.problems_list.setAccessibleName("Problems")
        self.problems_list.setWordWrap(True)
        self.problems_list.currentItemChanged.connect(self._select_path)
        self.images_list = QListWidget(self)
        self.images_list.setAccessibleName("Images")
        self.images_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.images_list.setIconSize(QSize(96, 96))
        self.images_list.setMaximumHeight(150)
        self.check_button = self._button("Check", self.check)
        self.copy_fixed_button = self._button("Copy fixed request", self.copy_fixed)
        self.copy_python_button = self._button("Copy as Python", self.copy_python)
        self.open_button = self._button("Open in VisionDesk", self.open_in_visiondesk)
        self._layout()
        self._enable(False)
        self.jobs.changed.connect(self._jobs_changed)
        self._closed = False

    @property
    def checking(self) -> bool:
        return self.jobs.running(DOCTOR)

    def _jobs_changed(self) -> None:
        self.check_button.setEnabled(not self.checking)

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text)
        button.clicked.connect(slot)
        return button

    def _layout(self) -> None:
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary)
        column.addWidget(self.problems_list, 1)
        column.addWidget(QLabel("Images", self))
        column.addWidget(self.images_list)
        splitter = QSplitter(self)
        splitter.addWidget(self.request_edit)
        splitter.addWidget(right)
        splitter.setSizes([520, 480])
        buttons = QHBoxLayout()
        for button in (self.check_button, self.copy_fixed_button, self.copy_python_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        close = self._button("Close", self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def check(self) -> None:
        """Check the pasted text on the worker thread; `report_changed` fires when it is shown."""
        if self.checking:
            return
        self._checked_text = self.request_edit.toPlainText()
        self.summary.setText("Checking…")
        self.jobs.start(
            DOCTOR,
            asyncio.to_thread(_diagnose, self._checked_text),
            success=self._show,
            failure=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self._show(f"✗ The check could not finish: {in_words(error)} — press Check to try again.")

    def _show(self, result: Report | str) -> None:
        self.problems_list.clear()
        self.images_list.clear()
        if isinstance(result, str):
            self.report = None
            self.summary.setText(result)
            self._enable(False)
            self.report_changed.emit()
            return
        self.report = result
        errors = len(result.checked.errors)
        warnings = len(result.problems) - errors
        verdict = (
            "No problems found."
            if not result.problems
            else (f"{errors} error(s), {warnings} warning(s).")
        )
        read = "".join(f" Read the local file {file.path}." for file in result.local_files)
        self.summary.setText(f"{result.endpoint.value} · {result.model} — {verdict}{read}")
        for problem in result.problems:
            where = problem.path or "(the whole request)"
            item = QListWidgetItem(
                f"{problem.severity.value.upper()} · {problem.code.value} · {where}\n"
                f"{problem.message}\nFix: {problem.fix}"
            )
            item.setData(PATH_ROLE, problem.path)
            self.problems_list.addItem(item)
        for image in result.checked.images:
            self.images_list.addItem(_image_item(image))
        self._highlight(result)
        self._enable(True)
        self.copy_fixed_button.setEnabled(result.fixed is not None)
        self.report_changed.emit()

    def _enable(self, on: bool) -> None:
        for button in (self.copy_fixed_button, self.copy_python_button, self.open_button):
            button.setEnabled(on)

    def _span(self, path: str) -> tuple[int, int] | None:
        """Where `path` is in the box: the pasted JSON, or the body inside a curl command."""
        if self.report is None or self.request_edit.toPlainText() != self._checked_text:
            return None  # edited since the check: the paths point elsewhere now
        span = span_of(self.report.text, path)
        offset = self._checked_text.find(self.report.text)
        if span is None or offset < 0:
            return None
        return offset + span[0], offset + span[1]

    def _highlight(self, report: Report) -> None:
        """Colour every problem's value in the request: red for errors, amber for warnings."""
        marks = []
        for problem in report.problems:
            span = self._span(problem.path)
            if span is None:
                continue
            mark = QTextEdit.ExtraSelection()
            mark.cursor = self.request_edit.textCursor()
            mark.cursor.setPosition(span[0])
            mark.cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
            colour = ERROR_COLOUR if problem.is_error else WARNING_COLOUR
            mark.format = QTextCharFormat()
            mark.format.setBackground(colour)
            marks.append(mark)
        self.request_edit.setExtraSelections(marks)

    def _select_path(self, item: QListWidgetItem | None) -> None:
        """Select the problem's path in the request as pasted (inside a curl command too)."""
        span = self._span(str(item.data(PATH_ROLE) or "")) if item is not None else None
        if span is None:
            return
        cursor = self.request_edit.textCursor()
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        self.request_edit.setTextCursor(cursor)
        self.request_edit.centerCursor()

    def copy_fixed(self) -> None:
        if self.report is not None and self.report.fixed is not None:
            text = json.dumps(self.report.fixed, indent=2, ensure_ascii=False)
            QGuiApplication.clipboard().setText(text)

    def copy_python(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(as_python(self.report))

    def open_in_visiondesk(self) -> None:
        if self.report is None:
            return
        conversation: DoctorConversation = conversation_of(self.report)
        self.open_requested.emit(conversation)
        self.accept()

    def done(self, result: int) -> None:
        """However the dialog closes, its check stops (its thread's answer is dropped)."""
        if not self._closed:
            self._closed = True
            self.jobs.cancel(DOCTOR)
            self.jobs.changed.disconnect(self._jobs_changed)
        super().done(result)


def _diagnose(text: str) -> Report | str:
    try:
        return diagnose(text)
    except VisionDeskError as error:
        return str(error)


def _image_item(image: CheckedImage) -> QListWidgetItem:
    record = image.record()
    size = f"{record['width']}×{record['height']}" if record["width"] else "URL"
    weight = human_bytes(record["bytes"]) if record["bytes"] is not None else "size unknown"
    tokens = record["tokens"] if record["tokens"] is not None else "?"
    then = record["tokens_if_prepared"]
    label = f"{size} · {weight}\n{tokens} tokens" + (f" → {then}" if then is not None else "")
    item = QListWidgetItem(label)
    item.setToolTip(str(record["path"]))
    if image.prepared is not None and image.prepared.thumbnail:
        pixmap = QPixmap()
        pixmap.loadFromData(image.prepared.thumbnail)
        item.setIcon(QIcon(pixmap))
    return item
