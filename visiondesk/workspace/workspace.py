"""The open window as a plain-Python model: one owner for the draft, the composer text, the
conversation's settings and turns, and the connection's status. Widgets mirror it and send it
intents; it runs the work as jobs and announces every change. No Qt here: the whole flow runs
in headless tests on a plain asyncio loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from visiondesk.api.capabilities import Capabilities
from visiondesk.config.prices import PriceTable
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import KeychainLocked, Secrets
from visiondesk.config.settings import AppSettings, Cleanup
from visiondesk.connection import Connection, Connections
from visiondesk.domain import ApiMode, Continuation, ConversationState, Detail
from visiondesk.emulator import Knobs
from visiondesk.errors import StorageError, VisionDeskError
from visiondesk.events import Usage
from visiondesk.session import Session
from visiondesk.store import History
from visiondesk.workspace.attaching import Attaching
from visiondesk.workspace.comparing import Comparison
from visiondesk.workspace.connection_status import ConnectionState, ConnectionStatus
from visiondesk.workspace.draft import Draft
from visiondesk.workspace.exchanges import Exchanges
from visiondesk.workspace.history_care import HistoryCare
from visiondesk.workspace.jobs import Group, Jobs, Key
from visiondesk.workspace.library import Library
from visiondesk.workspace.sending import Sending
from visiondesk.workspace.settings import ConversationSettings
from visiondesk.workspace.signal import Signal
from visiondesk.workspace.transcript import Transcript

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Tokens:
    """What the open conversation's answers used this session, and their price."""

    last_in: int = 0
    last_out: int = 0
    total_in: int = 0
    total_out: int = 0
    last_cached: int = 0
    total_cached: int = 0
    last_cost: float | None = None
    """US$ of the last answer; None where its model's price is not known."""
    total_cost: float = 0.0
    unpriced: int = 0
    """Answers whose price is not known (not in `total_cost`)."""


class Workspace:
    """State: `draft`, `text`, `settings`, `transcript`, `status` (connection), `tokens`,
    `profiles`. Intents: the methods below and those of `attachments`, `conversation`,
    `exchanges` (versions, delete), `library`, `care` (check, repair, restore, back up) and
    `compare` (one question through 2–4 columns).

    Signals: `text_changed(str)`, `settings_changed(ConversationSettings)`,
    `status_changed(ConnectionStatus)`, `tokens_changed(Tokens)`, `busy_changed(bool)`,
    `conversation_changed(int | None)`, `conversations_changed()`, `profiles_changed()`,
    `damage_changed(str)`, `history_replaced()`, `app_settings_changed(AppSettings)`; the draft
    and the transcript announce their own changes.
    """

    def __init__(
        self,
        history: History,
        profiles: dict[str, Profile],
        secrets: Secrets,
        app_settings: AppSettings | None = None,
        *,
        emulator_knobs: Knobs | None = None,
    ) -> None:
        if not profiles:
            raise ValueError("a workspace needs at least one profile")
        self.history = history
        self.profiles = dict(profiles)
        self.secrets = secrets
        self.app_settings = app_settings or AppSettings()
        self.prices = PriceTable.load()
        """The price table (prices.json in the config folder), read once."""
        self.connections = Connections(secrets, history, emulator_knobs)
        self.jobs = Jobs(unhandled=self._unhandled)
        self.draft = Draft()
        self.transcript = Transcript()
        self.text = ""
        key = next(iter(self.profiles))
        first = self.profiles[key]
        self.settings = ConversationSettings(
            key, first.model, first.mode, first.detail, self.app_settings.instructions
        )
        self.status = ConnectionStatus()
        self.tokens = Tokens()
        self.session: Session | None = None
        """The services of the current connection (they hold nothing of any conversation)."""
        self.continuation = Continuation()
        """Where the open conversation continues from: its id, exchanges, server-side state."""
        self.text_changed: Signal[[str]] = Signal()
        self.settings_changed: Signal[[ConversationSettings]] = Signal()
        self.continuation_changed: Signal[[Continuation]] = Signal()
        self.status_changed: Signal[[ConnectionStatus]] = Signal()
        self.tokens_changed: Signal[[Tokens]] = Signal()
        self.busy_changed: Signal[[bool]] = Signal()
        self.conversation_changed: Signal[[int | None]] = Signal()
        self.conversations_changed: Signal[[]] = Signal()
        self.profiles_changed: Signal[[]] = Signal()
        self.damage_changed: Signal[[str]] = Signal()
        self.history_replaced: Signal[[]] = Signal()
        """Repair or Restore put another file in place of the history (same History object):
        whoever opened the file on their own opens it again."""
        self.app_settings_changed: Signal[[AppSettings]] = Signal()
        self.damage = ""
        """What of the open conversation (or the history) could not be read; empty if none."""
        self.attachments = Attaching(self)
        self.conversation = Sending(self)
        self.exchanges = Exchanges(self)
        self.library = Library(self)
        self.care = HistoryCare(self, self.library)
        self.compare = Comparison(self, self.prices)
        self._busy = False
        self._before_wait: ConnectionStatus | None = None
        self.jobs.changed.connect(self._jobs_changed)

    # ----- what the window shows -----------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A turn is under way, or a compare's (Send shows as Stop)."""
        return self.jobs.running(Group.SEND) or self.jobs.running(Group.COMPARE)

    @property
    def connection(self) -> Connection:
        key = self.settings.profile_key
        return self.connections.open(key, self.profiles[key])

    @property
    def profile(self) -> Profile:
        """The open conversation's profile as it is reached (the emulator's address filled in)."""
        return self.connection.profile

    @property
    def conversation_id(self) -> int | None:
        return self.continuation.conversation_id

    def _jobs_changed(self) -> None:
        busy = self.busy
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)

    # ----- intents: text, settings, profiles -------------------------------------------------

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.text_changed.emit(text)

    def notice(self, text: str) -> None:
        self.transcript.add_notice(text)

    def set_damage(self, damage: str) -> None:
        if damage != self.damage:
            self.damage = damage
            self.damage_changed.emit(damage)

    def set_app_settings(self, settings: AppSettings) -> None:
        """App-wide settings changed (a new value; the old one is never edited)."""
        if settings != self.app_settings:
            self.app_settings = settings
            self.app_settings_changed.emit(settings)

    def select_profile(self, key: str, *, prepare: bool = True) -> None:
        """Continue the conversation on another profile: its words travel along; the server-side
        thread or response chain belongs to the old server and stays behind. `prepare=False`
        leaves preparing the draft to a caller about to change the settings again."""
        if key not in self.profiles:
            return
        profile = self.profiles[key]
        self.jobs.cancel(Group.PROBE)
        self.jobs.cancel(Group.SWEEP)
        self.jobs.cancel(Group.KEYCHAIN)
        self.apply_settings(
            ConversationSettings(
                key, profile.model, profile.mode, profile.detail, self.settings.instructions
            )
        )
        self._reconnect(prepare=prepare)

    def set_mode(self, mode: ApiMode) -> None:
        self._change(mode=mode)

    def set_model(self, model: str) -> None:
        if model.strip():
            self._change(model=model.strip())

    def set_detail(self, detail: Detail) -> None:
        self._change(detail=detail)

    def set_instructions(self, instructions: str) -> None:
        """The conversation's instructions (system prompt) for the turns sent from now on
        (images need no new preparation, unlike a change of mode, model or detail)."""
        settings = replace(self.settings, instructions=instructions.strip())
        if settings != self.settings:
            self.apply_settings(settings)  # the session reads them from here: no copy to update
            if self.conversation_id is not None:
                self.library.save_settings()
                self.conversations_changed.emit()  # the list marks those with instructions

    def _change(self, **changes: object) -> None:
        settings = replace(self.settings, **changes)  # type: ignore[arg-type]
        if settings == self.settings:
            return
        self.apply_settings(settings)
        if self.conversation_id is not None:  # reopening comes back to these
            self.library.save_settings()
        self.attachments.prepare_all()  # what is sent depends on mode, model and detail

    def apply_settings(self, settings: ConversationSettings) -> None:
        self.settings = settings
        self.settings_changed.emit(settings)

    def set_continuation(self, continuation: Continuation) -> None:
        """The open conversation now continues from here (a new id, an answer, new server-side
        state from `StateChanged`, a rewind, a new thread, another conversation opened)."""
        if continuation != self.continuation:
            self.continuation = continuation
            self.continuation_changed.emit(continuation)

    def update_profiles(
        self,
        profiles: dict[str, Profile],
        app_settings: AppSettings,
        renamed: dict[str, str] | None = None,
    ) -> None:
        """Settings were saved: the open conversation stays on its profile and keeps its model,
        mode and detail; only what was edited in that profile (address, key) takes effect.
        `renamed` (old name → new): stored conversations follow their profile's new name."""
        self.profiles = dict(profiles)
        self.set_app_settings(app_settings)
        if renamed:
            self._rename_in_history(renamed)
            self.conversations_changed.emit()
        self.profiles_changed.emit()
        key = self.settings.profile_key
        if key not in self.profiles:
            self.select_profile(next(iter(self.profiles)))
            return
        old = self.connections.drop(key)
        if old is not None:
            self.jobs.start(Group.CLOSE, old.aclose())
        self._reconnect()

    def _rename_in_history(self, renamed: dict[str, str]) -> None:
        """Through names of their own first, so two profiles that swapped names do not end up
        with each other's conversations."""
        steps = [(before, f"\x00{before}") for before in renamed]
        steps += [(f"\x00{before}", after) for before, after in renamed.items()]
        refused: StorageError | None = None
        for before, after in steps:
            try:
                self.history.rename_profile(before, after)
            except StorageError as error:  # kept in memory, written with the next write
                refused = error
        if refused is not None:
            self.notice(f"The history will follow the renamed profiles later: {refused.message}")

    def _reconnect(self, *, prepare: bool = True) -> None:
        """A session on the current profile for the open conversation, then probe and sweep."""
        self._before_wait = None  # a countdown's "before" belongs to the previous server
        old = self.session
        self.session = self.make_session()
        if old is not None:
            # The conversation's words travel along (never read again); its server-side ids
            # (thread, previous response) belong to the old server and stay behind.
            if old.profile.base_url != self.session.profile.base_url:
                self.set_continuation(replace(self.continuation, state=ConversationState()))
            if self.conversation_id is not None:
                self.library.save_settings()
        if prepare:
            self.attachments.prepare_all()
        profile = self.profiles[self.settings.profile_key]
        if not self.secrets.known(profile):
            self._read_keychain()
            return
        if profile.kind in (ProviderKind.OPENAI, ProviderKind.AZURE) and not self.secrets.key_for(
            profile
        ):
            where = f" (or set ${profile.api_key_env})" if profile.api_key_env else ""
            text = f"{profile.name}: no API key — enter one in Settings{where}."
            self._set_status(ConnectionStatus(ConnectionState.FAILED, text))
            return
        self.probe()
        if self.app_settings.cleanup is not Cleanup.NEVER:
            self.jobs.start(Group.SWEEP, self.connection.sweep(), failure=self.sweep_failed)

    @property
    def reading_keychain(self) -> bool:
        """The key is being read from the keychain (which may be asking for its password)."""
        return self.jobs.running(Group.KEYCHAIN)

    def _read_keychain(self) -> None:
        """Fetch the key off the UI thread; meanwhile the status bar says so. Then connect again
        with the key (or say that there is none)."""
        key = self.settings.profile_key
        profile = self.profiles[key]
        self.jobs.cancel(Group.PROBE)
        self._set_status(
            ConnectionStatus(
                ConnectionState.KEYCHAIN,
                f"{profile.name}: waiting for the keychain (it may be asking for its password)…",
            )
        )

        def read(_key: str | None) -> None:
            if self.settings.profile_key != key:
                return  # another profile was chosen meanwhile
            old = self.connections.drop(key)
            if old is not None:
                self.jobs.start(Group.CLOSE, old.aclose())
            self._reconnect()

        def failed(error: BaseException) -> None:
            if self.settings.profile_key != key:
                return
            if isinstance(error, KeychainLocked):  # not "no key": choosing the profile asks again
                self._set_status(
                    ConnectionStatus(
                        ConnectionState.FAILED,
                        f"{profile.name}: {error.message}. Choose the profile again to unlock "
                        "it, or enter the key in Edit → Settings.",
                    )
                )
                return
            log.warning("keychain read failed: %r", error)
            read(None)

        self.jobs.start(Group.KEYCHAIN, self.secrets.fetch(profile), success=read, failure=failed)

    def make_session(self) -> Session:
        """The services of the current connection; what they work for (settings, continuation)
        is passed with each call, from here."""
        connection = self.connection
        return Session(connection.profile, None, connection=connection)

    def probe(self) -> None:
        """Ask the server which modes and models it has (cached per profile)."""
        connection = self.connection
        profile = connection.profile
        kind = "emulator on " if profile.kind is ProviderKind.EMULATOR else ""
        self._set_status(
            ConnectionStatus(ConnectionState.CHECKING, f"{profile.name}: checking {kind}…")
        )
        self.jobs.start(
            Group.PROBE,
            connection.capabilities.get(connection.client, profile),
            success=lambda capabilities: self._probed(connection, capabilities),
            failure=lambda error: self._probe_failed(connection, error),
        )

    def _probed(self, connection: Connection, capabilities: Capabilities) -> None:
        if connection is not self.connection:
            return
        missing = dict(capabilities.missing)
        unknown = dict(capabilities.unknown)
        profile = connection.profile
        kind = "emulator" if profile.kind is ProviderKind.EMULATOR else "server"
        text = f"{profile.name}: connected ({kind} {profile.base_url})"
        if missing:
            text += " — no " + ", ".join(mode.label for mode in missing)
        if unknown:
            text += " — " + "; ".join(f"{m.label} {note}" for m, note in unknown.items())
        status = ConnectionStatus(
            ConnectionState.CONNECTED, text, tuple(capabilities.models), missing, unknown
        )
        self._set_status(status)

    def _probe_failed(self, connection: Connection, error: BaseException) -> None:
        if connection is not self.connection:
            return
        message = error.message if isinstance(error, VisionDeskError) else repr(error)
        text = f"{connection.profile.name}: {message}"
        self._set_status(ConnectionStatus(ConnectionState.FAILED, text))

    def _set_status(self, status: ConnectionStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    def rate_limited(self, seconds: float) -> None:
        """The status bar counts down a 429 wait; 0 puts back what it said before."""
        if seconds > 0:
            if self._before_wait is None:
                self._before_wait = self.status
            text = f"{self.profile.name}: Rate limited — retrying in {seconds:.0f} s"
            self._set_status(replace(self.status, state=ConnectionState.RATE_LIMITED, text=text))
        elif self._before_wait is not None:
            before, self._before_wait = self._before_wait, None
            if self.status.state is ConnectionState.RATE_LIMITED:
                self._set_status(before)

    def sweep_failed(self, error: BaseException) -> None:
        log.warning("clean-up of uploaded files failed: %r", error)
        self.notice(f"Uploaded files could not be cleaned up ({error}); they are kept for now.")

    def count_tokens(self, usage: Usage, model: str) -> float | None:
        """An answer's tokens join the conversation's; its price (None: not known)."""
        total = self.tokens
        cost = self.prices.cost_of(
            model, usage.input_tokens, usage.output_tokens, usage.cached_input_tokens
        )
        self.tokens = Tokens(
            usage.input_tokens,
            usage.output_tokens,
            total.total_in + usage.input_tokens,
            total.total_out + usage.output_tokens,
            usage.cached_input_tokens,
            total.total_cached + usage.cached_input_tokens,
            cost,
            total.total_cost + (cost or 0.0),
            total.unpriced + (cost is None),
        )
        self.tokens_changed.emit(self.tokens)
        return cost

    def reset_tokens(self) -> None:
        self.tokens = Tokens()
        self.tokens_changed.emit(self.tokens)

    def _unhandled(self, key: Key, error: BaseException) -> None:
        """A job without its own failure path failed: say so where the person looks."""
        self.notice(f"Something went wrong ({key}): {type(error).__name__}: {error}")

    # ----- life cycle ---------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop at once what must not outlive the window (uploads, the emulator)."""
        self.connections.stop()

    async def aclose(self) -> None:
        """Quit: jobs end, connections close, and the history is checkpointed into one file
        (a temporary history is removed)."""
        await self.jobs.aclose()
        await self.connections.aclose()
        try:
            self.history.close()
        except StorageError as error:
            log.error("closing the history: %s", error.message)
