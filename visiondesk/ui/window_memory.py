"""What the window remembers between runs (size and place, the sidebar's width and whether
the person hid it, the last
profile, mode, model and detail, the last folder of a file dialog), in an INI file beside the
settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths
from PySide6.QtWidgets import QMainWindow, QSplitter

from visiondesk.config.paths import config_dir
from visiondesk.domain import ApiMode, Detail
from visiondesk.ui.screen_fit import clamp_to_screen

if TYPE_CHECKING:
    from visiondesk.workspace import Workspace
    from visiondesk.workspace.settings import ConversationSettings


class WindowMemory:
    """The window's remembered state, in `path` (an INI file)."""

    def __init__(self, path: Path) -> None:
        self.store = QSettings(str(path), QSettings.Format.IniFormat)

    @classmethod
    def default(cls) -> WindowMemory:
        return cls(config_dir() / "window.ini")

    def restore_window(self, window: QMainWindow, splitter: QSplitter) -> None:
        geometry = self.store.value("window/geometry")
        if isinstance(geometry, QByteArray) and window.restoreGeometry(geometry):
            clamp_to_screen(window)
        sizes = self.store.value("window/splitter")
        if isinstance(sizes, QByteArray):
            splitter.restoreState(sizes)

    def restore_conversation(self, workspace: Workspace) -> None:
        """The last mode, model and detail, over the profile's own."""
        mode, model, detail = self.conversation()
        if mode is not None:
            workspace.set_mode(mode)
        if model:
            workspace.set_model(model)
        if detail is not None:
            workspace.set_detail(detail)

    def save_window(self, window: QMainWindow, splitter: QSplitter) -> None:
        self.store.setValue("window/geometry", window.saveGeometry())
        self.store.setValue("window/splitter", splitter.saveState())
        self.store.sync()

    def sidebar_hidden(self) -> bool:
        """The person hid the conversation list (F9) when the window last closed."""
        return str(self.store.value("window/sidebar_hidden", "false")).lower() == "true"

    def save_sidebar(self, hidden: bool) -> None:
        self.store.setValue("window/sidebar_hidden", "true" if hidden else "false")
        self.store.sync()

    def profile_key(self, known: dict[str, object]) -> str | None:
        key = str(self.store.value("conversation/profile", ""))
        return key if key in known else None

    def conversation(self) -> tuple[ApiMode | None, str, Detail | None]:
        """The last mode, model and detail (None or "" for what is not remembered)."""
        mode = str(self.store.value("conversation/mode", ""))
        detail = str(self.store.value("conversation/detail", ""))
        return (
            ApiMode(mode) if mode in {m.value for m in ApiMode} else None,
            str(self.store.value("conversation/model", "")),
            Detail(detail) if detail in {d.value for d in Detail} else None,
        )

    def save_conversation(self, settings: ConversationSettings) -> None:
        self.store.setValue("conversation/profile", settings.profile_key)
        self.store.setValue("conversation/mode", settings.mode.value)
        self.store.setValue("conversation/model", settings.model)
        self.store.setValue("conversation/detail", settings.detail.value)
        self.store.sync()

    def folder(self) -> str:
        """Where a file dialog starts: the last folder used, else Pictures, else home."""
        last = str(self.store.value("dialogs/folder", ""))
        return last if last and Path(last).is_dir() else self.fallback_folder()

    @staticmethod
    def fallback_folder() -> str:
        location = QStandardPaths.StandardLocation.PicturesLocation
        pictures = QStandardPaths.writableLocation(location)
        return pictures if pictures and Path(pictures).is_dir() else str(Path.home())

    def remember_folder(self, chosen: str) -> None:
        """Remember the folder of a chosen file (or the chosen folder itself)."""
        path = Path(chosen)
        self.store.setValue("dialogs/folder", str(path if path.is_dir() else path.parent))
        self.store.sync()


def start_folder(memory: WindowMemory | None) -> str:
    return memory.folder() if memory is not None else WindowMemory.fallback_folder()


def note_folder(memory: WindowMemory | None, chosen: str) -> None:
    if memory is not None and chosen:
        memory.remember_folder(chosen)
