"""The main window. For now a welcome screen listing the images it was opened with."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QMainWindow, QVBoxLayout, QWidget


class MainWindow(QMainWindow):
    def __init__(self, paths: list[Path] | None = None) -> None:
        super().__init__()
        self.setWindowTitle("VisionDesk")
        self.resize(960, 640)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        welcome = QLabel(
            "<h2>VisionDesk</h2><p>Ask vision models about images. The full window is on its "
            "way; meanwhile <code>visiondesk prepare IMAGE…</code> shows exactly what would be "
            "sent for each image.</p>",
            central,
        )
        welcome.setWordWrap(True)
        welcome.setTextFormat(Qt.TextFormat.RichText)
        welcome.setAccessibleName("Welcome")
        self.attachments = QListWidget(central)
        self.attachments.setAccessibleName("Attached images")
        for path in paths or []:
            self.attachments.addItem(str(path))
        layout.addWidget(welcome)
        layout.addWidget(self.attachments)
        self.setCentralWidget(central)
