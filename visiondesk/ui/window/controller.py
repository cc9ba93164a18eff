"""The window's composition root: it opens the history and the profiles, builds the workspace
model, and gives each part of the window its presenter. All behaviour lives in the workspace
(below the UI) and in the presenters; this module only puts them together."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QSize, QTimer
from PySide6.QtWidgets import QMessageBox

from visiondesk import __version__
from visiondesk.config.local_servers import running
from visiondesk.config.paths import data_dir
from visiondesk.config.profile_store import BUILTIN, EMULATOR, load_profiles
from visiondesk.config.profiles import Profile
from visiondesk.config.secrets import Secrets, written
from visiondesk.config.settings import AppSettings
from visiondesk.emulator import Knobs
from visiondesk.errors import StorageError, in_words
from visiondesk.store import History
from visiondesk.ui.attachments.presenter import AttachmentsPresenter
from visiondesk.ui.batch.batch_panel import BatchPanel
from visiondesk.ui.capture.presenter import CapturePresenter
from visiondesk.ui.compare.presenter import ComparePresenter
from visiondesk.ui.connection.presenter import ConnectionPresenter
from visiondesk.ui.connection.welcome_dialog import WELCOME, WelcomeDialog
from visiondesk.ui.doctor.doctor_dialog import DoctorDialog
from visiondesk.ui.history.presenter import HistoryPresenter
from visiondesk.ui.main_thread_gc import settle_memory
from visiondesk.ui.screen_fit import centre_over
from visiondesk.ui.settings.settings_dialog import SettingsDialog
from visiondesk.ui.transcript.find_presenter import FindPresenter
from visiondesk.ui.transcript.presenter import ConversationPresenter
from visiondesk.ui.window.main_window import MainWindow
from visiondesk.ui.window_memory import WindowMemory
from visiondesk.workspace import ConnectionState, ConnectionStatus, Workspace
from visiondesk.workspace.jobs import Group

log = logging.getLogger(__name__)

REMEMBER_AFTER_MS = 500
"""The window saves its size and place this long after the last change."""


class Controller(QObject):
    """Owns the workspace and the presenters for one window."""

    def __init__(
        self,
        window: MainWindow,
        *,
        profiles: dict[str, Profile] | None = None,
        secrets: Secrets | None = None,
        emulator_knobs: Knobs | None = None,
        history: History | None = None,
        settings: AppSettings | None = None,
        memory: WindowMemory | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.history_problem = ""
        # The window remembers beside the person's own history; on a given one, by request.
        if memory is None and history is None:
            memory = WindowMemory.default()
        self.memory = memory
        history = history if history is not None else self._open_history()
        self.workspace = Workspace(
            history,
            profiles if profiles is not None else _load_profiles(),
            secrets or Secrets(),
            settings or AppSettings.load(),
            emulator_knobs=emulator_knobs,
        )
        self.attachments_view = AttachmentsPresenter(self.workspace, window, self.memory)
        self.capture_view = CapturePresenter(self.workspace, window)
        self.conversation_view = ConversationPresenter(self.workspace, window, self.open_settings)
        self.find_view = FindPresenter(self.workspace.transcript, window)
        self.compare_view = ComparePresenter(self.workspace, window)
        self.connection_view = ConnectionPresenter(self.workspace, window)
        self.history_view = HistoryPresenter(self.workspace, window, self.memory)
        self.workspace.status_changed.connect(self._settle)
        window.settings_action.triggered.connect(self.open_settings)
        window.about_action.triggered.connect(self.about)
        window.check_request_action.triggered.connect(self.check_request)
        window.batch_action.triggered.connect(self.open_batch)
        self.batch_panel: BatchPanel | None = None
        self.workspace.history_replaced.connect(self._history_replaced)
        window.close_requested.connect(self.workspace.shutdown)
        if self.memory is not None:
            self.memory.restore_window(window, window.splitter)
            if self.memory.sidebar_hidden():
                window.sidebar_fold.hide()
            window.close_requested.connect(self._remember)
            # Saved as it changes (half a second after the last move), so a crash or kill -9
            # keeps the size, the place and the last mode and model too.
            self._remember_soon = QTimer(self)
            self._remember_soon.setSingleShot(True)
            self._remember_soon.setInterval(REMEMBER_AFTER_MS)
            self._remember_soon.timeout.connect(self._remember)
            window.geometry_changed.connect(self._remember_soon.start)
            window.splitter.splitterMoved.connect(lambda *_: self._remember_soon.start())
            window.sidebar_action.triggered.connect(lambda *_: self._remember_soon.start())
            self.workspace.settings_changed.connect(lambda _: self._remember_soon.start())

    def _settle(self, status: ConnectionStatus) -> None:
        if status.state is ConnectionState.CONNECTED:  # start-up's objects all exist by now
            settle_memory()

    def _remember(self) -> None:
        assert self.memory is not None
        self.memory.save_window(self.window, self.window.splitter)
        self.memory.save_sidebar(self.window.sidebar_fold.hidden_by_person)
        self.memory.save_conversation(self.workspace.settings)

    def _open_history(self) -> History:
        """The history in the data folder; if it cannot be opened, a temporary one, said so."""
        try:
            return History(data_dir())
        except StorageError as error:
            log.error("history unavailable: %s", error)
            self.history_problem = (
                f"The history in {data_dir()} could not be opened ({error.message}). This "
                "session works, but it is kept only until VisionDesk quits."
            )
            return History.temporary()

    def start(self, paths: list[Path]) -> None:
        """Open on the profile of last time; on a first start, on OpenAI only when its key is
        at hand without asking the keychain (`$OPENAI_API_KEY`), else on the built-in
        emulator. The keychain is asked when a profile that needs it is used, never at
        start-up for one that does not: a locked keychain's prompt would grab the keyboard."""
        workspace = self.workspace
        profiles = workspace.profiles
        openai = profiles.get("openai")
        at_hand = openai is not None and bool(workspace.secrets.key_for(openai))
        key = "openai" if at_hand else EMULATOR
        if key not in profiles:
            key = next(iter(profiles))
        remembered = self.memory.profile_key(dict(profiles)) if self.memory else None
        if remembered == "openai" and not (openai and workspace.secrets.may_have_key(openai)):
            remembered = None  # its key has gone since: the emulator, as on a first start
        workspace.select_profile(remembered or key)
        if remembered and self.memory is not None:
            self.memory.restore_conversation(workspace)
        key = workspace.settings.profile_key
        where = (
            "VisionDesk opened on **OpenAI**; the status bar says when it has answered."
            if key == "openai"
            else "No API key is set up, so VisionDesk started its built-in **emulator**: "
            "it answers with what it decoded from your images, so the whole flow works "
            "offline. No model is called."
            if key == EMULATOR
            else f"You are on the **{profiles[key].name}** profile, as when VisionDesk last closed."
        )
        workspace.notice(WELCOME.format(where=where))
        if self.history_problem:
            workspace.notice(self.history_problem)
        if workspace.history.recovered:
            workspace.notice(
                f"{workspace.history.recovered} answer(s) were interrupted when VisionDesk last "
                "stopped; open the conversation in the list to see them and Retry."
            )
        workspace.conversations_changed.emit()
        self.attachments_view.add_paths(paths)

    @property
    def wants_welcome(self) -> bool:
        """A first start with no OpenAI key at hand (the keychain is not asked for it): the
        welcome offers a key, a local server or the emulator."""
        workspace = self.workspace
        openai = workspace.profiles.get("openai")
        has_key = openai is not None and bool(workspace.secrets.key_for(openai))
        return not workspace.app_settings.welcomed and not has_key

    def welcome(self) -> None:
        """First run: offer an OpenAI key, a running local server, or the emulator."""
        workspace = self.workspace
        local = [key for key in running() if key in workspace.profiles]
        dialog = WelcomeDialog(local, workspace.secrets.keychain_available, self.window)
        dialog.finished.connect(lambda _result: self._welcomed(dialog.choice))
        dialog.open()

    def _welcomed(self, choice: tuple[str, str]) -> None:
        workspace = self.workspace
        kind, value = choice
        if kind == "openai" and "openai" in workspace.profiles:
            write = workspace.secrets.store(workspace.profiles["openai"], value)
            if write is not None:  # the welcome has closed: a refusal is said in the window
                workspace.jobs.start(
                    Group.KEYCHAIN_WRITE,
                    written(write),
                    failure=lambda error: workspace.notice(
                        f"{in_words(error)} To save it for good, enter it again in Edit → "
                        "Settings once the keychain is unlocked."
                    ),
                )
            workspace.connections.drop("openai")
            workspace.select_profile("openai")
        elif kind == "local":
            workspace.select_profile(value)
        workspace.set_app_settings(replace(workspace.app_settings, welcomed=True))
        workspace.app_settings.save()

    def open_settings(self) -> None:
        workspace = self.workspace
        dialog = SettingsDialog(
            workspace.profiles,
            workspace.settings.profile_key,
            workspace.secrets,
            self.window,
            app_settings=workspace.app_settings,
            jobs=workspace.jobs,
        )
        dialog.accepted.connect(
            lambda: workspace.update_profiles(dialog.profiles, dialog.app_settings, dialog.renamed)
        )
        dialog.open()

    def check_request(self) -> None:
        """Tools → Check a request…: the doctor; "Open in VisionDesk" starts a conversation."""
        dialog = DoctorDialog(self.window, jobs=self.workspace.jobs)
        dialog.open_requested.connect(
            lambda found: self.workspace.library.start(
                found.prompt, found.images, found.mode, found.model, found.detail
            )
        )
        dialog.open()

    def open_batch(self) -> None:
        """File → Batch…: its own window, so batches run while the person chats here."""
        workspace = self.workspace
        if self.batch_panel is None:
            profiles = {
                key: workspace.connections.resolve(profile)  # the emulator's real address
                for key, profile in workspace.profiles.items()
            }
            self.batch_panel = BatchPanel(
                profiles,
                workspace.secrets,
                workspace.history,
                workspace.app_settings,
                jobs=workspace.jobs,
                memory=self.memory,
            )
            settings = workspace.settings
            self.batch_panel.form.follow(
                settings.profile_key, settings.mode, settings.model, settings.detail
            )
        if not self.batch_panel.isVisible():  # over this window, wholly on its screen
            centre_over(self.batch_panel, self.window, QSize(760, 620))
        self.batch_panel.show()
        self.batch_panel.raise_()
        self.batch_panel.activateWindow()

    def _history_replaced(self) -> None:
        """The batch panel has its own connections to the history's old file: it closes, and
        File → Batch… opens one on the new file (Repair and Restore wait for a batch)."""
        panel, self.batch_panel = self.batch_panel, None
        if panel is not None:
            self.workspace.jobs.start(Group.CLOSE, self._close_batch_panel(panel))

    async def _close_batch_panel(self, panel: BatchPanel) -> None:
        await panel.aclose()
        panel.close()
        panel.deleteLater()

    def about(self) -> None:
        QMessageBox.about(
            self.window,
            "About VisionDesk",
            f"<b>VisionDesk {__version__}</b><p>Ask vision models about images, through every "
            "OpenAI API mode.</p>",
        )

    async def aclose(self) -> None:
        if self.batch_panel is not None:  # a live batch stops and stays resumable
            await self.batch_panel.aclose()
            self.batch_panel.close()
        await self.workspace.aclose()


def _load_profiles() -> dict[str, Profile]:
    try:
        return load_profiles()
    except ValueError as error:
        log.error("%s", error)
        return dict(BUILTIN)
