"""The first-run welcome: enter an OpenAI key, use a local server (Ollama and LM Studio are
detected when running), or try the built-in emulator."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visiondesk.config.secrets import where_keys_go

NAMES = {"ollama": "Ollama (port 11434)", "lmstudio": "LM Studio (port 1234)"}

WELCOME = """### Welcome to VisionDesk

Drop images on the window, paste a screenshot (**Ctrl+V**) or open files (**Ctrl+O**), type a
question and press **Enter**.

{where}

To use OpenAI, open **Edit → Settings**, choose the *OpenAI* profile and enter your API key
(it is kept in the system keychain). For a local server, pick the *Ollama* or *LM Studio*
profile, or add your own with its base URL.
"""
"""The first notice in the transcript; `{where}` says which server it opened on."""


class WelcomeDialog(QDialog):
    """`choice` is ("openai", key), ("local", profile key) or ("emulator", "") after accept."""

    def __init__(self, local: list[str], keychain: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to VisionDesk")
        self.setAccessibleName("Welcome")
        self.choice: tuple[str, str] = ("emulator", "")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "<h2>Welcome to VisionDesk</h2><p>Ask vision models about images. "
                "Choose where your questions go; you can change it any time in Settings.</p>",
                self,
            )
        )

        openai = QGroupBox("Use OpenAI", self)
        self.key = QLineEdit(openai)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("sk-…")
        self.key.setAccessibleName("OpenAI API key")
        use_key = QPushButton("Use this key", openai)
        use_key.clicked.connect(self._use_key)
        where = where_keys_go("the system keychain" if keychain else None)
        row = QHBoxLayout(openai)
        row.addWidget(self.key, 1)
        row.addWidget(use_key)
        layout.addWidget(openai)
        note = QLabel(where, self)
        note.setWordWrap(True)
        layout.addWidget(note)

        local_box = QGroupBox("Use a server on this computer", self)
        local_row = QVBoxLayout(local_box)
        if local:
            for key in local:
                button = QPushButton(f"Use {NAMES.get(key, key)} — running now", local_box)
                button.clicked.connect(lambda _checked=False, k=key: self._choose("local", k))
                local_row.addWidget(button)
        else:
            local_row.addWidget(
                QLabel(
                    "No Ollama (11434) or LM Studio (1234) is running. Start one, or add any "
                    "OpenAI-compatible server in Settings.",
                    local_box,
                )
            )
        layout.addWidget(local_box)

        emulator = QPushButton("Try the built-in emulator (offline, no key)", self)
        emulator.setAccessibleName("Try the emulator")
        emulator.clicked.connect(lambda: self._choose("emulator", ""))
        layout.addWidget(emulator)

    def _use_key(self) -> None:
        if self.key.text().strip():
            self._choose("openai", self.key.text().strip())

    def _choose(self, kind: str, value: str) -> None:
        self.choice = (kind, value)
        self.accept()
