"""The request inspector: the exact requests of a turn (base64 shortened) and code that
reproduces it — "Copy as Python" (openai SDK) and "Copy as curl"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from visiondesk.api.snippets import as_curl, as_python, write_images
from visiondesk.config.paths import cache_dir
from visiondesk.domain import Question, Replay

if TYPE_CHECKING:
    from visiondesk.workspace import Turn as TurnRecord


class InspectorDialog(QDialog):
    """The requests of one turn of the transcript, and code that reproduces it."""

    def __init__(self, record: TurnRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        self.replay: Replay | None = record.replay  # without it (reopened), the turn alone
        self.setWindowTitle("Request inspector")
        self.setAccessibleName("Request inspector")
        self.resize(900, 600)
        self.steps = QListWidget(self)
        self.steps.setAccessibleName("Requests")
        for request in record.requests:
            note = f"  ({request.note})" if request.note else ""
            self.steps.addItem(f"{request.method} {request.path}{note}")
        self.body = QPlainTextEdit(self)
        self.body.setReadOnly(True)
        self.body.setAccessibleName("Request body")
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.steps.currentRowChanged.connect(self._show)
        splitter = QSplitter(self)
        splitter.addWidget(self.steps)
        splitter.addWidget(self.body)
        splitter.setSizes([280, 620])
        summary = QLabel(
            f"{record.mode.value} · {record.model} · {record.base_url} · "
            f"{len(record.images)} image(s)",
            self,
        )
        python = QPushButton("Copy as Python", self)
        python.setAccessibleName("Copy as Python")
        python.clicked.connect(self.copy_python)
        curl = QPushButton("Copy as curl", self)
        curl.setAccessibleName("Copy as curl")
        curl.clicked.connect(self.copy_curl)
        self.copied = QLabel("", self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for widget in (python, curl, self.copied):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        if record.requests:
            self.steps.setCurrentRow(len(record.requests) - 1)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.record.requests):
            request = self.record.requests[row]
            body = (
                json.dumps(request.body, indent=2, ensure_ascii=False)
                if request.body
                else "(no body)"
            )
            self.body.setPlainText(
                f"{request.method} {self.record.base_url}{request.path}\n\n{body}"
            )

    def _replay(self) -> tuple[Replay, list[Path | None]]:
        record = self.record
        replay = self.replay or Replay(
            record.mode,
            record.base_url,
            Question(record.prompt, tuple(record.images), record.model),
        )
        return replay, write_images(replay.images, cache_dir() / "inspector")

    def python_code(self) -> str:
        return as_python(*self._replay())

    def curl_code(self) -> str:
        return as_curl(*self._replay())

    def copy_python(self) -> None:
        QGuiApplication.clipboard().setText(self.python_code())
        self.copied.setText(
            "Python copied (images saved beside the cache; key from $OPENAI_API_KEY)"
        )

    def copy_curl(self) -> None:
        QGuiApplication.clipboard().setText(self.curl_code())
        self.copied.setText("curl copied (needs base64 and jq; key from $OPENAI_API_KEY)")
