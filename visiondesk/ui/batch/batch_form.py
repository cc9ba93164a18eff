"""The batch panel's form: what to ask about which images, through which profile and engine.
It holds no job state; `spec()` turns it into a JobSpec (or says what is missing)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visiondesk.batch import JobSpec
from visiondesk.batch.answers import schema_problem
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, BatchEngine, Detail
from visiondesk.errors import VisionDeskError
from visiondesk.store.batches import JobRecord
from visiondesk.ui.window_memory import WindowMemory, note_folder, start_folder


class SourceList(QListWidget):
    """Folders and images to ask about; drop them here from the file manager."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setAccessibleName("Folders and images")
        self.setMaximumHeight(110)

    def add(self, path: str) -> None:
        if path and path not in self.paths():
            self.addItem(path)

    def paths(self) -> list[str]:
        return [self.item(n).text() for n in range(self.count())]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.add(url.toLocalFile())
        event.acceptProposedAction()


class BatchForm(QWidget):
    def __init__(
        self,
        profiles: dict[str, Profile],
        parent: QWidget | None = None,
        memory: WindowMemory | None = None,
    ) -> None:
        """`memory`: where the file dialogs start (the last image folder) and what they
        remember."""
        super().__init__(parent)
        self.profiles = profiles
        self.memory = memory
        self.sources = SourceList(self)
        self.recursive = QCheckBox("Include subfolders", self)
        self.recursive.setChecked(True)
        add_folder = QPushButton("Add folder…", self)
        add_images = QPushButton("Add images…", self)
        clear = QPushButton("Clear", self)
        add_folder.clicked.connect(self._pick_folder)
        add_images.clicked.connect(self._pick_images)
        clear.clicked.connect(self.sources.clear)
        self.prompt = QPlainTextEdit(self)
        self.prompt.setAccessibleName("Question")
        self.prompt.setPlaceholderText("The question asked about every image")
        self.prompt.setMaximumHeight(70)
        self.instructions = QLineEdit(self)
        self.instructions.setAccessibleName("Instructions")
        self.instructions.setPlaceholderText("Optional system instructions")
        self.schema = QPlainTextEdit(self)
        self.schema.setAccessibleName("JSON schema")
        self.schema.setPlaceholderText('Optional JSON schema, e.g. {"type": "object", …}')
        self.schema.setMaximumHeight(70)
        self.profile = QComboBox(self)
        self.profile.setAccessibleName("Profile")
        for key, profile in profiles.items():
            self.profile.addItem(profile.name, key)
        self.model = QComboBox(self)
        self.model.setEditable(True)
        self.model.setAccessibleName("Model")
        self.mode = _choices(self, "API mode", [ApiMode.CHAT.value, ApiMode.RESPONSES.value])
        self.detail = _choices(self, "Detail", [d.value for d in Detail])
        self.engine = _choices(self, "Engine", [e.value for e in BatchEngine])
        self.engine.setItemText(0, "live (now)")
        self.engine.setItemText(1, "Batch API (half price, within 24 h)")
        self.concurrency = QSpinBox(self)
        self.concurrency.setRange(1, 32)
        self.concurrency.setValue(4)
        self.concurrency.setAccessibleName("Requests at once")
        self.profile.currentIndexChanged.connect(self._profile_changed)
        self._profile_changed()

        buttons = QHBoxLayout()
        for button in (add_folder, add_images, clear):
            buttons.addWidget(button)
        buttons.addWidget(self.recursive)
        buttons.addStretch(1)
        where = QVBoxLayout()
        where.addWidget(self.sources)
        where.addLayout(buttons)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Images", where)
        form.addRow("Question", self.prompt)
        form.addRow("Instructions", self.instructions)
        form.addRow("Answer schema", self.schema)
        form.addRow("Profile", self.profile)
        form.addRow("Model", self.model)
        form.addRow("Mode", self.mode)
        form.addRow("Detail", self.detail)
        form.addRow("Engine", self.engine)
        form.addRow("Requests at once", self.concurrency)

    def selected_profile(self) -> Profile:
        return self.profiles[str(self.profile.currentData())]

    def spec(self) -> JobSpec:
        """The job the form describes; raises VisionDeskError naming what to fix."""
        if not self.sources.count():
            raise VisionDeskError("Add a folder or images first.")
        prompt = self.prompt.toPlainText().strip()
        if not prompt:
            raise VisionDeskError("Write the question to ask about each image.")
        schema = None
        if text := self.schema.toPlainText().strip():
            try:
                schema = json.loads(text)
            except ValueError as exc:
                raise VisionDeskError(f"The answer schema is not JSON: {exc}") from None
            problem = schema_problem(schema)
            if problem:
                raise VisionDeskError(f"The answer schema cannot be used: {problem}.")
        profile = self.selected_profile()
        return JobSpec(
            profile,
            prompt,
            self.model.currentText().strip() or profile.model,
            ApiMode(self.mode.currentData()),
            Detail(self.detail.currentData()),
            BatchEngine(self.engine.currentData()),
            self.instructions.text().strip() or None,
            schema,
        )

    def _profile_changed(self) -> None:
        if not self.profiles:
            return
        profile = self.selected_profile()
        self.model.clear()
        self.model.addItem(profile.model)
        self.model.setCurrentText(profile.model)
        mode = profile.mode.value if profile.mode is not ApiMode.ASSISTANTS else "chat"
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode)))
        self.detail.setCurrentIndex(max(0, self.detail.findData(profile.detail.value)))

    def show_job(self, record: JobRecord) -> None:
        """A job reopened shows its own settings (not what the form held)."""
        key = next((k for k, p in self.profiles.items() if p.name == record.profile), None)
        if key is not None:
            self.profile.setCurrentIndex(self.profile.findData(key))
            self._profile_changed()
        self.prompt.setPlainText(record.prompt)
        self.instructions.setText(record.instructions or "")
        self.schema.setPlainText(json.dumps(record.schema, indent=2) if record.schema else "")
        self.model.setCurrentText(record.model)
        self.mode.setCurrentIndex(max(0, self.mode.findData(record.mode.value)))
        self.detail.setCurrentIndex(max(0, self.detail.findData(record.detail.value)))
        self.engine.setCurrentIndex(max(0, self.engine.findData(record.engine.value)))

    def follow(self, profile_key: str, mode: ApiMode, model: str, detail: Detail) -> None:
        """Start from the conversation's profile, mode, model and detail (Assistants, which
        has no batch form, stays on the profile's own)."""
        index = self.profile.findData(profile_key)
        if index < 0:
            return
        self.profile.setCurrentIndex(index)
        self._profile_changed()
        if mode is not ApiMode.ASSISTANTS:
            self.mode.setCurrentIndex(max(0, self.mode.findData(mode.value)))
        if model:
            self.model.setCurrentText(model)
        self.detail.setCurrentIndex(max(0, self.detail.findData(detail.value)))

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Folder of images", start_folder(self.memory)
        )
        if folder:
            note_folder(self.memory, folder)
            self.sources.add(folder)

    def _pick_images(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Images", start_folder(self.memory))
        if files:
            note_folder(self.memory, files[0])
        for path in files:
            self.sources.add(str(Path(path)))


def _choices(parent: QWidget, name: str, values: list[str]) -> QComboBox:
    box = QComboBox(parent)
    box.setAccessibleName(name)
    for value in values:
        box.addItem(value, value)
    box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return box
